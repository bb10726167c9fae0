-- Interne taken: follow-up work a klantcontact led to. The klantcontact and the actors live in
-- the klantcontacten register and are kept as references (uuids), never as foreign keys.
CREATE TABLE internetaken (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    nummer TEXT NULL,
    referentienummer TEXT NULL,
    gevraagde_handeling TEXT NOT NULL,
    klantcontact_uuid TEXT NOT NULL,
    toelichting TEXT NOT NULL,
    status TEXT NOT NULL,
    toegewezen_op TIMESTAMP NOT NULL,
    afgehandeld_op TIMESTAMP NULL
);
CREATE UNIQUE INDEX internetaken_nummer ON internetaken (nummer) WHERE nummer IS NOT NULL;
CREATE UNIQUE INDEX internetaken_referentienummer ON internetaken (referentienummer) WHERE referentienummer IS NOT NULL;
CREATE INDEX internetaken_klantcontact ON internetaken (klantcontact_uuid);
-- Pollers list open tasks, newest first.
CREATE INDEX internetaken_status ON internetaken (status, id);
CREATE INDEX internetaken_toegewezen_op ON internetaken (toegewezen_op);

-- The actors a task is assigned to, in the order they were given.
CREATE TABLE internetaak_actoren (
    internetaak_id BIGINT NOT NULL REFERENCES internetaken (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    actor_uuid TEXT NOT NULL,
    PRIMARY KEY (internetaak_id, position)
);
CREATE INDEX internetaak_actoren_actor ON internetaak_actoren (actor_uuid);

-- The transactional outbox: events stored with the writes that caused them, and how far each
-- subscriber has received them.
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
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
