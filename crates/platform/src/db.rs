//! The database layer: PostgreSQL in production, SQLite as the embedded default, one diesel
//! connection type for both.
//!
//! Diesel is synchronous. Every unit of work — pool checkout included — runs inside one
//! `web::block`, and a write is one transaction. SQLite allows one writer at a time, so its
//! writes go through a pool of one connection (no "database is locked" from two writers racing
//! to upgrade their locks) while reads use several connections in WAL mode.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

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

/// How long a new PostgreSQL connection may take before it counts as failed (unless the URL
/// sets `connect_timeout` itself).
const CONNECT_TIMEOUT_SECONDS: u32 = 2;

/// The URL with a bounded connect timeout, so a database that does not answer is a quick 503
/// and not a hanging request.
fn with_connect_timeout(url: &str) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}connect_timeout={CONNECT_TIMEOUT_SECONDS}")
}

/// Opens a connection and prepares it: SQLite gets WAL, a busy timeout and enforced foreign keys.
pub fn establish(url: &str) -> ConnectionResult<DbConnection> {
    match BackendKind::of(url) {
        BackendKind::Postgres => {
            PgConnection::establish(&with_connect_timeout(url)).map(DbConnection::Pg)
        }
        BackendKind::Sqlite => {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            let mut conn = SqliteConnection::establish(path)?;
            // SQLite's own page cache (2 MB) per connection and no memory-mapped I/O: every
            // pooled connection would map the files again, and the operating system caches
            // them for all of them already.
            conn.batch_execute(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                 PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; \
                 PRAGMA cache_size = -2000; PRAGMA mmap_size = 0;",
            )
            .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
            Ok(DbConnection::Sqlite(conn))
        }
    }
}

/// A pooled connection, with what the pool needs to know about it.
pub struct Conn {
    conn: DbConnection,
    /// A unit of work on it failed because the connection itself failed: it is never handed
    /// out again.
    broken: bool,
    /// When it last answered; a connection that answered a moment ago is not pinged.
    used: Instant,
}

impl std::ops::Deref for Conn {
    type Target = DbConnection;
    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

/// A connection idle for longer than this is pinged before it is handed out (one round trip),
/// so one that died while idle (a database restart, a dropped TCP connection) is replaced
/// instead of failing a request.
const PING_AFTER_IDLE: Duration = Duration::from_secs(2);

/// Hands out connections to the pool.
#[derive(Debug, Clone)]
pub struct Manager {
    url: String,
    statement_timeout: Duration,
}

impl ManageConnection for Manager {
    type Connection = Conn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<Conn, r2d2::Error> {
        let mut conn = establish(&self.url).map_err(r2d2::Error::ConnectionError)?;
        if let DbConnection::Pg(pg) = &mut conn {
            // No statement holds a connection (and its locks) for ever. Prepared statements
            // (diesel keeps them per connection) are planned once: they look rows up by key,
            // and planning every execution again cost more than running them.
            let millis = self.statement_timeout.as_millis();
            pg.batch_execute(&format!(
                "SET statement_timeout = {millis}; SET plan_cache_mode = force_generic_plan; SET random_page_cost = 1.1"
            ))
            .map_err(r2d2::Error::QueryError)?;
        }
        Ok(Conn {
            conn,
            broken: false,
            used: Instant::now(),
        })
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), r2d2::Error> {
        if conn.used.elapsed() < PING_AFTER_IDLE {
            return Ok(());
        }
        conn.conn
            .batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)?;
        conn.used = Instant::now();
        Ok(())
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        use diesel::r2d2::R2D2Connection;
        conn.broken || conn.conn.is_broken()
    }
}

type DbPool = Pool<Manager>;

/// What a database error is to the API: refused, unreachable, or a fault.
impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            Error::NotFound => ApiError::not_found(),
            // Checks in code report uniqueness precisely; this is the backstop for two writers
            // racing past those checks: the database refused, nothing was stored.
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => ApiError::invalid(
                crate::error::NON_FIELD_ERRORS,
                "unique",
                "Er bestaat al een object met deze gegevens.",
            ),
            other if is_unreachable(&other) => ApiError::Database(other),
            other => ApiError::Internal(anyhow::Error::new(other).context("database")),
        }
    }
}

