//! The relay: a register's outbox delivered to each subscriber, in order, at least once, with
//! backoff after a failure; and the [`Waker`] a write wakes it with.

use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;
use serde_json::Value;
use tokio::sync::{watch, Notify};

use crate::db::{BackendKind, Db};

use super::leadership::Leadership;
use super::outbox::{advance, outbox, outbox_cursors, prune, watermark, Emitted};
use super::{Batch, Event};

/// The longest wait between delivery attempts: short, so the backlog drains within seconds of a
/// database or register coming back.
pub(super) const MAX_BACKOFF: Duration = Duration::from_secs(2);

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
    pub(super) register: String,
    pub(super) db: Db,
    pub(super) subscribers: Vec<Subscriber>,
    pub(super) client: reqwest::Client,
    pub(super) token: String,
    pub(super) wake: Arc<Notify>,
    /// Up to which event every other register has everything it wants; `None` while a delivery
    /// fails (then nobody should wait for it).
    pub(super) delivered: Arc<watch::Sender<Option<i64>>>,
    /// How long a write waits for its events to be delivered before it answers (zero: not).
    pub(super) read_your_writes: Duration,
    /// How long events every subscriber has are kept before they are pruned.
    pub(super) retention: Duration,
    /// Where deliveries and the backlog are reported (none in tests that build a relay alone).
    pub(super) metrics: Option<Arc<crate::metrics::Metrics>>,
}

/// Events per delivery.
pub(super) const BATCH: i64 = 200;

