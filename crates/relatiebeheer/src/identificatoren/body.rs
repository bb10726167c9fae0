//! An identificator's body, read and checked for itself (top-level or nested in a partij).

use platform::input::{Field, Mode, Presence, Reader, Text};
use reference::{CodeObjecttype, CodeRegister, CodeSoortObjectId, Identificator};
use serde_json::Value;
use uuid::Uuid;

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

pub(super) fn codes<T: Copy>(all: &[T], text: fn(T) -> &'static str) -> Vec<&'static str> {
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
