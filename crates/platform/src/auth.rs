//! `Authorization: Token <key>` authentication.
//!
//! Tokens are 40 random hex characters, shown once when created; only their SHA-256 is stored
//! (they carry 160 random bits, so a fast hash is enough). Valid tokens are cached in memory for
//! a short while so a request costs no database round trip; a revoked token therefore stops
//! working within [`CACHE_TTL`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use sha2::{Digest, Sha256};

use reference::Register;

use crate::db::{Db, DbConnection, Migrations};
use crate::error::ApiError;

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        identifier -> Text,
        token_hash -> Text,
        application -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        scopes -> Text,
        verwerkingsactiviteiten -> Text,
    }
}

/// The token table's migrations.
pub const MIGRATIONS: Migrations = crate::migrations!("migrations/postgres", "migrations/sqlite");

/// How long a validated token is trusted without asking the database again.
pub const CACHE_TTL: Duration = Duration::from_secs(10);

/// Who is calling: the token's identifier and application (kept with every change), what its
/// token may do, and the processing activities its calls serve (Logboek Dataverwerkingen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub identifier: String,
    pub application: String,
    pub scopes: Scopes,
    /// URIs in the municipality's register of processing activities; the first is the one a
    /// call serves unless it names another of them. None: a call may name any.
    pub activities: Vec<String>,
}

impl Caller {
    /// The processing activity of a call that names `asked` (its `X-Verwerkingsactiviteit`),
    /// or `None` when the token does not allow that one.
    pub fn activity(&self, asked: Option<&str>) -> Option<Option<String>> {
        match asked {
            None => Some(self.activities.first().cloned()),
            Some(asked)
                if self.activities.is_empty() || self.activities.iter().any(|a| a == asked) =>
            {
                Some(Some(asked.to_owned()))
            }
            Some(_) => None,
        }
    }
}

/// Whether `text` is an absolute URI, as a processing activity (and an application that
/// names itself by one) is.
pub fn is_uri(text: &str) -> bool {
    !text.is_empty() && !text.chars().any(char::is_whitespace) && url::Url::parse(text).is_ok()
}

/// Reading, or reading and writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    Read,
    Write,
}

/// What a token may do, per register: `klantcontacten:write,relatiebeheer:read`, `*:read`,
/// and whether it may see and use BSNs (`bsn`; see [`crate::bsn`]). No scopes at all:
/// everything (the tokens made before scopes existed keep working; those made with scopes
/// before `bsn` existed were given it by a migration).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Scopes {
    #[default]
    All,
    /// Only these: per register (`None`: every register), up to this access.
    Only {
        grants: Vec<(Option<Register>, Access)>,
        bsn: bool,
        logboek: bool,
    },
}

/// The scope that lets a token see and use BSNs.
pub const BSN_SCOPE: &str = "bsn";

/// The scope that lets a token read the Logboek ([`crate::logboek`]).
pub const LOGBOEK_SCOPE: &str = "logboek";

impl Scopes {
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut scopes = Vec::new();
        let mut bsn = false;
        let mut logboek = false;
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part == BSN_SCOPE {
                bsn = true;
                continue;
            }
            if part == LOGBOEK_SCOPE {
                logboek = true;
                continue;
            }
            let (register, access) = part.split_once(':').ok_or_else(|| {
                format!("{part:?} is no scope: use register:read, register:write, bsn or logboek")
            })?;
            let register = match register {
                "*" => None,
                name => {
                    Some(Register::from_name(name).ok_or_else(|| format!("no register {name:?}"))?)
                }
            };
            let access = match access {
                "read" => Access::Read,
                "write" => Access::Write,
                other => return Err(format!("{other:?} is neither read nor write")),
            };
            scopes.push((register, access));
        }
        if scopes.is_empty() && bsn {
            return Err(
                "bsn alone reaches no register: add register:read or register:write".into(),
            );
        }
        Ok(if scopes.is_empty() && !logboek {
            Self::All
        } else {
            Self::Only {
                grants: scopes,
                bsn,
                logboek,
            }
        })
    }

    /// Every register, read and write, BSNs included.
    pub fn all() -> Self {
        Self::All
    }

    /// Nothing at all.
    pub fn none() -> Self {
        Self::Only {
            grants: Vec::new(),
            bsn: false,
            logboek: false,
        }
    }

    /// Whether the token may see BSNs and use them in filters and writes.
    pub fn may_use_bsn(&self) -> bool {
        match self {
            Scopes::All => true,
            Scopes::Only { bsn, .. } => *bsn,
        }
    }

    /// Whether the token may read the Logboek.
    pub fn may_read_logboek(&self) -> bool {
        match self {
            Scopes::All => true,
            Scopes::Only { logboek, .. } => *logboek,
        }
    }

    /// Whether a call to `register` (reading, or `writing`) is within the scopes.
    pub fn allows(&self, register: Register, writing: bool) -> bool {
        let needed = if writing { Access::Write } else { Access::Read };
        match self {
            Scopes::All => true,
            Scopes::Only { grants, .. } => grants
                .iter()
                .any(|(r, access)| r.is_none_or(|r| r == register) && *access >= needed),
        }
    }
}

