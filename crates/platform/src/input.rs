//! Reading and validating request bodies field by field.
//!
//! The reference reports every broken field at once, in the order the fields are declared,
//! with fixed codes and Dutch messages; clients show those messages to people. A [`Reader`]
//! walks one JSON object in declaration order and collects [`InvalidParam`]s under the right
//! dotted names, so a resource's parse function reads like its field table.

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::{ApiError, InvalidParam};

/// What kind of write a body is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// POST: required fields must be present.
    Create,
    /// PUT: required fields must be present; omitted optional fields stay as they are.
    Replace,
    /// PATCH: any subset.
    Patch,
}

impl Mode {
    pub fn enforces_required(self) -> bool {
        !matches!(self, Mode::Patch)
    }
}

/// A field as the body has it: left out, explicitly `null`, or a value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Field<T> {
    #[default]
    Absent,
    Null,
    Set(T),
}

impl<T> Field<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }

    pub fn is_present(&self) -> bool {
        !self.is_absent()
    }

    pub fn as_set(&self) -> Option<&T> {
        match self {
            Field::Set(v) => Some(v),
            _ => None,
        }
    }

    pub fn into_set(self) -> Option<T> {
        match self {
            Field::Set(v) => Some(v),
            _ => None,
        }
    }

    /// `None` when absent, `Some(None)` when null, `Some(Some(v))` when set.
    pub fn into_update(self) -> Option<Option<T>> {
        match self {
            Field::Absent => None,
            Field::Null => Some(None),
            Field::Set(v) => Some(Some(v)),
        }
    }

    /// Stores a given value in `slot`; absent and null leave it as it is.
    pub fn apply(self, slot: &mut T) {
        if let Field::Set(v) = self {
            *slot = v;
        }
    }

    /// Stores a given value or `null` in `slot`; absent leaves it as it is.
    pub fn apply_nullable(self, slot: &mut Option<T>) {
        if let Some(v) = self.into_update() {
            *slot = v;
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Field<U> {
        match self {
            Field::Absent => Field::Absent,
            Field::Null => Field::Null,
            Field::Set(v) => Field::Set(f(v)),
        }
    }
}

pub const REQUIRED: &str = "Dit veld is vereist.";
pub const NOT_NULL: &str = "Dit veld mag niet leeg zijn.";
pub const NOT_BLANK: &str = "Dit veld mag niet leeg zijn.";
/// A NUL character in a text: PostgreSQL cannot store one, and the reference refuses it.
pub const NULL_CHARACTERS: &str = "null_characters_not_allowed";
pub const NULL_CHARACTERS_REASON: &str = "Null-tekens zijn niet toegestaan.";

/// Whether a field must be given, may be left out, or may also be `null`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Must be given (on create and replace).
    Required,
    /// May be left out, but not `null`.
    Optional,
    /// May be left out or `null`.
    Nullable,
}

impl Presence {
    fn required(self) -> bool {
        self == Presence::Required
    }

    fn nullable(self) -> bool {
        self == Presence::Nullable
    }
}

/// The Python type name the reference's messages use for a JSON value.
pub fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// The rules of a text field.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    pub max: usize,
    pub required: bool,
    pub allow_blank: bool,
}

impl Text {
    /// An optional text of at most `max` characters; `""` allowed.
    pub const fn optional(max: usize) -> Self {
        Self {
            max,
            required: false,
            allow_blank: true,
        }
    }

    /// A required, non-empty text of at most `max` characters.
    pub const fn required(max: usize) -> Self {
        Self {
            max,
            required: true,
            allow_blank: false,
        }
    }
}

/// Reads the fields of one JSON object, collecting errors under `prefix`.
pub struct Reader<'a> {
    object: &'a Map<String, Value>,
    mode: Mode,
    prefix: String,
    errors: Vec<InvalidParam>,
}

impl<'a> Reader<'a> {
    pub fn new(object: &'a Map<String, Value>, mode: Mode) -> Self {
        Self::nested(object, mode, String::new())
    }

