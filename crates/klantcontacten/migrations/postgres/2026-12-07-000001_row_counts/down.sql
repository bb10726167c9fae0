DROP TRIGGER klantcontacten_counted ON klantcontacten;
DROP TRIGGER betrokkenen_counted ON betrokkenen;
DROP TRIGGER onderwerpobjecten_counted ON onderwerpobjecten;
DROP TRIGGER bijlagen_counted ON bijlagen;
DROP TRIGGER actoren_counted ON actoren;
DROP FUNCTION count_rows();
DROP TABLE row_counts;
