//! The transactional outbox and its relay.
//!
//! A write that others must hear about stores an event in the same transaction (`emit`), so an
//! event exists exactly when its write committed. A relay per register delivers the events, in
//! order, to each subscriber (another register's read model, later webhooks) and remembers per
//! subscriber how far it got; after a failure it retries with backoff, and after a restart it
//! goes on where it was. Delivery is at least once: receivers apply events idempotently, by
//! event id.

use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::Notify;

use crate::db::{Db, DbConnection};
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

/// One event as delivered.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Event {
    pub id: i64,
    pub topic: String,
    pub uuid: String,
    pub payload: Value,
}

/// A batch of events, oldest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Batch {
    pub events: Vec<Event>,
}

/// Stores an event in the caller's transaction.
pub fn emit(conn: &mut DbConnection, topic: &str, uuid: &str, payload: &Value) -> ApiResult<()> {
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

/// Where a relay delivers: a URL that takes a [`Batch`] by POST, and the topics it wants.
#[derive(Debug, Clone)]
pub struct Subscriber {
    pub name: String,
    pub url: String,
    pub topics: Vec<&'static str>,
}

/// Delivers a register's outbox to its subscribers.
#[derive(Clone)]
pub struct Relay {
    db: Db,
    subscribers: Vec<Subscriber>,
    client: reqwest::Client,
    token: String,
    wake: Arc<Notify>,
}

/// Events per delivery.
const BATCH: i64 = 200;

impl Relay {
    pub fn new(db: Db, subscribers: Vec<Subscriber>, token: String) -> Self {
        Self {
            db,
            subscribers,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
            token,
            wake: Arc::new(Notify::new()),
        }
    }

    /// What a write calls after it committed, so its events go out right away.
    pub fn waker(&self) -> Waker {
        Waker(Arc::clone(&self.wake))
    }

    /// Delivers until the process ends: at once when woken, else every second (for retries).
    pub async fn run(self) {
        if self.subscribers.is_empty() {
            return;
        }
        let mut backoff = vec![Duration::ZERO; self.subscribers.len()];
        let mut not_before = vec![tokio::time::Instant::now(); self.subscribers.len()];
        loop {
            for (i, subscriber) in self.subscribers.iter().enumerate() {
                if tokio::time::Instant::now() < not_before[i] {
                    continue;
                }
                match self.deliver(subscriber).await {
                    Ok(more) => {
                        backoff[i] = Duration::ZERO;
                        if more {
                            self.wake.notify_one();
                        }
                    }
                    Err(error) => {
                        backoff[i] = (backoff[i] * 2)
                            .clamp(Duration::from_millis(250), Duration::from_secs(30));
                        not_before[i] = tokio::time::Instant::now() + backoff[i];
                        tracing::warn!(subscriber = %subscriber.name, error = %error, retry_in_ms = backoff[i].as_millis() as u64, "event delivery failed");
                    }
                }
            }
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    }

    /// Delivers the next batch to one subscriber; `true` when more may be waiting.
    async fn deliver(&self, subscriber: &Subscriber) -> anyhow::Result<bool> {
        let name = subscriber.name.clone();
        let topics: Vec<String> = subscriber.topics.iter().map(|t| (*t).to_owned()).collect();
        let events = self
            .db
            .read(move |conn| {
                let last: Option<i64> = outbox_cursors::table
                    .find(&name)
                    .select(outbox_cursors::last_id)
                    .first(conn)
                    .optional()?;
                let rows: Vec<(i64, String, String, String)> = outbox::table
                    .filter(outbox::id.gt(last.unwrap_or(0)))
                    .filter(outbox::topic.eq_any(&topics))
                    .order(outbox::id)
                    .limit(BATCH)
                    .select((
                        outbox::id,
                        outbox::topic,
                        outbox::object_uuid,
                        outbox::payload,
                    ))
                    .load(conn)?;
                Ok(rows)
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let Some(last) = events.last().map(|e| e.0) else {
            return Ok(false);
        };
        let count = events.len();
        let batch = Batch {
            events: events
                .into_iter()
                .map(|(id, topic, uuid, payload)| Event {
                    id,
                    topic,
                    uuid,
                    payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
                })
                .collect(),
        };
        let response = self
            .client
            .post(&subscriber.url)
            .header("Authorization", format!("Token {}", self.token))
            .json(&batch)
            .send()
            .await?;
        anyhow::ensure!(
            response.status().is_success(),
            "{} answered {}",
            subscriber.url,
            response.status()
        );
        let name = subscriber.name.clone();
        self.db
            .write(move |conn| advance(conn, &name, last))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        tracing::debug!(subscriber = %subscriber.name, events = count, "events delivered");
        Ok(count as i64 == BATCH)
    }
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

/// Wakes a relay after a write committed.
#[derive(Clone, Default)]
pub struct Waker(Arc<Notify>);

impl Waker {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}
