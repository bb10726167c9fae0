//! What a register is to the shared machinery: its state (database, peers, relay, who listens
//! outside) and what it answers the other registers. The generic handlers (`crud`, `internal`)
//! need nothing else of it.

use std::future::Future;

use serde_json::Value;

use crate::db::{Db, DbConnection};
use crate::events::{Batch, Waker};
use crate::outbound::Outside;
use crate::ApiResult;

/// What every register's state holds.
#[derive(Clone)]
pub struct Shared {
    pub db: Db,
    /// Reaches the other registers (reference checks, expand, remote filters).
    pub resolver: reference::Resolver,
    /// Wakes the register's event relay after a write.
    pub events: Waker,
    /// Whether systems outside the registers listen to its writes.
    pub outside: Outside,
}

/// A register's state, as the generic handlers use it.
pub trait RegisterState: Clone + Send + Sync + 'static {
    const REGISTER: reference::Register;

    fn shared(&self) -> &Shared;

    fn db(&self) -> &Db {
        &self.shared().db
    }

    /// Which of these objects of one of its resources (uuids as stored) the register has, for
    /// the other registers' reference checks.
    fn existing(
        conn: &mut DbConnection,
        resource: reference::Resource,
        uuids: &[String],
    ) -> ApiResult<Vec<String>>;

    /// Objects of one of its resources by uuid, as their detail GET shows them, for another
    /// register's `expand`; none for a resource it does not serve that way.
    fn objects(
        conn: &mut DbConnection,
        urls: &reference::ApiUrls,
        resource: reference::Resource,
        uuids: &[String],
    ) -> ApiResult<Vec<Value>>;

    /// Its current objects of `topic` after uuid `after`, as event payloads by uuid, for
    /// another register's resync; `None` for a topic it does not emit.
    fn snapshot(
        conn: &mut DbConnection,
        topic: &str,
        after: Option<&str>,
        limit: i64,
    ) -> ApiResult<Option<Vec<(String, Value)>>>;

    /// Applies a batch of another register's events (to its read models, or by following a
    /// delete), idempotently: a batch may come twice.
    fn receive(&self, batch: Batch) -> impl Future<Output = ApiResult<()>>;

    /// Called after a write committed: wakes the register's event relay.
    fn written(&self) -> impl Future<Output = ()> + Send {
        async move { self.shared().events.wake().await }
    }
}

/// The uuids among `$uuids` that a register's tables hold, for [`RegisterState::existing`]:
/// `existing_uuids!(conn, resource, uuids, { Partijen => partijen, ... })` with each table's
/// schema module in scope.
#[macro_export]
macro_rules! existing_uuids {
    ($conn:expr, $resource:expr, $uuids:expr, { $($variant:ident => $table:ident),* $(,)? }) => {{
        use diesel::prelude::*;
        match $resource {
            $(reference::Resource::$variant => $table::table
                .filter($table::uuid.eq_any($uuids))
                .select($table::uuid)
                .load::<String>($conn)?,)*
            _ => Vec::new(),
        }
    }};
}
