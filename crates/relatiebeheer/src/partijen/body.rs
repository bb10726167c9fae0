//! A partij's body as read: every field checked for shape, nothing looked up yet.

use platform::input::{Field, Mode, Presence, Reader, Text};
use platform::ApiResult;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::identificatoren::{self, IdentificatorInput};
use crate::models::{Bezoekadres, Correspondentieadres, PartijData};
use platform::values::{read_adres, read_nummer, Adres};

pub(super) const SOORTEN: [&str; 3] = ["persoon", "organisatie", "contactpersoon"];

#[derive(Debug, Default)]
pub(super) struct Contactnaam {
    pub(super) voorletters: String,
    pub(super) voornaam: String,
    pub(super) voorvoegsel_achternaam: String,
    pub(super) achternaam: String,
}

#[derive(Debug)]
pub(super) enum Identificatie {
    Persoon(Contactnaam),
    Organisatie(String),
    Contactpersoon(Field<Uuid>, Contactnaam),
}

/// A partij as a body states it.
#[derive(Debug, Default)]
pub(super) struct PartijInput {
    pub(super) nummer: Field<Option<String>>,
    pub(super) interne_notitie: Field<String>,
    pub(super) digitale_adressen: Field<Vec<Uuid>>,
    pub(super) voorkeurs_digitaal_adres: Field<Uuid>,
    pub(super) rekeningnummers: Field<Vec<Uuid>>,
    pub(super) voorkeurs_rekeningnummer: Field<Uuid>,
    pub(super) identificatoren: Field<Vec<IdentificatorInput>>,
    pub(super) soort_partij: Field<String>,
    pub(super) indicatie_geheimhouding: Field<bool>,
    pub(super) voorkeurstaal: Field<String>,
    pub(super) indicatie_actief: Field<bool>,
    pub(super) bezoekadres: Field<Adres>,
    pub(super) correspondentieadres: Field<Adres>,
    pub(super) identificatie: Field<Identificatie>,
}

pub(super) fn read_contactnaam(reader: &mut Reader<'_>) -> Contactnaam {
    let object = match reader.object("contactnaam", Presence::Nullable) {
        Field::Set(object) => object,
        _ => return Contactnaam::default(),
    };
    let mut r = Reader::nested(
        object,
        Mode::Patch,
        "partijIdentificatie.contactnaam.".into(),
    );
    let mut text = |name: &str, max: usize| {
        r.text(name, Text::optional(max))
            .into_set()
            .unwrap_or_default()
    };
    let naam = Contactnaam {
        voorletters: text("voorletters", 10),
        voornaam: text("voornaam", 200),
        voorvoegsel_achternaam: text("voorvoegselAchternaam", 10),
        achternaam: text("achternaam", 200),
    };
    reader.absorb(r);
    naam
}

