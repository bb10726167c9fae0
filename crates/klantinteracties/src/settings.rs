//! Configuration: built-in defaults, then an optional TOML file, then environment variables,
//! then command-line flags.
//!
//! Environment variables (prefix `KLANTINTERACTIES_`, `__` for nesting):
//! - `KLANTINTERACTIES_BIND` — address to listen on (default `127.0.0.1:8000`);
//! - `KLANTINTERACTIES_DATA_DIR` — where the embedded SQLite files live (default `./data`);
//! - `KLANTINTERACTIES_PUBLIC_BASE_URL` — the base URL clients reach the API on, e.g.
//!   `https://klantinteracties.gemeente.nl`; without it, each request's own scheme and host
//!   (honouring `Forwarded` / `X-Forwarded-*`) are used;
//! - `KLANTINTERACTIES_REGISTER` — serve only this register (`relatiebeheer`, `klantcontacten`,
//!   `klanttaak`); empty: all;
//! - `KLANTINTERACTIES_DATABASE__RELATIEBEHEER` — the register's database URL
//!   (`postgres://…` or a SQLite path; default `DATA_DIR/relatiebeheer.sqlite`);
//! - `KLANTINTERACTIES_DATABASE__KLANTCONTACTEN` — likewise for klantcontacten
//!   (default `DATA_DIR/klantcontacten.sqlite`); `…__KLANTTAAK` likewise;
//! - `KLANTINTERACTIES_DATABASE__AUTH` — where API tokens are kept (default: the served
//!   register's database when one register is served, else `DATA_DIR/auth.sqlite`);
//! - `KLANTINTERACTIES_PEERS__RELATIEBEHEER`, `…__KLANTCONTACTEN`, `…__KLANTTAAK` — the
//!   base URL (`http://relatiebeheer:8000`) of a register this process does not serve itself;
//! - `KLANTINTERACTIES_SERVICE_TOKEN` — the token the registers use with each other (the same
//!   in every register; generated when one process serves them all);
//! - `KLANTINTERACTIES_POOL_SIZE` — database connections per register (default 8);
//! - `KLANTINTERACTIES_STATEMENT_TIMEOUT_SECONDS` — the bound on one database statement and on
//!   a request's database work (15); past it the request is answered 503;
//! - `KLANTINTERACTIES_OUTBOX_RETENTION_HOURS` — how long events every subscriber received are
//!   kept before they are pruned (24);
//! - `KLANTINTERACTIES_WORKERS` — HTTP worker threads (default: one per core);
//! - `KLANTINTERACTIES_MIGRATE_ON_START` — apply pending migrations at start-up (default true);
//! - `KLANTINTERACTIES_DATABASE_WAIT_SECONDS` — how long start-up waits for the database (30);
//! - `KLANTINTERACTIES_NOTIFICATIES__URL`, `…__CLIENT_ID`, `…__SECRET` — a Notificaties API to
//!   notify (kanalen `partijen`, `klantcontacten`, `internetaken`);
//! - `KLANTINTERACTIES_WEBHOOKS` — comma-separated URLs that receive every event as a CloudEvent;
//! - `KLANTINTERACTIES_EVENTS_SOURCE` — the `source` URN of outgoing events;
//! - `KLANTINTERACTIES_CORS_ALLOWED_ORIGINS` — comma-separated origins of browser clients
//!   (`*` for any); none by default;
//! - `KLANTINTERACTIES_KLANTCONTACT_GRACE_HOURS` — how long a klantcontact may be supplemented
//!   without a reason (24); `KLANTINTERACTIES_KLANTCONTACT_REASON_REQUIRED=false` switches the
//!   rule off;
//! - `KLANTINTERACTIES_LOGBOEK__SLEUTEL` — the key (64 bytes, base64; `klantinteracties logboek
//!   sleutel` makes one) the Logboek Dataverwerkingen encrypts a person's BSN with; the same in
//!   every register of an installation. Without it: the key in `DATA_DIR/logboek.key`, made at
//!   the first start;
//! - `KLANTINTERACTIES_LOGBOEK__URL` — an external Logboek that receives every record (JSON,
//!   POST, retried until it confirms), with `…__AUTHORIZATION` as its `Authorization` header;
//! - `KLANTINTERACTIES_LOGBOEK__ENABLED=false` — keep no Logboek (to measure its cost, or where
//!   another component keeps it);
//! - `KLANTINTERACTIES_LOG_FORMAT` — `pretty` or `json`; `KLANTINTERACTIES_LOG_LEVEL` (or
//!   `RUST_LOG`) — e.g. `info`.

