//! `/partijen`: persoon, organisatie and contactpersoon, with nested identificatoren and the
//! digitale adressen they are linked to.
//!
//! - [`body`]: reading a body;
//! - [`save`]: checking it against the database and storing it;
//! - [`filters`]: the list's filters;
//! - [`delete`]: what goes with a deleted partij.
//!
//! The representation is [`crate::views`]'s.

mod body;
mod delete;
mod filters;
mod save;

use diesel::prelude::*;
use platform::crud::Crud;
use platform::db::DbConnection;
use platform::input::Mode;
use platform::query::Query;
use platform::ApiResult;
use reference::{ApiUrls, Resource};
use serde_json::{Map, Value};

pub use filters::PartijFilters;

use crate::models::PartijRow;
use crate::schema::partijen as p;
use crate::views::{self, PartijView, PARTIJ_EXPAND};
use crate::Register;
use filters::{filtered, parse_filters, FILTERS};

/// `/partijen` for the generic handlers.
pub struct Partijen;

impl Crud for Partijen {
    type State = Register;
    type Row = PartijRow;
    type View = PartijView;
    type Filters = PartijFilters;

    const KANAAL: Option<platform::outbound::Kanaal> = Some(platform::outbound::Kanaal {
        kanaal: "partijen",
        resource: "partij",
        kenmerken: &["nummer", "interneNotitie", "soortPartij"],
    });

    const FILTERS: &'static [&'static str] = &FILTERS;
    const REMOTE_EXPAND: &'static [(&'static str, Resource)] = &[
        ("betrokkenen", Resource::Betrokkenen),
        ("betrokkenen.hadKlantcontact", Resource::Klantcontacten),
    ];

    const EXPAND: &'static [&'static str] = &PARTIJ_EXPAND;

    fn collection(urls: &ApiUrls) -> String {
        urls.collection(Resource::Partijen)
    }

    fn parse_filters(query: &Query) -> ApiResult<PartijFilters> {
        parse_filters(query)
    }

    platform::crud_queries!(p, PartijRow, filtered, p::id.desc(), counted as "partijen");

    fn save(
        conn: &mut DbConnection,
        body: &Map<String, Value>,
        mode: Mode,
        existing: Option<PartijRow>,
    ) -> ApiResult<PartijRow> {
        let stored_soort = existing.as_ref().map(|e| e.data.soort_partij.as_str());
        let input = body::read(body, mode, stored_soort)?;
        let id = save::save(conn, input, existing, mode)?;
        Ok(p::table
            .find(id)
            .select(PartijRow::as_select())
            .first(conn)?)
    }

    fn delete(conn: &mut DbConnection, row: PartijRow) -> ApiResult<()> {
        delete::delete(conn, row)
    }

    fn render(
        conn: &mut DbConnection,
        urls: &ApiUrls,
        rows: &[PartijRow],
    ) -> ApiResult<Vec<PartijView>> {
        views::partijen(conn, urls, rows)
    }

    fn expand(
        conn: &mut DbConnection,
        urls: &ApiUrls,
        rows: &[PartijRow],
        requested: &[String],
    ) -> ApiResult<Vec<Map<String, Value>>> {
        views::partij_expansions(conn, urls, rows, requested)
    }
}
