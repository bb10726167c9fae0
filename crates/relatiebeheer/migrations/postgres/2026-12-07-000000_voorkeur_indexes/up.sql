-- Deleting or moving a digitaal adres or rekeningnummer clears it as other partijen' preference.
CREATE INDEX partijen_voorkeurs_digitaal_adres ON partijen (voorkeurs_digitaal_adres_id);
CREATE INDEX partijen_voorkeurs_rekeningnummer ON partijen (voorkeurs_rekeningnummer_id);
