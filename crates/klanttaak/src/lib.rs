//! The klanttaak register: internetaken, the follow-up work a klantcontact leads to (call back,
//! answer, route to another team).
//!
//! Its own crate, database and migrations. A task's klantcontact and actoren live in the
//! klantcontacten register and are kept as references (uuids), never as foreign keys; that
//! register learns of the tasks through this one's events (`klantcontact.leiddeTotInterneTaken`).

mod cascade;
mod internetaken;
mod models;
mod objects;
mod schema;
mod snapshot;

use actix_web::web;
use platform::db::{Db, Migrations};

pub const MIGRATIONS: Migrations = Migrations {
    postgres: || POSTGRES,
    sqlite: || SQLITE,
};
const POSTGRES: diesel_migrations::EmbeddedMigrations =
    diesel_migrations::embed_migrations!("migrations/postgres");
const SQLITE: diesel_migrations::EmbeddedMigrations =
    diesel_migrations::embed_migrations!("migrations/sqlite");

/// The resources this register serves under `/klantinteracties/api/v1`.
pub const RESOURCES: [&str; 1] = ["internetaken"];

/// The register's state, shared by its handlers.
#[derive(Clone)]
pub struct Register {
    pub db: Db,
    /// Checks references into the other registers.
    pub resolver: reference::Resolver,
    /// Wakes the register's event relay after a write.
    pub events: platform::events::Waker,
}

impl platform::crud::RegisterState for Register {
    fn db(&self) -> &Db {
        &self.db
    }

    fn existing(
        conn: &mut platform::db::DbConnection,
        resource: reference::Resource,
        uuids: &[String],
    ) -> platform::ApiResult<Vec<String>> {
        use schema::*;
        Ok(platform::existing_uuids!(conn, resource, uuids, {
            Internetaken => internetaken,
        }))
    }

    async fn written(&self) {
        self.events.wake().await;
    }
}

/// Adds the register's routes to the API scope.
pub fn configure(register: Register) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(register));
        platform::crud_resource!(cfg, "/internetaken", internetaken::Internetaken);
    }
}

/// The path under `/_internal` where the other registers fetch full objects for `expand`.
pub const OBJECTS_PATH: &str = "/objects-klanttaak";

/// The path under `/_internal` where the other registers check the objects their writes refer
/// to.
pub const EXISTS_PATH: &str = "/exists-klanttaak";

/// The path under `/_internal` where the klantcontacten register delivers its events.
pub const EVENTS_PATH: &str = "/events-klanttaak";

/// The path under `/_internal` where a resync reads this register's objects.
pub const SNAPSHOT_PATH: &str = "/snapshot-klanttaak";

pub use snapshot::snapshot;

/// Adds the internal endpoints to the `/_internal` scope.
pub fn configure_internal(register: Register) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(register));
        cfg.route(EVENTS_PATH, web::post().to(cascade::receive));
        cfg.route(OBJECTS_PATH, web::post().to(objects::objects));
        cfg.route(
            EXISTS_PATH,
            web::post().to(platform::crud::exists::<Register>),
        );
        cfg.route(SNAPSHOT_PATH, web::post().to(snapshot::serve));
    }
}
