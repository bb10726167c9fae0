//! `/partijen`: persoon, organisatie and contactpersoon, with nested identificatoren and the
//! digitale adressen they are linked to.

use diesel::prelude::*;
use platform::crud::Crud;
use platform::db::DbConnection;
use platform::error::{ApiError, InvalidParam};
use platform::input::{Field, Mode, Presence, Reader, Text};
use platform::query::Query;
use platform::ApiResult;
use reference::{ApiUrls, Resource};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::identificatoren::{self, IdentificatorInput};
use crate::lookup;
use crate::models::{Bezoekadres, Correspondentieadres, PartijData, PartijRow};
use crate::schema::{
    categorie_relaties as cr, categorieen as c, digitale_adressen as da,
    partij_identificatoren as pi, partijen as p, rekeningnummers as r, vertegenwoordigingen as v,
};
use crate::views::{self, PartijView, PARTIJ_EXPAND};
use crate::Register;
use platform::values::{read_adres, read_nummer, Adres};

const SOORTEN: [&str; 3] = ["persoon", "organisatie", "contactpersoon"];

#[derive(Debug, Default)]
struct Contactnaam {
    voorletters: String,
    voornaam: String,
    voorvoegsel_achternaam: String,
    achternaam: String,
}

#[derive(Debug)]
enum Identificatie {
    Persoon(Contactnaam),
    Organisatie(String),
    Contactpersoon(Field<Uuid>, Contactnaam),
}

/// A partij as a body states it.
#[derive(Debug, Default)]
struct PartijInput {
    nummer: Field<Option<String>>,
    interne_notitie: Field<String>,
    digitale_adressen: Field<Vec<Uuid>>,
    voorkeurs_digitaal_adres: Field<Uuid>,
    rekeningnummers: Field<Vec<Uuid>>,
    voorkeurs_rekeningnummer: Field<Uuid>,
    identificatoren: Field<Vec<IdentificatorInput>>,
    soort_partij: Field<String>,
    indicatie_geheimhouding: Field<bool>,
    voorkeurstaal: Field<String>,
    indicatie_actief: Field<bool>,
    bezoekadres: Field<Adres>,
    correspondentieadres: Field<Adres>,
    identificatie: Field<Identificatie>,
}

