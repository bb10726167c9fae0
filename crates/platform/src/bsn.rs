//! Who may see and use a BSN.
//!
//! A token without the `bsn` scope ([`crate::auth::Scopes`]):
//!
//! - sees the `objectId` of every identificator of soort `bsn` as [`WITHHELD`], the rest of the
//!   answer unchanged: in partij-identificatoren, nested in partijen, in `_expand`, in objects
//!   another register contributed, and in the audit trail's `oud` and `nieuw`;
//! - may not filter on an `objectId` that could be a BSN, nor write an identificator of soort
//!   `bsn`, nor change or delete one: 403 in the API's error format.
//!
//! The withholding is done once, on the answer as the client gets it ([`crate::http::edge`]),
//! so every way an identificator is rendered, now and later, goes through the same rule.

use serde_json::Value;

/// What a withheld BSN reads as: nine characters where the nine digits were.
pub const WITHHELD: &str = "*********";

/// Whether this `codeSoortObjectId` names a BSN (free text in some identificatoren, hence
/// trimmed and in any case).
fn is_bsn_soort(soort: Option<&Value>) -> bool {
    soort
        .and_then(Value::as_str)
        .is_some_and(|s| s.trim().eq_ignore_ascii_case("bsn"))
}

/// Whether a JSON value holds, anywhere, an identificator of soort `bsn`.
pub fn names_bsn(value: &Value) -> bool {
    match value {
        Value::Object(map) => {
            is_bsn_soort(map.get("codeSoortObjectId")) || map.values().any(names_bsn)
        }
        Value::Array(items) => items.iter().any(names_bsn),
        _ => false,
    }
}

/// Withholds the number of every identificator of soort `bsn` in `value`; whether there was one.
pub fn withhold(value: &mut Value) -> bool {
    match value {
        Value::Object(map) => {
            let mut found = false;
            if is_bsn_soort(map.get("codeSoortObjectId")) {
                if let Some(number) = map.get_mut("objectId") {
                    if number.as_str().is_some_and(|n| !n.is_empty()) {
                        *number = Value::from(WITHHELD);
                        found = true;
                    }
                }
            }
            for member in map.values_mut() {
                found |= withhold(member);
            }
            found
        }
        Value::Array(items) => items.iter_mut().fold(false, |found, v| withhold(v) | found),
        _ => false,
    }
}

/// Whether a query parameter looks a BSN up: a filter on an identificator's `objectId` with a
/// value of nine digits (a BSN's form; an RSIN has it too, and asks for the scope as well).
pub fn filter_uses_bsn(name: &str, value: &str) -> bool {
    let on_object_id = (name.ends_with("objectId") || name.ends_with("ObjectId"))
        && !name.ends_with("SoortObjectId");
    let value = value.trim();
    on_object_id && value.len() == 9 && value.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_bsn_is_withheld_wherever_it_is_nested_and_nothing_else_changes() {
        let mut answer = json!({
            "results": [{
                "partijIdentificatoren": [{
                    "partijIdentificator": {"codeSoortObjectId": "bsn", "objectId": "111222333"}
                }, {
                    "partijIdentificator": {"codeSoortObjectId": "kvk_nummer", "objectId": "12345678"}
                }],
                "_expand": {"betrokkenen": [{"_expand": {"wasPartij": {
                    "partijIdentificatoren": [{"partijIdentificator":
                        {"codeSoortObjectId": "BSN ", "objectId": "123456782"}}]
                }}}]}
            }],
            "nieuw": {"onderwerpobjectidentificator": {"codeSoortObjectId": "bsn", "objectId": "999993653"}}
        });
        assert!(withhold(&mut answer));
        let text = answer.to_string();
        for bsn in ["111222333", "123456782", "999993653"] {
            assert!(!text.contains(bsn), "{bsn} in {text}");
        }
        assert!(text.contains("12345678\""), "a KvK number stays");
        assert_eq!(text.matches(WITHHELD).count(), 3);
        let mut none = json!({"partijIdentificator": {"codeSoortObjectId": "bsn", "objectId": ""}});
        assert!(
            !withhold(&mut none),
            "an empty number has nothing to withhold"
        );
    }

    #[test]
    fn a_body_names_a_bsn_by_its_soort_at_any_depth() {
        assert!(names_bsn(
            &json!({"partijIdentificatoren": [{"partijIdentificator":
            {"codeSoortObjectId": "bsn", "objectId": ""}}]})
        ));
        assert!(!names_bsn(&json!({"partijIdentificator":
            {"codeSoortObjectId": "kvk_nummer", "objectId": "111222333"}})));
    }

    #[test]
    fn only_object_id_filters_with_nine_digits_look_a_bsn_up() {
        assert!(filter_uses_bsn(
            "partijIdentificator__objectId",
            "111222333"
        ));
        assert!(filter_uses_bsn(
            "hadBetrokkene__wasPartij__partijIdentificator__objectId",
            " 111222333 "
        ));
        assert!(filter_uses_bsn("partijIdentificatorObjectId", "111222333"));
        assert!(filter_uses_bsn(
            "onderwerpobjectidentificatorObjectId",
            "111222333"
        ));
        assert!(!filter_uses_bsn(
            "partijIdentificator__objectId",
            "12345678"
        ));
        assert!(!filter_uses_bsn(
            "partijIdentificator__codeSoortObjectId",
            "bsn"
        ));
        assert!(!filter_uses_bsn("nummer", "111222333"));
    }
}
