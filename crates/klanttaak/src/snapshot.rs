//! This register's objects as the others' read models see them, for a resync
//! (`platform::resync`).

use diesel::prelude::*;
use platform::db::DbConnection;
use platform::ApiResult;
use reference::internal::InternetaakEvent;

use crate::models::InternetaakData;
use crate::schema::internetaken as t;

/// The internetaken after uuid `after`, by uuid, as their events.
pub fn snapshot(
    conn: &mut DbConnection,
    after: &str,
    limit: i64,
) -> ApiResult<Vec<(String, InternetaakEvent)>> {
    let rows: Vec<InternetaakData> = t::table
        .filter(t::uuid.gt(after))
        .order(t::uuid)
        .limit(limit)
        .select(InternetaakData::as_select())
        .load(conn)?;
    let event = |data: &InternetaakData| crate::internetaken::event(data, false);
    Ok(rows.iter().map(|d| (d.uuid.clone(), event(d))).collect())
}
