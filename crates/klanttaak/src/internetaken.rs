//! `/internetaken`: follow-up work a klantcontact led to (call back, answer, route), assigned to
//! one or more actoren, newest first (pollers depend on it).
//!
//! The klantcontact and the actoren live in the klantcontacten register: they are stored as
//! uuids, checked there on write, and filters on their fields (`klantcontact__nummer`,
//! `actoren__naam`) ask that register once and filter here.

use std::collections::HashMap;

use diesel::prelude::*;
use platform::crud::Crud;
use platform::db::DbConnection;
use platform::error::{ApiError, InvalidParam, NON_FIELD_ERRORS};
use platform::input::{Field, Mode, Presence, Reader, Text};
use platform::query::Query;
use platform::values::{read_number_text, read_nummer};
use platform::ApiResult;
use reference::internal::InternetaakEvent;
use reference::{ApiUrls, Reference, Resource};
use serde::Serialize;
use serde_json::{Map, Value};
use time::PrimitiveDateTime;
use uuid::Uuid;

use crate::models::{InternetaakData, InternetaakRow};
use crate::schema::{internetaak_actoren as ia, internetaken as t};
use crate::Register;

const STATUSSEN: [&str; 2] = ["te_verwerken", "verwerkt"];

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

/// What a write changes in the assignment: nothing, or the whole ordered list.
fn read_actoren(r: &mut Reader<'_>) -> Option<Vec<Uuid>> {
    let single = r.reference("toegewezenAanActor", Presence::Optional);
    let list = r.reference_list("toegewezenAanActoren", Presence::Optional);
    let (has_single, has_list) = (r.has("toegewezenAanActor"), r.has("toegewezenAanActoren"));
    if has_single && has_list {
        r.error(
            NON_FIELD_ERRORS,
            "invalid",
            "`toegewezen_aan_actor` en `toegewezen_aan_actoren` mag niet beiden gebruikt worden.",
        );
        return None;
    }
    if !has_single && !has_list && r.mode().enforces_required() {
        r.error(
            NON_FIELD_ERRORS,
            "invalid",
            "`toegewezen_aan_actor` of `toegewezen_aan_actoren` is required (mag niet beiden gebruiken).",
        );
        return None;
    }
    match (single, list) {
        (Field::Set(actor), _) => Some(vec![actor]),
        (_, Field::Set(mut actoren)) => {
            // An actor named twice is assigned once, at its first place.
            let mut seen = std::collections::HashSet::new();
            actoren.retain(|a| seen.insert(*a));
            Some(actoren)
        }
        _ => None,
    }
}

/// Checks the klantcontact and the actoren a body names in the klantcontacten register.
pub async fn verify(
    register: &Register,
    body: &Map<String, Value>,
) -> ApiResult<Vec<InvalidParam>> {
    platform::crud::References::default()
        .add(
            body,
            "",
            "aanleidinggevendKlantcontact",
            Resource::Klantcontacten,
            "Klantcontact",
        )
        .add(body, "", "toegewezenAanActor", Resource::Actoren, "Actor")
        .add(body, "", "toegewezenAanActoren", Resource::Actoren, "Actor")
        .check(&register.shared.resolver)
        .await
}

