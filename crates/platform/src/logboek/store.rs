//! Where a register keeps its Logboek: the `logboek` table, written in the transaction of what
//! it records, and read back per person.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::db::{DbConnection, Migrations};
use crate::ApiResult;

diesel::table! {
    logboek (id) {
        id -> BigInt,
        record_id -> Nullable<Text>,
        trace_id -> Text,
        operation_id -> Text,
        parent_operation_id -> Nullable<Text>,
        foreign_trace_id -> Nullable<Text>,
        foreign_operation_id -> Nullable<Text>,
        foreign_entity -> Nullable<Text>,
        status_code -> Integer,
        name -> Text,
        start_time -> Timestamp,
        end_time -> Timestamp,
        processing_activity_id -> Nullable<Text>,
        data_subject_id -> Text,
        application -> Text,
        caller -> Text,
    }
}

/// The table's migrations, applied to every register's database.
pub const MIGRATIONS: Migrations =
    crate::migrations!("migrations/logboek/postgres", "migrations/logboek/sqlite");

/// One record: a processing of one person's data.
#[derive(Debug, Clone, PartialEq, Insertable, Queryable, Serialize, Deserialize)]
#[diesel(table_name = logboek)]
pub struct Entry {
    /// The record's own id: written twice, it is stored once.
    pub record_id: String,
    pub trace_id: String,
    pub operation_id: String,
    pub parent_operation_id: Option<String>,
    pub foreign_trace_id: Option<String>,
    pub foreign_operation_id: Option<String>,
    pub foreign_entity: Option<String>,
    /// 1: succeeded, 2: failed (the standard's `STATUS_CODE_OK` and `STATUS_CODE_ERROR`).
    pub status_code: i32,
    pub name: String,
    pub start_time: time::PrimitiveDateTime,
    pub end_time: time::PrimitiveDateTime,
    pub processing_activity_id: Option<String>,
    pub data_subject_id: String,
    pub application: String,
    pub caller: String,
}

/// Records as columns: one array per column, rows by position; one already stored (by its
/// `record_id`) is left as it is.
const INSERT_PG: &str = "INSERT INTO logboek (record_id, trace_id, operation_id, \
    parent_operation_id, foreign_trace_id, foreign_operation_id, foreign_entity, status_code, \
    name, start_time, end_time, processing_activity_id, application, caller, data_subject_id) \
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], \
    $6::text[], $7::text[], $8::integer[], $9::text[], $10::timestamp[], $11::timestamp[], \
    $12::text[], $13::text[], $14::text[], $15::text[]) \
    ON CONFLICT (record_id) DO NOTHING RETURNING record_id";

#[derive(QueryableByName)]
struct Inserted {
    #[diesel(sql_type = diesel::sql_types::Text)]
    record_id: String,
}