    /// A reader for a nested object whose errors are named `{prefix}{field}`.
    pub fn nested(object: &'a Map<String, Value>, mode: Mode, prefix: String) -> Self {
        Self {
            object,
            mode,
            prefix,
            errors: Vec::new(),
        }
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn has(&self, name: &str) -> bool {
        self.object.contains_key(name)
    }

    pub fn raw(&self, name: &str) -> Option<&'a Value> {
        self.object.get(name)
    }

    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// Records an error on `name` (relative to this reader's prefix).
    pub fn error(&mut self, name: &str, code: &str, reason: impl Into<String>) {
        self.errors.push(InvalidParam::new(
            format!("{}{}", self.prefix, name),
            code,
            reason,
        ));
    }

    /// Takes over the errors of a nested reader.
    pub fn absorb(&mut self, nested: Reader<'_>) {
        self.errors.extend(nested.errors);
    }

    pub fn into_errors(self) -> Vec<InvalidParam> {
        self.errors
    }

    /// `Ok(())` when nothing was wrong, else the collected validation error.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.errors))
        }
    }

    /// The value of a field, or the `required` error when a required field is missing.
    fn value(&mut self, name: &str, required: bool) -> Option<&'a Value> {
        match self.object.get(name) {
            Some(v) => Some(v),
            None => {
                if required && self.mode.enforces_required() {
                    self.error(name, "required", REQUIRED);
                }
                None
            }
        }
    }

    /// The value of a present, non-null field; otherwise the field state to answer with (and,
    /// for a null where none is allowed, the `null` error).
    fn non_null<T>(&mut self, name: &str, presence: Presence) -> Result<&'a Value, Field<T>> {
        match self.value(name, presence.required()) {
            None => Err(Field::Absent),
            Some(Value::Null) if presence.nullable() => Err(Field::Null),
            Some(Value::Null) => {
                self.error(name, "null", NOT_NULL);
                Err(Field::Absent)
            }
            Some(v) => Ok(v),
        }
    }

    fn text_of(&mut self, name: &str, value: &Value) -> Option<String> {
        match value {
            Value::String(s) if s.contains('\0') => {
                self.error(name, NULL_CHARACTERS, NULL_CHARACTERS_REASON);
                None
            }
            Value::String(s) => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            _ => {
                self.error(name, "invalid", "Not a valid string.");
                None
            }
        }
    }

    fn checked_text(&mut self, name: &str, value: &Value, rules: Text) -> Option<String> {
        let text = self.text_of(name, value)?;
        if text.is_empty() && !rules.allow_blank {
            self.error(name, "blank", NOT_BLANK);
            return None;
        }
        if text.chars().count() > rules.max {
            self.error(
                name,
                "max_length",
                format!(
                    "Zorg ervoor dat dit veld niet meer dan {} karakters bevat.",
                    rules.max
                ),
            );
            return None;
        }
        Some(text)
    }

    /// A text field that may not be null.
    pub fn text(&mut self, name: &str, rules: Text) -> Field<String> {
        match self.value(name, rules.required) {
            None => Field::Absent,
            Some(Value::Null) => {
                self.error(name, "null", NOT_NULL);
                Field::Absent
            }
            Some(v) => self
                .checked_text(name, v, rules)
                .map_or(Field::Absent, Field::Set),
        }
    }

    /// A text field that may be null.
    pub fn nullable_text(&mut self, name: &str, rules: Text) -> Field<String> {
        match self.value(name, rules.required) {
            None => Field::Absent,
            Some(Value::Null) => Field::Null,
            Some(v) => self
                .checked_text(name, v, rules)
                .map_or(Field::Absent, Field::Set),
        }
    }

    /// One of a fixed set of lower-case values.
    pub fn choice(&mut self, name: &str, choices: &[&str], presence: Presence) -> Field<String> {
        let v = match self.non_null(name, presence) {
            Ok(v) => v,
            Err(field) => return field,
        };
        {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if choices.contains(&text.as_str()) {
                Field::Set(text)
            } else {
                self.error(
                    name,
                    "invalid_choice",
                    format!("\"{text}\" is een ongeldige keuze."),
                );
                Field::Absent
            }
        }
    }

    /// A boolean; the reference also takes `"true"`, `"false"`, `1`, `0` and their kin.
    pub fn boolean(&mut self, name: &str, presence: Presence) -> Field<bool> {
        let v = match self.non_null(name, presence) {
            Ok(v) => v,
            Err(field) => return field,
        };
        match parse_bool_value(v) {
            Some(b) => Field::Set(b),
            None => {
                self.error(name, "invalid", "Moet een geldige boolean zijn.");
                Field::Absent
            }
        }
    }

    /// An integer within bounds.
    pub fn integer(&mut self, name: &str, min: i64, max: i64, presence: Presence) -> Field<i64> {
        let v = match self.non_null(name, presence) {
            Ok(v) => v,
            Err(field) => return field,
        };
        {
            let number = match v {
                Value::Number(n) => n.as_i64().or_else(|| {
                    n.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
                        .map(|f| f as i64)
                }),
                Value::String(s) => s.trim().parse::<i64>().ok(),
                _ => None,
            };
            match number {
                None => {
                    self.error(name, "invalid", "Een geldig getal is vereist.");
                    Field::Absent
                }
                Some(n) if n > max => {
                    self.error(
                        name,
                        "max_value",
                        format!("Zorg ervoor dat deze waarde kleiner of gelijk is aan {max}."),
                    );
                    Field::Absent
                }
                Some(n) if n < min => {
                    self.error(
                        name,
                        "min_value",
                        format!("Zorg ervoor dat deze waarde groter of gelijk is aan {min}."),
                    );
                    Field::Absent
                }
                Some(n) => Field::Set(n),
            }
        }
    }

    /// A calendar date, `YYYY-MM-DD`.
    pub fn date(&mut self, name: &str, presence: Presence) -> Field<time::Date> {
        let v = match self.non_null(name, presence) {
            Ok(v) => v,
            Err(field) => return field,
        };
        match v.as_str().and_then(|s| crate::time::parse_date(s.trim())) {
            Some(date) => Field::Set(date),
            None => {
                self.error(
                    name,
                    "invalid",
                    "Datum heeft het verkeerde formaat. Gebruik een van deze formaten: YYYY-MM-DD.",
                );
                Field::Absent
            }
        }
    }

    /// A moment, ISO 8601 with an offset (or none, read as UTC).
    pub fn datetime(&mut self, name: &str, presence: Presence) -> Field<time::PrimitiveDateTime> {
        let v = match self.non_null(name, presence) {
            Ok(v) => v,
            Err(field) => return field,
        };
        match v
            .as_str()
            .and_then(|s| crate::time::parse_datetime(s.trim()))
        {
            Some(moment) => Field::Set(moment),
            None if v.is_string() => {
                self.error(
                    name,
                    "invalid",
                    "Datetime heeft een ongeldig formaat, gebruik 1 van de volgende formaten: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
                );
                Field::Absent
            }
            None => {
                self.error(name, "invalid", "Datetime heeft een ongeldig formaat.");
                Field::Absent
            }
        }
    }

    /// A nested object (a gegevensgroep or a polymorphic part).
    pub fn object(&mut self, name: &str, presence: Presence) -> Field<&'a Map<String, Value>> {
        match self.non_null(name, presence) {
            Err(field) => field,
            Ok(Value::Object(map)) => Field::Set(map),
            Ok(other) => {
                self.error(
                    &format!("{name}.nonFieldErrors"),
                    "invalid",
                    format!(
                        "Ongeldige data. Verwacht een dictionary, kreeg een {}.",
                        json_type_name(other)
                    ),
                );
                Field::Absent
            }
        }
    }

    /// A list field.
    pub fn list(&mut self, name: &str, presence: Presence) -> Field<&'a Vec<Value>> {
        match self.non_null(name, presence) {
            Err(field) => field,
            Ok(Value::Array(items)) => Field::Set(items),
            Ok(other) => {
                self.error(
                    name,
                    "not_a_list",
                    format!(
                        "Verwachtte een lijst met items, maar kreeg type \"{}\".",
                        json_type_name(other)
                    ),
                );
                Field::Absent
            }
        }
    }

    /// A reference object `{"uuid": …}`; only its uuid is read.
    pub fn reference(&mut self, name: &str, presence: Presence) -> Field<Uuid> {
        let v = match self.non_null(name, presence) {
            Ok(v) => v,
            Err(field) => return field,
        };
        self.reference_value(name, v)
            .map_or(Field::Absent, Field::Set)
    }

    fn reference_value(&mut self, name: &str, value: &Value) -> Option<Uuid> {
        let Value::Object(map) = value else {
            self.error(
                &format!("{name}.nonFieldErrors"),
                "invalid",
                format!(
                    "Ongeldige data. Verwacht een dictionary, kreeg een {}.",
                    json_type_name(value)
                ),
            );
            return None;
        };
        match map.get("uuid") {
            None | Some(Value::Null) => {
                let code = if map.contains_key("uuid") {
                    "null"
                } else {
                    "required"
                };
                let reason = if code == "null" { NOT_NULL } else { REQUIRED };
                self.error(&format!("{name}.uuid"), code, reason);
                None
            }
            Some(v) => match v.as_str().and_then(|s| Uuid::parse_str(s.trim()).ok()) {
                Some(uuid) => Some(uuid),
                None => {
                    self.error(
                        &format!("{name}.uuid"),
                        "invalid",
                        "Moet een geldige UUID zijn.",
                    );
                    None
                }
            },
        }
    }

    /// A list of reference objects; `null` is allowed where the reference allows it (it means
    /// the same as `[]`).
    pub fn reference_list(&mut self, name: &str, presence: Presence) -> Field<Vec<Uuid>> {
        let items = match self.list(name, presence) {
            Field::Set(items) => items,
            Field::Null => return Field::Null,
            Field::Absent => return Field::Absent,
        };
        let before = self.errors.len();
        let uuids: Vec<Uuid> = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| self.reference_value(&format!("{name}.{i}"), item))
            .collect();
        if self.errors.len() > before {
            Field::Absent
        } else {
            Field::Set(uuids)
        }
    }
}

