DROP TRIGGER internetaken_counted_insert;
DROP TRIGGER internetaken_counted_delete;
DROP TABLE row_counts;
