//! The registers this process serves, each with its state, and where their routes go: the API
//! scope, the Contactgegevens scope and `/_internal`.

use std::collections::HashMap;

use actix_web::web;
use platform::db::Db;
use platform::events::Relay;
use platform::logboek::Logboeken;
use platform::outbound::Outside;
use platform::register::Shared;
use reference::internal::Endpoint;
use reference::{Register, Resolver};

use crate::Settings;

/// The state of every register served here (`None`: served by another process).
#[derive(Clone)]
pub struct Registers {
    relatiebeheer: Option<relatiebeheer::Register>,
    klantcontacten: Option<klantcontacten::Register>,
    klanttaak: Option<klanttaak::Register>,
}

impl Registers {
    pub fn new(
        settings: &Settings,
        dbs: &HashMap<Register, Db>,
        relays: &HashMap<Register, Relay>,
        resolver: &Resolver,
        outside: Outside,
        logboeken: &Logboeken,
    ) -> Self {
        let shared = |register: Register| {
            Some(Shared {
                db: dbs.get(&register).cloned()?,
                resolver: resolver.clone(),
                events: relays.get(&register).map(Relay::waker)?,
                outside,
                logboek: logboeken.of(register)?.1.clone(),
            })
        };
        let corrections = if settings.klantcontact_reason_required {
            let hours = i64::try_from(settings.klantcontact_grace_hours).unwrap_or(i64::MAX / 3600);
            klantcontacten::Corrections::After(time::Duration::hours(hours))
        } else {
            klantcontacten::Corrections::Off
        };
        Self {
            relatiebeheer: shared(Register::Relatiebeheer)
                .map(|shared| relatiebeheer::Register { shared }),
            klantcontacten: shared(Register::Klantcontacten).map(|shared| {
                klantcontacten::Register {
                    shared,
                    corrections,
                }
            }),
            klanttaak: shared(Register::Klanttaak).map(|shared| klanttaak::Register { shared }),
        }
    }

    /// Their resources and actions, under the API scope.
    pub fn api(&self, cfg: &mut web::ServiceConfig) {
        if let Some(register) = self.relatiebeheer.clone() {
            relatiebeheer::configure(register)(cfg);
        }
        if let Some(register) = self.klantcontacten.clone() {
            klantcontacten::configure(register)(cfg);
        }
        if let Some(register) = self.klanttaak.clone() {
            klanttaak::configure(register)(cfg);
        }
    }

    /// The Contactgegevens API, when relatiebeheer is served here.
    pub fn contactgegevens(&self, cfg: &mut web::ServiceConfig) {
        if let Some(register) = self.relatiebeheer.clone() {
            relatiebeheer::configure_contactgegevens(register)(cfg);
        }
    }

    /// Their endpoints for the other registers, under `/_internal`.
    pub fn internal(&self, cfg: &mut web::ServiceConfig) {
        if let Some(register) = self.relatiebeheer.clone() {
            platform::internal::configure(register)(cfg);
        }
        if let Some(register) = self.klantcontacten.clone() {
            platform::internal::configure(register)(cfg);
        }
        if let Some(register) = self.klanttaak.clone() {
            platform::internal::configure(register)(cfg);
        }
    }
}

/// The internal endpoints of `served`, as the edge lists them (without their leading `/`).
pub fn internal_paths(served: &[Register]) -> Vec<&'static str> {
    served
        .iter()
        .flat_map(|r| Endpoint::ALL.map(|e| &e.path(*r)[1..]))
        .collect()
}
