-- Multiplies what tests/bench/seed.py stored in the klantcontacten register (klantcontacten, each
-- with a betrokkene that was a partij) :copies times, straight in its database; the copies'
-- partijen are relatiebeheer.sql's (uuids md5(original uuid ':' copy) on both sides).
--   psql KLANTCONTACTEN_DB -v copies=99 -f klantcontacten.sql -f common.sql
\set ON_ERROR_STOP on
SET session_replication_role = replica;

CREATE TEMP TABLE kc AS
    SELECT klantcontacten.*, k, id AS old_id FROM klantcontacten, generate_series(1, :copies) AS k;
UPDATE kc SET id = nextval(pg_get_serial_sequence('klantcontacten', 'id')),
    uuid = md5(uuid || ':' || k)::uuid::text, nummer = nummer || '-' || k,
    referentienummer = referentienummer || '-' || k;
CREATE TEMP TABLE klantcontact_copies AS SELECT old_id, k, id AS new_id FROM kc;
CREATE INDEX ON klantcontact_copies (old_id, k);
ALTER TABLE kc DROP COLUMN k, DROP COLUMN old_id;
INSERT INTO klantcontacten SELECT * FROM kc;

CREATE TEMP TABLE b AS
    SELECT betrokkenen.*, k FROM betrokkenen, generate_series(1, :copies) AS k;
UPDATE b SET id = nextval(pg_get_serial_sequence('betrokkenen', 'id')),
    uuid = md5(uuid || ':' || b.k)::uuid::text, klantcontact_id = c.new_id,
    partij_uuid = md5(partij_uuid || ':' || b.k)::uuid::text
    FROM klantcontact_copies c WHERE c.old_id = b.klantcontact_id AND c.k = b.k;
ALTER TABLE b DROP COLUMN k;
INSERT INTO betrokkenen SELECT * FROM b;
