//! End to end: the three registers as three processes of the binary, each with its own
//! database (PostgreSQL when `TEST_DATABASE_URL` names a server, else SQLite files), behind the
//! path-routing gateway, as in production behind an Ingress. A client that only knows the
//! gateway's base URL runs the standard's call-back case, and a register is killed and started
//! again in the middle.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::process::Command;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use serde_json::{json, Value};

use common::{free_port, printed_token, Process};

const BIN: &str = env!("CARGO_BIN_EXE_klantinteracties");
const SERVICE_TOKEN: &str = "e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0";
const REGISTERS: [&str; 3] = ["relatiebeheer", "klantcontacten", "klanttaak"];
/// The installation's Logboek key, the same in every register.
const LOGBOEK_KEY: &str =
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==";

/// The databases: one per register and one for tokens; PostgreSQL ones are dropped after.
struct Databases {
    urls: HashMap<&'static str, String>,
    admin: Option<String>,
    _dir: tempfile::TempDir,
}

impl Databases {
    fn create() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let names = ["relatiebeheer", "klantcontacten", "klanttaak", "auth"];
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin) if !admin.is_empty() => {
                let mut conn = platform::db::establish(&admin).unwrap();
                let prefix = format!("ki_e2e_{}", uuid_like());
                let (base, _) = admin.rsplit_once('/').unwrap();
                let urls = names
                    .iter()
                    .map(|name| {
                        conn.batch_execute(&format!("CREATE DATABASE {prefix}_{name}"))
                            .unwrap();
                        (*name, format!("{base}/{prefix}_{name}"))
                    })
                    .collect();
                Self {
                    urls,
                    admin: Some(admin),
                    _dir: dir,
                }
            }
            _ => {
                let urls = names
                    .iter()
                    .map(|name| {
                        let file = dir.path().join(format!("{name}.sqlite"));
                        (*name, file.to_string_lossy().into_owned())
                    })
                    .collect();
                Self {
                    urls,
                    admin: None,
                    _dir: dir,
                }
            }
        }
    }
}

