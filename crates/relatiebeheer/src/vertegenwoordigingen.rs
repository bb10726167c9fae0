//! `/vertegenwoordigingen`: one partij represents another (a contactpersoon for an organisatie,
//! a guardian for a persoon). Never itself, and each pair once.

use diesel::prelude::*;
use platform::crud::Crud;
use platform::db::DbConnection;
use platform::error::{ApiError, InvalidParam};
use platform::input::{Field, Mode, Presence, Reader};
use platform::query::Query;
use platform::ApiResult;
use reference::{ApiUrls, Reference, Resource};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::lookup::{self, stored_uuid};
use crate::models::{VertegenwoordigingData, VertegenwoordigingRow};
use crate::schema::{partijen as p, vertegenwoordigingen as v};
use crate::Register;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VertegenwoordigingView {
    pub uuid: Uuid,
    pub url: String,
    pub vertegenwoordigende_partij: Reference,
    pub vertegenwoordigde_partij: Reference,
}

pub struct Vertegenwoordigingen;

#[derive(Default)]
pub struct Filters {
    vertegenwoordigende: Option<Uuid>,
    vertegenwoordigde: Option<Uuid>,
    nothing: bool,
}

type Boxed = v::BoxedQuery<'static, platform::db::MultiBackend>;

fn filtered(f: &Filters) -> Boxed {
    let mut q = v::table.into_boxed();
    if f.nothing {
        return q.filter(v::id.lt(0));
    }
    if let Some(uuid) = f.vertegenwoordigende {
        q = q.filter(
            v::vertegenwoordigende_partij_id
                .eq_any(p::table.filter(p::uuid.eq(uuid.to_string())).select(p::id)),
        );
    }
    if let Some(uuid) = f.vertegenwoordigde {
        q = q.filter(
            v::vertegenwoordigde_partij_id
                .eq_any(p::table.filter(p::uuid.eq(uuid.to_string())).select(p::id)),
        );
    }
    q
}

fn partij(
    conn: &mut DbConnection,
    name: &str,
    field: Field<Uuid>,
    errors: &mut Vec<InvalidParam>,
) -> ApiResult<Option<i64>> {
    Ok(match field {
        Field::Set(uuid) => match lookup::partij_id(conn, uuid)? {
            Some((id, _)) => Some(id),
            None => {
                errors.push(InvalidParam::no_such_object(
                    format!("{name}.uuid"),
                    "Partij",
                ));
                None
            }
        },
        _ => None,
    })
}

impl Crud for Vertegenwoordigingen {
    type State = Register;
    type Row = VertegenwoordigingRow;
    type View = VertegenwoordigingView;
    type Filters = Filters;

    const FILTERS: &'static [&'static str] = &[
        "vertegenwoordigendePartij__uuid",
        "vertegenwoordigendePartij__url",
        "vertegenwoordigdePartij__uuid",
        "vertegenwoordigdePartij__url",
    ];

    fn collection(urls: &ApiUrls) -> String {
        urls.collection(Resource::Vertegenwoordigingen)
    }

    fn parse_filters(query: &Query) -> ApiResult<Filters> {
        query.read_filters(|f| Filters {
            vertegenwoordigende: f.reference("vertegenwoordigendePartij"),
            vertegenwoordigde: f.reference("vertegenwoordigdePartij"),
            nothing: f.matches_nothing(),
        })
    }

    platform::crud_queries!(v, VertegenwoordigingRow, filtered, v::id.desc());

    fn save(
        conn: &mut DbConnection,
        body: &Map<String, Value>,
        mode: Mode,
        existing: Option<VertegenwoordigingRow>,
    ) -> ApiResult<VertegenwoordigingRow> {
        let mut reader = Reader::new(body, mode);
        let vertegenwoordigende = reader.reference("vertegenwoordigendePartij", Presence::Required);
        let vertegenwoordigde = reader.reference("vertegenwoordigdePartij", Presence::Required);
        reader.finish()?;
        let mut errors = Vec::new();
        let vertegenwoordigende = partij(
            conn,
            "vertegenwoordigendePartij",
            vertegenwoordigende,
            &mut errors,
        )?;
        let vertegenwoordigde = partij(
            conn,
            "vertegenwoordigdePartij",
            vertegenwoordigde,
            &mut errors,
        )?;
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let existing_id = existing.as_ref().map(|e| e.id);
        let mut data = existing
            .map(|e| e.data)
            .unwrap_or_else(|| VertegenwoordigingData {
                uuid: Uuid::new_v4().to_string(),
                vertegenwoordigende_partij_id: 0,
                vertegenwoordigde_partij_id: 0,
                created_at: platform::time::now(),
            });
        if let Some(id) = vertegenwoordigende {
            data.vertegenwoordigende_partij_id = id;
        }
        if let Some(id) = vertegenwoordigde {
            data.vertegenwoordigde_partij_id = id;
        }
        if data.vertegenwoordigende_partij_id == data.vertegenwoordigde_partij_id {
            return Err(ApiError::invalid(
                "vertegenwoordigdePartij",
                "invalid",
                "De partij kan niet zichzelf vertegenwoordigen.",
            ));
        }
        let taken = v::table
            .filter(v::vertegenwoordigende_partij_id.eq(data.vertegenwoordigende_partij_id))
            .filter(v::vertegenwoordigde_partij_id.eq(data.vertegenwoordigde_partij_id))
            .filter(v::id.ne(existing_id.unwrap_or(-1)))
            .select(v::id)
            .first::<i64>(conn)
            .optional()?;
        if taken.is_some() {
            return Err(ApiError::not_unique(
                "vertegenwoordigende_partij, vertegenwoordigde_partij",
            ));
        }
        let id = platform::store_row!(conn, v, existing_id, &data);
        Ok(VertegenwoordigingRow { id, data })
    }

    fn delete(conn: &mut DbConnection, row: VertegenwoordigingRow) -> ApiResult<()> {
        diesel::delete(v::table.find(row.id)).execute(conn)?;
        Ok(())
    }

    fn render(
        conn: &mut DbConnection,
        urls: &ApiUrls,
        rows: &[VertegenwoordigingRow],
    ) -> ApiResult<Vec<VertegenwoordigingView>> {
        let ids: Vec<i64> = rows
            .iter()
            .flat_map(|r| {
                [
                    r.data.vertegenwoordigende_partij_id,
                    r.data.vertegenwoordigde_partij_id,
                ]
            })
            .collect();
        let partijen = lookup::partij_uuids(conn, &ids)?;
        let reference = |id: i64| {
            Reference::new(
                urls,
                Resource::Partijen,
                partijen.get(&id).copied().unwrap_or_default(),
            )
        };
        Ok(rows
            .iter()
            .map(|row| {
                let uuid = stored_uuid(&row.data.uuid);
                VertegenwoordigingView {
                    uuid,
                    url: urls.object(Resource::Vertegenwoordigingen, uuid),
                    vertegenwoordigende_partij: reference(row.data.vertegenwoordigende_partij_id),
                    vertegenwoordigde_partij: reference(row.data.vertegenwoordigde_partij_id),
                }
            })
            .collect())
    }
}