impl std::fmt::Display for Scopes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Scopes::Only {
            grants,
            bsn,
            logboek,
        } = self
        else {
            return Ok(());
        };
        let mut parts: Vec<String> = grants
            .iter()
            .map(|(register, access)| {
                let access = match access {
                    Access::Read => "read",
                    Access::Write => "write",
                };
                format!("{}:{access}", register.map_or("*", Register::name))
            })
            .collect();
        if *bsn {
            parts.push(BSN_SCOPE.to_owned());
        }
        if *logboek {
            parts.push(LOGBOEK_SCOPE.to_owned());
        }
        f.write_str(&parts.join(","))
    }
}

pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new random token: 40 hex characters.
pub fn generate_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A token as listed: never the token itself.
#[derive(Debug, Clone, Queryable)]
pub struct TokenInfo {
    pub identifier: String,
    pub application: String,
    pub created_at: time::PrimitiveDateTime,
    pub revoked_at: Option<time::PrimitiveDateTime>,
    pub scopes: String,
    /// Space-separated.
    pub verwerkingsactiviteiten: String,
}

/// Creates a token and returns it; only its hash is stored.
pub fn create_token(
    conn: &mut DbConnection,
    identifier: &str,
    application: &str,
) -> anyhow::Result<String> {
    create_scoped_token(conn, identifier, application, &Scopes::all())
}

/// Creates a token limited to `scopes` and returns it.
pub fn create_scoped_token(
    conn: &mut DbConnection,
    identifier: &str,
    application: &str,
    scopes: &Scopes,
) -> anyhow::Result<String> {
    create_token_for(conn, identifier, application, scopes, &[])
}

/// Creates a token limited to `scopes` whose calls serve these processing activities (the
/// first unless a call names another; none: a call may name any) and returns it.
pub fn create_token_for(
    conn: &mut DbConnection,
    identifier: &str,
    application: &str,
    scopes: &Scopes,
    activities: &[String],
) -> anyhow::Result<String> {
    let identifier = identifier.trim();
    anyhow::ensure!(!identifier.is_empty(), "the identifier may not be empty");
    if let Some(bad) = activities.iter().find(|a| !is_uri(a)) {
        anyhow::bail!("{bad:?} is no processing activity: give its URI");
    }
    let active = api_tokens::table
        .filter(api_tokens::identifier.eq(identifier))
        .filter(api_tokens::revoked_at.is_null())
        .count()
        .get_result::<i64>(conn)?;
    anyhow::ensure!(
        active == 0,
        "a token with identifier {identifier:?} exists already; revoke it first"
    );
    let token = generate_token()?;
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::identifier.eq(identifier),
            api_tokens::token_hash.eq(hash_token(&token)),
            api_tokens::application.eq(application),
            api_tokens::created_at.eq(crate::time::now()),
            api_tokens::scopes.eq(scopes.to_string()),
            api_tokens::verwerkingsactiviteiten.eq(activities.join(" ")),
        ))
        .execute(conn)?;
    Ok(token)
}

pub fn list_tokens(conn: &mut DbConnection) -> anyhow::Result<Vec<TokenInfo>> {
    Ok(api_tokens::table
        .select((
            api_tokens::identifier,
            api_tokens::application,
            api_tokens::created_at,
            api_tokens::revoked_at,
            api_tokens::scopes,
            api_tokens::verwerkingsactiviteiten,
        ))
        .order(api_tokens::id)
        .load(conn)?)
}

/// Revokes the active token with this identifier; `false` when there is none.
pub fn revoke_token(conn: &mut DbConnection, identifier: &str) -> anyhow::Result<bool> {
    let changed = diesel::update(
        api_tokens::table
            .filter(api_tokens::identifier.eq(identifier))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(crate::time::now()))
    .execute(conn)?;
    Ok(changed > 0)
}

/// Checks tokens against the store, with a short-lived cache of valid ones.
#[derive(Clone)]
pub struct TokenStore {
    db: Db,
    cache: Arc<Mutex<HashMap<String, (Caller, Instant)>>>,
    /// The hash of the token the registers use with each other.
    service_token: Option<String>,
}

