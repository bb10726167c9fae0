//! Query parameters: unknown names are refused, filter values are parsed with the reference's
//! codes and messages, `expand` is merged from its comma and repeated forms.

use actix_web::{dev::Payload, FromRequest, HttpRequest};
use std::future::{ready, Ready};
use uuid::Uuid;

use crate::error::{ApiError, InvalidParam, NON_FIELD_ERRORS};

/// The query string of a request, as ordered name/value pairs.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl FromRequest for Query {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Query::parse(req.query_string())))
    }
}

/// Names every list and detail GET knows.
pub const PAGINATION: [&str; 2] = ["page", "pageSize"];

impl Query {
    pub fn parse(query: &str) -> Self {
        Self {
            pairs: url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        }
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The last value of a parameter, like the reference reads it; empty values count as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// Refuses parameters outside `known` (and the pagination parameters), as the reference does
    /// on every list and detail GET.
    pub fn reject_unknown(&self, known: &[&str]) -> Result<(), ApiError> {
        let mut unknown: Vec<&str> = Vec::new();
        for (name, _) in &self.pairs {
            let known = known.contains(&name.as_str()) || PAGINATION.contains(&name.as_str());
            if !known && !unknown.contains(&name.as_str()) {
                unknown.push(name);
            }
        }
        if !unknown.is_empty() {
            return Err(ApiError::invalid(
                NON_FIELD_ERRORS,
                "unknown-parameters",
                format!("Onbekende query parameters: {}", unknown.join(", ")),
            ));
        }
        self.reject_nul()
    }

    /// Refuses filter values with a NUL character, named after their filter, as the reference
    /// does (PostgreSQL could not compare them).
    fn reject_nul(&self) -> Result<(), ApiError> {
        let mut errors: Vec<InvalidParam> = Vec::new();
        for (name, value) in &self.pairs {
            if value.contains('\0') && !errors.iter().any(|e| &e.name == name) {
                errors.push(InvalidParam::new(
                    name,
                    crate::input::NULL_CHARACTERS,
                    crate::input::NULL_CHARACTERS_REASON,
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(errors))
        }
    }

    /// The `expand` values, from `expand=a,b` and `expand=a&expand=b` alike, each checked.
    pub fn expand(&self, allowed: &[&str]) -> Result<Vec<String>, ApiError> {
        let mut values: Vec<String> = Vec::new();
        for (name, value) in &self.pairs {
            if name != "expand" {
                continue;
            }
            for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                if !allowed.contains(&part) {
                    return Err(ApiError::invalid(
                        "expand",
                        "invalid_choice",
                        format!("Selecteer een geldige keuze. {part} is geen beschikbare keuze."),
                    ));
                }
                if !values.iter().any(|v| v == part) {
                    values.push(part.to_owned());
                }
            }
        }
        Ok(values)
    }

    /// Reads the filters with `read`, answering every broken filter's error together.
    pub fn read_filters<T>(&self, read: impl FnOnce(&mut Filters<'_>) -> T) -> Result<T, ApiError> {
        let mut filters = self.filters();
        let read = read(&mut filters);
        filters.finish()?;
        Ok(read)
    }

    /// A reader for filter values that collects their errors.
    pub fn filters(&self) -> Filters<'_> {
        Filters {
            query: self,
            errors: Vec::new(),
            nothing: false,
        }
    }
}

/// Parses filter values, collecting one error per broken filter.
pub struct Filters<'q> {
    query: &'q Query,
    errors: Vec<InvalidParam>,
    /// A filter was given that no object can match (see [`Filters::reference`]).
    nothing: bool,
}

/// A member of an object identificator (a gegevensgroep of four texts), as filters name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentificatorMember {
    ObjectId,
    CodeObjecttype,
    CodeRegister,
    CodeSoortObjectId,
}

impl IdentificatorMember {
    pub const ALL: [IdentificatorMember; 4] = [
        IdentificatorMember::ObjectId,
        IdentificatorMember::CodeObjecttype,
        IdentificatorMember::CodeRegister,
        IdentificatorMember::CodeSoortObjectId,
    ];

