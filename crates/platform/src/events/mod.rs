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
//!
//! - [`outbox`]: storing events with their writes, and pruning what everyone has;
//! - [`relay`]: delivering them, in order, per subscriber, with the [`Waker`] writes use;
//! - [`leadership`]: which replica delivers;
//! - [`delivery`]: the HTTP side of a delivery (registers, webhooks, a Notificaties API);
//! - [`external`]: the notificaties and zaak events written for systems outside;
//! - [`backlog`]: what is not delivered yet, for operators;
//! - [`readmodel`]: what a receiving register's read models use.

mod backlog;
mod delivery;
mod external;
mod leadership;
mod outbox;
mod readmodel;
mod relay;

pub use backlog::{backlog, Backlog, Relays};
pub use external::{notify, zaak_event};
pub(crate) use outbox::emit_payload;
pub use outbox::{emit, payload, prune, recording, watermark, Emitted};
pub use reference::internal::{Batch, Event};
pub use relay::{Relay, Subscriber, Target, Waker};
