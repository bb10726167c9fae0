//! What this register does with the other registers' events: its read models take them in,
//! and a partij deleted in relatiebeheer takes its betrokkenen along (as in the reference).

use diesel::prelude::*;
use platform::db::DbConnection;
use platform::events::Batch;
use platform::ApiResult;
use reference::internal::PartijEvent;

use crate::models::BetrokkeneRow;
use crate::readmodel::apply;
use crate::schema::betrokkenen;
use crate::Register;

/// A partij deleted in relatiebeheer takes its betrokkenen with it (as in the reference);
/// returns the partijen, so the resolver stops vouching for them.
fn delete_betrokkenen_of_deleted_partijen(
    conn: &mut DbConnection,
    batch: &Batch,
) -> ApiResult<Vec<String>> {
    let gone: Vec<String> = batch.deleted::<PartijEvent>().map(str::to_owned).collect();
    if gone.is_empty() {
        return Ok(gone);
    }
    let rows: Vec<BetrokkeneRow> = betrokkenen::table
        .filter(betrokkenen::partij_uuid.eq_any(&gone))
        .select(BetrokkeneRow::as_select())
        .load(conn)?;
    for row in &rows {
        crate::betrokkenen::delete_row(conn, row)?;
        let reason = format!(
            "verwijderd met partij {}",
            row.data.partij_uuid.as_deref().unwrap_or_default()
        );
        platform::audit::cascaded(
            conn,
            "betrokkenen",
            std::slice::from_ref(&row.data.uuid),
            &reason,
        )?;
    }
    Ok(gone)
}

/// Events from the other registers: the read models, and the betrokkenen of deleted partijen.
pub async fn receive(register: &Register, batch: Batch) -> ApiResult<()> {
    let shared = &register.shared;
    let gone = shared
        .db
        .write(move |conn| {
            apply(conn, &batch)?;
            delete_betrokkenen_of_deleted_partijen(conn, &batch)
        })
        .await?;
    for partij in &gone {
        if let Ok(uuid) = uuid::Uuid::parse_str(partij) {
            shared.resolver.forget(reference::Resource::Partijen, uuid);
        }
    }
    if !gone.is_empty() {
        shared.events.nudge();
    }
    Ok(())
}
