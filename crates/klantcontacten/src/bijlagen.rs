//! `/bijlagen`: documents that came with a klantcontact (a letter, an e-mail attachment).

use diesel::prelude::*;
use platform::crud::Crud;
use platform::db::DbConnection;
use platform::error::ApiError;
use platform::input::{Field, Mode, Presence, Reader};
use platform::query::{IdentificatorMember, Query};
use platform::values::read_object_identificator;
use platform::ApiResult;
use reference::{ApiUrls, Resource};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::lookup::{self};
use crate::models::{BijlageData, BijlageRow};
use crate::schema::{bijlagen as b, klantcontacten as k};
use crate::views::BijlageView;
use crate::Register;

pub struct Bijlagen;

#[derive(Default, PartialEq)]
pub struct Filters {
    klantcontact: Option<Uuid>,
    identificator: Vec<(IdentificatorMember, String)>,
}

type Boxed = b::BoxedQuery<'static, platform::db::MultiBackend>;

fn filtered(f: &Filters) -> Boxed {
    let mut q = b::table.into_boxed();
    if let Some(uuid) = f.klantcontact {
        q = q.filter(
            b::klantcontact_id.eq_any(
                k::table
                    .filter(k::uuid.eq(uuid.to_string()))
                    .select(k::id.nullable()),
            ),
        );
    }
    for (member, value) in &f.identificator {
        q = platform::identificator_filter!(q, b, *member, value.clone());
    }
    q
}

impl Crud for Bijlagen {
    type State = Register;
    type Row = BijlageRow;
    type View = BijlageView;
    type Filters = Filters;

    const FILTERS: &'static [&'static str] = &[
        "klantcontact__uuid",
        "bijlageidentificatorObjectId",
        "bijlageidentificatorCodeObjecttype",
        "bijlageidentificatorCodeRegister",
        "bijlageidentificatorCodeSoortObjectId",
    ];

    fn collection(urls: &ApiUrls) -> String {
        urls.collection(Resource::Bijlagen)
    }

    fn parse_filters(query: &Query) -> ApiResult<Filters> {
        query.read_filters(|f| {
            let mut filters = Filters {
                klantcontact: f.uuid("klantcontact__uuid"),
                identificator: Vec::new(),
            };
            filters.identificator = f.identificator("bijlageidentificator");
            filters
        })
    }

    platform::crud_queries!(b, BijlageRow, filtered, b::id.desc(), counted as "bijlagen");

    fn save(
        conn: &mut DbConnection,
        body: &Map<String, Value>,
        mode: Mode,
        existing: Option<BijlageRow>,
    ) -> ApiResult<BijlageRow> {
        let mut r = Reader::new(body, mode);
        let klantcontact = r.reference("wasBijlageVanKlantcontact", Presence::Nullable);
        let identificator = read_object_identificator(&mut r, "bijlageidentificator");
        r.finish()?;
        let existing_id = existing.as_ref().map(|e| e.id);
        let mut data = existing.map(|e| e.data).unwrap_or_else(|| BijlageData {
            uuid: Uuid::new_v4().to_string(),
            klantcontact_id: None,
            identificator_object_id: String::new(),
            identificator_code_objecttype: String::new(),
            identificator_code_register: String::new(),
            identificator_code_soort_object_id: String::new(),
            created_at: platform::time::now(),
        });
        match klantcontact {
            Field::Set(uuid) => {
                data.klantcontact_id = Some(
                    lookup::require_klantcontact(conn, "wasBijlageVanKlantcontact", uuid)?
                        .map_err(|p| ApiError::Validation(vec![p]))?,
                )
            }
            Field::Null => data.klantcontact_id = None,
            Field::Absent => {}
        }
        if let Field::Set(g) = identificator {
            data.identificator_object_id = g.object_id;
            data.identificator_code_objecttype = g.code_objecttype;
            data.identificator_code_register = g.code_register;
            data.identificator_code_soort_object_id = g.code_soort_object_id;
        }
        let id = platform::store_row!(conn, b, existing_id, &data);
        Ok(BijlageRow { id, data })
    }

    fn delete(conn: &mut DbConnection, row: BijlageRow) -> ApiResult<()> {
        diesel::delete(b::table.find(row.id)).execute(conn)?;
        Ok(())
    }

    fn render(
        conn: &mut DbConnection,
        urls: &ApiUrls,
        rows: &[BijlageRow],
    ) -> ApiResult<Vec<BijlageView>> {
        crate::views::bijlagen(conn, urls, rows)
    }
}
