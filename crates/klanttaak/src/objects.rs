//! The internal side of cross-register `expand`: internetaken by uuid, as their detail GET
//! shows them, for `klantcontact.leiddeTotInterneTaken`.

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use platform::auth::Caller;
use platform::error::ApiError;
use platform::http::{ok, Urls};
use platform::json::JsonBody;
use platform::ApiResult;
use reference::{ObjectsRequest, ObjectsResponse};
use serde_json::Value;
use uuid::Uuid;

use crate::models::InternetaakRow;
use crate::schema::internetaken as t;
use crate::Register;

/// `POST /_internal/objects-klanttaak` (service token only).
pub async fn objects(
    register: web::Data<Register>,
    Urls(urls): Urls,
    caller: Caller,
    body: JsonBody,
) -> ApiResult<HttpResponse> {
    let request: ObjectsRequest = platform::auth::internal_body(&caller, body)?;
    if request.resource != "internetaken" {
        return Err(ApiError::not_found());
    }
    let uuids: Vec<String> = request.uuids.iter().map(Uuid::to_string).collect();
    let results = register
        .db
        .read(move |conn| {
            let rows: Vec<InternetaakRow> = t::table
                .filter(t::uuid.eq_any(&uuids))
                .select(InternetaakRow::as_select())
                .load(conn)?;
            let views = crate::internetaken::views(conn, &urls, &rows)?;
            match serde_json::to_value(views).map_err(|e| ApiError::Internal(e.into()))? {
                Value::Array(items) => Ok(items),
                _ => Ok(Vec::new()),
            }
        })
        .await?;
    ok(&ObjectsResponse { results })
}