/// How often delivered events are pruned.
pub(super) const PRUNE_EVERY: Duration = Duration::from_secs(60);

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
            metrics: None,
        }
    }

    /// Reports its deliveries and backlog to these metrics.
    pub fn with_metrics(mut self, metrics: Arc<crate::metrics::Metrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Keeps delivered events this long before pruning them (a day by default).
    pub fn with_retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// Every subscriber's name and the topics it takes.
    pub(super) fn subscriber_topics(&self) -> Vec<(String, Vec<String>)> {
        let topics = |s: &Subscriber| s.topics.iter().map(|t| (*t).to_owned()).collect();
        self.subscribers
            .iter()
            .map(|s| (s.name.clone(), topics(s)))
            .collect()
    }

    /// Prunes what every subscriber has had for longer than the retention period.
    pub(super) async fn prune(&self) {
        let subscribers = self.subscriber_topics();
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
        // The topics the other registers take: a write waits for those of its events only.
        let topics: Vec<&'static str> = self
            .subscribers
            .iter()
            .filter(|s| matches!(s.target, Target::Register { .. }))
            .flat_map(|s| s.topics.iter().copied())
            .collect();
        Waker {
            wake: Arc::clone(&self.wake),
            flush: (!topics.is_empty() && !self.read_your_writes.is_zero()).then(|| Flush {
                topics: topics.into(),
                delivered: self.delivered.subscribe(),
                wait: self.read_your_writes,
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
        let count = self.subscribers.len();
        let mut backoff = vec![Duration::ZERO; count];
        let mut not_before = vec![tokio::time::Instant::now(); count];
        let mut through: Vec<Option<i64>> = vec![None; count];
        // How far each subscriber has everything it wants, kept here while this replica
        // delivers (read from the cursors when it starts to).
        let mut positions: Option<Vec<i64>> = None;
        let mut counted = tokio::time::Instant::now() - Duration::from_secs(60);
        let mut pruned = tokio::time::Instant::now() - PRUNE_EVERY;
        loop {
            if counted.elapsed() > Duration::from_secs(15) {
                counted = tokio::time::Instant::now();
                if let Ok(backlog) = self.backlog().await {
                    for b in backlog {
                        if let Some(metrics) = &self.metrics {
                            metrics.backlog(&self.register, &b.subscriber, b.pending);
                        }
                    }
                }
            }
            if pruned.elapsed() >= PRUNE_EVERY {
                pruned = tokio::time::Instant::now();
                self.prune().await;
            }
            if !leader.hold().await {
                // Another replica delivers; nobody should wait for this one.
                positions = None;
                self.delivered.send_replace(None);
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
            // One look at the outbox for every subscriber: nothing new is one query.
            let newest = match self.positions(positions.take()).await {
                Ok((at, newest)) => {
                    positions = Some(at);
                    newest
                }
                Err(error) => {
                    tracing::warn!(register = %self.register, error = %error, "reading the outbox failed");
                    through.iter_mut().for_each(|t| *t = None);
                    self.publish(&through);
                    tokio::time::sleep(MAX_BACKOFF).await;
                    continue;
                }
            };
            let at = positions.get_or_insert_with(Vec::new);
            for (i, subscriber) in self.subscribers.iter().enumerate() {
                if tokio::time::Instant::now() < not_before[i] {
                    continue;
                }
                match self.deliver(subscriber, at[i], newest).await {
                    Ok(progress) => {
                        backoff[i] = Duration::ZERO;
                        at[i] = progress.through;
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
            self.publish(&through);
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(poll) => {}
            }
        }
    }

    /// Tells waiting writes up to which event every other register has what it wants.
    fn publish(&self, through: &[Option<i64>]) {
        // Writes wait for the other registers' read models only, never for outside systems.
        let registers: Option<Vec<i64>> = self
            .subscribers
            .iter()
            .zip(through)
            .filter(|(s, _)| matches!(s.target, Target::Register { .. }))
            .map(|(_, t)| *t)
            .collect();
        let now = registers.and_then(|t| t.into_iter().min());
        self.delivered.send_if_modified(|old| {
            let changed = *old != now;
            *old = now;
            changed
        });
    }

    /// Each subscriber's position (the known ones as they are, the others from their cursors)
    /// and the newest event's id.
    async fn positions(&self, known: Option<Vec<i64>>) -> anyhow::Result<(Vec<i64>, i64)> {
        let names: Vec<String> = self.subscribers.iter().map(|s| s.name.clone()).collect();
        self.db
            .read(move |conn| {
                let newest = watermark(conn)?;
                let positions = match known {
                    Some(known) => known,
                    None => names
                        .iter()
                        .map(|name| {
                            Ok(outbox_cursors::table
                                .find(name)
                                .select(outbox_cursors::last_id)
                                .first(conn)
                                .optional()?
                                .unwrap_or(0))
                        })
                        .collect::<crate::ApiResult<_>>()?,
                };
                Ok((positions, newest))
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// On shutdown: delivers what is still waiting, for at most `wait`, so that what the last
    /// requests wrote is not left for the next start. (Nothing is lost either way: the outbox
    /// keeps it.)
    pub async fn drain(&self, wait: Duration) {
        let work = async {
            let Ok((mut at, newest)) = self.positions(None).await else {
                return;
            };
            for (i, subscriber) in self.subscribers.iter().enumerate() {
                while let Ok(progress) = self.deliver(subscriber, at[i], newest).await {
                    at[i] = progress.through;
                    if !progress.more {
                        break;
                    }
                }
            }
        };
        if tokio::time::timeout(wait, work).await.is_err() {
            tracing::warn!(
                "shutting down with events still to deliver; they go out after the next start"
            );
        }
    }

    /// Delivers to one subscriber the next batch of the events it wants after `from`, up to
    /// `newest` (every id up to it is committed: ids become visible in order).
    pub(super) async fn deliver(
        &self,
        subscriber: &Subscriber,
        from: i64,
        newest: i64,
    ) -> anyhow::Result<Progress> {
        if from >= newest {
            return Ok(Progress {
                through: from,
                more: false,
            });
        }
        let topics: Vec<String> = subscriber.topics.iter().map(|t| (*t).to_owned()).collect();
        let events = self
            .db
            .read(move |conn| {
                let rows: Vec<(i64, String, String, String, time::PrimitiveDateTime)> =
                    outbox::table
                        .filter(outbox::id.gt(from))
                        .filter(outbox::id.le(newest))
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
                Ok(rows)
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let Some(last) = events.last().map(|e| e.0) else {
            // Nothing it wants up to the newest event. (Its cursor is moved with its next
            // delivery; until then a restart looks through these events again.)
            return Ok(Progress {
                through: newest,
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
            if let Some(metrics) = &self.metrics {
                metrics.delivered(&self.register, &subscriber.name, lag);
            }
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
            through: if more { last } else { newest },
            more,
        })
    }
}

/// How far one delivery got.
pub(super) struct Progress {
    /// Every event up to here that the subscriber wants has been delivered.
    pub(super) through: i64,
    /// Whether a full batch went, so more may be waiting.
    pub(super) more: bool,
}

/// Wakes a relay after a write committed.
#[derive(Clone, Default)]
pub struct Waker {
    pub(super) wake: Arc<Notify>,
    pub(super) flush: Option<Flush>,
}

#[derive(Clone)]
pub(super) struct Flush {
    /// The topics the other registers take.
    pub(super) topics: Arc<[&'static str]>,
    pub(super) delivered: watch::Receiver<Option<i64>>,
    pub(super) wait: Duration,
}

impl Waker {
    /// Wakes the relay without waiting for it: for writes made while applying another
    /// register's events (that register's relay waits for the answer, so waiting here for
    /// deliveries that may go back to it could only stall both).
    pub fn nudge(&self) {
        self.wake.notify_one();
    }

    /// Wakes the relay when a write stored events and, with read-your-writes, waits until those
    /// for the other registers have been delivered: at most the configured wait, and not at
    /// all while deliveries fail. A write that stored none for them does not wait.
    pub async fn wake(&self, emitted: &Emitted) {
        if emitted.is_empty() {
            return;
        }
        self.wake.notify_one();
        let Some(flush) = &self.flush else {
            return;
        };
        let Some(newest) = emitted.newest_of(&flush.topics) else {
            return;
        };
        if flush.delivered.borrow().is_none() {
            return;
        }
        let mut delivered = flush.delivered.clone();
        let _ = tokio::time::timeout(
            flush.wait,
            delivered.wait_for(|through| through.is_none_or(|t| t >= newest)),
        )
        .await;
    }
}
