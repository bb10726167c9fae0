//! `Idempotency-Key` on POST: a client that does not know whether its create went through (a
//! timeout, a register restarting mid-saga) sends it again with the same key and gets the first
//! answer back instead of a second object. The answer is stored in the transaction of the write
//! itself, so there is either both or neither. Keys are per caller (API token), kept a day; the
//! same key with another body is refused.

use actix_web::dev::Payload;
use actix_web::http::header::{HeaderValue, LOCATION};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use diesel::prelude::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::future::{ready, Ready};

use crate::auth::Caller;
use crate::db::{DbConnection, Migrations};
use crate::error::ApiError;
use crate::ApiResult;

diesel::table! {
    idempotency_keys (caller, idempotency_key) {
        caller -> Text,
        idempotency_key -> Text,
        path -> Text,
        fingerprint -> Text,
        status -> Integer,
        location -> Nullable<Text>,
        body -> Text,
        created_at -> Timestamp,
    }
}

use idempotency_keys as ik;

/// The table's migrations, applied to every register's database.
pub const MIGRATIONS: Migrations = crate::migrations!(
    "migrations/idempotency/postgres",
    "migrations/idempotency/sqlite"
);

const HEADER: &str = "Idempotency-Key";

/// How long an answer is kept.
const RETENTION: time::Duration = time::Duration::hours(24);

/// The `Idempotency-Key` header of a request, when it has one.
pub struct IdempotencyKey(Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let key = match req.headers().get(HEADER) {
            None => Ok(Self(None)),
            Some(value) => match value.to_str() {
                Ok(text) if !text.trim().is_empty() && text.len() <= 255 => {
                    Ok(Self(Some(text.trim().to_owned())))
                }
                _ => Err(ApiError::invalid(
                    HEADER,
                    "invalid",
                    "Een Idempotency-Key bestaat uit 1 tot 255 zichtbare ASCII-tekens.",
                )),
            },
        };
        ready(key)
    }
}

/// A request that asked to be idempotent: whose key, where, and what it sent.
#[derive(Debug, Clone)]
pub struct Claim {
    caller: String,
    key: String,
    path: String,
    fingerprint: String,
}

impl IdempotencyKey {
    pub fn claim(
        self,
        caller: &Caller,
        path: &str,
        body: &serde_json::Map<String, Value>,
    ) -> Option<Claim> {
        let key = self.0?;
        let digest = Sha256::digest(canonical_object(body).as_bytes());
        Some(Claim {
            caller: caller.identifier.clone(),
            key,
            path: path.to_owned(),
            fingerprint: digest.iter().map(|b| format!("{b:02x}")).collect(),
        })
    }
}

/// JSON with object keys sorted, so a retry that orders its keys differently is the same request.
fn canonical_object(map: &serde_json::Map<String, Value>) -> String {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    let members: Vec<String> = keys
        .into_iter()
        .map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&map[k])))
        .collect();
    format!("{{{}}}", members.join(","))
}

fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => canonical_object(map),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}

/// A stored answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

impl Answer {
    /// The first answer again, marked as a replay.
    pub fn response(&self) -> HttpResponse {
        let status = actix_web::http::StatusCode::from_u16(self.status)
            .unwrap_or(actix_web::http::StatusCode::CREATED);
        let mut response = HttpResponse::build(status);
        response
            .insert_header(("Content-Type", "application/json"))
            .insert_header(("Idempotent-Replayed", "true"));
        if let Some(location) = self
            .location
            .as_deref()
            .and_then(|l| HeaderValue::from_str(l).ok())
        {
            response.insert_header((LOCATION, location));
        }
        response.body(self.body.clone())
    }
}

/// The answer stored for this claim; refused when the key was used for another request.
pub fn find(conn: &mut DbConnection, claim: &Claim) -> ApiResult<Option<Answer>> {
    let stored: Option<(String, String, i32, Option<String>, String)> = ik::table
        .find((&claim.caller, &claim.key))
        .filter(ik::created_at.gt(crate::time::now() - RETENTION))
        .select((
            ik::path,
            ik::fingerprint,
            ik::status,
            ik::location,
            ik::body,
        ))
        .first(conn)
        .optional()?;
    let Some((path, fingerprint, status, location, body)) = stored else {
        return Ok(None);
    };
    if path != claim.path || fingerprint != claim.fingerprint {
        return Err(ApiError::invalid(
            HEADER,
            "invalid",
            "Deze Idempotency-Key is al gebruikt voor een ander verzoek.",
        ));
    }
    Ok(Some(Answer {
        status: u16::try_from(status).unwrap_or(201),
        location,
        body,
    }))
}

