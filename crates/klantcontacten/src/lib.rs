//! The klantcontacten register: every contact with a customer (klantcontacten), who took part
//! (betrokkenen), what it was about (onderwerpobjecten), its attachments (bijlagen) and the
//! municipality's actors (actoren, actorklantcontacten), plus `maak-klantcontact`.
//!
//! Its own crate, database and migrations. A betrokkene's partij lives in the relatiebeheer
//! register and is kept as a reference (its uuid), never as a foreign key.

mod actoren;
mod actorklantcontacten;
mod betrokkenen;
mod bijlagen;
mod klantcontacten;
mod lookup;
mod maak;
mod models;
mod objects;
mod onderwerpobjecten;
mod readmodel;
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
pub const RESOURCES: [&str; 6] = [
    "klantcontacten",
    "betrokkenen",
    "onderwerpobjecten",
    "bijlagen",
    "actoren",
    "actorklantcontacten",
];

/// Its POST-only actions.
pub const ACTIONS: [&str; 1] = ["maak-klantcontact"];

/// The register's state, shared by its handlers.
#[derive(Clone)]
pub struct Register {
    pub db: Db,
    /// Checks references into the other registers.
    pub resolver: reference::Resolver,
    /// Wakes the register's event relay after a write.
    pub events: platform::events::Waker,
    /// When a change to a klantcontact is a correction that needs a reason.
    pub corrections: Corrections,
}

/// A klantcontact is in principle not changed: it may be supplemented freely for a while after
/// it was registered (a dropped call that resumes, a colleague adding the answer), after that a
/// change or delete is a correction and needs an `X-Audit-Toelichting`. `Off` is Open Klant's
/// behaviour: any change, any time, no reason asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corrections {
    Off,
    After(time::Duration),
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
            Klantcontacten => klantcontacten,
            Betrokkenen => betrokkenen,
            Onderwerpobjecten => onderwerpobjecten,
            Bijlagen => bijlagen,
            Actoren => actoren,
            Actorklantcontacten => actorklantcontacten,
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
        platform::crud_resource!(cfg, "/klantcontacten", klantcontacten::Klantcontacten);
        platform::crud_resource!(cfg, "/betrokkenen", betrokkenen::Betrokkenen);
        platform::crud_resource!(
            cfg,
            "/onderwerpobjecten",
            onderwerpobjecten::Onderwerpobjecten
        );
        platform::crud_resource!(cfg, "/bijlagen", bijlagen::Bijlagen);
        platform::crud_resource!(cfg, "/actoren", actoren::Actoren);
        platform::crud_resource!(
            cfg,
            "/actorklantcontacten",
            actorklantcontacten::ActorKlantcontacten
        );
        cfg.service(
            web::resource("/maak-klantcontact")
                .route(web::post().to(maak::create))
                .route(web::method(actix_web::http::Method::OPTIONS).to(platform::http::options))
                .default_service(web::to(platform::http::method_not_allowed)),
        );
    }
}

/// The path under `/_internal` where the other register fetches full objects for `expand`.
pub const OBJECTS_PATH: &str = "/objects-klantcontacten";

/// The path under `/_internal` where the other registers check the objects their writes refer
/// to.
pub const EXISTS_PATH: &str = "/exists-klantcontacten";

/// The path under `/_internal` where the other register delivers its events to this one.
pub const EVENTS_PATH: &str = "/events-klantcontacten";

/// The path under `/_internal` where a resync reads this register's objects.
pub const SNAPSHOT_PATH: &str = "/snapshot-klantcontacten";

/// Rebuilding the read models this register keeps of the others' objects.
pub use readmodel::{apply as apply_events, sweep_adressen, sweep_internetaken};
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