/// Reads a partij body. `stored_soort` is the soort of the partij being changed: a PATCH that
/// sends `partijIdentificatie` without `soortPartij` means the partij's own soort.
pub(super) fn read(
    body: &Map<String, Value>,
    mode: Mode,
    stored_soort: Option<&str>,
) -> ApiResult<PartijInput> {
    let mut r = Reader::new(body, mode);
    let mut input = PartijInput {
        nummer: read_nummer(&mut r),
        interne_notitie: r.text("interneNotitie", Text::optional(1000)),
        digitale_adressen: r.reference_list("digitaleAdressen", Presence::Nullable),
        voorkeurs_digitaal_adres: r.reference("voorkeursDigitaalAdres", Presence::Nullable),
        rekeningnummers: r.reference_list("rekeningnummers", Presence::Nullable),
        voorkeurs_rekeningnummer: r.reference("voorkeursRekeningnummer", Presence::Nullable),
        ..PartijInput::default()
    };
    input.identificatoren = match r.list("partijIdentificatoren", Presence::Nullable) {
        Field::Set(items) => Field::Set(read_identificatoren(&mut r, items, mode)),
        Field::Null => Field::Null,
        Field::Absent => Field::Absent,
    };
    input.soort_partij = r.choice("soortPartij", &SOORTEN, Presence::Required);
    input.indicatie_geheimhouding = r.boolean("indicatieGeheimhouding", Presence::Nullable);
    input.voorkeurstaal = r.text("voorkeurstaal", Text::optional(3));
    input.indicatie_actief = r.boolean("indicatieActief", Presence::Required);
    input.bezoekadres = read_adres(&mut r, "bezoekadres");
    input.correspondentieadres = read_adres(&mut r, "correspondentieadres");
    let soort = input
        .soort_partij
        .as_set()
        .map(String::as_str)
        .or(stored_soort);
    input.identificatie = match (r.object("partijIdentificatie", Presence::Nullable), soort) {
        (Field::Set(object), Some(soort)) => {
            let mut sub = Reader::nested(object, Mode::Patch, "partijIdentificatie.".into());
            let identificatie = match soort {
                "persoon" => Identificatie::Persoon(read_contactnaam(&mut sub)),
                "organisatie" => Identificatie::Organisatie(
                    sub.text("naam", Text::optional(200))
                        .into_set()
                        .unwrap_or_default(),
                ),
                _ => {
                    let werkte_voor = sub.reference("werkteVoorPartij", Presence::Nullable);
                    Identificatie::Contactpersoon(werkte_voor, read_contactnaam(&mut sub))
                }
            };
            r.absorb(sub);
            Field::Set(identificatie)
        }
        (Field::Null, _) => Field::Null,
        _ => Field::Absent,
    };
    r.finish()?;
    Ok(input)
}

pub(super) fn read_identificatoren(
    r: &mut Reader<'_>,
    items: &[Value],
    mode: Mode,
) -> Vec<IdentificatorInput> {
    let mut inputs = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Value::Object(object) = item else {
            r.error(
                &format!("partijIdentificatoren.{i}.nonFieldErrors"),
                "invalid",
                format!(
                    "Ongeldige data. Verwacht een dictionary, kreeg een {}.",
                    platform::input::json_type_name(item)
                ),
            );
            continue;
        };
        if mode == Mode::Create && object.contains_key("identificeerdePartij") {
            r.error(
                "partijIdentificatoren.identificeerdePartij",
                "invalid",
                "Het veld `identificeerde_partij` wordt automatisch ingesteld en dient niet te worden opgegeven.",
            );
            continue;
        }
        let mut nested =
            Reader::nested(object, Mode::Create, format!("partijIdentificatoren.{i}."));
        let input = identificatoren::read(&mut nested, true);
        r.absorb(nested);
        inputs.push(input);
    }
    let mut seen = Vec::new();
    for uuid in inputs.iter().filter_map(|i| i.uuid) {
        if seen.contains(&uuid) {
            r.error(
                "partijIdentificatoren.identificeerdePartij",
                "duplicated",
                "Er mogen geen dubbele uuids in partijIdentificatoren voorkomen.",
            );
            break;
        }
        seen.push(uuid);
    }
    inputs
}

pub(super) fn empty_partij() -> PartijData {
    let now = platform::time::now();
    PartijData {
        uuid: Uuid::new_v4().to_string(),
        nummer: None,
        interne_notitie: String::new(),
        soort_partij: String::new(),
        indicatie_geheimhouding: None,
        voorkeurstaal: String::new(),
        indicatie_actief: true,
        voorkeurs_digitaal_adres_id: None,
        voorkeurs_rekeningnummer_id: None,
        bezoekadres: Bezoekadres::default(),
        correspondentieadres: Correspondentieadres::default(),
        identificatie_soort: None,
        contactpersoon_uuid: None,
        werkte_voor_partij_id: None,
        voorletters: String::new(),
        voornaam: String::new(),
        voorvoegsel_achternaam: String::new(),
        achternaam: String::new(),
        naam: String::new(),
        created_at: now,
        updated_at: now,
    }
}
