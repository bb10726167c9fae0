//! What goes out to systems outside the registers: ZGW notificaties (Notificaties API, the
//! `partijen`, `klantcontacten` and `internetaken` kanalen with Open Klant's kenmerken) and
//! CloudEvents 1.0 (NL GOV profile) for webhooks and for the zaak-gekoppeld/-ontkoppeld events.
//!
//! Both are built when the write happens and stored in the outbox with it (topics `notificatie`
//! and `zaak`), so they go out exactly when the write committed, in order, after any outage.
//! The installation's `source` is added on the way out.

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use reference::internal::Event;

/// Whether anyone outside listens (a Notificaties API or a webhook is configured); without,
/// writes store no notificaties and zaak events nobody would take. Part of each register's
/// configuration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outside {
    pub listens: bool,
}

/// A resource that notifies: its kanaal, its name in the message, and the fields of its
/// representation that go along as kenmerken.
#[derive(Debug, Clone, Copy)]
pub struct Kanaal {
    pub kanaal: &'static str,
    pub resource: &'static str,
    pub kenmerken: &'static [&'static str],
}

/// What a write did, as the notificatie names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actie {
    Create,
    Update,
    PartialUpdate,
    Destroy,
}

impl Actie {
    pub fn name(self) -> &'static str {
        match self {
            Actie::Create => "create",
            Actie::Update => "update",
            Actie::PartialUpdate => "partial_update",
            Actie::Destroy => "destroy",
        }
    }
}

pub(crate) fn second_precision() -> String {
    let now = crate::time::now();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    crate::time::format_datetime(now)
}

/// The ZGW notificatie of an outbox event, for `POST {notificaties}/notificaties`.
pub fn notificatie(event: &Event, source: Option<&str>) -> Option<Value> {
    if event.topic != "notificatie" {
        return None;
    }
    let mut message = event.payload.clone();
    let object = message.as_object_mut()?;
    object.remove("eventId");
    if let Some(source) = source {
        object.insert("source".into(), json!(source));
    }
    Some(message)
}

/// An outbox event as a CloudEvent (structured JSON): a zaak event as stored, a notificatie
/// wrapped as `nl.vng.klantinteracties.<resource>.<actie>` about the object's uuid.
pub fn cloud_event(event: &Event, source: &str) -> Option<Value> {
    match event.topic.as_str() {
        "zaak" => {
            let mut cloud = event.payload.clone();
            cloud
                .as_object_mut()?
                .insert("source".into(), json!(source));
            Some(cloud)
        }
        "notificatie" => {
            let p = &event.payload;
            let text = |key: &str| p.get(key).and_then(Value::as_str).unwrap_or_default();
            let mut data = p.clone();
            data.as_object_mut()?.remove("eventId");
            Some(json!({
                "id": p.get("eventId").cloned().unwrap_or(Value::Null),
                "source": source,
                "specversion": "1.0",
                "type": format!("nl.vng.klantinteracties.{}.{}", text("resource"), text("actie")),
                "subject": event.uuid,
                "time": text("aanmaakdatum"),
                "datacontenttype": "application/json",
                "data": data,
            }))
        }
        _ => None,
    }
}

/// A ZGW-style JWT (HS256, `iss` and `client_id` the client id), as the Notificaties API
/// expects from a client.
pub fn zgw_jwt(client_id: &str, secret: &str) -> String {
    use base64::Engine;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let header = json!({"alg": "HS256", "typ": "JWT"});
    let claims = json!({
        "iss": client_id,
        "client_id": client_id,
        "iat": time::OffsetDateTime::now_utc().unix_timestamp(),
        "user_id": client_id,
        "user_representation": client_id,
    });
    let signing_input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let signature = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(signing_input.as_bytes());
            b64(&mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    };
    format!("{signing_input}.{signature}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zgw_jwt_is_signed_with_the_secret() {
        use base64::Engine;
        let token = zgw_jwt("klantinteracties", "geheim");
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let claims: Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(parts[1])
                .unwrap(),
        )
        .unwrap();
        assert_eq!(claims["client_id"], "klantinteracties");
        let mut mac = Hmac::<Sha256>::new_from_slice(b"geheim").unwrap();
        mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
        let expected =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        assert_eq!(parts[2], expected);
    }

    #[test]
    fn a_notificatie_becomes_a_cloud_event_with_a_stable_id() {
        let event = Event {
            id: 7,
            topic: "notificatie".into(),
            uuid: "5c3d9f4e-0000-4000-8000-000000000001".into(),
            payload: json!({"kanaal": "partijen", "resource": "partij", "actie": "create",
                "hoofdObject": "https://x/partijen/1", "resourceUrl": "https://x/partijen/1",
                "aanmaakdatum": "2026-11-29T10:00:00Z", "kenmerken": {}, "eventId": "e1"}),
        };
        let cloud = cloud_event(&event, "urn:nld:gemeente:klantinteracties").unwrap();
        assert_eq!(cloud["id"], "e1");
        assert_eq!(cloud["type"], "nl.vng.klantinteracties.partij.create");
        assert_eq!(cloud["subject"], event.uuid);
        assert_eq!(cloud["data"]["kanaal"], "partijen");
        assert!(cloud["data"].get("eventId").is_none());
        let message = notificatie(&event, Some("klantinteracties")).unwrap();
        assert_eq!(message["source"], "klantinteracties");
        assert!(message.get("eventId").is_none());
    }
}
