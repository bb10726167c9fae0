//! The internal side of cross-register `expand`: full objects for the other register, and the
//! other register's objects fetched into this one's `_expand`.

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use platform::auth::Caller;
use platform::crud::Crud;
use platform::error::ApiError;
use platform::http::{ok, Urls};
use platform::json::JsonBody;
use platform::ApiResult;
use reference::{ObjectsRequest, ObjectsResponse};
use serde_json::Value;
use uuid::Uuid;

use crate::models::{BetrokkeneRow, KlantcontactRow};
use crate::schema::{betrokkenen as b, klantcontacten as k};
use crate::Register;

/// `POST /_internal/objects-klantcontacten`: betrokkenen or klantcontacten by uuid, as their
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
                "betrokkenen" => {
                    let rows: Vec<BetrokkeneRow> = b::table
                        .filter(b::uuid.eq_any(&uuids))
                        .select(BetrokkeneRow::as_select())
                        .load(conn)?;
                    serde_json::to_value(crate::betrokkenen::views(conn, &urls, &rows)?)
                }
                "klantcontacten" => {
                    let rows: Vec<KlantcontactRow> = k::table
                        .filter(k::uuid.eq_any(&uuids))
                        .select(KlantcontactRow::as_select())
                        .load(conn)?;
                    serde_json::to_value(crate::klantcontacten::Klantcontacten::render(
                        conn, &urls, &rows,
                    )?)
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

/// The uuids of the partijen in relatiebeheer that match `filters` (for a filter on a
/// betrokkene's partij); refused on `name` when too many match.
pub async fn partijen_matching(
    register: &Register,
    origin: &str,
    filters: &[(String, String)],
    name: &str,
) -> ApiResult<Vec<String>> {
    let partijen = platform::crud::remote_search(
        &register.resolver,
        reference::Resource::Partijen,
        filters,
        origin,
        name,
    )
    .await?;
    Ok(platform::crud::uuids_at(&partijen, "/uuid"))
}

/// The uuids of the betrokkenen that supplied the digitale adressen in relatiebeheer matching
/// `filter`; refused on `name` when too many match.
pub async fn betrokkenen_with_adres(
    register: &Register,
    origin: &str,
    filter: (&str, &str),
    name: &str,
) -> ApiResult<Vec<String>> {
    let adressen = platform::crud::remote_search(
        &register.resolver,
        reference::Resource::Digitaleadressen,
        &[(filter.0.to_owned(), filter.1.to_owned())],
        origin,
        name,
    )
    .await?;
    Ok(platform::crud::uuids_at(
        &adressen,
        "/verstrektDoorBetrokkene/uuid",
    ))
}
