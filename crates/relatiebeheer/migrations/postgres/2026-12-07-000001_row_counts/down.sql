DROP TRIGGER partijen_counted ON partijen;
DROP TRIGGER partij_identificatoren_counted ON partij_identificatoren;
DROP TRIGGER digitale_adressen_counted ON digitale_adressen;
DROP TRIGGER rekeningnummers_counted ON rekeningnummers;
DROP FUNCTION count_rows();
DROP TABLE row_counts;
