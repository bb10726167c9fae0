-- The relatiebeheer register: partijen, their identificatoren and digitale adressen.
-- Uuids are kept as text and moments as UTC timestamps, so one schema serves PostgreSQL and SQLite.

CREATE TABLE partijen (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    nummer TEXT NULL UNIQUE,
    interne_notitie TEXT NOT NULL DEFAULT '',
    soort_partij TEXT NOT NULL,
    indicatie_geheimhouding BOOLEAN NULL,
    voorkeurstaal TEXT NOT NULL DEFAULT '',
    indicatie_actief BOOLEAN NOT NULL,
    voorkeurs_digitaal_adres_id BIGINT NULL ,
    bezoekadres_nummeraanduiding_id TEXT NOT NULL DEFAULT '',
    bezoekadres_straatnaam TEXT NOT NULL DEFAULT '',
    bezoekadres_huisnummer INTEGER NULL,
    bezoekadres_huisnummertoevoeging TEXT NOT NULL DEFAULT '',
    bezoekadres_postcode TEXT NOT NULL DEFAULT '',
    bezoekadres_stad TEXT NOT NULL DEFAULT '',
    bezoekadres_adresregel1 TEXT NOT NULL DEFAULT '',
    bezoekadres_adresregel2 TEXT NOT NULL DEFAULT '',
    bezoekadres_adresregel3 TEXT NOT NULL DEFAULT '',
    bezoekadres_land TEXT NOT NULL DEFAULT '',
    correspondentieadres_nummeraanduiding_id TEXT NOT NULL DEFAULT '',
    correspondentieadres_straatnaam TEXT NOT NULL DEFAULT '',
    correspondentieadres_huisnummer INTEGER NULL,
    correspondentieadres_huisnummertoevoeging TEXT NOT NULL DEFAULT '',
    correspondentieadres_postcode TEXT NOT NULL DEFAULT '',
    correspondentieadres_stad TEXT NOT NULL DEFAULT '',
    correspondentieadres_adresregel1 TEXT NOT NULL DEFAULT '',
    correspondentieadres_adresregel2 TEXT NOT NULL DEFAULT '',
    correspondentieadres_adresregel3 TEXT NOT NULL DEFAULT '',
    correspondentieadres_land TEXT NOT NULL DEFAULT '',
    -- The polymorphic partijIdentificatie: which soort it was written for (NULL: none), and
    -- the members of all three variants.
    identificatie_soort TEXT NULL,
    contactpersoon_uuid TEXT NULL,
    werkte_voor_partij_id BIGINT NULL REFERENCES partijen (id) ON DELETE SET NULL,
    voorletters TEXT NOT NULL DEFAULT '',
    voornaam TEXT NOT NULL DEFAULT '',
    voorvoegsel_achternaam TEXT NOT NULL DEFAULT '',
    achternaam TEXT NOT NULL DEFAULT '',
    naam TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX partijen_soort_partij ON partijen (soort_partij);
CREATE INDEX partijen_werkte_voor ON partijen (werkte_voor_partij_id);
CREATE INDEX partijen_bezoekadres_nummeraanduiding ON partijen (bezoekadres_nummeraanduiding_id);
CREATE INDEX partijen_correspondentieadres_nummeraanduiding ON partijen (correspondentieadres_nummeraanduiding_id);

CREATE TABLE partij_identificatoren (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    partij_id BIGINT NULL REFERENCES partijen (id) ON DELETE CASCADE,
    andere_partij_identificator TEXT NOT NULL DEFAULT '',
    code_objecttype TEXT NOT NULL,
    code_soort_object_id TEXT NOT NULL,
    object_id TEXT NOT NULL,
    code_register TEXT NOT NULL,
    sub_identificator_van_id BIGINT NULL REFERENCES partij_identificatoren (id),
    created_at TIMESTAMP NOT NULL
);
-- The three uniqueness rules of the standard: global among identificatoren without a parent,
-- scoped to the parent otherwise, and one of each soort per partij.
CREATE UNIQUE INDEX partij_identificatoren_globaal
    ON partij_identificatoren (object_id, code_soort_object_id, code_objecttype, code_register)
    WHERE sub_identificator_van_id IS NULL;
CREATE UNIQUE INDEX partij_identificatoren_onder_ouder
    ON partij_identificatoren (object_id, code_soort_object_id, code_objecttype, code_register, sub_identificator_van_id)
    WHERE sub_identificator_van_id IS NOT NULL;
CREATE UNIQUE INDEX partij_identificatoren_per_partij
    ON partij_identificatoren (partij_id, code_soort_object_id)
    WHERE partij_id IS NOT NULL;
CREATE INDEX partij_identificatoren_partij ON partij_identificatoren (partij_id);
CREATE INDEX partij_identificatoren_object_id ON partij_identificatoren (object_id);
CREATE INDEX partij_identificatoren_ouder ON partij_identificatoren (sub_identificator_van_id);

CREATE TABLE digitale_adressen (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    partij_id BIGINT NULL REFERENCES partijen (id) ON DELETE CASCADE,
    -- A betrokkene lives in the klantcontacten register: a reference, not a foreign key.
    betrokkene_uuid TEXT NULL,
    adres TEXT NOT NULL,
    soort_digitaal_adres TEXT NOT NULL,
    is_standaard_adres BOOLEAN NOT NULL DEFAULT FALSE,
    omschrijving TEXT NOT NULL DEFAULT '',
    referentie TEXT NOT NULL DEFAULT '',
    verificatie_datum DATE NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX digitale_adressen_referentie
    ON digitale_adressen (partij_id, referentie, soort_digitaal_adres)
    WHERE partij_id IS NOT NULL AND referentie <> '';
CREATE INDEX digitale_adressen_partij ON digitale_adressen (partij_id);
CREATE INDEX digitale_adressen_betrokkene ON digitale_adressen (betrokkene_uuid);
CREATE INDEX digitale_adressen_adres ON digitale_adressen (adres);

ALTER TABLE partijen ADD CONSTRAINT partijen_voorkeurs_digitaal_adres_fk
    FOREIGN KEY (voorkeurs_digitaal_adres_id) REFERENCES digitale_adressen (id) ON DELETE SET NULL;
