-- Every record has an id of its own, so that writing it again (a journal replayed after a
-- crash) stores it once. (SQLite cannot make an added column NOT NULL; every write sets it.)
ALTER TABLE logboek ADD COLUMN record_id TEXT NULL;
UPDATE logboek SET record_id = 'logboek-' || id;
CREATE UNIQUE INDEX logboek_record_id ON logboek (record_id);
