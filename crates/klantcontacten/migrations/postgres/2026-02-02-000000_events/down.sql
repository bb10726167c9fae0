DROP TABLE betrokkene_digitale_adressen;
DROP TABLE outbox_cursors;
DROP TABLE outbox;
