//! What a register is to the shared machinery: its state (database, peers, relay, who listens
//! outside) and what it answers the other registers. The generic handlers (`crud`, `internal`)
//! need nothing else of it.

use std::future::Future;

use serde_json::Value;

use crate::db::{Db, DbConnection};
use crate::events::{Batch, Emitted, Waker};
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
    /// Where its processings of persons' data are recorded.
    pub logboek: crate::logboek::Logboek,
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

    /// Runs a write's unit of work in one transaction; once it committed, wakes the relay and
    /// waits for the events it stored for the other registers ([`RegisterState::written`]).
    fn write<T, F>(&self, work: F) -> impl Future<Output = ApiResult<T>> + Send
    where
        F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        async move {
            let (value, emitted) = self
                .db()
                .write(move |conn| {
                    let (outcome, emitted) = crate::events::recording(conn, work);
                    outcome.map(|value| (value, emitted))
                })
                .await?;
            self.written(&emitted).await;
            Ok(value)
        }
    }

    /// Called after a write committed with the events it stored: wakes the register's event
    /// relay (and waits for those events to reach the other registers, see [`Waker::wake`]).
    fn written(&self, emitted: &Emitted) -> impl Future<Output = ()> + Send {
        async move { self.shared().events.wake(emitted).await }
    }
}

/// Implements [`RegisterState`] for a register's state (a struct with a `shared: Shared`
/// field) from what the register declares, with its schema module `crate::schema`:
///
/// ```ignore
/// platform::register_state! {
///     Register: Relatiebeheer,
///     // the tables another register's references are checked against
///     existing: { Partijen => partijen, Digitaleadressen => digitale_adressen },
///     // the resources rendered for another register's `expand`
///     objects: { Partijen => (partijen, crate::partijen::Partijen) },
///     // the objects another register keeps a read model of, as their events, for a resync:
///     // `fn(conn, after_uuid, limit) -> ApiResult<Vec<(uuid, Event)>>`
///     snapshot: (DigitaalAdresEvent, snapshot::snapshot),
///     // what it does with another register's events
///     receive: readmodel::receive,
/// }
/// ```
#[macro_export]
// `crate::schema` is the register's (the calling crate's) schema, on purpose.
#[allow(clippy::crate_in_macro_def)]
macro_rules! register_state {
    (
        $state:ty: $register:ident,
        existing: { $($existing:ident => $existing_table:ident),* $(,)? },
        objects: { $($object:ident => ($object_table:ident, $crud:ty)),* $(,)? },
        snapshot: ($topic:ty, $snapshot:path),
        receive: $receive:path $(,)?
    ) => {
        impl $crate::register::RegisterState for $state {
            const REGISTER: reference::Register = reference::Register::$register;

            fn shared(&self) -> &$crate::register::Shared {
                &self.shared
            }

            fn existing(
                conn: &mut $crate::db::DbConnection,
                resource: reference::Resource,
                uuids: &[String],
            ) -> $crate::ApiResult<Vec<String>> {
                use diesel::prelude::*;
                #[allow(unused_imports)]
                use crate::schema::*;
                Ok(match resource {
                    $(reference::Resource::$existing => $existing_table::table
                        .filter($existing_table::uuid.eq_any(uuids))
                        .select($existing_table::uuid)
                        .load::<String>(conn)?,)*
                    _ => Vec::new(),
                })
            }

            fn objects(
                conn: &mut $crate::db::DbConnection,
                urls: &reference::ApiUrls,
                resource: reference::Resource,
                uuids: &[String],
            ) -> $crate::ApiResult<Vec<serde_json::Value>> {
                use diesel::prelude::*;
                #[allow(unused_imports)]
                use crate::schema::*;
                Ok(match resource {
                    $(reference::Resource::$object => {
                        let rows = $object_table::table
                            .filter($object_table::uuid.eq_any(uuids))
                            .select(<<$crud as $crate::crud::Crud>::Row>::as_select())
                            .load(conn)?;
                        $crate::crud::render_values::<$crud>(conn, urls, &rows)?
                    })*
                    _ => Vec::new(),
                })
            }

            fn snapshot(
                conn: &mut $crate::db::DbConnection,
                topic: &str,
                after: Option<&str>,
                limit: i64,
            ) -> $crate::ApiResult<Option<Vec<(String, serde_json::Value)>>> {
                use reference::internal::Topic;
                if topic != <$topic>::TOPIC {
                    return Ok(None);
                }
                let objects = $snapshot(conn, after.unwrap_or(""), limit)?;
                Ok(Some(
                    objects
                        .into_iter()
                        .map(|(uuid, event)| (uuid, $crate::events::payload(&event)))
                        .collect(),
                ))
            }

            async fn receive(&self, batch: $crate::events::Batch) -> $crate::ApiResult<()> {
                $receive(self, batch).await
            }
        }
    };
}
