//! What this register does when the klantcontacten register deletes something its tasks point
//! at: a deleted klantcontact takes its internetaken with it, a deleted actor leaves the tasks
//! it was assigned to (the tasks stay). Both as in the reference, driven by that register's
//! events, and harmless when an event comes twice.

use diesel::prelude::*;
use platform::db::DbConnection;
use platform::events::Batch;
use platform::ApiResult;
use reference::internal::{ActorEvent, KlantcontactEvent};

use crate::models::InternetaakRow;
use crate::schema::{internetaak_actoren as ia, internetaken as t};
use crate::Register;

/// Applies a batch; returns how many tasks were deleted.
pub fn apply(conn: &mut DbConnection, batch: &Batch) -> ApiResult<usize> {
    let actoren: Vec<&str> = batch.deleted::<ActorEvent>().collect();
    if !actoren.is_empty() {
        let affected: Vec<String> = t::table
            .inner_join(ia::table)
            .filter(ia::actor_uuid.eq_any(&actoren))
            .select(t::uuid)
            .distinct()
            .load(conn)?;
        diesel::delete(ia::table.filter(ia::actor_uuid.eq_any(&actoren))).execute(conn)?;
        let reason = "toegewezen actor verwijderd in het klantcontacten-register";
        let actie = platform::outbound::Actie::PartialUpdate;
        platform::audit::followed(conn, "internetaken", &affected, actie, reason)?;
    }
    let klantcontacten: Vec<&str> = batch.deleted::<KlantcontactEvent>().collect();
    if klantcontacten.is_empty() {
        return Ok(0);
    }
    let taken: Vec<InternetaakRow> = t::table
        .filter(t::klantcontact_uuid.eq_any(&klantcontacten))
        .select(InternetaakRow::as_select())
        .load(conn)?;
    for taak in &taken {
        crate::internetaken::delete_row(conn, taak)?;
        let reason = format!(
            "verwijderd met klantcontact {}",
            taak.data.klantcontact_uuid
        );
        platform::audit::cascaded(
            conn,
            "internetaken",
            std::slice::from_ref(&taak.data.uuid),
            &reason,
        )?;
    }
    Ok(taken.len())
}

/// Events from the klantcontacten register: deleted klantcontacten and actoren.
pub async fn receive(register: &Register, batch: Batch) -> ApiResult<()> {
    let shared = &register.shared;
    let deleted = shared.db.write(move |conn| apply(conn, &batch)).await?;
    if deleted > 0 {
        shared.events.nudge();
    }
    Ok(())
}
