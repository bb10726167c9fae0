//! This register's objects as the others' read models see them, for a resync
//! (`platform::resync`).

use diesel::prelude::*;
use platform::db::DbConnection;
use platform::ApiResult;
use reference::internal::BetrokkeneEvent;

use crate::betrokkenen::{event, Fate};
use crate::schema::{betrokkenen as b, klantcontacten as k};

/// The betrokkenen after uuid `after`, by uuid, as their events.
pub fn snapshot(
    conn: &mut DbConnection,
    after: &str,
    limit: i64,
) -> ApiResult<Vec<(String, BetrokkeneEvent)>> {
    let rows: Vec<(String, Option<String>, String, String)> = b::table
        .inner_join(k::table)
        .filter(b::uuid.gt(after))
        .order(b::uuid)
        .limit(limit)
        .select((b::uuid, b::partij_uuid, k::uuid, b::rol))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(uuid, partij, klantcontact, rol)| {
            let event = event(partij.as_deref(), &klantcontact, &rol, Fate::Stored);
            (uuid, event)
        })
        .collect())
}
