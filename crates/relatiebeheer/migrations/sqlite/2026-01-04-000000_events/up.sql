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

-- Read model of the klantcontacten register's betrokkenen, fed by its events: which betrokkenen
-- were which partij (for `partij.betrokkenen`) and their rol (for the `verstrektDoorBetrokkene__rol`
-- filter on digitale adressen). `event_id` makes applying an event idempotent;
-- a deleted betrokkene stays as a tombstone so a late, older event cannot bring it back.
CREATE TABLE partij_betrokkenen (
    betrokkene_uuid TEXT PRIMARY KEY,
    partij_uuid TEXT NULL,
        klantcontact_uuid TEXT NOT NULL DEFAULT '',
    rol TEXT NOT NULL DEFAULT '',
    event_id BIGINT NOT NULL,
    deleted BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX partij_betrokkenen_partij ON partij_betrokkenen (partij_uuid);
CREATE INDEX partij_betrokkenen_rol ON partij_betrokkenen (rol, betrokkene_uuid);
