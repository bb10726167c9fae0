//! The notificaties and zaak events of writes, stored in the outbox with them (topics
//! `notificatie` and `zaak`) when anyone outside listens; their shapes are `outbound`'s.

use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::outbox::emit_payload;
use crate::db::DbConnection;
use crate::outbound::{second_precision, Actie, Kanaal, Outside};
use crate::ApiResult;

/// Stores the notificatie of a write in its transaction; `view` is the object as the response
/// (or, for `destroy`, the last GET before it) shows it.
pub fn notify(
    conn: &mut DbConnection,
    outside: Outside,
    kanaal: &Kanaal,
    actie: Actie,
    view: &Value,
) -> ApiResult<()> {
    if !outside.listens {
        return Ok(());
    }
    let url = view.get("url").and_then(Value::as_str).unwrap_or_default();
    let uuid = view.get("uuid").and_then(Value::as_str).unwrap_or_default();
    let kenmerken: Map<String, Value> = kanaal
        .kenmerken
        .iter()
        .map(|k| {
            (
                (*k).to_owned(),
                view.get(*k).cloned().unwrap_or_else(|| json!("")),
            )
        })
        .collect();
    let message = json!({
        "kanaal": kanaal.kanaal,
        "hoofdObject": url,
        "resource": kanaal.resource,
        "resourceUrl": url,
        "actie": actie.name(),
        "aanmaakdatum": crate::time::format_datetime(crate::time::now()),
        "kenmerken": kenmerken,
        // Not part of the message: identifies it as a CloudEvent, the same on every retry.
        "eventId": Uuid::new_v4(),
    });
    emit_payload(conn, "notificatie", uuid, &message)
}

/// Stores a `nl.overheid.zaken.zaak-gekoppeld` / `-ontkoppeld` CloudEvent (without its source).
pub fn zaak_event(
    conn: &mut DbConnection,
    outside: Outside,
    gekoppeld: bool,
    zaak: &str,
    link_to: &str,
    label: &str,
) -> ApiResult<()> {
    if !outside.listens {
        return Ok(());
    }
    let kind = if gekoppeld {
        "zaak-gekoppeld"
    } else {
        "zaak-ontkoppeld"
    };
    let event = json!({
        "id": Uuid::new_v4(),
        "specversion": "1.0",
        "type": format!("nl.overheid.zaken.{kind}"),
        "subject": zaak,
        "time": second_precision(),
        "dataref": null,
        "datacontenttype": "application/json",
        "data": {
            "zaak": format!("urn:uuid:{zaak}"),
            "linkTo": link_to,
            "label": label,
            "linkObjectType": "Onderwerpobject",
        },
    });
    emit_payload(conn, "zaak", zaak, &event)
}
