//! Request bodies: only JSON, with keys in camelCase or snake_case.
//!
//! Clients of the reference send both spellings (`soortPartij` and `soort_partij`), at every
//! depth. Bodies are normalised to camelCase once, here, so the rest of the code reads one
//! spelling.

use actix_web::HttpMessage as _;
use actix_web::{dev::Payload, http::header, web::Bytes, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde_json::{Map, Value};

use crate::error::ApiError;

/// The largest body we read; a partij with all its nested parts is a few kilobytes.
const MAX_BODY_BYTES: usize = 1 << 20;

/// `soort_partij` → `soortPartij`. Only an underscore between a lower-case letter or digit and a
/// lower-case letter is a word boundary; keys that are already camelCase are left alone, and so
/// are double underscores and leading underscores (`_expand`).
pub fn camelize(key: &str) -> String {
    let bytes = key.as_bytes();
    let mut out = String::with_capacity(key.len());
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let boundary = c == b'_'
            && i > 0
            && (bytes[i - 1].is_ascii_lowercase() || bytes[i - 1].is_ascii_digit())
            && i + 1 < bytes.len()
            && bytes[i + 1].is_ascii_lowercase();
        if boundary {
            out.push(bytes[i + 1].to_ascii_uppercase() as char);
            i += 2;
        } else {
            out.push(c as char);
            i += 1;
        }
    }
    out
}

/// Normalises every object key of a value to camelCase, recursively.
pub fn camelize_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    (
                        if k.is_ascii() { camelize(&k) } else { k },
                        camelize_keys(v),
                    )
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(camelize_keys).collect()),
        other => other,
    }
}

/// A JSON request body, its keys in camelCase.
///
/// Refuses a body that is not declared `application/json` (415) and malformed JSON
/// (400 `parse_error`). A body that is JSON but not an object is left for the validation of
/// the resource to reject in its own words.
#[derive(Debug)]
pub struct JsonBody(pub Value);

impl JsonBody {
    /// The body as an object; any other JSON value is a validation error like the reference's.
    pub fn into_object(self) -> Result<Map<String, Value>, ApiError> {
        match self.0 {
            Value::Object(map) => Ok(map),
            other => Err(ApiError::invalid(
                crate::error::NON_FIELD_ERRORS,
                "invalid",
                format!(
                    "Ongeldige data. Verwacht een dictionary, kreeg een {}.",
                    crate::input::json_type_name(&other)
                ),
            )),
        }
    }
}

impl FromRequest for JsonBody {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let bytes = Bytes::from_request(req, payload);
        let may_use_bsn = req
            .extensions()
            .get::<crate::auth::Caller>()
            .is_none_or(|caller| caller.scopes.may_use_bsn());
        Box::pin(async move {
            if essence != "application/json" {
                return Err(ApiError::UnsupportedMediaType(content_type));
            }
            let bytes = bytes
                .await
                .map_err(|e| ApiError::Parse(format!("body could not be read: {e}")))?;
            if bytes.len() > MAX_BODY_BYTES {
                return Err(ApiError::Parse("body too large".into()));
            }
            let value: Value =
                serde_json::from_slice(&bytes).map_err(|e| ApiError::Parse(e.to_string()))?;
            let value = camelize_keys(value);
            if !may_use_bsn && crate::bsn::names_bsn(&value) {
                return Err(ApiError::BsnNotPermitted);
            }
            Ok(JsonBody(value))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn snake_case_keys_become_camel_case_and_camel_case_keys_stay() {
        assert_eq!(camelize("soort_partij"), "soortPartij");
        assert_eq!(camelize("voorvoegsel_achternaam"), "voorvoegselAchternaam");
        assert_eq!(camelize("soortPartij"), "soortPartij");
        assert_eq!(camelize("adresregel1"), "adresregel1");
        assert_eq!(camelize("_expand"), "_expand");
        assert_eq!(
            camelize("hadBetrokkene__wasPartij"),
            "hadBetrokkene__wasPartij"
        );
        assert_eq!(camelize("BSN"), "BSN");
    }

    #[test]
    fn nested_keys_are_normalised_too() {
        let value = camelize_keys(json!({
            "partij_identificatie": {"contactnaam": {"voorvoegsel_achternaam": "van"}},
            "partij_identificatoren": [{"partij_identificator": {"object_id": "1"}}]
        }));
        assert_eq!(
            value,
            json!({
                "partijIdentificatie": {"contactnaam": {"voorvoegselAchternaam": "van"}},
                "partijIdentificatoren": [{"partijIdentificator": {"objectId": "1"}}]
            })
        );
    }
}