use std::path::{Path, PathBuf};

use platform::telemetry::LogFormat;
use reference::Register;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, Default)]
pub struct Databases {
    pub relatiebeheer: Option<String>,
    pub klantcontacten: Option<String>,
    pub klanttaak: Option<String>,
    pub auth: Option<String>,
}

/// Where the other registers are reached, when this process does not serve them.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct Peers {
    pub relatiebeheer: Option<String>,
    pub klantcontacten: Option<String>,
    pub klanttaak: Option<String>,
}

/// A Notificaties API the registers notify (ZGW JWT with this client id and secret).
#[derive(Debug, Clone, Deserialize, Default)]
pub struct Notificaties {
    /// Its root, e.g. `https://notificaties.gemeente.nl/api/v1/`; none: no notificaties.
    pub url: Option<String>,
    #[serde(default)]
    pub client_id: String,
    #[serde(default)]
    pub secret: String,
}

/// The Logboek Dataverwerkingen (`platform::logboek`).
#[derive(Debug, Clone, Deserialize)]
pub struct Logboek {
    /// Whether processings of persons' data are recorded.
    #[serde(default = "recorded")]
    pub enabled: bool,
    /// The key BSNs are encrypted with (base64 of 64 bytes).
    pub sleutel: Option<String>,
    /// An external Logboek that receives every record.
    pub url: Option<String>,
    /// The `Authorization` header sent to it.
    pub authorization: Option<String>,
}

fn recorded() -> bool {
    true
}

