//! What every register needs at its HTTP edge and below it.
//!
//! - [`error`]: the problem format with `invalidParams`;
//! - [`json`], [`input`]: request bodies (camelCase or snake_case) read field by field;
//! - [`query`], [`pagination`]: filters, unknown-parameter rejection, pages;
//! - [`http`]: the API edge (auth, `API-version`, `Allow`, 404/405/406/415);
//! - [`auth`]: hashed tokens;
//! - [`db`]: diesel on PostgreSQL or SQLite, pools, migrations;
//! - [`health`], [`telemetry`], [`time`].

pub mod audit;
pub mod auth;
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
pub mod metrics;
pub mod outbound;
pub mod pagination;
pub mod query;
pub mod register;
pub mod resync;
pub mod telemetry;
pub mod time;
pub mod values;

pub use error::{ApiError, ApiResult, InvalidParam};
