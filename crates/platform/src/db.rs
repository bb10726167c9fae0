//! The database layer: PostgreSQL in production, SQLite as the embedded default, one diesel
//! connection type for both.
//!
//! Diesel is synchronous. Every unit of work — pool checkout included — runs inside one
//! `web::block`, and a write is one transaction. SQLite allows one writer at a time, so its
//! writes go through a pool of one connection (no "database is locked" from two writers racing
//! to upgrade their locks) while reads use several connections in WAL mode.

use std::time::Duration;

use actix_web::web;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};

use crate::error::ApiError;

/// One connection, to either backend.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which backend a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Postgres,
    Sqlite,
}

impl BackendKind {
    pub fn of(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            BackendKind::Postgres
        } else {
            BackendKind::Sqlite
        }
    }
}

/// Opens a connection and prepares it: SQLite gets WAL, a busy timeout and enforced foreign keys.
pub fn establish(url: &str) -> ConnectionResult<DbConnection> {
    match BackendKind::of(url) {
        BackendKind::Postgres => PgConnection::establish(url).map(DbConnection::Pg),
        BackendKind::Sqlite => {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            let mut conn = SqliteConnection::establish(path)?;
            conn.batch_execute(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                 PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; \
                 PRAGMA cache_size = -32000; PRAGMA mmap_size = 268435456;",
            )
            .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
            Ok(DbConnection::Sqlite(conn))
        }
    }
}

/// Hands out connections to the pool.
#[derive(Debug, Clone)]
pub struct Manager {
    url: String,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        establish(&self.url).map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

type DbPool = Pool<Manager>;

/// A register's database: a read pool and a write pool (the same pool on PostgreSQL).
#[derive(Clone)]
pub struct Db {
    read: DbPool,
    write: DbPool,
    kind: BackendKind,
    url: std::sync::Arc<str>,
}

/// How long a request waits for a free connection before it is answered 503.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(10);

impl Db {
    /// Connects lazily: the pools fill as requests come, so a register starts while its database
    /// is still coming up and `/readyz` tells when it is reachable.
    pub fn connect(url: &str, pool_size: u32) -> Self {
        let kind = BackendKind::of(url);
        let manager = Manager {
            url: url.to_owned(),
        };
        let build = |size: u32| {
            Pool::builder()
                .max_size(size.max(1))
                .min_idle(Some(0))
                .connection_timeout(CHECKOUT_TIMEOUT)
                .test_on_check_out(false)
                .build_unchecked(manager.clone())
        };
        match kind {
            BackendKind::Postgres => {
                let pool = build(pool_size);
                Self {
                    read: pool.clone(),
                    write: pool,
                    kind,
                    url: url.into(),
                }
            }
            BackendKind::Sqlite => Self {
                read: build(pool_size),
                write: build(1),
                kind,
                url: url.into(),
            },
        }
    }

    pub fn kind(&self) -> BackendKind {
        self.kind
    }

    /// Open and idle connections over both pools, for the metrics.
    pub fn pool_state(&self) -> (u32, u32) {
        let (read, write) = (self.read.state(), self.write.state());
        if self.kind == BackendKind::Postgres {
            // One pool serves both.
            return (read.connections, read.idle_connections);
        }
        (
            read.connections + write.connections,
            read.idle_connections + write.idle_connections,
        )
    }

    /// A connection of its own, outside the pools (for a session-long advisory lock).
    pub fn dedicated(&self) -> ConnectionResult<DbConnection> {
        establish(&self.url)
    }

    fn checkout(pool: &DbPool) -> Result<PooledConnection<Manager>, ApiError> {
        pool.get()
            .map_err(|e| ApiError::Unavailable(format!("database: {e}")))
    }

