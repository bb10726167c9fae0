//! This register's objects as the others' read models see them, for a resync
//! (`platform::resync`).

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use platform::auth::Caller;
use platform::db::DbConnection;
use platform::json::JsonBody;
use platform::ApiResult;
use serde_json::Value;

use crate::models::InternetaakData;
use crate::schema::internetaken as t;
use crate::Register;

/// The current objects of `topic` after `after` (by uuid), as event payloads.
pub fn snapshot(
    conn: &mut DbConnection,
    topic: &str,
    after: Option<&str>,
    limit: i64,
) -> ApiResult<Option<Vec<(String, Value)>>> {
    if topic != "internetaak" {
        return Ok(None);
    }
    let rows: Vec<InternetaakData> = t::table
        .filter(t::uuid.gt(after.unwrap_or("")))
        .order(t::uuid)
        .limit(limit)
        .select(InternetaakData::as_select())
        .load(conn)?;
    Ok(Some(
        rows.into_iter()
            .map(|data| {
                let payload = crate::internetaken::payload(&data, false);
                (data.uuid, payload)
            })
            .collect(),
    ))
}

/// `POST /_internal/snapshot-klanttaak`.
pub async fn serve(
    register: web::Data<Register>,
    caller: Caller,
    body: JsonBody,
) -> ApiResult<HttpResponse> {
    platform::resync::serve(&register.db, &caller, body, snapshot).await
}
