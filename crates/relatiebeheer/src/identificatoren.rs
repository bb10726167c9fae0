//! `/partij-identificatoren`: the register/objecttype/soort rules, number formats, the
//! vestiging-under-KvK rule, the three uniqueness rules and protected deletes. The same rules
//! apply to identificatoren written nested in a partij.

use diesel::prelude::*;
use platform::crud::Crud;
use platform::db::DbConnection;
use platform::error::{ApiError, InvalidParam, NON_FIELD_ERRORS};
use platform::input::{Field, Mode, Presence, Reader, Text};
use platform::query::Query;
use platform::ApiResult;
use reference::{
    ApiUrls, CodeObjecttype, CodeRegister, CodeSoortObjectId, Identificator, IdentificatorError,
    Resource,
};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::lookup;
use crate::models::{IdentificatorData, IdentificatorRow};
use crate::schema::partij_identificatoren as pi;
use crate::views;
use crate::Register;

/// An identificator as a body states it.
#[derive(Debug, Default)]
pub struct IdentificatorInput {
    /// Only read for items nested in a partij: which existing identificator to update.
    pub uuid: Option<Uuid>,
    pub identificeerde_partij: Field<Uuid>,
    pub andere_partij_identificator: Field<String>,
    pub partij_identificator: Option<Identificator>,
    pub sub_identificator_van: Field<Uuid>,
}

fn codes<T: Copy>(all: &[T], text: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|c| text(*c)).collect()
}

/// Reads the fields of one identificator (top-level or nested).
pub fn read(reader: &mut Reader<'_>, nested: bool) -> IdentificatorInput {
    let mut input = IdentificatorInput::default();
    if nested {
        input.uuid = match reader.raw("uuid") {
            Some(Value::String(s)) => match Uuid::parse_str(s.trim()) {
                Ok(u) => Some(u),
                Err(_) => {
                    reader.error("uuid", "invalid", "Moet een geldige UUID zijn.");
                    None
                }
            },
            _ => None,
        };
    }
    input.identificeerde_partij = reader.reference("identificeerdePartij", Presence::Nullable);
    input.andere_partij_identificator =
        reader.text("anderePartijIdentificator", Text::optional(200));
    if let Field::Set(group) = reader.object("partijIdentificator", Presence::Required) {
        let mut g = Reader::nested(group, Mode::Create, "partijIdentificator.".into());
        // In the order the reference declares (and reports) them.
        let objecttype = g.choice(
            "codeObjecttype",
            &codes(CodeObjecttype::ALL, CodeObjecttype::as_str),
            Presence::Required,
        );
        let soort = g.choice(
            "codeSoortObjectId",
            &codes(CodeSoortObjectId::ALL, CodeSoortObjectId::as_str),
            Presence::Required,
        );
        let object_id = g.text(
            "objectId",
            Text {
                max: 200,
                required: true,
                allow_blank: true,
            },
        );
        let register = g.choice(
            "codeRegister",
            &codes(CodeRegister::ALL, CodeRegister::as_str),
            Presence::Required,
        );
        if let (
            Field::Set(object_id),
            Field::Set(soort),
            Field::Set(objecttype),
            Field::Set(register),
        ) = (object_id, soort, objecttype, register)
        {
            if let (Some(soort), Some(objecttype), Some(register)) = (
                CodeSoortObjectId::parse(&soort),
                CodeObjecttype::parse(&objecttype),
                CodeRegister::parse(&register),
            ) {
                input.partij_identificator = Some(Identificator {
                    code_objecttype: objecttype,
                    code_soort_object_id: soort,
                    object_id,
                    code_register: register,
                });
            }
        }
        reader.absorb(g);
    }
    input.sub_identificator_van = reader.reference("subIdentificatorVan", Presence::Nullable);
    input
}

const NOT_UNIQUE: &str =
    "`PartijIdentificator` moet uniek zijn, er bestaat er al een met deze gegevenscombinatie.";
const NOT_UNIQUE_FOR_PARTIJ: &str = "`CodeSoortObjectId` moet uniek zijn voor de Partij.";
const PROTECTED: &str = "Cannot delete some instances of model 'PartijIdentificator' because they are referenced through protected foreign keys: 'PartijIdentificator.sub_identificator_van'.";

