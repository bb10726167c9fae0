//! What this register knows of the others' objects, fed by their events, so it answers without
//! asking them: relatiebeheer's digitale adressen (`betrokkene.digitaleAdressen`) and klanttaak's
//! internetaken (`klantcontact.leiddeTotInterneTaken` and its filter).

use diesel::prelude::*;
use platform::db::DbConnection;
use platform::events::Batch;
use platform::ApiResult;
use reference::internal::{DigitaalAdresEvent, InternetaakEvent};

diesel::table! {
    betrokkene_digitale_adressen (adres_uuid) {
        adres_uuid -> Text,
        betrokkene_uuid -> Nullable<Text>,
        event_id -> BigInt,
        deleted -> Bool,
    }
}

diesel::table! {
    klantcontact_internetaken (internetaak_uuid) {
        internetaak_uuid -> Text,
        klantcontact_uuid -> Text,
        toegewezen_op -> Text,
        event_id -> BigInt,
        deleted -> Bool,
    }
}

use crate::schema::{betrokkenen, klantcontacten};
diesel::allow_tables_to_appear_in_same_query!(betrokkene_digitale_adressen, betrokkenen);
diesel::allow_tables_to_appear_in_same_query!(klantcontact_internetaken, klantcontacten);

use betrokkene_digitale_adressen as bda;
pub use klantcontact_internetaken as kit;

/// Applies the events of the other registers; an event older than what is stored changes
/// nothing, so a batch delivered twice is harmless.
pub fn apply(conn: &mut DbConnection, batch: &Batch) -> ApiResult<()> {
    apply_adressen(conn, batch)?;
    apply_internetaken(conn, batch)
}

fn apply_adressen(conn: &mut DbConnection, batch: &Batch) -> ApiResult<()> {
    platform::apply_if_newer!(
        conn,
        bda,
        adres_uuid,
        batch.of::<DigitaalAdresEvent>(),
        |adres| (
            bda::betrokkene_uuid.eq(adres.verstrekt_door_betrokkene.filter(|_| !adres.deleted)),
            bda::deleted.eq(adres.deleted),
        )
    );
    Ok(())
}

fn apply_internetaken(conn: &mut DbConnection, batch: &Batch) -> ApiResult<()> {
    platform::apply_if_newer!(
        conn,
        kit,
        internetaak_uuid,
        batch.of::<InternetaakEvent>(),
        |taak| (
            kit::klantcontact_uuid.eq(taak.aanleidinggevend_klantcontact),
            kit::toegewezen_op.eq(taak.toegewezen_op),
            kit::deleted.eq(taak.deleted),
        )
    );
    Ok(())
}

/// Removes what a resync of the addresses up to `watermark` did not name: addresses the
/// source no longer has.
pub fn sweep_adressen(conn: &mut DbConnection, watermark: i64) -> ApiResult<usize> {
    Ok(diesel::delete(bda::table.filter(bda::event_id.lt(watermark))).execute(conn)?)
}

/// Likewise for the internetaken.
pub fn sweep_internetaken(conn: &mut DbConnection, watermark: i64) -> ApiResult<usize> {
    Ok(diesel::delete(kit::table.filter(kit::event_id.lt(watermark))).execute(conn)?)
}
