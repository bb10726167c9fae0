//! The list's filters: read from the query, completed by asking klantcontacten where they reach
//! into it, and turned into one query.

use diesel::prelude::*;
use platform::query::Query;
use platform::ApiResult;
use reference::Resource;
use serde_json::Value;
use time::PrimitiveDateTime;
use uuid::Uuid;

use super::STATUSSEN;
use crate::schema::{internetaak_actoren as ia, internetaken as t};
use crate::Register;

#[derive(Default, PartialEq)]
pub struct Filters {
    nummer: Option<String>,
    referentienummer: Option<String>,
    status: Option<String>,
    toegewezen_op: Option<PrimitiveDateTime>,
    klantcontact: Option<Uuid>,
    actor: Option<Uuid>,
    nothing: bool,
    /// Filters answered by the klantcontacten register: (its filter, its value, our name).
    remote_klantcontact: Vec<(String, String, &'static str)>,
    remote_actor_naam: Option<String>,
    klantcontact_in: Option<Vec<String>>,
    actor_in: Option<Vec<String>>,
}

pub type Boxed = t::BoxedQuery<'static, platform::db::MultiBackend>;

pub fn filtered(f: &Filters) -> Boxed {
    let mut q = t::table.into_boxed();
    if f.nothing {
        return q.filter(t::id.lt(0));
    }
    if let Some(v) = &f.nummer {
        q = q.filter(t::nummer.eq(v.clone()));
    }
    if let Some(v) = &f.referentienummer {
        q = q.filter(t::referentienummer.eq(v.clone()));
    }
    if let Some(v) = &f.status {
        q = q.filter(t::status.eq(v.clone()));
    }
    if let Some(v) = f.toegewezen_op {
        q = q.filter(t::toegewezen_op.eq(v));
    }
    if let Some(uuid) = f.klantcontact {
        q = q.filter(t::klantcontact_uuid.eq(uuid.to_string()));
    }
    if let Some(uuids) = &f.klantcontact_in {
        q = q.filter(t::klantcontact_uuid.eq_any(uuids.clone()));
    }
    if let Some(uuid) = f.actor {
        q = q.filter(
            t::id.eq_any(
                ia::table
                    .filter(ia::actor_uuid.eq(uuid.to_string()))
                    .select(ia::internetaak_id),
            ),
        );
    }
    if let Some(uuids) = &f.actor_in {
        q = q.filter(
            t::id.eq_any(
                ia::table
                    .filter(ia::actor_uuid.eq_any(uuids.clone()))
                    .select(ia::internetaak_id),
            ),
        );
    }
    q
}

/// The filters of a query.
pub fn parse(query: &Query) -> ApiResult<Filters> {
    query.read_filters(|f| {
        let mut filters = Filters {
            nummer: f.text("nummer").map(str::to_owned),
            referentienummer: f.text("referentienummer").map(str::to_owned),
            status: f.choice("status", &STATUSSEN).map(str::to_owned),
            toegewezen_op: f.datetime("toegewezenOp"),
            remote_actor_naam: f.text("actoren__naam").map(str::to_owned),
            ..Filters::default()
        };
        let by_uuid = f.uuid("klantcontact__uuid");
        match (f.reference("aanleidinggevendKlantcontact"), by_uuid) {
            (Some(a), Some(b)) if a != b => filters.nothing = true,
            (a, b) => filters.klantcontact = a.or(b),
        }
        filters.actor = f.reference("toegewezenAanActor");
        filters.nothing |= f.matches_nothing();
        for (ours, theirs) in [
            ("klantcontact__nummer", "nummer"),
            ("klantcontact__referentienummer", "referentienummer"),
        ] {
            if let Some(v) = f.text(ours) {
                filters
                    .remote_klantcontact
                    .push((theirs.to_owned(), v.to_owned(), ours));
            }
        }
        filters
    })
}

/// Completes the filters on the klantcontact's numbers and the actoren's names by asking the
/// klantcontacten register (one call per filter).
pub async fn prepare(state: &Register, origin: &str, filters: &mut Filters) -> ApiResult<()> {
    if filters.nothing {
        return Ok(());
    }
    for (theirs, value, ours) in &filters.remote_klantcontact {
        let found = platform::crud::remote_search(
            &state.shared.resolver,
            Resource::Klantcontacten,
            &[(theirs.clone(), value.clone())],
            origin,
            ours,
        )
        .await?;
        let uuids = platform::crud::uuids_at(&found, "/uuid");
        filters.klantcontact_in = Some(match filters.klantcontact_in.take() {
            None => uuids,
            Some(before) => before.into_iter().filter(|u| uuids.contains(u)).collect(),
        });
    }
    if let Some(naam) = &filters.remote_actor_naam {
        // The actoren list searches names by "contains"; this filter is exact.
        let found = platform::crud::remote_search(
            &state.shared.resolver,
            Resource::Actoren,
            &[("naam".to_owned(), naam.clone())],
            origin,
            "actoren__naam",
        )
        .await?;
        filters.actor_in = Some(
            found
                .iter()
                .filter(|a| a.get("naam").and_then(Value::as_str) == Some(naam.as_str()))
                .filter_map(|a| a.get("uuid").and_then(Value::as_str).map(str::to_owned))
                .collect(),
        );
    }
    Ok(())
}