    /// How a filter name ends for this member (`…ObjectId`).
    pub fn suffix(self) -> &'static str {
        match self {
            IdentificatorMember::ObjectId => "ObjectId",
            IdentificatorMember::CodeObjecttype => "CodeObjecttype",
            IdentificatorMember::CodeRegister => "CodeRegister",
            IdentificatorMember::CodeSoortObjectId => "CodeSoortObjectId",
        }
    }
}

/// Narrows a boxed query of `$table` (with `identificator_*` columns) to rows whose
/// identificator member has the value: `identificator_filter!(q, bijlagen, member, value)`.
#[macro_export]
macro_rules! identificator_filter {
    ($query:expr, $table:ident, $member:expr, $value:expr) => {{
        use $crate::query::IdentificatorMember as M;
        match $member {
            M::ObjectId => $query.filter($table::identificator_object_id.eq($value)),
            M::CodeObjecttype => $query.filter($table::identificator_code_objecttype.eq($value)),
            M::CodeRegister => $query.filter($table::identificator_code_register.eq($value)),
            M::CodeSoortObjectId => {
                $query.filter($table::identificator_code_soort_object_id.eq($value))
            }
        }
    }};
}

/// What a `…__url` filter asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlFilter {
    /// The URL ends in this uuid.
    Uuid(Uuid),
    /// A valid URL that cannot point at any object: nothing matches.
    NoMatch,
}

impl<'q> Filters<'q> {
    pub fn text(&self, name: &str) -> Option<&'q str> {
        self.query.get(name)
    }

    pub fn uuid(&mut self, name: &str) -> Option<Uuid> {
        let value = self.query.get(name)?;
        match Uuid::parse_str(value.trim()) {
            Ok(uuid) => Some(uuid),
            Err(_) => {
                self.errors.push(InvalidParam::new(
                    name,
                    "invalid",
                    "Voer een geldige UUID in.",
                ));
                None
            }
        }
    }

    pub fn url(&mut self, name: &str) -> Option<UrlFilter> {
        let value = self.query.get(name)?;
        match url::Url::parse(value.trim()) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {
                Some(reference::uuid_from_url(&url).map_or(UrlFilter::NoMatch, UrlFilter::Uuid))
            }
            _ => {
                self.errors.push(InvalidParam::new(
                    name,
                    "invalid",
                    "Voer een geldige URL in.",
                ));
                None
            }
        }
    }

    /// The `{prefix}__uuid` and `{prefix}__url` filters of one relation, merged: the object
    /// asked for, or `None` when neither is given. A URL without a uuid, or the two naming
    /// different objects, match nothing: see [`Filters::matches_nothing`].
    pub fn reference(&mut self, prefix: &str) -> Option<Uuid> {
        let by_uuid = self.uuid(&format!("{prefix}__uuid"));
        match self.url(&format!("{prefix}__url")) {
            Some(UrlFilter::NoMatch) => self.match_nothing(),
            Some(UrlFilter::Uuid(u)) if by_uuid.is_some_and(|b| b != u) => self.match_nothing(),
            Some(UrlFilter::Uuid(u)) => Some(u),
            None => by_uuid,
        }
    }

    fn match_nothing<T>(&mut self) -> Option<T> {
        self.nothing = true;
        None
    }

    /// Whether a filter read so far can match no object, so the list is empty.
    pub fn matches_nothing(&self) -> bool {
        self.nothing
    }

    /// The filters on an object identificator's four members (`{prefix}ObjectId`,
    /// `{prefix}CodeObjecttype`, ...): the members given, with their values.
    pub fn identificator(&self, prefix: &str) -> Vec<(IdentificatorMember, String)> {
        IdentificatorMember::ALL
            .into_iter()
            .filter_map(|m| Some((m, self.text(&format!("{prefix}{}", m.suffix()))?.to_owned())))
            .collect()
    }

    /// `true/false/1/0` in any case; any other value leaves the filter off, as in the reference.
    pub fn boolean(&mut self, name: &str) -> Option<bool> {
        match self.query.get(name)?.to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        }
    }

    pub fn choice(&mut self, name: &str, choices: &[&str]) -> Option<&'q str> {
        let value = self.query.get(name)?;
        if choices.contains(&value) {
            Some(value)
        } else {
            self.errors.push(InvalidParam::new(
                name,
                "invalid_choice",
                format!("Selecteer een geldige keuze. {value} is geen beschikbare keuze."),
            ));
            None
        }
    }

    pub fn date(&mut self, name: &str) -> Option<time::Date> {
        let value = self.query.get(name)?;
        match crate::time::parse_date(value.trim()) {
            Some(date) => Some(date),
            None => {
                self.errors.push(InvalidParam::new(
                    name,
                    "invalid",
                    "Voer een geldige datum in.",
                ));
                None
            }
        }
    }

    pub fn datetime(&mut self, name: &str) -> Option<time::PrimitiveDateTime> {
        let value = self.query.get(name)?;
        match crate::time::parse_datetime(value.trim()) {
            Some(moment) => Some(moment),
            None => {
                self.errors.push(InvalidParam::new(
                    name,
                    "invalid",
                    "Voer een geldige datum/tijd in.",
                ));
                None
            }
        }
    }

    /// A comma-separated list of values (`a,b`); any of them may match.
    pub fn comma_list(&self, name: &str) -> Option<Vec<&'q str>> {
        let value = self.query.get(name)?;
        Some(
            value
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .collect(),
        )
    }

    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.errors))
        }
    }
}

