//! The `klantinteracties` application: every register of this version in one process (the
//! embedded default) or one register alone (production), behind the shared API edge.

pub mod gateway;
pub mod openapi;
pub mod readmodels;
mod registers;
mod relays;
pub mod settings;

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpResponse, HttpServer};
use platform::auth::TokenStore;
use platform::db::{self, Db, Migrations};
use platform::events::Relay;
use platform::health::Databases;
use platform::http::{html_not_found, Api, Edge, Urls};
use platform::logboek::{Logboek, Logboeken};
use platform::metrics::Metrics;
use reference::internal::INTERNAL_PATH;
use reference::{Register, Resolver, API_PATH};
use registers::Registers;
use relatiebeheer::contactgegevens;
use serde_json::{Map, Value};

pub use settings::Settings;

/// The Klantinteracties API version this implementation speaks.
pub const API_VERSION: &str = "0.9.0";

fn migrations_of(register: Register) -> Migrations {
    match register {
        Register::Relatiebeheer => relatiebeheer::MIGRATIONS,
        Register::Klantcontacten => klantcontacten::MIGRATIONS,
        Register::Klanttaak => klanttaak::MIGRATIONS,
    }
}

/// What every register keeps in its own database besides its resources: its audit trail, the
/// repeated POSTs it answers, its Logboek.
const ALONGSIDE: [Migrations; 3] = [
    platform::audit::MIGRATIONS,
    platform::idempotency::MIGRATIONS,
    platform::logboek::MIGRATIONS,
];

/// What a register serves under the API: its resources and actions.
struct Parts {
    resources: &'static [&'static str],
    actions: &'static [&'static str],
    object_actions: &'static [(&'static str, &'static str)],
}

fn parts_of(register: Register) -> Parts {
    match register {
        Register::Relatiebeheer => Parts {
            resources: &relatiebeheer::RESOURCES,
            actions: &[],
            object_actions: &[],
        },
        Register::Klantcontacten => Parts {
            resources: &klantcontacten::RESOURCES,
            actions: &klantcontacten::ACTIONS,
            object_actions: &klantcontacten::OBJECT_ACTIONS,
        },
        Register::Klanttaak => Parts {
            resources: &klanttaak::RESOURCES,
            actions: &[],
            object_actions: &[],
        },
    }
}

/// Applies pending migrations to every database the settings name; returns how many ran.
pub fn migrate(settings: &Settings) -> anyhow::Result<usize> {
    if settings.uses_data_dir()? {
        std::fs::create_dir_all(&settings.data_dir)?;
    }
    let wait = Duration::from_secs(settings.database_wait_seconds);
    let auth_url = settings.auth_database_url()?;
    let mut plan: Vec<(String, Vec<Migrations>)> =
        vec![(auth_url.clone(), vec![platform::auth::MIGRATIONS])];
    for register in settings.registers()? {
        let url = settings.database_url(register);
        // Tokens may share a register's database; two registers may not (each owns its tables).
        match plan.iter_mut().find(|(u, _)| *u == url) {
            Some((_, sets)) if sets.len() == 1 && url == auth_url => {
                sets.push(migrations_of(register));
            }
            Some(_) => anyhow::bail!(
                "the {} register needs a database of its own; {url} is taken",
                register.name()
            ),
            None => plan.push((url, vec![migrations_of(register)])),
        }
        if let Some((_, sets)) = plan
            .iter_mut()
            .find(|(u, _)| *u == settings.database_url(register))
        {
            sets.extend(ALONGSIDE);
        }
    }
    let mut applied = 0;
    for (url, sets) in plan {
        let mut conn = db::wait_for(&url, wait)?;
        applied += db::migrate(&mut conn, &sets)?;
    }
    Ok(applied)
}

/// A built application, bound to its port and ready to run.
pub struct Application {
    port: u16,
    server: Server,
    relays: Vec<Relay>,
    /// The registers' databases, whose statistics are kept up to date while serving.
    dbs: Vec<Db>,
    metrics: Arc<Metrics>,
    /// Whose writers of reads' records run while serving.
    logboeken: Logboeken,
}

