//! Asking another register whether an object exists.
//!
//! A write that points into another register (a betrokkene's partij, a digitaal adres's
//! betrokkene) checks the object there first. Existing objects are cached for a short while
//! (objects are rarely deleted, and a deletion cascades through events anyway); a register that
//! cannot be reached makes the write fail with 503, so nothing half-checked is stored.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::TraceContext;

use crate::internal::{
    Endpoint, ExistsRequest, ExistsResponse, ObjectRef, ObjectsRequest, ObjectsResponse,
    INTERNAL_PATH,
};
use crate::{Register, Resource, API_PATH};

/// How long a client of a register keeps an idle connection for the next request. A register
/// keeps one open longer ([`KEEP_ALIVE`]): a client that outlives the server's idle timeout
/// may send a request on a connection the server is closing at that moment, and that request
/// fails (the gateway answered such a request with 502).
pub const CLIENT_IDLE: Duration = Duration::from_secs(30);

/// How long a register keeps an idle connection open: longer than its clients keep theirs
/// ([`CLIENT_IDLE`]) and than an Ingress keeps its upstream connections (nginx: 60 s).
pub const KEEP_ALIVE: Duration = Duration::from_secs(75);

/// How long an object found to exist is trusted without asking again.
const POSITIVE_TTL: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// The owning register did not answer usefully (down, timing out, 5xx).
    #[error("the {register} register cannot be reached: {reason}")]
    Unreachable {
        register: &'static str,
        reason: String,
    },
}

/// Where the other registers are, and how to authenticate to them.
#[derive(Clone)]
pub struct Resolver {
    client: reqwest::Client,
    peers: HashMap<Register, String>,
    token: String,
    cache: Arc<Mutex<HashMap<(Resource, Uuid), Instant>>>,
}