impl Drop for Databases {
    fn drop(&mut self) {
        let Some(admin) = &self.admin else { return };
        if let Ok(mut conn) = platform::db::establish(admin) {
            for url in self.urls.values() {
                let name = url.rsplit('/').next().unwrap_or_default();
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// A name part no other test run uses at the same time.
fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{:x}{:x}", std::process::id(), nanos)
}

/// The three registers and the gateway, as processes.
struct Installation {
    databases: Databases,
    ports: HashMap<&'static str, u16>,
    processes: HashMap<&'static str, Process>,
    gateway: String,
    token: String,
    /// The registers' data dir (their Logboek journals), kept across restarts.
    data: tempfile::TempDir,
    _gateway: Process,
}

impl Installation {
    fn start() -> Self {
        let databases = Databases::create();
        let ports: HashMap<&'static str, u16> = REGISTERS
            .iter()
            .chain(&["gateway"])
            .map(|name| (*name, free_port()))
            .collect();
        let gateway = format!("http://127.0.0.1:{}", ports["gateway"]);
        let token_dir = tempfile::tempdir().unwrap();
        let created = Command::new(BIN)
            .args(["token", "create", "--identifier", "kcc", "--data-dir"])
            .arg(token_dir.path())
            .env("KLANTINTERACTIES_DATABASE__AUTH", &databases.urls["auth"])
            .env("KLANTINTERACTIES_LOG_LEVEL", "warn")
            .output()
            .unwrap();
        assert!(created.status.success(), "{created:?}");
        let token = printed_token(&created);
        let gateway_process = Process(
            Command::new(BIN)
                .args(["gateway", "--bind"])
                .arg(format!("127.0.0.1:{}", ports["gateway"]))
                .args(
                    REGISTERS
                        .iter()
                        .flat_map(|r| [format!("--{r}"), format!("http://127.0.0.1:{}", ports[r])]),
                )
                .env("KLANTINTERACTIES_LOG_LEVEL", "warn")
                .spawn()
                .unwrap(),
        );
        let mut installation = Self {
            databases,
            ports,
            processes: HashMap::new(),
            gateway,
            token,
            data: tempfile::tempdir().unwrap(),
            _gateway: gateway_process,
        };
        for register in REGISTERS {
            installation.start_register(register);
        }
        installation
    }

    fn start_register(&mut self, register: &'static str) {
        let mut command = Command::new(BIN);
        command
            .args(["serve", "--register", register, "--bind"])
            .arg(format!("127.0.0.1:{}", self.ports[register]))
            .env(
                format!("KLANTINTERACTIES_DATABASE__{}", register.to_uppercase()),
                &self.databases.urls[register],
            )
            .env(
                "KLANTINTERACTIES_DATABASE__AUTH",
                &self.databases.urls["auth"],
            )
            .env("KLANTINTERACTIES_SERVICE_TOKEN", SERVICE_TOKEN)
            .env("KLANTINTERACTIES_LOGBOEK__SLEUTEL", LOGBOEK_KEY)
            .env("KLANTINTERACTIES_DATA_DIR", self.data.path())
            .env("KLANTINTERACTIES_PUBLIC_BASE_URL", &self.gateway)
            .env("KLANTINTERACTIES_LOG_LEVEL", "warn");
        for peer in REGISTERS {
            command.env(
                format!("KLANTINTERACTIES_PEERS__{}", peer.to_uppercase()),
                format!("http://127.0.0.1:{}", self.ports[peer]),
            );
        }
        self.processes
            .insert(register, Process(command.spawn().unwrap()));
    }

    fn stop_register(&mut self, register: &str) {
        self.processes.remove(register);
    }

    async fn wait_until_ready(&self) {
        let client = reqwest::Client::new();
        let started = Instant::now();
        for name in REGISTERS.iter().chain(&["gateway"]) {
            let path = if *name == "gateway" {
                "livez"
            } else {
                "readyz"
            };
            let url = format!("http://127.0.0.1:{}/_healthz/{path}", self.ports[name]);
            loop {
                let ready = client
                    .get(&url)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                if ready {
                    break;
                }
                assert!(
                    started.elapsed() < Duration::from_secs(60),
                    "{name} did not start"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// A client that knows only the gateway.
struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    /// A client of the installation's gateway, with its token.
    fn of(installation: &Installation) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: installation.gateway.clone(),
            token: installation.token.clone(),
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}/klantinteracties/api/v1/{path}", self.base)
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, self.url(path))
            .header("Authorization", format!("Token {}", self.token));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, None).await
    }

    async fn create(&self, path: &str, body: Value) -> Value {
        let (status, value) = self.call(reqwest::Method::POST, path, Some(body)).await;
        assert_eq!(status, 201, "{path}: {value}");
        value
    }

    /// Polls until `ready` holds, at most `seconds`.
    async fn eventually(
        &self,
        path: &str,
        seconds: u64,
        ready: impl Fn(u16, &Value) -> bool,
    ) -> (u16, Value) {
        let started = Instant::now();
        loop {
            let (status, value) = self.get(path).await;
            if ready(status, &value) || started.elapsed() > Duration::from_secs(seconds) {
                return (status, value);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn uuids(list: &Value) -> Vec<&str> {
    list.as_array()
        .map(|l| l.iter().filter_map(|i| i["uuid"].as_str()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn three_processes_behind_a_gateway_serve_one_api_and_converge_after_a_restart() {
    let mut installation = Installation::start();
    installation.wait_until_ready().await;
    let client = Client::of(&installation);

    // One API root, listing what the three serve, under the gateway's address.
    let (status, root) = client.get("").await;
    assert_eq!(status, 200, "{root}");
    for resource in [
        "partijen",
        "klantcontacten",
        "internetaken",
        "maak-klantcontact",
    ] {
        assert_eq!(
            root[resource],
            format!(
                "{}/klantinteracties/api/v1/{resource}",
                installation.gateway
            ),
            "{root}"
        );
    }

    // C9167 variant B across the three: a known person, a contact, a call-back task.
    let partij = client
        .create("partijen", json!({"soortPartij": "persoon", "indicatieActief": true,
            "partijIdentificatoren": [{"partijIdentificator": {"codeObjecttype": "natuurlijk_persoon", "codeSoortObjectId": "bsn", "objectId": "999993653", "codeRegister": "brp"}}]}))
        .await;
    assert!(partij["url"]
        .as_str()
        .unwrap()
        .starts_with(&installation.gateway));
    let maak = client
        .create("maak-klantcontact", json!({
            "klantcontact": {"kanaal": "telefoon", "onderwerp": "dakkapel", "taal": "nld", "vertrouwelijk": false},
            "betrokkene": {"wasPartij": {"uuid": partij["uuid"]}, "rol": "klant", "initiator": true},
        }))
        .await;
    let k = &maak["klantcontact"];
    let team = client
        .create("actoren", json!({"naam": "Team Vergunningen", "soortActor": "organisatorische_eenheid", "actorIdentificatie": {"omschrijving": "vergunningen"}}))
        .await;
    let taak = client
        .create("internetaken", json!({"aanleidinggevendKlantcontact": {"uuid": k["uuid"]}, "toegewezenAanActor": {"uuid": team["uuid"]}, "gevraagdeHandeling": "terugbellen", "status": "te_verwerken"}))
        .await;
    assert_eq!(taak["aanleidinggevendKlantcontact"]["url"], k["url"]);

    // The inverse relations arrive through the events, and expand reaches across.
    let k_url = k["url"].as_str().unwrap();
    let (_, shown) = client
        .eventually(k_url, 10, |_, v| {
            !uuids(&v["leiddeTotInterneTaken"]).is_empty()
        })
        .await;
    assert_eq!(
        uuids(&shown["leiddeTotInterneTaken"]),
        [taak["uuid"].as_str().unwrap()]
    );
    let p_url = partij["url"].as_str().unwrap();
    let (_, shown) = client
        .eventually(p_url, 10, |_, v| !uuids(&v["betrokkenen"]).is_empty())
        .await;
    assert_eq!(
        uuids(&shown["betrokkenen"]),
        [maak["betrokkene"]["uuid"].as_str().unwrap()]
    );
    let (_, expanded) = client
        .get(&format!(
            "{k_url}?expand=hadBetrokkenen,hadBetrokkenen.wasPartij,leiddeTotInterneTaken"
        ))
        .await;
    assert_eq!(
        expanded["_expand"]["hadBetrokkenen"][0]["_expand"]["wasPartij"]["url"],
        partij["url"]
    );
    assert_eq!(
        expanded["_expand"]["leiddeTotInterneTaken"][0]["gevraagdeHandeling"],
        "terugbellen"
    );
    let (_, by_bsn) = client
        .get("klantcontacten?hadBetrokkene__wasPartij__partijIdentificator__objectId=999993653")
        .await;
    assert_eq!(by_bsn["count"], 1);
    let (_, by_nummer) = client
        .get("internetaken?actoren__naam=Team%20Vergunningen")
        .await;
    assert_eq!(by_nummer["count"], 1);

    // klanttaak is killed; the others keep serving. The contact is deleted meanwhile.
    installation.stop_register("klanttaak");
    let (status, _) = client.get("internetaken").await;
    assert_eq!(status, 502);
    assert_eq!(client.get(p_url).await.0, 200);
    let (status, _) = client.call(reqwest::Method::DELETE, k_url, None).await;
    assert_eq!(status, 204);

    // Started again, it catches up: the task of the deleted contact goes, and relatiebeheer's
    // read model lost the betrokkene with the contact.
    installation.start_register("klanttaak");
    installation.wait_until_ready().await;
    let (status, _) = client
        .eventually(taak["url"].as_str().unwrap(), 30, |s, _| s == 404)
        .await;
    assert_eq!(status, 404);
    let (_, shown) = client
        .eventually(p_url, 10, |_, v| uuids(&v["betrokkenen"]).is_empty())
        .await;
    assert_eq!(shown["betrokkenen"], json!([]));
    let (_, open) = client.get("internetaken").await;
    assert_eq!(open["count"], 0);
}

#[tokio::test]
async fn logboek_records_of_reads_survive_registers_killed_right_after_their_answers() {
    let mut installation = Installation::start();
    installation.wait_until_ready().await;
    let client = Client::of(&installation);
    let bsn = "999990019";
    let partij = client
        .create("partijen", json!({"soortPartij": "persoon", "indicatieActief": true,
            "partijIdentificatoren": [{"partijIdentificator": {"codeObjecttype": "natuurlijk_persoon", "codeSoortObjectId": "bsn", "objectId": bsn, "codeRegister": "brp"}}]}))
        .await;
    let p_url = partij["url"].as_str().unwrap();
    const READS: usize = 20;
    for _ in 0..READS {
        assert_eq!(client.get(p_url).await.0, 200);
    }
    let (status, _) = client
        .get(&format!(
            "klantcontacten?hadBetrokkene__wasPartij__partijIdentificator__objectId={bsn}"
        ))
        .await;
    assert_eq!(status, 200);
    // Killed (SIGKILL) the moment the last answer is in: the reads' records are then in the
    // registers' journals (stored in the database every 250 ms), which the restarted registers
    // store.
    installation.stop_register("klantcontacten");
    installation.stop_register("relatiebeheer");
    installation.start_register("relatiebeheer");
    installation.start_register("klantcontacten");
    installation.wait_until_ready().await;

    let response = client
        .http
        .get(format!("{}/logboek?betrokkene={bsn}", installation.gateway))
        .header("Authorization", format!("Token {}", installation.token))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let records: Value = response.json().await.unwrap();
    let named = |name: &str| {
        records["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["name"] == name)
            .count()
    };
    let api = "/klantinteracties/api/v1";
    assert_eq!(
        named(&format!("GET {api}/partijen/{{uuid}}")),
        READS,
        "{records:#}"
    );
    assert_eq!(
        named(&format!("GET {api}/klantcontacten")),
        1,
        "{records:#}"
    );
    assert_eq!(named(&format!("POST {api}/partijen")), 1, "{records:#}");
    let text = records.to_string();
    assert!(!text.contains(bsn), "{text}");
}
