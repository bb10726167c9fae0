//! The `klantinteracties` application: every register of this version in one process (the
//! embedded default) or one register alone (production), behind the shared API edge.

pub mod readmodels;
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
use platform::events::{Relay, Subscriber};
use platform::health::Databases;
use platform::http::{html_not_found, Api, Edge, Urls};
use reference::{Register, Resolver, API_PATH};
use relatiebeheer::contactgegevens;
use serde_json::{Map, Value};

pub use settings::Settings;

/// The Klantinteracties API version this implementation speaks.
pub const API_VERSION: &str = "0.9.0";

fn migrations_of(register: Register) -> Migrations {
    match register {
        Register::Relatiebeheer => relatiebeheer::MIGRATIONS,
        Register::Klantcontacten => klantcontacten::MIGRATIONS,
        // Not part of this version; `Settings::registers` never yields it.
        Register::Klanttaak => klantcontacten::MIGRATIONS,
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
        match plan.iter_mut().find(|(u, _)| *u == url) {
            Some((_, sets)) => sets.push(migrations_of(register)),
            None => plan.push((url, vec![migrations_of(register)])),
        }
    }
    let mut applied = 0;
    for (url, sets) in plan {
        let mut conn = db::wait_for(&url, wait)?;
        applied += db::migrate(&mut conn, &sets)?;
    }
    Ok(applied)
}

/// How long a write waits for the read models in this process to have its events.
const READ_YOUR_WRITES: Duration = Duration::from_millis(500);

/// A built application, bound to its port and ready to run.
pub struct Application {
    port: u16,
    server: Server,
    relays: Vec<Relay>,
}

/// Where the registers reach each other's internal endpoints (event delivery); not part of the
/// public API and not routed by the Ingress.
pub const INTERNAL_PATH: &str = "/_internal";

