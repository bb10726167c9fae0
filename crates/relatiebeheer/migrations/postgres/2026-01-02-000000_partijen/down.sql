ALTER TABLE partijen DROP CONSTRAINT partijen_voorkeurs_digitaal_adres_fk;
DROP TABLE digitale_adressen;
DROP TABLE partij_identificatoren;
DROP TABLE partijen;
