//! `/categorieen` and `/categorie-relaties` (experimental in the standard): named categories and
//! which partijen are in them, from when to when.

use std::collections::HashMap;

use diesel::prelude::*;
use platform::crud::Crud;
use platform::db::DbConnection;
use platform::error::{ApiError, InvalidParam};
use platform::input::{Field, Mode, Presence, Reader, Text};
use platform::query::Query;
use platform::ApiResult;
use reference::{ApiUrls, Reference, Resource};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::lookup::{self, stored_uuid};
use crate::models::{CategorieData, CategorieRelatieData, CategorieRelatieRow, CategorieRow};
use crate::schema::{categorie_relaties as cr, categorieen as c, partijen as p};
use crate::Register;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CategorieView {
    pub uuid: Uuid,
    pub url: String,
    pub naam: String,
}

pub struct Categorieen;

impl Crud for Categorieen {
    type State = Register;
    type Row = CategorieRow;
    type View = CategorieView;
    type Filters = ();

    const FILTERS: &'static [&'static str] = &[];

    fn collection(urls: &ApiUrls) -> String {
        urls.collection(Resource::Categorieen)
    }

    fn parse_filters(_: &Query) -> ApiResult<()> {
        Ok(())
    }

    platform::crud_queries!(c, CategorieRow, c::id.desc());

    fn save(
        conn: &mut DbConnection,
        body: &Map<String, Value>,
        mode: Mode,
        existing: Option<CategorieRow>,
    ) -> ApiResult<CategorieRow> {
        let mut reader = Reader::new(body, mode);
        let naam = reader.text("naam", Text::optional(80));
        reader.finish()?;
        let existing_id = existing.as_ref().map(|e| e.id);
        let mut data = existing.map(|e| e.data).unwrap_or_else(|| CategorieData {
            uuid: Uuid::new_v4().to_string(),
            naam: String::new(),
            created_at: platform::time::now(),
        });
        naam.apply(&mut data.naam);
        let id = platform::store_row!(conn, c, existing_id, &data);
        Ok(CategorieRow { id, data })
    }

    /// A categorie takes its relaties with it.
    fn delete(conn: &mut DbConnection, row: CategorieRow) -> ApiResult<()> {
        diesel::delete(cr::table.filter(cr::categorie_id.eq(row.id))).execute(conn)?;
        diesel::delete(c::table.find(row.id)).execute(conn)?;
        Ok(())
    }

    fn render(
        _: &mut DbConnection,
        urls: &ApiUrls,
        rows: &[CategorieRow],
    ) -> ApiResult<Vec<CategorieView>> {
        Ok(rows
            .iter()
            .map(|row| {
                let uuid = stored_uuid(&row.data.uuid);
                CategorieView {
                    uuid,
                    url: urls.object(Resource::Categorieen, uuid),
                    naam: row.data.naam.clone(),
                }
            })
            .collect())
    }
}

/// A categorie as a relatie shows it: `{uuid, url, naam}`.
#[derive(Debug, Clone, Serialize)]
pub struct CategorieReference {
    pub uuid: Uuid,
    pub url: String,
    pub naam: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CategorieRelatieView {
    pub uuid: Uuid,
    pub url: String,
    pub partij: Option<Reference>,
    pub categorie: Option<CategorieReference>,
    pub begin_datum: Option<String>,
    pub eind_datum: Option<String>,
}

/// A relatie as a partij shows it: `{uuid, url, categorieNaam, beginDatum, eindDatum}`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CategorieRelatieReference {
    pub uuid: Uuid,
    pub url: String,
    pub categorie_naam: Option<String>,
    pub begin_datum: Option<String>,
    pub eind_datum: Option<String>,
}

pub struct CategorieRelaties;

#[derive(Default)]
pub struct RelatieFilters {
    partij: Option<Uuid>,
    partij_nummer: Option<String>,
    categorie: Option<Uuid>,
    categorie_naam: Option<String>,
    begin: Option<time::Date>,
    eind: Option<time::Date>,
    nothing: bool,
}

