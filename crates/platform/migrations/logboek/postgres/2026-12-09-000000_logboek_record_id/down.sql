DROP INDEX logboek_record_id;
ALTER TABLE logboek DROP COLUMN record_id;
