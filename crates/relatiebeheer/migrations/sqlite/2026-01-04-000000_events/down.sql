DROP TABLE partij_betrokkenen;
DROP TABLE outbox_cursors;
DROP TABLE outbox;
