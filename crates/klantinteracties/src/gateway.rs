//! A path-routing gateway: one base URL in front of the three registers running as separate
//! processes, as the Kubernetes Ingress is in production. For development and tests; it sends
//! each request to the register that owns its path, tells it the client's host and scheme
//! (`X-Forwarded-Host`, `X-Forwarded-Proto`) so the URLs it writes are the gateway's, and merges
//! the three API roots into one, and the three registers' Logboeken. `/_internal` is not passed:
//! the registers reach each other directly.

use std::collections::HashMap;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use reference::{Register, Resource, API_PATH};

/// Where each register is.
#[derive(Debug, Clone)]
pub struct Routes(pub HashMap<Register, String>);

impl Routes {
    /// The register that serves `path`, if any.
    fn register_of(&self, path: &str) -> Option<Register> {
        if path.starts_with("/contactgegevens/") {
            return Some(Register::Relatiebeheer);
        }
        let rest = path.strip_prefix(API_PATH)?.strip_prefix('/')?;
        let first = rest.split('/').next().unwrap_or_default();
        if first == "maak-klantcontact" {
            return Some(Register::Klantcontacten);
        }
        Resource::from_path(first).map(Resource::register)
    }
}

/// Headers that belong to one hop, not to the request.
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

async fn forward(
    req: HttpRequest,
    body: web::Bytes,
    routes: web::Data<Routes>,
    client: web::Data<reqwest::Client>,
) -> HttpResponse {
    let path = req.path();
    if path == format!("{API_PATH}/") {
        return root(&req, &routes, &client).await;
    }
    if path == platform::logboek::PATH {
        return logboek(&req, &routes, &client).await;
    }
    // The whole API's document: each register serves only its own part.
    let document = path.strip_prefix(API_PATH).unwrap_or_default();
    if matches!(document, "/openapi.json" | "/openapi.yaml") {
        let whole = crate::openapi::klantinteracties(&Register::ALL);
        let rendering = crate::openapi::renderings(&whole)
            .into_iter()
            .find(|(path, _, _)| *path == document);
        if let Some((_, content_type, body)) = rendering {
            return HttpResponse::Ok()
                .content_type(content_type)
                .insert_header(("Access-Control-Allow-Origin", "*"))
                .body(body);
        }
    }
    if document == "/schema/" {
        let whole = crate::openapi::klantinteracties(&Register::ALL);
        return HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(crate::openapi::html(&whole));
    }
    let Some(upstream) = routes.register_of(path).and_then(|r| routes.0.get(&r)) else {
        return HttpResponse::NotFound()
            .content_type("text/html; charset=utf-8")
            .body("<h1>Not Found</h1>");
    };
    let target = match req.uri().query() {
        Some(query) => format!("{upstream}{path}?{query}"),
        None => format!("{upstream}{path}"),
    };
    let Some(outgoing) = passed_on(&req, &client, &target, body) else {
        return HttpResponse::MethodNotAllowed().finish();
    };
    match outgoing.send().await {
        Ok(response) => answer_as_is(response).await,
        Err(error) => unreachable(upstream, error),
    }
}

/// The client's request to `target`, as the register gets it: its method, headers and body,
/// and the origin the client used.
fn passed_on(
    req: &HttpRequest,
    client: &reqwest::Client,
    target: &str,
    body: web::Bytes,
) -> Option<reqwest::RequestBuilder> {
    let method = reqwest::Method::from_bytes(req.method().as_str().as_bytes()).ok()?;
    let mut outgoing = client.request(method, target).body(body);
    for (name, value) in req.headers() {
        let name = name.as_str();
        if name != "host" && !HOP_BY_HOP.contains(&name) {
            outgoing = outgoing.header(name, value.as_bytes());
        }
    }
    let (host, scheme) = client_origin(req);
    Some(
        outgoing
            .header("X-Forwarded-Host", host)
            .header("X-Forwarded-Proto", scheme),
    )
}

