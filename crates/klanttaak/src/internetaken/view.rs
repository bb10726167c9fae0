//! A task as the API shows it.

use std::collections::HashMap;

use diesel::prelude::*;
use platform::db::DbConnection;
use platform::ApiResult;
use reference::{ApiUrls, Reference, Resource};
use serde::Serialize;
use uuid::Uuid;

use crate::models::InternetaakRow;
use crate::schema::internetaak_actoren as ia;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InternetaakView {
    pub uuid: Uuid,
    pub url: String,
    pub nummer: Option<String>,
    pub referentienummer: Option<String>,
    pub gevraagde_handeling: String,
    pub aanleidinggevend_klantcontact: Reference,
    /// Deprecated: the first assigned actor (`null` without actors, where the reference shows a
    /// degenerate `{"uuid": null}`).
    pub toegewezen_aan_actor: Option<Reference>,
    pub toegewezen_aan_actoren: Vec<Reference>,
    pub toelichting: String,
    pub status: String,
    pub toegewezen_op: String,
    pub afgehandeld_op: Option<String>,
}

/// Rendered tasks, with their actoren in assignment order.
pub fn views(
    conn: &mut DbConnection,
    urls: &ApiUrls,
    rows: &[InternetaakRow],
) -> ApiResult<Vec<InternetaakView>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let assigned: Vec<(i64, String)> = ia::table
        .filter(ia::internetaak_id.eq_any(&ids))
        .order((ia::internetaak_id, ia::position))
        .select((ia::internetaak_id, ia::actor_uuid))
        .load(conn)?;
    let mut actoren: HashMap<i64, Vec<Reference>> = HashMap::new();
    for (task, actor) in assigned {
        if let Ok(uuid) = Uuid::parse_str(&actor) {
            actoren
                .entry(task)
                .or_default()
                .push(Reference::new(urls, Resource::Actoren, uuid));
        }
    }
    Ok(rows
        .iter()
        .map(|row| {
            let d = &row.data;
            let uuid = Uuid::parse_str(&d.uuid).unwrap_or_default();
            let klantcontact = Uuid::parse_str(&d.klantcontact_uuid).unwrap_or_default();
            let toegewezen = actoren.remove(&row.id).unwrap_or_default();
            InternetaakView {
                uuid,
                url: urls.object(Resource::Internetaken, uuid),
                nummer: d.nummer.clone(),
                referentienummer: d.referentienummer.clone(),
                gevraagde_handeling: d.gevraagde_handeling.clone(),
                aanleidinggevend_klantcontact: Reference::new(
                    urls,
                    Resource::Klantcontacten,
                    klantcontact,
                ),
                toegewezen_aan_actor: toegewezen.first().cloned(),
                toegewezen_aan_actoren: toegewezen,
                toelichting: d.toelichting.clone(),
                status: d.status.clone(),
                toegewezen_op: platform::time::format_datetime(d.toegewezen_op),
                afgehandeld_op: d.afgehandeld_op.map(platform::time::format_datetime),
            }
        })
        .collect())
}
