//! The API edge: what every request under an API prefix goes through before and after its
//! handler.
//!
//! In order: unrouted paths (trailing slash, unknown resource) get the plain HTML 404 the
//! reference gives; an `Accept` that excludes JSON is 406; every call but the API root needs a
//! token (401); a token without the `bsn` scope may not look a BSN up (403) and gets every BSN
//! in the answer withheld ([`crate::bsn`]); a processing activity the token may not name is 403;
//! then the handler runs, as a [`Processing`]. A read that touched a person's data is recorded
//! in the Logboek before it is answered ([`crate::logboek`]; writes record in their own
//! transaction). Every answer gets `API-version` and `Allow`, and an error gets its problem body
//! here, where the request's origin is known.

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
use crate::db::Db;
use crate::error::{ApiError, Problem};
use crate::logboek::{Logboek, Logboeken, Processing};

/// One API served by this process: its path prefix, version and resources.
#[derive(Debug, Clone)]
pub struct Api {
    pub prefix: &'static str,
    pub version: &'static str,
    /// Resources with list and detail URLs.
    pub resources: Vec<&'static str>,
    /// Resources that only take POST (`maak-klantcontact`).
    pub actions: Vec<&'static str>,
    /// Handelingen on one object, POST only: (`betrokkenen`, `partij`) is
    /// `POST /betrokkenen/{uuid}/partij`.
    pub object_actions: Vec<(&'static str, &'static str)>,
}

