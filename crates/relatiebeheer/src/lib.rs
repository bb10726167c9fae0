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
mod events;
mod identificatoren;
mod lookup;
mod models;
mod partijen;
mod readmodel;
mod rekeningnummers;
mod schema;
mod snapshot;
mod vertegenwoordigingen;
mod views;

use actix_web::web;
use platform::db::Migrations;
use platform::register::Shared;

/// The register's migrations, per backend.
pub const MIGRATIONS: Migrations =
    platform::migrations!("migrations/postgres", "migrations/sqlite");

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
    pub shared: Shared,
}

platform::register_state! {
    Register: Relatiebeheer,
    existing: {
        Partijen => partijen,
        PartijIdentificatoren => partij_identificatoren,
        Digitaleadressen => digitale_adressen,
        Rekeningnummers => rekeningnummers,
        Vertegenwoordigingen => vertegenwoordigingen,
        Categorieen => categorieen,
        CategorieRelaties => categorie_relaties,
    },
    objects: {
        Partijen => (partijen, crate::partijen::Partijen),
        Digitaleadressen => (digitale_adressen, crate::digitaleadressen::DigitaleAdressen),
    },
    snapshot: (reference::internal::DigitaalAdresEvent, snapshot::snapshot),
    receive: readmodel::receive,
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

/// Rebuilding the read model this register keeps of the other's objects.
pub use readmodel::{apply as apply_events, sweep as sweep_read_model};
