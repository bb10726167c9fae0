-- Multiplies what tests/bench/seed.py stored in the relatiebeheer register (partijen, each with
-- an identificator and an e-mail address, and the read model of the betrokkenen that were them)
-- :copies times, straight in its database. A copy's uuids are md5(original uuid ':' copy) on
-- both sides, so the klantcontacten register's copies (klantcontacten.sql) point at these.
-- Identificatoren and nummers get '-<copy>' appended to stay unique.
--   psql RELATIEBEHEER_DB -v copies=99 -f relatiebeheer.sql -f common.sql
\set ON_ERROR_STOP on
SET session_replication_role = replica;

CREATE TEMP TABLE p AS
    SELECT partijen.*, k, id AS old_id FROM partijen, generate_series(1, :copies) AS k;
UPDATE p SET id = nextval(pg_get_serial_sequence('partijen', 'id')),
    uuid = md5(uuid || ':' || k)::uuid::text, nummer = nummer || '-' || k;
CREATE TEMP TABLE partij_copies AS SELECT old_id, k, id AS new_id FROM p;
CREATE INDEX ON partij_copies (old_id, k);
ALTER TABLE p DROP COLUMN k, DROP COLUMN old_id;
INSERT INTO partijen SELECT * FROM p;

CREATE TEMP TABLE i AS
    SELECT partij_identificatoren.*, k FROM partij_identificatoren, generate_series(1, :copies) AS k
    WHERE partij_id IS NOT NULL AND sub_identificator_van_id IS NULL;
UPDATE i SET id = nextval(pg_get_serial_sequence('partij_identificatoren', 'id')),
    uuid = md5(uuid || ':' || i.k)::uuid::text, object_id = object_id || '-' || i.k,
    partij_id = c.new_id
    FROM partij_copies c WHERE c.old_id = i.partij_id AND c.k = i.k;
ALTER TABLE i DROP COLUMN k;
INSERT INTO partij_identificatoren SELECT * FROM i;

CREATE TEMP TABLE a AS
    SELECT digitale_adressen.*, k FROM digitale_adressen, generate_series(1, :copies) AS k
    WHERE partij_id IS NOT NULL;
UPDATE a SET id = nextval(pg_get_serial_sequence('digitale_adressen', 'id')),
    uuid = md5(uuid || ':' || a.k)::uuid::text, partij_id = c.new_id
    FROM partij_copies c WHERE c.old_id = a.partij_id AND c.k = a.k;
ALTER TABLE a DROP COLUMN k;
INSERT INTO digitale_adressen SELECT * FROM a;

INSERT INTO partij_betrokkenen (betrokkene_uuid, partij_uuid, klantcontact_uuid, rol, event_id, deleted)
    SELECT md5(betrokkene_uuid || ':' || k)::uuid::text, md5(partij_uuid || ':' || k)::uuid::text,
        md5(klantcontact_uuid || ':' || k)::uuid::text, rol, event_id, deleted
    FROM partij_betrokkenen, generate_series(1, :copies) AS k
    WHERE partij_uuid IS NOT NULL;