impl Default for Logboek {
    fn default() -> Self {
        Self {
            enabled: true,
            sleutel: None,
            url: None,
            authorization: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub bind: String,
    pub data_dir: PathBuf,
    pub public_base_url: Option<String>,
    pub register: Option<String>,
    #[serde(default)]
    pub database: Databases,
    #[serde(default)]
    pub peers: Peers,
    /// The token the registers use with each other; every register of an installation must
    /// have the same one. Generated at start-up when one process serves every register.
    pub service_token: Option<String>,
    pub pool_size: u32,
    /// How long events every subscriber has received are kept before they are pruned.
    pub outbox_retention_hours: u64,
    /// The bound on one database statement, and on a request's unit of work (then a 503).
    pub statement_timeout_seconds: u64,
    pub workers: Option<usize>,
    pub migrate_on_start: bool,
    pub database_wait_seconds: u64,
    pub log_format: LogFormat,
    pub log_level: String,
    #[serde(default)]
    pub notificaties: Notificaties,
    /// URLs that receive every notificatie and zaak event as a CloudEvent.
    #[serde(default)]
    pub webhooks: Vec<String>,
    /// Origins of browser clients allowed to call the API (`https://portaal.gemeente.nl`, or
    /// `*` for any); none by default: no CORS headers are sent.
    #[serde(default)]
    pub cors_allowed_origins: Vec<String>,
    /// How long after it was registered a klantcontact may be supplemented without a reason
    /// (0: every later change is a correction).
    pub klantcontact_grace_hours: u64,
    /// Whether a correction of a klantcontact after that needs `X-Audit-Toelichting` (false:
    /// Open Klant's behaviour).
    pub klantcontact_reason_required: bool,
    /// The `source` of outgoing events: a URN naming this installation (NL GOV CloudEvents
    /// profile), e.g. `urn:nld:oin:00000001234567890000:systeem:klantinteracties`.
    pub events_source: Option<String>,
    #[serde(default)]
    pub logboek: Logboek,
}

impl Settings {
    /// A register's database (or the token database) as this configuration connects to it.
    pub fn connect(&self, url: &str) -> platform::db::Db {
        let timeout = std::time::Duration::from_secs(self.statement_timeout_seconds.max(1));
        platform::db::Db::connect_with(url, self.pool_size, timeout)
    }

    /// Loads the layered configuration.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut builder = config::Config::builder()
            .set_default("bind", "127.0.0.1:8000")?
            .set_default("data_dir", "./data")?
            .set_default("pool_size", 8)?
            .set_default("statement_timeout_seconds", 15)?
            .set_default("outbox_retention_hours", 24)?
            .set_default("migrate_on_start", true)?
            .set_default("database_wait_seconds", 30)?
            .set_default("log_format", "pretty")?
            .set_default("log_level", "info")?
            .set_default("klantcontact_grace_hours", 24)?
            .set_default("klantcontact_reason_required", true)?;
        if let Some(file) = file {
            builder = builder.add_source(config::File::from(file));
        }
        builder = builder.add_source(
            config::Environment::with_prefix("KLANTINTERACTIES")
                .prefix_separator("_")
                .separator("__")
                .try_parsing(true)
                .list_separator(",")
                .with_list_parse_key("webhooks")
                .with_list_parse_key("cors_allowed_origins"),
        );
        let mut settings: Settings = builder.build()?.try_deserialize()?;
        settings.normalise();
        Ok(settings)
    }

    /// Defaults for an embedded deployment in `data_dir`, for tests and tools.
    pub fn embedded(data_dir: &Path) -> Self {
        let mut settings = Settings {
            bind: "127.0.0.1:0".into(),
            data_dir: data_dir.to_owned(),
            public_base_url: None,
            register: None,
            database: Databases::default(),
            peers: Peers::default(),
            service_token: None,
            pool_size: 4,
            statement_timeout_seconds: 15,
            outbox_retention_hours: 24,
            workers: Some(2),
            migrate_on_start: true,
            database_wait_seconds: 10,
            log_format: LogFormat::Pretty,
            log_level: "warn".into(),
            notificaties: Notificaties::default(),
            webhooks: Vec::new(),
            cors_allowed_origins: Vec::new(),
            events_source: None,
            klantcontact_grace_hours: 24,
            klantcontact_reason_required: true,
            logboek: Logboek::default(),
        };
        settings.normalise();
        settings
    }

    fn normalise(&mut self) {
        let blank = |v: &mut Option<String>| {
            if v.as_deref().is_some_and(|s| s.trim().is_empty()) {
                *v = None;
            }
        };
        blank(&mut self.public_base_url);
        blank(&mut self.register);
        blank(&mut self.database.relatiebeheer);
        blank(&mut self.database.klantcontacten);
        blank(&mut self.database.klanttaak);
        blank(&mut self.database.auth);
        blank(&mut self.peers.relatiebeheer);
        blank(&mut self.peers.klantcontacten);
        blank(&mut self.peers.klanttaak);
        blank(&mut self.service_token);
        blank(&mut self.notificaties.url);
        blank(&mut self.events_source);
        blank(&mut self.logboek.sleutel);
        blank(&mut self.logboek.url);
        blank(&mut self.logboek.authorization);
        self.webhooks.retain(|w| !w.trim().is_empty());
    }

    /// The key the Logboek encrypts BSNs with (`None`: no Logboek is kept): the configured one,
    /// else the one in the data dir, made there at the first start.
    pub fn logboek_key(&self) -> anyhow::Result<Option<platform::logboek::SubjectKey>> {
        use anyhow::Context as _;
        use platform::logboek::SubjectKey;
        if !self.logboek.enabled {
            return Ok(None);
        }
        if let Some(key) = &self.logboek.sleutel {
            return SubjectKey::parse(key).map(Some);
        }
        let file = self.data_dir.join("logboek.key");
        match std::fs::read_to_string(&file) {
            Ok(text) => SubjectKey::parse(&text)
                .with_context(|| format!("in {}", file.display()))
                .map(Some),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let key = SubjectKey::generate()?;
                std::fs::create_dir_all(&self.data_dir)?;
                match write_secret(&file, &key.to_base64()) {
                    // Another register of this data dir made it first: that one it is.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        return self.logboek_key();
                    }
                    written => written.with_context(|| {
                        format!("the Logboek key cannot be kept in {}", file.display())
                    })?,
                }
                if self.register.is_some() {
                    tracing::warn!(file = %file.display(), "a Logboek key was made for this register alone: configure one for the installation (KLANTINTERACTIES_LOGBOEK__SLEUTEL) so every register encrypts a BSN alike");
                } else {
                    tracing::info!(file = %file.display(), "a Logboek key was made; keep it with the backups");
                }
                Ok(Some(key))
            }
            Err(error) => Err(error).with_context(|| format!("reading {}", file.display())),
        }
    }

    /// The registers this process serves.
    pub fn registers(&self) -> anyhow::Result<Vec<Register>> {
        match self.register.as_deref() {
            None => Ok(Register::ALL.to_vec()),
            Some(name) => match Register::from_name(name) {
                Some(register) => Ok(vec![register]),
                None => anyhow::bail!(
                    "unknown register {name:?}; known: relatiebeheer, klantcontacten, klanttaak"
                ),
            },
        }
    }

    fn sqlite_file(&self, name: &str) -> String {
        self.data_dir
            .join(format!("{name}.sqlite"))
            .to_string_lossy()
            .into_owned()
    }

    /// The database URL of a register.
    pub fn database_url(&self, register: Register) -> String {
        let configured = match register {
            Register::Relatiebeheer => self.database.relatiebeheer.clone(),
            Register::Klantcontacten => self.database.klantcontacten.clone(),
            Register::Klanttaak => self.database.klanttaak.clone(),
        };
        configured.unwrap_or_else(|| self.sqlite_file(register.name()))
    }

    /// The configured base URL of another register.
    pub fn peer(&self, register: Register) -> Option<&str> {
        match register {
            Register::Relatiebeheer => self.peers.relatiebeheer.as_deref(),
            Register::Klantcontacten => self.peers.klantcontacten.as_deref(),
            Register::Klanttaak => self.peers.klanttaak.as_deref(),
        }
    }

    /// Where tokens are kept.
    pub fn auth_database_url(&self) -> anyhow::Result<String> {
        if let Some(url) = &self.database.auth {
            return Ok(url.clone());
        }
        Ok(match self.register.as_deref() {
            Some(_) => self.database_url(self.registers()?[0]),
            None => self.sqlite_file("auth"),
        })
    }

    /// Whether any database of this process is an embedded SQLite file (the data dir must exist).
    pub fn uses_data_dir(&self) -> anyhow::Result<bool> {
        let mut urls = vec![self.auth_database_url()?];
        for register in self.registers()? {
            urls.push(self.database_url(register));
        }
        Ok(urls
            .iter()
            .any(|u| platform::db::BackendKind::of(u) == platform::db::BackendKind::Sqlite))
    }
}

