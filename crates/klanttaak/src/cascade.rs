//! What this register does when the klantcontacten register deletes something its tasks point
//! at: a deleted klantcontact takes its internetaken with it, a deleted actor leaves the tasks
//! it was assigned to (the tasks stay). Both as in the reference, driven by that register's
//! events, and harmless when an event comes twice.

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use platform::auth::Caller;
use platform::db::DbConnection;
use platform::events::{is_deletion, Batch};
use platform::json::JsonBody;
use platform::ApiResult;

use crate::models::InternetaakRow;
use crate::schema::{internetaak_actoren as ia, internetaken as t};
use crate::Register;

fn deleted<'a>(batch: &'a Batch, topic: &'a str) -> impl Iterator<Item = &'a str> {
    batch
        .events
        .iter()
        .filter(move |e| e.topic == topic && is_deletion(e))
        .map(|e| e.uuid.as_str())
}

/// Applies a batch; returns how many tasks were deleted.
pub fn apply(conn: &mut DbConnection, batch: &Batch) -> ApiResult<usize> {
    let actoren: Vec<&str> = deleted(batch, "actor").collect();
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
    let klantcontacten: Vec<&str> = deleted(batch, "klantcontact").collect();
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

/// `POST /_internal/events-klanttaak`: events from the klantcontacten register.
pub async fn receive(
    register: web::Data<Register>,
    caller: Caller,
    body: JsonBody,
) -> ApiResult<HttpResponse> {
    let batch = platform::events::accept(&caller, body)?;
    let deleted = register.db.write(move |conn| apply(conn, &batch)).await?;
    if deleted > 0 {
        register.events.nudge();
    }
    Ok(HttpResponse::NoContent().finish())
}
