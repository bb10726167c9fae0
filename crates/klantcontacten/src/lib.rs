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
mod gekend;
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
use platform::db::Migrations;
use platform::register::Shared;

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

/// Its handelingen on one object: `POST /betrokkenen/{uuid}/partij`.
pub const OBJECT_ACTIONS: [(&str, &str); 1] = [("betrokkenen", "partij")];

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

platform::register_state! {
    Register: Klantcontacten,
    existing: {
        Klantcontacten => klantcontacten,
        Betrokkenen => betrokkenen,
        Onderwerpobjecten => onderwerpobjecten,
        Bijlagen => bijlagen,
        Actoren => actoren,
        Actorklantcontacten => actorklantcontacten,
    },
    objects: {
        Betrokkenen => (betrokkenen, crate::betrokkenen::Betrokkenen),
        Klantcontacten => (klantcontacten, crate::klantcontacten::Klantcontacten),
    },
    snapshot: (reference::internal::BetrokkeneEvent, snapshot::snapshot),
    receive: cascade::receive,
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
            web::resource("/betrokkenen/{uuid}/partij")
                .route(web::post().to(gekend::create))
                .route(web::method(actix_web::http::Method::OPTIONS).to(platform::http::options))
                .default_service(web::to(platform::http::method_not_allowed)),
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