/// Whether a database error means the database could not be reached (the connection failed,
/// there was none, it did not answer in time, or a SQLite file cannot be used now), as opposed
/// to a query it refused.
pub fn is_unreachable(error: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match error {
        Error::BrokenTransactionManager => true,
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
        | Error::DatabaseError(DatabaseErrorKind::UnableToSendCommand, _) => true,
        Error::DatabaseError(_, info) => {
            let message = info.message();
            [
                "server closed the connection",
                "SSL SYSCALL",
                "SSL error",
                "no connection to the server",
                "terminating connection",
                "could not receive data",
                "could not send data",
                "connection to server",
                "Connection refused",
                "Connection reset",
                "canceling statement due to statement timeout",
                "database is locked",
                "attempt to write a readonly database",
                "disk I/O error",
                "unable to open database file",
            ]
            .iter()
            .any(|needle| message.contains(needle))
        }
        _ => false,
    }
}

/// Whether the database is reachable, as the last units of work found: one log line when it is
/// lost and one when it is back (with how many requests failed meanwhile), not one per request.
#[derive(Debug, Default)]
struct Reachability {
    lost: AtomicBool,
    failed: AtomicU64,
}

impl Reachability {
    fn failed(&self, name: &str, cause: &dyn std::fmt::Display) {
        self.failed.fetch_add(1, Ordering::Relaxed);
        if !self.lost.swap(true, Ordering::AcqRel) {
            tracing::error!(database = name, error = %cause, "database lost: answering 503 until it is back");
        }
    }

    fn answered(&self, name: &str) {
        if self.lost.load(Ordering::Acquire) && self.lost.swap(false, Ordering::AcqRel) {
            let failed = self.failed.swap(0, Ordering::AcqRel);
            tracing::warn!(database = name, failed_requests = failed, "database back");
        }
    }
}

/// A register's database: a read pool and a write pool (the same pool on PostgreSQL).
#[derive(Clone)]
pub struct Db {
    read: DbPool,
    write: DbPool,
    kind: BackendKind,
    url: std::sync::Arc<str>,
    /// The database's name in logs (`relatiebeheer`), never its URL (it may hold a password).
    name: std::sync::Arc<str>,
    reachability: std::sync::Arc<Reachability>,
    /// How long a unit of work may take before its request is answered 503.
    timeout: Duration,
}

/// The most read connections to one SQLite file.
const SQLITE_READERS: u32 = 4;

/// How long a request waits for a free connection (or a new one) before it is answered 503.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(3);

/// How long a request waits for a connection while the database is known to be lost.
const CHECKOUT_WHILE_LOST: Duration = Duration::from_millis(250);

/// The default bound on one statement (and on one unit of work, for its request).
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(15);

impl Db {
    /// Connects lazily: the pools fill as requests come, so a register starts while its database
    /// is still coming up and `/readyz` tells when it is reachable.
    pub fn connect(url: &str, pool_size: u32) -> Self {
        Self::connect_with(url, pool_size, STATEMENT_TIMEOUT)
    }

