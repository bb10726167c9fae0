-- The rest of relatiebeheer: bank accounts, representations, categories, and the small
-- contactgegevens API.

CREATE TABLE rekeningnummers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    partij_id BIGINT NULL REFERENCES partijen (id) ON DELETE CASCADE,
    iban TEXT NOT NULL,
    bic TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX rekeningnummers_partij ON rekeningnummers (partij_id);
CREATE INDEX rekeningnummers_iban ON rekeningnummers (iban);
CREATE INDEX rekeningnummers_bic ON rekeningnummers (bic);
ALTER TABLE partijen ADD COLUMN voorkeurs_rekeningnummer_id BIGINT NULL REFERENCES rekeningnummers (id) ON DELETE SET NULL;

CREATE TABLE vertegenwoordigingen (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    vertegenwoordigende_partij_id BIGINT NOT NULL REFERENCES partijen (id) ON DELETE CASCADE,
    vertegenwoordigde_partij_id BIGINT NOT NULL REFERENCES partijen (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (vertegenwoordigende_partij_id, vertegenwoordigde_partij_id)
);
CREATE INDEX vertegenwoordigingen_vertegenwoordigde ON vertegenwoordigingen (vertegenwoordigde_partij_id);

CREATE TABLE categorieen (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    naam TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX categorieen_naam ON categorieen (naam);

CREATE TABLE categorie_relaties (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    partij_id BIGINT NULL REFERENCES partijen (id) ON DELETE CASCADE,
    categorie_id BIGINT NULL REFERENCES categorieen (id) ON DELETE CASCADE,
    begin_datum DATE NULL,
    eind_datum DATE NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX categorie_relaties_partij ON categorie_relaties (partij_id);
CREATE INDEX categorie_relaties_categorie ON categorie_relaties (categorie_id);

CREATE TABLE contactgegevens_personen (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    geboortedatum DATE NOT NULL,
    overlijdensdatum DATE NULL,
    geslachtsnaam TEXT NOT NULL,
    geslacht TEXT NOT NULL DEFAULT '',
    voorvoegsel TEXT NOT NULL DEFAULT '',
    voornamen TEXT NOT NULL DEFAULT '',
    adres_nummeraanduiding_id TEXT NOT NULL DEFAULT '',
    adres_straatnaam TEXT NOT NULL DEFAULT '',
    adres_huisnummer INTEGER NULL,
    adres_huisnummertoevoeging TEXT NOT NULL DEFAULT '',
    adres_postcode TEXT NOT NULL DEFAULT '',
    adres_stad TEXT NOT NULL DEFAULT '',
    adres_adresregel1 TEXT NOT NULL DEFAULT '',
    adres_adresregel2 TEXT NOT NULL DEFAULT '',
    adres_adresregel3 TEXT NOT NULL DEFAULT '',
    adres_land TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE contactgegevens_organisaties (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    handelsnaam TEXT NOT NULL,
    oprichtingsdatum DATE NULL,
    opheffingsdatum DATE NULL,
    adres_nummeraanduiding_id TEXT NOT NULL DEFAULT '',
    adres_straatnaam TEXT NOT NULL DEFAULT '',
    adres_huisnummer INTEGER NULL,
    adres_huisnummertoevoeging TEXT NOT NULL DEFAULT '',
    adres_postcode TEXT NOT NULL DEFAULT '',
    adres_stad TEXT NOT NULL DEFAULT '',
    adres_adresregel1 TEXT NOT NULL DEFAULT '',
    adres_adresregel2 TEXT NOT NULL DEFAULT '',
    adres_adresregel3 TEXT NOT NULL DEFAULT '',
    adres_land TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
