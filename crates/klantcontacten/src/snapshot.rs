//! This register's objects as the others' read models see them, for a resync
//! (`platform::resync`).

use diesel::prelude::*;
use platform::db::DbConnection;
use platform::ApiResult;
use serde_json::Value;

use crate::schema::{betrokkenen as b, klantcontacten as k};

/// The current objects of `topic` after `after` (by uuid), as event payloads.
pub fn snapshot(
    conn: &mut DbConnection,
    topic: &str,
    after: Option<&str>,
    limit: i64,
) -> ApiResult<Option<Vec<(String, Value)>>> {
    if topic != "betrokkene" {
        return Ok(None);
    }
    let rows: Vec<(String, Option<String>, String, String)> = b::table
        .inner_join(k::table)
        .filter(b::uuid.gt(after.unwrap_or("")))
        .order(b::uuid)
        .limit(limit)
        .select((b::uuid, b::partij_uuid, k::uuid, b::rol))
        .load(conn)?;
    Ok(Some(
        rows.into_iter()
            .map(|(uuid, partij, klantcontact, rol)| {
                let event = crate::betrokkenen::event(
                    partij.as_deref(),
                    &klantcontact,
                    &rol,
                    crate::betrokkenen::Fate::Stored,
                );
                (uuid, platform::events::payload(&event))
            })
            .collect(),
    ))
}
