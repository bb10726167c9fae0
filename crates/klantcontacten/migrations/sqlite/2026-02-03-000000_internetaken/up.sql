-- Read model of the klanttaak register's internetaken, fed by its events: which tasks a
-- klantcontact led to (for `klantcontact.leiddeTotInterneTaken` and its filter).
CREATE TABLE klantcontact_internetaken (
    internetaak_uuid TEXT PRIMARY KEY,
    klantcontact_uuid TEXT NOT NULL,
    toegewezen_op TEXT NOT NULL,
    event_id BIGINT NOT NULL,
    deleted BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX klantcontact_internetaken_klantcontact ON klantcontact_internetaken (klantcontact_uuid);
