//! Finding rows by uuid and turning ids back into uuids, a batch at a time.

use std::collections::HashMap;

use diesel::prelude::*;
use platform::db::DbConnection;
use platform::ApiResult;
use uuid::Uuid;

use crate::models::IdentificatorRow;
use crate::schema::{digitale_adressen, partij_identificatoren, partijen, rekeningnummers};

pub fn identificator(conn: &mut DbConnection, uuid: Uuid) -> ApiResult<Option<IdentificatorRow>> {
    Ok(partij_identificatoren::table
        .filter(partij_identificatoren::uuid.eq(uuid.to_string()))
        .select(IdentificatorRow::as_select())
        .first(conn)
        .optional()?)
}

/// The id and soort of a partij, by uuid.
pub fn partij_id(conn: &mut DbConnection, uuid: Uuid) -> ApiResult<Option<(i64, String)>> {
    Ok(partijen::table
        .filter(partijen::uuid.eq(uuid.to_string()))
        .select((partijen::id, partijen::soort_partij))
        .first(conn)
        .optional()?)
}

pub fn digitaal_adres_id(conn: &mut DbConnection, uuid: Uuid) -> ApiResult<Option<i64>> {
    Ok(digitale_adressen::table
        .filter(digitale_adressen::uuid.eq(uuid.to_string()))
        .select(digitale_adressen::id)
        .first(conn)
        .optional()?)
}

pub fn rekeningnummer_id(conn: &mut DbConnection, uuid: Uuid) -> ApiResult<Option<i64>> {
    Ok(rekeningnummers::table
        .filter(rekeningnummers::uuid.eq(uuid.to_string()))
        .select(rekeningnummers::id)
        .first(conn)
        .optional()?)
}

/// The uuids of a table's rows by id: `uuids_by_id!(partijen, conn, ids)`.
macro_rules! uuids_by_id {
    ($table:ident, $conn:expr, $ids:expr) => {{
        if $ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(i64, String)> = $table::table
            .filter($table::id.eq_any($ids))
            .select(($table::id, $table::uuid))
            .load($conn)?;
        Ok(parse_uuids(rows))
    }};
}

/// Uuids of partijen by id.
pub fn partij_uuids(conn: &mut DbConnection, ids: &[i64]) -> ApiResult<HashMap<i64, Uuid>> {
    uuids_by_id!(partijen, conn, ids)
}

/// Uuids of partij-identificatoren by id.
pub fn identificator_uuids(conn: &mut DbConnection, ids: &[i64]) -> ApiResult<HashMap<i64, Uuid>> {
    uuids_by_id!(partij_identificatoren, conn, ids)
}

/// Uuids of digitale adressen by id.
pub fn digitaal_adres_uuids(conn: &mut DbConnection, ids: &[i64]) -> ApiResult<HashMap<i64, Uuid>> {
    uuids_by_id!(digitale_adressen, conn, ids)
}

/// Uuids of rekeningnummers by id.
pub fn rekeningnummer_uuids(conn: &mut DbConnection, ids: &[i64]) -> ApiResult<HashMap<i64, Uuid>> {
    uuids_by_id!(rekeningnummers, conn, ids)
}

fn parse_uuids(rows: Vec<(i64, String)>) -> HashMap<i64, Uuid> {
    rows.into_iter()
        .filter_map(|(id, text)| Uuid::parse_str(&text).ok().map(|u| (id, u)))
        .collect()
}

/// A stored uuid column as a uuid (they are written by us, so always well-formed).
pub fn stored_uuid(text: &str) -> Uuid {
    Uuid::parse_str(text).unwrap_or_default()
}

/// Runs `$body` with `$col` bound to the identificator column a filter member names.
macro_rules! by_member {
    ($member:expr, |$col:ident| $body:expr) => {
        match $member {
            "codeObjecttype" => {
                let $col = crate::schema::partij_identificatoren::code_objecttype;
                $body
            }
            "codeSoortObjectId" => {
                let $col = crate::schema::partij_identificatoren::code_soort_object_id;
                $body
            }
            "objectId" => {
                let $col = crate::schema::partij_identificatoren::object_id;
                $body
            }
            _ => {
                let $col = crate::schema::partij_identificatoren::code_register;
                $body
            }
        }
    };
}
pub(crate) use by_member;
