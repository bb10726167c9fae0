DROP TABLE digitale_adressen;
DROP TABLE partij_identificatoren;
DROP TABLE partijen;
