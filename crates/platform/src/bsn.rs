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

/// The numbers of the identificatoren of soort `bsn` in `value`, in order: what an update by a
/// token without the scope must leave as it was.
pub fn numbers(value: Option<&Value>) -> Vec<&str> {
    fn collect<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if is_bsn_soort(map.get("codeSoortObjectId")) {
                    found.extend(map.get("objectId").and_then(Value::as_str));
                }
                map.values().for_each(|v| collect(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| collect(v, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    if let Some(value) = value {
        collect(value, &mut found);
    }
    found.sort_unstable();
    found
}

/// `json` with the number of every identificator of soort `bsn` withheld; `None` when it has
/// none (or is no JSON).
pub fn withhold(json: &[u8]) -> Option<Vec<u8>> {
    Found::scan(json).withheld()
}

/// Where the BSNs of an answer are: found once, then recorded in the Logboek, withheld, or
/// both. A scan of the bytes rather than a parsed tree: a page of a hundred partijen is a few
/// hundred kilobytes, and building and writing its tree again halved the page's throughput.
pub struct Found<'a> {
    json: &'a [u8],
    /// The texts of the numbers (between their quotes, non-empty), in order.
    at: Vec<(usize, usize)>,
}

impl<'a> Found<'a> {
    /// The BSNs in `json`; none when it is not well-formed JSON. An answer without any
    /// identificator (most pages of klantcontacten, internetaken, actoren) is passed over at the
    /// speed of a substring search.
    pub fn scan(json: &'a [u8]) -> Self {
        let at = if memchr::memmem::find(json, b"\"codeSoortObjectId\"").is_some() {
            bsn_numbers(json).unwrap_or_default()
        } else {
            Vec::new()
        };
        Self { json, at }
    }

    /// Their numbers.
    pub fn numbers(&self) -> Vec<String> {
        self.at
            .iter()
            .filter_map(|(start, end)| std::str::from_utf8(&self.json[*start..*end]).ok())
            .map(str::to_owned)
            .collect()
    }

    /// The JSON with each of them withheld; `None` when there are none.
    pub fn withheld(&self) -> Option<Vec<u8>> {
        if self.at.is_empty() {
            return None;
        }
        let mut out = Vec::with_capacity(self.json.len());
        let mut at = 0;
        for (start, end) in &self.at {
            out.extend_from_slice(&self.json[at..*start]);
            out.extend_from_slice(WITHHELD.as_bytes());
            at = *end;
        }
        out.extend_from_slice(&self.json[at..]);
        Some(out)
    }
}

/// An object or array being scanned: the key whose value comes next (objects), whether its
/// `codeSoortObjectId` names a BSN, and where its `objectId`'s text is.
#[derive(Default)]
struct Open {
    object: bool,
    key: (usize, usize),
    expects_key: bool,
    bsn: bool,
    object_id: Option<(usize, usize)>,
}

/// Where the texts of the BSNs in `json` are (between their quotes, non-empty), in order;
/// `None` when `json` is not well-formed.
fn bsn_numbers(json: &[u8]) -> Option<Vec<(usize, usize)>> {
    let mut open: Vec<Open> = Vec::new();
    let mut numbers = Vec::new();
    let mut i = 0;
    while i < json.len() {
        match json[i] {
            b'{' | b'[' => open.push(Open {
                object: json[i] == b'{',
                expects_key: json[i] == b'{',
                ..Open::default()
            }),
            b'}' | b']' => {
                let closed = open.pop()?;
                if let (true, Some((start, end))) = (closed.bsn, closed.object_id) {
                    if end > start {
                        numbers.push((start, end));
                    }
                }
            }
            b',' => {
                if let Some(current) = open.last_mut() {
                    current.expects_key = current.object;
                }
            }
            b'"' => {
                let start = i + 1;
                let mut end = start;
                while *json.get(end)? != b'"' {
                    end += if json[end] == b'\\' { 2 } else { 1 };
                }
                if let Some(current) = open.last_mut().filter(|c| c.object) {
                    if current.expects_key {
                        current.key = (start, end);
                        current.expects_key = false;
                    } else {
                        match &json[current.key.0..current.key.1] {
                            b"codeSoortObjectId" => {
                                let soort = std::str::from_utf8(&json[start..end]).ok()?;
                                current.bsn = soort.trim().eq_ignore_ascii_case("bsn");
                            }
                            b"objectId" => current.object_id = Some((start, end)),
                            _ => {}
                        }
                    }
                }
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    // Numbers in nested objects close first: put them back in the order they appear.
    numbers.sort_unstable();
    open.is_empty().then_some(numbers)
}

/// Whether a query parameter looks a BSN up: a filter on an identificator's `objectId` with a
/// value of nine digits (a BSN's form; an RSIN has it too, and asks for the scope as well).
pub fn filter_uses_bsn(name: &str, value: &str) -> bool {
    let on_object_id = (name.ends_with("objectId") || name.ends_with("ObjectId"))
        && !name.ends_with("SoortObjectId");
    on_object_id && has_bsn_form(value)
}

/// Whether a text has a BSN's form: nine digits (surrounding spaces aside).
pub fn has_bsn_form(value: &str) -> bool {
    let value = value.trim();
    value.len() == 9 && value.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn withheld(value: &Value) -> Option<Value> {
        withhold(value.to_string().as_bytes()).map(|bytes| serde_json::from_slice(&bytes).unwrap())
    }

    #[test]
    fn every_bsn_is_withheld_wherever_it_is_nested_and_nothing_else_changes() {
        let answer = json!({
            "results": [{
                "partijIdentificatoren": [{
                    "partijIdentificator": {"codeSoortObjectId": "bsn", "objectId": "111222333"}
                }, {
                    "partijIdentificator": {"codeSoortObjectId": "kvk_nummer", "objectId": "12345678"}
                }],
                "_expand": {"betrokkenen": [{"_expand": {"wasPartij": {
                    "partijIdentificatoren": [{"partijIdentificator":
                        {"objectId": "123456782", "codeSoortObjectId": "BSN "}}]
                }}}]}
            }],
            "nieuw": {"onderwerpobjectidentificator": {"codeSoortObjectId": "bsn", "objectId": "999993653"}},
            "toelichting": "een \"objectId\": \"111222333\" in tekst, {[ en ]} ook"
        });
        let text = withheld(&answer).unwrap().to_string();
        for bsn in ["111222333\"", "123456782", "999993653"] {
            assert!(!text.contains(bsn), "{bsn} in {text}");
        }
        assert!(text.contains("12345678\""), "a KvK number stays");
        assert_eq!(text.matches(WITHHELD).count(), 3);
        let mut expected = answer.clone();
        expected["results"][0]["partijIdentificatoren"][0]["partijIdentificator"]["objectId"] =
            json!(WITHHELD);
        expected["results"][0]["_expand"]["betrokkenen"][0]["_expand"]["wasPartij"]
            ["partijIdentificatoren"][0]["partijIdentificator"]["objectId"] = json!(WITHHELD);
        expected["nieuw"]["onderwerpobjectidentificator"]["objectId"] = json!(WITHHELD);
        assert_eq!(
            withheld(&answer).unwrap(),
            expected,
            "only the numbers change"
        );
    }

    #[test]
    fn an_answer_without_a_bsn_or_without_json_is_left_alone() {
        let empty = json!({"partijIdentificator": {"codeSoortObjectId": "bsn", "objectId": ""}});
        assert_eq!(
            withheld(&empty),
            None,
            "an empty number has nothing to withhold"
        );
        assert_eq!(
            withheld(&json!({"objectId": "111222333", "soort": "bsn"})),
            None
        );
        assert_eq!(withhold(b"<h1>Niet gevonden</h1>"), None);
        assert_eq!(
            withhold(b"{\"codeSoortObjectId\": \"bsn\", \"objectId\": \"1"),
            None
        );
        let spaced = br#"{ "codeSoortObjectId" : "bsn" , "objectId" : "111222333" }"#;
        assert_eq!(
            withhold(spaced).unwrap(),
            br#"{ "codeSoortObjectId" : "bsn" , "objectId" : "*********" }"#
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
    fn the_numbers_of_an_object_are_those_of_its_bsn_identificatoren() {
        let partij = json!({"partijIdentificatoren": [
            {"partijIdentificator": {"codeSoortObjectId": "kvk_nummer", "objectId": "12345678"}},
            {"partijIdentificator": {"codeSoortObjectId": "bsn", "objectId": "111222333"}}
        ]});
        assert_eq!(numbers(Some(&partij)), ["111222333"]);
        assert!(numbers(Some(&json!({"partijIdentificatoren": []}))).is_empty());
        assert!(numbers(None).is_empty());
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