type Boxed = cr::BoxedQuery<'static, platform::db::MultiBackend>;

fn filtered(f: &RelatieFilters) -> Boxed {
    let mut q = cr::table.into_boxed();
    if f.nothing {
        return q.filter(cr::id.lt(0));
    }
    if let Some(uuid) = f.partij {
        q = q.filter(
            cr::partij_id.eq_any(
                p::table
                    .filter(p::uuid.eq(uuid.to_string()))
                    .select(p::id.nullable()),
            ),
        );
    }
    if let Some(nummer) = &f.partij_nummer {
        q = q.filter(
            cr::partij_id.eq_any(
                p::table
                    .filter(p::nummer.eq(nummer.clone()))
                    .select(p::id.nullable()),
            ),
        );
    }
    if let Some(uuid) = f.categorie {
        q = q.filter(
            cr::categorie_id.eq_any(
                c::table
                    .filter(c::uuid.eq(uuid.to_string()))
                    .select(c::id.nullable()),
            ),
        );
    }
    if let Some(naam) = &f.categorie_naam {
        q = q.filter(
            cr::categorie_id.eq_any(
                c::table
                    .filter(c::naam.eq(naam.clone()))
                    .select(c::id.nullable()),
            ),
        );
    }
    if let Some(date) = f.begin {
        q = q.filter(cr::begin_datum.eq(date));
    }
    if let Some(date) = f.eind {
        q = q.filter(cr::eind_datum.eq(date));
    }
    q
}

/// Renders relaties in both shapes (full, and as a partij lists them).
pub fn relatie_views(
    conn: &mut DbConnection,
    urls: &ApiUrls,
    rows: &[CategorieRelatieRow],
) -> ApiResult<Vec<(CategorieRelatieView, CategorieRelatieReference)>> {
    let partij_ids: Vec<i64> = rows.iter().filter_map(|r| r.data.partij_id).collect();
    let categorie_ids: Vec<i64> = rows.iter().filter_map(|r| r.data.categorie_id).collect();
    let partijen = lookup::partij_uuids(conn, &partij_ids)?;
    let categorieen: HashMap<i64, (String, String)> = if categorie_ids.is_empty() {
        HashMap::new()
    } else {
        c::table
            .filter(c::id.eq_any(&categorie_ids))
            .select((c::id, c::uuid, c::naam))
            .load::<(i64, String, String)>(conn)?
            .into_iter()
            .map(|(id, uuid, naam)| (id, (uuid, naam)))
            .collect()
    };
    Ok(rows
        .iter()
        .map(|row| {
            let uuid = stored_uuid(&row.data.uuid);
            let url = urls.object(Resource::CategorieRelaties, uuid);
            let categorie = row
                .data
                .categorie_id
                .and_then(|id| categorieen.get(&id))
                .map(|(u, naam)| {
                    let u = stored_uuid(u);
                    CategorieReference {
                        uuid: u,
                        url: urls.object(Resource::Categorieen, u),
                        naam: naam.clone(),
                    }
                });
            let begin = row.data.begin_datum.map(platform::time::format_date);
            let eind = row.data.eind_datum.map(platform::time::format_date);
            (
                CategorieRelatieView {
                    uuid,
                    url: url.clone(),
                    partij: row
                        .data
                        .partij_id
                        .and_then(|id| partijen.get(&id))
                        .map(|u| Reference::new(urls, Resource::Partijen, *u)),
                    categorie: categorie.clone(),
                    begin_datum: begin.clone(),
                    eind_datum: eind.clone(),
                },
                CategorieRelatieReference {
                    uuid,
                    url,
                    categorie_naam: categorie.map(|c| c.naam),
                    begin_datum: begin,
                    eind_datum: eind,
                },
            )
        })
        .collect())
}

