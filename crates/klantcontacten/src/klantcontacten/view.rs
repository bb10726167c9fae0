//! A klantcontact as the API shows it, with what it lists of other tables, and its `_expand`.

use std::collections::HashMap;

use diesel::prelude::*;
use platform::db::DbConnection;
use platform::error::ApiError;
use platform::ApiResult;
use reference::{ApiUrls, Reference, Resource};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::actoren::ActorView;
use crate::lookup::stored_uuid;
use crate::models::{ActorRow, BetrokkeneRow, BijlageRow, KlantcontactRow, OnderwerpobjectRow};
use crate::schema::{
    actoren as a, actorklantcontacten as ak, betrokkenen as b, bijlagen as bl,
    onderwerpobjecten as o,
};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KlantcontactView {
    pub uuid: Uuid,
    pub url: String,
    pub ging_over_onderwerpobjecten: Vec<Reference>,
    pub had_betrokken_actoren: Vec<ActorView>,
    pub omvatte_bijlagen: Vec<Reference>,
    pub had_betrokkenen: Vec<Reference>,
    pub leidde_tot_interne_taken: Vec<Reference>,
    pub nummer: Option<String>,
    pub referentienummer: Option<String>,
    pub kanaal: String,
    pub onderwerp: String,
    pub inhoud: String,
    pub reactie: String,
    pub indicatie_contact_gelukt: Option<bool>,
    pub hoofd_onderwerp_type: String,
    pub verdere_actie_ondernomen: bool,
    pub taal: String,
    pub vertrouwelijk: bool,
    pub plaatsgevonden_op: String,
    pub metadata: Value,
}

/// The (klantcontact id, uuid) pairs of a page's children in one table, oldest first.
type Children = Vec<(Option<i64>, String)>;

/// What a page of klantcontacten lists of other tables, a query per table for the whole page:
/// references only (the children themselves are loaded for `_expand` alone).
struct Listed {
    betrokkenen: Children,
    onderwerpobjecten: Children,
    bijlagen: Children,
    /// (klantcontact id, actor row), in link order: actors are shown whole.
    actoren: Vec<(i64, ActorRow)>,
}

impl Listed {
    fn load(conn: &mut DbConnection, ids: &[i64]) -> ApiResult<Self> {
        Ok(Self {
            betrokkenen: b::table
                .filter(b::klantcontact_id.eq_any(ids))
                .order(b::id)
                .select((b::klantcontact_id.nullable(), b::uuid))
                .load(conn)?,
            onderwerpobjecten: o::table
                .filter(o::klantcontact_id.eq_any(ids))
                .order(o::id)
                .select((o::klantcontact_id, o::uuid))
                .load(conn)?,
            bijlagen: bl::table
                .filter(bl::klantcontact_id.eq_any(ids))
                .order(bl::id)
                .select((bl::klantcontact_id, bl::uuid))
                .load(conn)?,
            actoren: ak::table
                .inner_join(a::table)
                .filter(ak::klantcontact_id.eq_any(ids))
                .order(ak::id)
                .select((ak::klantcontact_id, ActorRow::as_select()))
                .load(conn)?,
        })
    }
}

/// The children as references, per klantcontact id.
fn references(
    urls: &ApiUrls,
    resource: Resource,
    children: &Children,
) -> HashMap<i64, Vec<Reference>> {
    let mut out: HashMap<i64, Vec<Reference>> = HashMap::new();
    for (klantcontact, uuid) in children {
        if let Some(id) = klantcontact {
            let reference = Reference::new(urls, resource, stored_uuid(uuid));
            out.entry(*id).or_default().push(reference);
        }
    }
    out
}

