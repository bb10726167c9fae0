//! The representations of what a klantcontact lists (betrokkenen, onderwerpobjecten,
//! bijlagen): shown by their own endpoints and inside a klantcontact's `_expand`, in the
//! reference's field order. Related rows are loaded for a whole page at once.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use platform::db::DbConnection;
use platform::values::{volledige_naam, Adres, ObjectIdentificator};
use platform::ApiResult;
use reference::{ApiUrls, Reference, Resource};
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::lookup::{self, stored_uuid};
use crate::models::{BetrokkeneRow, BijlageRow, OnderwerpobjectRow};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BetrokkeneView {
    pub uuid: Uuid,
    pub url: String,
    pub was_partij: Option<Reference>,
    pub had_klantcontact: Reference,
    pub digitale_adressen: Vec<Reference>,
    pub bezoekadres: Adres,
    pub correspondentieadres: Adres,
    pub contactnaam: Value,
    pub volledige_naam: String,
    pub rol: String,
    pub organisatienaam: String,
    pub initiator: bool,
}

// What a page of betrokkenen shows of other tables: its klantcontact, and the digitale adressen
// it supplied (the read model of relatiebeheer's), oldest first; one statement.
platform::statement!(
    RelatedOfBetrokkenen,
    "SELECT b.id AS owner, 1 AS kind, 0 AS key_id, k.uuid AS uuid
       FROM betrokkenen b JOIN klantcontacten k ON k.id = b.klantcontact_id
      WHERE b.id IN IDS
     UNION ALL
     SELECT b.id, 2, a.event_id, a.adres_uuid
       FROM betrokkene_digitale_adressen a JOIN betrokkenen b ON b.uuid = a.betrokkene_uuid
      WHERE b.id IN IDS AND NOT a.deleted
     ORDER BY 2, 3"
);

#[derive(QueryableByName)]
struct Related {
    #[diesel(sql_type = BigInt)]
    owner: i64,
    #[diesel(sql_type = Integer)]
    kind: i32,
    #[diesel(sql_type = Text)]
    uuid: String,
}

/// Renders betrokkenen (also for `klantcontact._expand.hadBetrokkenen`).
pub fn betrokkenen(
    conn: &mut DbConnection,
    urls: &ApiUrls,
    rows: &[BetrokkeneRow],
) -> ApiResult<Vec<BetrokkeneView>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let related: Vec<Related> =
        platform::statement::by_ids::<RelatedOfBetrokkenen>(&ids).load(conn)?;
    let mut klantcontacten: HashMap<i64, Uuid> = HashMap::new();
    let mut adressen: HashMap<i64, Vec<Reference>> = HashMap::new();
    for r in related {
        let uuid = stored_uuid(&r.uuid);
        if r.kind == 1 {
            klantcontacten.insert(r.owner, uuid);
        } else {
            let adres = Reference::new(urls, Resource::Digitaleadressen, uuid);
            adressen.entry(r.owner).or_default().push(adres);
        }
    }
    Ok(rows
        .iter()
        .map(|row| {
            let d = &row.data;
            let uuid = stored_uuid(&d.uuid);
            BetrokkeneView {
                uuid,
                url: urls.object(Resource::Betrokkenen, uuid),
                was_partij: d
                    .partij_uuid
                    .as_deref()
                    .map(|u| Reference::new(urls, Resource::Partijen, stored_uuid(u))),
                had_klantcontact: Reference::new(
                    urls,
                    Resource::Klantcontacten,
                    klantcontacten.get(&row.id).copied().unwrap_or_default(),
                ),
                // Digitale adressen live in the relatiebeheer register; its events keep
                // this register's read model of them.
                digitale_adressen: adressen.remove(&row.id).unwrap_or_default(),
                bezoekadres: (&d.bezoekadres).into(),
                correspondentieadres: (&d.correspondentieadres).into(),
                contactnaam: json!({
                    "voorletters": d.voorletters,
                    "voornaam": d.voornaam,
                    "voorvoegselAchternaam": d.voorvoegsel_achternaam,
                    "achternaam": d.achternaam,
                }),
                volledige_naam: volledige_naam(
                    &d.voornaam,
                    &d.voorvoegsel_achternaam,
                    &d.achternaam,
                ),
                rol: d.rol.clone(),
                organisatienaam: d.organisatienaam.clone(),
                initiator: d.initiator,
            }
        })
        .collect())
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OnderwerpobjectView {
    pub uuid: Uuid,
    pub url: String,
    pub klantcontact: Option<Reference>,
    pub was_klantcontact: Option<Reference>,
    pub onderwerpobjectidentificator: ObjectIdentificator,
}

pub fn onderwerpobjecten(
    conn: &mut DbConnection,
    urls: &ApiUrls,
    rows: &[OnderwerpobjectRow],
) -> ApiResult<Vec<OnderwerpobjectView>> {
    let ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| [r.data.klantcontact_id, r.data.was_klantcontact_id])
        .flatten()
        .collect();
    let klantcontacten = lookup::klantcontact_uuids(conn, &ids)?;
    let reference = |id: Option<i64>| {
        id.and_then(|id| klantcontacten.get(&id))
            .map(|u| Reference::new(urls, Resource::Klantcontacten, *u))
    };
    Ok(rows
        .iter()
        .map(|row| {
            let d = &row.data;
            let uuid = stored_uuid(&d.uuid);
            OnderwerpobjectView {
                uuid,
                url: urls.object(Resource::Onderwerpobjecten, uuid),
                klantcontact: reference(d.klantcontact_id),
                was_klantcontact: reference(d.was_klantcontact_id),
                onderwerpobjectidentificator: ObjectIdentificator {
                    object_id: d.identificator_object_id.clone(),
                    code_objecttype: d.identificator_code_objecttype.clone(),
                    code_register: d.identificator_code_register.clone(),
                    code_soort_object_id: d.identificator_code_soort_object_id.clone(),
                },
            }
        })
        .collect())
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BijlageView {
    pub uuid: Uuid,
    pub url: String,
    pub was_bijlage_van_klantcontact: Option<Reference>,
    pub bijlageidentificator: ObjectIdentificator,
}

pub fn bijlagen(
    conn: &mut DbConnection,
    urls: &ApiUrls,
    rows: &[BijlageRow],
) -> ApiResult<Vec<BijlageView>> {
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.data.klantcontact_id).collect();
    let klantcontacten = lookup::klantcontact_uuids(conn, &ids)?;
    Ok(rows
        .iter()
        .map(|row| {
            let d = &row.data;
            let uuid = stored_uuid(&d.uuid);
            BijlageView {
                uuid,
                url: urls.object(Resource::Bijlagen, uuid),
                was_bijlage_van_klantcontact: d
                    .klantcontact_id
                    .and_then(|id| klantcontacten.get(&id))
                    .map(|u| Reference::new(urls, Resource::Klantcontacten, *u)),
                bijlageidentificator: ObjectIdentificator {
                    object_id: d.identificator_object_id.clone(),
                    code_objecttype: d.identificator_code_objecttype.clone(),
                    code_register: d.identificator_code_register.clone(),
                    code_soort_object_id: d.identificator_code_soort_object_id.clone(),
                },
            }
        })
        .collect())
}
