//! Deleting a klantcontact, with what belongs to it.

use diesel::prelude::*;
use platform::db::DbConnection;
use platform::ApiResult;

use crate::betrokkenen::Fate;
use crate::models::BetrokkeneRow;
use crate::schema::{
    actorklantcontacten as ak, betrokkenen as b, bijlagen as bl, klantcontacten as k,
    onderwerpobjecten as o,
};

/// Deletes a klantcontact with its betrokkenen, onderwerpobjecten (both roles), bijlagen and
/// actor links; `betrokkenen_fate` says what becomes of the addresses its betrokkenen supplied.
pub fn delete_row(conn: &mut DbConnection, id: i64, betrokkenen_fate: Fate) -> ApiResult<()> {
    let betrokkenen: Vec<BetrokkeneRow> = b::table
        .filter(b::klantcontact_id.eq(id))
        .select(BetrokkeneRow::as_select())
        .load(conn)?;
    let uuid: String = k::table.find(id).select(k::uuid).first(conn)?;
    for betrokkene in &betrokkenen {
        crate::betrokkenen::emit_for(conn, betrokkene, &uuid, betrokkenen_fate)?;
    }
    // What goes with it is in the audit trail too.
    let reason = format!("verwijderd met klantcontact {uuid}");
    let onderwerpen: Vec<String> = o::table
        .filter(o::klantcontact_id.eq(id).or(o::was_klantcontact_id.eq(id)))
        .select(o::uuid)
        .load(conn)?;
    let bijlagen: Vec<String> = bl::table
        .filter(bl::klantcontact_id.eq(id))
        .select(bl::uuid)
        .load(conn)?;
    let links: Vec<String> = ak::table
        .filter(ak::klantcontact_id.eq(id))
        .select(ak::uuid)
        .load(conn)?;
    let betrokken: Vec<String> = betrokkenen.iter().map(|b| b.data.uuid.clone()).collect();
    for (resource, rows) in [
        ("betrokkenen", betrokken),
        ("onderwerpobjecten", onderwerpen),
        ("bijlagen", bijlagen),
        ("actorklantcontacten", links),
    ] {
        platform::audit::cascaded(conn, resource, &rows, &reason)?;
    }
    diesel::delete(b::table.filter(b::klantcontact_id.eq(id))).execute(conn)?;
    diesel::delete(o::table.filter(o::klantcontact_id.eq(id).or(o::was_klantcontact_id.eq(id))))
        .execute(conn)?;
    diesel::delete(bl::table.filter(bl::klantcontact_id.eq(id))).execute(conn)?;
    diesel::delete(ak::table.filter(ak::klantcontact_id.eq(id))).execute(conn)?;
    diesel::delete(k::table.find(id)).execute(conn)?;
    // The klanttaak register deletes the klantcontact's internetaken when it hears of this.
    let gone = reference::internal::KlantcontactEvent { deleted: true };
    platform::events::emit(conn, &uuid, &gone)
}
