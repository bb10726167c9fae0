//! `/partij-identificatoren`: the register/objecttype/soort rules, number formats, the
//! vestiging-under-KvK rule, the three uniqueness rules and protected deletes. The same rules
//! apply to identificatoren written nested in a partij.

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use platform::db::DbConnection;
use platform::error::{ApiError, InvalidParam, NON_FIELD_ERRORS};
use platform::http::{created, no_content, ok, path_uuid, Urls};
use platform::input::{Field, Mode, Reader, Text};
use platform::json::JsonBody;
use platform::pagination::PageRequest;
use platform::query::Query;
use platform::ApiResult;
use reference::{
    CodeObjecttype, CodeRegister, CodeSoortObjectId, Identificator, IdentificatorError, Resource,
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
    input.identificeerde_partij = reader.reference("identificeerdePartij", false, true);
    input.andere_partij_identificator =
        reader.text("anderePartijIdentificator", Text::optional(200));
    if let Field::Set(group) = reader.object("partijIdentificator", true, false) {
        let mut g = Reader::nested(group, Mode::Create, "partijIdentificator.".into());
        let object_id = g.text(
            "objectId",
            Text {
                max: 200,
                required: true,
                allow_blank: true,
            },
        );
        let soort = g.choice(
            "codeSoortObjectId",
            &codes(CodeSoortObjectId::ALL, CodeSoortObjectId::as_str),
            true,
            false,
        );
        let objecttype = g.choice(
            "codeObjecttype",
            &codes(CodeObjecttype::ALL, CodeObjecttype::as_str),
            true,
            false,
        );
        let register = g.choice(
            "codeRegister",
            &codes(CodeRegister::ALL, CodeRegister::as_str),
            true,
            false,
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
    input.sub_identificator_van = reader.reference("subIdentificatorVan", false, true);
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
    if let Field::Set(text) = input.andere_partij_identificator {
        data.andere_partij_identificator = text;
    }
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
    match existing {
        Some(id) => {
            diesel::update(pi::table.find(id)).set(data).execute(conn)?;
            Ok(id)
        }
        None => {
            diesel::insert_into(pi::table).values(data).execute(conn)?;
            Ok(pi::table
                .filter(pi::uuid.eq(&data.uuid))
                .select(pi::id)
                .first(conn)?)
        }
    }
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

fn load(conn: &mut DbConnection, uuid: Uuid) -> ApiResult<IdentificatorRow> {
    lookup::identificator(conn, uuid)?.ok_or_else(ApiError::not_found)
}

fn render_one(
    conn: &mut DbConnection,
    urls: &reference::ApiUrls,
    row: &IdentificatorRow,
) -> ApiResult<views::IdentificatorView> {
    views::identificatoren(conn, urls, std::slice::from_ref(row))?
        .pop()
        .ok_or_else(ApiError::not_found)
}

const FILTERS: [&str; 5] = [
    "partijIdentificatorCodeObjecttype",
    "partijIdentificatorCodeSoortObjectId",
    "partijIdentificatorObjectId",
    "partijIdentificatorCodeRegister",
    "anderePartijIdentificator",
];

async fn list(
    register: web::Data<Register>,
    Urls(urls): Urls,
    query: Query,
) -> ApiResult<HttpResponse> {
    query.reject_unknown(&FILTERS)?;
    let page = PageRequest::from_query(&query)?;
    let mut f = query.filters();
    let objecttype = f
        .choice(
            FILTERS[0],
            &codes(CodeObjecttype::ALL, CodeObjecttype::as_str),
        )
        .map(str::to_owned);
    let soort = f
        .choice(
            FILTERS[1],
            &codes(CodeSoortObjectId::ALL, CodeSoortObjectId::as_str),
        )
        .map(str::to_owned);
    let object_id = f.text(FILTERS[2]).map(str::to_owned);
    let code_register = f
        .choice(FILTERS[3], &codes(CodeRegister::ALL, CodeRegister::as_str))
        .map(str::to_owned);
    let andere = f.text(FILTERS[4]).map(str::to_owned);
    f.finish()?;
    let body = register
        .db
        .read(move |conn| {
            let filtered = || {
                let mut q = pi::table.into_boxed();
                if let Some(v) = &objecttype {
                    q = q.filter(pi::code_objecttype.eq(v.clone()));
                }
                if let Some(v) = &soort {
                    q = q.filter(pi::code_soort_object_id.eq(v.clone()));
                }
                if let Some(v) = &object_id {
                    q = q.filter(pi::object_id.eq(v.clone()));
                }
                if let Some(v) = &code_register {
                    q = q.filter(pi::code_register.eq(v.clone()));
                }
                if let Some(v) = &andere {
                    q = q.filter(pi::andere_partij_identificator.eq(v.clone()));
                }
                q
            };
            let count: i64 = filtered().count().get_result(conn)?;
            let page = page.resolve(count)?;
            let rows: Vec<IdentificatorRow> = filtered()
                .order(pi::id.desc())
                .limit(page.limit())
                .offset(page.offset())
                .select(IdentificatorRow::as_select())
                .load(conn)?;
            let results = views::identificatoren(conn, &urls, &rows)?;
            Ok(page.body(
                &urls.collection(Resource::PartijIdentificatoren),
                &query,
                results,
            ))
        })
        .await?;
    ok(&body)
}

async fn read_one(
    register: web::Data<Register>,
    Urls(urls): Urls,
    path: web::Path<String>,
    query: Query,
) -> ApiResult<HttpResponse> {
    // The reference knows its list filters on detail too; they are accepted, not applied.
    query.reject_unknown(&FILTERS)?;
    let uuid = path_uuid(&path)?;
    let view = register
        .db
        .read(move |conn| {
            let row = load(conn, uuid)?;
            render_one(conn, &urls, &row)
        })
        .await?;
    ok(&view)
}

fn body_object(body: JsonBody) -> ApiResult<Map<String, Value>> {
    body.into_object()
}

async fn write(
    register: web::Data<Register>,
    urls: reference::ApiUrls,
    uuid: Option<Uuid>,
    body: Map<String, Value>,
    mode: Mode,
) -> ApiResult<views::IdentificatorView> {
    register
        .db
        .write(move |conn| {
            let existing = match uuid {
                Some(uuid) => Some(load(conn, uuid)?),
                None => None,
            };
            let mut reader = Reader::new(&body, mode);
            let input = read(&mut reader, false);
            reader.finish()?;
            let data = validate(conn, input, existing.as_ref(), "", None)?;
            let id = save(conn, &data, existing.as_ref().map(|e| e.id))?;
            let row = pi::table
                .find(id)
                .select(IdentificatorRow::as_select())
                .first(conn)?;
            render_one(conn, &urls, &row)
        })
        .await
}

async fn create(
    register: web::Data<Register>,
    Urls(urls): Urls,
    body: JsonBody,
) -> ApiResult<HttpResponse> {
    let view = write(register, urls, None, body_object(body)?, Mode::Create).await?;
    created(&view, &view.url)
}

async fn replace(
    register: web::Data<Register>,
    Urls(urls): Urls,
    path: web::Path<String>,
    body: JsonBody,
) -> ApiResult<HttpResponse> {
    let uuid = path_uuid(&path)?;
    ok(&write(
        register,
        urls,
        Some(uuid),
        body_object(body)?,
        Mode::Replace,
    )
    .await?)
}

async fn patch(
    register: web::Data<Register>,
    Urls(urls): Urls,
    path: web::Path<String>,
    body: JsonBody,
) -> ApiResult<HttpResponse> {
    let uuid = path_uuid(&path)?;
    ok(&write(register, urls, Some(uuid), body_object(body)?, Mode::Patch).await?)
}

async fn delete(register: web::Data<Register>, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let uuid = path_uuid(&path)?;
    register
        .db
        .write(move |conn| {
            let row = load(conn, uuid)?;
            delete_protected(conn, &[row.id])
        })
        .await?;
    Ok(no_content())
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    platform::crud_routes!(
        cfg,
        "/partij-identificatoren",
        list,
        create,
        read_one,
        replace,
        patch,
        delete
    );
}
