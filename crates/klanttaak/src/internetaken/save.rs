//! A task stored: its rules (`afgehandeldOp` follows the status, unique numbers) and its
//! assignment to actoren.

use diesel::prelude::*;
use platform::db::DbConnection;
use platform::error::{ApiError, InvalidParam};
use platform::input::Field;
use platform::ApiResult;
use uuid::Uuid;

use super::body::Input;
use super::STATUSSEN;
use crate::models::{InternetaakData, InternetaakRow};
use crate::schema::{internetaak_actoren as ia, internetaken as t};

/// Stores a task (a new one when `existing` is `None`).
pub fn store(
    conn: &mut DbConnection,
    input: Input,
    existing: Option<InternetaakRow>,
) -> ApiResult<InternetaakRow> {
    let existing_id = existing.as_ref().map(|e| e.id);
    let now = platform::time::now();
    let mut data = existing.map(|e| e.data).unwrap_or_else(|| InternetaakData {
        uuid: Uuid::new_v4().to_string(),
        nummer: None,
        referentienummer: None,
        gevraagde_handeling: String::new(),
        klantcontact_uuid: String::new(),
        toelichting: String::new(),
        status: STATUSSEN[0].into(),
        toegewezen_op: now,
        afgehandeld_op: None,
    });
    input.nummer.apply(&mut data.nummer);
    input.referentienummer.apply(&mut data.referentienummer);
    input.handeling.apply(&mut data.gevraagde_handeling);
    input
        .klantcontact
        .map(|v| v.to_string())
        .apply(&mut data.klantcontact_uuid);
    input.toelichting.apply(&mut data.toelichting);
    input.status.apply(&mut data.status);
    // `afgehandeldOp` follows the status: given only with `verwerkt`, set when a task becomes
    // verwerkt without one, kept while it stays verwerkt, cleared when it is reopened.
    let verwerkt = data.status == "verwerkt";
    match input.afgehandeld_op {
        Field::Set(_) if !verwerkt => {
            return Err(ApiError::invalid(
                "afgehandeldOp",
                "invalid",
                "De Internetaak kan geen afgehandeld op datum bevatten als de status niet op 'verwerkt' staat.",
            ));
        }
        Field::Set(moment) => data.afgehandeld_op = Some(moment),
        Field::Null | Field::Absent if !verwerkt => data.afgehandeld_op = None,
        Field::Null => data.afgehandeld_op = Some(now),
        Field::Absent => {
            data.afgehandeld_op.get_or_insert(now);
        }
    }

    let mut errors = Vec::new();
    for (name, value, message) in [
        (
            "nummer",
            &data.nummer,
            "Er bestaat al een interne taak met eenzelfde nummer.",
        ),
        (
            "referentienummer",
            &data.referentienummer,
            "Er bestaat al een interne taak met eenzelfde referentienummer.",
        ),
    ] {
        let Some(value) = value else { continue };
        let others = t::table
            .filter(t::id.ne(existing_id.unwrap_or(-1)))
            .select(t::id)
            .into_boxed();
        let others = if name == "nummer" {
            others.filter(t::nummer.eq(value))
        } else {
            others.filter(t::referentienummer.eq(value))
        };
        if others.first::<i64>(conn).optional()?.is_some() {
            errors.push(InvalidParam::new(name, "unique", message));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }

    let id = platform::store_row!(conn, t, existing_id, &data);
    if let Some(actoren) = input.actoren {
        diesel::delete(ia::table.filter(ia::internetaak_id.eq(id))).execute(conn)?;
        // One statement per actor: a task has a few, and batch inserts are not portable here.
        for (position, actor) in actoren.iter().enumerate() {
            diesel::insert_into(ia::table)
                .values((
                    ia::internetaak_id.eq(id),
                    ia::position.eq(position as i32),
                    ia::actor_uuid.eq(actor.to_string()),
                ))
                .execute(conn)?;
        }
    }
    super::emit(conn, &data, false)?;
    Ok(InternetaakRow { id, data })
}
