//! Starts the real application on a random port with a database of its own: a temporary
//! SQLite directory by default, or fresh PostgreSQL databases when `TEST_DATABASE_URL` names a
//! server (e.g. `postgres://postgres@127.0.0.1:5432/postgres`). The databases are dropped
//! after the test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod proxy;

use diesel::connection::SimpleConnection;
use klantinteracties::{Application, Settings};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::Value;

pub const API: &str = "/klantinteracties/api/v1";

/// Fresh PostgreSQL databases (one per register, one for tokens), dropped with this value.
struct PgDatabases {
    admin_url: String,
    names: Vec<String>,
}

impl PgDatabases {
    fn create(admin_url: String, count: usize) -> (Self, Vec<String>) {
        let mut conn = platform::db::establish(&admin_url).expect("PostgreSQL reachable");
        let prefix = format!("ki_test_{}", uuid::Uuid::new_v4().simple());
        let names: Vec<String> = (0..count).map(|i| format!("{prefix}_{i}")).collect();
        for name in &names {
            conn.batch_execute(&format!("CREATE DATABASE {name}"))
                .unwrap();
        }
        let urls = names.iter().map(|n| with_database(&admin_url, n)).collect();
        (Self { admin_url, names }, urls)
    }
}

impl Drop for PgDatabases {
    fn drop(&mut self) {
        if let Ok(mut conn) = platform::db::establish(&self.admin_url) {
            for name in &self.names {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// The URL of database `name` on the test server. Without TLS: over the loopback it adds
/// nothing, and a process that exits while pool threads are still inside an OpenSSL call (a
/// reconnect after the test dropped its databases) can crash in OpenSSL's exit-time cleanup.
fn with_database(admin_url: &str, name: &str) -> String {
    let (base, _) = admin_url
        .rsplit_once('/')
        .expect("TEST_DATABASE_URL must name a database");
    format!("{base}/{name}?sslmode=disable")
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub token: String,
    /// What the app was started with: its databases, for tests that look beneath the API.
    pub settings: Settings,
    handle: actix_web::dev::ServerHandle,
    _dir: tempfile::TempDir,
    _pg: Option<PgDatabases>,
    /// The registers behind a gateway, kept running as long as the gateway's app lives.
    _behind: Vec<TestApp>,
}

/// The application as a client sees it: every register in one process, or, with
/// `TEST_TOPOLOGY=gateway`, the three registers as separate apps with their own databases
/// behind the path-routing gateway, the client knowing only the gateway.
pub async fn spawn_app() -> TestApp {
    if std::env::var("TEST_TOPOLOGY").as_deref() == Ok("gateway") {
        return spawn_behind_gateway().await;
    }
    spawn_app_with(|_| {}).await
}

fn free_address() -> String {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .to_string()
}

/// The three registers behind the gateway. Their addresses are chosen before they start (each
/// must know the others'); when another test took one of them meanwhile, it starts over.
async fn spawn_behind_gateway() -> TestApp {
    for _ in 0..5 {
        if let Some(app) = try_spawn_behind_gateway().await {
            return app;
        }
    }
    panic!("no free addresses for the registers behind the gateway");
}

async fn try_spawn_behind_gateway() -> Option<TestApp> {
    use reference::Register;
    const SERVICE_TOKEN: &str = "9a7e9a7e9a7e9a7e9a7e9a7e9a7e9a7e9a7e9a7e";
    // One Logboek key for the installation, as in production.
    let logboek_key = platform::logboek::SubjectKey::generate()
        .unwrap()
        .to_base64();
    let addresses: Vec<String> = (0..4).map(|_| free_address()).collect();
    let gateway = format!("http://{}", addresses[3]);
    let register_settings = |register: Register, s: &mut Settings| {
        let i = Register::ALL.iter().position(|r| *r == register).unwrap();
        s.register = Some(register.name().into());
        s.bind = addresses[i].clone();
        s.peers.relatiebeheer = Some(format!("http://{}", addresses[0]));
        s.peers.klantcontacten = Some(format!("http://{}", addresses[1]));
        s.peers.klanttaak = Some(format!("http://{}", addresses[2]));
        s.service_token = Some(SERVICE_TOKEN.into());
        s.logboek.sleutel = Some(logboek_key.clone());
        // No public base URL: the registers write URLs under the host the gateway says the
        // client used (`X-Forwarded-Host`), as behind an Ingress.
    };
    let relatiebeheer =
        try_spawn_app_with(|s| register_settings(Register::Relatiebeheer, s)).await?;
    // One token database for the three, so one client token works everywhere.
    let auth = relatiebeheer.settings.auth_database_url().unwrap();
    let mut behind = vec![relatiebeheer];
    for register in [Register::Klantcontacten, Register::Klanttaak] {
        let auth = auth.clone();
        behind.push(
            try_spawn_app_with(|s| {
                register_settings(register, s);
                s.database.auth = Some(auth);
            })
            .await?,
        );
    }
    let routes = klantinteracties::gateway::Routes(
        Register::ALL
            .iter()
            .zip(&behind)
            .map(|(r, app)| (*r, app.base.clone()))
            .collect(),
    );
    let bind = addresses[3].clone();
    tokio::spawn(klantinteracties::gateway::server(&bind, routes).ok()?);
    let client = reqwest::Client::new();
    for _ in 0..100 {
        let up = client.get(format!("{gateway}/_healthz/livez")).send().await;
        if up.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // Settings naming each register's database, for tests that look beneath the API.
    let mut settings = behind[0].settings.clone();
    settings.register = None;
    settings.database.relatiebeheer =
        Some(behind[0].settings.database_url(Register::Relatiebeheer));
    settings.database.klantcontacten =
        Some(behind[1].settings.database_url(Register::Klantcontacten));
    settings.database.klanttaak = Some(behind[2].settings.database_url(Register::Klanttaak));
    settings.database.auth = Some(auth);
    Some(TestApp {
        base: gateway,
        client,
        token: behind[0].token.clone(),
        settings,
        handle: behind[0].handle.clone(),
        _dir: tempfile::tempdir().unwrap(),
        _pg: None,
        _behind: behind,
    })
}

/// Starts the app with settings adjusted by the test (one register alone, other peers).
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    try_spawn_app_with(adjust)
        .await
        .expect("the address the test chose is taken")
}

/// [`spawn_app_with`], or `None` when the address the test chose was taken meanwhile.
async fn try_spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> Option<TestApp> {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::embedded(dir.path());
    let pg = match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let (databases, urls) = PgDatabases::create(admin_url, 4);
            settings.database.relatiebeheer = Some(urls[0].clone());
            settings.database.klantcontacten = Some(urls[1].clone());
            settings.database.klanttaak = Some(urls[2].clone());
            settings.database.auth = Some(urls[3].clone());
            Some(databases)
        }
        _ => None,
    };
    adjust(&mut settings);
    let app = match Application::build(&settings) {
        Ok(app) => app,
        Err(error) if format!("{error:#}").contains("Address already in use") => return None,
        Err(error) => panic!("the app does not start: {error:#}"),
    };
    let port = app.port();
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    let auth = platform::db::Db::connect(&settings.auth_database_url().unwrap(), 1);
    let token = auth
        .run_blocking(|conn| {
            platform::auth::create_token(
                conn,
                &format!("tests-{}", uuid::Uuid::new_v4().simple()),
                "acceptance",
            )
        })
        .unwrap();
    Some(TestApp {
        base: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::new(),
        token,
        settings,
        handle,
        _dir: dir,
        _pg: pg,
        _behind: Vec::new(),
    })
}

/// A response, read whole.
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `invalidParams` names of a problem body.
    pub fn invalid_names(&self) -> Vec<String> {
        self.json()["invalidParams"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|p| p["name"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn invalid_codes(&self) -> Vec<String> {
        self.json()["invalidParams"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|p| p["code"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

async fn read(response: Response) -> Reply {
    Reply {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        text: response.text().await.unwrap(),
    }
}

impl TestApp {
    /// Stops the app as SIGTERM would (its databases stay until the value is dropped).
    pub async fn stop(&self) {
        self.handle.stop(true).await;
    }

    /// Starts the app again on its own address and databases.
    pub async fn restart(&self) -> TestApp {
        let mut settings = self.settings.clone();
        settings.bind = self.base.trim_start_matches("http://").to_owned();
        let app = Application::build(&settings).unwrap();
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        TestApp {
            base: self.base.clone(),
            client: reqwest::Client::new(),
            token: self.token.clone(),
            settings,
            handle,
            _dir: tempfile::tempdir().unwrap(),
            _pg: None,
            _behind: Vec::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else if path.starts_with('/') {
            format!("{}{}", self.base, path)
        } else {
            format!("{}{}/{}", self.base, API, path)
        }
    }

    /// A request with the test's token.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .header("Authorization", format!("Token {}", self.token))
    }

    pub async fn send(&self, builder: RequestBuilder) -> Reply {
        read(builder.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.request(Method::GET, path)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(self.request(Method::POST, path).json(&body))
            .await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.send(self.request(Method::PUT, path).json(&body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.send(self.request(Method::PATCH, path).json(&body))
            .await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(self.request(Method::DELETE, path)).await
    }

    /// Polls `url` until `ready` holds for its status and JSON body, at most 5 s; the last
    /// answer either way (for what the registers do after they answered: events, cascades).
    pub async fn eventually(&self, url: &str, ready: impl Fn(u16, &Value) -> bool) -> (u16, Value) {
        let started = std::time::Instant::now();
        loop {
            let reply = self.get(url).await;
            let body = serde_json::from_str(&reply.text).unwrap_or(Value::Null);
            if ready(reply.status, &body) || started.elapsed() > std::time::Duration::from_secs(5) {
                return (reply.status, body);
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// A token with these scopes (`*:read,bsn`), made as `token create --scope` makes it.
    pub fn scoped_token(&self, identifier: &str, scopes: &str) -> String {
        let scopes = platform::auth::Scopes::parse(scopes).unwrap();
        platform::db::Db::connect(&self.settings.auth_database_url().unwrap(), 1)
            .run_blocking(|conn| {
                platform::auth::create_scoped_token(conn, identifier, "team", &scopes)
            })
            .unwrap()
    }

    /// A token whose calls serve these processing activities (`token create
    /// --verwerkingsactiviteit`).
    pub fn token_for(&self, identifier: &str, scopes: &str, activities: &[&str]) -> String {
        let scopes = platform::auth::Scopes::parse(scopes).unwrap();
        let activities: Vec<String> = activities.iter().map(|a| (*a).to_owned()).collect();
        platform::db::Db::connect(&self.settings.auth_database_url().unwrap(), 1)
            .run_blocking(|conn| {
                platform::auth::create_token_for(conn, identifier, identifier, &scopes, &activities)
            })
            .unwrap()
    }

    /// The key the installation's Logboek encrypts BSNs with.
    pub fn logboek_key(&self) -> platform::logboek::SubjectKey {
        self.settings.logboek_key().unwrap().unwrap()
    }

    /// The Logboek's records of the person with this BSN, read with a `logboek` token.
    pub async fn logboek(&self, bsn: &str) -> Vec<Value> {
        let token = self.scoped_token(
            &format!("privacy-{}", uuid::Uuid::new_v4().simple()),
            "logboek",
        );
        let reply = self
            .call_as(
                &token,
                Method::GET,
                &format!("/logboek?betrokkene={bsn}"),
                None,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        let body = reply.json();
        assert_eq!(
            body["count"].as_u64(),
            Some(body["results"].as_array().unwrap().len() as u64)
        );
        body["results"].as_array().unwrap().clone()
    }

    /// A request with another token than the test's own.
    pub async fn call_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self
            .client
            .request(method, self.url(path))
            .header("Authorization", format!("Token {token}"));
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(request).await
    }

    /// Creates and returns an object, failing the test when the API refuses.
    pub async fn create(&self, path: &str, body: Value) -> Value {
        let reply = self.post(path, body).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply.json()
    }
}

/// A persoon body, optionally with a BSN.
pub fn persoon(bsn: Option<&str>) -> Value {
    let mut body = serde_json::json!({
        "soortPartij": "persoon",
        "indicatieActief": true,
        "partijIdentificatie": {"contactnaam": {"voorletters": "S.", "voornaam": "Sanne", "voorvoegselAchternaam": "de", "achternaam": "Vries"}}
    });
    if let Some(bsn) = bsn {
        body["partijIdentificatoren"] =
            serde_json::json!([{"partijIdentificator": bsn_identificator(bsn)}]);
    }
    body
}

pub fn bsn_identificator(bsn: &str) -> Value {
    serde_json::json!({"codeObjecttype": "natuurlijk_persoon", "codeSoortObjectId": "bsn", "objectId": bsn, "codeRegister": "brp"})
}

/// A klantcontact body with only what it needs.
pub fn klantcontact() -> Value {
    serde_json::json!({"kanaal": "telefoon", "onderwerp": "x", "taal": "nld", "vertrouwelijk": false})
}

pub fn organisatie(naam: &str) -> Value {
    serde_json::json!({"soortPartij": "organisatie", "indicatieActief": true, "partijIdentificatie": {"naam": naam}})
}

/// Valid BSNs (11-proef) for tests that need many different ones.
pub fn bsn(n: u32) -> String {
    let mut base = format!("{:08}", n % 100_000_000);
    let digits: Vec<i64> = base.bytes().map(|b| i64::from(b - b'0')).collect();
    let sum: i64 = digits
        .iter()
        .zip([9, 8, 7, 6, 5, 4, 3, 2])
        .map(|(d, w)| d * w)
        .sum();
    let check = sum % 11;
    if check == 10 {
        return bsn(n + 1);
    }
    base.push(char::from(b'0' + check as u8));
    base
}
