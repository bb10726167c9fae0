DROP TABLE outbox_cursors;
DROP TABLE outbox;
DROP TABLE internetaak_actoren;
DROP TABLE internetaken;
