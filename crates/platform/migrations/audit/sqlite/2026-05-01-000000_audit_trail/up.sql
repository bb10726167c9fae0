-- Every create, update and delete, written in the transaction of the change: who (token
-- identifier and application), what, why (X-Audit-Toelichting), and the object before and after.
-- Kept when the object is deleted.
CREATE TABLE audit_trail (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    resource TEXT NOT NULL,
    object_uuid TEXT NOT NULL,
    object_url TEXT NOT NULL,
    actie TEXT NOT NULL,
    resultaat INTEGER NOT NULL,
    caller TEXT NOT NULL,
    application TEXT NOT NULL,
    toelichting TEXT NOT NULL,
    oud TEXT NULL,
    nieuw TEXT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_trail_object ON audit_trail (object_uuid, id);
