//! This register's objects as the others' read models see them, for a resync
//! (`platform::resync`).

use diesel::prelude::*;
use platform::db::DbConnection;
use platform::ApiResult;
use serde_json::Value;

use crate::schema::digitale_adressen as da;

/// The current objects of `topic` after `after` (by uuid), as event payloads.
pub fn snapshot(
    conn: &mut DbConnection,
    topic: &str,
    after: Option<&str>,
    limit: i64,
) -> ApiResult<Option<Vec<(String, Value)>>> {
    if topic != "digitaaladres" {
        return Ok(None);
    }
    let rows: Vec<(String, Option<String>)> = da::table
        .filter(da::uuid.gt(after.unwrap_or("")))
        .order(da::uuid)
        .limit(limit)
        .select((da::uuid, da::betrokkene_uuid))
        .load(conn)?;
    Ok(Some(
        rows.into_iter()
            .map(|(uuid, betrokkene)| {
                let event = crate::events::adres(betrokkene.as_deref());
                (uuid, platform::events::payload(&event))
            })
            .collect(),
    ))
}