/// Writes a file only its owner may read, whole or not at all; fails when it exists (another
/// register of this data dir made it first).
fn write_secret(file: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let draft = file.with_extension(format!("draft-{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(&draft)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::hard_link(&draft, file));
    let _ = std::fs::remove_file(&draft);
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_logboek_key_is_the_configured_one_or_the_one_kept_in_the_data_dir() {
        let dir = tempfile::tempdir().unwrap();
        let first = Settings::embedded(dir.path())
            .logboek_key()
            .unwrap()
            .unwrap();
        let mut alone = Settings::embedded(dir.path());
        alone.register = Some("klanttaak".into());
        let again = alone.logboek_key().unwrap().unwrap();
        assert_eq!(first.encrypt("bsn", "1"), again.encrypt("bsn", "1"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join("logboek.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        let configured = platform::logboek::SubjectKey::generate().unwrap();
        let mut settings = Settings::embedded(dir.path());
        settings.logboek.sleutel = Some(configured.to_base64());
        let key = settings.logboek_key().unwrap().unwrap();
        assert_eq!(key.encrypt("bsn", "1"), configured.encrypt("bsn", "1"));
        settings.logboek.sleutel = Some("te kort".into());
        assert!(settings.logboek_key().is_err());
        settings.logboek.enabled = false;
        assert!(settings.logboek_key().unwrap().is_none());
    }
}
