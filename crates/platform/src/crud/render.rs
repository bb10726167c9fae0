//! Rows as the API shows them: the resource's views, with `_expand` where asked for.

use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::db::DbConnection;
use crate::error::ApiError;
use crate::ApiResult;

use super::Crud;

/// An object as shown, with its `_expand` when it has one.
#[derive(Serialize)]
pub(super) struct Item<V> {
    #[serde(flatten)]
    view: V,
    #[serde(rename = "_expand", skip_serializing_if = "Option::is_none")]
    expand: Option<Map<String, Value>>,
}

/// Renders rows, with `_expand` when `expand` is `Some` (lists of expandable resources always
/// carry it; a detail only when a top-level relation was asked for). They are written out as
/// they are; only relations of another register turn them into JSON values first
/// ([`as_values`]).
pub(super) fn render_with<R: Crud>(
    conn: &mut DbConnection,
    urls: &reference::ApiUrls,
    rows: &[R::Row],
    expand: Option<&[String]>,
) -> ApiResult<Vec<Item<R::View>>> {
    let views = R::render(conn, urls, rows)?;
    let expansions: Vec<Option<Map<String, Value>>> = match expand {
        None => views.iter().map(|_| None).collect(),
        // Nothing asked for is an empty `_expand`, without a query.
        Some([]) => views.iter().map(|_| Some(Map::new())).collect(),
        Some(requested) => R::expand(conn, urls, rows, requested)?
            .into_iter()
            .map(Some)
            .collect(),
    };
    Ok(views
        .into_iter()
        .zip(expansions)
        .map(|(view, expand)| Item { view, expand })
        .collect())
}

/// Rendered objects as JSON values, for filling in what other registers hold.
pub(super) fn as_values<T: Serialize>(items: Vec<T>) -> ApiResult<Vec<Value>> {
    items.iter().map(as_value).collect()
}

pub(super) fn known_on_list<R: Crud>() -> Vec<&'static str> {
    let mut known = R::FILTERS.to_vec();
    if !R::EXPAND.is_empty() {
        known.push("expand");
    }
    known
}

pub(super) fn render_one<R: Crud>(
    conn: &mut DbConnection,
    urls: &reference::ApiUrls,
    row: R::Row,
) -> ApiResult<R::View> {
    R::render(conn, urls, std::slice::from_ref(&row))?
        .pop()
        .ok_or_else(ApiError::not_found)
}

pub(super) fn found<R: Crud>(conn: &mut DbConnection, uuid: Uuid) -> ApiResult<R::Row> {
    R::find(conn, uuid)?.ok_or_else(ApiError::not_found)
}

/// Rows rendered as JSON values (for another register's `expand`).
pub fn render_values<R: Crud>(
    conn: &mut DbConnection,
    urls: &reference::ApiUrls,
    rows: &[R::Row],
) -> ApiResult<Vec<Value>> {
    R::render(conn, urls, rows)?.iter().map(as_value).collect()
}

pub(super) fn as_value<T: Serialize>(view: &T) -> ApiResult<Value> {
    serde_json::to_value(view).map_err(|e| ApiError::Internal(e.into()))
}

/// The object as a GET shows it (the audit trail keeps it as the state before a change).
pub(super) fn before<R: Crud>(
    conn: &mut DbConnection,
    urls: &reference::ApiUrls,
    row: &R::Row,
) -> ApiResult<Option<Value>> {
    match R::render(conn, urls, std::slice::from_ref(row))?.first() {
        Some(view) => Ok(Some(as_value(view)?)),
        None => Ok(None),
    }
}
