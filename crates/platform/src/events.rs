//! The transactional outbox and its relay.
//!
//! A write that others must hear about stores an event in the same transaction (`emit`), so an
//! event exists exactly when its write committed. A relay per register delivers the events, in
//! order, to each subscriber (another register's read model, later webhooks) and remembers per
//! subscriber how far it got; after a failure it retries with backoff, and after a restart it
//! goes on where it was. Delivery is at least once: receivers apply events idempotently, by
//! event id.
//!
//! On PostgreSQL a register may run as several replicas on one database. Two things keep the
//! relay right there: events get their ids in commit order (an emitting transaction holds a
//! transaction-level advisory lock from its first event to its commit, so a reader never sees
//! id 11 while 10 may still commit), and only the replica holding a session-level advisory lock
//! delivers; the others stand by and take over when its connection goes.

use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::{watch, Notify};

use diesel::connection::SimpleConnection;

use crate::db::{BackendKind, Db, DbConnection};
use crate::ApiResult;

diesel::table! {
    outbox (id) {
        id -> BigInt,
        topic -> Text,
        object_uuid -> Text,
        payload -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbox_cursors (subscriber) {
        subscriber -> Text,
        last_id -> BigInt,
        updated_at -> Timestamp,
    }
}

pub use reference::internal::{Batch, Event};

/// A batch delivered to `POST /_internal/events-{register}`: only a register holding the
/// service token may deliver.
pub fn accept(caller: &crate::auth::Caller, body: crate::json::JsonBody) -> ApiResult<Batch> {
    crate::auth::internal_body(caller, body)
}

/// Applies an event to a read model's row of its object (keyed by `$key`, with an `event_id`
/// column) unless the row already reflects that event or a newer one: then a batch delivered
/// twice, or an older event arriving late, changes nothing. `$values` are the row's columns.
#[macro_export]
macro_rules! apply_if_newer {
    ($conn:expr, $table:ident, $key:ident, $event:expr, $values:expr) => {{
        let stored: Option<i64> = $table::table
            .find(&$event.uuid)
            .select($table::event_id)
            .first($conn)
            .optional()?;
        match stored {
            Some(known) if known >= $event.id => {}
            Some(_) => {
                diesel::update($table::table.find(&$event.uuid))
                    .set(($values, $table::event_id.eq($event.id)))
                    .execute($conn)?;
            }
            None => {
                diesel::insert_into($table::table)
                    .values((
                        $table::$key.eq(&$event.uuid),
                        $values,
                        $table::event_id.eq($event.id),
                    ))
                    .execute($conn)?;
            }
        }
    }};
}

/// A read model's (owner, object) rows as each owner's objects, in row order; rows without an
/// owner are left out.
pub fn by_owner(
    rows: impl IntoIterator<Item = (Option<String>, String)>,
) -> std::collections::HashMap<String, Vec<String>> {
    let mut out: std::collections::HashMap<String, Vec<String>> = Default::default();
    for (owner, object) in rows {
        if let Some(owner) = owner {
            out.entry(owner).or_default().push(object);
        }
    }
    out
}

/// The longest wait between delivery attempts: short, so the backlog drains within seconds of a
/// database or register coming back.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Advisory lock keys (per database, so one value serves every register).
const ORDER_LOCK: i64 = 0x6b69_6f75_7462_6f78; // emitting transactions, one at a time
const RELAY_LOCK: i64 = 0x6b69_7265_6c61_7900; // the replica that delivers

/// Stores the event of object `uuid` in the caller's transaction.
pub fn emit<T: reference::internal::Topic>(
    conn: &mut DbConnection,
    uuid: &str,
    event: &T,
) -> ApiResult<()> {
    emit_payload(conn, T::TOPIC, uuid, &payload(event))
}

/// An event as the payload it is stored and delivered as.
pub fn payload<T: reference::internal::Topic>(event: &T) -> Value {
    // Plain structs of strings and booleans: they always serialize.
    serde_json::to_value(event).unwrap_or(Value::Null)
}

/// [`emit`] with the payload written already.
pub(crate) fn emit_payload(
    conn: &mut DbConnection,
    topic: &str,
    uuid: &str,
    payload: &Value,
) -> ApiResult<()> {
    if let DbConnection::Pg(pg) = conn {
        // Held until commit: ids become visible in the order they were handed out.
        pg.batch_execute(&format!("SELECT pg_advisory_xact_lock({ORDER_LOCK})"))?;
    }
    diesel::insert_into(outbox::table)
        .values((
            outbox::topic.eq(topic),
            outbox::object_uuid.eq(uuid),
            outbox::payload.eq(payload.to_string()),
            outbox::created_at.eq(crate::time::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The newest event's id (0 when there is none): how far the outbox has come.
pub fn watermark(conn: &mut DbConnection) -> ApiResult<i64> {
    let newest: Option<i64> = outbox::table
        .select(diesel::dsl::max(outbox::id))
        .first(conn)?;
    Ok(newest.unwrap_or(0))
}

/// Where a relay delivers, and the topics it wants.
#[derive(Debug, Clone)]
pub struct Subscriber {
    /// Stable: the cursor is kept under it.
    pub name: String,
    pub target: Target,
    pub topics: Vec<&'static str>,
}

#[derive(Debug, Clone)]
pub enum Target {
    /// Another register's `/_internal/events-{register}`: batches as they are.
    Register { url: String },
    /// A webhook: each event as a CloudEvent (`application/cloudevents+json`).
    Webhook { url: String, source: String },
    /// A Notificaties API: notificaties to `{root}notificaties`, zaak events to
    /// `{root}cloudevents`, with a ZGW JWT.
    Notificaties {
        root: String,
        client_id: String,
        secret: String,
        source: Option<String>,
    },
}

impl Subscriber {
    /// Where it is, for logs (never the credentials).
    pub fn address(&self) -> &str {
        match &self.target {
            Target::Register { url } | Target::Webhook { url, .. } => url,
            Target::Notificaties { root, .. } => root,
        }
    }
}

/// Delivers a register's outbox to its subscribers.
#[derive(Clone)]
pub struct Relay {
    /// The register whose outbox it delivers (for logs and metrics).
    register: String,
    db: Db,
    subscribers: Vec<Subscriber>,
    client: reqwest::Client,
    token: String,
    wake: Arc<Notify>,
    /// Up to which event every other register has everything it wants; `None` while a delivery
    /// fails (then nobody should wait for it).
    delivered: Arc<watch::Sender<Option<i64>>>,
    /// How long a write waits for its events to be delivered before it answers (zero: not).
    read_your_writes: Duration,
    /// How long events every subscriber has are kept before they are pruned.
    retention: Duration,
}

/// Events per delivery.
const BATCH: i64 = 200;

/// How often delivered events are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// Removes the events every one of `subscribers` (name, topics) has had for longer than
/// `retention`. A subscriber has every event up to the first one of its topics past its cursor
/// (events of other topics it never wants). The newest event stays: ids never go back, and a
/// resync stamps read models with it.
pub fn prune(
    conn: &mut DbConnection,
    subscribers: &[(String, Vec<String>)],
    retention: Duration,
) -> ApiResult<usize> {
    let newest: Option<i64> = outbox::table
        .select(diesel::dsl::max(outbox::id))
        .first(conn)?;
    let Some(newest) = newest else {
        return Ok(0);
    };
    let mut through = newest;
    for (name, topics) in subscribers {
        let cursor: i64 = outbox_cursors::table
            .find(name)
            .select(outbox_cursors::last_id)
            .first(conn)
            .optional()?
            .unwrap_or(0);
        let waiting: Option<i64> = outbox::table
            .filter(outbox::id.gt(cursor))
            .filter(outbox::topic.eq_any(topics))
            .select(diesel::dsl::min(outbox::id))
            .first(conn)?;
        through = through.min(waiting.map_or(newest, |first| first - 1));
    }
    let before = crate::time::now() - time::Duration::seconds(retention.as_secs() as i64);
    Ok(diesel::delete(
        outbox::table
            .filter(outbox::id.le(through))
            .filter(outbox::id.lt(newest))
            .filter(outbox::created_at.lt(before)),
    )
    .execute(conn)?)
}

impl Relay {
    pub fn new(register: &str, db: Db, subscribers: Vec<Subscriber>, token: String) -> Self {
        Self {
            register: register.to_owned(),
            db,
            subscribers,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
            token,
            wake: Arc::new(Notify::new()),
            delivered: Arc::new(watch::channel(Some(0)).0),
            read_your_writes: Duration::ZERO,
            retention: Duration::from_secs(24 * 3600),
        }
    }

    /// Keeps delivered events this long before pruning them (a day by default).
    pub fn with_retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// Prunes what every subscriber has had for longer than the retention period.
    async fn prune(&self) {
        let subscribers: Vec<(String, Vec<String>)> = self
            .subscribers
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    s.topics.iter().map(|t| (*t).to_owned()).collect(),
                )
            })
            .collect();
        let retention = self.retention;
        match self
            .db
            .write(move |conn| prune(conn, &subscribers, retention))
            .await
        {
            Ok(0) => {}
            Ok(pruned) => {
                tracing::debug!(register = %self.register, pruned, "delivered events pruned")
            }
            Err(error) => {
                tracing::debug!(register = %self.register, error = %error, "pruning delivered events failed; tried again later")
            }
        }
    }

    /// Lets a write wait, at most `wait`, until its events reached the other registers before it
    /// answers, so that the client's next request sees their read models up to date. Not while
    /// a delivery fails, and not on a replica that does not deliver.
    pub fn with_read_your_writes(mut self, wait: Duration) -> Self {
        self.read_your_writes = wait;
        self
    }

    /// What a write calls after it committed, so its events go out right away.
    pub fn waker(&self) -> Waker {
        Waker {
            wake: Arc::clone(&self.wake),
            flush: (!self.subscribers.is_empty() && !self.read_your_writes.is_zero()).then(|| {
                Flush {
                    db: self.db.clone(),
                    delivered: self.delivered.subscribe(),
                    wait: self.read_your_writes,
                }
            }),
        }
    }

    /// Delivers until the process ends: at once when woken, else every poll interval (for
    /// retries, and for events other replicas wrote).
    pub async fn run(self) {
        if self.subscribers.is_empty() {
            // Nobody wants the events: they are kept only for the retention period.
            loop {
                self.prune().await;
                tokio::time::sleep(PRUNE_EVERY).await;
            }
        }
        let poll = match self.db.kind() {
            BackendKind::Postgres => Duration::from_millis(250),
            BackendKind::Sqlite => Duration::from_secs(1),
        };
        let mut leader = Leadership::new(self.db.clone());
        let mut backoff = vec![Duration::ZERO; self.subscribers.len()];
        let mut not_before = vec![tokio::time::Instant::now(); self.subscribers.len()];
        let mut through: Vec<Option<i64>> = vec![None; self.subscribers.len()];
        let mut counted = tokio::time::Instant::now() - Duration::from_secs(60);
        let mut pruned = tokio::time::Instant::now() - PRUNE_EVERY;
        loop {
            if counted.elapsed() > Duration::from_secs(15) {
                counted = tokio::time::Instant::now();
                if let Ok(backlog) = self.backlog().await {
                    for b in backlog {
                        crate::metrics::get().backlog(&self.register, &b.subscriber, b.pending);
                    }
                }
            }
            if pruned.elapsed() >= PRUNE_EVERY {
                pruned = tokio::time::Instant::now();
                self.prune().await;
            }
            if !leader.hold().await {
                // Another replica delivers; nobody should wait for this one.
                self.delivered.send_replace(None);
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
            for (i, subscriber) in self.subscribers.iter().enumerate() {
                if tokio::time::Instant::now() < not_before[i] {
                    continue;
                }
                match self.deliver(subscriber).await {
                    Ok(progress) => {
                        backoff[i] = Duration::ZERO;
                        through[i] = Some(progress.through);
                        if progress.more {
                            self.wake.notify_one();
                        }
                    }
                    Err(error) => {
                        through[i] = None;
                        backoff[i] =
                            (backoff[i] * 2).clamp(Duration::from_millis(250), MAX_BACKOFF);
                        not_before[i] = tokio::time::Instant::now() + backoff[i];
                        tracing::warn!(subscriber = %subscriber.name, error = %error, retry_in_ms = backoff[i].as_millis() as u64, "event delivery failed");
                    }
                }
            }
            // Writes wait for the other registers' read models only, never for outside systems.
            let registers: Option<Vec<i64>> = self
                .subscribers
                .iter()
                .zip(&through)
                .filter(|(s, _)| matches!(s.target, Target::Register { .. }))
                .map(|(_, t)| *t)
                .collect();
            let now = registers.and_then(|t| t.into_iter().min());
            self.delivered.send_if_modified(|old| {
                let changed = *old != now;
                *old = now;
                changed
            });
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(poll) => {}
            }
        }
    }

    /// On shutdown: delivers what is still waiting, for at most `wait`, so that what the last
    /// requests wrote is not left for the next start. (Nothing is lost either way: the outbox
    /// keeps it.)
    pub async fn drain(&self, wait: Duration) {
        let work = async {
            for subscriber in &self.subscribers {
                while let Ok(Progress { more: true, .. }) = self.deliver(subscriber).await {}
            }
        };
        if tokio::time::timeout(wait, work).await.is_err() {
            tracing::warn!(
                "shutting down with events still to deliver; they go out after the next start"
            );
        }
    }

    /// Delivers the next batch to one subscriber.
    async fn deliver(&self, subscriber: &Subscriber) -> anyhow::Result<Progress> {
        let name = subscriber.name.clone();
        let topics: Vec<String> = subscriber.topics.iter().map(|t| (*t).to_owned()).collect();
        let (events, watermark) = self
            .db
            .read(move |conn| {
                // Read first: every event up to it is in the rows below, or was delivered.
                let watermark = watermark(conn)?;
                let last: Option<i64> = outbox_cursors::table
                    .find(&name)
                    .select(outbox_cursors::last_id)
                    .first(conn)
                    .optional()?;
                let rows: Vec<(i64, String, String, String, time::PrimitiveDateTime)> =
                    outbox::table
                        .filter(outbox::id.gt(last.unwrap_or(0)))
                        .filter(outbox::topic.eq_any(&topics))
                        .order(outbox::id)
                        .limit(BATCH)
                        .select((
                            outbox::id,
                            outbox::topic,
                            outbox::object_uuid,
                            outbox::payload,
                            outbox::created_at,
                        ))
                        .load(conn)?;
                Ok((rows, watermark))
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let Some(last) = events.last().map(|e| e.0) else {
            return Ok(Progress {
                through: watermark,
                more: false,
            });
        };
        let count = events.len();
        let more = count as i64 == BATCH;
        let written: Vec<(i64, time::PrimitiveDateTime)> =
            events.iter().map(|e| (e.0, e.4)).collect();
        let batch = Batch {
            events: events
                .into_iter()
                .map(|(id, topic, uuid, payload, _)| Event {
                    id,
                    topic,
                    uuid,
                    payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
                })
                .collect(),
        };
        let sent = self.send(subscriber, &batch).await;
        let now = crate::time::now();
        let went = match &sent {
            Ok(()) => last,
            Err((Some(id), _)) => *id,
            Err((None, _)) => 0,
        };
        for (_, at) in written.iter().filter(|(id, _)| *id <= went) {
            let lag = (now - *at).as_seconds_f64().max(0.0);
            crate::metrics::get().delivered(&self.register, &subscriber.name, lag);
        }
        // What went out is remembered even when a later event of the batch failed.
        let through = match &sent {
            Ok(()) => Some(last),
            Err((Some(id), _)) => Some(*id),
            Err((None, _)) => None,
        };
        if let Some(through) = through {
            let name = subscriber.name.clone();
            self.db
                .write(move |conn| advance(conn, &name, through))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        sent.map_err(|(_, error)| error)?;
        tracing::debug!(subscriber = %subscriber.name, events = count, "events delivered");
        Ok(Progress {
            through: if more { last } else { last.max(watermark) },
            more,
        })
    }
}

/// The right to deliver: on PostgreSQL a session-level advisory lock on a connection of its
/// own (lost when that connection dies, so another replica takes over); on SQLite always held
/// (one process per database file).
struct Leadership {
    db: Db,
    conn: Option<DbConnection>,
    checked: tokio::time::Instant,
}

impl Leadership {
    fn new(db: Db) -> Self {
        Self {
            db,
            conn: None,
            checked: tokio::time::Instant::now(),
        }
    }

    /// Whether this replica may deliver now: takes the lock when free, and every few seconds
    /// checks that the connection holding it is still alive.
    async fn hold(&mut self) -> bool {
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

impl Relay {
    /// Sends a batch; on failure, how far it got (the last event that went out) and why.
    async fn send(
        &self,
        subscriber: &Subscriber,
        batch: &Batch,
    ) -> Result<(), (Option<i64>, anyhow::Error)> {
        let ok = |response: reqwest::Response, url: &str| {
            if response.status().is_success() {
                Ok(())
            } else {
                Err(anyhow::anyhow!("{url} answered {}", response.status()))
            }
        };
        match &subscriber.target {
            Target::Register { url } => {
                let sent = self
                    .client
                    .post(url)
                    .header("Authorization", format!("Token {}", self.token))
                    .json(batch)
                    .send()
                    .await
                    .map_err(anyhow::Error::from)
                    .and_then(|r| ok(r, url));
                sent.map_err(|e| (None, e))
            }
            Target::Webhook { url, source } => {
                let mut through = None;
                for event in &batch.events {
                    if let Some(cloud) = crate::outbound::cloud_event(event, source) {
                        self.client
                            .post(url)
                            .header("Content-Type", "application/cloudevents+json")
                            .body(cloud.to_string())
                            .send()
                            .await
                            .map_err(anyhow::Error::from)
                            .and_then(|r| ok(r, url))
                            .map_err(|e| (through, e))?;
                    }
                    through = Some(event.id);
                }
                Ok(())
            }
            Target::Notificaties {
                root,
                client_id,
                secret,
                source,
            } => {
                let root = root.trim_end_matches('/');
                let mut through = None;
                for event in &batch.events {
                    let request = if let Some(message) =
                        crate::outbound::notificatie(event, source.as_deref())
                    {
                        Some((format!("{root}/notificaties"), "application/json", message))
                    } else {
                        // Open Klant sends CloudEvents only when it has a source to name.
                        source.as_deref().and_then(|s| {
                            crate::outbound::cloud_event(event, s).map(|c| {
                                (
                                    format!("{root}/cloudevents"),
                                    "application/cloudevents+json",
                                    c,
                                )
                            })
                        })
                    };
                    if let Some((url, content_type, body)) = request {
                        self.client
                            .post(&url)
                            .header(
                                "Authorization",
                                format!("Bearer {}", crate::outbound::zgw_jwt(client_id, secret)),
                            )
                            .header("Content-Type", content_type)
                            .body(body.to_string())
                            .send()
                            .await
                            .map_err(anyhow::Error::from)
                            .and_then(|r| ok(r, &url))
                            .map_err(|e| (through, e))?;
                    }
                    through = Some(event.id);
                }
                Ok(())
            }
        }
    }
}

/// How far one delivery got.
struct Progress {
    /// Every event up to here that the subscriber wants has been delivered.
    through: i64,
    /// Whether a full batch went, so more may be waiting.
    more: bool,
}

fn advance(conn: &mut DbConnection, subscriber: &str, last: i64) -> ApiResult<()> {
    let now = crate::time::now();
    let updated = diesel::update(outbox_cursors::table.find(subscriber))
        .set((
            outbox_cursors::last_id.eq(last),
            outbox_cursors::updated_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(outbox_cursors::table)
            .values((
                outbox_cursors::subscriber.eq(subscriber),
                outbox_cursors::last_id.eq(last),
                outbox_cursors::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// What a relay has not delivered yet, per subscriber: for operators (`/_healthz/events`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Backlog {
    pub subscriber: String,
    pub pending: i64,
    /// How long the oldest undelivered event has waited.
    pub oldest_pending_seconds: Option<i64>,
    pub delivered_through: i64,
}

impl Relay {
    /// The backlog of every subscriber, from the database (so any replica can tell).
    pub async fn backlog(&self) -> ApiResult<Vec<Backlog>> {
        let subscribers: Vec<(String, Vec<String>)> = self
            .subscribers
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    s.topics.iter().map(|t| (*t).to_owned()).collect(),
                )
            })
            .collect();
        self.db
            .read(move |conn| {
                let now = crate::time::now();
                subscribers
                    .into_iter()
                    .map(|(name, topics)| {
                        let through: i64 = outbox_cursors::table
                            .find(&name)
                            .select(outbox_cursors::last_id)
                            .first(conn)
                            .optional()?
                            .unwrap_or(0);
                        let pending = outbox::table
                            .filter(outbox::id.gt(through))
                            .filter(outbox::topic.eq_any(&topics));
                        let count: i64 = pending.clone().count().get_result(conn)?;
                        let oldest: Option<time::PrimitiveDateTime> = pending
                            .order(outbox::id)
                            .select(outbox::created_at)
                            .first(conn)
                            .optional()?;
                        Ok(Backlog {
                            subscriber: name,
                            pending: count,
                            oldest_pending_seconds: oldest
                                .map(|at| (now - at).whole_seconds().max(0)),
                            delivered_through: through,
                        })
                    })
                    .collect()
            })
            .await
    }
}

/// The relays of a process, for `/_healthz/events`.
#[derive(Clone, Default)]
pub struct Relays(pub Vec<(&'static str, Relay)>);

/// `GET /_healthz/events`: each register's undelivered events per subscriber.
pub async fn backlog(relays: actix_web::web::Data<Relays>) -> actix_web::HttpResponse {
    let mut body = serde_json::Map::new();
    for (register, relay) in &relays.0 {
        let value = match relay.backlog().await {
            Ok(backlog) => serde_json::to_value(backlog).unwrap_or(Value::Null),
            Err(error) => serde_json::json!({"error": error.to_string()}),
        };
        body.insert((*register).to_owned(), value);
    }
    actix_web::HttpResponse::Ok().json(body)
}

/// Wakes a relay after a write committed.
#[derive(Clone, Default)]
pub struct Waker {
    wake: Arc<Notify>,
    flush: Option<Flush>,
}

#[derive(Clone)]
struct Flush {
    db: Db,
    delivered: watch::Receiver<Option<i64>>,
    wait: Duration,
}

impl Waker {
    /// Wakes the relay without waiting for it: for writes made while applying another
    /// register's events (that register's relay waits for the answer, so waiting here for
    /// deliveries that may go back to it could only stall both).
    pub fn nudge(&self) {
        self.wake.notify_one();
    }

    /// Wakes the relay and, with read-your-writes, waits until what was committed so far has
    /// been delivered: at most the configured wait, and not at all while deliveries fail.
    pub async fn wake(&self) {
        self.wake.notify_one();
        let Some(flush) = &self.flush else {
            return;
        };
        if flush.delivered.borrow().is_none() {
            return;
        }
        let Ok(committed) = flush.db.read(watermark).await else {
            return;
        };
        let mut delivered = flush.delivered.clone();
        let _ = tokio::time::timeout(
            flush.wait,
            delivered.wait_for(|through| through.is_none_or(|t| t >= committed)),
        )
        .await;
    }
}
