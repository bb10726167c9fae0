//! `GET /logboek?betrokkene=<bsn>`: which processings of a person's data there were, by which
//! application, for which activity, when, in every register this process serves; oldest first.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::Logboeken;
use crate::error::ApiError;
use crate::ApiResult;

/// The person asked about: a BSN, nine digits.
fn betrokkene(query: &crate::query::Query) -> ApiResult<String> {
    query.reject_unknown(&["betrokkene"])?;
    match query.get("betrokkene").map(str::trim) {
        Some(bsn) if crate::bsn::has_bsn_form(bsn) => Ok(bsn.to_owned()),
        _ => Err(ApiError::invalid(
            "betrokkene",
            "invalid",
            "Geef het BSN van de betrokkene: negen cijfers.",
        )),
    }
}

pub async fn read(logboeken: web::Data<Logboeken>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let bsn = betrokkene(&crate::query::Query::parse(req.query_string()))?;
    let mut records: Vec<(time::PrimitiveDateTime, Value)> = Vec::new();
    for (register, db, logboek) in &logboeken.0 {
        let Some(subject) = logboek.subject_id(&bsn) else {
            continue;
        };
        // Reads' records kept until now are part of the answer.
        logboek.store_journal(db).await?;
        let entries = db
            .read(move |conn| super::store::of_subject(conn, &subject))
            .await?;
        records.extend(
            entries
                .iter()
                .map(|e| (e.start_time, e.to_json(register.name()))),
        );
    }
    records.sort_by_key(|(start, _)| *start);
    let results: Vec<Value> = records.into_iter().map(|(_, record)| record).collect();
    Ok(HttpResponse::Ok().json(json!({ "count": results.len(), "results": results })))
}
