//! The events this register tells the others (through its outbox): what klantcontacten keeps
//! of its digitale adressen, and the deletes it follows.

use platform::db::DbConnection;
use platform::ApiResult;
use reference::internal::DigitaalAdresEvent;

/// What a digitaal-adres event says: what klantcontacten's read model keeps of it.
pub fn adres(betrokkene: Option<&str>) -> DigitaalAdresEvent {
    DigitaalAdresEvent {
        verstrekt_door_betrokkene: betrokkene.map(str::to_owned),
        deleted: false,
    }
}

/// Tells the klantcontacten register (through the outbox) that these addresses are gone.
pub fn emit_deleted(conn: &mut DbConnection, uuids: &[String]) -> ApiResult<()> {
    for uuid in uuids {
        let gone = DigitaalAdresEvent {
            verstrekt_door_betrokkene: None,
            deleted: true,
        };
        platform::events::emit(conn, uuid, &gone)?;
    }
    Ok(())
}
