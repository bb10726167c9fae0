//! The other registers' objects fetched into this one's `_expand`, one call per relation for
//! the whole page.

use platform::crud::expand_field;
use platform::ApiResult;
use reference::Resource;
use serde_json::Value;

use crate::Register;

/// `partijen?expand=betrokkenen[,betrokkenen.hadKlantcontact]`: the betrokkenen (and their
/// klantcontacten) from the klantcontacten register, one call per relation for the whole page.
pub async fn expand_partijen(
    register: &Register,
    origin: &str,
    requested: &[String],
    values: &mut [Value],
) -> ApiResult<()> {
    if !requested.iter().any(|r| r == "betrokkenen") {
        return Ok(());
    }
    expand_field(
        &register.shared.resolver,
        origin,
        values,
        "betrokkenen",
        Resource::Betrokkenen,
    )
    .await?;
    if requested.iter().any(|r| r == "betrokkenen.hadKlantcontact") {
        nested(
            register,
            origin,
            values,
            &["betrokkenen"],
            "hadKlantcontact",
            Resource::Klantcontacten,
        )
        .await?;
    }
    Ok(())
}

/// `digitaleadressen?expand=verstrektDoorBetrokkene[.hadKlantcontact[.leiddeTotInterneTaken]]`.
pub async fn expand_adressen(
    register: &Register,
    origin: &str,
    requested: &[String],
    values: &mut [Value],
) -> ApiResult<()> {
    if !requested.iter().any(|r| r == "verstrektDoorBetrokkene") {
        return Ok(());
    }
    expand_field(
        &register.shared.resolver,
        origin,
        values,
        "verstrektDoorBetrokkene",
        Resource::Betrokkenen,
    )
    .await?;
    if requested
        .iter()
        .any(|r| r.starts_with("verstrektDoorBetrokkene.hadKlantcontact"))
    {
        nested(
            register,
            origin,
            values,
            &["verstrektDoorBetrokkene"],
            "hadKlantcontact",
            Resource::Klantcontacten,
        )
        .await?;
    }
    if requested
        .iter()
        .any(|r| r == "verstrektDoorBetrokkene.hadKlantcontact.leiddeTotInterneTaken")
    {
        nested(
            register,
            origin,
            values,
            &["verstrektDoorBetrokkene", "hadKlantcontact"],
            "leiddeTotInterneTaken",
            Resource::Internetaken,
        )
        .await?;
    }
    Ok(())
}

/// Expands `field` inside the objects already expanded along `parents` (`_expand.a._expand.b`),
/// in one call for the whole page.
async fn nested(
    register: &Register,
    origin: &str,
    values: &mut [Value],
    parents: &[&str],
    field: &str,
    resource: Resource,
) -> ApiResult<()> {
    let Some((parent, deeper)) = parents.split_first() else {
        return expand_field(&register.shared.resolver, origin, values, field, resource).await;
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
        register,
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
