//! The internal side of cross-register `expand`: full objects for the other register, and the
//! other register's objects fetched into this one's `_expand`.

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use platform::auth::Caller;
use platform::crud::expand_field;
use platform::error::ApiError;
use platform::http::{ok, Urls};
use platform::json::JsonBody;
use platform::ApiResult;
use reference::{ObjectsRequest, ObjectsResponse, Resource};
use serde_json::Value;
use uuid::Uuid;

use crate::models::{DigitaalAdresRow, PartijRow};
use crate::schema::{digitale_adressen as da, partijen as p};
use crate::{views, Register};

/// `POST /_internal/objects-relatiebeheer`: partijen or digitale adressen by uuid, as their
/// detail GET shows them (service token only).
pub async fn objects(
    register: web::Data<Register>,
    Urls(urls): Urls,
    caller: Caller,
    body: JsonBody,
) -> ApiResult<HttpResponse> {
    let request: ObjectsRequest = platform::auth::internal_body(&caller, body)?;
    let uuids: Vec<String> = request.uuids.iter().map(Uuid::to_string).collect();
    let results = register
        .db
        .read(move |conn| {
            let values = match request.resource.as_str() {
                "partijen" => {
                    let rows: Vec<PartijRow> = p::table
                        .filter(p::uuid.eq_any(&uuids))
                        .select(PartijRow::as_select())
                        .load(conn)?;
                    serde_json::to_value(views::partijen(conn, &urls, &rows)?)
                }
                "digitaleadressen" => {
                    let rows: Vec<DigitaalAdresRow> = da::table
                        .filter(da::uuid.eq_any(&uuids))
                        .select(DigitaalAdresRow::as_select())
                        .load(conn)?;
                    serde_json::to_value(views::digitale_adressen(conn, &urls, &rows)?)
                }
                _ => return Err(ApiError::not_found()),
            };
            match values.map_err(|e| ApiError::Internal(e.into()))? {
                Value::Array(items) => Ok(items),
                _ => Ok(Vec::new()),
            }
        })
        .await?;
    ok(&ObjectsResponse { results })
}

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
        &register.resolver,
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
        &register.resolver,
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
        return expand_field(&register.resolver, origin, values, field, resource).await;
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
