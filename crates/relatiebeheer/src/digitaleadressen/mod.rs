//! `/digitaleadressen`: e-mail addresses, phone numbers and other digital addresses of a partij
//! or supplied by a betrokkene, with one standaard address per partij and soort.

mod filters;

use diesel::prelude::*;
use platform::crud::Crud;
use platform::db::DbConnection;
use platform::error::{ApiError, InvalidParam};
use platform::input::{Field, Mode, Presence, Reader, Text};
use platform::query::Query;
use platform::ApiResult;
use reference::{ApiUrls, Resource};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::lookup;
use crate::models::{DigitaalAdresData, DigitaalAdresRow};
use crate::schema::{digitale_adressen as da, partijen as p};
use crate::views::{self, DigitaalAdresView};
use crate::Register;
use filters::{filtered, AdresFilters, FILTERS};
use platform::values::{check_telefoonnummer, is_email};

pub(crate) const SOORTEN: [&str; 3] = ["email", "telefoonnummer", "overig"];
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
                return Err(ApiError::no_such_object(
                    "verstrektDoorPartij.uuid",
                    "Partij",
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
            errors.push(InvalidParam::not_unique(
                "verstrekt_door_partij, referentie, soort_digitaal_adres",
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

/// `/digitaleadressen` for the generic handlers.
pub struct DigitaleAdressen;

impl Crud for DigitaleAdressen {
    type State = Register;
    type Row = DigitaalAdresRow;
    type View = DigitaalAdresView;
    type Filters = AdresFilters;

    const FILTERS: &'static [&'static str] = &FILTERS;
    const REACHES: &'static [(&'static str, reference::Register)] = &[(
        "verstrektDoorBetrokkene__rol",
        reference::Register::Klantcontacten,
    )];
    const REMOTE_EXPAND: &'static [(&'static str, Resource)] = &[
        ("verstrektDoorBetrokkene", Resource::Betrokkenen),
        (
            "verstrektDoorBetrokkene.hadKlantcontact",
            Resource::Klantcontacten,
        ),
        (
            "verstrektDoorBetrokkene.hadKlantcontact.leiddeTotInterneTaken",
            Resource::Internetaken,
        ),
    ];

    const EXPAND: &'static [&'static str] = &EXPAND;

    fn collection(urls: &ApiUrls) -> String {
        urls.collection(Resource::Digitaleadressen)
    }

    fn parse_filters(query: &Query) -> ApiResult<AdresFilters> {
        filters::parse(query)
    }

    platform::crud_queries!(
        da,
        DigitaalAdresRow,
        filtered,
        da::id.desc(),
        counted as "digitale_adressen"
    );

    const REFERENCES: &'static [(&'static str, Resource, &'static str)] = &[(
        "verstrektDoorBetrokkene",
        Resource::Betrokkenen,
        "Betrokkene",
    )];

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
}