pub fn render(
    conn: &mut DbConnection,
    urls: &ApiUrls,
    rows: &[KlantcontactRow],
) -> ApiResult<Vec<KlantcontactView>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let listed = Listed::load(conn, &ids)?;
    let mut betrokkenen = references(urls, Resource::Betrokkenen, &listed.betrokkenen);
    let mut onderwerpen = references(urls, Resource::Onderwerpobjecten, &listed.onderwerpobjecten);
    let mut bijlagen = references(urls, Resource::Bijlagen, &listed.bijlagen);
    let uuids: Vec<String> = rows.iter().map(|r| r.data.uuid.clone()).collect();
    let mut taken = crate::readmodel::internetaken_of(conn, &uuids)?;
    let mut actoren: HashMap<i64, Vec<ActorView>> = HashMap::new();
    for (klantcontact, actor) in &listed.actoren {
        actoren
            .entry(*klantcontact)
            .or_default()
            .extend(crate::actoren::views(urls, std::slice::from_ref(actor)));
    }
    Ok(rows
        .iter()
        .map(|row| {
            let d = &row.data;
            let uuid = stored_uuid(&d.uuid);
            KlantcontactView {
                uuid,
                url: urls.object(Resource::Klantcontacten, uuid),
                ging_over_onderwerpobjecten: onderwerpen.remove(&row.id).unwrap_or_default(),
                had_betrokken_actoren: actoren.remove(&row.id).unwrap_or_default(),
                omvatte_bijlagen: bijlagen.remove(&row.id).unwrap_or_default(),
                had_betrokkenen: betrokkenen.remove(&row.id).unwrap_or_default(),
                leidde_tot_interne_taken: taken
                    .remove(&d.uuid)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|u| Uuid::parse_str(u).ok())
                    .map(|u| Reference::new(urls, Resource::Internetaken, u))
                    .collect(),
                nummer: d.nummer.clone(),
                referentienummer: d.referentienummer.clone(),
                kanaal: d.kanaal.clone(),
                onderwerp: d.onderwerp.clone(),
                inhoud: d.inhoud.clone(),
                reactie: d.reactie.clone(),
                indicatie_contact_gelukt: d.indicatie_contact_gelukt,
                hoofd_onderwerp_type: d.hoofd_onderwerp_type.clone(),
                verdere_actie_ondernomen: d.verdere_actie_ondernomen,
                taal: d.taal.clone(),
                vertrouwelijk: d.vertrouwelijk,
                plaatsgevonden_op: platform::time::format_datetime(d.plaatsgevonden_op),
                metadata: serde_json::from_str(&d.metadata)
                    .unwrap_or_else(|_| Value::Object(Map::new())),
            }
        })
        .collect())
}

pub fn expand(
    conn: &mut DbConnection,
    urls: &ApiUrls,
    rows: &[KlantcontactRow],
    requested: &[String],
) -> ApiResult<Vec<Map<String, Value>>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let asked = |name: &str| requested.iter().any(|r| r == name);
    // Per relation asked for, the rendered children of the whole page.
    let mut expansions: Vec<(&str, Expanded)> = Vec::new();
    if asked("hadBetrokkenen") {
        let children: Vec<BetrokkeneRow> = b::table
            .filter(b::klantcontact_id.eq_any(&ids))
            .order(b::id)
            .select(BetrokkeneRow::as_select())
            .load(conn)?;
        let owners = children.iter().map(|c| Some(c.data.klantcontact_id));
        let views = crate::views::betrokkenen(conn, urls, &children)?;
        expansions.push(("hadBetrokkenen", per_owner(owners, views)?));
    }
    if asked("gingOverOnderwerpobjecten") {
        let children: Vec<OnderwerpobjectRow> = o::table
            .filter(o::klantcontact_id.eq_any(&ids))
            .order(o::id)
            .select(OnderwerpobjectRow::as_select())
            .load(conn)?;
        let owners = children.iter().map(|c| c.data.klantcontact_id);
        let views = crate::views::onderwerpobjecten(conn, urls, &children)?;
        expansions.push(("gingOverOnderwerpobjecten", per_owner(owners, views)?));
    }
    if asked("omvatteBijlagen") {
        let children: Vec<BijlageRow> = bl::table
            .filter(bl::klantcontact_id.eq_any(&ids))
            .order(bl::id)
            .select(BijlageRow::as_select())
            .load(conn)?;
        let owners = children.iter().map(|c| c.data.klantcontact_id);
        let views = crate::views::bijlagen(conn, urls, &children)?;
        expansions.push(("omvatteBijlagen", per_owner(owners, views)?));
    }
    // What lives in the other registers (the internetaken, nested paths into relatiebeheer)
    // is filled in afterwards (`Crud::REMOTE_EXPAND`).
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut expand = Map::new();
        // In the order asked for.
        for name in requested {
            if let Some((_, children)) = expansions.iter_mut().find(|(n, _)| n == name) {
                let mine = children.remove(&row.id).unwrap_or_default();
                expand.insert(name.clone(), Value::Array(mine));
            }
        }
        out.push(expand);
    }
    Ok(out)
}

/// Rendered children by the id of their klantcontact, in their order.
type Expanded = HashMap<i64, Vec<Value>>;

/// Children rendered as `views`, grouped by their klantcontact (`owners`, in the same order).
fn per_owner<T: Serialize>(
    owners: impl Iterator<Item = Option<i64>>,
    views: Vec<T>,
) -> ApiResult<Expanded> {
    let mut out = Expanded::new();
    for (owner, value) in owners.zip(values(views)?) {
        if let Some(owner) = owner {
            out.entry(owner).or_default().push(value);
        }
    }
    Ok(out)
}

fn values<T: Serialize>(views: Vec<T>) -> ApiResult<Vec<Value>> {
    views
        .into_iter()
        .map(|v| serde_json::to_value(v).map_err(|e| ApiError::Internal(e.into())))
        .collect()
}
