-- Logboek Dataverwerkingen: one row per processing of an identified person's data (one per
-- person when a processing touches several), in the standard's fields. The person is only
-- known by `data_subject_id`, the encrypted BSN; never the BSN itself.
CREATE TABLE logboek (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    trace_id TEXT NOT NULL,
    operation_id TEXT NOT NULL,
    parent_operation_id TEXT NULL,
    foreign_trace_id TEXT NULL,
    foreign_operation_id TEXT NULL,
    foreign_entity TEXT NULL,
    status_code INTEGER NOT NULL,
    name TEXT NOT NULL,
    start_time TIMESTAMP NOT NULL,
    end_time TIMESTAMP NOT NULL,
    processing_activity_id TEXT NULL,
    data_subject_id TEXT NOT NULL,
    application TEXT NOT NULL,
    caller TEXT NOT NULL
);
CREATE INDEX logboek_data_subject ON logboek (data_subject_id, id);
