//! Which replica delivers a register's outbox.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::db::{BackendKind, Db, DbConnection};

pub(super) const RELAY_LOCK: i64 = 0x6b69_7265_6c61_7900; // the replica that delivers

/// The right to deliver: on PostgreSQL a session-level advisory lock on a connection of its
/// own (lost when that connection dies, so another replica takes over); on SQLite always held
/// (one process per database file).
pub(super) struct Leadership {
    pub(super) db: Db,
    pub(super) conn: Option<DbConnection>,
    pub(super) checked: tokio::time::Instant,
}

impl Leadership {
    pub(super) fn new(db: Db) -> Self {
        Self {
            db,
            conn: None,
            checked: tokio::time::Instant::now(),
        }
    }

    /// Whether this replica may deliver now: takes the lock when free, and every few seconds
    /// checks that the connection holding it is still alive.
    pub(super) async fn hold(&mut self) -> bool {
        if self.db.kind() == BackendKind::Sqlite {
            return true;
        }
        let fresh = self.checked.elapsed() < Duration::from_secs(5);
        if self.conn.is_some() && fresh {
            return true;
        }
        let db = self.db.clone();
        let conn = self.conn.take();
        let outcome =
            tokio::task::spawn_blocking(move || -> anyhow::Result<Option<DbConnection>> {
                let mut conn = match conn {
                    Some(mut held) => {
                        // Still ours if the connection still answers.
                        return Ok(held.batch_execute("SELECT 1").is_ok().then_some(held));
                    }
                    None => db.dedicated()?,
                };
                #[derive(diesel::QueryableByName)]
                struct Locked {
                    #[diesel(sql_type = diesel::sql_types::Bool)]
                    locked: bool,
                }
                let got: Locked = diesel::sql_query(format!(
                    "SELECT pg_try_advisory_lock({RELAY_LOCK}) AS locked"
                ))
                .get_result(&mut conn)?;
                Ok(got.locked.then_some(conn))
            })
            .await;
        self.checked = tokio::time::Instant::now();
        self.conn = match outcome {
            Ok(Ok(conn)) => conn,
            Ok(Err(error)) => {
                tracing::warn!(error = %error, "event relay cannot reach its database");
                None
            }
            Err(_) => None,
        };
        self.conn.is_some()
    }
}
