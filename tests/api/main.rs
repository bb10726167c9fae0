//! Black-box tests of the registers over HTTP, each against an app and a database of its own.
//! They follow the compatibility checklist of the behaviour notes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod bsn;
mod cascades;
mod cases;
mod compatibility;
mod contactgegevens;
mod digitaleadressen;
mod events;
mod filters;
mod gekend;
mod identificatoren;
mod internetaken;
mod klantcontacten;
mod logboek;
mod logs;
mod outage;
mod partijen;
mod processes;
mod protocol;
mod readmodels;
mod relaties;
mod sagas;
mod scopes;
