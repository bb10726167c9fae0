//! The outbox: an event is stored in the transaction of the write it tells of, so it exists
//! exactly when the write committed; delivered events are pruned.

use std::cell::RefCell;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::Value;

use crate::db::DbConnection;
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

/// Advisory lock keys (per database, so one value serves every register).
const ORDER_LOCK: i64 = 0x6b69_6f75_7462_6f78; // emitting transactions, one at a time

thread_local! {
    /// The unit of work running on this thread under [`recording`]: its events, written when
    /// it ends.
    static UNIT: RefCell<Option<Vec<Pending>>> = const { RefCell::new(None) };
}

/// An event waiting for the end of its unit of work.
struct Pending {
    topic: String,
    uuid: String,
    payload: String,
}

/// The events a unit of work stored: (topic, id).
#[derive(Debug, Default, Clone)]
pub struct Emitted(Vec<(String, i64)>);

impl Emitted {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The newest of them among `topics`, if any.
    pub fn newest_of(&self, topics: &[&str]) -> Option<i64> {
        self.0
            .iter()
            .filter(|(topic, _)| topics.contains(&topic.as_str()))
            .map(|(_, id)| *id)
            .max()
    }
}

/// Runs a unit of work (in its transaction, on the calling thread) and writes the events it
/// emitted at its end, in the order emitted; tells which they were, so its write can wait for
/// exactly those to reach the other registers. Written last, the events' ids are handed out
/// just before the commit: the lock that keeps ids visible in order (see [`emit`]) is held for
/// that moment only, not for the whole unit of work.
pub fn recording<T>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> ApiResult<T>,
) -> (ApiResult<T>, Emitted) {
    UNIT.with(|u| *u.borrow_mut() = Some(Vec::new()));
    let outcome = work(conn);
    let pending = UNIT.with(|u| u.borrow_mut().take()).unwrap_or_default();
    let mut emitted = Emitted::default();
    let outcome = outcome.and_then(|value| {
        for event in pending {
            let id = insert(conn, &event.topic, &event.uuid, &event.payload)?;
            emitted.0.push((event.topic, id));
        }
        Ok(value)
    });
    (outcome, emitted)
}

/// Stores the event of object `uuid` in the caller's transaction (at the end of its unit of
/// work, when it runs under [`recording`]).
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
    let pending = Pending {
        topic: topic.to_owned(),
        uuid: uuid.to_owned(),
        payload: payload.to_string(),
    };
    let pending = UNIT.with(|u| match u.borrow_mut().as_mut() {
        Some(unit) => {
            unit.push(pending);
            None
        }
        None => Some(pending),
    });
    if let Some(event) = pending {
        insert(conn, &event.topic, &event.uuid, &event.payload)?;
    }
    Ok(())
}

/// Writes an event; answers its id. On PostgreSQL the first one of a transaction takes a lock
/// held until commit, so that ids become visible in the order they were handed out (a reader
/// never sees id 11 while 10 may still commit).
fn insert(conn: &mut DbConnection, topic: &str, uuid: &str, payload: &str) -> ApiResult<i64> {
    if let DbConnection::Pg(pg) = conn {
        pg.batch_execute(&format!("SELECT pg_advisory_xact_lock({ORDER_LOCK})"))?;
    }
    Ok(diesel::insert_into(outbox::table)
        .values((
            outbox::topic.eq(topic),
            outbox::object_uuid.eq(uuid),
            outbox::payload.eq(payload),
            outbox::created_at.eq(crate::time::now()),
        ))
        .returning(outbox::id)
        .get_result(conn)?)
}

/// The newest event's id (0 when there is none): how far the outbox has come.
pub fn watermark(conn: &mut DbConnection) -> ApiResult<i64> {
    let newest: Option<i64> = outbox::table
        .select(diesel::dsl::max(outbox::id))
        .first(conn)?;
    Ok(newest.unwrap_or(0))
}

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

/// Moves a subscriber's cursor (in the caller's transaction). It is not waited for to reach
/// the disk: after a database crash a cursor may be a little behind, and the events after it
/// are delivered again (receivers apply them idempotently).
pub(super) fn advance(conn: &mut DbConnection, subscriber: &str, last: i64) -> ApiResult<()> {
    if let DbConnection::Pg(pg) = conn {
        pg.batch_execute("SET LOCAL synchronous_commit = off")?;
    }
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
