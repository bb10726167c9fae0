//! The audit trail: every create, update and delete of every resource, written in the same
//! transaction as the change (so there is no change without its record), read back ZGW style
//! at `GET /{resource}/{uuid}/audittrail`, oldest first, also after the object is gone.
//!
//! Records are data, not logs: they keep the object as it was (BSNs included) and are only
//! readable with an API token, like the objects themselves.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, HttpResponse};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::{DbConnection, Migrations};
use crate::error::ApiError;
use crate::outbound::Actie;
use crate::register::RegisterState;
use crate::ApiResult;

diesel::table! {
    audit_trail (id) {
        id -> BigInt,
        uuid -> Text,
        resource -> Text,
        object_uuid -> Text,
        object_url -> Text,
        actie -> Text,
        resultaat -> Integer,
        caller -> Text,
        application -> Text,
        toelichting -> Text,
        oud -> Nullable<Text>,
        nieuw -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

use audit_trail as at;

/// The table's migrations, applied to every register's database.
pub const MIGRATIONS: Migrations =
    crate::migrations!("migrations/audit/postgres", "migrations/audit/sqlite");

/// The header a client gives its reason in.
pub const REASON_HEADER: &str = "X-Audit-Toelichting";

/// Who changes something, and why: the token's identifier and application, the request's
/// `X-Audit-Toelichting` (empty without one), and whether the token may touch a BSN.
#[derive(Debug, Clone, Default)]
pub struct Who {
    pub identifier: String,
    pub application: String,
    pub toelichting: String,
    pub may_use_bsn: bool,
}

impl Who {
    /// A change the registers make themselves (a delete that cascades from another register).
    pub fn system(toelichting: impl Into<String>) -> Self {
        Self {
            identifier: crate::auth::SERVICE_IDENTIFIER.into(),
            application: "klantinteracties".into(),
            toelichting: toelichting.into(),
            may_use_bsn: true,
        }
    }
}

impl FromRequest for Who {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let caller = req.extensions().get::<Caller>().cloned().unwrap_or(Caller {
            identifier: String::new(),
            application: String::new(),
            scopes: crate::auth::Scopes::all(),
            activities: Vec::new(),
        });
        let toelichting = match req.headers().get(REASON_HEADER) {
            None => Ok(String::new()),
            Some(value) => match value.to_str() {
                Ok(text) if text.len() <= 1000 => Ok(text.trim().to_owned()),
                _ => Err(ApiError::invalid(
                    REASON_HEADER,
                    "invalid",
                    "Een toelichting is tekst (ASCII) van hoogstens 1000 tekens.",
                )),
            },
        };
        ready(toelichting.map(|toelichting| Who {
            may_use_bsn: caller.scopes.may_use_bsn(),
            identifier: caller.identifier,
            application: caller.application,
            toelichting,
        }))
    }
}

/// One change to record.
pub struct Change<'a> {
    /// The collection the object is in (`partijen`).
    pub resource: &'a str,
    pub object_uuid: &'a str,
    pub object_url: &'a str,
    pub actie: Actie,
    pub oud: Option<&'a Value>,
    pub nieuw: Option<&'a Value>,
}

fn resultaat(actie: Actie) -> i32 {
    match actie {
        Actie::Create => 201,
        Actie::Update | Actie::PartialUpdate => 200,
        Actie::Destroy => 204,
    }
}

