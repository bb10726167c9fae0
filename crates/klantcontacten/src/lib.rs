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
mod cascade;
mod klantcontacten;
mod lookup;
mod maak;
mod models;
mod onderwerpobjecten;
mod readmodel;
mod remote;
mod schema;
mod snapshot;
mod views;

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
    pub shared: Shared,
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

impl RegisterState for Register {
    const REGISTER: reference::Register = reference::Register::Klantcontacten;

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
            Klantcontacten => klantcontacten,
            Betrokkenen => betrokkenen,
            Onderwerpobjecten => onderwerpobjecten,
            Bijlagen => bijlagen,
            Actoren => actoren,
            Actorklantcontacten => actorklantcontacten,
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
            Betrokkenen => (betrokkenen, crate::betrokkenen::Betrokkenen),
            Klantcontacten => (klantcontacten, crate::klantcontacten::Klantcontacten),
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

/// Rebuilding the read models this register keeps of the others' objects.
pub use readmodel::{apply as apply_events, sweep_adressen, sweep_internetaken};
