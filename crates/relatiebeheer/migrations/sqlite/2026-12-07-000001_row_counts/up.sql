-- How many rows the tables that grow large have, kept by triggers in the writes' own
-- transactions: an unfiltered list tells its count from here instead of counting its rows.
CREATE TABLE row_counts (
    table_name TEXT NOT NULL,
    shard INTEGER NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (table_name, shard)
);

INSERT INTO row_counts (table_name, shard, n) SELECT 'partijen', 0, count(*) FROM partijen;
CREATE TRIGGER partijen_counted_insert AFTER INSERT ON partijen BEGIN
    UPDATE row_counts SET n = n + 1 WHERE table_name = 'partijen' AND shard = 0;
END;
CREATE TRIGGER partijen_counted_delete AFTER DELETE ON partijen BEGIN
    UPDATE row_counts SET n = n - 1 WHERE table_name = 'partijen' AND shard = 0;
END;

INSERT INTO row_counts (table_name, shard, n) SELECT 'partij_identificatoren', 0, count(*) FROM partij_identificatoren;
CREATE TRIGGER partij_identificatoren_counted_insert AFTER INSERT ON partij_identificatoren BEGIN
    UPDATE row_counts SET n = n + 1 WHERE table_name = 'partij_identificatoren' AND shard = 0;
END;
CREATE TRIGGER partij_identificatoren_counted_delete AFTER DELETE ON partij_identificatoren BEGIN
    UPDATE row_counts SET n = n - 1 WHERE table_name = 'partij_identificatoren' AND shard = 0;
END;

INSERT INTO row_counts (table_name, shard, n) SELECT 'digitale_adressen', 0, count(*) FROM digitale_adressen;
CREATE TRIGGER digitale_adressen_counted_insert AFTER INSERT ON digitale_adressen BEGIN
    UPDATE row_counts SET n = n + 1 WHERE table_name = 'digitale_adressen' AND shard = 0;
END;
CREATE TRIGGER digitale_adressen_counted_delete AFTER DELETE ON digitale_adressen BEGIN
    UPDATE row_counts SET n = n - 1 WHERE table_name = 'digitale_adressen' AND shard = 0;
END;

INSERT INTO row_counts (table_name, shard, n) SELECT 'rekeningnummers', 0, count(*) FROM rekeningnummers;
CREATE TRIGGER rekeningnummers_counted_insert AFTER INSERT ON rekeningnummers BEGIN
    UPDATE row_counts SET n = n + 1 WHERE table_name = 'rekeningnummers' AND shard = 0;
END;
CREATE TRIGGER rekeningnummers_counted_delete AFTER DELETE ON rekeningnummers BEGIN
    UPDATE row_counts SET n = n - 1 WHERE table_name = 'rekeningnummers' AND shard = 0;
END;
