-- How many rows the tables that grow large have, kept by triggers in the writes' own
-- transactions: an unfiltered list tells its count from here instead of counting millions of
-- rows. Spread over shards (by connection) so that concurrent writes do not queue on one row.
CREATE TABLE row_counts (
    table_name TEXT NOT NULL,
    shard INTEGER NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (table_name, shard)
);

CREATE FUNCTION count_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO row_counts (table_name, shard, n)
    VALUES (TG_TABLE_NAME, pg_backend_pid() % 8, CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END)
    ON CONFLICT (table_name, shard) DO UPDATE SET n = row_counts.n + EXCLUDED.n;
    RETURN NULL;
END
$$;

CREATE TRIGGER partijen_counted AFTER INSERT OR DELETE ON partijen
    FOR EACH ROW EXECUTE FUNCTION count_rows();
INSERT INTO row_counts (table_name, shard, n) SELECT 'partijen', 0, count(*) FROM partijen;

CREATE TRIGGER partij_identificatoren_counted AFTER INSERT OR DELETE ON partij_identificatoren
    FOR EACH ROW EXECUTE FUNCTION count_rows();
INSERT INTO row_counts (table_name, shard, n) SELECT 'partij_identificatoren', 0, count(*) FROM partij_identificatoren;

CREATE TRIGGER digitale_adressen_counted AFTER INSERT OR DELETE ON digitale_adressen
    FOR EACH ROW EXECUTE FUNCTION count_rows();
INSERT INTO row_counts (table_name, shard, n) SELECT 'digitale_adressen', 0, count(*) FROM digitale_adressen;

CREATE TRIGGER rekeningnummers_counted AFTER INSERT OR DELETE ON rekeningnummers
    FOR EACH ROW EXECUTE FUNCTION count_rows();
INSERT INTO row_counts (table_name, shard, n) SELECT 'rekeningnummers', 0, count(*) FROM rekeningnummers;