/// The caller behind the service token.
pub const SERVICE_IDENTIFIER: &str = "klantinteracties-service";

/// The body of a call between registers (`/_internal/…`): only a register, holding the
/// service token, may make one.
pub fn internal_body<T: serde::de::DeserializeOwned>(
    caller: &Caller,
    body: crate::json::JsonBody,
) -> Result<T, ApiError> {
    if caller.identifier != SERVICE_IDENTIFIER {
        return Err(ApiError::PermissionDenied);
    }
    serde_json::from_value(body.0).map_err(|e| ApiError::Parse(e.to_string()))
}

impl TokenStore {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            cache: Arc::new(Mutex::new(HashMap::new())),
            service_token: None,
        }
    }

    /// Also accepts the registers' shared service token.
    pub fn with_service_token(mut self, token: &str) -> Self {
        self.service_token = Some(hash_token(token));
        self
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The caller behind an `Authorization` header value.
    pub async fn authenticate(&self, header: Option<&str>) -> Result<Caller, ApiError> {
        let token = parse_header(header).ok_or(ApiError::NotAuthenticated)?;
        let hash = hash_token(token);
        if self.service_token.as_deref() == Some(hash.as_str()) {
            return Ok(Caller {
                identifier: SERVICE_IDENTIFIER.into(),
                application: "klantinteracties".into(),
                scopes: Scopes::all(),
                activities: Vec::new(),
            });
        }
        if let Some(caller) = self.cached(&hash) {
            return Ok(caller);
        }
        let lookup = hash.clone();
        let found: Option<(String, String, String, String)> = self
            .db
            .read(move |conn| {
                Ok(api_tokens::table
                    .filter(api_tokens::token_hash.eq(lookup))
                    .filter(api_tokens::revoked_at.is_null())
                    .select((
                        api_tokens::identifier,
                        api_tokens::application,
                        api_tokens::scopes,
                        api_tokens::verwerkingsactiviteiten,
                    ))
                    .first(conn)
                    .optional()?)
            })
            .await?;
        let (identifier, application, scopes, activities) =
            found.ok_or(ApiError::AuthenticationFailed)?;
        let caller = Caller {
            identifier,
            application,
            activities: activities.split_whitespace().map(str::to_owned).collect(),
            // A scope that no longer parses grants nothing rather than everything.
            scopes: Scopes::parse(&scopes).unwrap_or_else(|_| Scopes::none()),
        };
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() > 10_000 {
                cache.clear();
            }
            cache.insert(hash, (caller.clone(), Instant::now()));
        }
        Ok(caller)
    }

    fn cached(&self, hash: &str) -> Option<Caller> {
        let cache = self.cache.lock().ok()?;
        let (caller, at) = cache.get(hash)?;
        (at.elapsed() < CACHE_TTL).then(|| caller.clone())
    }
}

