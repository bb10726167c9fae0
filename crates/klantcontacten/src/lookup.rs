//! From uuid to id and back, a batch at a time.

use std::collections::HashMap;

use diesel::prelude::*;
use platform::db::DbConnection;
use platform::ApiResult;
use uuid::Uuid;

use crate::schema::{actoren, klantcontacten};

macro_rules! lookups {
    ($table:ident, $id_of:ident, $uuids_of:ident) => {
        /// The id of the row with this uuid.
        pub fn $id_of(conn: &mut DbConnection, uuid: Uuid) -> ApiResult<Option<i64>> {
            Ok($table::table
                .filter($table::uuid.eq(uuid.to_string()))
                .select($table::id)
                .first(conn)
                .optional()?)
        }

        /// The uuids of rows by id.
        pub fn $uuids_of(conn: &mut DbConnection, ids: &[i64]) -> ApiResult<HashMap<i64, Uuid>> {
            if ids.is_empty() {
                return Ok(HashMap::new());
            }
            let rows: Vec<(i64, String)> = $table::table
                .filter($table::id.eq_any(ids))
                .select(($table::id, $table::uuid))
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(|(id, u)| (id, stored_uuid(&u)))
                .collect())
        }
    };
}

lookups!(klantcontacten, klantcontact_id, klantcontact_uuids);
lookups!(actoren, actor_id, actor_uuids);

/// A stored uuid column as a uuid (always written by us, so well-formed).
pub fn stored_uuid(text: &str) -> Uuid {
    Uuid::parse_str(text).unwrap_or_default()
}

/// Resolves a reference to a klantcontact: `Err` holds the `invalidParams` entry.
pub fn require_klantcontact(
    conn: &mut DbConnection,
    name: &str,
    uuid: Uuid,
) -> ApiResult<Result<i64, platform::InvalidParam>> {
    Ok(klantcontact_id(conn, uuid)?.ok_or_else(|| {
        platform::InvalidParam::no_such_object(format!("{name}.uuid"), "Klantcontact")
    }))
}
