//! What every register needs at its HTTP edge and below it, in parts (ARCHITECTURE.md draws
//! them; a lower part never uses a higher one):
//!
//! - the API edge: [`http`] (auth, `API-version`, `Allow`, 404/405/406/415), [`auth`] (hashed
//!   tokens, scopes), [`bsn`] (who may see and use a BSN), [`error`] (the problem format with `invalidParams`), [`json`], [`input`]
//!   and [`values`] (bodies read field by field), [`query`] and [`pagination`], [`time`];
//! - the store: [`db`] (diesel on PostgreSQL or SQLite, pools, migrations, a lost database),
//!   [`statement`] (prepared statements in SQL), [`idempotency`];
//! - events: [`events`] (the outbox and its relay), [`outbound`] (what goes out, shaped),
//!   [`resync`] (rebuilding a read model);
//! - history: [`audit`], [`logboek`] (Logboek Dataverwerkingen);
//! - resources: [`register`] (what a register is to the machinery), [`crud`] (the handlers of
//!   every resource), [`internal`] (the endpoints between registers);
//! - operations: [`health`], [`metrics`], [`telemetry`].

pub mod audit;
pub mod auth;
pub mod bsn;
pub mod crud;
pub mod db;
pub mod error;
pub mod events;
pub mod health;
pub mod http;
pub mod idempotency;
pub mod input;
pub mod internal;
pub mod json;
pub mod logboek;
pub mod metrics;
pub mod outbound;
pub mod pagination;
pub mod query;
pub mod register;
pub mod resync;
pub mod statement;
pub mod telemetry;
pub mod time;
pub mod values;

pub use error::{ApiError, ApiResult, InvalidParam};
