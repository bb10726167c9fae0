DROP TRIGGER internetaken_counted ON internetaken;
DROP FUNCTION count_rows();
DROP TABLE row_counts;
