-- The klantcontacten register: every contact with a customer, who was involved, what it was
-- about, its attachments and the municipal actors. A partij lives in relatiebeheer: betrokkenen
-- keep its uuid, not a foreign key.

CREATE TABLE klantcontacten (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    nummer TEXT NULL UNIQUE,
    referentienummer TEXT NULL UNIQUE,
    kanaal TEXT NOT NULL,
    onderwerp TEXT NOT NULL,
    inhoud TEXT NOT NULL DEFAULT '',
    reactie TEXT NOT NULL DEFAULT '',
    indicatie_contact_gelukt BOOLEAN NULL,
    hoofd_onderwerp_type TEXT NOT NULL DEFAULT '',
    verdere_actie_ondernomen BOOLEAN NOT NULL DEFAULT FALSE,
    taal TEXT NOT NULL,
    vertrouwelijk BOOLEAN NOT NULL,
    plaatsgevonden_op TIMESTAMP NOT NULL,
    -- A JSON object of strings.
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (NOT (indicatie_contact_gelukt IS TRUE AND verdere_actie_ondernomen))
);
CREATE INDEX klantcontacten_plaatsgevonden ON klantcontacten (plaatsgevonden_op DESC, id DESC);
CREATE INDEX klantcontacten_kanaal ON klantcontacten (kanaal);

CREATE TABLE betrokkenen (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    klantcontact_id BIGINT NOT NULL REFERENCES klantcontacten (id) ON DELETE CASCADE,
    partij_uuid TEXT NULL,
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
    voorletters TEXT NOT NULL DEFAULT '',
    voornaam TEXT NOT NULL DEFAULT '',
    voorvoegsel_achternaam TEXT NOT NULL DEFAULT '',
    achternaam TEXT NOT NULL DEFAULT '',
    rol TEXT NOT NULL,
    organisatienaam TEXT NOT NULL DEFAULT '',
    initiator BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX betrokkenen_klantcontact ON betrokkenen (klantcontact_id);
CREATE INDEX betrokkenen_partij ON betrokkenen (partij_uuid);

CREATE TABLE onderwerpobjecten (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    klantcontact_id BIGINT NULL REFERENCES klantcontacten (id) ON DELETE CASCADE,
    was_klantcontact_id BIGINT NULL REFERENCES klantcontacten (id) ON DELETE CASCADE,
    identificator_object_id TEXT NOT NULL DEFAULT '',
    identificator_code_objecttype TEXT NOT NULL DEFAULT '',
    identificator_code_register TEXT NOT NULL DEFAULT '',
    identificator_code_soort_object_id TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX onderwerpobjecten_klantcontact ON onderwerpobjecten (klantcontact_id);
CREATE INDEX onderwerpobjecten_was_klantcontact ON onderwerpobjecten (was_klantcontact_id);
CREATE INDEX onderwerpobjecten_object_id ON onderwerpobjecten (identificator_object_id);

CREATE TABLE bijlagen (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    klantcontact_id BIGINT NULL REFERENCES klantcontacten (id) ON DELETE CASCADE,
    identificator_object_id TEXT NOT NULL DEFAULT '',
    identificator_code_objecttype TEXT NOT NULL DEFAULT '',
    identificator_code_register TEXT NOT NULL DEFAULT '',
    identificator_code_soort_object_id TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX bijlagen_klantcontact ON bijlagen (klantcontact_id);
CREATE INDEX bijlagen_object_id ON bijlagen (identificator_object_id);

CREATE TABLE actoren (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    naam TEXT NOT NULL,
    soort_actor TEXT NOT NULL,
    indicatie_actief BOOLEAN NOT NULL DEFAULT TRUE,
    identificator_object_id TEXT NOT NULL DEFAULT '',
    identificator_code_objecttype TEXT NOT NULL DEFAULT '',
    identificator_code_register TEXT NOT NULL DEFAULT '',
    identificator_code_soort_object_id TEXT NOT NULL DEFAULT '',
    -- The polymorphic actorIdentificatie: which soort it was written for (NULL: none).
    identificatie_soort TEXT NULL,
    functie TEXT NOT NULL DEFAULT '',
    emailadres TEXT NOT NULL DEFAULT '',
    telefoonnummer TEXT NOT NULL DEFAULT '',
    omschrijving TEXT NOT NULL DEFAULT '',
    faxnummer TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX actoren_object_id ON actoren (identificator_object_id);

CREATE TABLE actorklantcontacten (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    actor_id BIGINT NOT NULL REFERENCES actoren (id) ON DELETE CASCADE,
    klantcontact_id BIGINT NOT NULL REFERENCES klantcontacten (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (actor_id, klantcontact_id)
);
CREATE INDEX actorklantcontacten_klantcontact ON actorklantcontacten (klantcontact_id);
