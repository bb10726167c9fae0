//! The relay: a register's outbox delivered to each subscriber, in order, at least once, with
//! backoff after a failure; and the [`Waker`] a write wakes it with.

use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;
use serde_json::Value;
use tokio::sync::{watch, Notify};

use crate::db::{BackendKind, Db};

use super::leadership::Leadership;
use super::outbox::{advance, outbox, outbox_cursors, prune, Emitted};
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
    /// An external Logboek Dataverwerkingen: the records of a batch as one JSON array, with
    /// this `Authorization` header; a 2xx confirms them all.
    Logboek {
        url: String,
        authorization: Option<String>,
    },
}

impl Subscriber {
    /// Where it is, for logs (never the credentials).
    pub fn address(&self) -> &str {
        match &self.target {
            Target::Register { url }
            | Target::Webhook { url, .. }
            | Target::Logboek { url, .. } => url,
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

/// How often the subscribers' positions are written to their cursors. They are kept in memory
/// while a replica delivers; after a crash or a change of replica, what was delivered since the
/// last write goes out again (at least once: receivers apply events idempotently).
const CURSORS_EVERY: Duration = Duration::from_secs(1);

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
                .pool_idle_timeout(reference::CLIENT_IDLE)
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
        // What the cursors in the database say, and when they were last written.
        let mut persisted: Option<Vec<i64>> = None;
        let mut written = tokio::time::Instant::now();
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
            let at = match positions.take() {
                Some(at) => at,
                None => match self.cursors().await {
                    Ok(at) => {
                        persisted = Some(at.clone());
                        at
                    }
                    Err(error) => {
                        tracing::warn!(register = %self.register, error = %error, "reading the outbox failed");
                        through.iter_mut().for_each(|t| *t = None);
                        self.publish(&through);
                        tokio::time::sleep(MAX_BACKOFF).await;
                        continue;
                    }
                },
            };
            let now = tokio::time::Instant::now();
            let ready: Vec<bool> = not_before.iter().map(|t| now >= *t).collect();
            let at = positions.insert(at);
            match self.round(at, &ready).await {
                Ok((outcomes, more)) => {
                    for (i, outcome) in outcomes.into_iter().enumerate() {
                        match outcome {
                            None => {}
                            Some(Ok(())) => {
                                backoff[i] = Duration::ZERO;
                                through[i] = Some(at[i]);
                            }
                            Some(Err(error)) => {
                                through[i] = None;
                                backoff[i] =
                                    (backoff[i] * 2).clamp(Duration::from_millis(250), MAX_BACKOFF);
                                not_before[i] = tokio::time::Instant::now() + backoff[i];
                                let subscriber = &self.subscribers[i].name;
                                tracing::warn!(subscriber = %subscriber, error = %error, retry_in_ms = backoff[i].as_millis() as u64, "event delivery failed");
                            }
                        }
                    }
                    if more {
                        self.wake.notify_one();
                    }
                }
                Err(error) => {
                    tracing::warn!(register = %self.register, error = %error, "reading the outbox failed");
                    positions = None;
                    through.iter_mut().for_each(|t| *t = None);
                    self.publish(&through);
                    tokio::time::sleep(MAX_BACKOFF).await;
                    continue;
                }
            }
            self.publish(&through);
            if written.elapsed() >= CURSORS_EVERY {
                written = tokio::time::Instant::now();
                if let (Some(at), Some(known)) = (&positions, &mut persisted) {
                    if at != known && self.write_cursors(at, known).await.is_ok() {
                        known.clone_from(at);
                    }
                }
            }
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

    /// Each subscriber's cursor: how far it had everything it wants when this replica starts to
    /// deliver.
    async fn cursors(&self) -> anyhow::Result<Vec<i64>> {
        let names: Vec<String> = self.subscribers.iter().map(|s| s.name.clone()).collect();
        self.db
            .read(move |conn| {
                names
                    .iter()
                    .map(|name| {
                        Ok(outbox_cursors::table
                            .find(name)
                            .select(outbox_cursors::last_id)
                            .first(conn)
                            .optional()?
                            .unwrap_or(0))
                    })
                    .collect::<crate::ApiResult<_>>()
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// Writes the cursors that moved since `known`, in one transaction.
    async fn write_cursors(&self, at: &[i64], known: &[i64]) -> anyhow::Result<()> {
        let moved: Vec<(String, i64)> = self
            .subscribers
            .iter()
            .zip(at.iter().zip(known))
            .filter(|(_, (now, before))| now != before)
            .map(|(s, (now, _))| (s.name.clone(), *now))
            .collect();
        if moved.is_empty() {
            return Ok(());
        }
        self.db
            .write(move |conn| {
                moved
                    .iter()
                    .try_for_each(|(name, last)| advance(conn, name, *last))
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// On shutdown: delivers what is still waiting, for at most `wait`, so that what the last
    /// requests wrote is not left for the next start. (Nothing is lost either way: the outbox
    /// keeps it.)
    pub async fn drain(&self, wait: Duration) {
        let work = async {
            let Ok(mut at) = self.cursors().await else {
                return;
            };
            let known = at.clone();
            let ready = vec![true; self.subscribers.len()];
            while let Ok((outcomes, more)) = self.round(&mut at, &ready).await {
                if !more || outcomes.iter().flatten().any(Result::is_err) {
                    break;
                }
            }
            let _ = self.write_cursors(&at, &known).await;
        };
        if tokio::time::timeout(wait, work).await.is_err() {
            tracing::warn!(
                "shutting down with events still to deliver; they go out after the next start"
            );
        }
    }

    /// One round: the next events after the ready subscriber that is furthest behind, read in
    /// one statement (ids become visible in order, so nothing behind them is still to come),
    /// each ready subscriber sent those of its topics it does not have yet. `at` moves to where
    /// each subscriber has everything it wants. Answers each subscriber's outcome (`None`: not
    /// ready) and whether more events may be waiting.
    pub(super) async fn round(
        &self,
        at: &mut [i64],
        ready: &[bool],
    ) -> anyhow::Result<(Vec<Option<anyhow::Result<()>>>, bool)> {
        let Some(from) = at
            .iter()
            .zip(ready)
            .filter(|(_, r)| **r)
            .map(|(a, _)| *a)
            .min()
        else {
            return Ok((ready.iter().map(|_| None).collect(), false));
        };
        let rows = self
            .db
            .read(move |conn| {
                let rows: Vec<(i64, String, String, String, time::PrimitiveDateTime)> =
                    outbox::table
                        .filter(outbox::id.gt(from))
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
        let more = rows.len() as i64 == BATCH;
        let scanned = rows.last().map(|r| r.0);
        let events: Vec<(Event, time::PrimitiveDateTime)> = rows
            .into_iter()
            .map(|(id, topic, uuid, payload, created)| {
                let payload = serde_json::from_str(&payload).unwrap_or(Value::Null);
                let event = Event {
                    id,
                    topic,
                    uuid,
                    payload,
                };
                (event, created)
            })
            .collect();
        let mut outcomes = Vec::with_capacity(self.subscribers.len());
        for (i, subscriber) in self.subscribers.iter().enumerate() {
            if !ready[i] {
                outcomes.push(None);
                continue;
            }
            let wanted: Vec<&(Event, time::PrimitiveDateTime)> = events
                .iter()
                .filter(|(e, _)| e.id > at[i] && subscriber.topics.contains(&e.topic.as_str()))
                .collect();
            let outcome = self.deliver(subscriber, &wanted).await;
            match &outcome {
                Ok(()) => at[i] = at[i].max(scanned.unwrap_or(at[i])),
                Err((Some(went), _)) => at[i] = *went,
                Err((None, _)) => {}
            }
            outcomes.push(Some(outcome.map_err(|(_, e)| e)));
        }
        Ok((outcomes, more))
    }

    /// Sends one subscriber its events of a round. What went out is remembered even when a
    /// later event failed (`Err((Some(last sent), _))`).
    async fn deliver(
        &self,
        subscriber: &Subscriber,
        events: &[&(Event, time::PrimitiveDateTime)],
    ) -> Result<(), (Option<i64>, anyhow::Error)> {
        let Some((last, _)) = events.last().map(|(e, at)| (e.id, at)) else {
            return Ok(());
        };
        let batch = Batch {
            events: events.iter().map(|(e, _)| e.clone()).collect(),
        };
        let sent = self.send(subscriber, &batch).await;
        let went = match &sent {
            Ok(()) => Some(last),
            Err((went, _)) => *went,
        };
        let now = crate::time::now();
        for (_, at) in events.iter().filter(|(e, _)| Some(e.id) <= went) {
            let lag = (now - *at).as_seconds_f64().max(0.0);
            if let Some(metrics) = &self.metrics {
                metrics.delivered(&self.register, &subscriber.name, lag);
            }
        }
        tracing::debug!(subscriber = %subscriber.name, events = events.len(), "events delivered");
        sent
    }
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
