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
use platform::db::Migrations;
use platform::register::Shared;

pub const MIGRATIONS: Migrations =
    platform::migrations!("migrations/postgres", "migrations/sqlite");

/// The resources this register serves under `/klantinteracties/api/v1`.
pub const RESOURCES: [&str; 1] = ["internetaken"];

/// The register's state, shared by its handlers.
#[derive(Clone)]
pub struct Register {
    pub shared: Shared,
}

platform::register_state! {
    Register: Klanttaak,
    existing: { Internetaken => internetaken },
    objects: { Internetaken => (internetaken, crate::internetaken::Internetaken) },
    snapshot: (reference::internal::InternetaakEvent, snapshot::snapshot),
    receive: cascade::receive,
}

/// Adds the register's routes to the API scope.
pub fn configure(register: Register) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(register));
        platform::crud_resource!(cfg, "/internetaken", internetaken::Internetaken);
    }
}