/// Stores records not stored yet: in one statement on PostgreSQL (whatever their number), one
/// by one on SQLite (in-process, a statement costs no round trip). Answers the ids of those it
/// stored.
pub(super) fn insert(conn: &mut DbConnection, entries: &[Entry]) -> ApiResult<Vec<String>> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    match conn {
        DbConnection::Pg(pg) => {
            use diesel::sql_types::{Array, Integer, Nullable, Text, Timestamp};
            let text =
                |f: fn(&Entry) -> &String| -> Vec<&String> { entries.iter().map(f).collect() };
            let optional = |f: fn(&Entry) -> &Option<String>| -> Vec<&Option<String>> {
                entries.iter().map(f).collect()
            };
            let inserted: Vec<Inserted> = diesel::sql_query(INSERT_PG)
                .bind::<Array<Text>, _>(text(|e| &e.record_id))
                .bind::<Array<Text>, _>(text(|e| &e.trace_id))
                .bind::<Array<Text>, _>(text(|e| &e.operation_id))
                .bind::<Array<Nullable<Text>>, _>(optional(|e| &e.parent_operation_id))
                .bind::<Array<Nullable<Text>>, _>(optional(|e| &e.foreign_trace_id))
                .bind::<Array<Nullable<Text>>, _>(optional(|e| &e.foreign_operation_id))
                .bind::<Array<Nullable<Text>>, _>(optional(|e| &e.foreign_entity))
                .bind::<Array<Integer>, _>(
                    entries.iter().map(|e| e.status_code).collect::<Vec<_>>(),
                )
                .bind::<Array<Text>, _>(text(|e| &e.name))
                .bind::<Array<Timestamp>, _>(
                    entries.iter().map(|e| e.start_time).collect::<Vec<_>>(),
                )
                .bind::<Array<Timestamp>, _>(entries.iter().map(|e| e.end_time).collect::<Vec<_>>())
                .bind::<Array<Nullable<Text>>, _>(optional(|e| &e.processing_activity_id))
                .bind::<Array<Text>, _>(text(|e| &e.application))
                .bind::<Array<Text>, _>(text(|e| &e.caller))
                .bind::<Array<Text>, _>(text(|e| &e.data_subject_id))
                .load(pg)?;
            Ok(inserted.into_iter().map(|i| i.record_id).collect())
        }
        DbConnection::Sqlite(sqlite) => {
            let mut inserted = Vec::new();
            for entry in entries {
                let stored = diesel::insert_into(logboek::table)
                    .values(entry)
                    .on_conflict(logboek::record_id)
                    .do_nothing()
                    .execute(sqlite)?;
                if stored > 0 {
                    inserted.push(entry.record_id.clone());
                }
            }
            Ok(inserted)
        }
    }
}

/// The records of one person, oldest first.
pub(super) fn of_subject(conn: &mut DbConnection, subject: &str) -> ApiResult<Vec<Entry>> {
    use logboek as l;
    Ok(l::table
        .filter(l::data_subject_id.eq(subject))
        .order(l::id)
        .select((
            l::record_id.assume_not_null(),
            l::trace_id,
            l::operation_id,
            l::parent_operation_id,
            l::foreign_trace_id,
            l::foreign_operation_id,
            l::foreign_entity,
            l::status_code,
            l::name,
            l::start_time,
            l::end_time,
            l::processing_activity_id,
            l::data_subject_id,
            l::application,
            l::caller,
        ))
        .load(conn)?)
}

/// The standard's name of a status code.
fn status_name(code: i32) -> &'static str {
    match code {
        1 => "STATUS_CODE_OK",
        2 => "STATUS_CODE_ERROR",
        _ => "STATUS_CODE_UNKNOWN",
    }
}

impl Entry {
    /// The record in the standard's fields, as the logboek read and an external Logboek get
    /// it; `register` names the component in `resource`.
    pub fn to_json(&self, register: &str) -> Value {
        let mut attributes = Map::new();
        if let Some(activity) = &self.processing_activity_id {
            attributes.insert("dpl.core.processing_activity_id".into(), json!(activity));
        }
        attributes.insert(
            "dpl.core.data_subject_id".into(),
            json!(self.data_subject_id),
        );
        attributes.insert(
            "dpl.klantinteracties.application".into(),
            json!(self.application),
        );
        attributes.insert("dpl.klantinteracties.caller".into(), json!(self.caller));
        let foreign = match (&self.foreign_trace_id, &self.foreign_operation_id) {
            (Some(trace_id), Some(operation_id)) => json!({
                "trace_id": trace_id,
                "operation_id": operation_id,
                "entity": self.foreign_entity,
            }),
            _ => Value::Null,
        };
        json!({
            "trace_id": self.trace_id,
            "operation_id": self.operation_id,
            "parent_operation_id": self.parent_operation_id,
            "foreign_operation": foreign,
            "status_code": status_name(self.status_code),
            "name": self.name,
            "start_time": crate::time::format_datetime(self.start_time),
            "end_time": crate::time::format_datetime(self.end_time),
            "resource": {
                "attributes": {
                    "service.name": "klantinteracties",
                    "service.version": env!("CARGO_PKG_VERSION"),
                    "klantinteracties.register": register,
                },
            },
            "attributes": attributes,
        })
    }
}