    /// [`Db::connect`] with a bound on every statement and unit of work.
    pub fn connect_with(url: &str, pool_size: u32, statement_timeout: Duration) -> Self {
        let kind = BackendKind::of(url);
        let manager = Manager {
            url: url.to_owned(),
            statement_timeout,
        };
        let build = |size: u32| {
            Pool::builder()
                .max_size(size.max(1))
                .min_idle(Some(0))
                .connection_timeout(CHECKOUT_TIMEOUT)
                .test_on_check_out(true)
                // A failed connect is a state change, logged once by the requests it fails.
                .error_handler(Box::new(r2d2::NopErrorHandler))
                .build_unchecked(manager.clone())
        };
        let name = url
            .rsplit(['/', '\\'])
            .next()
            .and_then(|n| n.split('?').next())
            .unwrap_or_default()
            .trim_end_matches(".sqlite");
        let (read, write) = match kind {
            BackendKind::Postgres => {
                let pool = build(pool_size);
                (pool.clone(), pool)
            }
            // Readers beyond a few only wait for the cores; each holds a page cache.
            BackendKind::Sqlite => (build(pool_size.min(SQLITE_READERS)), build(1)),
        };
        Self {
            read,
            write,
            kind,
            url: url.into(),
            name: name.into(),
            reachability: std::sync::Arc::default(),
            // A little longer than the statement bound, so the database's own timeout (a
            // clean error, the connection reusable) comes first.
            timeout: statement_timeout + Duration::from_secs(1),
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

    fn checkout(&self, pool: &DbPool) -> Result<PooledConnection<Manager>, ApiError> {
        // While the database is known to be lost, a request does not wait long for it: the
        // pool keeps trying to connect meanwhile, and the first connection that succeeds ends
        // the outage for every request.
        let wait = if self.reachability.lost.load(Ordering::Acquire) {
            CHECKOUT_WHILE_LOST
        } else {
            CHECKOUT_TIMEOUT
        };
        pool.get_timeout(wait).map_err(|e| {
            self.reachability.failed(&self.name, &e);
            ApiError::DatabaseUnavailable
        })
    }

    /// What became of a unit of work: a failed connection is marked so the pool drops it, and
    /// its error is a 503; an answer from the database counts as reachable.
    fn settle<T>(&self, conn: &mut Conn, outcome: Result<T, ApiError>) -> Result<T, ApiError> {
        match outcome {
            Err(ApiError::Database(error)) if is_unreachable(&error) => {
                conn.broken = true;
                self.reachability.failed(&self.name, &error);
                Err(ApiError::DatabaseUnavailable)
            }
            other => {
                conn.used = Instant::now();
                self.reachability.answered(&self.name);
                other
            }
        }
    }

    /// Waits for blocking work, at most the unit-of-work bound (the work itself goes on until
    /// the database answers or its statement timeout ends it).
    async fn bounded<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
        on_timeout: impl FnOnce(),
    ) -> Result<T, ApiError> {
        match tokio::time::timeout(self.timeout, web::block(work)).await {
            Ok(done) => {
                done.map_err(|e| ApiError::Internal(anyhow::anyhow!("blocking task failed: {e}")))?
            }
            Err(_) => {
                self.reachability.failed(&self.name, &"no answer in time");
                on_timeout();
                Err(ApiError::DatabaseUnavailable)
            }
        }
    }

    /// Runs a read-only unit of work on a blocking thread.
    pub async fn read<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let span = tracing::info_span!("db.read", otel.kind = "client");
        self.without_transaction(false, span, work).await
    }

    /// Runs work that writes on a blocking thread without a transaction around it: each of its
    /// statements commits by itself (one statement: one round trip fewer each side).
    pub async fn autocommit<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let span = tracing::info_span!("db.write", otel.kind = "client");
        self.without_transaction(true, span, work).await
    }

    /// Work on a connection of the read pool, or of the write pool when it `writes`.
    async fn without_transaction<T, F>(
        &self,
        writes: bool,
        span: tracing::Span,
        work: F,
    ) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.clone();
        self.bounded(
            move || {
                let _entered = span.enter();
                let pool = if writes { &db.write } else { &db.read };
                let mut conn = db.checkout(pool)?;
                let outcome = work(&mut conn);
                db.settle(&mut conn, outcome)
            },
            || {},
        )
        .await
    }

    /// Runs a unit of work in one transaction on a blocking thread: everything it wrote is
    /// committed together, or nothing is when it returns an error.
    pub async fn write<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.clone();
        let span = tracing::info_span!("db.transaction", otel.kind = "client");
        self.bounded(
            move || {
                let _entered = span.enter();
                let mut conn = db.checkout(&db.write)?;
                let mut worked = false;
                let outcome = (*conn).transaction(|conn| {
                    let outcome = work(conn);
                    worked = outcome.is_ok();
                    outcome
                });
                if worked && matches!(&outcome, Err(ApiError::Database(e)) if is_unreachable(e)) {
                    // The work was done and COMMIT sent, but no answer came back.
                    tracing::warn!(database = %db.name, "a write's commit outcome is unknown: the connection failed during COMMIT");
                }
                db.settle(&mut conn, outcome)
            },
            || {
                tracing::warn!(database = %self.name, "a write's outcome is unknown: the database did not answer in time");
            },
        )
        .await
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
    /// Answers within `READY_CHECK` whatever the database does.
    pub async fn ping(&self) -> bool {
        let check = self.read(|conn| {
            conn.batch_execute("SELECT 1")?;
            Ok(())
        });
        matches!(tokio::time::timeout(READY_CHECK, check).await, Ok(Ok(())))
    }
}

