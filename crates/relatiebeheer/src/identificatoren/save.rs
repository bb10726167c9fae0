//! The rules an identificator is stored by: references resolved, the vestiging-under-KvK rule,
//! the three uniqueness rules; and protected deletes.

use diesel::prelude::*;
use platform::db::DbConnection;
use platform::error::{ApiError, InvalidParam, NON_FIELD_ERRORS};
use platform::input::Field;
use platform::ApiResult;
use reference::{CodeSoortObjectId, IdentificatorError};
use uuid::Uuid;

use super::body::IdentificatorInput;
use crate::lookup;
use crate::models::{IdentificatorData, IdentificatorRow};
use crate::schema::partij_identificatoren as pi;

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
                None => errors.push(InvalidParam::no_such_object(
                    format!("{prefix}identificeerdePartij.uuid"),
                    "Partij",
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
            None => errors.push(InvalidParam::no_such_object(
                format!("{prefix}subIdentificatorVan.uuid"),
                "PartijIdentificator",
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