fn read_contactnaam(reader: &mut Reader<'_>) -> Contactnaam {
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
fn read(
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

fn read_identificatoren(
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

fn empty_partij() -> PartijData {
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

/// Validates a body against the database and stores it: the partij, its addresses and its
/// nested identificatoren, all in the caller's transaction. Returns the partij's id.
fn save(
    conn: &mut DbConnection,
    input: PartijInput,
    existing: Option<PartijRow>,
    mode: Mode,
) -> ApiResult<i64> {
    let mut errors: Vec<InvalidParam> = Vec::new();
    let existing_id = existing.as_ref().map(|e| e.id);
    let mut data = existing.map_or_else(empty_partij, |e| e.data);

    // References and uniqueness, in field order.
    if let Field::Set(Some(nummer)) = &input.nummer {
        let taken = p::table
            .filter(p::nummer.eq(nummer))
            .filter(p::id.ne(existing_id.unwrap_or(-1)))
            .select(p::id)
            .first::<i64>(conn)
            .optional()?;
        if taken.is_some() {
            errors.push(InvalidParam::new(
                "nummer",
                "unique",
                "Er bestaat al een partij met eenzelfde nummer.",
            ));
        }
    }
    let mut adres_ids: Option<Vec<i64>> = None;
    if let Field::Set(uuids) = &input.digitale_adressen {
        let mut ids = Vec::with_capacity(uuids.len());
        for (i, uuid) in uuids.iter().enumerate() {
            match lookup::digitaal_adres_id(conn, *uuid)? {
                Some(id) => ids.push(id),
                None => errors.push(InvalidParam::new(
                    format!("digitaleAdressen.{i}.uuid"),
                    "invalid",
                    "DigitaalAdres object bestaat niet.",
                )),
            }
        }
        adres_ids = Some(ids);
    } else if input.digitale_adressen == Field::Null {
        adres_ids = Some(Vec::new());
    }
    let mut voorkeur_id: Option<Option<i64>> = None;
    match input.voorkeurs_digitaal_adres {
        Field::Set(uuid) => match lookup::digitaal_adres_id(conn, uuid)? {
            Some(id) => voorkeur_id = Some(Some(id)),
            None => errors.push(InvalidParam::new(
                "voorkeursDigitaalAdres.uuid",
                "invalid",
                "DigitaalAdres object bestaat niet.",
            )),
        },
        Field::Null => voorkeur_id = Some(None),
        Field::Absent => {}
    }
    let mut rekening_ids: Option<Vec<i64>> = None;
    if let Field::Set(uuids) = &input.rekeningnummers {
        let mut ids = Vec::with_capacity(uuids.len());
        for (i, uuid) in uuids.iter().enumerate() {
            match lookup::rekeningnummer_id(conn, *uuid)? {
                Some(id) => ids.push(id),
                None => errors.push(InvalidParam::new(
                    format!("rekeningnummers.{i}.uuid"),
                    "invalid",
                    "Rekeningnummer object bestaat niet.",
                )),
            }
        }
        rekening_ids = Some(ids);
    } else if input.rekeningnummers == Field::Null {
        rekening_ids = Some(Vec::new());
    }
    let mut voorkeur_rekening: Option<Option<i64>> = None;
    match input.voorkeurs_rekeningnummer {
        Field::Set(uuid) => match lookup::rekeningnummer_id(conn, uuid)? {
            Some(id) => voorkeur_rekening = Some(Some(id)),
            None => errors.push(InvalidParam::new(
                "voorkeursRekeningnummer.uuid",
                "invalid",
                "Rekeningnummer object bestaat niet.",
            )),
        },
        Field::Null => voorkeur_rekening = Some(None),
        Field::Absent => {}
    }
    let mut werkte_voor: Option<Option<i64>> = None;
    if let Field::Set(Identificatie::Contactpersoon(reference, _)) = &input.identificatie {
        match reference {
            Field::Set(uuid) => match lookup::partij_id(conn, *uuid)? {
                Some((id, soort)) if soort == "organisatie" => werkte_voor = Some(Some(id)),
                Some(_) => errors.push(InvalidParam::new(
                    "partijIdentificatie.werkteVoorPartij.uuid",
                    "invalid",
                    "Partij object moet het soort 'organisatie' hebben.",
                )),
                None => errors.push(InvalidParam::new(
                    "partijIdentificatie.werkteVoorPartij.uuid",
                    "invalid",
                    "Partij object bestaat niet.",
                )),
            },
            _ => werkte_voor = Some(None),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }

    // A voorkeur must be one of the partij's addresses (accounts) after this write.
    if let Some(Some(voorkeur)) = voorkeur_id {
        let linked = match &adres_ids {
            Some(ids) => ids.contains(&voorkeur),
            None if mode == Mode::Create => false,
            None => {
                da::table
                    .filter(da::id.eq(voorkeur))
                    .filter(da::partij_id.eq(existing_id.unwrap_or(-1)))
                    .count()
                    .get_result::<i64>(conn)?
                    > 0
            }
        };
        if !linked {
            let reason = if mode == Mode::Replace && adres_ids.as_ref().is_some_and(Vec::is_empty) {
                "voorkeursDigitaalAdres mag niet meegegeven worden als digitaleAdressen leeg is."
            } else {
                "Het voorkeurs adres moet een gelinkte digitaal adres zijn."
            };
            return Err(ApiError::invalid(
                "voorkeursDigitaalAdres",
                "invalid",
                reason,
            ));
        }
    }
    if let Some(Some(voorkeur)) = voorkeur_rekening {
        let linked = match &rekening_ids {
            Some(ids) => ids.contains(&voorkeur),
            None if mode == Mode::Create => false,
            None => {
                r::table
                    .filter(r::id.eq(voorkeur))
                    .filter(r::partij_id.eq(existing_id.unwrap_or(-1)))
                    .count()
                    .get_result::<i64>(conn)?
                    > 0
            }
        };
        if !linked {
            let reason = if mode == Mode::Replace
                && rekening_ids.as_ref().is_some_and(Vec::is_empty)
            {
                "voorkeursRekeningnummer mag niet meegegeven worden als rekeningnummers leeg is."
            } else {
                "Het voorkeurs rekeningnummer moet een gelinkte rekeningnummer zijn."
            };
            return Err(ApiError::invalid(
                "voorkeursRekeningnummer",
                "invalid",
                reason,
            ));
        }
    }

    input.nummer.apply(&mut data.nummer);
    input.interne_notitie.apply(&mut data.interne_notitie);
    input.soort_partij.apply(&mut data.soort_partij);
    input
        .indicatie_geheimhouding
        .apply_nullable(&mut data.indicatie_geheimhouding);
    input.voorkeurstaal.apply(&mut data.voorkeurstaal);
    input.indicatie_actief.apply(&mut data.indicatie_actief);
    input
        .bezoekadres
        .map(Into::into)
        .apply(&mut data.bezoekadres);
    input
        .correspondentieadres
        .map(Into::into)
        .apply(&mut data.correspondentieadres);
    if let Some(v) = voorkeur_id {
        data.voorkeurs_digitaal_adres_id = v;
    }
    if let Some(v) = voorkeur_rekening {
        data.voorkeurs_rekeningnummer_id = v;
    }
    match input.identificatie {
        Field::Set(identificatie) => {
            apply_identificatie(&mut data, identificatie, werkte_voor.flatten())
        }
        Field::Null => data.identificatie_soort = None,
        Field::Absent => {}
    }
    data.updated_at = platform::time::now();

    let id = platform::store_row!(conn, p, existing_id, &data);
    if let Some(ids) = adres_ids {
        link_adressen(conn, id, &ids, existing_id.is_some())?;
    }
    if let Some(ids) = rekening_ids {
        link_rekeningnummers(conn, id, &ids, existing_id.is_some())?;
    }
    if let Field::Set(items) = input.identificatoren {
        save_identificatoren(conn, id, items, existing_id.is_some())?;
    }
    Ok(id)
}

fn apply_identificatie(
    data: &mut PartijData,
    identificatie: Identificatie,
    werkte_voor: Option<i64>,
) {
    let naam = |data: &mut PartijData, n: Contactnaam| {
        data.voorletters = n.voorletters;
        data.voornaam = n.voornaam;
        data.voorvoegsel_achternaam = n.voorvoegsel_achternaam;
        data.achternaam = n.achternaam;
    };
    match identificatie {
        Identificatie::Persoon(n) => {
            data.identificatie_soort = Some("persoon".into());
            naam(data, n);
        }
        Identificatie::Organisatie(n) => {
            data.identificatie_soort = Some("organisatie".into());
            data.naam = n;
        }
        Identificatie::Contactpersoon(_, n) => {
            data.identificatie_soort = Some("contactpersoon".into());
            data.contactpersoon_uuid
                .get_or_insert_with(|| Uuid::new_v4().to_string());
            data.werkte_voor_partij_id = werkte_voor;
            naam(data, n);
        }
    }
}

/// Links exactly these addresses to the partij (moving them from another partij if need be).
/// On an update, addresses no longer listed are detached, not deleted, and stop being its
/// voorkeur or standaard.
fn link_adressen(conn: &mut DbConnection, partij: i64, ids: &[i64], update: bool) -> ApiResult<()> {
    if update {
        let detached: Vec<i64> = da::table
            .filter(da::partij_id.eq(partij))
            .filter(da::id.ne_all(ids))
            .select(da::id)
            .load(conn)?;
        if !detached.is_empty() {
            diesel::update(da::table.filter(da::id.eq_any(&detached)))
                .set((
                    da::partij_id.eq(None::<i64>),
                    da::is_standaard_adres.eq(false),
                ))
                .execute(conn)?;
            diesel::update(p::table.filter(p::voorkeurs_digitaal_adres_id.eq_any(&detached)))
                .set(p::voorkeurs_digitaal_adres_id.eq(None::<i64>))
                .execute(conn)?;
        }
    }
    if ids.is_empty() {
        return Ok(());
    }
    // An address moved away from another partij stops being that partij's voorkeur.
    diesel::update(
        p::table
            .filter(p::voorkeurs_digitaal_adres_id.eq_any(ids))
            .filter(p::id.ne(partij)),
    )
    .set(p::voorkeurs_digitaal_adres_id.eq(None::<i64>))
    .execute(conn)?;
    diesel::update(da::table.filter(da::id.eq_any(ids)))
        .set(da::partij_id.eq(Some(partij)))
        .execute(conn)?;
    crate::digitaleadressen::keep_one_standaard(conn, partij)
}

/// Links exactly these rekeningnummers to the partij, like [`link_adressen`].
fn link_rekeningnummers(
    conn: &mut DbConnection,
    partij: i64,
    ids: &[i64],
    update: bool,
) -> ApiResult<()> {
    if update {
        let detached: Vec<i64> = r::table
            .filter(r::partij_id.eq(partij))
            .filter(r::id.ne_all(ids))
            .select(r::id)
            .load(conn)?;
        if !detached.is_empty() {
            diesel::update(r::table.filter(r::id.eq_any(&detached)))
                .set(r::partij_id.eq(None::<i64>))
                .execute(conn)?;
            diesel::update(p::table.filter(p::voorkeurs_rekeningnummer_id.eq_any(&detached)))
                .set(p::voorkeurs_rekeningnummer_id.eq(None::<i64>))
                .execute(conn)?;
        }
    }
    if ids.is_empty() {
        return Ok(());
    }
    diesel::update(
        p::table
            .filter(p::voorkeurs_rekeningnummer_id.eq_any(ids))
            .filter(p::id.ne(partij)),
    )
    .set(p::voorkeurs_rekeningnummer_id.eq(None::<i64>))
    .execute(conn)?;
    diesel::update(r::table.filter(r::id.eq_any(ids)))
        .set(r::partij_id.eq(Some(partij)))
        .execute(conn)?;
    Ok(())
}

/// Nested identificatoren: with the key present on an update, the partij's identificatoren not
/// listed are deleted (refused when another identificator hangs under one of them); listed items
/// with a uuid are updated and linked here, items without one are created.
fn save_identificatoren(
    conn: &mut DbConnection,
    partij: i64,
    items: Vec<IdentificatorInput>,
    update: bool,
) -> ApiResult<()> {
    if update {
        let listed: Vec<String> = items
            .iter()
            .filter_map(|i| i.uuid)
            .map(|u| u.to_string())
            .collect();
        let unlisted: Vec<i64> = pi::table
            .filter(pi::partij_id.eq(partij))
            .filter(pi::uuid.ne_all(&listed))
            .select(pi::id)
            .load(conn)?;
        identificatoren::delete_protected(conn, &unlisted)?;
    }
    for (i, item) in items.into_iter().enumerate() {
        let prefix = format!("partijIdentificatoren.{i}.");
        let existing = match item.uuid {
            Some(uuid) => Some(lookup::identificator(conn, uuid)?.ok_or_else(|| {
                ApiError::invalid(
                    format!("{prefix}uuid"),
                    "invalid",
                    "PartijIdentificator object bestaat niet.",
                )
            })?),
            None => None,
        };
        let data =
            identificatoren::validate(conn, item, existing.as_ref(), &prefix, Some(Some(partij)))?;
        identificatoren::save(conn, &data, existing.map(|e| e.id))?;
    }
    Ok(())
}

const IDENTIFICATOR_MEMBERS: [&str; 4] = [
    "codeObjecttype",
    "codeSoortObjectId",
    "objectId",
    "codeRegister",
];

const FILTERS: [&str; 25] = [
    "soortPartij",
    "indicatieActief",
    "indicatieGeheimhouding",
    "nummer",
    "bezoekadresNummeraanduidingId",
    "bezoekadresAdresregel1",
    "bezoekadresAdresregel2",
    "bezoekadresAdresregel3",
    "bezoekadresLand",
    "correspondentieadresNummeraanduidingId",
    "correspondentieadresAdresregel1",
    "correspondentieadresAdresregel2",
    "correspondentieadresAdresregel3",
    "correspondentieadresLand",
    "partijIdentificator__codeObjecttype",
    "partijIdentificator__codeSoortObjectId",
    "partijIdentificator__objectId",
    "partijIdentificator__codeRegister",
    "subIdentificatorVan__codeObjecttype",
    "subIdentificatorVan__codeSoortObjectId",
    "subIdentificatorVan__objectId",
    "subIdentificatorVan__codeRegister",
    "categorierelatie__categorie__naam",
    "vertegenwoordigdePartij__uuid",
    "vertegenwoordigdePartij__url",
];

/// The filters of a partijen list, parsed.
#[derive(Debug, Default, Clone)]
pub struct PartijFilters {
    soort: Option<String>,
    actief: Option<bool>,
    geheimhouding: Option<bool>,
    nummer: Option<String>,
    /// (column name, value) pairs of the address filters.
    adres: Vec<(&'static str, String)>,
    /// "Has an identificator with …" per member, each its own condition.
    identificator: Vec<(&'static str, String)>,
    /// "Has an identificator whose parent has …".
    parent: Vec<(&'static str, String)>,
    /// Any of these category names.
    categorie_namen: Option<Vec<String>>,
    /// Partijen represented by this one.
    vertegenwoordigd_door: Option<Uuid>,
    /// Filters that cannot all hold.
    nothing_matches: bool,
}

fn parse_filters(query: &Query) -> ApiResult<PartijFilters> {
    let mut f = query.filters();
    let mut filters = PartijFilters {
        soort: f.choice("soortPartij", &SOORTEN).map(str::to_owned),
        actief: f.boolean("indicatieActief"),
        geheimhouding: f.boolean("indicatieGeheimhouding"),
        nummer: f.text("nummer").map(str::to_owned),
        ..PartijFilters::default()
    };
    for name in &FILTERS[4..14] {
        if let Some(v) = f.text(name) {
            filters.adres.push((name, v.to_owned()));
        }
    }
    for member in IDENTIFICATOR_MEMBERS {
        if let Some(v) = f.text(&format!("partijIdentificator__{member}")) {
            filters.identificator.push((member, v.to_owned()));
        }
        if let Some(v) = f.text(&format!("subIdentificatorVan__{member}")) {
            filters.parent.push((member, v.to_owned()));
        }
    }
    filters.categorie_namen = f
        .comma_list("categorierelatie__categorie__naam")
        .map(|names| names.into_iter().map(str::to_owned).collect());
    filters.vertegenwoordigd_door = f.reference("vertegenwoordigdePartij");
    filters.nothing_matches = f.matches_nothing();
    f.finish()?;
    Ok(filters)
}

type BoxedPartijen<'a> = p::BoxedQuery<'a, platform::db::MultiBackend>;

/// Runs `$body` with `$col` bound to the identificator column a filter member names.
macro_rules! by_member {
    ($member:expr, |$col:ident| $body:expr) => {
        match $member {
            "codeObjecttype" => {
                let $col = pi::code_objecttype;
                $body
            }
            "codeSoortObjectId" => {
                let $col = pi::code_soort_object_id;
                $body
            }
            "objectId" => {
                let $col = pi::object_id;
                $body
            }
            _ => {
                let $col = pi::code_register;
                $body
            }
        }
    };
}
pub(crate) use by_member;

fn filtered(filters: &PartijFilters) -> BoxedPartijen<'static> {
    let mut q = p::table.into_boxed();
    if filters.nothing_matches {
        return q.filter(p::id.lt(0));
    }
    if let Some(v) = &filters.soort {
        q = q.filter(p::soort_partij.eq(v.clone()));
    }
    if let Some(v) = filters.actief {
        q = q.filter(p::indicatie_actief.eq(v));
    }
    if let Some(v) = filters.geheimhouding {
        q = q.filter(p::indicatie_geheimhouding.eq(v));
    }
    if let Some(v) = &filters.nummer {
        q = q.filter(p::nummer.eq(v.clone()));
    }
    for (name, v) in &filters.adres {
        let v = v.clone();
        q = match *name {
            "bezoekadresNummeraanduidingId" => q.filter(p::bezoekadres_nummeraanduiding_id.eq(v)),
            "bezoekadresAdresregel1" => q.filter(p::bezoekadres_adresregel1.eq(v)),
            "bezoekadresAdresregel2" => q.filter(p::bezoekadres_adresregel2.eq(v)),
            "bezoekadresAdresregel3" => q.filter(p::bezoekadres_adresregel3.eq(v)),
            "bezoekadresLand" => q.filter(p::bezoekadres_land.eq(v)),
            "correspondentieadresNummeraanduidingId" => {
                q.filter(p::correspondentieadres_nummeraanduiding_id.eq(v))
            }
            "correspondentieadresAdresregel1" => {
                q.filter(p::correspondentieadres_adresregel1.eq(v))
            }
            "correspondentieadresAdresregel2" => {
                q.filter(p::correspondentieadres_adresregel2.eq(v))
            }
            "correspondentieadresAdresregel3" => {
                q.filter(p::correspondentieadres_adresregel3.eq(v))
            }
            _ => q.filter(p::correspondentieadres_land.eq(v)),
        };
    }
    if let Some(names) = &filters.categorie_namen {
        q = q.filter(
            p::id.nullable().eq_any(
                cr::table
                    .filter(
                        cr::categorie_id.eq_any(
                            c::table
                                .filter(c::naam.eq_any(names.clone()))
                                .select(c::id.nullable()),
                        ),
                    )
                    .select(cr::partij_id),
            ),
        );
    }
    if let Some(uuid) = filters.vertegenwoordigd_door {
        let vertegenwoordiger = diesel::alias!(p as vertegenwoordiger);
        q = q.filter(
            p::id.eq_any(
                v::table
                    .filter(
                        v::vertegenwoordigende_partij_id.eq_any(
                            vertegenwoordiger
                                .filter(vertegenwoordiger.field(p::uuid).eq(uuid.to_string()))
                                .select(vertegenwoordiger.field(p::id)),
                        ),
                    )
                    .select(v::vertegenwoordigde_partij_id),
            ),
        );
    }
    // Each identificator filter is its own "there is an identificator of this partij such
    // that …", as in the reference, and every partij is listed once. An object id is selective,
    // so its condition drives the query (`id IN (…)`, one index probe); the low-selectivity codes
    // become EXISTS checks per candidate, probing the (partij, soort) index.
    for (member, v) in &filters.identificator {
        let v = v.clone();
        q = if *member == "objectId" {
            q.filter(
                p::id
                    .nullable()
                    .eq_any(pi::table.filter(pi::object_id.eq(v)).select(pi::partij_id)),
            )
        } else {
            by_member!(*member, |col| q.filter(diesel::dsl::exists(
                pi::table
                    .filter(pi::partij_id.eq(p::id.nullable()))
                    .filter(col.eq(v))
            )))
        };
    }
    for (member, v) in &filters.parent {
        let v = v.clone();
        let parent = diesel::alias!(pi as parent);
        q = if *member == "objectId" {
            q.filter(
                p::id.nullable().eq_any(
                    pi::table
                        .filter(
                            pi::sub_identificator_van_id.eq_any(
                                parent
                                    .filter(parent.field(pi::object_id).eq(v))
                                    .select(parent.field(pi::id).nullable()),
                            ),
                        )
                        .select(pi::partij_id),
                ),
            )
        } else {
            by_member!(*member, |col| q.filter(diesel::dsl::exists(
                pi::table.filter(pi::partij_id.eq(p::id.nullable())).filter(
                    pi::sub_identificator_van_id.eq_any(
                        parent
                            .filter(parent.field(col).eq(v))
                            .select(parent.field(pi::id).nullable())
                    )
                )
            )))
        };
    }
    q
}

/// `/partijen` for the generic handlers.
pub struct Partijen;

impl Crud for Partijen {
    type State = Register;
    type Row = PartijRow;
    type View = PartijView;
    type Filters = PartijFilters;

    const KANAAL: Option<platform::outbound::Kanaal> = Some(platform::outbound::Kanaal {
        kanaal: "partijen",
        resource: "partij",
        kenmerken: &["nummer", "interneNotitie", "soortPartij"],
    });

    const FILTERS: &'static [&'static str] = &FILTERS;
    const REACHES: &'static [(&'static str, reference::Register)] = &[
        ("betrokkenen", reference::Register::Klantcontacten),
        (
            "betrokkenen.hadKlantcontact",
            reference::Register::Klantcontacten,
        ),
    ];

    const EXPAND: &'static [&'static str] = &PARTIJ_EXPAND;

    fn collection(urls: &ApiUrls) -> String {
        urls.collection(Resource::Partijen)
    }

    fn parse_filters(query: &Query) -> ApiResult<PartijFilters> {
        parse_filters(query)
    }

    fn count(conn: &mut DbConnection, filters: &PartijFilters) -> ApiResult<i64> {
        Ok(filtered(filters).count().get_result(conn)?)
    }

    fn page(
        conn: &mut DbConnection,
        filters: &PartijFilters,
        offset: i64,
        limit: i64,
    ) -> ApiResult<Vec<PartijRow>> {
        Ok(filtered(filters)
            .order(p::id.desc())
            .offset(offset)
            .limit(limit)
            .select(PartijRow::as_select())
            .load(conn)?)
    }

    fn find(conn: &mut DbConnection, uuid: Uuid) -> ApiResult<Option<PartijRow>> {
        lookup::partij(conn, uuid)
    }

    fn save(
        conn: &mut DbConnection,
        body: &Map<String, Value>,
        mode: Mode,
        existing: Option<PartijRow>,
    ) -> ApiResult<PartijRow> {
        let input = read(
            body,
            mode,
            existing.as_ref().map(|e| e.data.soort_partij.as_str()),
        )?;
        let id = save(conn, input, existing, mode)?;
        Ok(p::table
            .find(id)
            .select(PartijRow::as_select())
            .first(conn)?)
    }

    /// Deletes a partij with its identificatoren, digitale adressen, rekeningnummers,
    /// vertegenwoordigingen and categorie-relaties. Contactpersonen who worked for it lose their
    /// identificatie, as in the reference. Refused when one of its identificatoren is the parent
    /// of another partij's identificator.
    fn delete(conn: &mut DbConnection, row: PartijRow) -> ApiResult<()> {
        let own: Vec<i64> = pi::table
            .filter(pi::partij_id.eq(row.id))
            .select(pi::id)
            .load(conn)?;
        // What goes with the partij is in the audit trail too.
        let reason = format!("verwijderd met partij {}", row.data.uuid);
        let identificatoren: Vec<String> = pi::table
            .filter(pi::partij_id.eq(row.id))
            .select(pi::uuid)
            .load(conn)?;
        let rekeningnummers: Vec<String> = r::table
            .filter(r::partij_id.eq(row.id))
            .select(r::uuid)
            .load(conn)?;
        platform::audit::cascaded(conn, "partij-identificatoren", &identificatoren, &reason)?;
        platform::audit::cascaded(conn, "rekeningnummers", &rekeningnummers, &reason)?;
        identificatoren::delete_protected(conn, &own)?;
        diesel::update(
            p::table
                .filter(p::werkte_voor_partij_id.eq(row.id))
                .filter(p::identificatie_soort.eq("contactpersoon")),
        )
        .set((
            p::identificatie_soort.eq(None::<String>),
            p::werkte_voor_partij_id.eq(None::<i64>),
        ))
        .execute(conn)?;
        diesel::update(p::table.find(row.id))
            .set((
                p::voorkeurs_digitaal_adres_id.eq(None::<i64>),
                p::voorkeurs_rekeningnummer_id.eq(None::<i64>),
            ))
            .execute(conn)?;
        let adressen: Vec<String> = da::table
            .filter(da::partij_id.eq(row.id))
            .select(da::uuid)
            .load(conn)?;
        crate::digitaleadressen::emit_deleted(conn, &adressen)?;
        platform::audit::cascaded(conn, "digitaleadressen", &adressen, &reason)?;
        diesel::delete(da::table.filter(da::partij_id.eq(row.id))).execute(conn)?;
        diesel::delete(p::table.find(row.id)).execute(conn)?;
        // klantcontacten deletes the partij's betrokkenen when it hears of this.
        let gone = reference::internal::PartijEvent { deleted: true };
        platform::events::emit(conn, &row.data.uuid, &gone)
    }

    fn render(
        conn: &mut DbConnection,
        urls: &ApiUrls,
        rows: &[PartijRow],
    ) -> ApiResult<Vec<PartijView>> {
        views::partijen(conn, urls, rows)
    }

    fn expand(
        conn: &mut DbConnection,
        urls: &ApiUrls,
        rows: &[PartijRow],
        requested: &[String],
    ) -> ApiResult<Vec<Map<String, Value>>> {
        views::partij_expansions(conn, urls, rows, requested)
    }

    async fn expand_remote(
        register: &Register,
        origin: &str,
        requested: &[String],
        values: &mut [Value],
    ) -> ApiResult<()> {
        crate::remote::expand_partijen(register, origin, requested, values).await
    }
}