/// How often [`Db::keep_statistics`] looks at the tables: at once again while they change,
/// less and less often while they do not.
const STATISTICS_SOON: Duration = Duration::from_secs(1);
const STATISTICS_LATEST: Duration = Duration::from_secs(30);

/// The key of the advisory lock that keeps replicas from analyzing the same tables at once.
const STATISTICS_LOCK: i64 = 0x4b4c_4e54_5354_4154;

impl Db {
    /// Keeps the planner's statistics of a PostgreSQL database up to date while the register
    /// runs: the tables that changed by more than a tenth since they were last analyzed
    /// (autovacuum's rule) are analyzed, looked at every second while they change and up to
    /// half a minute apart while they do not. Statements are prepared and planned
    /// once per connection, so a plan made while a table was small would stay a table scan
    /// after it grew; new statistics make PostgreSQL plan them again. This way a register that
    /// was just loaded (a first day, an import, a restore) is not slow for its first minutes,
    /// also where autovacuum is off or behind. One replica at a time; nothing to do on SQLite.
    pub async fn keep_statistics(self) {
        if self.kind != BackendKind::Postgres {
            return;
        }
        let mut wait = STATISTICS_SOON;
        loop {
            tokio::time::sleep(wait).await;
            match self.write(analyze_changed).await {
                Ok(tables) if !tables.is_empty() => {
                    wait = STATISTICS_SOON;
                    tracing::debug!(database = %self.name, ?tables, "statistics brought up to date")
                }
                Ok(_) => wait = (wait * 2).min(STATISTICS_LATEST),
                Err(error) => {
                    wait = STATISTICS_LATEST;
                    tracing::debug!(database = %self.name, error = %error, "bringing statistics up to date failed; tried again later")
                }
            }
        }
    }
}

/// Analyzes the tables that changed by more than a tenth (and 50 rows) since their statistics
/// were made; answers their names. Within the caller's transaction, unless another replica
/// does it now.
pub fn analyze_changed(conn: &mut DbConnection) -> Result<Vec<String>, ApiError> {
    #[derive(diesel::QueryableByName)]
    struct Table {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    #[derive(diesel::QueryableByName)]
    struct Locked {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        locked: bool,
    }
    let locked: Locked = diesel::sql_query(format!(
        "SELECT pg_try_advisory_xact_lock({STATISTICS_LOCK}) AS locked"
    ))
    .get_result(conn)?;
    if !locked.locked {
        return Ok(Vec::new());
    }
    let tables: Vec<Table> = diesel::sql_query(
        "SELECT relname AS name FROM pg_stat_user_tables \
         WHERE n_mod_since_analyze > 50 + 0.1 * n_live_tup ORDER BY relname",
    )
    .load(conn)?;
    for table in &tables {
        let quoted = table.name.replace('"', "\"\"");
        conn.batch_execute(&format!("ANALYZE \"{quoted}\""))?;
    }
    Ok(tables.into_iter().map(|t| t.name).collect())
}

/// How long the readiness check waits for the database.
const READY_CHECK: Duration = Duration::from_millis(800);

/// A register's migrations, one tree per backend, embedded in the binary. (Functions, because
/// the embedded sets are consts that cannot be copied out of a shared value.)
#[derive(Clone, Copy)]
pub struct Migrations {
    pub postgres: fn() -> EmbeddedMigrations,
    pub sqlite: fn() -> EmbeddedMigrations,
}

/// A crate's embedded migrations, one tree per backend:
/// `platform::migrations!("migrations/postgres", "migrations/sqlite")`.
#[macro_export]
macro_rules! migrations {
    ($postgres:literal, $sqlite:literal) => {
        $crate::db::Migrations {
            postgres: || {
                const TREE: ::diesel_migrations::EmbeddedMigrations =
                    ::diesel_migrations::embed_migrations!($postgres);
                TREE
            },
            sqlite: || {
                const TREE: ::diesel_migrations::EmbeddedMigrations =
                    ::diesel_migrations::embed_migrations!($sqlite);
                TREE
            },
        }
    };
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

/// Stores a row's data: updates row `existing` when it is `Some(id)`, else inserts the data.
/// Evaluates to the row id; `?` passes database errors on.
/// `store_row!(conn, table_module, existing, &data)`.
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
            None => diesel::insert_into($table::table)
                .values($data)
                .returning($table::id)
                .get_result::<i64>($conn)?,
        }
    };
}
