//! `/partij-identificatoren`: the register/objecttype/soort rules, number formats, the
//! vestiging-under-KvK rule, the three uniqueness rules and protected deletes. The same rules
//! apply to identificatoren written nested in a partij.

mod body;
mod save;

pub use body::{read, IdentificatorInput};
pub use save::{delete_protected, save, validate};

use diesel::prelude::*;
use platform::crud::Crud;
use platform::db::DbConnection;
use platform::input::{Mode, Reader};
use reference::{CodeObjecttype, CodeRegister, CodeSoortObjectId};

use body::codes;
use platform::query::Query;
use platform::ApiResult;
use reference::{ApiUrls, Resource};
use serde_json::{Map, Value};

use crate::models::IdentificatorRow;
use crate::schema::partij_identificatoren as pi;
use crate::views;
use crate::Register;

/// `/partij-identificatoren` for the generic handlers.
pub struct Identificatoren;

#[derive(Default, PartialEq)]
pub struct Filters {
    /// (column, value): all exact.
    exact: Vec<(&'static str, String)>,
}

type Boxed = pi::BoxedQuery<'static, platform::db::MultiBackend>;

fn filtered(filters: &Filters) -> Boxed {
    let mut q = pi::table.into_boxed();
    for (column, value) in &filters.exact {
        let value = value.clone();
        q = match *column {
            "partijIdentificatorCodeObjecttype" => q.filter(pi::code_objecttype.eq(value)),
            "partijIdentificatorCodeSoortObjectId" => q.filter(pi::code_soort_object_id.eq(value)),
            "partijIdentificatorObjectId" => q.filter(pi::object_id.eq(value)),
            "partijIdentificatorCodeRegister" => q.filter(pi::code_register.eq(value)),
            _ => q.filter(pi::andere_partij_identificator.eq(value)),
        };
    }
    q
}

impl Crud for Identificatoren {
    type State = Register;
    type Row = IdentificatorRow;
    type View = views::IdentificatorView;
    type Filters = Filters;

    const FILTERS: &'static [&'static str] = &[
        "partijIdentificatorCodeObjecttype",
        "partijIdentificatorCodeSoortObjectId",
        "partijIdentificatorObjectId",
        "partijIdentificatorCodeRegister",
        "anderePartijIdentificator",
    ];

    fn collection(urls: &ApiUrls) -> String {
        urls.collection(Resource::PartijIdentificatoren)
    }

    fn parse_filters(query: &Query) -> ApiResult<Filters> {
        query.read_filters(|f| {
            let mut filters = Filters::default();
            let enums: [(&'static str, Vec<&'static str>); 3] = [
                (
                    "partijIdentificatorCodeObjecttype",
                    codes(CodeObjecttype::ALL, CodeObjecttype::as_str),
                ),
                (
                    "partijIdentificatorCodeSoortObjectId",
                    codes(CodeSoortObjectId::ALL, CodeSoortObjectId::as_str),
                ),
                (
                    "partijIdentificatorCodeRegister",
                    codes(CodeRegister::ALL, CodeRegister::as_str),
                ),
            ];
            for (name, choices) in &enums {
                if let Some(v) = f.choice(name, choices) {
                    filters.exact.push((name, v.to_owned()));
                }
            }
            for name in ["partijIdentificatorObjectId", "anderePartijIdentificator"] {
                if let Some(v) = f.text(name) {
                    filters.exact.push((name, v.to_owned()));
                }
            }
            filters
        })
    }

    platform::crud_queries!(
        pi,
        IdentificatorRow,
        filtered,
        pi::id.desc(),
        counted as "partij_identificatoren"
    );

    fn save(
        conn: &mut DbConnection,
        body: &Map<String, Value>,
        mode: Mode,
        existing: Option<IdentificatorRow>,
    ) -> ApiResult<IdentificatorRow> {
        let mut reader = Reader::new(body, mode);
        let input = read(&mut reader, false);
        reader.finish()?;
        let data = validate(conn, input, existing.as_ref(), "", None)?;
        let id = save(conn, &data, existing.as_ref().map(|e| e.id))?;
        Ok(IdentificatorRow { id, data })
    }

    /// A BSN is changed or deleted only by a token that may use one.
    fn allow_change(
        _: &Register,
        row: &IdentificatorRow,
        who: &platform::audit::Who,
    ) -> ApiResult<()> {
        let bsn = row.data.code_soort_object_id == CodeSoortObjectId::Bsn.as_str();
        if bsn && !who.may_use_bsn {
            return Err(platform::ApiError::BsnNotPermitted);
        }
        Ok(())
    }

    fn delete(conn: &mut DbConnection, row: IdentificatorRow) -> ApiResult<()> {
        delete_protected(conn, &[row.id])
    }

    fn render(
        conn: &mut DbConnection,
        urls: &ApiUrls,
        rows: &[IdentificatorRow],
    ) -> ApiResult<Vec<views::IdentificatorView>> {
        views::identificatoren(conn, urls, rows)
    }
}
