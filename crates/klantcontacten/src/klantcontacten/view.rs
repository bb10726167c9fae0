//! A klantcontact as the API shows it, with what it lists of other tables, and its `_expand`.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
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

// What a page of klantcontacten lists of other tables, by klantcontact id, oldest first (the
// tasks by when they were assigned): one statement for the whole page.
platform::statement!(
    ListedOfKlantcontacten,
    "SELECT b.klantcontact_id AS owner, 1 AS kind, '' AS key_text, b.id AS key_id, b.uuid AS uuid
       FROM betrokkenen b WHERE b.klantcontact_id IN IDS
     UNION ALL
     SELECT o.klantcontact_id, 2, '', o.id, o.uuid
       FROM onderwerpobjecten o WHERE o.klantcontact_id IN IDS
     UNION ALL
     SELECT bl.klantcontact_id, 3, '', bl.id, bl.uuid
       FROM bijlagen bl WHERE bl.klantcontact_id IN IDS
     UNION ALL
     SELECT k.id, 4, t.toegewezen_op, 0, t.internetaak_uuid
       FROM klantcontact_internetaken t JOIN klantcontacten k ON k.uuid = t.klantcontact_uuid
      WHERE k.id IN IDS AND NOT t.deleted
     ORDER BY 2, 3, 4, 5"
);

#[derive(QueryableByName)]
struct Listed {
    #[diesel(sql_type = BigInt)]
    owner: i64,
    #[diesel(sql_type = Integer)]
    kind: i32,
    #[diesel(sql_type = Text)]
    uuid: String,
}

/// The references a page of klantcontacten lists, per klantcontact id and kind.
#[derive(Default)]
struct References {
    betrokkenen: HashMap<i64, Vec<Reference>>,
    onderwerpobjecten: HashMap<i64, Vec<Reference>>,
    bijlagen: HashMap<i64, Vec<Reference>>,
    internetaken: HashMap<i64, Vec<Reference>>,
}

impl References {
    fn load(conn: &mut DbConnection, urls: &ApiUrls, ids: &[i64]) -> ApiResult<Self> {
        let mut out = Self::default();
        let rows: Vec<Listed> =
            platform::statement::by_ids::<ListedOfKlantcontacten>(ids).load(conn)?;
        for row in rows {
            let (list, resource) = match row.kind {
                1 => (&mut out.betrokkenen, Resource::Betrokkenen),
                2 => (&mut out.onderwerpobjecten, Resource::Onderwerpobjecten),
                3 => (&mut out.bijlagen, Resource::Bijlagen),
                _ => (&mut out.internetaken, Resource::Internetaken),
            };
            let reference = Reference::new(urls, resource, stored_uuid(&row.uuid));
            list.entry(row.owner).or_default().push(reference);
        }
        Ok(out)
    }
}

fn take(listed: &mut HashMap<i64, Vec<Reference>>, id: i64) -> Vec<Reference> {
    listed.remove(&id).unwrap_or_default()
}

pub fn render(
    conn: &mut DbConnection,
    urls: &ApiUrls,
    rows: &[KlantcontactRow],
) -> ApiResult<Vec<KlantcontactView>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut listed = References::load(conn, urls, &ids)?;
    let mut actoren: HashMap<i64, Vec<ActorView>> = HashMap::new();
    let linked: Vec<(i64, ActorRow)> = ak::table
        .inner_join(a::table)
        .filter(ak::klantcontact_id.eq_any(&ids))
        .order(ak::id)
        .select((ak::klantcontact_id, ActorRow::as_select()))
        .load(conn)?;
    for (klantcontact, actor) in &linked {
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
                ging_over_onderwerpobjecten: take(&mut listed.onderwerpobjecten, row.id),
                had_betrokken_actoren: actoren.remove(&row.id).unwrap_or_default(),
                omvatte_bijlagen: take(&mut listed.bijlagen, row.id),
                had_betrokkenen: take(&mut listed.betrokkenen, row.id),
                leidde_tot_interne_taken: take(&mut listed.internetaken, row.id),
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
