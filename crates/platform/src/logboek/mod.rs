//! Logboek Dataverwerkingen: a record of every processing of an identified person's data, in
//! the fields of the standard (Logius/MinBZK, `logboek-dataverwerkingen`).
//!
//! A processing is a request that reads or writes data of a person with a BSN: a partij with a
//! BSN identificator, a search by BSN, an answer that shows one (nested, expanded, from another
//! register), a list of klantcontacten or betrokkenen filtered on such a partij, the logboek read
//! itself. It gets one record per person (the standard: a record names at most one), with:
//!
//! - `trace_id` and `operation_id`: the request's OpenTelemetry trace and span;
//! - `parent_operation_id`: the span of the register that called (within the installation),
//!   `foreign_operation`: the trace and span in the `traceparent` of a client outside it;
//! - `dpl.core.processing_activity_id`: the token's processing activity, or the one a request
//!   names in `X-Verwerkingsactiviteit` (where the token allows it);
//! - `dpl.core.data_subject_id`: the BSN encrypted with the installation's key ([`SubjectKey`]),
//!   never the BSN itself.
//!
//! Records are kept before the answer goes out: a write's in its own transaction, so there is
//! no change without its record; a read's in the register's journal ([`journal`]: one append
//! to a file, stored in the database shortly after), so a crash of the register right after
//! the response loses none. An answer whose records cannot be kept is a 503 instead. With an
//! external Logboek configured, each record also goes to the register's outbox (topic
//! `logboek`) when it is stored, and is delivered from there, with retries, like events.
//! `GET /logboek?betrokkene=<bsn>` ([`read`]) answers a person's records, for tokens with the
//! `logboek` scope.

mod journal;
mod key;
mod read;
mod store;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use time::PrimitiveDateTime;

use crate::db::{Db, DbConnection};
use crate::ApiResult;

pub use key::SubjectKey;
pub use read::read;
pub use store::{Entry, MIGRATIONS};

/// Where the logboek is read.
pub const PATH: &str = "/logboek";

/// The header a request names its processing activity in.
pub const ACTIVITY_HEADER: &str = reference::ACTIVITY_HEADER;

/// The outbox topic of records for an external Logboek.
pub const TOPIC: &str = "logboek";

/// How long reads' records wait in the journal for those of the reads after them.
const STORE_EVERY: Duration = Duration::from_millis(250);

/// The kind of person id the registers know.
const BSN: &str = "bsn";

/// Whether a processing succeeded (the standard's `status_code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok = 1,
    Error = 2,
}

/// The caller's operation at a party outside the installation (`foreign_operation`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Foreign {
    pub trace_id: String,
    pub operation_id: String,
    /// A URI naming the party: the application its token was made for.
    pub entity: String,
}

/// A request as the Logboek records it; the edge sets it for the request's task, and a write
/// takes it along into its transaction.
#[derive(Debug, Clone)]
pub struct Processing {
    pub trace_id: String,
    pub operation_id: String,
    pub parent_operation_id: Option<String>,
    pub foreign: Option<Foreign>,
    /// What is done: `GET /partijen/{uuid}`.
    pub name: String,
    pub start: PrimitiveDateTime,
    pub activity: Option<String>,
    pub application: String,
    /// The token's identifier.
    pub caller: String,
    /// The BSNs of persons the request reached that its answer does not show (a list filtered
    /// on a partij by its URL), as handlers tell them ([`Processing::touches`]).
    pub touched: Arc<Mutex<Vec<String>>>,
}

tokio::task_local! {
    static CURRENT: Processing;
}

impl Processing {
    /// The processing of the request being handled, if any.
    pub fn current() -> Option<Self> {
        CURRENT.try_with(Clone::clone).ok()
    }

    /// Runs `work` as this processing.
    pub async fn scope<F: std::future::Future>(self, work: F) -> F::Output {
        CURRENT.scope(self, work).await
    }