impl Application {
    /// Migrates (when configured), connects and binds. Binding port 0 picks a free port.
    pub fn build(settings: &Settings) -> anyhow::Result<Self> {
        if settings.migrate_on_start {
            migrate(settings)?;
        } else if settings.uses_data_dir()? {
            std::fs::create_dir_all(&settings.data_dir)?;
        }
        let served = settings.registers()?;
        let service_token = match &settings.service_token {
            Some(token) => token.clone(),
            None => platform::auth::generate_token()?,
        };
        let tokens = TokenStore::new(settings.connect(&settings.auth_database_url()?))
            .with_service_token(&service_token);
        let dbs: HashMap<Register, Db> = served
            .iter()
            .map(|r| (*r, settings.connect(&settings.database_url(*r))))
            .collect();

        let listener = listen(&settings.bind)?;
        let port = listener.local_addr()?.port();
        let peers = peers(settings, &served, listener.local_addr()?);

        let metrics = Arc::new(Metrics::new());
        let relays = relays::of(settings, &dbs, &peers, &service_token, &metrics);
        let resolver = Resolver::new(peers, service_token, Duration::from_secs(5));
        let logboeken = logboeken(settings, &dbs)?;
        let registers = Registers::new(
            settings,
            &dbs,
            &relays,
            &resolver,
            relays::outside(settings),
            &logboeken,
        );

        let edge = Arc::new(Edge {
            apis: apis(&served),
            tokens: tokens.clone(),
            public_origin: settings.public_base_url.clone(),
            metrics: Arc::clone(&metrics),
            logboeken: logboeken.clone(),
        });
        let mut databases = vec![("auth", tokens.db().clone())];
        for register in &served {
            if let Some(db) = dbs.get(register) {
                databases.push((register.name(), db.clone()));
            }
        }
        for (name, db) in &databases {
            metrics.watch_pool(name, db);
        }
        let databases = Databases(databases);
        let backlog = platform::events::Relays(
            served
                .iter()
                .filter_map(|r| relays.get(r).map(|relay| (r.name(), relay.clone())))
                .collect(),
        );
        // The root lists the whole API, whichever registers this process serves: behind the
        // Ingress every resource is under the same base URL, whoever answers the root.
        let listed: Arc<Vec<&'static str>> = Arc::new(
            Register::ALL
                .into_iter()
                .map(parts_of)
                .flat_map(|p| p.resources.iter().chain(p.actions).copied())
                .collect(),
        );

