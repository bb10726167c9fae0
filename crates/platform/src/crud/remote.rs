//! `_expand` relations that another register serves: fetched after the page was read, one call
//! per relation for the whole page, nested ones inside the objects their parent expanded.

use serde_json::{Map, Value};
use uuid::Uuid;

use super::references::referenced;
use crate::ApiResult;

/// Fills in the relations of `remote` (a resource's [`super::Crud::REMOTE_EXPAND`]) that were
/// asked for, in their order. A nested path (`betrokkenen.hadKlantcontact`) is expanded only
/// when every path above it was asked for too, as the reference does.
pub async fn expand_remote(
    resolver: &reference::Resolver,
    origin: &str,
    remote: &[(&str, reference::Resource)],
    requested: &[String],
    values: &mut [Value],
) -> ApiResult<()> {
    let asked = |path: &str| requested.iter().any(|r| r == path);
    for (path, resource) in remote {
        let parts: Vec<&str> = path.split('.').collect();
        let ancestors_asked = (1..parts.len()).all(|n| asked(&parts[..n].join(".")));
        if !asked(path) || !ancestors_asked {
            continue;
        }
        if let Some((field, parents)) = parts.split_last() {
            nested(resolver, origin, values, parents, field, *resource).await?;
        }
    }
    Ok(())
}

/// Expands `field` inside the objects already expanded along `parents` (`_expand.a._expand.b`),
/// in one call for the whole page.
async fn nested(
    resolver: &reference::Resolver,
    origin: &str,
    values: &mut [Value],
    parents: &[&str],
    field: &str,
    resource: reference::Resource,
) -> ApiResult<()> {
    let Some((parent, deeper)) = parents.split_first() else {
        return expand_field(resolver, origin, values, field, resource).await;
    };
    // The children of every value, taken out, expanded together and put back in place.
    let pointer = format!("/_expand/{parent}");
    let mut children: Vec<Value> = Vec::new();
    let mut shapes: Vec<Option<usize>> = Vec::new();
    for value in values.iter_mut() {
        match value.pointer_mut(&pointer) {
            Some(Value::Array(items)) => {
                shapes.push(Some(items.len()));
                children.append(items);
            }
            Some(child @ Value::Object(_)) => {
                shapes.push(None);
                children.push(child.take());
            }
            _ => shapes.push(Some(0)),
        }
    }
    Box::pin(nested(
        resolver,
        origin,
        &mut children,
        deeper,
        field,
        resource,
    ))
    .await?;
    let mut children = children.into_iter();
    for (value, shape) in values.iter_mut().zip(shapes) {
        match (value.pointer_mut(&pointer), shape) {
            (Some(Value::Array(items)), Some(count)) => items.extend(children.by_ref().take(count)),
            (Some(slot), None) => *slot = children.next().unwrap_or(Value::Null),
            _ => {}
        }
    }
    Ok(())
}

/// Fetches, in one call, the objects `field` of every value points at, and sets
/// `value._expand[field]` to them (a list for a list field, an object or null for one reference).
async fn expand_field(
    resolver: &reference::Resolver,
    origin: &str,
    values: &mut [Value],
    field: &str,
    resource: reference::Resource,
) -> ApiResult<()> {
    let wanted: Vec<Uuid> = values.iter().flat_map(|v| referenced(v, field)).collect();
    let found = resolver.fetch(resource, &wanted, origin).await?;
    for value in values.iter_mut() {
        let expanded = match value.get(field) {
            Some(Value::Array(_)) => Value::Array(
                referenced(value, field)
                    .iter()
                    .filter_map(|u| found.get(u).cloned())
                    .collect(),
            ),
            _ => referenced(value, field)
                .first()
                .and_then(|u| found.get(u).cloned())
                .unwrap_or(Value::Null),
        };
        if let Value::Object(map) = value {
            let entry = map
                .entry("_expand")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(expand) = entry {
                expand.insert(field.to_owned(), expanded);
            }
        }
    }
    Ok(())
}
