//! Health endpoints for the orchestrator: `livez` checks nothing but the process, `readyz` checks
//! that every database this process uses answers.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::db::Db;

/// The databases `readyz` checks.
#[derive(Clone)]
pub struct Databases(pub Vec<(&'static str, Db)>);

pub async fn livez() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

pub async fn readyz(databases: web::Data<Databases>) -> HttpResponse {
    let mut checks = serde_json::Map::new();
    let mut ready = true;
    // Together, so the answer comes within one check's bound however many databases there are.
    let answers = futures_util::future::join_all(databases.0.iter().map(|(_, db)| db.ping())).await;
    for ((name, _), up) in databases.0.iter().zip(answers) {
        ready &= up;
        checks.insert(
            (*name).to_owned(),
            json!(if up { "ok" } else { "unavailable" }),
        );
    }
    let body = json!({"status": if ready { "ok" } else { "unavailable" }, "databases": checks});
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// Registers `/_healthz/livez` and `/_healthz/readyz` (with and without the trailing slash the
/// reference uses).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/_healthz/livez", web::get().to(livez))
        .route("/_healthz/livez/", web::get().to(livez))
        .route("/_healthz/readyz", web::get().to(readyz))
        .route("/_healthz/readyz/", web::get().to(readyz));
}
