//! This register's objects as the others' read models see them, for a resync
//! (`platform::resync`).

use diesel::prelude::*;
use platform::db::DbConnection;
use platform::ApiResult;
use serde_json::Value;

use crate::models::InternetaakData;
use crate::schema::internetaken as t;

/// The current objects of `topic` after `after` (by uuid), as event payloads.
pub fn snapshot(
    conn: &mut DbConnection,
    topic: &str,
    after: Option<&str>,
    limit: i64,
) -> ApiResult<Option<Vec<(String, Value)>>> {
    if topic != "internetaak" {
        return Ok(None);
    }
    let rows: Vec<InternetaakData> = t::table
        .filter(t::uuid.gt(after.unwrap_or("")))
        .order(t::uuid)
        .limit(limit)
        .select(InternetaakData::as_select())
        .load(conn)?;
    Ok(Some(
        rows.into_iter()
            .map(|data| {
                let payload = platform::events::payload(&crate::internetaken::event(&data, false));
                (data.uuid, payload)
            })
            .collect(),
    ))
}