/// Escapes `%`, `_` and `\\` so a search text matches only itself in `LIKE … ESCAPE '\\'`.
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_snake_case_parameters_are_refused() {
        let query = Query::parse("soort_partij=persoon&page=2&invalid=1");
        let err = query.reject_unknown(&["soortPartij"]).unwrap_err();
        match err {
            ApiError::Validation(params) => {
                assert_eq!(params[0].name, "nonFieldErrors");
                assert_eq!(params[0].code, "unknown-parameters");
                assert_eq!(
                    params[0].reason,
                    "Onbekende query parameters: soort_partij, invalid"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(Query::parse("soortPartij=persoon&pageSize=5")
            .reject_unknown(&["soortPartij"])
            .is_ok());
    }

    #[test]
    fn expand_merges_comma_and_repeated_forms_and_checks_every_value() {
        let allowed = ["a", "b", "b.c"];
        let query = Query::parse("expand=a,b.c&expand=b");
        assert_eq!(query.expand(&allowed).unwrap(), vec!["a", "b.c", "b"]);
        assert!(Query::parse("expand=a&expand=x").expand(&allowed).is_err());
    }

    #[test]
    fn uuid_and_url_filters_of_one_relation_merge() {
        let id = Uuid::new_v4();
        let other = Uuid::new_v4();
        let same = Query::parse(&format!("p__uuid={id}&p__url=http://x/partijen/{id}"));
        let mut f = same.filters();
        assert_eq!((f.reference("p"), f.matches_nothing()), (Some(id), false));
        let different = Query::parse(&format!("p__uuid={id}&p__url=http://x/partijen/{other}"));
        let mut f = different.filters();
        assert_eq!((f.reference("p"), f.matches_nothing()), (None, true));
        let no_uuid = Query::parse("p__url=http://x/geen");
        let mut f = no_uuid.filters();
        assert_eq!((f.reference("p"), f.matches_nothing()), (None, true));
        let neither = Query::parse("");
        let mut f = neither.filters();
        assert_eq!((f.reference("p"), f.matches_nothing()), (None, false));
    }

    #[test]
    fn url_filters_take_the_last_segment_and_refuse_what_is_no_url() {
        let id = Uuid::new_v4();
        let query = Query::parse(&format!(
            "a=http://x/partijen/{id}&b=http://x/not-a-uuid&c=ValueError"
        ));
        let mut filters = query.filters();
        assert_eq!(filters.url("a"), Some(UrlFilter::Uuid(id)));
        assert_eq!(filters.url("b"), Some(UrlFilter::NoMatch));
        assert_eq!(filters.url("c"), None);
        assert!(filters.finish().is_err());
    }
}