/// Claims the key in the write's transaction: a row for it, inserted before the work. A request
/// on another replica with the same key waits at that insert until this transaction ends; then
/// it finds this answer (or, when this one failed, claims the key itself). `false`: another
/// request holds the answer already.
fn claim_key(conn: &mut DbConnection, claim: &Claim) -> ApiResult<bool> {
    let now = crate::time::now();
    // Answers older than a day are forgotten, this key's among them.
    diesel::delete(ik::table.filter(ik::created_at.lt(now - RETENTION))).execute(conn)?;
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(ik::table)
            .values((
                ik::caller.eq(&claim.caller),
                ik::idempotency_key.eq(&claim.key),
                ik::path.eq(&claim.path),
                ik::fingerprint.eq(&claim.fingerprint),
                ik::status.eq(0),
                ik::location.eq(None::<String>),
                ik::body.eq(""),
                ik::created_at.eq(now),
            ))
            .execute(conn)
    });
    match inserted {
        Ok(_) => Ok(true),
        // The savepoint is rolled back; the transaction goes on.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(other) => Err(other.into()),
    }
}

/// Stores the answer on the claimed key.
fn store(conn: &mut DbConnection, claim: &Claim, answer: &Answer) -> ApiResult<()> {
    diesel::update(ik::table.find((&claim.caller, &claim.key)))
        .set((
            ik::status.eq(i32::from(answer.status)),
            ik::location.eq(&answer.location),
            ik::body.eq(&answer.body),
        ))
        .execute(conn)?;
    Ok(())
}

/// What a create came to: done now, or done before (the stored answer).
pub enum Outcome {
    Fresh(Value),
    Replayed(Answer),
}

/// The stored answer to a claim, looked up before any work is done.
pub async fn answered(db: &crate::db::Db, claim: Option<&Claim>) -> ApiResult<Option<Answer>> {
    let Some(claim) = claim.cloned() else {
        return Ok(None);
    };
    db.read(move |conn| find(conn, &claim)).await
}

/// Inside the write's transaction: the stored answer if another request finished first, else
/// the work, whose answer (a 201 with the object) is stored with it.
pub fn once(
    conn: &mut DbConnection,
    claim: Option<&Claim>,
    work: impl FnOnce(&mut DbConnection) -> ApiResult<Value>,
) -> ApiResult<Outcome> {
    if let Some(claim) = claim {
        if !claim_key(conn, claim)? {
            return match find(conn, claim)? {
                Some(answer) => Ok(Outcome::Replayed(answer)),
                // Claimed, yet no answer to be seen: only while that request is still running.
                None => Err(ApiError::Conflict(
                    "Een verzoek met deze Idempotency-Key wordt nog verwerkt.",
                )),
            };
        }
    }
    let view = work(conn)?;
    if let Some(claim) = claim {
        let answer = Answer {
            status: 201,
            location: view.get("url").and_then(Value::as_str).map(str::to_owned),
            body: view.to_string(),
        };
        store(conn, claim, &answer)?;
    }
    Ok(Outcome::Fresh(view))
}

/// After the transaction: a request that lost a race with its own twin (the database refused
/// the second key) answers as a retry would.
pub async fn settle(
    db: &crate::db::Db,
    claim: Option<Claim>,
    outcome: ApiResult<Outcome>,
) -> ApiResult<Outcome> {
    match (outcome, claim) {
        (Err(error), Some(claim)) => match answered(db, Some(&claim)).await {
            Ok(Some(answer)) => Ok(Outcome::Replayed(answer)),
            _ => Err(error),
        },
        (outcome, _) => outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_body_in_another_key_order_is_the_same_request() {
        let caller = Caller {
            identifier: "portaal".into(),
            application: String::new(),
            scopes: crate::auth::Scopes::all(),
            activities: Vec::new(),
        };
        let claim = |body: Value| {
            let Value::Object(body) = body else {
                unreachable!("the bodies below are objects")
            };
            IdempotencyKey(Some("k".into()))
                .claim(&caller, "/p", &body)
                .unwrap()
                .fingerprint
        };
        assert_eq!(
            claim(serde_json::json!({"a": 1, "b": {"c": [1, {"d": 2, "e": 3}]}})),
            claim(serde_json::json!({"b": {"c": [1, {"e": 3, "d": 2}]}, "a": 1}))
        );
        assert_ne!(
            claim(serde_json::json!({"a": 1})),
            claim(serde_json::json!({"a": 2}))
        );
    }
}