    /// Tells the request's processing that it reached the persons with these BSNs, though its
    /// answer may not show them; outside a request, nothing.
    pub fn touches(bsns: impl IntoIterator<Item = String>) {
        let _ = CURRENT.try_with(|p| {
            if let Ok(mut touched) = p.touched.lock() {
                touched.extend(bsns);
            }
        });
    }

    /// What handlers said the request reached.
    pub fn touched(&self) -> Vec<String> {
        self.touched.lock().map(|t| t.clone()).unwrap_or_default()
    }

    /// A processing the registers start themselves (a delete that cascades from another
    /// register's event): a trace of its own.
    pub fn system(name: &str) -> Self {
        let trace = reference::TraceContext::continue_from(None);
        Self {
            trace_id: trace.trace_id,
            operation_id: trace.span_id,
            parent_operation_id: None,
            foreign: None,
            name: name.to_owned(),
            start: crate::time::now(),
            activity: None,
            application: "klantinteracties".into(),
            caller: crate::auth::SERVICE_IDENTIFIER.into(),
            touched: Arc::default(),
        }
    }

    fn entries(&self, subjects: &[String], status: Status) -> Vec<Entry> {
        let end = crate::time::now();
        subjects
            .iter()
            .map(|subject| Entry {
                // Ordered by time: the unique index on it grows at its end.
                record_id: uuid::Uuid::now_v7().to_string(),
                trace_id: self.trace_id.clone(),
                operation_id: self.operation_id.clone(),
                parent_operation_id: self.parent_operation_id.clone(),
                foreign_trace_id: self.foreign.as_ref().map(|f| f.trace_id.clone()),
                foreign_operation_id: self.foreign.as_ref().map(|f| f.operation_id.clone()),
                foreign_entity: self.foreign.as_ref().map(|f| f.entity.clone()),
                status_code: status as i32,
                name: self.name.clone(),
                start_time: self.start,
                end_time: end,
                processing_activity_id: self.activity.clone(),
                data_subject_id: subject.clone(),
                application: self.application.clone(),
                caller: self.caller.clone(),
            })
            .collect()
    }
}

/// A register's Logboek; off, it records nothing (for measuring its cost, or where another
/// component keeps the Logboek).
#[derive(Debug, Clone, Default)]
pub struct Logboek(Option<Arc<Keeping>>);

#[derive(Debug)]
struct Keeping {
    key: SubjectKey,
    /// Whether an external Logboek takes the records (through the outbox).
    external: bool,
    /// The register, as records name it.
    register: &'static str,
    /// Where reads' records are kept until stored; without one (no writable data dir) a read
    /// stores its own.
    journal: Option<journal::Journal>,
}

impl Logboek {
    pub fn off() -> Self {
        Self(None)
    }

    /// A register's Logboek, keeping reads' records in a journal in `dir`.
    pub fn new(key: SubjectKey, external: bool, register: reference::Register, dir: &Path) -> Self {
        let journal = match journal::Journal::open(dir, register.name()) {
            Ok(journal) => {
                tracing::debug!(journal = %journal.path().display(), "reads' logboek records");
                Some(journal)
            }
            Err(error) => {
                tracing::warn!(
                    register = register.name(),
                    dir = %dir.display(),
                    %error,
                    "no logboek journal: every read of a person stores its records itself"
                );
                None
            }
        };
        Self(Some(Arc::new(Keeping {
            key,
            external,
            register: register.name(),
            journal,
        })))
    }

