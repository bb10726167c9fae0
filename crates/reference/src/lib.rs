//! Cross-register references.
//!
//! A relation that crosses a register boundary is never a foreign key: it is stored as the
//! referenced object's uuid and shown as the reference object `{uuid, url}`. This crate owns
//! that shape, the URLs of every register's resources (always absolute, under the base URL the
//! client reached us on), and the four-part identificator value type that partijen are looked
//! up by.

mod identificator;
pub mod internal;
mod resolver;
mod trace;
mod urls;

pub use identificator::{
    validate_object_id, CodeObjecttype, CodeRegister, CodeSoortObjectId, Identificator,
    IdentificatorError,
};
/// The method of a call to another register's API ([`Resolver::api`]).
pub use reqwest::Method;
pub use resolver::{
    ResolveError, Resolver, SearchError, CLIENT_IDLE, KEEP_ALIVE, REMOTE_FILTER_BOUND,
};
pub use trace::{TraceContext, ACTIVITY_HEADER};
pub use urls::{uuid_from_url, ApiUrls, Register, Resource, API_PATH};

use serde::Serialize;
use uuid::Uuid;

/// The reference object every relation is written and read as: `{"uuid": …, "url": …}`.
/// Only `uuid` is read on input; `url` is built on output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    pub uuid: Uuid,
    pub url: String,
}

impl Reference {
    pub fn new(urls: &ApiUrls, resource: Resource, uuid: Uuid) -> Self {
        Self {
            uuid,
            url: urls.object(resource, uuid),
        }
    }
}
