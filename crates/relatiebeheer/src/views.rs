//! The JSON representations, in the reference's field order. Related rows are loaded for a whole
//! page at once, never per item.

use std::collections::HashMap;

use diesel::prelude::*;
use platform::db::DbConnection;
use platform::ApiResult;
use reference::{ApiUrls, Reference, Resource};
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::categorieen::{relatie_views, CategorieRelatieReference, CategorieRelatieView};
use crate::lookup::{self, stored_uuid};
use crate::models::CategorieRelatieRow;
use crate::models::{DigitaalAdresRow, IdentificatorRow, PartijRow};
use crate::schema::{
    categorie_relaties, digitale_adressen, partij_identificatoren, rekeningnummers,
    vertegenwoordigingen,
};
use platform::values::Adres;

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
    werkte_voor: &HashMap<i64, uuid::Uuid>,
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
            "werkteVoorPartij": d.werkte_voor_partij_id
                .and_then(|id| werkte_voor.get(&id))
                .map(|u| Reference::new(urls, Resource::Partijen, *u)),
            "contactnaam": contactnaam(),
            "volledigeNaam": naam,
        }),
    })
}

/// What a page of partijen shows of other tables, loaded in a few queries.
struct PartijContext {
    identificatoren: HashMap<i64, Vec<IdentificatorView>>,
    rekeningnummers: HashMap<i64, Vec<uuid::Uuid>>,
    rekening_uuids: HashMap<i64, uuid::Uuid>,
    /// partij → the partijen it represents.
    vertegenwoordigden: HashMap<i64, Vec<i64>>,
    relaties: HashMap<i64, Vec<(CategorieRelatieView, CategorieRelatieReference)>>,
    adressen: HashMap<i64, Vec<DigitaalAdresRow>>,
    adres_uuids: HashMap<i64, uuid::Uuid>,
    partij_uuids: HashMap<i64, uuid::Uuid>,
}

