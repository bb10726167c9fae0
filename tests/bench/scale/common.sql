-- Shared by the scale scripts: run after them, in the same session. The loaded rows skipped the
-- row-count triggers (replica role); count the counted tables once, then give the planner
-- statistics and the visibility map, as after an import, and write the loaded pages out.
SET session_replication_role = origin;
CREATE TEMP TABLE counted AS SELECT DISTINCT table_name FROM row_counts;
DELETE FROM row_counts;
DO $$
DECLARE t text;
BEGIN
    FOR t IN SELECT table_name FROM counted LOOP
        EXECUTE format('INSERT INTO row_counts (table_name, shard, n) SELECT %L, 0, count(*) FROM %I', t, t);
    END LOOP;
END
$$;
VACUUM ANALYZE;
CHECKPOINT;
