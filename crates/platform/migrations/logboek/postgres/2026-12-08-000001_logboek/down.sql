DROP TABLE logboek;