    /// Runs a read-only unit of work on a blocking thread.
    pub async fn read<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.read.clone();
        let span = tracing::info_span!("db.read", otel.kind = "client");
        web::block(move || {
            let _entered = span.enter();
            let mut conn = Self::checkout(&pool)?;
            work(&mut conn)
        })
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("blocking task failed: {e}")))?
    }

    /// Runs a unit of work in one transaction on a blocking thread: everything it wrote is
    /// committed together, or nothing is when it returns an error.
    pub async fn write<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.write.clone();
        let span = tracing::info_span!("db.transaction", otel.kind = "client");
        web::block(move || {
            let _entered = span.enter();
            let mut conn = Self::checkout(&pool)?;
            let conn: &mut DbConnection = &mut conn;
            conn.transaction(work)
        })
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("blocking task failed: {e}")))?
    }

    /// Runs blocking work with a connection outside the request path (commands, start-up).
    pub fn run_blocking<T>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let mut conn = self.write.get()?;
        work(&mut conn)
    }

    /// Whether the database answers; for `/_healthz/readyz`.
    pub async fn ping(&self) -> bool {
        self.read(|conn| {
            conn.batch_execute("SELECT 1")?;
            Ok(())
        })
        .await
        .is_ok()
    }
}

/// A register's migrations, one tree per backend, embedded in the binary. (Functions, because
/// the embedded sets are consts that cannot be copied out of a shared value.)
#[derive(Clone, Copy)]
pub struct Migrations {
    pub postgres: fn() -> EmbeddedMigrations,
    pub sqlite: fn() -> EmbeddedMigrations,
}

/// The key of the advisory lock that keeps replicas from migrating the same database at once.
const MIGRATION_LOCK: i64 = 0x4b4c_4e54_4d49_4752;

/// Applies pending migrations; returns how many ran. On PostgreSQL this holds an advisory lock,
/// so replicas that start together migrate one after the other.
pub fn migrate(conn: &mut DbConnection, sets: &[Migrations]) -> anyhow::Result<usize> {
    let mut applied = 0;
    match conn {
        DbConnection::Pg(pg) => {
            pg.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
            let result = (|| -> anyhow::Result<usize> {
                let mut applied = 0;
                for set in sets {
                    applied += pg
                        .run_pending_migrations((set.postgres)())
                        .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?
                        .len();
                }
                Ok(applied)
            })();
            pg.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
            applied += result?;
        }
        DbConnection::Sqlite(sqlite) => {
            for set in sets {
                applied += sqlite
                    .run_pending_migrations((set.sqlite)())
                    .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?
                    .len();
            }
        }
    }
    Ok(applied)
}

/// Waits until the database accepts connections, for start-up without crash loops.
pub fn wait_for(url: &str, timeout: Duration) -> anyhow::Result<DbConnection> {
    let deadline = std::time::Instant::now() + timeout;
    let mut delay = Duration::from_millis(100);
    loop {
        match establish(url) {
            Ok(conn) => return Ok(conn),
            Err(e) if std::time::Instant::now() + delay < deadline => {
                tracing::warn!(error = %e, retry_in_ms = delay.as_millis() as u64, "database not reachable yet");
                std::thread::sleep(delay);
                delay = (delay * 2).min(Duration::from_secs(5));
            }
            Err(e) => return Err(anyhow::anyhow!("database not reachable: {e}")),
        }
    }
}

/// `lower(text)`, for case-insensitive matching that both backends understand.
pub mod functions {
    diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);
}

/// Stores a row's data: updates row `existing` when it is `Some(id)`, else inserts the data and
/// looks the new id up by its uuid (portable: no `RETURNING`). Evaluates to the row id; `?`
/// passes database errors on. `store_row!(conn, table_module, existing, &data)`.
#[macro_export]
macro_rules! store_row {
    ($conn:expr, $table:ident, $existing:expr, $data:expr) => {
        match $existing {
            Some(id) => {
                diesel::update($table::table.find(id))
                    .set($data)
                    .execute($conn)?;
                id
            }
            None => {
                diesel::insert_into($table::table)
                    .values($data)
                    .execute($conn)?;
                $table::table
                    .filter($table::uuid.eq(&($data).uuid))
                    .select($table::id)
                    .first::<i64>($conn)?
            }
        }
    };
}
