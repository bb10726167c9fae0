//! The JSON representations, in the reference's field order. Related rows are loaded for a whole
//! page at once, never per item.

mod related;

use std::collections::HashMap;

use diesel::prelude::*;
use platform::db::DbConnection;
use platform::ApiResult;
use reference::{ApiUrls, Reference, Resource};
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::categorieen::{relatie_views, CategorieRelatieReference};
use crate::lookup::{self, stored_uuid};
use crate::models::CategorieRelatieRow;
use crate::models::{DigitaalAdresRow, IdentificatorRow, PartijRow};
use crate::schema::{categorie_relaties, digitale_adressen};
use platform::values::Adres;
use related::Kind;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentificatorGroep {
    pub code_objecttype: String,
    pub code_soort_object_id: String,
    pub object_id: String,
    pub code_register: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentificatorView {
    pub uuid: uuid::Uuid,
    pub url: String,
    pub identificeerde_partij: Option<Reference>,
    pub andere_partij_identificator: String,
    pub partij_identificator: IdentificatorGroep,
    pub sub_identificator_van: Option<Reference>,
}

/// Renders identificatoren; `partijen` and `parents` map ids to uuids.
fn identificator_view(
    urls: &ApiUrls,
    row: &IdentificatorRow,
    partijen: &HashMap<i64, uuid::Uuid>,
    parents: &HashMap<i64, uuid::Uuid>,
) -> IdentificatorView {
    let d = &row.data;
    IdentificatorView {
        uuid: stored_uuid(&d.uuid),
        url: urls.object(Resource::PartijIdentificatoren, stored_uuid(&d.uuid)),
        identificeerde_partij: d
            .partij_id
            .and_then(|id| partijen.get(&id))
            .map(|u| Reference::new(urls, Resource::Partijen, *u)),
        andere_partij_identificator: d.andere_partij_identificator.clone(),
        partij_identificator: IdentificatorGroep {
            code_objecttype: d.code_objecttype.clone(),
            code_soort_object_id: d.code_soort_object_id.clone(),
            object_id: d.object_id.clone(),
            code_register: d.code_register.clone(),
        },
        sub_identificator_van: d
            .sub_identificator_van_id
            .and_then(|id| parents.get(&id))
            .map(|u| Reference::new(urls, Resource::PartijIdentificatoren, *u)),
    }
}

/// Renders a page of identificatoren.
pub fn identificatoren(
    conn: &mut DbConnection,
    urls: &ApiUrls,
    rows: &[IdentificatorRow],
) -> ApiResult<Vec<IdentificatorView>> {
    let partij_ids: Vec<i64> = rows.iter().filter_map(|r| r.data.partij_id).collect();
    let parent_ids: Vec<i64> = rows
        .iter()
        .filter_map(|r| r.data.sub_identificator_van_id)
        .collect();
    let partijen = lookup::partij_uuids(conn, &partij_ids)?;
    let parents = lookup::identificator_uuids(conn, &parent_ids)?;
    Ok(rows
        .iter()
        .map(|r| identificator_view(urls, r, &partijen, &parents))
        .collect())
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DigitaalAdresView {
    pub uuid: uuid::Uuid,
    pub url: String,
    pub verstrekt_door_betrokkene: Option<Reference>,
    pub verstrekt_door_partij: Option<Reference>,
    pub adres: String,
    pub soort_digitaal_adres: String,
    pub is_standaard_adres: bool,
    pub omschrijving: String,
    pub referentie: String,
    pub verificatie_datum: Option<String>,
}

/// Renders a page of digitale adressen.
pub fn digitale_adressen(
    conn: &mut DbConnection,
    urls: &ApiUrls,
    rows: &[DigitaalAdresRow],
) -> ApiResult<Vec<DigitaalAdresView>> {
    let partij_ids: Vec<i64> = rows.iter().filter_map(|r| r.data.partij_id).collect();
    let partijen = lookup::partij_uuids(conn, &partij_ids)?;
    Ok(rows
        .iter()
        .map(|r| {
            let d = &r.data;
            let uuid = stored_uuid(&d.uuid);
            DigitaalAdresView {
                uuid,
                url: urls.object(Resource::Digitaleadressen, uuid),
                verstrekt_door_betrokkene: d
                    .betrokkene_uuid
                    .as_deref()
                    .map(|u| Reference::new(urls, Resource::Betrokkenen, stored_uuid(u))),
                verstrekt_door_partij: d
                    .partij_id
                    .and_then(|id| partijen.get(&id))
                    .map(|u| Reference::new(urls, Resource::Partijen, *u)),
                adres: d.adres.clone(),
                soort_digitaal_adres: d.soort_digitaal_adres.clone(),
                is_standaard_adres: d.is_standaard_adres,
                omschrijving: d.omschrijving.clone(),
                referentie: d.referentie.clone(),
                verificatie_datum: d.verificatie_datum.map(platform::time::format_date),
            }
        })
        .collect())
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartijView {
    pub uuid: uuid::Uuid,
    pub url: String,
    pub nummer: Option<String>,
    pub interne_notitie: String,
    pub betrokkenen: Vec<Reference>,
    pub categorie_relaties: Vec<CategorieRelatieReference>,
    pub digitale_adressen: Vec<Reference>,
    pub voorkeurs_digitaal_adres: Option<Reference>,
    pub vertegenwoordigden: Vec<Reference>,
    pub rekeningnummers: Vec<Reference>,
    pub voorkeurs_rekeningnummer: Option<Reference>,
    pub partij_identificatoren: Vec<IdentificatorView>,
    pub soort_partij: String,
    pub indicatie_geheimhouding: Option<bool>,
    pub voorkeurstaal: String,
    pub indicatie_actief: bool,
    pub bezoekadres: Adres,
    pub correspondentieadres: Adres,
    pub partij_identificatie: Option<Value>,
}

use platform::values::volledige_naam;

fn partij_identificatie(
    urls: &ApiUrls,
    row: &PartijRow,
    werkte_voor: Option<uuid::Uuid>,
) -> Option<Value> {
    let d = &row.data;
    if d.identificatie_soort.as_deref() != Some(d.soort_partij.as_str()) {
        return None;
    }
    let contactnaam = || {
        json!({
            "voorletters": d.voorletters,
            "voornaam": d.voornaam,
            "voorvoegselAchternaam": d.voorvoegsel_achternaam,
            "achternaam": d.achternaam,
        })
    };
    let naam = volledige_naam(&d.voornaam, &d.voorvoegsel_achternaam, &d.achternaam);
    Some(match d.soort_partij.as_str() {
        "persoon" => json!({"contactnaam": contactnaam(), "volledigeNaam": naam}),
        "organisatie" => json!({"naam": d.naam}),
        _ => json!({
            "uuid": d.contactpersoon_uuid,
            "werkteVoorPartij": werkte_voor
                .map(|u| Reference::new(urls, Resource::Partijen, u)),
            "contactnaam": contactnaam(),
            "volledigeNaam": naam,
        }),
    })
}

/// What a page of partijen shows of other tables, per partij id ([`related`]: one statement).
#[derive(Default)]
struct PartijContext {
    identificatoren: HashMap<i64, Vec<IdentificatorView>>,
    adressen: HashMap<i64, Vec<uuid::Uuid>>,
    rekeningnummers: HashMap<i64, Vec<uuid::Uuid>>,
    vertegenwoordigden: HashMap<i64, Vec<uuid::Uuid>>,
    relaties: HashMap<i64, Vec<CategorieRelatieReference>>,
    betrokkenen: HashMap<i64, Vec<uuid::Uuid>>,
    werkte_voor: HashMap<i64, uuid::Uuid>,
    /// Uuids of the digitale adressen and rekeningnummers a partij prefers, by id.
    adres_uuids: HashMap<i64, uuid::Uuid>,
    rekening_uuids: HashMap<i64, uuid::Uuid>,
}

impl PartijContext {
    fn load(conn: &mut DbConnection, urls: &ApiUrls, rows: &[PartijRow]) -> ApiResult<Self> {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let partij_uuids: HashMap<i64, uuid::Uuid> = rows
            .iter()
            .map(|r| (r.id, stored_uuid(&r.data.uuid)))
            .collect();
        let mut context = Self::default();
        for r in related::load(conn, &ids)? {
            let uuid = stored_uuid(&r.uuid);
            let list = |map: &mut HashMap<i64, Vec<uuid::Uuid>>| {
                map.entry(r.owner).or_default().push(uuid)
            };
            if r.is(Kind::Identificator) {
                let view = IdentificatorView {
                    uuid,
                    url: urls.object(Resource::PartijIdentificatoren, uuid),
                    identificeerde_partij: partij_uuids
                        .get(&r.owner)
                        .map(|u| Reference::new(urls, Resource::Partijen, *u)),
                    andere_partij_identificator: r.a.clone().unwrap_or_default(),
                    partij_identificator: IdentificatorGroep {
                        code_objecttype: r.b.clone().unwrap_or_default(),
                        code_soort_object_id: r.c.clone().unwrap_or_default(),
                        object_id: r.d.clone().unwrap_or_default(),
                        code_register: r.e.clone().unwrap_or_default(),
                    },
                    sub_identificator_van: r.f.as_deref().map(|parent| {
                        Reference::new(urls, Resource::PartijIdentificatoren, stored_uuid(parent))
                    }),
                };
                context
                    .identificatoren
                    .entry(r.owner)
                    .or_default()
                    .push(view);
            } else if r.is(Kind::DigitaalAdres) {
                context.adres_uuids.insert(r.id, uuid);
                list(&mut context.adressen);
            } else if r.is(Kind::Rekeningnummer) {
                context.rekening_uuids.insert(r.id, uuid);
                list(&mut context.rekeningnummers);
            } else if r.is(Kind::Vertegenwoordigde) {
                list(&mut context.vertegenwoordigden);
            } else if r.is(Kind::CategorieRelatie) {
                let reference = CategorieRelatieReference {
                    uuid,
                    url: urls.object(Resource::CategorieRelaties, uuid),
                    categorie_naam: r.f.as_ref().and(r.a.clone()),
                    begin_datum: r.begin_datum.map(platform::time::format_date),
                    eind_datum: r.eind_datum.map(platform::time::format_date),
                };
                context.relaties.entry(r.owner).or_default().push(reference);
            } else if r.is(Kind::Betrokkene) {
                list(&mut context.betrokkenen);
            } else if r.is(Kind::WerkteVoor) {
                context.werkte_voor.insert(r.owner, uuid);
            }
        }
        // A preferred address or rekeningnummer of another partij (rare): looked up apart.
        let elsewhere = |id: &Option<i64>, known: &HashMap<i64, uuid::Uuid>| {
            id.filter(|id| !known.contains_key(id))
        };
        let adressen: Vec<i64> = rows
            .iter()
            .filter_map(|r| elsewhere(&r.data.voorkeurs_digitaal_adres_id, &context.adres_uuids))
            .collect();
        context
            .adres_uuids
            .extend(lookup::digitaal_adres_uuids(conn, &adressen)?);
        let rekeningen: Vec<i64> = rows
            .iter()
            .filter_map(|r| elsewhere(&r.data.voorkeurs_rekeningnummer_id, &context.rekening_uuids))
            .collect();
        context
            .rekening_uuids
            .extend(lookup::rekeningnummer_uuids(conn, &rekeningen)?);
        Ok(context)
    }
}

/// The `expand` values of `/partijen`.
pub const PARTIJ_EXPAND: [&str; 4] = [
    "betrokkenen",
    "betrokkenen.hadKlantcontact",
    "categorieRelaties",
    "digitaleAdressen",
];

/// Renders a page of partijen.
pub fn partijen(
    conn: &mut DbConnection,
    urls: &ApiUrls,
    rows: &[PartijRow],
) -> ApiResult<Vec<PartijView>> {
    let mut context = PartijContext::load(conn, urls, rows)?;
    let references = |resource: Resource, uuids: Option<Vec<uuid::Uuid>>| -> Vec<Reference> {
        uuids
            .unwrap_or_default()
            .into_iter()
            .map(|u| Reference::new(urls, resource, u))
            .collect()
    };
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let d = &row.data;
        let uuid = stored_uuid(&d.uuid);
        let preferred = |resource: Resource, id: Option<i64>, known: &HashMap<i64, uuid::Uuid>| {
            id.and_then(|id| known.get(&id))
                .map(|u| Reference::new(urls, resource, *u))
        };
        views.push(PartijView {
            uuid,
            url: urls.object(Resource::Partijen, uuid),
            nummer: d.nummer.clone(),
            interne_notitie: d.interne_notitie.clone(),
            // Betrokkenen live in the klantcontacten register; its events keep this
            // register's read model of them.
            betrokkenen: references(Resource::Betrokkenen, context.betrokkenen.remove(&row.id)),
            categorie_relaties: context.relaties.remove(&row.id).unwrap_or_default(),
            digitale_adressen: references(
                Resource::Digitaleadressen,
                context.adressen.remove(&row.id),
            ),
            voorkeurs_digitaal_adres: preferred(
                Resource::Digitaleadressen,
                d.voorkeurs_digitaal_adres_id,
                &context.adres_uuids,
            ),
            vertegenwoordigden: references(
                Resource::Partijen,
                context.vertegenwoordigden.remove(&row.id),
            ),
            rekeningnummers: references(
                Resource::Rekeningnummers,
                context.rekeningnummers.remove(&row.id),
            ),
            voorkeurs_rekeningnummer: preferred(
                Resource::Rekeningnummers,
                d.voorkeurs_rekeningnummer_id,
                &context.rekening_uuids,
            ),
            partij_identificatoren: context.identificatoren.remove(&row.id).unwrap_or_default(),
            soort_partij: d.soort_partij.clone(),
            indicatie_geheimhouding: d.indicatie_geheimhouding,
            voorkeurstaal: d.voorkeurstaal.clone(),
            indicatie_actief: d.indicatie_actief,
            bezoekadres: (&d.bezoekadres).into(),
            correspondentieadres: (&d.correspondentieadres).into(),
            partij_identificatie: partij_identificatie(
                urls,
                row,
                context.werkte_voor.get(&row.id).copied(),
            ),
        });
    }
    Ok(views)
}

/// The `_expand` of each partij for the relations this register holds (`digitaleAdressen`,
/// `categorieRelaties`); `betrokkenen` starts empty and is filled from the klantcontacten
/// register.
pub fn partij_expansions(
    conn: &mut DbConnection,
    urls: &ApiUrls,
    rows: &[PartijRow],
    requested: &[String],
) -> ApiResult<Vec<Map<String, Value>>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let wants = |name: &str| requested.iter().any(|r| r == name);
    let mut adressen: HashMap<i64, Vec<Value>> = HashMap::new();
    if wants("digitaleAdressen") {
        let adres_rows: Vec<DigitaalAdresRow> = digitale_adressen::table
            .filter(digitale_adressen::partij_id.eq_any(&ids))
            .order(digitale_adressen::id)
            .select(DigitaalAdresRow::as_select())
            .load(conn)?;
        for (row, view) in adres_rows
            .iter()
            .zip(digitale_adressen(conn, urls, &adres_rows)?)
        {
            if let Some(partij) = row.data.partij_id {
                adressen
                    .entry(partij)
                    .or_default()
                    .push(serde_json::to_value(view).unwrap_or_default());
            }
        }
    }
    let mut relaties: HashMap<i64, Vec<Value>> = HashMap::new();
    if wants("categorieRelaties") {
        let relatie_rows: Vec<CategorieRelatieRow> = categorie_relaties::table
            .filter(categorie_relaties::partij_id.eq_any(&ids))
            .order(categorie_relaties::id)
            .select(CategorieRelatieRow::as_select())
            .load(conn)?;
        for (row, (full, _)) in relatie_rows
            .iter()
            .zip(relatie_views(conn, urls, &relatie_rows)?)
        {
            if let Some(partij) = row.data.partij_id {
                relaties
                    .entry(partij)
                    .or_default()
                    .push(serde_json::to_value(full).unwrap_or_default());
            }
        }
    }
    Ok(rows
        .iter()
        .map(|row| {
            let mut expand = Map::new();
            for name in requested {
                let value = match name.as_str() {
                    "digitaleAdressen" => adressen.remove(&row.id).unwrap_or_default(),
                    "categorieRelaties" => relaties.remove(&row.id).unwrap_or_default(),
                    "betrokkenen" => Vec::new(),
                    _ => continue,
                };
                expand.insert(name.clone(), Value::Array(value));
            }
            expand
        })
        .collect())
}