        let documents = Documents {
            klantinteracties: Arc::new(Document::of(&openapi::klantinteracties(&served))),
            contactgegevens: Arc::new(Document::of(&openapi::contactgegevens())),
        };
        let cors_origins = settings.cors_allowed_origins.clone();
        check_cors(&cors_origins)?;
        let served_metrics = Arc::clone(&metrics);
        let served_logboeken = logboeken.clone();
        let mut server = HttpServer::new(move || {
            let served = Served {
                documents: documents.clone(),
                listed: Arc::clone(&listed),
                registers: registers.clone(),
            };
            App::new()
                .app_data(web::Data::new(Arc::clone(&edge)))
                .app_data(web::Data::new(databases.clone()))
                .app_data(web::Data::new(backlog.clone()))
                .app_data(web::Data::new(Arc::clone(&served_metrics)))
                .app_data(web::Data::new(served_logboeken.clone()))
                .wrap(from_fn(platform::http::edge))
                // Outside the edge: a browser's preflight carries no token.
                .wrap(actix_web::middleware::Condition::new(
                    !cors_origins.is_empty(),
                    cors(&cors_origins),
                ))
                .configure(|cfg| served.routes(cfg))
        })
        .keep_alive(reference::KEEP_ALIVE)
        .listen(listener)?
        .shutdown_timeout(30)
        // Blocking work is database work: more threads than connections would only wait for
        // one (and each keeps a stack and an allocator arena).
        .worker_max_blocking_threads((settings.pool_size as usize * served.len()).max(2));
        if let Some(workers) = settings.workers {
            server = server.workers(workers.max(1));
        }
        tracing::info!(port, registers = ?served.iter().map(|r| r.name()).collect::<Vec<_>>(), "klantinteracties listening");
        Ok(Self {
            port,
            server: server.run(),
            relays: relays.into_values().collect(),
            dbs: dbs.into_values().collect(),
            metrics,
            logboeken,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server (and with it the relays) from elsewhere, as SIGTERM does.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGINT or SIGTERM, then stops taking requests, finishes those in flight
    /// (up to 30 s) and delivers the events they left (up to 5 s).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let running: Vec<_> =
            self.relays
                .iter()
                .cloned()
                .map(|relay| tokio::spawn(relay.run()))
                .chain(
                    self.dbs
                        .iter()
                        .cloned()
                        .map(|db| tokio::spawn(db.keep_statistics())),
                )
                .chain(
                    self.logboeken.0.iter().map(|(_, db, logboek)| {
                        tokio::spawn(logboek.clone().store_reads(db.clone()))
                    }),
                )
                .collect();
        let result = self.server.await;
        for task in running {
            task.abort();
        }
        // Reads' records still in a journal are stored now (else at the next start), before
        // the relays deliver what is left.
        for (_, db, logboek) in &self.logboeken.0 {
            let stored = tokio::time::timeout(Duration::from_secs(5), logboek.store_journal(db));
            if !matches!(stored.await, Ok(Ok(()))) {
                tracing::warn!(
                    "reads' logboek records are left in the journal until the next start"
                );
            }
        }
        for relay in &self.relays {
            relay.drain(Duration::from_secs(5)).await;
        }
        tracing::info!("klantinteracties stopped");
        platform::telemetry::flush();
        self.metrics.flush();
        result
    }
}

/// What the HTTP server serves, per worker.
struct Served {
    documents: Documents,
    /// The resources and actions the API root lists.
    listed: Arc<Vec<&'static str>>,
    registers: Registers,
}

impl Served {
    /// Health, metrics, the Klantinteracties and Contactgegevens APIs and `/_internal`.
    fn routes(self, cfg: &mut web::ServiceConfig) {
        let Served {
            documents,
            listed,
            registers,
        } = self;
        let not_found = || web::to(|| async { html_not_found() });
        cfg.configure(platform::health::configure)
            .route("/_healthz/events", web::get().to(platform::events::backlog))
            .route("/metrics", web::get().to(platform::metrics::endpoint))
            .route(
                platform::logboek::PATH,
                web::get().to(platform::logboek::read),
            )
            .service(
                web::scope(API_PATH)
                    .route(
                        "/",
                        web::get()
                            .to(move |urls: Urls| api_root(urls, API_PATH, Arc::clone(&listed))),
                    )
                    .configure(|cfg| documents.klantinteracties.serve(cfg))
                    .configure(|cfg| registers.api(cfg))
                    .default_service(not_found()),
            )
            .service(
                web::scope(contactgegevens::API_PATH)
                    .route(
                        "/",
                        web::get().to(|urls: Urls| {
                            api_root(
                                urls,
                                contactgegevens::API_PATH,
                                Arc::new(relatiebeheer::CONTACTGEGEVENS_RESOURCES.to_vec()),
                            )
                        }),
                    )
                    .configure(|cfg| documents.contactgegevens.serve(cfg))
                    .configure(|cfg| registers.contactgegevens(cfg))
                    .default_service(not_found()),
            )
            .service(
                web::scope(INTERNAL_PATH)
                    .configure(|cfg| registers.internal(cfg))
                    .default_service(not_found()),
            )
            .default_service(not_found());
    }
}

/// The APIs the edge knows, for the registers served here: the Klantinteracties API, the
/// Contactgegevens API with relatiebeheer, and the internal endpoints.
fn apis(served: &[Register]) -> Vec<Api> {
    let parts: Vec<Parts> = served.iter().map(|r| parts_of(*r)).collect();
    let resources: Vec<&'static str> = parts.iter().flat_map(|p| p.resources).copied().collect();
    let actions: Vec<&'static str> = parts.iter().flat_map(|p| p.actions).copied().collect();
    let object_actions = parts
        .iter()
        .flat_map(|p| p.object_actions)
        .copied()
        .collect();
    let internal = registers::internal_paths(served);
    let mut apis = vec![Api {
        prefix: API_PATH,
        version: API_VERSION,
        resources,
        actions,
        object_actions,
    }];
    if served.contains(&Register::Relatiebeheer) {
        apis.push(Api {
            prefix: contactgegevens::API_PATH,
            version: contactgegevens::API_VERSION,
            resources: relatiebeheer::CONTACTGEGEVENS_RESOURCES.to_vec(),
            actions: Vec::new(),
            object_actions: Vec::new(),
        });
    }
    apis.push(Api {
        prefix: platform::logboek::PATH,
        version: "",
        resources: Vec::new(),
        actions: Vec::new(),
        object_actions: Vec::new(),
    });
    apis.push(Api {
        prefix: INTERNAL_PATH,
        version: "",
        resources: Vec::new(),
        actions: internal,
        object_actions: Vec::new(),
    });
    apis
}

/// The Logboek of every register served here, in its own database.
fn logboeken(settings: &Settings, dbs: &HashMap<Register, Db>) -> anyhow::Result<Logboeken> {
    let key = settings.logboek_key()?;
    let external = settings.logboek.url.is_some();
    Ok(Logboeken(
        Register::ALL
            .into_iter()
            .filter_map(|register| {
                let db = dbs.get(&register)?.clone();
                let logboek = match &key {
                    Some(key) => Logboek::new(key.clone(), external, register, &settings.data_dir),
                    None => Logboek::off(),
                };
                Some((register, db, logboek))
            })
            .collect(),
    ))
}

/// Where each register is reached: those served here on this process's own address, the others
/// at their configured peer URLs.
fn peers(
    settings: &Settings,
    served: &[Register],
    local: std::net::SocketAddr,
) -> HashMap<Register, String> {
    let own = if local.ip().is_unspecified() {
        format!("http://127.0.0.1:{}", local.port())
    } else {
        format!("http://{local}")
    };
    Register::ALL
        .into_iter()
        .filter_map(|r| {
            let url = if served.contains(&r) {
                Some(own.clone())
            } else {
                settings.peer(r).map(str::to_owned)
            };
            url.map(|u| (r, u.trim_end_matches('/').to_owned()))
        })
        .collect()
}

/// Every configured CORS origin must be an origin (or `*`).
fn check_cors(origins: &[String]) -> anyhow::Result<()> {
    for origin in origins {
        let valid = origin == "*"
            || origin
                .parse::<actix_web::http::Uri>()
                .is_ok_and(|u| u.scheme().is_some() && u.host().is_some());
        anyhow::ensure!(
            valid,
            "CORS origin {origin:?} is no origin (https://host[:port])"
        );
    }
    Ok(())
}

/// Binds the address, allowing an immediate rebind after a restart (connections of the
/// previous process may still linger in TIME_WAIT).
fn listen(bind: &str) -> anyhow::Result<TcpListener> {
    use std::net::ToSocketAddrs;
    let address = bind
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| anyhow::anyhow!("cannot bind {bind:?}: no address"))?;
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(address),
        socket2::Type::STREAM,
        None,
    )?;
    socket.set_reuse_address(true)?;
    socket.bind(&address.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

/// What browser clients from these origins may do: every method of the API, any request
/// header (`Authorization`, `Idempotency-Key`, ...), and read the headers the API answers with.
fn cors(origins: &[String]) -> actix_cors::Cors {
    let cors = actix_cors::Cors::default()
        .allow_any_method()
        .allow_any_header()
        .expose_headers(["API-version", "Allow", "Location", "Retry-After"])
        .max_age(3600);
    if origins.iter().any(|o| o == "*") {
        return cors.allow_any_origin();
    }
    origins.iter().fold(cors, |cors, origin| {
        cors.allowed_origin(origin.trim_end_matches('/'))
    })
}

/// The OpenAPI documents this process serves, under each API's prefix.
#[derive(Clone)]
struct Documents {
    klantinteracties: Arc<Document>,
    contactgegevens: Arc<Document>,
}

/// One document as served, rendered once at start-up (not per worker, not per request).
struct Document {
    /// Path, content type and body of `openapi.json` and `openapi.yaml`.
    renderings: Vec<(&'static str, &'static str, web::Bytes)>,
    /// The readable `schema/` page.
    page: web::Bytes,
}

impl Document {
    fn of(document: &Value) -> Self {
        Self {
            renderings: openapi::renderings(document)
                .into_iter()
                .map(|(path, content_type, body)| (path, content_type, body.into()))
                .collect(),
            page: openapi::html(document).into(),
        }
    }

    /// `openapi.json`, `openapi.yaml` and the `schema/` page, with the reference's content
    /// types; open to all, like the API root.
    fn serve(&self, cfg: &mut web::ServiceConfig) {
        for (path, content_type, body) in &self.renderings {
            let (content_type, body) = (*content_type, body.clone());
            cfg.route(
                path,
                web::get().to(move || {
                    let body = body.clone();
                    async move {
                        HttpResponse::Ok()
                            .content_type(content_type)
                            .insert_header(("Access-Control-Allow-Origin", "*"))
                            .body(body)
                    }
                }),
            );
        }
        let page = self.page.clone();
        cfg.route(
            "/schema/",
            web::get().to(move || {
                let page = page.clone();
                async move {
                    HttpResponse::Ok()
                        .content_type("text/html; charset=utf-8")
                        .body(page)
                }
            }),
        );
    }
}

/// An API root: where each resource of this process is listed.
async fn api_root(
    Urls(urls): Urls,
    prefix: &'static str,
    served: Arc<Vec<&'static str>>,
) -> Result<HttpResponse, platform::ApiError> {
    let root = urls.absolute(prefix);
    let body: Map<String, Value> = served
        .iter()
        .map(|r| ((*r).to_owned(), Value::String(format!("{root}/{r}"))))
        .collect();
    platform::http::ok(&body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::migration::MigrationSource;

    /// Diesel knows a migration by its version alone: two sets in one database with the same
    /// version would leave one of them unapplied.
    #[test]
    fn the_migrations_that_share_a_database_have_versions_of_their_own() {
        for register in Register::ALL {
            // Tokens live in the register's database when it is served alone.
            let sets: Vec<Migrations> = [platform::auth::MIGRATIONS, migrations_of(register)]
                .into_iter()
                .chain(ALONGSIDE)
                .collect();
            let mut postgres: Vec<String> = Vec::new();
            let mut sqlite: Vec<String> = Vec::new();
            for set in &sets {
                let pg = MigrationSource::<diesel::pg::Pg>::migrations(&(set.postgres)()).unwrap();
                postgres.extend(pg.iter().map(|m| m.name().version().to_string()));
                let lite =
                    MigrationSource::<diesel::sqlite::Sqlite>::migrations(&(set.sqlite)()).unwrap();
                sqlite.extend(lite.iter().map(|m| m.name().version().to_string()));
            }
            for versions in [postgres, sqlite] {
                let mut unique = versions.clone();
                unique.sort();
                unique.dedup();
                assert_eq!(unique.len(), versions.len(), "{register:?}: {versions:?}");
            }
        }
    }
}
