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

CREATE TRIGGER klantcontacten_counted AFTER INSERT OR DELETE ON klantcontacten
    FOR EACH ROW EXECUTE FUNCTION count_rows();
INSERT INTO row_counts (table_name, shard, n) SELECT 'klantcontacten', 0, count(*) FROM klantcontacten;

CREATE TRIGGER betrokkenen_counted AFTER INSERT OR DELETE ON betrokkenen
    FOR EACH ROW EXECUTE FUNCTION count_rows();
INSERT INTO row_counts (table_name, shard, n) SELECT 'betrokkenen', 0, count(*) FROM betrokkenen;

CREATE TRIGGER onderwerpobjecten_counted AFTER INSERT OR DELETE ON onderwerpobjecten
    FOR EACH ROW EXECUTE FUNCTION count_rows();
INSERT INTO row_counts (table_name, shard, n) SELECT 'onderwerpobjecten', 0, count(*) FROM onderwerpobjecten;

CREATE TRIGGER bijlagen_counted AFTER INSERT OR DELETE ON bijlagen
    FOR EACH ROW EXECUTE FUNCTION count_rows();
INSERT INTO row_counts (table_name, shard, n) SELECT 'bijlagen', 0, count(*) FROM bijlagen;

CREATE TRIGGER actoren_counted AFTER INSERT OR DELETE ON actoren
    FOR EACH ROW EXECUTE FUNCTION count_rows();
INSERT INTO row_counts (table_name, shard, n) SELECT 'actoren', 0, count(*) FROM actoren;
