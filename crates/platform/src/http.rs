//! The API edge: what every request under an API prefix goes through before and after its
//! handler.
//!
//! In order: unrouted paths (trailing slash, unknown resource) get the plain HTML 404 the
//! reference gives; an `Accept` that excludes JSON is 406; every call but the API root needs a
//! token (401); a token without the `bsn` scope may not look a BSN up (403) and gets every BSN
//! in the answer withheld ([`crate::bsn`]); then the handler runs. Every answer gets
//! `API-version` and `Allow`, and an error gets its problem body here, where the request's
//! origin is known.

use std::sync::Arc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, HttpResponse};
use reference::ApiUrls;
use serde::Serialize;

use crate::auth::{Caller, TokenStore};
use crate::error::{ApiError, Problem};

/// One API served by this process: its path prefix, version and resources.
#[derive(Debug, Clone)]
pub struct Api {
    pub prefix: &'static str,
    pub version: &'static str,
    /// Resources with list and detail URLs.
    pub resources: Vec<&'static str>,
    /// Resources that only take POST (`maak-klantcontact`).
    pub actions: Vec<&'static str>,
}

/// What the edge needs to know.
pub struct Edge {
    pub apis: Vec<Api>,
    pub tokens: TokenStore,
    /// The base URL clients reach the deployment on, when it is not the request's own.
    pub public_origin: Option<String>,
    /// Where every API call is counted.
    pub metrics: Arc<crate::metrics::Metrics>,
}

const ROOT_ALLOW: &str = "GET, HEAD, OPTIONS";
const LIST_ALLOW: &str = "GET, POST, HEAD, OPTIONS";
const DETAIL_ALLOW: &str = "GET, PUT, PATCH, DELETE, HEAD, OPTIONS";
const ACTION_ALLOW: &str = "POST, OPTIONS";

enum Route<'a> {
    Root(&'a Api),
    Resource(&'a Api, &'static str),
    NotRouted,
}

impl Edge {
    fn route(&self, path: &str) -> Option<Route<'_>> {
        let api = self.apis.iter().find(|api| path.starts_with(api.prefix))?;
        let rest = &path[api.prefix.len()..];
        // The root and the API's own documents are open to all, as in the reference.
        if matches!(rest, "/" | "/openapi.json" | "/openapi.yaml" | "/schema/") {
            return Some(Route::Root(api));
        }
        let Some(rest) = rest.strip_prefix('/') else {
            return Some(Route::NotRouted);
        };
        let mut segments = rest.split('/');
        let name = segments.next().unwrap_or("");
        let id = segments.next();
        let routed = match (id, segments.next()) {
            (None, _) => {
                if api.resources.contains(&name) {
                    Some(LIST_ALLOW)
                } else if api.actions.contains(&name) {
                    Some(ACTION_ALLOW)
                } else {
                    None
                }
            }
            (Some(id), None) if !id.is_empty() && api.resources.contains(&name) => {
                Some(DETAIL_ALLOW)
            }
            (Some(id), Some("audittrail"))
                if !id.is_empty() && api.resources.contains(&name) && segments.next().is_none() =>
            {
                Some(ROOT_ALLOW)
            }
            _ => None,
        };
        Some(routed.map_or(Route::NotRouted, |allow| Route::Resource(api, allow)))
    }

    fn origin(&self, req: &ServiceRequest) -> String {
        match &self.public_origin {
            Some(origin) => origin.trim_end_matches('/').to_owned(),
            None => {
                let info = req.connection_info();
                format!("{}://{}", info.scheme(), info.host())
            }
        }
    }
}

/// Whether the token may make this call: the register that owns the path, read or write.
fn within_scope(caller: &Caller, api: &Api, path: &str, method: &actix_web::http::Method) -> bool {
    use reference::{Register, Resource};
    let name = path[api.prefix.len()..]
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    let register = if api.prefix == reference::API_PATH {
        match Resource::from_path(name) {
            Some(resource) => resource.register(),
            None if name == "maak-klantcontact" => Register::Klantcontacten,
            None => return true,
        }
    } else if api.prefix.starts_with("/contactgegevens") {
        Register::Relatiebeheer
    } else {
        // `/_internal`: the service token only, checked by each endpoint.
        return true;
    };
    let reading = matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS");
    caller.scopes.allows(register, !reading)
}

