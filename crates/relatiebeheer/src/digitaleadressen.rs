//! `/digitaleadressen`: e-mail addresses, phone numbers and other digital addresses of a partij
//! or supplied by a betrokkene, with one standaard address per partij and soort.

use diesel::prelude::*;
use platform::crud::Crud;
use platform::db::{functions::lower, DbConnection};
use platform::error::{ApiError, InvalidParam, NON_FIELD_ERRORS};
use platform::input::{Field, Mode, Presence, Reader, Text};
use platform::query::Query;
use platform::ApiResult;
use reference::{ApiUrls, Resource};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::lookup;
use crate::models::{DigitaalAdresData, DigitaalAdresRow};
use crate::schema::{digitale_adressen as da, partij_identificatoren as pi, partijen as p};
use crate::views::{self, DigitaalAdresView};
use crate::Register;
use platform::values::{check_telefoonnummer, is_email};

const SOORTEN: [&str; 3] = ["email", "telefoonnummer", "overig"];
const EXPAND: [&str; 3] = [
    "verstrektDoorBetrokkene",
    "verstrektDoorBetrokkene.hadKlantcontact",
    "verstrektDoorBetrokkene.hadKlantcontact.leiddeTotInterneTaken",
];

fn is_slug(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Reads, checks and stores a digitaal adres in the caller's transaction; returns its id.
fn save(
    conn: &mut DbConnection,
    body: &Map<String, Value>,
    mode: Mode,
    existing: Option<DigitaalAdresRow>,
) -> ApiResult<i64> {
    let mut r = Reader::new(body, mode);
    let betrokkene = r.reference("verstrektDoorBetrokkene", Presence::Nullable);
    let partij = r.reference("verstrektDoorPartij", Presence::Nullable);
    let adres = r.text("adres", Text::required(80));
    let soort = r.choice("soortDigitaalAdres", &SOORTEN, Presence::Required);
    let standaard = r.boolean("isStandaardAdres", Presence::Optional);
    let omschrijving = r.text("omschrijving", Text::optional(40));
    let referentie = r.text("referentie", Text::optional(50));
    if let Field::Set(text) = &referentie {
        if !is_slug(text) {
            r.error(
                "referentie",
                "invalid",
                "Vul een geldige 'slug' in, bestaande uit letters, cijfers, liggende streepjes of verbindingsstreepjes.",
            );
        }
    }
    let verificatie = r.date("verificatieDatum", Presence::Nullable);
    r.finish()?;

    let existing_id = existing.as_ref().map(|e| e.id);
    let old_partij = existing.as_ref().and_then(|e| e.data.partij_id);
    let mut data = existing
        .map(|e| e.data)
        .unwrap_or_else(|| DigitaalAdresData {
            uuid: Uuid::new_v4().to_string(),
            partij_id: None,
            betrokkene_uuid: None,
            adres: String::new(),
            soort_digitaal_adres: String::new(),
            is_standaard_adres: false,
            omschrijving: String::new(),
            referentie: String::new(),
            verificatie_datum: None,
            created_at: platform::time::now(),
        });
    match partij {
        Field::Set(uuid) => match lookup::partij_id(conn, uuid)? {
            Some((id, _)) => data.partij_id = Some(id),
            None => {
                return Err(ApiError::invalid(
                    "verstrektDoorPartij.uuid",
                    "invalid",
                    "Partij object bestaat niet.",
                ))
            }
        },
        Field::Null => data.partij_id = None,
        Field::Absent => {}
    }
    // The betrokkene is the klantcontacten register's; it is kept as a reference.
    if let Some(v) = betrokkene.into_update() {
        data.betrokkene_uuid = v.map(|u| u.to_string());
    }
    adres.apply(&mut data.adres);
    soort.apply(&mut data.soort_digitaal_adres);
    standaard.apply(&mut data.is_standaard_adres);
    omschrijving.apply(&mut data.omschrijving);
    referentie.apply(&mut data.referentie);
    verificatie.apply_nullable(&mut data.verificatie_datum);

    let mut errors = Vec::new();
    if body.contains_key("adres") || body.contains_key("soortDigitaalAdres") {
        let problem = match data.soort_digitaal_adres.as_str() {
            "email" if !is_email(&data.adres) => Some("Voer een geldig e-mailadres in."),
            "telefoonnummer" => check_telefoonnummer(&data.adres).err(),
            _ => None,
        };
        if let Some(reason) = problem {
            errors.push(InvalidParam::new("adres", "invalid", reason));
        }
    }
    if data.is_standaard_adres && data.partij_id.is_none() {
        errors.push(InvalidParam::new(
            "isStandaardAdres",
            "invalid",
            "`is_standaard_adres` kan alleen gezet worden als `verstrekt_door_partij` niet leeg is.",
        ));
    }
    if let (Some(partij), false) = (data.partij_id, data.referentie.is_empty()) {
        let taken = da::table
            .filter(da::partij_id.eq(partij))
            .filter(da::referentie.eq(&data.referentie))
            .filter(da::soort_digitaal_adres.eq(&data.soort_digitaal_adres))
            .filter(da::id.ne(existing_id.unwrap_or(-1)))
            .select(da::id)
            .first::<i64>(conn)
            .optional()?;
        if taken.is_some() {
            errors.push(InvalidParam::new(
                NON_FIELD_ERRORS,
                "unique",
                "De velden verstrekt_door_partij, referentie, soort_digitaal_adres moeten een unieke set zijn.",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }

    let id = platform::store_row!(conn, da, existing_id, &data);
    if let Some(old) = old_partij.filter(|old| Some(*old) != data.partij_id) {
        // Moved away: it is no longer the old partij's voorkeur.
        diesel::update(
            p::table
                .find(old)
                .filter(p::voorkeurs_digitaal_adres_id.eq(id)),
        )
        .set(p::voorkeurs_digitaal_adres_id.eq(None::<i64>))
        .execute(conn)?;
    }
    platform::events::emit(
        conn,
        &data.uuid,
        &crate::events::adres(data.betrokkene_uuid.as_deref()),
    )?;
    if data.is_standaard_adres {
        if let Some(partij) = data.partij_id {
            // The new standaard takes over from the others of its partij and soort.
            diesel::update(
                da::table
                    .filter(da::partij_id.eq(partij))
                    .filter(da::soort_digitaal_adres.eq(&data.soort_digitaal_adres))
                    .filter(da::id.ne(id)),
            )
            .set(da::is_standaard_adres.eq(false))
            .execute(conn)?;
        }
    }
    Ok(id)
}

/// Keeps at most one standaard address per soort for a partij (the newest wins), after
/// addresses were moved to it.
pub fn keep_one_standaard(conn: &mut DbConnection, partij: i64) -> ApiResult<()> {
    let standaard: Vec<(i64, String)> = da::table
        .filter(da::partij_id.eq(partij))
        .filter(da::is_standaard_adres.eq(true))
        .order(da::id.desc())
        .select((da::id, da::soort_digitaal_adres))
        .load(conn)?;
    let mut seen: Vec<&str> = Vec::new();
    let mut demote = Vec::new();
    for (id, soort) in &standaard {
        if seen.contains(&soort.as_str()) {
            demote.push(*id);
        } else {
            seen.push(soort);
        }
    }
    if !demote.is_empty() {
        diesel::update(da::table.filter(da::id.eq_any(demote)))
            .set(da::is_standaard_adres.eq(false))
            .execute(conn)?;
    }
    Ok(())
}

const FILTERS: [&str; 23] = [
    "adres",
    "adres__icontains",
    "soortDigitaalAdres",
    "isStandaardAdres",
    "omschrijving",
    "referentie",
    "verificatieDatum",
    "verificatieDatum__gt",
    "verificatieDatum__gte",
    "verificatieDatum__lt",
    "verificatieDatum__lte",
    "isGeverifieerd",
    "verstrektDoorBetrokkene__uuid",
    "verstrektDoorBetrokkene__url",
    "verstrektDoorPartij__uuid",
    "verstrektDoorPartij__url",
    "verstrektDoorPartij__soortPartij",
    "verstrektDoorPartij__partijIdentificator__codeObjecttype",
    "verstrektDoorPartij__partijIdentificator__codeSoortObjectId",
    "verstrektDoorPartij__partijIdentificator__objectId",
    "verstrektDoorPartij__partijIdentificator__codeRegister",
    "verstrektDoorBetrokkene__rol",
    "expand",
];

#[derive(Debug, Default, Clone)]
pub struct AdresFilters {
    adres: Option<String>,
    adres_contains: Option<String>,
    soort: Option<String>,
    standaard: Option<bool>,
    omschrijving: Option<String>,
    referentie: Option<String>,
    /// (operator, date)
    verificatie: Vec<(&'static str, time::Date)>,
    geverifieerd: Option<bool>,
    betrokkene: Option<String>,
    betrokkene_rol: Option<String>,
    partij: Option<String>,
    partij_soort: Option<String>,
    identificator: Vec<(&'static str, String)>,
    nothing_matches: bool,
}

fn parse_filters(query: &Query) -> ApiResult<AdresFilters> {
    let mut f = query.filters();
    let mut filters = AdresFilters {
        adres: f.text("adres").map(str::to_owned),
        adres_contains: f.text("adres__icontains").map(str::to_lowercase),
        soort: f.choice("soortDigitaalAdres", &SOORTEN).map(str::to_owned),
        standaard: f.boolean("isStandaardAdres"),
        omschrijving: f.text("omschrijving").map(str::to_lowercase),
        referentie: f.text("referentie").map(str::to_owned),
        geverifieerd: f.boolean("isGeverifieerd"),
        betrokkene_rol: f
            .choice(
                "verstrektDoorBetrokkene__rol",
                &["klant", "vertegenwoordiger"],
            )
            .map(str::to_owned),
        partij_soort: f
            .choice(
                "verstrektDoorPartij__soortPartij",
                &["persoon", "organisatie", "contactpersoon"],
            )
            .map(str::to_owned),
        ..AdresFilters::default()
    };
    for (name, op) in [
        ("verificatieDatum", "eq"),
        ("verificatieDatum__gt", "gt"),
        ("verificatieDatum__gte", "gte"),
        ("verificatieDatum__lt", "lt"),
        ("verificatieDatum__lte", "lte"),
    ] {
        if let Some(date) = f.date(name) {
            filters.verificatie.push((op, date));
        }
    }
    for (prefix, slot) in [
        ("verstrektDoorBetrokkene", &mut filters.betrokkene),
        ("verstrektDoorPartij", &mut filters.partij),
    ] {
        *slot = f.reference(prefix).map(|u| u.to_string());
    }
    filters.nothing_matches = f.matches_nothing();
    for member in [
        "codeObjecttype",
        "codeSoortObjectId",
        "objectId",
        "codeRegister",
    ] {
        if let Some(v) = f.text(&format!(
            "verstrektDoorPartij__partijIdentificator__{member}"
        )) {
            filters.identificator.push((member, v.to_owned()));
        }
    }
    f.finish()?;
    Ok(filters)
}

type Boxed<'a> = da::BoxedQuery<'a, platform::db::MultiBackend>;

fn filtered(filters: &AdresFilters) -> Boxed<'static> {
    let mut q = da::table.into_boxed();
    if filters.nothing_matches {
        return q.filter(da::id.lt(0));
    }
    if let Some(v) = &filters.adres {
        q = q.filter(da::adres.eq(v.clone()));
    }
    if let Some(v) = &filters.adres_contains {
        q = q.filter(
            lower(da::adres)
                .like(format!("%{}%", platform::query::escape_like(v)))
                .escape('\\'),
        );
    }
    if let Some(v) = &filters.soort {
        q = q.filter(da::soort_digitaal_adres.eq(v.clone()));
    }
    if let Some(v) = filters.standaard {
        q = q.filter(da::is_standaard_adres.eq(v));
    }
    if let Some(v) = &filters.omschrijving {
        q = q.filter(
            lower(da::omschrijving)
                .like(format!("%{}%", platform::query::escape_like(v)))
                .escape('\\'),
        );
    }
    if let Some(v) = &filters.referentie {
        q = q.filter(da::referentie.eq(v.clone()));
    }
    for (op, date) in &filters.verificatie {
        let date = *date;
        q = match *op {
            "eq" => q.filter(da::verificatie_datum.eq(date)),
            "gt" => q.filter(da::verificatie_datum.gt(date)),
            "gte" => q.filter(da::verificatie_datum.ge(date)),
            "lt" => q.filter(da::verificatie_datum.lt(date)),
            _ => q.filter(da::verificatie_datum.le(date)),
        };
    }
    match filters.geverifieerd {
        Some(true) => q = q.filter(da::verificatie_datum.is_not_null()),
        Some(false) => q = q.filter(da::verificatie_datum.is_null()),
        None => {}
    }
    if let Some(v) = &filters.betrokkene {
        q = q.filter(da::betrokkene_uuid.eq(v.clone()));
    }
    // The rol of a betrokkene is known here through the klantcontacten register's events.
    if let Some(rol) = &filters.betrokkene_rol {
        use crate::readmodel::partij_betrokkenen as pb;
        q = q.filter(
            da::betrokkene_uuid.eq_any(
                pb::table
                    .filter(pb::rol.eq(rol.clone()))
                    .filter(pb::deleted.eq(false))
                    .select(pb::betrokkene_uuid.nullable()),
            ),
        );
    }
    if let Some(v) = &filters.partij {
        q = q.filter(
            da::partij_id.eq_any(
                p::table
                    .filter(p::uuid.eq(v.clone()))
                    .select(p::id.nullable()),
            ),
        );
    }
    if let Some(v) = &filters.partij_soort {
        let v = v.clone();
        q = q.filter(diesel::dsl::exists(
            p::table
                .filter(p::id.nullable().eq(da::partij_id))
                .filter(p::soort_partij.eq(v)),
        ));
    }
    // As on partijen: an object id drives the query, the codes are checked per candidate.
    for (member, v) in &filters.identificator {
        let v = v.clone();
        q = if *member == "objectId" {
            q.filter(
                da::partij_id.eq_any(pi::table.filter(pi::object_id.eq(v)).select(pi::partij_id)),
            )
        } else {
            crate::lookup::by_member!(*member, |col| q.filter(diesel::dsl::exists(
                pi::table
                    .filter(pi::partij_id.eq(da::partij_id))
                    .filter(col.eq(v))
            )))
        };
    }
    q
}

/// `/digitaleadressen` for the generic handlers.
pub struct DigitaleAdressen;

impl Crud for DigitaleAdressen {
    type State = Register;
    type Row = DigitaalAdresRow;
    type View = DigitaalAdresView;
    type Filters = AdresFilters;

    const FILTERS: &'static [&'static str] = &FILTERS;
    const REACHES: &'static [(&'static str, reference::Register)] = &[
        (
            "verstrektDoorBetrokkene__rol",
            reference::Register::Klantcontacten,
        ),
        (
            "verstrektDoorBetrokkene",
            reference::Register::Klantcontacten,
        ),
        (
            "verstrektDoorBetrokkene.hadKlantcontact",
            reference::Register::Klantcontacten,
        ),
        (
            "verstrektDoorBetrokkene.hadKlantcontact.leiddeTotInterneTaken",
            reference::Register::Klanttaak,
        ),
    ];

    const EXPAND: &'static [&'static str] = &EXPAND;

    fn collection(urls: &ApiUrls) -> String {
        urls.collection(Resource::Digitaleadressen)
    }

    fn parse_filters(query: &Query) -> ApiResult<AdresFilters> {
        parse_filters(query)
    }

    fn count(conn: &mut DbConnection, filters: &AdresFilters) -> ApiResult<i64> {
        Ok(filtered(filters).count().get_result(conn)?)
    }

    fn page(
        conn: &mut DbConnection,
        filters: &AdresFilters,
        offset: i64,
        limit: i64,
    ) -> ApiResult<Vec<DigitaalAdresRow>> {
        Ok(filtered(filters)
            .order(da::id.desc())
            .offset(offset)
            .limit(limit)
            .select(DigitaalAdresRow::as_select())
            .load(conn)?)
    }

    fn find(conn: &mut DbConnection, uuid: Uuid) -> ApiResult<Option<DigitaalAdresRow>> {
        lookup::digitaal_adres(conn, uuid)
    }

    async fn verify(
        register: &Register,
        body: &Map<String, Value>,
    ) -> ApiResult<Vec<InvalidParam>> {
        platform::crud::References::default()
            .add(
                body,
                "",
                "verstrektDoorBetrokkene",
                Resource::Betrokkenen,
                "Betrokkene",
            )
            .check(&register.shared.resolver)
            .await
    }

    const FIELDS: &'static [&'static str] = &[
        "verstrektDoorBetrokkene",
        "verstrektDoorPartij",
        "adres",
        "soortDigitaalAdres",
        "isStandaardAdres",
        "omschrijving",
        "referentie",
        "verificatieDatum",
    ];

    fn save(
        conn: &mut DbConnection,
        body: &Map<String, Value>,
        mode: Mode,
        existing: Option<DigitaalAdresRow>,
    ) -> ApiResult<DigitaalAdresRow> {
        let id = save(conn, body, mode, existing)?;
        Ok(da::table
            .find(id)
            .select(DigitaalAdresRow::as_select())
            .first(conn)?)
    }

    /// A partij whose voorkeur it was keeps existing without one.
    fn delete(conn: &mut DbConnection, row: DigitaalAdresRow) -> ApiResult<()> {
        crate::events::emit_deleted(conn, std::slice::from_ref(&row.data.uuid))?;
        diesel::update(p::table.filter(p::voorkeurs_digitaal_adres_id.eq(row.id)))
            .set(p::voorkeurs_digitaal_adres_id.eq(None::<i64>))
            .execute(conn)?;
        diesel::delete(da::table.find(row.id)).execute(conn)?;
        Ok(())
    }

    fn render(
        conn: &mut DbConnection,
        urls: &ApiUrls,
        rows: &[DigitaalAdresRow],
    ) -> ApiResult<Vec<DigitaalAdresView>> {
        views::digitale_adressen(conn, urls, rows)
    }

    async fn expand_remote(
        register: &Register,
        origin: &str,
        requested: &[String],
        values: &mut [Value],
    ) -> ApiResult<()> {
        crate::remote::expand_adressen(register, origin, requested, values).await
    }
}
