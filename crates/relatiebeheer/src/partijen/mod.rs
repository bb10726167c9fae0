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
use uuid::Uuid;

pub use filters::PartijFilters;

use crate::lookup;
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
    const REACHES: &'static [(&'static str, reference::Register)] = &[
        ("betrokkenen", reference::Register::Klantcontacten),
        (
            "betrokkenen.hadKlantcontact",
            reference::Register::Klantcontacten,
        ),
    ];

    const EXPAND: &'static [&'static str] = &PARTIJ_EXPAND;

    fn collection(urls: &ApiUrls) -> String {
        urls.collection(Resource::Partijen)
    }

    fn parse_filters(query: &Query) -> ApiResult<PartijFilters> {
        parse_filters(query)
    }

    fn count(conn: &mut DbConnection, filters: &PartijFilters) -> ApiResult<i64> {
        Ok(filtered(filters).count().get_result(conn)?)
    }

    fn page(
        conn: &mut DbConnection,
        filters: &PartijFilters,
        offset: i64,
        limit: i64,
    ) -> ApiResult<Vec<PartijRow>> {
        Ok(filtered(filters)
            .order(p::id.desc())
            .offset(offset)
            .limit(limit)
            .select(PartijRow::as_select())
            .load(conn)?)
    }

    fn find(conn: &mut DbConnection, uuid: Uuid) -> ApiResult<Option<PartijRow>> {
        lookup::partij(conn, uuid)
    }

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

    async fn expand_remote(
        register: &Register,
        origin: &str,
        requested: &[String],
        values: &mut [Value],
    ) -> ApiResult<()> {
        crate::remote::expand_partijen(register, origin, requested, values).await
    }
}