fn save(
    conn: &mut DbConnection,
    body: &Map<String, Value>,
    mode: Mode,
    existing: Option<InternetaakRow>,
) -> ApiResult<InternetaakRow> {
    let mut r = Reader::new(body, mode);
    let nummer = read_nummer(&mut r);
    let referentienummer = read_number_text(&mut r, "referentienummer");
    let handeling = r.text("gevraagdeHandeling", Text::required(200));
    let klantcontact = r.reference("aanleidinggevendKlantcontact", Presence::Required);
    let actoren = read_actoren(&mut r);
    let toelichting = r.text("toelichting", Text::optional(1000));
    let status = r.choice("status", &STATUSSEN, Presence::Required);
    let afgehandeld_op = r.datetime("afgehandeldOp", Presence::Nullable);
    r.finish()?;

    let existing_id = existing.as_ref().map(|e| e.id);
    let now = platform::time::now();
    let mut data = existing.map(|e| e.data).unwrap_or_else(|| InternetaakData {
        uuid: Uuid::new_v4().to_string(),
        nummer: None,
        referentienummer: None,
        gevraagde_handeling: String::new(),
        klantcontact_uuid: String::new(),
        toelichting: String::new(),
        status: STATUSSEN[0].into(),
        toegewezen_op: now,
        afgehandeld_op: None,
    });
    nummer.apply(&mut data.nummer);
    referentienummer.apply(&mut data.referentienummer);
    handeling.apply(&mut data.gevraagde_handeling);
    if let Field::Set(v) = klantcontact {
        data.klantcontact_uuid = v.to_string();
    }
    toelichting.apply(&mut data.toelichting);
    status.apply(&mut data.status);
    // `afgehandeldOp` follows the status: given only with `verwerkt`, set when a task becomes
    // verwerkt without one, kept while it stays verwerkt, cleared when it is reopened.
    let verwerkt = data.status == "verwerkt";
    match afgehandeld_op {
        Field::Set(_) if !verwerkt => {
            return Err(ApiError::invalid(
                "afgehandeldOp",
                "invalid",
                "De Internetaak kan geen afgehandeld op datum bevatten als de status niet op 'verwerkt' staat.",
            ));
        }
        Field::Set(moment) => data.afgehandeld_op = Some(moment),
        Field::Null | Field::Absent if !verwerkt => data.afgehandeld_op = None,
        Field::Null => data.afgehandeld_op = Some(now),
        Field::Absent => {
            data.afgehandeld_op.get_or_insert(now);
        }
    }

    let mut errors = Vec::new();
    for (name, value, message) in [
        (
            "nummer",
            &data.nummer,
            "Er bestaat al een interne taak met eenzelfde nummer.",
        ),
        (
            "referentienummer",
            &data.referentienummer,
            "Er bestaat al een interne taak met eenzelfde referentienummer.",
        ),
    ] {
        let Some(value) = value else { continue };
        let others = t::table
            .filter(t::id.ne(existing_id.unwrap_or(-1)))
            .select(t::id)
            .into_boxed();
        let others = if name == "nummer" {
            others.filter(t::nummer.eq(value))
        } else {
            others.filter(t::referentienummer.eq(value))
        };
        if others.first::<i64>(conn).optional()?.is_some() {
            errors.push(InvalidParam::new(name, "unique", message));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }

    let id = platform::store_row!(conn, t, existing_id, &data);
    if let Some(actoren) = actoren {
        diesel::delete(ia::table.filter(ia::internetaak_id.eq(id))).execute(conn)?;
        // One statement per actor: a task has a few, and batch inserts are not portable here.
        for (position, actor) in actoren.iter().enumerate() {
            diesel::insert_into(ia::table)
                .values((
                    ia::internetaak_id.eq(id),
                    ia::position.eq(position as i32),
                    ia::actor_uuid.eq(actor.to_string()),
                ))
                .execute(conn)?;
        }
    }
    emit(conn, &data, false)?;
    Ok(InternetaakRow { id, data })
}

/// Tells the klantcontacten register (through the outbox) which klantcontact a task belongs to.
fn emit(conn: &mut DbConnection, data: &InternetaakData, deleted: bool) -> ApiResult<()> {
    platform::events::emit(conn, &data.uuid, &event(data, deleted))
}

/// What an internetaak event says: what klantcontacten' read model keeps of it.
pub fn event(data: &InternetaakData, deleted: bool) -> InternetaakEvent {
    InternetaakEvent {
        aanleidinggevend_klantcontact: data.klantcontact_uuid.clone(),
        toegewezen_op: platform::time::format_datetime(data.toegewezen_op),
        deleted,
    }
}

/// Deletes a task with its assignments; klantcontacten hears of it.
pub fn delete_row(conn: &mut DbConnection, row: &InternetaakRow) -> ApiResult<()> {
    diesel::delete(ia::table.filter(ia::internetaak_id.eq(row.id))).execute(conn)?;
    diesel::delete(t::table.find(row.id)).execute(conn)?;
    emit(conn, &row.data, true)
}

pub struct Internetaken;

#[derive(Default)]
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

type Boxed = t::BoxedQuery<'static, platform::db::MultiBackend>;

fn filtered(f: &Filters) -> Boxed {
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

impl Crud for Internetaken {
    type State = Register;
    type Row = InternetaakRow;
    type View = InternetaakView;
    type Filters = Filters;

    const KANAAL: Option<platform::outbound::Kanaal> = Some(platform::outbound::Kanaal {
        kanaal: "internetaken",
        resource: "internetaak",
        kenmerken: &["nummer", "gevraagdeHandeling", "toelichting", "status"],
    });

    const REACHES: &'static [(&'static str, reference::Register)] = &[
        ("klantcontact__nummer", reference::Register::Klantcontacten),
        (
            "klantcontact__referentienummer",
            reference::Register::Klantcontacten,
        ),
        ("actoren__naam", reference::Register::Klantcontacten),
    ];

    const FIELDS: &'static [&'static str] = &[
        "nummer",
        "referentienummer",
        "gevraagdeHandeling",
        "aanleidinggevendKlantcontact",
        "toegewezenAanActor",
        "toegewezenAanActoren",
        "toelichting",
        "status",
        "toegewezenOp",
        "afgehandeldOp",
    ];

    const FILTERS: &'static [&'static str] = &[
        "nummer",
        "referentienummer",
        "status",
        "toegewezenOp",
        "actoren__naam",
        "klantcontact__uuid",
        "klantcontact__nummer",
        "klantcontact__referentienummer",
        "toegewezenAanActor__uuid",
        "toegewezenAanActor__url",
        "aanleidinggevendKlantcontact__uuid",
        "aanleidinggevendKlantcontact__url",
    ];

    fn collection(urls: &ApiUrls) -> String {
        urls.collection(Resource::Internetaken)
    }

    fn parse_filters(query: &Query) -> ApiResult<Filters> {
        let mut f = query.filters();
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
        f.finish()?;
        Ok(filters)
    }

    async fn prepare(state: &Register, origin: &str, filters: &mut Filters) -> ApiResult<()> {
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

    platform::crud_queries!(
        t,
        InternetaakRow,
        filtered,
        (t::toegewezen_op.desc(), t::id.desc())
    );

    async fn verify(state: &Register, body: &Map<String, Value>) -> ApiResult<Vec<InvalidParam>> {
        verify(state, body).await
    }

    fn save(
        conn: &mut DbConnection,
        body: &Map<String, Value>,
        mode: Mode,
        existing: Option<InternetaakRow>,
    ) -> ApiResult<InternetaakRow> {
        save(conn, body, mode, existing)
    }

    fn delete(conn: &mut DbConnection, row: InternetaakRow) -> ApiResult<()> {
        delete_row(conn, &row)
    }

    fn render(
        conn: &mut DbConnection,
        urls: &ApiUrls,
        rows: &[InternetaakRow],
    ) -> ApiResult<Vec<InternetaakView>> {
        views(conn, urls, rows)
    }
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