impl Crud for CategorieRelaties {
    type State = Register;
    type Row = CategorieRelatieRow;
    type View = CategorieRelatieView;
    type Filters = RelatieFilters;

    const FILTERS: &'static [&'static str] = &[
        "partij__uuid",
        "partij__url",
        "partij__nummer",
        "categorie__uuid",
        "categorie__url",
        "categorie__naam",
        "beginDatum",
        "eindDatum",
    ];

    fn collection(urls: &ApiUrls) -> String {
        urls.collection(Resource::CategorieRelaties)
    }

    fn parse_filters(query: &Query) -> ApiResult<RelatieFilters> {
        query.read_filters(|f| RelatieFilters {
            partij: f.reference("partij"),
            categorie: f.reference("categorie"),
            partij_nummer: f.text("partij__nummer").map(str::to_owned),
            categorie_naam: f.text("categorie__naam").map(str::to_owned),
            begin: f.date("beginDatum"),
            eind: f.date("eindDatum"),
            nothing: f.matches_nothing(),
        })
    }

    platform::crud_queries!(cr, CategorieRelatieRow, filtered, cr::id.desc());

    fn save(
        conn: &mut DbConnection,
        body: &Map<String, Value>,
        mode: Mode,
        existing: Option<CategorieRelatieRow>,
    ) -> ApiResult<CategorieRelatieRow> {
        let mut reader = Reader::new(body, mode);
        let partij = reader.reference("partij", Presence::Nullable);
        let categorie = reader.reference("categorie", Presence::Nullable);
        let begin = reader.date("beginDatum", Presence::Nullable);
        let eind = reader.date("eindDatum", Presence::Nullable);
        reader.finish()?;
        let existing_id = existing.as_ref().map(|e| e.id);
        let mut data = existing
            .map(|e| e.data)
            .unwrap_or_else(|| CategorieRelatieData {
                uuid: Uuid::new_v4().to_string(),
                partij_id: None,
                categorie_id: None,
                begin_datum: None,
                eind_datum: None,
                created_at: platform::time::now(),
            });
        let mut errors = Vec::new();
        match partij {
            Field::Set(uuid) => match lookup::partij_id(conn, uuid)? {
                Some((id, _)) => data.partij_id = Some(id),
                None => errors.push(InvalidParam::no_such_object("partij.uuid", "Partij")),
            },
            Field::Null => data.partij_id = None,
            Field::Absent => {}
        }
        match categorie {
            Field::Set(uuid) => {
                let id = c::table
                    .filter(c::uuid.eq(uuid.to_string()))
                    .select(c::id)
                    .first::<i64>(conn)
                    .optional()?;
                match id {
                    Some(id) => data.categorie_id = Some(id),
                    None => {
                        errors.push(InvalidParam::no_such_object("categorie.uuid", "Categorie"))
                    }
                }
            }
            Field::Null => data.categorie_id = None,
            Field::Absent => {}
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        match begin {
            Field::Set(date) => data.begin_datum = Some(date),
            // On create a missing or null begin is today; on an update null is stored.
            Field::Null | Field::Absent if existing_id.is_none() => {
                data.begin_datum = Some(platform::time::now().date());
            }
            Field::Null => data.begin_datum = None,
            Field::Absent => {}
        }
        eind.apply_nullable(&mut data.eind_datum);
        let id = platform::store_row!(conn, cr, existing_id, &data);
        Ok(CategorieRelatieRow { id, data })
    }

    fn delete(conn: &mut DbConnection, row: CategorieRelatieRow) -> ApiResult<()> {
        diesel::delete(cr::table.find(row.id)).execute(conn)?;
        Ok(())
    }

    fn render(
        conn: &mut DbConnection,
        urls: &ApiUrls,
        rows: &[CategorieRelatieRow],
    ) -> ApiResult<Vec<CategorieRelatieView>> {
        Ok(relatie_views(conn, urls, rows)?
            .into_iter()
            .map(|(full, _)| full)
            .collect())
    }
}