/// The boolean spellings the reference accepts in bodies.
pub fn parse_bool_value(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_i64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "t" | "yes" | "y" | "on" | "1" => Some(true),
            "false" | "f" | "no" | "n" | "off" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    #[test]
    fn missing_required_fields_are_reported_in_the_order_they_are_read() {
        let body = object(json!({}));
        let mut reader = Reader::new(&body, Mode::Create);
        reader.choice("soortPartij", &["persoon"], Presence::Required);
        reader.boolean("indicatieActief", Presence::Required);
        let names: Vec<_> = reader
            .into_errors()
            .into_iter()
            .map(|p| (p.name, p.code))
            .collect();
        assert_eq!(
            names,
            vec![
                ("soortPartij".to_owned(), "required".to_owned()),
                ("indicatieActief".to_owned(), "required".to_owned())
            ]
        );
    }

    #[test]
    fn patch_does_not_require_anything() {
        let body = object(json!({}));
        let mut reader = Reader::new(&body, Mode::Patch);
        assert_eq!(
            reader.choice("soortPartij", &["persoon"], Presence::Required),
            Field::Absent
        );
        assert!(reader.is_valid());
    }

    #[test]
    fn references_name_their_broken_part() {
        let body =
            object(json!({"a": "x", "b": {}, "c": {"uuid": "nope"}, "d": [{"uuid": "nope"}]}));
        let mut reader = Reader::new(&body, Mode::Create);
        reader.reference("a", Presence::Nullable);
        reader.reference("b", Presence::Nullable);
        reader.reference("c", Presence::Nullable);
        reader.reference_list("d", Presence::Nullable);
        let names: Vec<_> = reader.into_errors().into_iter().map(|p| p.name).collect();
        assert_eq!(
            names,
            vec!["a.nonFieldErrors", "b.uuid", "c.uuid", "d.0.uuid"]
        );
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        let body = object(json!({"a": "  x  ", "b": "toolong"}));
        let mut reader = Reader::new(&body, Mode::Create);
        assert_eq!(
            reader.text("a", Text::optional(3)),
            Field::Set("x".to_owned())
        );
        assert_eq!(reader.text("b", Text::optional(3)), Field::Absent);
        assert_eq!(reader.into_errors()[0].code, "max_length");
    }

    #[test]
    fn nul_characters_are_refused_by_name() {
        let body = object(json!({"a": "x\u{0}y", "b": "ok"}));
        let mut reader = Reader::new(&body, Mode::Create);
        assert_eq!(reader.text("a", Text::optional(9)), Field::Absent);
        assert_eq!(reader.text("b", Text::optional(9)), Field::Set("ok".into()));
        let errors = reader.into_errors();
        assert_eq!(
            (errors[0].name.as_str(), errors[0].code.as_str()),
            ("a", NULL_CHARACTERS)
        );
    }
}
