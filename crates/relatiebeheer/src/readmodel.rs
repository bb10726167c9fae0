//! The klantcontacten register's betrokkenen as this register knows them: fed by that
//! register's events, so `partij.betrokkenen` is answered here without asking it.

use diesel::prelude::*;
use platform::db::DbConnection;
use platform::events::Batch;
use platform::ApiResult;
use reference::internal::BetrokkeneEvent;

use crate::Register;

diesel::table! {
    partij_betrokkenen (betrokkene_uuid) {
        betrokkene_uuid -> Text,
        partij_uuid -> Nullable<Text>,
                klantcontact_uuid -> Text,
        rol -> Text,
        event_id -> BigInt,
        deleted -> Bool,
    }
}

use crate::schema::digitale_adressen;
diesel::allow_tables_to_appear_in_same_query!(partij_betrokkenen, digitale_adressen);

use partij_betrokkenen as pb;

/// Applies betrokkene events; an event older than what is stored changes nothing, so a batch
/// delivered twice is harmless.
pub fn apply(conn: &mut DbConnection, batch: &Batch) -> ApiResult<()> {
    platform::apply_if_newer!(
        conn,
        pb,
        betrokkene_uuid,
        batch.of::<BetrokkeneEvent>(),
        |betrokkene| (
            pb::partij_uuid.eq(betrokkene.was_partij.filter(|_| !betrokkene.deleted)),
            pb::klantcontact_uuid.eq(betrokkene.had_klantcontact),
            pb::rol.eq(betrokkene.rol),
            pb::deleted.eq(betrokkene.deleted),
        )
    );
    Ok(())
}

/// Removes what a resync up to `watermark` did not name: objects the source no longer has.
pub fn sweep(conn: &mut DbConnection, watermark: i64) -> ApiResult<usize> {
    Ok(diesel::delete(pb::table.filter(pb::event_id.lt(watermark))).execute(conn)?)
}

/// A betrokkene that is gone no longer supplied its addresses: they stay, with
/// `verstrektDoorBetrokkene: null` (as deleting it in the reference does). When it went with an
/// onderwerpobject's cascade, its addresses that belong to no partij go too: contact details of
/// nobody. Returns how many addresses changed.
fn release_adressen(conn: &mut DbConnection, batch: &Batch) -> ApiResult<usize> {
    let gone = |one_off_too: bool| -> Vec<&str> {
        batch
            .of::<BetrokkeneEvent>()
            .filter(|(_, b)| b.deleted && b.one_off_adressen_deleted == one_off_too)
            .map(|(e, _)| e.uuid.as_str())
            .collect()
    };
    let (released, dropped) = (gone(false), gone(true));
    if released.is_empty() && dropped.is_empty() {
        return Ok(0);
    }
    let one_off: Vec<String> = digitale_adressen::table
        .filter(digitale_adressen::betrokkene_uuid.eq_any(&dropped))
        .filter(digitale_adressen::partij_id.is_null())
        .select(digitale_adressen::uuid)
        .load(conn)?;
    if !one_off.is_empty() {
        crate::events::emit_deleted(conn, &one_off)?;
        diesel::delete(digitale_adressen::table.filter(digitale_adressen::uuid.eq_any(&one_off)))
            .execute(conn)?;
        let reason = "verwijderd met zijn betrokkene (onderwerpobject met cascade verwijderd)";
        platform::audit::cascaded(conn, "digitaleadressen", &one_off, reason)?;
    }
    let adressen: Vec<String> = digitale_adressen::table
        .filter(
            digitale_adressen::betrokkene_uuid
                .eq_any(released.iter().chain(&dropped).collect::<Vec<_>>()),
        )
        .select(digitale_adressen::uuid)
        .load(conn)?;
    diesel::update(digitale_adressen::table.filter(digitale_adressen::uuid.eq_any(&adressen)))
        .set(digitale_adressen::betrokkene_uuid.eq(None::<String>))
        .execute(conn)?;
    platform::audit::followed(
        conn,
        "digitaleadressen",
        &adressen,
        platform::outbound::Actie::PartialUpdate,
        "verstrektDoorBetrokkene gewist: de betrokkene is verwijderd",
    )?;
    for adres in &adressen {
        platform::events::emit(conn, adres, &crate::events::adres(None))?;
    }
    Ok(one_off.len() + adressen.len())
}

/// Events from the other registers: the betrokkenen's read model, and the addresses they
/// supplied.
pub async fn receive(register: &Register, batch: Batch) -> ApiResult<()> {
    let released = register
        .shared
        .db
        .write(move |conn| {
            apply(conn, &batch)?;
            release_adressen(conn, &batch)
        })
        .await?;
    if released > 0 {
        register.shared.events.nudge();
    }
    Ok(())
}