impl Resolver {
    /// `peers` maps each register to the base URL it is reached on (`http://host:port`);
    /// `token` is the service token every register accepts.
    pub fn new(peers: HashMap<Register, String>, token: String, timeout: Duration) -> Self {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .pool_idle_timeout(CLIENT_IDLE)
            .build()
            .unwrap_or_default();
        Self {
            client,
            peers,
            token,
            cache: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    pub fn peer(&self, register: Register) -> Option<&str> {
        self.peers.get(&register).map(String::as_str)
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// What every call to another register carries: the service token and, inside a request,
    /// its trace context and processing activity.
    fn call_headers(&self) -> reqwest::header::HeaderMap {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Ok(value) = format!("Token {}", self.token).parse() {
            headers.insert(reqwest::header::AUTHORIZATION, value);
        }
        if let Some(context) = TraceContext::current() {
            if let Ok(value) = context.traceparent().parse() {
                headers.insert("traceparent", value);
            }
            if let Some(value) = context.activity.and_then(|a| a.parse().ok()) {
                headers.insert(crate::ACTIVITY_HEADER, value);
            }
        }
        headers
    }

    fn cached(&self, key: (Resource, Uuid)) -> bool {
        self.cache
            .lock()
            .ok()
            .and_then(|c| c.get(&key).copied())
            .is_some_and(|at| at.elapsed() < POSITIVE_TTL)
    }

    /// Which of these objects do not exist, asked of each owning register in one call
    /// (objects known to exist from the cache are not asked again).
    pub async fn missing(
        &self,
        wanted: &[(Resource, Uuid)],
    ) -> Result<Vec<(Resource, Uuid)>, ResolveError> {
        let mut missing = Vec::new();
        for register in Register::ALL {
            let mut objects: Vec<ObjectRef> = wanted
                .iter()
                .filter(|(r, u)| r.register() == register && !self.cached((*r, *u)))
                .map(|(r, u)| ObjectRef {
                    resource: r.path().to_owned(),
                    uuid: *u,
                })
                .collect();
            objects.sort_by(|a, b| (&a.resource, a.uuid).cmp(&(&b.resource, b.uuid)));
            objects.dedup_by(|a, b| a.resource == b.resource && a.uuid == b.uuid);
            if objects.is_empty() {
                continue;
            }
            let request = ExistsRequest {
                objects: objects.clone(),
            };
            let answer: ExistsResponse = self
                .post_internal(register, Endpoint::Exists, None, &request)
                .await?;
            for object in objects {
                let Some(resource) = Resource::from_path(&object.resource) else {
                    continue;
                };
                if answer.missing.contains(&object) {
                    missing.push((resource, object.uuid));
                } else {
                    self.remember((resource, object.uuid));
                }
            }
        }
        Ok(missing)
    }

    /// `POST /_internal/{endpoint}-{register}` ([`Endpoint::path`]) with the service token; with `origin`, the URLs
    /// in the answer are under the base URL the client reached us on.
    async fn post_internal<Req: serde::Serialize, Resp: serde::de::DeserializeOwned>(
        &self,
        register: Register,
        endpoint: Endpoint,
        origin: Option<&str>,
        request: &Req,
    ) -> Result<Resp, ResolveError> {
        let path = endpoint.path(register);
        self.call(register, origin, |client, base| {
            client
                .post(format!("{base}{INTERNAL_PATH}{path}"))
                .json(request)
        })
        .await
    }

    /// A call to another register with the service token and, with `origin`, the base URL
    /// the client reached us on (so URLs in the answer are under it); its JSON answer. A
    /// register that does not answer, or not with a 2xx, is unreachable.
    async fn call<Resp: serde::de::DeserializeOwned>(
        &self,
        register: Register,
        origin: Option<&str>,
        request: impl FnOnce(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Result<Resp, ResolveError> {
        let (status, body) = self.send(register, origin, &[], request).await?;
        if !(200..300).contains(&status) {
            return Err(ResolveError::Unreachable {
                register: register.name(),
                reason: format!("answered {status}"),
            });
        }
        serde_json::from_value(body).map_err(|e| ResolveError::Unreachable {
            register: register.name(),
            reason: e.to_string(),
        })
    }

    /// A call to another register's API as a step of a handeling, made as the client that
    /// asked for it (`client`: its headers the call carries, its `Authorization` so the other
    /// register checks its scopes and names it in its audit trail, its `X-Audit-Toelichting`),
    /// with an `Idempotency-Key` where a repeated step must make nothing twice: its status and
    /// JSON answer. Only a register that does not answer, or answers 5xx, is unreachable; a
    /// 4xx is the caller's to read.
    #[allow(clippy::too_many_arguments)]
    pub async fn api(
        &self,
        register: Register,
        origin: &str,
        client: &[(&str, &str)],
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
        idempotency_key: Option<&str>,
    ) -> Result<(u16, serde_json::Value), ResolveError> {
        self.send(register, Some(origin), client, |http, base| {
            let mut call = http.request(method, format!("{base}{API_PATH}/{path}"));
            if let Some(body) = body {
                call = call.json(body);
            }
            match idempotency_key {
                Some(key) => call.header("Idempotency-Key", key),
                None => call,
            }
        })
        .await
    }

    /// Sends a call with the service token (or, with `client`, the client's own headers) and
    /// the forwarded origin; its status and JSON answer (`null` when it has none). No answer,
    /// or a 5xx, is unreachable.
    async fn send(
        &self,
        register: Register,
        origin: Option<&str>,
        client: &[(&str, &str)],
        request: impl FnOnce(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Result<(u16, serde_json::Value), ResolveError> {
        let unreachable = |reason: String| ResolveError::Unreachable {
            register: register.name(),
            reason,
        };
        let base = self
            .peer(register)
            .ok_or_else(|| unreachable("no address configured".into()))?;
        let mut headers = self.call_headers();
        for (name, value) in client {
            let name = reqwest::header::HeaderName::from_bytes(name.as_bytes());
            if let (Ok(name), Ok(value)) = (name, value.parse()) {
                headers.insert(name, value);
            }
        }
        let mut call = request(&self.client, base.trim_end_matches('/')).headers(headers);
        if let Some(origin) = origin {
            let (scheme, host) = origin.split_once("://").unwrap_or(("http", origin));
            call = call
                .header("X-Forwarded-Proto", scheme)
                .header("X-Forwarded-Host", host);
        }
        let response = call
            .send()
            .await
            .map_err(|e| unreachable(e.without_url().to_string()))?;
        let status = response.status();
        if status.is_server_error() {
            return Err(unreachable(format!("answered {status}")));
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| unreachable(e.without_url().to_string()))?;
        if bytes.is_empty() {
            return Ok((status.as_u16(), serde_json::Value::Null));
        }
        let body = serde_json::from_slice(&bytes).map_err(|e| unreachable(e.to_string()))?;
        Ok((status.as_u16(), body))
    }

    fn remember(&self, key: (Resource, Uuid)) {
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() > 100_000 {
                cache.clear();
            }
            cache.insert(key, Instant::now());
        }
    }

    /// Forgets a cached object (it was deleted).
    pub fn forget(&self, resource: Resource, uuid: Uuid) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(&(resource, uuid));
        }
    }
}

impl Resolver {
    /// Full representations of objects in another register, in one call, with URLs under
    /// `origin` (the base URL the client reached us on). Missing objects are left out.
    pub async fn fetch(
        &self,
        resource: Resource,
        uuids: &[Uuid],
        origin: &str,
    ) -> Result<HashMap<Uuid, serde_json::Value>, ResolveError> {
        if uuids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut unique: Vec<Uuid> = uuids.to_vec();
        unique.sort();
        unique.dedup();
        let request = ObjectsRequest {
            resource: resource.path().to_owned(),
            uuids: unique,
        };
        let body: ObjectsResponse = self
            .post_internal(
                resource.register(),
                Endpoint::Objects,
                Some(origin),
                &request,
            )
            .await?;
        Ok(body
            .results
            .into_iter()
            .filter_map(|v| {
                let uuid = v
                    .get("uuid")
                    .and_then(|u| u.as_str())
                    .and_then(|u| Uuid::parse_str(u).ok())?;
                Some((uuid, v))
            })
            .collect())
    }
}

/// How many matching objects a filter that reaches into another register may find there; a
/// broader filter is refused rather than answered incompletely.
pub const REMOTE_FILTER_BOUND: usize = 500;

/// Why a filter into another register has no answer.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Unreachable(#[from] ResolveError),
    /// More than [`REMOTE_FILTER_BOUND`] objects match.
    #[error("{0} objects match")]
    TooBroad(i64),
}

impl Resolver {
    /// The objects of another register's list that match `filters`, in one call.
    pub async fn search(
        &self,
        resource: Resource,
        filters: &[(String, String)],
        origin: &str,
    ) -> Result<Vec<serde_json::Value>, SearchError> {
        let mut query: Vec<(String, String)> = filters.to_vec();
        query.push(("pageSize".into(), REMOTE_FILTER_BOUND.to_string()));
        let path = resource.path();
        let body: serde_json::Value = self
            .call(resource.register(), Some(origin), |client, base| {
                client.get(format!("{base}{API_PATH}/{path}")).query(&query)
            })
            .await?;
        let count = body
            .get("count")
            .and_then(serde_json::Value::as_i64)
            .unwrap_or(0);
        if count > REMOTE_FILTER_BOUND as i64 {
            return Err(SearchError::TooBroad(count));
        }
        Ok(match body.get("results") {
            Some(serde_json::Value::Array(items)) => items.clone(),
            _ => Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A peer that answers one request with 200 and hands back the request head it got.
    async fn one_shot_peer() -> (String, tokio::task::JoinHandle<String>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let head = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buffer = vec![0u8; 8192];
            let mut read = 0;
            while !buffer[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                read += socket.read(&mut buffer[read..]).await.unwrap();
            }
            socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 14\r\nconnection: close\r\n\r\n{\"missing\":[]}")
                .await
                .unwrap();
            String::from_utf8_lossy(&buffer[..read]).to_lowercase()
        });
        (address, head)
    }

    #[tokio::test]
    async fn a_check_inside_a_request_carries_its_trace_to_the_other_register() {
        let (peer, head) = one_shot_peer().await;
        let resolver = Resolver::new(
            HashMap::from([(Register::Relatiebeheer, peer)]),
            "secret".into(),
            Duration::from_secs(5),
        );
        let context = TraceContext::continue_from(Some(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ));
        let missing = context
            .clone()
            .scope(resolver.missing(&[(Resource::Partijen, Uuid::new_v4())]))
            .await
            .unwrap();
        assert!(missing.is_empty());
        let head = head.await.unwrap();
        assert!(head.contains("authorization: token secret"), "{head}");
        assert!(
            head.contains(&format!("traceparent: {}", context.traceparent())),
            "{head}"
        );
    }
}
