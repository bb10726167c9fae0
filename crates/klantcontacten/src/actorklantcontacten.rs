//! `/actorklantcontacten`: which actors took part in a klantcontact; each pair once.

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
use crate::models::{ActorKlantcontactData, ActorKlantcontactRow};
use crate::schema::{actoren as a, actorklantcontacten as ak, klantcontacten as k};
use crate::Register;

#[derive(Debug, Serialize)]
pub struct ActorKlantcontactView {
    pub uuid: Uuid,
    pub url: String,
    pub actor: Reference,
    pub klantcontact: Reference,
}

pub struct ActorKlantcontacten;

#[derive(Default)]
pub struct Filters {
    actor: Option<Uuid>,
    klantcontact: Option<Uuid>,
    nothing: bool,
}

type Boxed = ak::BoxedQuery<'static, platform::db::MultiBackend>;

fn filtered(f: &Filters) -> Boxed {
    let mut q = ak::table.into_boxed();
    if f.nothing {
        return q.filter(ak::id.lt(0));
    }
    if let Some(uuid) = f.actor {
        q = q.filter(
            ak::actor_id.eq_any(a::table.filter(a::uuid.eq(uuid.to_string())).select(a::id)),
        );
    }
    if let Some(uuid) = f.klantcontact {
        q = q.filter(
            ak::klantcontact_id.eq_any(k::table.filter(k::uuid.eq(uuid.to_string())).select(k::id)),
        );
    }
    q
}

impl Crud for ActorKlantcontacten {
    type State = Register;
    type Row = ActorKlantcontactRow;
    type View = ActorKlantcontactView;
    type Filters = Filters;

    const FILTERS: &'static [&'static str] = &[
        "actor__uuid",
        "actor__url",
        "klantcontact__uuid",
        "klantcontact__url",
    ];

    fn collection(urls: &ApiUrls) -> String {
        urls.collection(Resource::Actorklantcontacten)
    }

    fn parse_filters(query: &Query) -> ApiResult<Filters> {
        query.read_filters(|f| Filters {
            actor: f.reference("actor"),
            klantcontact: f.reference("klantcontact"),
            nothing: f.matches_nothing(),
        })
    }

    platform::crud_queries!(ak, ActorKlantcontactRow, filtered, ak::id.desc());

    fn save(
        conn: &mut DbConnection,
        body: &Map<String, Value>,
        mode: Mode,
        existing: Option<ActorKlantcontactRow>,
    ) -> ApiResult<ActorKlantcontactRow> {
        let mut r = Reader::new(body, mode);
        let actor = r.reference("actor", Presence::Required);
        let klantcontact = r.reference("klantcontact", Presence::Required);
        r.finish()?;
        let existing_id = existing.as_ref().map(|e| e.id);
        let mut data = existing
            .map(|e| e.data)
            .unwrap_or_else(|| ActorKlantcontactData {
                uuid: Uuid::new_v4().to_string(),
                actor_id: 0,
                klantcontact_id: 0,
                created_at: platform::time::now(),
            });
        let mut errors = Vec::new();
        if let Field::Set(uuid) = actor {
            match lookup::actor_id(conn, uuid)? {
                Some(id) => data.actor_id = id,
                None => errors.push(InvalidParam::no_such_object("actor.uuid", "Actor")),
            }
        }
        if let Field::Set(uuid) = klantcontact {
            match lookup::require_klantcontact(conn, "klantcontact", uuid)? {
                Ok(id) => data.klantcontact_id = id,
                Err(p) => errors.push(p),
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let taken = ak::table
            .filter(ak::actor_id.eq(data.actor_id))
            .filter(ak::klantcontact_id.eq(data.klantcontact_id))
            .filter(ak::id.ne(existing_id.unwrap_or(-1)))
            .select(ak::id)
            .first::<i64>(conn)
            .optional()?;
        if taken.is_some() {
            return Err(ApiError::not_unique("actor, klantcontact"));
        }
        let id = platform::store_row!(conn, ak, existing_id, &data);
        Ok(ActorKlantcontactRow { id, data })
    }

    fn delete(conn: &mut DbConnection, row: ActorKlantcontactRow) -> ApiResult<()> {
        diesel::delete(ak::table.find(row.id)).execute(conn)?;
        Ok(())
    }

    fn render(
        conn: &mut DbConnection,
        urls: &ApiUrls,
        rows: &[ActorKlantcontactRow],
    ) -> ApiResult<Vec<ActorKlantcontactView>> {
        let actor_ids: Vec<i64> = rows.iter().map(|r| r.data.actor_id).collect();
        let klantcontact_ids: Vec<i64> = rows.iter().map(|r| r.data.klantcontact_id).collect();
        let actors = lookup::actor_uuids(conn, &actor_ids)?;
        let klantcontacten = lookup::klantcontact_uuids(conn, &klantcontact_ids)?;
        Ok(rows
            .iter()
            .map(|row| {
                let uuid = stored_uuid(&row.data.uuid);
                ActorKlantcontactView {
                    uuid,
                    url: urls.object(Resource::Actorklantcontacten, uuid),
                    actor: Reference::new(
                        urls,
                        Resource::Actoren,
                        actors.get(&row.data.actor_id).copied().unwrap_or_default(),
                    ),
                    klantcontact: Reference::new(
                        urls,
                        Resource::Klantcontacten,
                        klantcontacten
                            .get(&row.data.klantcontact_id)
                            .copied()
                            .unwrap_or_default(),
                    ),
                }
            })
            .collect())
    }
}