/// The token of `Token <key>` (keyword in any case); anything else is no credentials.
fn parse_header(header: Option<&str>) -> Option<&str> {
    let mut parts = header?.split_whitespace();
    let keyword = parts.next()?;
    let token = parts.next()?;
    (keyword.eq_ignore_ascii_case("token") && parts.next().is_none()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_allow_per_register_and_write_includes_read() {
        let scopes = Scopes::parse("klantcontacten:write, relatiebeheer:read").unwrap();
        assert!(scopes.allows(Register::Klantcontacten, true));
        assert!(scopes.allows(Register::Relatiebeheer, false));
        assert!(!scopes.allows(Register::Relatiebeheer, true));
        assert!(!scopes.allows(Register::Klanttaak, false));
        assert_eq!(
            scopes.to_string(),
            "klantcontacten:write,relatiebeheer:read"
        );
        let readers = Scopes::parse("*:read").unwrap();
        assert!(
            readers.allows(Register::Klanttaak, false)
                && !readers.allows(Register::Klanttaak, true)
        );
        assert!(Scopes::all().allows(Register::Klanttaak, true));
        assert!(Scopes::parse("klantcontacten").is_err());
        assert!(Scopes::parse("taken:read").is_err());
        assert!(Scopes::parse("klanttaak:admin").is_err());
    }

    #[test]
    fn bsns_are_for_tokens_without_scopes_and_those_that_name_bsn() {
        assert!(Scopes::all().may_use_bsn());
        assert!(Scopes::parse("").unwrap().may_use_bsn());
        let without = Scopes::parse("*:write").unwrap();
        assert!(!without.may_use_bsn());
        assert!(without.allows(Register::Relatiebeheer, true));
        let with = Scopes::parse("relatiebeheer:read, bsn").unwrap();
        assert!(with.may_use_bsn());
        assert_eq!(with.to_string(), "relatiebeheer:read,bsn");
        assert_eq!(Scopes::parse(&with.to_string()).unwrap(), with);
        assert!(Scopes::parse("bsn").is_err(), "bsn alone reaches nothing");
        assert!(!Scopes::none().may_use_bsn());
    }

    #[test]
    fn the_logboek_is_for_tokens_without_scopes_and_those_that_name_it() {
        assert!(Scopes::all().may_read_logboek());
        assert!(!Scopes::parse("*:write,bsn").unwrap().may_read_logboek());
        let officer = Scopes::parse("logboek").unwrap();
        assert!(officer.may_read_logboek());
        assert!(!officer.allows(Register::Relatiebeheer, false));
        assert!(!officer.may_use_bsn());
        assert_eq!(officer.to_string(), "logboek");
        assert_eq!(Scopes::parse(&officer.to_string()).unwrap(), officer);
    }

    #[test]
    fn a_call_serves_the_tokens_activity_or_one_it_allows() {
        let activity = "https://verwerkingen.gemeente.nl/activiteiten/kcc".to_owned();
        let other = "https://verwerkingen.gemeente.nl/activiteiten/wmo";
        let bound = Caller {
            identifier: "kcc".into(),
            application: "kcc".into(),
            scopes: Scopes::all(),
            activities: vec![activity.clone()],
        };
        assert_eq!(bound.activity(None), Some(Some(activity.clone())));
        assert_eq!(
            bound.activity(Some(&activity)),
            Some(Some(activity.clone()))
        );
        assert_eq!(bound.activity(Some(other)), None);
        let free = Caller {
            activities: Vec::new(),
            ..bound
        };
        assert_eq!(free.activity(None), Some(None));
        assert_eq!(free.activity(Some(other)), Some(Some(other.to_owned())));
        assert!(is_uri(other));
        assert!(!is_uri("kcc"));
        assert!(!is_uri("https://x.nl/a b"));
    }

    #[test]
    fn tokens_with_scopes_made_before_the_bsn_scope_keep_seeing_bsns() {
        use diesel::connection::SimpleConnection;
        use diesel::migration::{MigrationConnection, MigrationSource};
        use diesel::Connection;
        use diesel_migrations::MigrationHarness;
        let mut conn = diesel::SqliteConnection::establish(":memory:").unwrap();
        conn.setup().unwrap();
        let mut migrations =
            MigrationSource::<diesel::sqlite::Sqlite>::migrations(&(MIGRATIONS.sqlite)()).unwrap();
        migrations.sort_by_key(|m| m.name().version().to_string());
        let at = migrations
            .iter()
            .position(|m| m.name().to_string().ends_with("bsn_scope"))
            .unwrap();
        let (earlier, rest) = migrations.split_at(at);
        let last = &rest[0];
        for migration in earlier {
            conn.run_migration(migration).unwrap();
        }
        conn.batch_execute(
            "INSERT INTO api_tokens (identifier, token_hash, application, created_at, scopes) VALUES
             ('old-all', 'a', '', '2026-01-01 00:00:00', ''),
             ('old-kcc', 'b', '', '2026-01-01 00:00:00', 'klantcontacten:write,relatiebeheer:read')",
        )
        .unwrap();
        conn.run_migration(last).unwrap();
        let scopes: Vec<String> = api_tokens::table
            .order(api_tokens::identifier)
            .select(api_tokens::scopes)
            .load(&mut conn)
            .unwrap();
        let parsed: Vec<Scopes> = scopes.iter().map(|s| Scopes::parse(s).unwrap()).collect();
        assert!(parsed.iter().all(Scopes::may_use_bsn), "{scopes:?}");
        assert_eq!(scopes[0], "");
        assert!(!parsed[1].allows(Register::Relatiebeheer, true));
    }

    #[test]
    fn only_the_token_keyword_is_recognised() {
        assert_eq!(parse_header(Some("Token abc")), Some("abc"));
        assert_eq!(parse_header(Some("token abc")), Some("abc"));
        assert_eq!(parse_header(Some("Bearer abc")), None);
        assert_eq!(parse_header(Some("Token")), None);
        assert_eq!(parse_header(None), None);
    }

    #[test]
    fn tokens_are_forty_hex_characters_and_hashes_differ_from_them() {
        let token = generate_token().unwrap();
        assert_eq!(token.len(), 40);
        assert!(token.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(hash_token(&token), token);
        assert_eq!(hash_token(&token).len(), 64);
    }
}
