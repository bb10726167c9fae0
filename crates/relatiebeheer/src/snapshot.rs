//! This register's objects as the others' read models see them, for a resync
//! (`platform::resync`).

use diesel::prelude::*;
use platform::db::DbConnection;
use platform::ApiResult;
use reference::internal::DigitaalAdresEvent;

use crate::schema::digitale_adressen as da;

/// The digitale adressen after uuid `after`, by uuid, as their events.
pub fn snapshot(
    conn: &mut DbConnection,
    after: &str,
    limit: i64,
) -> ApiResult<Vec<(String, DigitaalAdresEvent)>> {
    let rows: Vec<(String, Option<String>)> = da::table
        .filter(da::uuid.gt(after))
        .order(da::uuid)
        .limit(limit)
        .select((da::uuid, da::betrokkene_uuid))
        .load(conn)?;
    let event = |betrokkene: Option<String>| crate::events::adres(betrokkene.as_deref());
    Ok(rows.into_iter().map(|(uuid, b)| (uuid, event(b))).collect())
}
