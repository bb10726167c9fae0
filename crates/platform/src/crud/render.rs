//! Rows as the API shows them: the resource's views, with `_expand` where asked for.

use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::db::DbConnection;
use crate::error::ApiError;
use crate::ApiResult;

use super::Crud;

/// Renders rows, with `_expand` when `expand` is `Some` (lists of expandable resources always
/// carry it; a detail only when a top-level relation was asked for).
pub(super) fn render_with<R: Crud>(
    conn: &mut DbConnection,
    urls: &reference::ApiUrls,
    rows: &[R::Row],
    expand: Option<&[String]>,
) -> ApiResult<Vec<Value>> {
    let views = R::render(conn, urls, rows)?;
    let mut values: Vec<Value> = views
        .iter()
        .map(|v| serde_json::to_value(v).map_err(|e| ApiError::Internal(e.into())))
        .collect::<ApiResult<_>>()?;
    if let Some(requested) = expand {
        // Nothing asked for is an empty `_expand`, without a query.
        let expansions = if requested.is_empty() {
            rows.iter().map(|_| Map::new()).collect()
        } else {
            R::expand(conn, urls, rows, requested)?
        };
        for (value, expanded) in values.iter_mut().zip(expansions) {
            if let Value::Object(map) = value {
                map.insert("_expand".into(), Value::Object(expanded));
            }
        }
    }
    Ok(values)
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
