//! What the relays have not delivered yet, for operators (`/_healthz/events`).

use diesel::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::ApiResult;

use super::outbox::{outbox, outbox_cursors};
use super::relay::Relay;

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
        let subscribers = self.subscriber_topics();
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
