//! A task's body, read and checked for itself (before anything is looked up).

use platform::error::NON_FIELD_ERRORS;
use platform::input::{Field, Mode, Presence, Reader, Text};
use platform::values::{read_number_text, read_nummer};
use platform::ApiResult;
use serde_json::{Map, Value};
use time::PrimitiveDateTime;
use uuid::Uuid;

use super::STATUSSEN;

/// What a body says of a task (what it leaves out stays as it is).
pub struct Input {
    pub nummer: Field<Option<String>>,
    pub referentienummer: Field<Option<String>>,
    pub handeling: Field<String>,
    pub klantcontact: Field<Uuid>,
    /// The whole ordered list of actoren, when the body assigns them.
    pub actoren: Option<Vec<Uuid>>,
    pub toelichting: Field<String>,
    pub status: Field<String>,
    pub afgehandeld_op: Field<PrimitiveDateTime>,
}

pub fn read(body: &Map<String, Value>, mode: Mode) -> ApiResult<Input> {
    let mut r = Reader::new(body, mode);
    let input = Input {
        nummer: read_nummer(&mut r),
        referentienummer: read_number_text(&mut r, "referentienummer"),
        handeling: r.text("gevraagdeHandeling", Text::required(200)),
        klantcontact: r.reference("aanleidinggevendKlantcontact", Presence::Required),
        actoren: read_actoren(&mut r),
        toelichting: r.text("toelichting", Text::optional(1000)),
        status: r.choice("status", &STATUSSEN, Presence::Required),
        afgehandeld_op: r.datetime("afgehandeldOp", Presence::Nullable),
    };
    r.finish()?;
    Ok(input)
}

/// What a write changes in the assignment: nothing, or the whole ordered list.
fn read_actoren(r: &mut Reader<'_>) -> Option<Vec<Uuid>> {
    let single = r.reference("toegewezenAanActor", Presence::Optional);
    let list = r.reference_list("toegewezenAanActoren", Presence::Optional);
    let (has_single, has_list) = (r.has("toegewezenAanActor"), r.has("toegewezenAanActoren"));
    if has_single && has_list {
        r.error(
            NON_FIELD_ERRORS,
            "invalid",
            "`toegewezen_aan_actor` en `toegewezen_aan_actoren` mag niet beiden gebruikt worden.",
        );
        return None;
    }
    if !has_single && !has_list && r.mode().enforces_required() {
        r.error(
            NON_FIELD_ERRORS,
            "invalid",
            "`toegewezen_aan_actor` of `toegewezen_aan_actoren` is required (mag niet beiden gebruiken).",
        );
        return None;
    }
    match (single, list) {
        (Field::Set(actor), _) => Some(vec![actor]),
        (_, Field::Set(mut actoren)) => {
            // An actor named twice is assigned once, at its first place.
            let mut seen = std::collections::HashSet::new();
            actoren.retain(|a| seen.insert(*a));
            Some(actoren)
        }
        _ => None,
    }
}
