-- How many rows the tables that grow large have, kept by triggers in the writes' own
-- transactions: an unfiltered list tells its count from here instead of counting its rows.
CREATE TABLE row_counts (
    table_name TEXT NOT NULL,
    shard INTEGER NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (table_name, shard)
);

INSERT INTO row_counts (table_name, shard, n) SELECT 'klantcontacten', 0, count(*) FROM klantcontacten;
CREATE TRIGGER klantcontacten_counted_insert AFTER INSERT ON klantcontacten BEGIN
    UPDATE row_counts SET n = n + 1 WHERE table_name = 'klantcontacten' AND shard = 0;
END;
CREATE TRIGGER klantcontacten_counted_delete AFTER DELETE ON klantcontacten BEGIN
    UPDATE row_counts SET n = n - 1 WHERE table_name = 'klantcontacten' AND shard = 0;
END;

INSERT INTO row_counts (table_name, shard, n) SELECT 'betrokkenen', 0, count(*) FROM betrokkenen;
CREATE TRIGGER betrokkenen_counted_insert AFTER INSERT ON betrokkenen BEGIN
    UPDATE row_counts SET n = n + 1 WHERE table_name = 'betrokkenen' AND shard = 0;
END;
CREATE TRIGGER betrokkenen_counted_delete AFTER DELETE ON betrokkenen BEGIN
    UPDATE row_counts SET n = n - 1 WHERE table_name = 'betrokkenen' AND shard = 0;
END;

INSERT INTO row_counts (table_name, shard, n) SELECT 'onderwerpobjecten', 0, count(*) FROM onderwerpobjecten;
CREATE TRIGGER onderwerpobjecten_counted_insert AFTER INSERT ON onderwerpobjecten BEGIN
    UPDATE row_counts SET n = n + 1 WHERE table_name = 'onderwerpobjecten' AND shard = 0;
END;
CREATE TRIGGER onderwerpobjecten_counted_delete AFTER DELETE ON onderwerpobjecten BEGIN
    UPDATE row_counts SET n = n - 1 WHERE table_name = 'onderwerpobjecten' AND shard = 0;
END;

INSERT INTO row_counts (table_name, shard, n) SELECT 'bijlagen', 0, count(*) FROM bijlagen;
CREATE TRIGGER bijlagen_counted_insert AFTER INSERT ON bijlagen BEGIN
    UPDATE row_counts SET n = n + 1 WHERE table_name = 'bijlagen' AND shard = 0;
END;
CREATE TRIGGER bijlagen_counted_delete AFTER DELETE ON bijlagen BEGIN
    UPDATE row_counts SET n = n - 1 WHERE table_name = 'bijlagen' AND shard = 0;
END;

INSERT INTO row_counts (table_name, shard, n) SELECT 'actoren', 0, count(*) FROM actoren;
CREATE TRIGGER actoren_counted_insert AFTER INSERT ON actoren BEGIN
    UPDATE row_counts SET n = n + 1 WHERE table_name = 'actoren' AND shard = 0;
END;
CREATE TRIGGER actoren_counted_delete AFTER DELETE ON actoren BEGIN
    UPDATE row_counts SET n = n - 1 WHERE table_name = 'actoren' AND shard = 0;
END;