/// The middleware itself; wrap the whole app with `from_fn(platform::http::edge)` and put an
/// `Arc<Edge>` in its app data.
pub async fn edge(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(edge) = req
        .app_data::<web::Data<Arc<Edge>>>()
        .map(|d| Arc::clone(d.get_ref()))
    else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let (api, allow, needs_token) = match edge.route(req.path()) {
        // Calls between registers continue the caller's trace too.
        None if req.path().starts_with("/_internal/") => {
            use tracing::Instrument as _;
            let traceparent = req
                .headers()
                .get("traceparent")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let (span, trace) = crate::telemetry::request_span(
                req.method().as_str(),
                req.path(),
                traceparent.as_deref(),
            );
            return trace
                .scope(next.call(req).instrument(span))
                .await
                .map(ServiceResponse::map_into_boxed_body);
        }
        None => {
            return next
                .call(req)
                .await
                .map(ServiceResponse::map_into_boxed_body)
        }
        Some(Route::NotRouted) => return Ok(req.into_response(html_not_found())),
        Some(Route::Root(api)) => (api, ROOT_ALLOW, false),
        Some(Route::Resource(api, allow)) => (api, allow, true),
    };
    let started = std::time::Instant::now();
    let method = req.method().clone();
    let path = req.path().to_owned();
    let origin = edge.origin(&req);
    req.extensions_mut().insert(ApiUrls::new(&origin));

    let mut withhold_bsn = false;
    let refused = if !accepts_json(req.headers().get(header::ACCEPT)) {
        Some(ApiError::NotAcceptable)
    } else if needs_token {
        let header = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        match edge.tokens.authenticate(header.as_deref()).await {
            Ok(caller) if !within_scope(&caller, api, req.path(), req.method()) => {
                Some(ApiError::PermissionDenied)
            }
            Ok(caller) if !caller.scopes.may_use_bsn() && looks_bsn_up(&req) => {
                Some(ApiError::BsnNotPermitted)
            }
            Ok(caller) => {
                withhold_bsn = !caller.scopes.may_use_bsn();
                req.extensions_mut().insert(caller);
                None
            }
            Err(e) => Some(e),
        }
    } else {
        None
    };

    // The request's span continues the caller's trace; the calls it makes to other registers
    // carry it on.
    let traceparent = req
        .headers()
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (span, trace) =
        crate::telemetry::request_span(method.as_str(), &path, traceparent.as_deref());
    let trace_id = trace.trace_id.clone();
    let res = match refused {
        Some(error) => req.error_response(error),
        None => {
            use tracing::Instrument as _;
            let res = trace
                .scope(next.call(req).instrument(span))
                .await?
                .map_into_boxed_body();
            if withhold_bsn {
                withhold_bsns(res).await
            } else {
                res
            }
        }
    };
    edge.metrics.request(
        method.as_str(),
        &crate::metrics::route(&path),
        res.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    // One line per call; the path only, never the query string (it may hold a BSN).
    tracing::info!(
        trace_id = %trace_id,
        http.method = %method,
        http.path = %path,
        http.status = res.status().as_u16(),
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    Ok(finish(res, &origin, api.version, allow))
}

/// Whether the request filters on something that could be a BSN.
fn looks_bsn_up(req: &ServiceRequest) -> bool {
    crate::query::Query::parse(req.query_string())
        .pairs()
        .iter()
        .any(|(name, value)| crate::bsn::filter_uses_bsn(name, value))
}

/// The answer with every BSN in its JSON body withheld (a body without one is sent as it was).
async fn withhold_bsns(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return res;
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let body = match actix_web::body::to_bytes(body).await {
        Ok(bytes) => match crate::bsn::withhold(&bytes) {
            Some(withheld) => BoxBody::new(withheld),
            None => BoxBody::new(bytes),
        },
        // The body could not be read to its end: send nothing of it rather than a BSN.
        Err(_) => {
            let error = ApiError::Internal(anyhow::anyhow!("an answer could not be read"));
            return ServiceResponse::new(req, actix_web::ResponseError::error_response(&error));
        }
    };
    ServiceResponse::new(req, head.set_body(body))
}

/// Adds the API headers and writes a problem body where the handler left a [`Problem`].
fn finish(
    res: ServiceResponse<BoxBody>,
    origin: &str,
    version: &str,
    allow: &str,
) -> ServiceResponse<BoxBody> {
    let problem = res.response().extensions().get::<Problem>().cloned();
    let mut res = match problem {
        Some(problem) => res.map_body(|head, _| {
            head.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            BoxBody::new(problem.body(origin))
        }),
        None => res,
    };
    let headers = res.headers_mut();
    // Internal endpoints carry no API version.
    if let (false, Ok(v)) = (version.is_empty(), HeaderValue::from_str(version)) {
        headers.insert(header::HeaderName::from_static("api-version"), v);
    }
    if let Ok(v) = HeaderValue::from_str(allow) {
        headers.insert(header::ALLOW, v);
    }
    res
}

/// Whether an `Accept` header lets us answer JSON.
fn accepts_json(accept: Option<&HeaderValue>) -> bool {
    let Some(accept) = accept.and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if accept.trim().is_empty() {
        return true;
    }
    accept.split(',').any(|range| {
        let media = range
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        matches!(media.as_str(), "*/*" | "application/*" | "application/json")
    })
}

/// The reference's answer to a path it does not route: a plain HTML page.
pub fn html_not_found() -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/html; charset=utf-8")
        .body("<!doctype html><html lang=\"nl\"><head><title>Niet gevonden</title></head><body><h1>Niet gevonden</h1><p>De opgevraagde pagina is niet gevonden.</p></body></html>")
}

/// The absolute URLs of this request (set by the edge).
pub struct Urls(pub ApiUrls);

impl FromRequest for Urls {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let urls = req
            .extensions()
            .get::<ApiUrls>()
            .cloned()
            .unwrap_or_else(|| {
                let info = req.connection_info();
                ApiUrls::new(&format!("{}://{}", info.scheme(), info.host()))
            });
        std::future::ready(Ok(Urls(urls)))
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            req.extensions()
                .get::<Caller>()
                .cloned()
                .ok_or(ApiError::NotAuthenticated),
        )
    }
}

fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Result<HttpResponse, ApiError> {
    let bytes = serde_json::to_vec(body).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .body(bytes))
}

/// 200 with a JSON body.
pub fn ok<T: Serialize>(body: &T) -> Result<HttpResponse, ApiError> {
    json_response(StatusCode::OK, body)
}

/// 201 with a JSON body and `Location`.
pub fn created<T: Serialize>(body: &T, location: &str) -> Result<HttpResponse, ApiError> {
    let mut response = json_response(StatusCode::CREATED, body)?;
    if let Ok(v) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

/// 201 with a JSON body and no `Location` (`maak-klantcontact` creates several objects).
pub fn created_without_location<T: Serialize>(body: &T) -> Result<HttpResponse, ApiError> {
    json_response(StatusCode::CREATED, body)
}

/// 204 without a body.
pub fn no_content() -> HttpResponse {
    HttpResponse::NoContent().finish()
}

/// The answer to a method a resource does not take.
pub async fn method_not_allowed(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::MethodNotAllowed(req.method().to_string()))
}

/// `OPTIONS` on any resource: what it renders and parses (the `Allow` header is set by the edge).
pub async fn options(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let name = req.path().rsplit('/').next().unwrap_or("").to_owned();
    ok(&serde_json::json!({
        "name": name,
        "renders": ["application/json"],
        "parses": ["application/json"],
    }))
}

/// Parses the `{uuid}` of a detail path; anything else is a 404, as in the reference.
pub fn path_uuid(raw: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(raw).map_err(|_| ApiError::not_found())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_acceptable_unless_the_client_excludes_it() {
        let accepts = |v: &str| accepts_json(Some(&HeaderValue::from_str(v).unwrap()));
        assert!(accepts_json(None));
        assert!(accepts("application/json"));
        assert!(accepts("text/html, */*;q=0.1"));
        assert!(accepts("application/*"));
        assert!(!accepts("application/xml"));
    }
}