/// What the edge needs to know.
pub struct Edge {
    pub apis: Vec<Api>,
    pub tokens: TokenStore,
    /// The base URL clients reach the deployment on, when it is not the request's own.
    pub public_origin: Option<String>,
    /// Where every API call is counted.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Where the registers served here record their processings of persons' data.
    pub logboeken: Logboeken,
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
        if api.prefix == crate::logboek::PATH {
            return Some(if rest.is_empty() {
                Route::Resource(api, ROOT_ALLOW)
            } else {
                Route::NotRouted
            });
        }
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
            (Some(id), Some(action))
                if !id.is_empty()
                    && api.object_actions.contains(&(name, action))
                    && segments.clone().next().is_none() =>
            {
                Some(ACTION_ALLOW)
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

/// The register that owns a path of an API.
fn register_of(api: &Api, path: &str) -> Option<reference::Register> {
    use reference::{Register, Resource};
    let name = path[api.prefix.len()..]
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    if api.prefix == reference::API_PATH {
        match Resource::from_path(name) {
            Some(resource) => Some(resource.register()),
            None if name == "maak-klantcontact" => Some(Register::Klantcontacten),
            None => None,
        }
    } else if api.prefix.starts_with("/contactgegevens") {
        Some(Register::Relatiebeheer)
    } else {
        None
    }
}

/// Whether the token may make this call: the register that owns the path, read or write; the
/// Logboek with the `logboek` scope.
fn within_scope(caller: &Caller, api: &Api, path: &str, method: &actix_web::http::Method) -> bool {
    if api.prefix == crate::logboek::PATH {
        return caller.scopes.may_read_logboek();
    }
    // Otherwise only `/_internal` has no register: the service token only, checked by each
    // endpoint.
    let Some(register) = register_of(api, path) else {
        return true;
    };
    let reading = matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS");
    caller.scopes.allows(register, !reading)
}

/// The processing activity a call serves: the one it names in `X-Verwerkingsactiviteit` when
/// the token allows that (else 403), or the token's.
fn activity_of(caller: &Caller, req: &ServiceRequest) -> Result<Option<String>, ApiError> {
    let asked = match req.headers().get(crate::logboek::ACTIVITY_HEADER) {
        None => None,
        Some(value) => match value.to_str().map(str::trim) {
            Ok(uri) if crate::auth::is_uri(uri) => Some(uri),
            _ => return Err(ApiError::invalid(
                crate::logboek::ACTIVITY_HEADER,
                "invalid",
                "Een verwerkingsactiviteit is een URI in het register van verwerkingsactiviteiten.",
            )),
        },
    };
    caller.activity(asked).ok_or(ApiError::ActivityNotPermitted)
}

/// The request as the Logboek records it: its span, the caller's operation (a register of the
/// installation is the parent, a client outside a foreign operation), who and why.
fn processing(
    caller: &Caller,
    activity: Option<String>,
    trace: &reference::TraceContext,
    traceparent: Option<&str>,
    name: String,
) -> Processing {
    let from = reference::TraceContext::caller(traceparent);
    let internal = caller.identifier == crate::auth::SERVICE_IDENTIFIER;
    let (parent_operation_id, foreign) = match from {
        Some((_, operation_id)) if internal => (Some(operation_id), None),
        Some((trace_id, operation_id)) => (
            None,
            Some(crate::logboek::Foreign {
                trace_id,
                operation_id,
                entity: entity(&caller.application),
            }),
        ),
        None => (None, None),
    };
    Processing {
        trace_id: trace.trace_id.clone(),
        operation_id: trace.span_id.clone(),
        parent_operation_id,
        foreign,
        name,
        start: crate::time::now(),
        activity,
        application: caller.application.clone(),
        caller: caller.identifier.clone(),
        touched: Arc::default(),
    }
}

/// A URI naming the application a token was made for: itself when it is one.
fn entity(application: &str) -> String {
    if crate::auth::is_uri(application) {
        return application.to_owned();
    }
    let name: String = url::form_urlencoded::byte_serialize(application.as_bytes()).collect();
    format!("urn:klantinteracties:applicatie:{name}")
}

/// A read to record in the Logboek of the registers that answer it, once its answer is known.
struct Read {
    logboeken: Vec<(Db, Logboek)>,
    processing: Processing,
    /// The BSNs the request itself names (a search by BSN, the person a logboek read is about).
    asked: Vec<String>,
}

impl Read {
    /// What a GET to this path records, and in which Logboeken; `None` when none is kept.
    fn of(edge: &Edge, api: &Api, req: &ServiceRequest, processing: Processing) -> Option<Self> {
        if req.method() != actix_web::http::Method::GET {
            return None;
        }
        let query = crate::query::Query::parse(req.query_string());
        let (logboeken, asked): (Vec<(Db, Logboek)>, Vec<String>) =
            if api.prefix == crate::logboek::PATH {
                (
                    edge.logboeken
                        .0
                        .iter()
                        .map(|(_, db, logboek)| (db.clone(), logboek.clone()))
                        .collect(),
                    query
                        .get("betrokkene")
                        .map(str::to_owned)
                        .into_iter()
                        .collect(),
                )
            } else {
                let register = register_of(api, req.path())?;
                let (db, logboek) = edge.logboeken.of(register)?;
                let asked = query
                    .pairs()
                    .iter()
                    .filter(|(name, value)| crate::bsn::filter_uses_bsn(name, value))
                    .map(|(_, value)| value.trim().to_owned())
                    .collect();
                (vec![(db.clone(), logboek.clone())], asked)
            };
        let logboeken: Vec<_> = logboeken.into_iter().filter(|(_, l)| l.is_on()).collect();
        (!logboeken.is_empty()).then_some(Self {
            logboeken,
            processing,
            asked,
        })
    }

    /// Records the read of these persons' data (and of those the request asked for or its
    /// handler reached), committed before the answer goes out.
    async fn record(self, mut bsns: Vec<String>, succeeded: bool) -> Result<(), ApiError> {
        bsns.extend(self.asked);
        bsns.extend(self.processing.touched());
        if bsns.is_empty() {
            return Ok(());
        }
        let status = if succeeded {
            crate::logboek::Status::Ok
        } else {
            crate::logboek::Status::Error
        };
        for (db, logboek) in self.logboeken {
            logboek
                .record_read(&db, self.processing.clone(), bsns.clone(), status)
                .await?;
        }
        Ok(())
    }
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
    let mut authenticated: Option<(Caller, Option<String>)> = None;
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
            Ok(caller) => match activity_of(&caller, &req) {
                Err(error) => Some(error),
                Ok(activity) => {
                    withhold_bsn = !caller.scopes.may_use_bsn();
                    req.extensions_mut().insert(caller.clone());
                    authenticated = Some((caller, activity));
                    None
                }
            },
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
    let (span, mut trace) =
        crate::telemetry::request_span(method.as_str(), &path, traceparent.as_deref());
    let trace_id = trace.trace_id.clone();
    let res = match refused {
        Some(error) => req.error_response(error),
        None => {
            use tracing::Instrument as _;
            let processing = authenticated.map(|(caller, activity)| {
                trace.activity.clone_from(&activity);
                let name = format!("{method} {}", crate::metrics::route(&path));
                processing(&caller, activity, &trace, traceparent.as_deref(), name)
            });
            let read = processing
                .clone()
                .and_then(|processing| Read::of(&edge, api, &req, processing));
            let handled = trace.scope(next.call(req).instrument(span));
            let res = match processing {
                Some(processing) => processing.scope(handled).await,
                None => handled.await,
            }?
            .map_into_boxed_body();
            if withhold_bsn || read.is_some() {
                settle(res, withhold_bsn, read).await
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

/// What becomes of an answer after its handler: a read records whose data its answer showed
/// (and the BSNs it asked for) in the Logboek, and a token without the `bsn` scope gets every
/// BSN in it withheld (a body without one is sent as it was). An answer whose record could not
/// be written is not sent: the client gets the error instead.
async fn settle(
    res: ServiceResponse<BoxBody>,
    withhold: bool,
    read: Option<Read>,
) -> ServiceResponse<BoxBody> {
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let succeeded = res.status().is_success();
    let (req, res) = res.into_parts();
    let failed = |req, error: ApiError| {
        ServiceResponse::new(req, actix_web::ResponseError::error_response(&error))
    };
    if !is_json {
        if let Some(read) = read {
            if let Err(error) = read.record(Vec::new(), succeeded).await {
                return failed(req, error);
            }
        }
        return ServiceResponse::new(req, res);
    }
    let (head, body) = res.into_parts();
    let Ok(bytes) = actix_web::body::to_bytes(body).await else {
        // The body could not be read to its end: send nothing of it rather than a BSN.
        let error = ApiError::Internal(anyhow::anyhow!("an answer could not be read"));
        return failed(req, error);
    };
    let found = crate::bsn::Found::scan(&bytes);
    if let Some(read) = read {
        if let Err(error) = read.record(found.numbers(), succeeded).await {
            return failed(req, error);
        }
    }
    let withheld = if withhold { found.withheld() } else { None };
    let body = match withheld {
        Some(withheld) => BoxBody::new(withheld),
        None => BoxBody::new(bytes),
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
