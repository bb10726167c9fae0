//! Where a register keeps its Logboek: the `logboek` table, written in the transaction of what
//! it records, and read back per person.

use diesel::prelude::*;
use serde_json::{json, Map, Value};

use crate::db::{DbConnection, Migrations};
use crate::ApiResult;

diesel::table! {
    logboek (id) {
        id -> BigInt,
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
#[derive(Debug, Clone, PartialEq, Insertable, Queryable)]
#[diesel(table_name = logboek)]
pub struct Entry {
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

/// How a read's records are committed on PostgreSQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Commit {
    /// With the transaction they are in (a write's).
    WithTheWrite,
    /// On their own, in one statement, without waiting for the WAL to reach the disk: they are
    /// in the database server before the answer goes out, so a crash of the register loses
    /// none; a crash of the database server's machine may lose the last moment's (PostgreSQL
    /// writes its WAL within 200 ms), as SQLite with `synchronous = NORMAL` may. Waiting for
    /// the disk would cost every read of a person a flush.
    Unforced,
}

/// Records as columns: one array per column, rows by position.
const INSERT_PG: &str = "INSERT INTO logboek (trace_id, operation_id, parent_operation_id, \
    foreign_trace_id, foreign_operation_id, foreign_entity, status_code, name, start_time, \
    end_time, processing_activity_id, application, caller, data_subject_id) \
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], \
    $6::text[], $7::integer[], $8::text[], $9::timestamp[], $10::timestamp[], $11::text[], \
    $12::text[], $13::text[], $14::text[])";

/// Records in one statement on PostgreSQL (whatever their number), one by one on SQLite
/// (in-process, a statement costs no round trip).
pub(super) fn insert(conn: &mut DbConnection, entries: &[Entry], commit: Commit) -> ApiResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    match conn {
        DbConnection::Pg(pg) => {
            use diesel::sql_types::{Array, Integer, Nullable, Text, Timestamp};
            let sql = match commit {
                Commit::WithTheWrite => INSERT_PG.to_owned(),
                // A statement outside a transaction is its own: the setting holds for its
                // commit only.
                Commit::Unforced => format!(
                    "{INSERT_PG} WHERE set_config('synchronous_commit', 'off', true) = 'off'"
                ),
            };
            let text =
                |f: fn(&Entry) -> &String| -> Vec<&String> { entries.iter().map(f).collect() };
            let optional = |f: fn(&Entry) -> &Option<String>| -> Vec<&Option<String>> {
                entries.iter().map(f).collect()
            };
            diesel::sql_query(sql)
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
                .execute(pg)?;
        }
        DbConnection::Sqlite(sqlite) => {
            for entry in entries {
                diesel::insert_into(logboek::table)
                    .values(entry)
                    .execute(sqlite)?;
            }
        }
    }
    Ok(())
}

/// The records of one person, oldest first.
pub(super) fn of_subject(conn: &mut DbConnection, subject: &str) -> ApiResult<Vec<Entry>> {
    use logboek as l;
    Ok(l::table
        .filter(l::data_subject_id.eq(subject))
        .order(l::id)
        .select((
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