    /// Stores the records reads kept in the journal, shortly after they were kept, until the
    /// server stops; on failure (the database away) again a second later.
    pub async fn store_reads(self, db: Db) {
        let Some(journal) = self.0.as_ref().and_then(|k| k.journal.as_ref()) else {
            return;
        };
        loop {
            if let Err(error) = self.store_journal(&db).await {
                tracing::warn!(%error, "the logboek journal is not stored yet; trying again");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            journal.appended.notified().await;
            // The reads of the next moment come along in the same statement: fewer commits
            // to compete with the reads (a read of the Logboek stores the journal first).
            tokio::time::sleep(STORE_EVERY).await;
        }
    }

    /// Stores all the journal holds now: before the logboek is read, and when the server stops.
    pub async fn store_journal(&self, db: &Db) -> ApiResult<()> {
        let Some(journal) = self.0.as_ref().and_then(|k| k.journal.as_ref()) else {
            return Ok(());
        };
        journal
            .store_all(|entries| {
                let logboek = self.clone();
                db.write(move |conn| logboek.store(conn, &entries))
            })
            .await
    }

    pub fn is_on(&self) -> bool {
        self.0.is_some()
    }

    /// The id a person with this BSN has in the records.
    pub fn subject_id(&self, bsn: &str) -> Option<String> {
        self.0.as_ref().map(|k| k.key.encrypt(BSN, bsn))
    }

    /// Records, in the caller's transaction, that `processing` touched the persons with these
    /// BSNs: one record each.
    pub fn record(
        &self,
        conn: &mut DbConnection,
        processing: &Processing,
        bsns: &[&str],
        status: Status,
    ) -> ApiResult<()> {
        self.store(conn, &self.entries(processing, bsns, status))
    }

    /// The records of a processing of these persons: one each.
    fn entries(&self, processing: &Processing, bsns: &[&str], status: Status) -> Vec<Entry> {
        let Some(keeping) = &self.0 else {
            return Vec::new();
        };
        let mut subjects: Vec<String> = bsns
            .iter()
            .map(|bsn| bsn.trim())
            .filter(|bsn| !bsn.is_empty())
            .map(|bsn| keeping.key.encrypt(BSN, bsn))
            .collect();
        subjects.sort_unstable();
        subjects.dedup();
        processing.entries(&subjects, status)
    }

    /// Stores records not stored yet, and hands them to an external Logboek.
    fn store(&self, conn: &mut DbConnection, entries: &[Entry]) -> ApiResult<()> {
        let Some(keeping) = &self.0 else {
            return Ok(());
        };
        let stored: std::collections::HashSet<String> =
            store::insert(conn, entries)?.into_iter().collect();
        if keeping.external {
            for entry in entries.iter().filter(|e| stored.contains(&e.record_id)) {
                crate::events::emit_payload(
                    conn,
                    TOPIC,
                    &entry.operation_id,
                    &entry.to_json(keeping.register),
                )?;
            }
        }
        Ok(())
    }

    /// [`Logboek::record`] for a read: kept in the journal before the answer goes out.
    pub async fn record_read(
        &self,
        db: &Db,
        processing: Processing,
        bsns: Vec<String>,
        status: Status,
    ) -> ApiResult<()> {
        let Some(keeping) = &self.0 else {
            return Ok(());
        };
        let named: Vec<&str> = bsns.iter().map(String::as_str).collect();
        let entries = self.entries(&processing, &named, status);
        if entries.is_empty() {
            return Ok(());
        }
        if let Some(journal) = &keeping.journal {
            return journal.append(&entries).map_err(|error| {
                tracing::error!(%error, "a read's logboek records cannot be kept");
                crate::error::ApiError::DatabaseUnavailable
            });
        }
        let logboek = self.clone();
        db.write(move |conn| logboek.store(conn, &entries)).await
    }
}

/// The Logboeken of the registers a process serves, with their databases.
#[derive(Clone, Default)]
pub struct Logboeken(pub Vec<(reference::Register, Db, Logboek)>);

impl Logboeken {
    /// The Logboek of one register, if served here.
    pub fn of(&self, register: reference::Register) -> Option<(&Db, &Logboek)> {
        self.0
            .iter()
            .find(|(r, _, _)| *r == register)
            .map(|(_, db, logboek)| (db, logboek))
    }
}
