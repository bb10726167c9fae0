-- How many rows the tables that grow large have, kept by triggers in the writes' own
-- transactions: an unfiltered list tells its count from here instead of counting its rows.
CREATE TABLE row_counts (
    table_name TEXT NOT NULL,
    shard INTEGER NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (table_name, shard)
);

INSERT INTO row_counts (table_name, shard, n) SELECT 'internetaken', 0, count(*) FROM internetaken;
CREATE TRIGGER internetaken_counted_insert AFTER INSERT ON internetaken BEGIN
    UPDATE row_counts SET n = n + 1 WHERE table_name = 'internetaken' AND shard = 0;
END;
CREATE TRIGGER internetaken_counted_delete AFTER DELETE ON internetaken BEGIN
    UPDATE row_counts SET n = n - 1 WHERE table_name = 'internetaken' AND shard = 0;
END;