impl PartijContext {
    fn load(conn: &mut DbConnection, urls: &ApiUrls, rows: &[PartijRow]) -> ApiResult<Self> {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let identificator_rows: Vec<IdentificatorRow> = partij_identificatoren::table
            .filter(partij_identificatoren::partij_id.eq_any(&ids))
            .order(partij_identificatoren::id)
            .select(IdentificatorRow::as_select())
            .load(conn)?;
        let mut identificatoren: HashMap<i64, Vec<IdentificatorView>> = HashMap::new();
        for (row, view) in
            identificator_rows
                .iter()
                .zip(self::identificatoren(conn, urls, &identificator_rows)?)
        {
            if let Some(partij) = row.data.partij_id {
                identificatoren.entry(partij).or_default().push(view);
            }
        }
        let adres_rows: Vec<DigitaalAdresRow> = digitale_adressen::table
            .filter(digitale_adressen::partij_id.eq_any(&ids))
            .order(digitale_adressen::id)
            .select(DigitaalAdresRow::as_select())
            .load(conn)?;
        let mut adres_uuids: HashMap<i64, uuid::Uuid> = adres_rows
            .iter()
            .map(|a| (a.id, stored_uuid(&a.data.uuid)))
            .collect();
        let missing_voorkeuren: Vec<i64> = rows
            .iter()
            .filter_map(|r| r.data.voorkeurs_digitaal_adres_id)
            .filter(|id| !adres_uuids.contains_key(id))
            .collect();
        adres_uuids.extend(lookup::digitaal_adres_uuids(conn, &missing_voorkeuren)?);
        let mut adressen: HashMap<i64, Vec<DigitaalAdresRow>> = HashMap::new();
        for adres in adres_rows {
            if let Some(partij) = adres.data.partij_id {
                adressen.entry(partij).or_default().push(adres);
            }
        }
        let rekening_rows: Vec<(i64, String, Option<i64>)> = rekeningnummers::table
            .filter(rekeningnummers::partij_id.eq_any(&ids))
            .order(rekeningnummers::id)
            .select((
                rekeningnummers::id,
                rekeningnummers::uuid,
                rekeningnummers::partij_id,
            ))
            .load(conn)?;
        let mut rekening_uuids: HashMap<i64, uuid::Uuid> = HashMap::new();
        let mut rekeningnummers: HashMap<i64, Vec<uuid::Uuid>> = HashMap::new();
        for (id, uuid, partij) in rekening_rows {
            let uuid = stored_uuid(&uuid);
            rekening_uuids.insert(id, uuid);
            if let Some(partij) = partij {
                rekeningnummers.entry(partij).or_default().push(uuid);
            }
        }
        let missing: Vec<i64> = rows
            .iter()
            .filter_map(|r| r.data.voorkeurs_rekeningnummer_id)
            .filter(|id| !rekening_uuids.contains_key(id))
            .collect();
        if !missing.is_empty() {
            let extra: Vec<(i64, String)> = rekeningnummers::table
                .filter(rekeningnummers::id.eq_any(&missing))
                .select((rekeningnummers::id, rekeningnummers::uuid))
                .load(conn)?;
            rekening_uuids.extend(extra.into_iter().map(|(id, u)| (id, stored_uuid(&u))));
        }
        let pairs: Vec<(i64, i64)> = vertegenwoordigingen::table
            .filter(vertegenwoordigingen::vertegenwoordigende_partij_id.eq_any(&ids))
            .order(vertegenwoordigingen::id)
            .select((
                vertegenwoordigingen::vertegenwoordigende_partij_id,
                vertegenwoordigingen::vertegenwoordigde_partij_id,
            ))
            .load(conn)?;
        let mut vertegenwoordigden: HashMap<i64, Vec<i64>> = HashMap::new();
        for (by, of) in &pairs {
            vertegenwoordigden.entry(*by).or_default().push(*of);
        }
        let relatie_rows: Vec<CategorieRelatieRow> = categorie_relaties::table
            .filter(categorie_relaties::partij_id.eq_any(&ids))
            .order(categorie_relaties::id)
            .select(CategorieRelatieRow::as_select())
            .load(conn)?;
        let mut relaties: HashMap<i64, Vec<(CategorieRelatieView, CategorieRelatieReference)>> =
            HashMap::new();
        for (row, views) in relatie_rows
            .iter()
            .zip(relatie_views(conn, urls, &relatie_rows)?)
        {
            if let Some(partij) = row.data.partij_id {
                relaties.entry(partij).or_default().push(views);
            }
        }
        let mut partij_uuids: HashMap<i64, uuid::Uuid> = rows
            .iter()
            .map(|r| (r.id, stored_uuid(&r.data.uuid)))
            .collect();
        let others: Vec<i64> = rows
            .iter()
            .filter_map(|r| r.data.werkte_voor_partij_id)
            .chain(pairs.iter().map(|(_, of)| *of))
            .filter(|id| !partij_uuids.contains_key(id))
            .collect();
        partij_uuids.extend(lookup::partij_uuids(conn, &others)?);
        Ok(Self {
            identificatoren,
            rekeningnummers,
            rekening_uuids,
            vertegenwoordigden,
            relaties,
            adressen,
            adres_uuids,
            partij_uuids,
        })
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
    let uuids: Vec<String> = rows.iter().map(|r| r.data.uuid.clone()).collect();
    let mut betrokkenen = crate::readmodel::betrokkenen_of(conn, &uuids)?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let d = &row.data;
        let uuid = stored_uuid(&d.uuid);
        let adressen = context.adressen.remove(&row.id).unwrap_or_default();
        let relaties = context
            .relaties
            .remove(&row.id)
            .unwrap_or_default()
            .into_iter()
            .map(|(_, reference)| reference)
            .collect();
        views.push(PartijView {
            uuid,
            url: urls.object(Resource::Partijen, uuid),
            nummer: d.nummer.clone(),
            interne_notitie: d.interne_notitie.clone(),
            // Betrokkenen live in the klantcontacten register; its events keep this
            // register's read model of them.
            betrokkenen: betrokkenen
                .remove(&d.uuid)
                .unwrap_or_default()
                .iter()
                .map(|b| Reference::new(urls, Resource::Betrokkenen, stored_uuid(b)))
                .collect(),
            categorie_relaties: relaties,
            digitale_adressen: adressen
                .iter()
                .map(|a| {
                    Reference::new(urls, Resource::Digitaleadressen, stored_uuid(&a.data.uuid))
                })
                .collect(),
            voorkeurs_digitaal_adres: d
                .voorkeurs_digitaal_adres_id
                .and_then(|id| context.adres_uuids.get(&id))
                .map(|u| Reference::new(urls, Resource::Digitaleadressen, *u)),
            vertegenwoordigden: context
                .vertegenwoordigden
                .remove(&row.id)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|id| context.partij_uuids.get(&id))
                .map(|u| Reference::new(urls, Resource::Partijen, *u))
                .collect(),
            rekeningnummers: context
                .rekeningnummers
                .remove(&row.id)
                .unwrap_or_default()
                .into_iter()
                .map(|u| Reference::new(urls, Resource::Rekeningnummers, u))
                .collect(),
            voorkeurs_rekeningnummer: d
                .voorkeurs_rekeningnummer_id
                .and_then(|id| context.rekening_uuids.get(&id))
                .map(|u| Reference::new(urls, Resource::Rekeningnummers, *u)),
            partij_identificatoren: context.identificatoren.remove(&row.id).unwrap_or_default(),
            soort_partij: d.soort_partij.clone(),
            indicatie_geheimhouding: d.indicatie_geheimhouding,
            voorkeurstaal: d.voorkeurstaal.clone(),
            indicatie_actief: d.indicatie_actief,
            bezoekadres: (&d.bezoekadres).into(),
            correspondentieadres: (&d.correspondentieadres).into(),
            partij_identificatie: partij_identificatie(urls, row, &context.partij_uuids),
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