/// A register's answer, passed to the client.
async fn answer_as_is(response: reqwest::Response) -> HttpResponse {
    let status =
        StatusCode::from_u16(response.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut answer = HttpResponse::build(status);
    for (name, value) in response.headers() {
        if !HOP_BY_HOP.contains(&name.as_str()) && name.as_str() != "content-length" {
            answer.append_header((name.as_str(), value.as_bytes()));
        }
    }
    answer.body(response.bytes().await.unwrap_or_default())
}

fn unreachable(upstream: &str, error: reqwest::Error) -> HttpResponse {
    // Without the URL: its query string may hold a BSN.
    tracing::warn!(target = %upstream, error = %error.without_url(), "register unreachable");
    HttpResponse::BadGateway()
        .content_type("application/json")
        .body(
            serde_json::json!({
                "code": "bad_gateway",
                "title": "Het register achter deze URL is niet bereikbaar.",
                "status": 502,
            })
            .to_string(),
        )
}

/// `GET /logboek`: the records of every register, together, oldest first. Only whole: a
/// register that refuses or cannot be reached answers for all.
async fn logboek(req: &HttpRequest, routes: &Routes, client: &reqwest::Client) -> HttpResponse {
    let mut records: Vec<serde_json::Value> = Vec::new();
    for register in Register::ALL {
        let Some(upstream) = routes.0.get(&register) else {
            continue;
        };
        let target = match req.uri().query() {
            Some(query) => format!("{upstream}{}?{query}", platform::logboek::PATH),
            None => format!("{upstream}{}", platform::logboek::PATH),
        };
        let Some(outgoing) = passed_on(req, client, &target, web::Bytes::new()) else {
            return HttpResponse::MethodNotAllowed().finish();
        };
        let response = match outgoing.send().await {
            Ok(response) if response.status().is_success() => response,
            Ok(response) => return answer_as_is(response).await,
            Err(error) => return unreachable(upstream, error),
        };
        if let Ok(serde_json::Value::Object(mut part)) = response.json().await {
            if let Some(serde_json::Value::Array(results)) = part.remove("results") {
                records.extend(results);
            }
        }
    }
    let start = |record: &serde_json::Value| {
        record
            .get("start_time")
            .and_then(serde_json::Value::as_str)
            .and_then(platform::time::parse_datetime)
    };
    records.sort_by_key(start);
    HttpResponse::Ok().json(serde_json::json!({ "count": records.len(), "results": records }))
}

/// The host and scheme the client reached the gateway on.
fn client_origin(req: &HttpRequest) -> (String, String) {
    let info = req.connection_info();
    (info.host().to_owned(), info.scheme().to_owned())
}

/// The API root: what the three registers list, together, with the headers every API answer
/// carries (`API-version`, `Allow`) as the registers send them.
async fn root(req: &HttpRequest, routes: &Routes, client: &reqwest::Client) -> HttpResponse {
    let (host, scheme) = client_origin(req);
    let mut merged = serde_json::Map::new();
    let mut answer = HttpResponse::Ok();
    let mut headers_taken = false;
    for register in Register::ALL {
        let Some(upstream) = routes.0.get(&register) else {
            continue;
        };
        let listed = client
            .get(format!("{upstream}{API_PATH}/"))
            .header("X-Forwarded-Host", &host)
            .header("X-Forwarded-Proto", &scheme)
            .send()
            .await;
        let Ok(response) = listed else {
            continue;
        };
        if !headers_taken && response.status().is_success() {
            for name in ["api-version", "allow"] {
                if let Some(value) = response.headers().get(name) {
                    answer.insert_header((name, value.as_bytes()));
                }
            }
            headers_taken = true;
        }
        if let Ok(serde_json::Value::Object(part)) = response.json().await {
            merged.extend(part);
        }
    }
    answer.json(merged)
}

/// Ready when every register is: their database checks, together.
async fn readyz(routes: web::Data<Routes>, client: web::Data<reqwest::Client>) -> HttpResponse {
    let mut databases = serde_json::Map::new();
    let mut ready = true;
    for register in Register::ALL {
        let Some(upstream) = routes.0.get(&register) else {
            continue;
        };
        let answer = client
            .get(format!("{upstream}/_healthz/readyz"))
            .send()
            .await;
        match answer {
            Ok(response) => {
                ready &= response.status().is_success();
                if let Ok(serde_json::Value::Object(body)) = response.json().await {
                    if let Some(serde_json::Value::Object(checks)) = body.get("databases") {
                        databases.extend(checks.clone());
                    }
                }
            }
            Err(_) => {
                ready = false;
                databases.insert(register.name().into(), serde_json::json!("unreachable"));
            }
        }
    }
    let body = serde_json::json!({"status": if ready { "ok" } else { "unavailable" }, "databases": databases});
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// Runs the gateway until SIGINT or SIGTERM.
pub async fn run(bind: &str, routes: Routes) -> std::io::Result<()> {
    server(bind, routes)?.await
}

/// The gateway, bound and ready to run.
pub fn server(bind: &str, routes: Routes) -> std::io::Result<actix_web::dev::Server> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .pool_idle_timeout(reference::CLIENT_IDLE)
        .build()
        .unwrap_or_default();
    tracing::info!(bind, routes = ?routes.0, "gateway listening");
    HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(routes.clone()))
            .app_data(web::Data::new(client.clone()))
            .app_data(web::PayloadConfig::new(16 * 1024 * 1024))
            .route("/_healthz/readyz", web::get().to(readyz))
            .route(
                "/_healthz/livez",
                web::get()
                    .to(|| async { HttpResponse::Ok().json(serde_json::json!({"status": "ok"})) }),
            )
            .default_service(web::to(forward))
    })
    .keep_alive(reference::KEEP_ALIVE)
    .bind(bind)
    .map(|server| server.run())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_go_to_the_register_that_owns_them() {
        let routes = Routes(HashMap::new());
        let of = |p: &str| routes.register_of(p);
        assert_eq!(
            of("/klantinteracties/api/v1/partijen"),
            Some(Register::Relatiebeheer)
        );
        assert_eq!(
            of("/klantinteracties/api/v1/partij-identificatoren/x"),
            Some(Register::Relatiebeheer)
        );
        assert_eq!(
            of("/contactgegevens/api/v1/persoon"),
            Some(Register::Relatiebeheer)
        );
        assert_eq!(
            of("/klantinteracties/api/v1/betrokkenen/x"),
            Some(Register::Klantcontacten)
        );
        assert_eq!(
            of("/klantinteracties/api/v1/maak-klantcontact"),
            Some(Register::Klantcontacten)
        );
        assert_eq!(
            of("/klantinteracties/api/v1/internetaken"),
            Some(Register::Klanttaak)
        );
        assert_eq!(of("/_internal/events-klanttaak"), None);
        assert_eq!(of("/klantinteracties/api/v1/onbekend"), None);
    }
}
