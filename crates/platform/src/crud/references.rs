//! What a body or an `_expand` points at in other registers: checked together, fetched in one
//! call per relation.

use serde_json::{Map, Value};
use uuid::Uuid;

use super::{Crud, RegisterState};
use crate::error::{ApiError, InvalidParam};
use crate::ApiResult;

/// Checks the references a body of resource `R` makes into other registers
/// ([`Crud::REFERENCES`]), all together: one call per register however many there are. Answers
/// the unknown ones, named `{prefix}{field}…` (to be reported by [`settle`]).
pub async fn verify<R: Crud>(
    state: &R::State,
    body: &Map<String, Value>,
    prefix: &str,
) -> ApiResult<Vec<InvalidParam>> {
    let mut references = References::default();
    for (field, resource, model) in R::REFERENCES {
        references = references.add(body, prefix, field, *resource, model);
    }
    references.check(&state.shared().resolver).await
}

/// The references a body makes into other registers.
#[derive(Default)]
struct References {
    wanted: Vec<(String, reference::Resource, Uuid, &'static str)>,
}

impl References {
    /// `body[field]`, a reference object or a list of them, named `{prefix}{field}[.i].uuid` in
    /// an error; `model` names the kind of object in its message. What is no valid reference is
    /// left for the body's validation to report.
    fn add(
        mut self,
        body: &Map<String, Value>,
        prefix: &str,
        field: &str,
        resource: reference::Resource,
        model: &'static str,
    ) -> Self {
        let uuid_of = |r: &Value| {
            r.get("uuid")
                .and_then(Value::as_str)
                .and_then(|s| Uuid::parse_str(s.trim()).ok())
        };
        match body.get(field) {
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    if let Some(uuid) = uuid_of(item) {
                        let name = format!("{prefix}{field}.{i}.uuid");
                        self.wanted.push((name, resource, uuid, model));
                    }
                }
            }
            Some(item @ Value::Object(_)) => {
                if let Some(uuid) = uuid_of(item) {
                    let name = format!("{prefix}{field}.uuid");
                    self.wanted.push((name, resource, uuid, model));
                }
            }
            _ => {}
        }
        self
    }

    /// The references whose object does not exist, as errors (a register that cannot be
    /// reached is a 503).
    async fn check(self, resolver: &reference::Resolver) -> ApiResult<Vec<InvalidParam>> {
        let wanted: Vec<_> = self.wanted.iter().map(|(_, r, u, _)| (*r, *u)).collect();
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let missing = resolver.missing(&wanted).await?;
        Ok(self
            .wanted
            .into_iter()
            .filter(|(_, r, u, _)| missing.contains(&(*r, *u)))
            .map(|(name, _, _, model)| InvalidParam::no_such_object(name, model))
            .collect())
    }
}

/// A write's outcome together with the references [`References::check`] found unknown: with
/// none, the outcome; else one validation error with them and the body's own errors, ordered
/// by `fields` (the body's fields in the order the reference declares them; an unknown
/// reference before the other errors of its field). The write must
/// then not commit: the error rolls its transaction back.
pub fn settle<T>(saved: ApiResult<T>, unknown: Vec<InvalidParam>, fields: &[&str]) -> ApiResult<T> {
    if unknown.is_empty() {
        return saved;
    }
    let mut errors = unknown;
    match saved {
        Ok(_) => {}
        Err(ApiError::Validation(invalid)) => errors.extend(invalid),
        Err(other) => return Err(other),
    }
    let rank = |param: &InvalidParam| {
        let field = param.name.split('.').next().unwrap_or_default();
        fields
            .iter()
            .position(|f| *f == field)
            .unwrap_or(fields.len())
    };
    errors.sort_by_key(rank);
    Err(ApiError::Validation(errors))
}

/// The uuids of the reference objects in `value[field]` (a reference or a list of them).
pub fn referenced(value: &Value, field: &str) -> Vec<Uuid> {
    let uuid_of = |r: &Value| {
        r.get("uuid")
            .and_then(Value::as_str)
            .and_then(|u| Uuid::parse_str(u).ok())
    };
    match value.get(field) {
        Some(Value::Array(items)) => items.iter().filter_map(uuid_of).collect(),
        Some(reference @ Value::Object(_)) => uuid_of(reference).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// The objects in another register that match `filters` (for a filter that reaches across);
/// refused with 400 on `name` when more than the bound match.
pub async fn remote_search(
    resolver: &reference::Resolver,
    resource: reference::Resource,
    filters: &[(String, String)],
    origin: &str,
    name: &str,
) -> ApiResult<Vec<Value>> {
    match resolver.search(resource, filters, origin).await {
        Ok(results) => Ok(results),
        Err(reference::SearchError::Unreachable(e)) => Err(e.into()),
        Err(reference::SearchError::TooBroad(count)) => Err(ApiError::invalid(
            name,
            "invalid",
            format!(
                "Dit filter vindt {count} objecten in een ander register; maak het specifieker (hoogstens {}).",
                reference::REMOTE_FILTER_BOUND
            ),
        )),
    }
}

/// The uuids at a JSON pointer (`/uuid`, `/verstrektDoorBetrokkene/uuid`) of each object.
pub fn uuids_at(objects: &[Value], pointer: &str) -> Vec<String> {
    objects
        .iter()
        .filter_map(|v| {
            v.pointer(pointer)
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect()
}
