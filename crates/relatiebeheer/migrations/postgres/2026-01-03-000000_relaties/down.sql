DROP TABLE contactgegevens_organisaties;
DROP TABLE contactgegevens_personen;
DROP TABLE categorie_relaties;
DROP TABLE categorieen;
DROP TABLE vertegenwoordigingen;
ALTER TABLE partijen DROP CONSTRAINT partijen_voorkeurs_rekeningnummer_fk;
ALTER TABLE partijen DROP COLUMN voorkeurs_rekeningnummer_id;
DROP TABLE rekeningnummers;
