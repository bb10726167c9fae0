//! `/internetaken`: follow-up work a klantcontact led to (call back, answer, route), assigned to
//! one or more actoren, newest first (pollers depend on it).
//!
//! The klantcontact and the actoren live in the klantcontacten register: they are stored as
//! uuids, checked there on write, and filters on their fields (`klantcontact__nummer`,
//! `actoren__naam`) ask that register once and filter here.

mod body;
mod filters;
mod save;
mod view;

use diesel::prelude::*;
use platform::crud::Crud;
use platform::db::DbConnection;
use platform::input::Mode;
use platform::query::Query;
use platform::ApiResult;
use reference::internal::InternetaakEvent;
use reference::{ApiUrls, Resource};
use serde_json::{Map, Value};

use crate::models::{InternetaakData, InternetaakRow};
use crate::schema::{internetaak_actoren as ia, internetaken as t};
use crate::Register;
use filters::{filtered, Filters};
use view::InternetaakView;

const STATUSSEN: [&str; 2] = ["te_verwerken", "verwerkt"];

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
        filters::parse(query)
    }

    async fn prepare(state: &Register, origin: &str, filters: &mut Filters) -> ApiResult<()> {
        filters::prepare(state, origin, filters).await
    }

    platform::crud_queries!(
        t,
        InternetaakRow,
        filtered,
        (t::toegewezen_op.desc(), t::id.desc()),
        counted as "internetaken"
    );

    const REFERENCES: &'static [(&'static str, Resource, &'static str)] = &[
        (
            "aanleidinggevendKlantcontact",
            Resource::Klantcontacten,
            "Klantcontact",
        ),
        ("toegewezenAanActor", Resource::Actoren, "Actor"),
        ("toegewezenAanActoren", Resource::Actoren, "Actor"),
    ];

    fn save(
        conn: &mut DbConnection,
        body: &Map<String, Value>,
        mode: Mode,
        existing: Option<InternetaakRow>,
    ) -> ApiResult<InternetaakRow> {
        let input = body::read(body, mode)?;
        save::store(conn, input, existing)
    }

    fn delete(conn: &mut DbConnection, row: InternetaakRow) -> ApiResult<()> {
        delete_row(conn, &row)
    }

    fn render(
        conn: &mut DbConnection,
        urls: &ApiUrls,
        rows: &[InternetaakRow],
    ) -> ApiResult<Vec<InternetaakView>> {
        view::views(conn, urls, rows)
    }
}
