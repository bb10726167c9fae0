//! The relatiebeheer register: partijen (persoon, organisatie, contactpersoon), their
//! identificatoren, digitale adressen, rekeningnummers, vertegenwoordigingen and categorieen, and
//! the small Contactgegevens API.
//!
//! Its own crate, database and migrations. Relations inside the register are foreign keys; the
//! one relation that leaves it (`digitaalAdres.verstrektDoorBetrokkene`, a betrokkene in the
//! klantcontacten register) is stored as a uuid and shown as a reference.

mod categorieen;
pub mod contactgegevens;
mod digitaleadressen;
mod identificatoren;
mod lookup;
mod models;
mod objects;
mod partijen;
mod readmodel;
mod rekeningnummers;
mod schema;
mod snapshot;
mod vertegenwoordigingen;
mod views;

use actix_web::web;
use platform::db::{Db, Migrations};

/// The register's migrations, per backend.
pub const MIGRATIONS: Migrations = Migrations {
    postgres: || POSTGRES,
    sqlite: || SQLITE,
};
const POSTGRES: diesel_migrations::EmbeddedMigrations =
    diesel_migrations::embed_migrations!("migrations/postgres");
const SQLITE: diesel_migrations::EmbeddedMigrations =
    diesel_migrations::embed_migrations!("migrations/sqlite");

/// The resources this register serves under `/klantinteracties/api/v1`.
pub const RESOURCES: [&str; 7] = [
    "partijen",
    "partij-identificatoren",
    "digitaleadressen",
    "rekeningnummers",
    "vertegenwoordigingen",
    "categorieen",
    "categorie-relaties",
];

/// The resources it serves under `/contactgegevens/api/v1`.
pub const CONTACTGEGEVENS_RESOURCES: [&str; 2] = ["persoon", "organisatie"];

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
            Partijen => partijen,
            PartijIdentificatoren => partij_identificatoren,
            Digitaleadressen => digitale_adressen,
            Rekeningnummers => rekeningnummers,
            Vertegenwoordigingen => vertegenwoordigingen,
            Categorieen => categorieen,
            CategorieRelaties => categorie_relaties,
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
        platform::crud_resource!(cfg, "/partijen", partijen::Partijen);
        platform::crud_resource!(
            cfg,
            "/partij-identificatoren",
            identificatoren::Identificatoren
        );
        platform::crud_resource!(cfg, "/digitaleadressen", digitaleadressen::DigitaleAdressen);
        platform::crud_resource!(cfg, "/rekeningnummers", rekeningnummers::Rekeningnummers);
        platform::crud_resource!(
            cfg,
            "/vertegenwoordigingen",
            vertegenwoordigingen::Vertegenwoordigingen
        );
        platform::crud_resource!(cfg, "/categorieen", categorieen::Categorieen);
        platform::crud_resource!(cfg, "/categorie-relaties", categorieen::CategorieRelaties);
    }
}

/// Adds the Contactgegevens API's routes to its own scope.
pub fn configure_contactgegevens(register: Register) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(register));
        platform::crud_resource!(cfg, "/persoon", contactgegevens::Personen);
        platform::crud_resource!(cfg, "/organisatie", contactgegevens::Organisaties);
    }
}

/// The path under `/_internal` where the other register fetches full objects for `expand`.
pub const OBJECTS_PATH: &str = "/objects-relatiebeheer";

/// The path under `/_internal` where the other registers check the objects their writes refer
/// to.
pub const EXISTS_PATH: &str = "/exists-relatiebeheer";

/// The path under `/_internal` where the other register delivers its events to this one.
pub const EVENTS_PATH: &str = "/events-relatiebeheer";

/// The path under `/_internal` where a resync reads this register's objects.
pub const SNAPSHOT_PATH: &str = "/snapshot-relatiebeheer";

/// Rebuilding the read model this register keeps of the other's objects.
pub use readmodel::{apply as apply_events, sweep as sweep_read_model};
pub use snapshot::snapshot;

/// Adds the internal endpoints (event delivery from the other register) to the `/_internal`
/// scope.
pub fn configure_internal(register: Register) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(register));
        cfg.route(EVENTS_PATH, web::post().to(readmodel::receive));
        cfg.route(OBJECTS_PATH, web::post().to(objects::objects));
        cfg.route(
            EXISTS_PATH,
            web::post().to(platform::crud::exists::<Register>),
        );
        cfg.route(SNAPSHOT_PATH, web::post().to(snapshot::serve));
    }
}