/// Writes the record of a change, in its transaction.
pub fn record(conn: &mut DbConnection, who: &Who, change: &Change<'_>) -> ApiResult<()> {
    diesel::insert_into(at::table)
        .values((
            at::uuid.eq(Uuid::new_v4().to_string()),
            at::resource.eq(change.resource),
            at::object_uuid.eq(change.object_uuid),
            at::object_url.eq(change.object_url),
            at::actie.eq(change.actie.name()),
            at::resultaat.eq(resultaat(change.actie)),
            at::caller.eq(&who.identifier),
            at::application.eq(&who.application),
            at::toelichting.eq(&who.toelichting),
            at::oud.eq(change.oud.map(Value::to_string)),
            at::nieuw.eq(change.nieuw.map(Value::to_string)),
            at::created_at.eq(crate::time::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records a change to a rendered object (`before`/`after` as a GET shows it).
pub fn change(
    conn: &mut DbConnection,
    who: &Who,
    resource: &str,
    actie: Actie,
    before: Option<&Value>,
    after: Option<&Value>,
) -> ApiResult<()> {
    let Some(object) = after.or(before).filter(|v| v.is_object()) else {
        return Ok(());
    };
    let text = |key: &str| object.get(key).and_then(Value::as_str).unwrap_or_default();
    record(
        conn,
        who,
        &Change {
            resource,
            object_uuid: text("uuid"),
            object_url: text("url"),
            actie,
            oud: before,
            nieuw: after,
        },
    )
}

/// Records objects deleted along with another (no rendered state: the rows went with it).
pub fn cascaded(
    conn: &mut DbConnection,
    resource: &str,
    uuids: &[String],
    reason: &str,
) -> ApiResult<()> {
    followed(conn, resource, uuids, Actie::Destroy, reason)
}

/// Records what the registers changed themselves, following a change elsewhere (a delete in
/// another register), with the reason.
pub fn followed(
    conn: &mut DbConnection,
    resource: &str,
    uuids: &[String],
    actie: Actie,
    reason: &str,
) -> ApiResult<()> {
    let who = Who::system(reason);
    for uuid in uuids {
        let change = Change {
            resource,
            object_uuid: uuid,
            object_url: "",
            actie,
            oud: None,
            nieuw: None,
        };
        record(conn, &who, &change)?;
    }
    Ok(())
}

/// One record as `audittrail` shows it (the ZGW audittrail shape).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    pub uuid: String,
    pub applicatie_id: String,
    pub applicatie_weergave: String,
    pub gebruikers_id: String,
    pub gebruikers_weergave: String,
    pub actie: String,
    pub actie_weergave: &'static str,
    pub resultaat: i32,
    pub hoofd_object: String,
    pub resource: String,
    pub resource_url: String,
    pub toelichting: String,
    pub aanmaakdatum: String,
    pub wijzigingen: Wijzigingen,
}

#[derive(Debug, Serialize)]
pub struct Wijzigingen {
    pub oud: Value,
    pub nieuw: Value,
}

fn weergave(actie: &str) -> &'static str {
    match actie {
        "create" => "Object aangemaakt",
        "update" => "Object bijgewerkt",
        "partial_update" => "Object deels bijgewerkt",
        "destroy" => "Object verwijderd",
        _ => "",
    }
}

type Row = (
    String,
    String,
    String,
    i32,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    time::PrimitiveDateTime,
);

/// The records of one object, oldest first.
pub fn trail_of(
    conn: &mut DbConnection,
    resource: &str,
    object: &str,
) -> ApiResult<Vec<AuditRecord>> {
    let rows: Vec<Row> = at::table
        .filter(at::object_uuid.eq(object))
        .filter(at::resource.eq(resource))
        .order(at::id)
        .select((
            at::uuid,
            at::object_url,
            at::actie,
            at::resultaat,
            at::caller,
            at::application,
            at::toelichting,
            at::oud,
            at::nieuw,
            at::created_at,
        ))
        .load(conn)?;
    let parse = |text: Option<String>| {
        text.and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null)
    };
    Ok(rows
        .into_iter()
        .map(
            |(uuid, url, actie, resultaat, caller, application, toelichting, oud, nieuw, at)| {
                AuditRecord {
                    uuid,
                    applicatie_id: application.clone(),
                    applicatie_weergave: application,
                    gebruikers_id: caller.clone(),
                    gebruikers_weergave: caller,
                    actie_weergave: weergave(&actie),
                    actie,
                    resultaat,
                    hoofd_object: url.clone(),
                    resource: resource.to_owned(),
                    resource_url: url,
                    toelichting,
                    aanmaakdatum: crate::time::format_datetime(at),
                    wijzigingen: Wijzigingen {
                        oud: parse(oud),
                        nieuw: parse(nieuw),
                    },
                }
            },
        )
        .collect())
}

/// `GET /{resource}/{uuid}/audittrail`: the object's records, oldest first; 404 when it never
/// existed here.
pub async fn trail<S: RegisterState>(
    state: web::Data<S>,
    req: HttpRequest,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let object = crate::http::path_uuid(&path)?.to_string();
    let mut segments = req.path().rsplit('/').skip(2);
    let resource = segments.next().unwrap_or_default().to_owned();
    let records = state
        .db()
        .read(move |conn| trail_of(conn, &resource, &object))
        .await?;
    if records.is_empty() {
        return Err(ApiError::not_found());
    }
    crate::http::ok(&records)
}
