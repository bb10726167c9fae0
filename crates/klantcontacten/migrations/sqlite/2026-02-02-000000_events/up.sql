-- The transactional outbox: events stored with the writes that caused them, and how far each
-- subscriber has received them.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    object_uuid TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX outbox_topic ON outbox (topic, id);

CREATE TABLE outbox_cursors (
    subscriber TEXT PRIMARY KEY,
    last_id BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Read model of the relatiebeheer register's digitale adressen, fed by its events: which
-- addresses a betrokkene supplied (for `betrokkene.digitaleAdressen`).
CREATE TABLE betrokkene_digitale_adressen (
    adres_uuid TEXT PRIMARY KEY,
    betrokkene_uuid TEXT NULL,
    event_id BIGINT NOT NULL,
    deleted BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX betrokkene_digitale_adressen_betrokkene ON betrokkene_digitale_adressen (betrokkene_uuid);
