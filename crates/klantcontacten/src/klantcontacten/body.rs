//! A klantcontact's body: read, checked and stored.

use diesel::prelude::*;
use platform::db::DbConnection;
use platform::error::{ApiError, InvalidParam, NON_FIELD_ERRORS};
use platform::input::{Field, Mode, Presence, Reader, Text};
use platform::values::{read_number_text, read_nummer};
use platform::ApiResult;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::models::{KlantcontactData, KlantcontactRow};
use crate::schema::klantcontacten as k;

/// A metadata key as the reference keeps it: an all-capitals key (`BSN`) is lower-cased; other
/// keys arrive camelCased like every body key.
fn metadata_key(key: &str) -> String {
    let letters = key.chars().filter(|c| c.is_alphabetic()).count();
    if letters > 1
        && key
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        key.to_ascii_lowercase()
    } else {
        key.to_owned()
    }
}

/// Reads `metadata`: an object of strings of at most 255 characters (numbers become strings).
fn read_metadata(r: &mut Reader<'_>) -> Field<String> {
    let object = match r.object("metadata", Presence::Nullable) {
        Field::Set(object) => object,
        Field::Null => return Field::Set("{}".into()),
        Field::Absent => return Field::Absent,
    };
    let mut out = Map::new();
    let mut valid = true;
    for (key, value) in object {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => {
                r.error(&format!("metadata.{key}"), "invalid", "Not a valid string.");
                valid = false;
                continue;
            }
        };
        if text.contains('\0') {
            r.error(
                &format!("metadata.{key}"),
                platform::input::NULL_CHARACTERS,
                platform::input::NULL_CHARACTERS_REASON,
            );
            valid = false;
            continue;
        }
        if text.chars().count() > 255 {
            r.error(
                &format!("metadata.{key}"),
                "max_length",
                "Zorg ervoor dat dit veld niet meer dan 255 karakters bevat.",
            );
            valid = false;
            continue;
        }
        out.insert(metadata_key(key), Value::String(text));
    }
    if valid {
        Field::Set(Value::Object(out).to_string())
    } else {
        Field::Absent
    }
}

fn is_absolute_url(text: &str) -> bool {
    url::Url::parse(text).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
}

/// Validates and stores a klantcontact in the caller's transaction; `prefix` names nested fields
/// (`klantcontact.` inside maak-klantcontact).
pub fn store(
    conn: &mut DbConnection,
    body: &Map<String, Value>,
    mode: Mode,
    existing: Option<KlantcontactRow>,
    prefix: &str,
) -> ApiResult<KlantcontactRow> {
    let mut r = Reader::nested(body, mode, prefix.to_owned());
    let nummer = read_nummer(&mut r);
    let referentienummer = read_number_text(&mut r, "referentienummer");
    let kanaal = r.text("kanaal", Text::required(50));
    let onderwerp = r.text("onderwerp", Text::required(200));
    let inhoud = r.text("inhoud", Text::optional(1000));
    let reactie = r.text("reactie", Text::optional(4000));
    let gelukt = r.boolean("indicatieContactGelukt", Presence::Nullable);
    let hoofd_onderwerp_type = r.text("hoofdOnderwerpType", Text::optional(200));
    if let Field::Set(url) = &hoofd_onderwerp_type {
        if !url.is_empty() && !is_absolute_url(url) {
            r.error("hoofdOnderwerpType", "invalid", "Voer een geldige URL in.");
        }
    }
    let verdere_actie = r.boolean("verdereActieOndernomen", Presence::Optional);
    let taal = r.text("taal", Text::required(3));
    let vertrouwelijk = r.boolean("vertrouwelijk", Presence::Required);
    let plaatsgevonden_op = r.datetime("plaatsgevondenOp", Presence::Optional);
    let metadata = read_metadata(&mut r);
    r.finish()?;

    let existing_id = existing.as_ref().map(|e| e.id);
    let now = platform::time::now();
    let mut data = existing
        .map(|e| e.data)
        .unwrap_or_else(|| KlantcontactData {
            uuid: Uuid::new_v4().to_string(),
            nummer: None,
            referentienummer: None,
            kanaal: String::new(),
            onderwerp: String::new(),
            inhoud: String::new(),
            reactie: String::new(),
            indicatie_contact_gelukt: None,
            hoofd_onderwerp_type: String::new(),
            verdere_actie_ondernomen: false,
            taal: String::new(),
            vertrouwelijk: false,
            plaatsgevonden_op: now,
            metadata: "{}".into(),
            created_at: now,
            updated_at: now,
        });
    nummer.apply(&mut data.nummer);
    referentienummer.apply(&mut data.referentienummer);
    kanaal.apply(&mut data.kanaal);
    onderwerp.apply(&mut data.onderwerp);
    inhoud.apply(&mut data.inhoud);
    reactie.apply(&mut data.reactie);
    gelukt.apply_nullable(&mut data.indicatie_contact_gelukt);
    hoofd_onderwerp_type.apply(&mut data.hoofd_onderwerp_type);
    verdere_actie.apply(&mut data.verdere_actie_ondernomen);
    taal.apply(&mut data.taal);
    vertrouwelijk.apply(&mut data.vertrouwelijk);
    plaatsgevonden_op.apply(&mut data.plaatsgevonden_op);
    metadata.apply(&mut data.metadata);
    data.updated_at = now;

    let mut errors = Vec::new();
    for (name, value, message) in [
        (
            "nummer",
            &data.nummer,
            "Er bestaat al een klantcontact met eenzelfde nummer.",
        ),
        (
            "referentienummer",
            &data.referentienummer,
            "Er bestaat al een klantcontact met eenzelfde referentienummer.",
        ),
    ] {
        let Some(value) = value else { continue };
        let column_taken = if name == "nummer" {
            k::table
                .filter(k::nummer.eq(value))
                .filter(k::id.ne(existing_id.unwrap_or(-1)))
                .select(k::id)
                .first::<i64>(conn)
                .optional()?
        } else {
            k::table
                .filter(k::referentienummer.eq(value))
                .filter(k::id.ne(existing_id.unwrap_or(-1)))
                .select(k::id)
                .first::<i64>(conn)
                .optional()?
        };
        if column_taken.is_some() {
            errors.push(InvalidParam::new(
                format!("{prefix}{name}"),
                "unique",
                message,
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    if data.indicatie_contact_gelukt == Some(true) && data.verdere_actie_ondernomen {
        return Err(ApiError::invalid(
            format!("{prefix}{NON_FIELD_ERRORS}"),
            "no-further-action-when-contact-succesful",
            "Als het contact gelukt is kan er geen verdere actie zijn ondernomen",
        ));
    }
    let id = platform::store_row!(conn, k, existing_id, &data);
    Ok(KlantcontactRow { id, data })
}
