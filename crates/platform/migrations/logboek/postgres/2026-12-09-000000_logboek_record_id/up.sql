-- Every record has an id of its own, so that writing it again (a journal replayed after a
-- crash) stores it once.
ALTER TABLE logboek ADD COLUMN record_id TEXT NULL;
UPDATE logboek SET record_id = 'logboek-' || id;
ALTER TABLE logboek ALTER COLUMN record_id SET NOT NULL;
CREATE UNIQUE INDEX logboek_record_id ON logboek (record_id);
