//! The endpoints every register serves the others under `/_internal` (service token only),
//! written once over [`RegisterState`]: event delivery, full objects for `expand`, existence
//! checks for references, and snapshots for a resync. Their paths and bodies are
//! [`reference::internal`]'s.

use actix_web::{web, HttpResponse};
use reference::internal::{
    Batch, Endpoint, ExistsRequest, ExistsResponse, ObjectsRequest, ObjectsResponse,
    SnapshotRequest,
};
use uuid::Uuid;

use crate::auth::{internal_body, Caller};
use crate::error::ApiError;
use crate::http::{ok, Urls};
use crate::json::JsonBody;
use crate::register::RegisterState;
use crate::ApiResult;

/// Adds the register's internal endpoints to the `/_internal` scope.
pub fn configure<S: RegisterState>(state: S) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(state));
        let path = |endpoint: Endpoint| endpoint.path(S::REGISTER);
        cfg.route(path(Endpoint::Events), web::post().to(events::<S>));
        cfg.route(path(Endpoint::Objects), web::post().to(objects::<S>));
        cfg.route(path(Endpoint::Exists), web::post().to(exists::<S>));
        cfg.route(path(Endpoint::Snapshot), web::post().to(snapshot::<S>));
    }
}

/// Another register's events, applied to this one.
async fn events<S: RegisterState>(
    state: web::Data<S>,
    caller: Caller,
    body: JsonBody,
) -> ApiResult<HttpResponse> {
    let batch: Batch = internal_body(&caller, body)?;
    state.receive(batch).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Objects of one resource by uuid, as their detail GET shows them.
async fn objects<S: RegisterState>(
    state: web::Data<S>,
    Urls(urls): Urls,
    caller: Caller,
    body: JsonBody,
) -> ApiResult<HttpResponse> {
    let request: ObjectsRequest = internal_body(&caller, body)?;
    let resource = reference::Resource::from_path(&request.resource)
        .filter(|r| r.register() == S::REGISTER)
        .ok_or_else(ApiError::not_found)?;
    let uuids: Vec<String> = request.uuids.iter().map(Uuid::to_string).collect();
    let results = state
        .db()
        .read(move |conn| S::objects(conn, &urls, resource, &uuids))
        .await?;
    ok(&ObjectsResponse { results })
}

/// Which of the objects another register's write refers to this register does not have.
async fn exists<S: RegisterState>(
    state: web::Data<S>,
    caller: Caller,
    body: JsonBody,
) -> ApiResult<HttpResponse> {
    let request: ExistsRequest = internal_body(&caller, body)?;
    let missing = state
        .db()
        .read(move |conn| {
            let mut missing = Vec::new();
            let mut resources: Vec<&str> = request
                .objects
                .iter()
                .map(|o| o.resource.as_str())
                .collect();
            resources.sort_unstable();
            resources.dedup();
            for resource in resources {
                let asked: Vec<String> = request
                    .objects
                    .iter()
                    .filter(|o| o.resource == resource)
                    .map(|o| o.uuid.to_string())
                    .collect();
                let found = match reference::Resource::from_path(resource) {
                    Some(r) => S::existing(conn, r, &asked)?,
                    None => Vec::new(),
                };
                missing.extend(
                    request
                        .objects
                        .iter()
                        .filter(|o| o.resource == resource && !found.contains(&o.uuid.to_string()))
                        .cloned(),
                );
            }
            Ok(missing)
        })
        .await?;
    ok(&ExistsResponse { missing })
}

/// A page of the register's current objects of one topic, for a resync.
async fn snapshot<S: RegisterState>(
    state: web::Data<S>,
    caller: Caller,
    body: JsonBody,
) -> ApiResult<HttpResponse> {
    let request: SnapshotRequest = internal_body(&caller, body)?;
    let page = state
        .db()
        .read(move |conn| crate::resync::page(conn, &request, S::snapshot))
        .await?;
    ok(&page)
}
