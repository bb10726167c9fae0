//! `/rekeningnummers`: bank accounts of a partij. IBANs are checked with `iban_validate`
//! (country format and check digits), BICs against the ISO 9362 shape.

use diesel::prelude::*;
use platform::crud::Crud;
use platform::db::DbConnection;
use platform::error::ApiError;
use platform::input::{Field, Mode, Presence, Reader, Text};
use platform::query::Query;
use platform::ApiResult;
use reference::{ApiUrls, Reference, Resource};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::lookup::{self, stored_uuid};
use crate::models::{RekeningnummerData, RekeningnummerRow};
use crate::schema::{partijen as p, rekeningnummers as r};
use crate::Register;

/// An IBAN as the standard writes it: the reference's shape, then the country's format and
/// the check digits. Lower case and paper-format spaces are accepted for the check.
pub fn is_iban(text: &str) -> bool {
    let b = text.as_bytes();
    let shape = (5..=34).contains(&b.len())
        && b[..2].iter().all(u8::is_ascii_alphabetic)
        && b[2..4].iter().all(u8::is_ascii_digit)
        && b[4..].iter().all(u8::is_ascii_alphanumeric);
    shape && text.to_ascii_uppercase().parse::<iban::Iban>().is_ok()
}

/// ISO 9362: four letters (bank), two letters (country), two letters or digits (location) and
/// optionally three letters or digits (branch).
pub fn is_bic(text: &str) -> bool {
    let b = text.as_bytes();
    (b.len() == 8 || b.len() == 11)
        && b[..6].iter().all(u8::is_ascii_alphabetic)
        && b[6..].iter().all(u8::is_ascii_alphanumeric)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RekeningnummerView {
    pub uuid: Uuid,
    pub url: String,
    pub partij: Option<Reference>,
    pub iban: String,
    pub bic: String,
}

pub struct Rekeningnummers;

#[derive(Default, PartialEq)]
pub struct Filters {
    uuid: Option<Uuid>,
    iban: Option<String>,
    bic: Option<String>,
}

type Boxed = r::BoxedQuery<'static, platform::db::MultiBackend>;

fn filtered(f: &Filters) -> Boxed {
    let mut q = r::table.into_boxed();
    if let Some(v) = f.uuid {
        q = q.filter(r::uuid.eq(v.to_string()));
    }
    if let Some(v) = &f.iban {
        q = q.filter(r::iban.eq(v.clone()));
    }
    if let Some(v) = &f.bic {
        q = q.filter(r::bic.eq(v.clone()));
    }
    q
}

impl Crud for Rekeningnummers {
    type State = Register;
    type Row = RekeningnummerRow;
    type View = RekeningnummerView;
    type Filters = Filters;

    const FILTERS: &'static [&'static str] = &["uuid", "iban", "bic"];

    fn collection(urls: &ApiUrls) -> String {
        urls.collection(Resource::Rekeningnummers)
    }

    fn parse_filters(query: &Query) -> ApiResult<Filters> {
        query.read_filters(|f| Filters {
            uuid: f.uuid("uuid"),
            iban: f.text("iban").map(str::to_owned),
            bic: f.text("bic").map(str::to_owned),
        })
    }

    platform::crud_queries!(
        r,
        RekeningnummerRow,
        filtered,
        r::id.desc(),
        counted as "rekeningnummers"
    );

    fn save(
        conn: &mut DbConnection,
        body: &Map<String, Value>,
        mode: Mode,
        existing: Option<RekeningnummerRow>,
    ) -> ApiResult<RekeningnummerRow> {
        let mut reader = Reader::new(body, mode);
        let partij = reader.reference("partij", Presence::Nullable);
        let iban = reader.text("iban", Text::required(34));
        if let Field::Set(iban) = &iban {
            if !is_iban(iban) {
                reader.error("iban", "invalid", format!("Ongeldige IBAN: {iban}"));
            }
        }
        let bic = reader.text("bic", Text::optional(11));
        if let Field::Set(bic) = &bic {
            if bic.chars().any(char::is_whitespace) {
                reader.error("bic", "invalid", format!("Geen spaties toegestaan: {bic}"));
            } else if !bic.is_empty() && bic.len() < 8 {
                reader.error(
                    "bic",
                    "min_length",
                    "Zorg ervoor dat dit veld minimaal 8 karakters bevat.",
                );
            } else if !bic.is_empty() && !is_bic(bic) {
                reader.error("bic", "invalid", format!("Ongeldige BIC: {bic}"));
            }
        }
        reader.finish()?;
        let existing_id = existing.as_ref().map(|e| e.id);
        let old_partij = existing.as_ref().and_then(|e| e.data.partij_id);
        let mut data = existing
            .map(|e| e.data)
            .unwrap_or_else(|| RekeningnummerData {
                uuid: Uuid::new_v4().to_string(),
                partij_id: None,
                iban: String::new(),
                bic: String::new(),
                created_at: platform::time::now(),
            });
        match partij {
            Field::Set(uuid) => {
                let (id, _) = lookup::partij_id(conn, uuid)?
                    .ok_or_else(|| ApiError::no_such_object("partij.uuid", "Partij"))?;
                data.partij_id = Some(id);
            }
            Field::Null => data.partij_id = None,
            Field::Absent => {}
        }
        iban.apply(&mut data.iban);
        bic.apply(&mut data.bic);
        let id = platform::store_row!(conn, r, existing_id, &data);
        if let Some(old) = old_partij.filter(|old| Some(*old) != data.partij_id) {
            // Moved away: no longer the old partij's voorkeur.
            diesel::update(
                p::table
                    .find(old)
                    .filter(p::voorkeurs_rekeningnummer_id.eq(id)),
            )
            .set(p::voorkeurs_rekeningnummer_id.eq(None::<i64>))
            .execute(conn)?;
        }
        Ok(RekeningnummerRow { id, data })
    }

    fn delete(conn: &mut DbConnection, row: RekeningnummerRow) -> ApiResult<()> {
        diesel::update(p::table.filter(p::voorkeurs_rekeningnummer_id.eq(row.id)))
            .set(p::voorkeurs_rekeningnummer_id.eq(None::<i64>))
            .execute(conn)?;
        diesel::delete(r::table.find(row.id)).execute(conn)?;
        Ok(())
    }

    fn render(
        conn: &mut DbConnection,
        urls: &ApiUrls,
        rows: &[RekeningnummerRow],
    ) -> ApiResult<Vec<RekeningnummerView>> {
        let ids: Vec<i64> = rows.iter().filter_map(|r| r.data.partij_id).collect();
        let partijen = lookup::partij_uuids(conn, &ids)?;
        Ok(rows
            .iter()
            .map(|row| {
                let uuid = stored_uuid(&row.data.uuid);
                RekeningnummerView {
                    uuid,
                    url: urls.object(Resource::Rekeningnummers, uuid),
                    partij: row
                        .data
                        .partij_id
                        .and_then(|id| partijen.get(&id))
                        .map(|u| Reference::new(urls, Resource::Partijen, *u)),
                    iban: row.data.iban.clone(),
                    bic: row.data.bic.clone(),
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibans_need_their_country_format_and_check_digits() {
        assert!(is_iban("NL27RABO0935765456"));
        assert!(is_iban("nl27rabo0935765456"));
        assert!(is_iban("DE44500105175407324931"));
        assert!(!is_iban("NL28RABO0935765456"));
        assert!(!is_iban("AB12"));
        assert!(!is_iban("NL27 RABO 0935 7654 56"));
        assert!(!is_iban("éé27RABO0935765456"));
    }

    #[test]
    fn bics_have_the_iso_shape() {
        assert!(is_bic("RABONL2U"));
        assert!(is_bic("DEUTDEFF500"));
        assert!(!is_bic("RABONL2"));
        assert!(!is_bic("1ABONL2U"));
    }
}