impl Application {
    /// Migrates (when configured), connects and binds. Binding port 0 picks a free port.
    pub fn build(settings: &Settings) -> anyhow::Result<Self> {
        if settings.migrate_on_start {
            migrate(settings)?;
        } else if settings.uses_data_dir()? {
            std::fs::create_dir_all(&settings.data_dir)?;
        }
        let registers = settings.registers()?;
        let service_token = match &settings.service_token {
            Some(token) => token.clone(),
            None => platform::auth::generate_token()?,
        };
        let tokens = TokenStore::new(Db::connect(
            &settings.auth_database_url()?,
            settings.pool_size,
        ))
        .with_service_token(&service_token);
        let relatiebeheer_db = Db::connect(
            &settings.database_url(Register::Relatiebeheer),
            settings.pool_size,
        );
        let mut databases = vec![("auth", tokens.db().clone())];
        let klantcontacten_db = Db::connect(
            &settings.database_url(Register::Klantcontacten),
            settings.pool_size,
        );
        let mut resources: Vec<&'static str> = Vec::new();
        let mut actions: Vec<&'static str> = Vec::new();
        if registers.contains(&Register::Relatiebeheer) {
            databases.push(("relatiebeheer", relatiebeheer_db.clone()));
            resources.extend(relatiebeheer::RESOURCES);
        }
        if registers.contains(&Register::Klantcontacten) {
            databases.push(("klantcontacten", klantcontacten_db.clone()));
            resources.extend(klantcontacten::RESOURCES);
            actions.extend(klantcontacten::ACTIONS);
        }
        let mut apis = vec![Api {
            prefix: API_PATH,
            version: API_VERSION,
            resources: resources.clone(),
            actions: actions.clone(),
        }];
        if registers.contains(&Register::Relatiebeheer) {
            apis.push(Api {
                prefix: contactgegevens::API_PATH,
                version: contactgegevens::API_VERSION,
                resources: relatiebeheer::CONTACTGEGEVENS_RESOURCES.to_vec(),
                actions: Vec::new(),
            });
        }
        let mut internal_actions = Vec::new();
        if registers.contains(&Register::Relatiebeheer) {
            internal_actions.push(&relatiebeheer::EVENTS_PATH[1..]);
            internal_actions.push(&relatiebeheer::OBJECTS_PATH[1..]);
            internal_actions.push(&relatiebeheer::SNAPSHOT_PATH[1..]);
        }
        if registers.contains(&Register::Klantcontacten) {
            internal_actions.push(&klantcontacten::EVENTS_PATH[1..]);
            internal_actions.push(&klantcontacten::OBJECTS_PATH[1..]);
            internal_actions.push(&klantcontacten::SNAPSHOT_PATH[1..]);
        }
        apis.push(Api {
            prefix: INTERNAL_PATH,
            version: "",
            resources: Vec::new(),
            actions: internal_actions,
        });
        let edge = Arc::new(Edge {
            apis,
            tokens,
            public_origin: settings.public_base_url.clone(),
        });
        let databases = Databases(databases);
        let listener = TcpListener::bind(&settings.bind)?;
        let local = listener.local_addr()?;
        let port = local.port();
        // The registers this process serves are reached on its own address.
        let own = if local.ip().is_unspecified() {
            format!("http://127.0.0.1:{port}")
        } else {
            format!("http://{local}")
        };
        let mut peers = HashMap::new();
        for (register, configured) in [
            (Register::Relatiebeheer, &settings.peers.relatiebeheer),
            (Register::Klantcontacten, &settings.peers.klantcontacten),
        ] {
            let url = if registers.contains(&register) {
                Some(own.clone())
            } else {
                configured.clone()
            };
            if let Some(url) = url {
                peers.insert(register, url);
            }
        }
        // Each register's outbox goes to the read models the others keep of it.
        let relay_of = |source: Register, db: &Db| {
            let subscribers = [Register::Relatiebeheer, Register::Klantcontacten]
                .into_iter()
                .filter_map(|holder| {
                    let topics = readmodels::topics(source, holder);
                    let peer = peers.get(&holder).filter(|_| !topics.is_empty())?;
                    Some(Subscriber {
                        name: holder.name().into(),
                        url: format!("{peer}{INTERNAL_PATH}/events-{}", holder.name()),
                        topics,
                    })
                })
                .collect::<Vec<_>>();
            // Subscribers in this process get a write's events before it answers.
            let local = subscribers.iter().all(|s| s.url.starts_with(&own));
            let relay = Relay::new(db.clone(), subscribers, service_token.clone());
            if local {
                relay.with_read_your_writes(READ_YOUR_WRITES)
            } else {
                relay
            }
        };
        let relatiebeheer_relay = relay_of(Register::Relatiebeheer, &relatiebeheer_db);
        let klantcontacten_relay = relay_of(Register::Klantcontacten, &klantcontacten_db);
        let resolver = Resolver::new(peers, service_token, Duration::from_secs(5));
        let relatiebeheer = relatiebeheer::Register {
            db: relatiebeheer_db,
            resolver: resolver.clone(),
            events: relatiebeheer_relay.waker(),
        };
        let klantcontacten = klantcontacten::Register {
            db: klantcontacten_db,
            resolver,
            events: klantcontacten_relay.waker(),
        };
        let mut relays = Vec::new();
        if registers.contains(&Register::Relatiebeheer) {
            relays.push(relatiebeheer_relay);
        }
        if registers.contains(&Register::Klantcontacten) {
            relays.push(klantcontacten_relay);
        }
        let serves_relatiebeheer = registers.contains(&Register::Relatiebeheer);
        let serves_klantcontacten = registers.contains(&Register::Klantcontacten);
        let served: Arc<Vec<&'static str>> =
            Arc::new(resources.iter().chain(&actions).copied().collect());
        let mut server = HttpServer::new(move || {
            let served = Arc::clone(&served);
            let relatiebeheer = relatiebeheer.clone();
            let klantcontacten = klantcontacten.clone();
            let relatiebeheer_internal = relatiebeheer.clone();
            let klantcontacten_internal = klantcontacten.clone();
            App::new()
                .app_data(web::Data::new(Arc::clone(&edge)))
                .app_data(web::Data::new(databases.clone()))
                .wrap(from_fn(platform::http::edge))
                .configure(platform::health::configure)
                .service(
                    web::scope(API_PATH)
                        .route(
                            "/",
                            web::get().to(move |urls: Urls| {
                                api_root(urls, API_PATH, Arc::clone(&served))
                            }),
                        )
                        .configure(|cfg| {
                            if serves_relatiebeheer {
                                relatiebeheer::configure(relatiebeheer.clone())(cfg);
                            }
                            if serves_klantcontacten {
                                klantcontacten::configure(klantcontacten)(cfg);
                            }
                        })
                        .default_service(web::to(|| async { html_not_found() })),
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
                        .configure(|cfg| {
                            if serves_relatiebeheer {
                                relatiebeheer::configure_contactgegevens(relatiebeheer)(cfg);
                            }
                        })
                        .default_service(web::to(|| async { html_not_found() })),
                )
                .service(
                    web::scope(INTERNAL_PATH)
                        .configure(|cfg| {
                            if serves_relatiebeheer {
                                relatiebeheer::configure_internal(relatiebeheer_internal)(cfg);
                            }
                            if serves_klantcontacten {
                                klantcontacten::configure_internal(klantcontacten_internal)(cfg);
                            }
                        })
                        .default_service(web::to(|| async { html_not_found() })),
                )
                .default_service(web::to(|| async { html_not_found() }))
        })
        .listen(listener)?
        .shutdown_timeout(30);
        if let Some(workers) = settings.workers {
            server = server.workers(workers.max(1));
        }
        tracing::info!(port, registers = ?registers.iter().map(|r| r.name()).collect::<Vec<_>>(), "klantinteracties listening");
        Ok(Self {
            port,
            server: server.run(),
            relays,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT or SIGTERM, then finishes the requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let relays: Vec<_> = self
            .relays
            .into_iter()
            .map(|relay| tokio::spawn(relay.run()))
            .collect();
        let result = self.server.await;
        for relay in relays {
            relay.abort();
        }
        result
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
