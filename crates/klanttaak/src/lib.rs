//! The klanttaak register: internetaken, the follow-up work a klantcontact leads to (call back,
//! answer, route to another team).
//!
//! Its own crate, database and migrations. A task's klantcontact and actoren live in the
//! klantcontacten register and are kept as references (uuids), never as foreign keys; that
//! register learns of the tasks through this one's events (`klantcontact.leiddeTotInterneTaken`).

mod cascade;
mod internetaken;
mod models;
mod schema;
mod snapshot;

use actix_web::web;
use platform::db::{DbConnection, Migrations};
use platform::events::Batch;
use platform::register::{RegisterState, Shared};
use platform::ApiResult;
use reference::{ApiUrls, Resource};
use serde_json::Value;

pub const MIGRATIONS: Migrations =
    platform::migrations!("migrations/postgres", "migrations/sqlite");

/// The resources this register serves under `/klantinteracties/api/v1`.
pub const RESOURCES: [&str; 1] = ["internetaken"];

/// The register's state, shared by its handlers.
#[derive(Clone)]
pub struct Register {
    pub shared: Shared,
}

impl RegisterState for Register {
    const REGISTER: reference::Register = reference::Register::Klanttaak;

    fn shared(&self) -> &Shared {
        &self.shared
    }

    fn existing(
        conn: &mut DbConnection,
        resource: Resource,
        uuids: &[String],
    ) -> ApiResult<Vec<String>> {
        use schema::*;
        Ok(platform::existing_uuids!(conn, resource, uuids, {
            Internetaken => internetaken,
        }))
    }

    fn objects(
        conn: &mut DbConnection,
        urls: &ApiUrls,
        resource: Resource,
        uuids: &[String],
    ) -> ApiResult<Vec<Value>> {
        use schema::*;
        Ok(platform::objects_by_uuid!(conn, urls, resource, uuids, {
            Internetaken => (internetaken, crate::internetaken::Internetaken),
        }))
    }

    fn snapshot(
        conn: &mut DbConnection,
        topic: &str,
        after: Option<&str>,
        limit: i64,
    ) -> ApiResult<Option<Vec<(String, Value)>>> {
        snapshot::snapshot(conn, topic, after, limit)
    }

    async fn receive(&self, batch: Batch) -> ApiResult<()> {
        cascade::receive(self, batch).await
    }
}

/// Adds the register's routes to the API scope.
pub fn configure(register: Register) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(register));
        platform::crud_resource!(cfg, "/internetaken", internetaken::Internetaken);
    }
}