/// Resolves references and applies the model rules; `prefix` names nested fields
/// (`partijIdentificatoren.0.`). Returns the data to store. `existing` is the row being updated.
pub fn validate(
    conn: &mut DbConnection,
    input: IdentificatorInput,
    existing: Option<&IdentificatorRow>,
    prefix: &str,
    partij_override: Option<Option<i64>>,
) -> ApiResult<IdentificatorData> {
    let mut errors: Vec<InvalidParam> = Vec::new();
    let mut data = existing
        .map(|e| e.data.clone())
        .unwrap_or_else(|| IdentificatorData {
            uuid: Uuid::new_v4().to_string(),
            partij_id: None,
            andere_partij_identificator: String::new(),
            code_objecttype: String::new(),
            code_soort_object_id: String::new(),
            object_id: String::new(),
            code_register: String::new(),
            sub_identificator_van_id: None,
            created_at: platform::time::now(),
        });
    match partij_override {
        Some(partij) => data.partij_id = partij,
        None => match input.identificeerde_partij {
            Field::Set(uuid) => match lookup::partij_id(conn, uuid)? {
                Some((id, _)) => data.partij_id = Some(id),
                None => errors.push(InvalidParam::new(
                    format!("{prefix}identificeerdePartij.uuid"),
                    "invalid",
                    "Partij object bestaat niet.",
                )),
            },
            Field::Null => data.partij_id = None,
            Field::Absent => {}
        },
    }
    input
        .andere_partij_identificator
        .apply(&mut data.andere_partij_identificator);
    let mut parent_soort: Option<String> = None;
    match input.sub_identificator_van {
        Field::Set(uuid) => match lookup::identificator(conn, uuid)? {
            Some(parent) => {
                if existing.is_some_and(|e| e.id == parent.id) {
                    errors.push(InvalidParam::new(
                        format!("{prefix}subIdentificatorVan"),
                        "invalid",
                        "Een PartijIdentificator kan niet een subIdentificator van zichzelf zijn.",
                    ));
                }
                data.sub_identificator_van_id = Some(parent.id);
                parent_soort = Some(parent.data.code_soort_object_id);
            }
            None => errors.push(InvalidParam::new(
                format!("{prefix}subIdentificatorVan.uuid"),
                "invalid",
                "PartijIdentificator object bestaat niet.",
            )),
        },
        Field::Null => data.sub_identificator_van_id = None,
        Field::Absent => {
            if let Some(parent) = data.sub_identificator_van_id {
                parent_soort = pi::table
                    .find(parent)
                    .select(pi::code_soort_object_id)
                    .first(conn)
                    .optional()?;
            }
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    if let Some(identificator) = &input.partij_identificator {
        let soort_changes = existing.is_some_and(|e| {
            e.data.code_soort_object_id != identificator.code_soort_object_id.as_str()
        });
        data.code_objecttype = identificator.code_objecttype.as_str().into();
        data.code_soort_object_id = identificator.code_soort_object_id.as_str().into();
        data.object_id = identificator.object_id.clone();
        data.code_register = identificator.code_register.as_str().into();
        if let Err(error) = identificator.validate() {
            let (name, reason) = match error {
                IdentificatorError::Objecttype(r) => ("partijIdentificatorCodeObjecttype", r),
                IdentificatorError::SoortObjectId(r) => ("partijIdentificatorCodeSoortObjectId", r),
                IdentificatorError::ObjectId(r) => ("partijIdentificatorObjectId", r),
            };
            return Err(ApiError::invalid(
                format!("{prefix}{name}"),
                "invalid",
                reason,
            ));
        }
        if soort_changes {
            let id = existing.map_or(0, |e| e.id);
            if has_children(conn, id)? {
                return Err(ApiError::invalid(
                    format!("{prefix}partijIdentificatorCodeSoortObjectId"),
                    "invalid",
                    "Het is niet mogelijk om de codeSoortObjectId van deze PartijIdentificator te wijzigen, omdat er andere PartijIdentificatoren aan gekoppeld zijn.",
                ));
            }
        }
    }
    if data.code_soort_object_id == CodeSoortObjectId::Vestigingsnummer.as_str() {
        match parent_soort.as_deref() {
            None => {
                return Err(ApiError::invalid(
                    format!("{prefix}subIdentificatorVan"),
                    "invalid",
                    "Voor een PartijIdentificator met codeSoortObjectId = `vestigingsnummer` is het verplicht om een `sub_identifier_van` met codeSoortObjectId = `kvk_nummer` te kiezen.",
                ))
            }
            Some(soort) if soort != CodeSoortObjectId::KvkNummer.as_str() => {
                return Err(ApiError::invalid(
                    format!("{prefix}subIdentificatorVan"),
                    "invalid",
                    "Het is alleen mogelijk om een subIdentifierVan te selecteren met codeSoortObjectId = `kvk_nummer`.",
                ))
            }
            Some(_) => {}
        }
    }
    check_unique(conn, &data, existing.map(|e| e.id))?;
    Ok(data)
}

/// The global, scoped and per-partij uniqueness rules, reported under `__all__`.
fn check_unique(
    conn: &mut DbConnection,
    data: &IdentificatorData,
    exclude: Option<i64>,
) -> ApiResult<()> {
    let exclude = exclude.unwrap_or(-1);
    let mut errors = Vec::new();
    let same = pi::table
        .filter(pi::id.ne(exclude))
        .filter(pi::object_id.eq(&data.object_id))
        .filter(pi::code_soort_object_id.eq(&data.code_soort_object_id))
        .filter(pi::code_objecttype.eq(&data.code_objecttype))
        .filter(pi::code_register.eq(&data.code_register))
        .into_boxed();
    let same = match data.sub_identificator_van_id {
        Some(parent) => same.filter(pi::sub_identificator_van_id.eq(parent)),
        None => same.filter(pi::sub_identificator_van_id.is_null()),
    };
    if same.select(pi::id).first::<i64>(conn).optional()?.is_some() {
        errors.push(InvalidParam::new("__all__", "invalid", NOT_UNIQUE));
    }
    if let Some(partij) = data.partij_id {
        let taken = pi::table
            .filter(pi::id.ne(exclude))
            .filter(pi::partij_id.eq(partij))
            .filter(pi::code_soort_object_id.eq(&data.code_soort_object_id))
            .select(pi::id)
            .first::<i64>(conn)
            .optional()?;
        if taken.is_some() {
            errors.push(InvalidParam::new(
                "__all__",
                "invalid",
                NOT_UNIQUE_FOR_PARTIJ,
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

fn has_children(conn: &mut DbConnection, id: i64) -> ApiResult<bool> {
    Ok(pi::table
        .filter(pi::sub_identificator_van_id.eq(id))
        .select(pi::id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// Stores new or changed data; returns the row id.
pub fn save(
    conn: &mut DbConnection,
    data: &IdentificatorData,
    existing: Option<i64>,
) -> ApiResult<i64> {
    Ok(platform::store_row!(conn, pi, existing, data))
}

/// Deletes identificatoren; refused (400) when another identificator outside the set has one of
/// them as its parent.
pub fn delete_protected(conn: &mut DbConnection, ids: &[i64]) -> ApiResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let outside_child = pi::table
        .filter(pi::sub_identificator_van_id.eq_any(ids))
        .filter(pi::id.ne_all(ids))
        .select(pi::id)
        .first::<i64>(conn)
        .optional()?;
    if outside_child.is_some() {
        return Err(ApiError::invalid(NON_FIELD_ERRORS, "invalid", PROTECTED));
    }
    // Children before parents, so the parent reference never dangles.
    diesel::delete(
        pi::table
            .filter(pi::id.eq_any(ids))
            .filter(pi::sub_identificator_van_id.is_not_null()),
    )
    .execute(conn)?;
    diesel::delete(pi::table.filter(pi::id.eq_any(ids))).execute(conn)?;
    Ok(())
}

/// `/partij-identificatoren` for the generic handlers.
pub struct Identificatoren;

#[derive(Default)]
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
        let mut f = query.filters();
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
        f.finish()?;
        Ok(filters)
    }

    fn count(conn: &mut DbConnection, filters: &Filters) -> ApiResult<i64> {
        Ok(filtered(filters).count().get_result(conn)?)
    }

    fn page(
        conn: &mut DbConnection,
        filters: &Filters,
        offset: i64,
        limit: i64,
    ) -> ApiResult<Vec<IdentificatorRow>> {
        Ok(filtered(filters)
            .order(pi::id.desc())
            .offset(offset)
            .limit(limit)
            .select(IdentificatorRow::as_select())
            .load(conn)?)
    }

    fn find(conn: &mut DbConnection, uuid: Uuid) -> ApiResult<Option<IdentificatorRow>> {
        lookup::identificator(conn, uuid)
    }

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
