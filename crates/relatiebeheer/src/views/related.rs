//! What a page of partijen shows of other tables, read in one statement: their identificatoren,
//! digitale adressen, rekeningnummers, the partijen they represent, their categorie-relaties,
//! their betrokkenen (the read model) and the partij a contactpersoon works for. On PostgreSQL
//! every statement is a round trip; one for all of it keeps a page, a lookup and a detail
//! (and every write's answer) at two or three.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Integer, Nullable, Text};
use platform::db::DbConnection;
use platform::ApiResult;

/// What a row of the statement is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `id`, `uuid`; `a` andere identificator, `b`–`e` the four codes, `f` the parent's uuid.
    Identificator = 1,
    DigitaalAdres = 2,
    Rekeningnummer = 3,
    /// `uuid` is the represented partij's.
    Vertegenwoordigde = 4,
    /// `a` the categorie's naam, `f` its uuid; and the dates.
    CategorieRelatie = 5,
    /// `id` is the read model's event id (the order they came in).
    Betrokkene = 6,
    /// `uuid` is the partij a contactpersoon works for.
    WerkteVoor = 7,
}

/// One related row, owned by partij `owner`.
#[derive(Debug, QueryableByName)]
pub struct Related {
    #[diesel(sql_type = BigInt)]
    pub owner: i64,
    #[diesel(sql_type = Integer)]
    kind: i32,
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub uuid: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub a: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub b: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub c: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub d: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub e: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub f: Option<String>,
    #[diesel(sql_type = Nullable<Date>)]
    pub begin_datum: Option<time::Date>,
    #[diesel(sql_type = Nullable<Date>)]
    pub eind_datum: Option<time::Date>,
}

impl Related {
    pub fn is(&self, kind: Kind) -> bool {
        self.kind == kind as i32
    }
}

// Every branch selects the same columns; `IN IDS` is the set of partij ids.
platform::statement!(
    RelatedOfPartijen,
    "
SELECT i.partij_id AS owner, 1 AS kind, i.id AS id, i.uuid AS uuid,
       i.andere_partij_identificator AS a, i.code_objecttype AS b,
       i.code_soort_object_id AS c, i.object_id AS d, i.code_register AS e, o.uuid AS f,
       CAST(NULL AS DATE) AS begin_datum, CAST(NULL AS DATE) AS eind_datum
  FROM partij_identificatoren i
  LEFT JOIN partij_identificatoren o ON o.id = i.sub_identificator_van_id
 WHERE i.partij_id IN IDS
UNION ALL
SELECT a.partij_id, 2, a.id, a.uuid, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM digitale_adressen a WHERE a.partij_id IN IDS
UNION ALL
SELECT r.partij_id, 3, r.id, r.uuid, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM rekeningnummers r WHERE r.partij_id IN IDS
UNION ALL
SELECT v.vertegenwoordigende_partij_id, 4, v.id, p.uuid, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM vertegenwoordigingen v JOIN partijen p ON p.id = v.vertegenwoordigde_partij_id
 WHERE v.vertegenwoordigende_partij_id IN IDS
UNION ALL
SELECT cr.partij_id, 5, cr.id, cr.uuid, c.naam, NULL, NULL, NULL, NULL, c.uuid,
       cr.begin_datum, cr.eind_datum
  FROM categorie_relaties cr LEFT JOIN categorieen c ON c.id = cr.categorie_id
 WHERE cr.partij_id IN IDS
UNION ALL
SELECT p.id, 6, pb.event_id, pb.betrokkene_uuid, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM partij_betrokkenen pb JOIN partijen p ON p.uuid = pb.partij_uuid
 WHERE p.id IN IDS AND NOT pb.deleted
UNION ALL
SELECT p.id, 7, w.id, w.uuid, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM partijen p JOIN partijen w ON w.id = p.werkte_voor_partij_id
 WHERE p.id IN IDS
ORDER BY 2, 3"
);

/// The related rows of these partijen, by kind, oldest first.
pub fn load(conn: &mut DbConnection, partijen: &[i64]) -> ApiResult<Vec<Related>> {
    if partijen.is_empty() {
        return Ok(Vec::new());
    }
    Ok(platform::statement::by_ids::<RelatedOfPartijen>(partijen).load(conn)?)
}
