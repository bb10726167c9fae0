//! `/betrokkenen`: who took part in a klantcontact, as a known partij (in the relatiebeheer
//! register) or only by the name and address they gave.

use diesel::prelude::*;
use platform::crud::Crud;
use platform::db::DbConnection;
use platform::error::{ApiError, InvalidParam};
use platform::input::{Field, Mode, Presence, Reader, Text};
use platform::query::Query;
use platform::values::read_adres;
use platform::ApiResult;
use reference::internal::BetrokkeneEvent;
use reference::{ApiUrls, Resource};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::lookup::{self};
use crate::models::{BetrokkeneData, BetrokkeneRow, Bezoekadres, Correspondentieadres};
use crate::remote::RemoteFilters;
use crate::schema::{betrokkenen as b, klantcontacten as k};
use crate::views::BetrokkeneView;
use crate::Register;

const ROLLEN: [&str; 2] = ["vertegenwoordiger", "klant"];

/// Validates and stores a betrokkene; `klantcontact_override` is the contact maak-klantcontact
/// just created (the body's `hadKlantcontact` is then ignored).
pub fn store(
    conn: &mut DbConnection,
    body: &Map<String, Value>,
    mode: Mode,
    existing: Option<BetrokkeneRow>,
    prefix: &str,
    klantcontact_override: Option<i64>,
) -> ApiResult<BetrokkeneRow> {
    let mut r = Reader::nested(body, mode, prefix.to_owned());
    let partij = r.reference("wasPartij", Presence::Nullable);
    let klantcontact = if klantcontact_override.is_some() {
        Field::Absent
    } else {
        r.reference("hadKlantcontact", Presence::Required)
    };
    let bezoekadres = read_adres(&mut r, "bezoekadres");
    let correspondentieadres = read_adres(&mut r, "correspondentieadres");
    let contactnaam = match r.object("contactnaam", Presence::Nullable) {
        Field::Set(object) => {
            let mut n = Reader::nested(object, Mode::Patch, format!("{prefix}contactnaam."));
            let mut text = |name: &str, max: usize| {
                n.text(name, Text::optional(max))
                    .into_set()
                    .unwrap_or_default()
            };
            let naam = [
                text("voorletters", 10),
                text("voornaam", 200),
                text("voorvoegselAchternaam", 10),
                text("achternaam", 200),
            ];
            r.absorb(n);
            Field::Set(naam)
        }
        Field::Null => Field::Set(Default::default()),
        Field::Absent => Field::Absent,
    };
    let rol = r.choice("rol", &ROLLEN, Presence::Required);
    let organisatienaam = r.text("organisatienaam", Text::optional(200));
    let initiator = r.boolean("initiator", Presence::Required);
    r.finish()?;

    let existing_id = existing.as_ref().map(|e| e.id);
    let mut data = existing.map(|e| e.data).unwrap_or_else(|| BetrokkeneData {
        uuid: Uuid::new_v4().to_string(),
        klantcontact_id: 0,
        partij_uuid: None,
        bezoekadres: Bezoekadres::default(),
        correspondentieadres: Correspondentieadres::default(),
        voorletters: String::new(),
        voornaam: String::new(),
        voorvoegsel_achternaam: String::new(),
        achternaam: String::new(),
        rol: String::new(),
        organisatienaam: String::new(),
        initiator: false,
        created_at: platform::time::now(),
    });
    let mut errors: Vec<InvalidParam> = Vec::new();
    // The klantcontact's uuid, when the body names it (its event says it).
    let klantcontact_uuid = klantcontact.clone().into_set().map(|u| u.to_string());
    if let Field::Set(uuid) = klantcontact {
        match lookup::require_klantcontact(conn, &format!("{prefix}hadKlantcontact"), uuid)? {
            Ok(id) => data.klantcontact_id = id,
            Err(p) => errors.push(p),
        }
    }
    if let Some(id) = klantcontact_override {
        data.klantcontact_id = id;
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    // The partij is the relatiebeheer register's; it is kept as a reference.
    if let Some(v) = partij.into_update() {
        data.partij_uuid = v.map(|u| u.to_string());
    }
    bezoekadres.map(Into::into).apply(&mut data.bezoekadres);
    correspondentieadres
        .map(Into::into)
        .apply(&mut data.correspondentieadres);
    if let Field::Set([voorletters, voornaam, voorvoegsel, achternaam]) = contactnaam {
        data.voorletters = voorletters;
        data.voornaam = voornaam;
        data.voorvoegsel_achternaam = voorvoegsel;
        data.achternaam = achternaam;
    }
    rol.apply(&mut data.rol);
    organisatienaam.apply(&mut data.organisatienaam);
    initiator.apply(&mut data.initiator);
    let id = platform::store_row!(conn, b, existing_id, &data);
    let row = BetrokkeneRow { id, data };
    match klantcontact_uuid {
        Some(klantcontact) => emit_for(conn, &row, &klantcontact, Fate::Stored)?,
        None => emit(conn, &row, Fate::Stored)?,
    }
    Ok(row)
}

/// What a betrokkene event tells relatiebeheer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Created or changed.
    Stored,
    /// Deleted: the addresses it supplied stay, with `verstrektDoorBetrokkene: null`.
    Deleted,
    /// Deleted by an onderwerpobject's cascade: the addresses it supplied that belong to no
    /// partij (an unknown party's one-off contact details) go too; partij-linked ones stay.
    DeletedWithOneOffAdressen,
}

/// Tells the relatiebeheer register (through the outbox) which partij a betrokkene was, or
/// that it is gone.
pub fn emit(conn: &mut DbConnection, row: &BetrokkeneRow, fate: Fate) -> ApiResult<()> {
    let klantcontact: String = k::table
        .find(row.data.klantcontact_id)
        .select(k::uuid)
        .first(conn)?;
    emit_for(conn, row, &klantcontact, fate)
}

/// [`emit`] when the klantcontact's uuid is known already.
pub fn emit_for(
    conn: &mut DbConnection,
    row: &BetrokkeneRow,
    klantcontact: &str,
    fate: Fate,
) -> ApiResult<()> {
    let event = event(
        row.data.partij_uuid.as_deref(),
        klantcontact,
        &row.data.rol,
        fate,
    );
    platform::events::emit(conn, &row.data.uuid, &event)
}

/// What a betrokkene event says: what relatiebeheer's read model keeps of it.
pub fn event(partij: Option<&str>, klantcontact: &str, rol: &str, fate: Fate) -> BetrokkeneEvent {
    BetrokkeneEvent {
        was_partij: partij.map(str::to_owned),
        had_klantcontact: klantcontact.to_owned(),
        rol: rol.to_owned(),
        deleted: fate != Fate::Stored,
        one_off_adressen_deleted: fate == Fate::DeletedWithOneOffAdressen,
    }
}

/// Deletes a betrokkene; relatiebeheer hears of it (its read model, and the addresses it
/// supplied lose their `verstrektDoorBetrokkene`).
pub fn delete_row(conn: &mut DbConnection, row: &BetrokkeneRow) -> ApiResult<()> {
    emit(conn, row, Fate::Deleted)?;
    diesel::delete(b::table.find(row.id)).execute(conn)?;
    Ok(())
}

pub struct Betrokkenen;

#[derive(Default, PartialEq)]
pub struct Filters {
    naam: Vec<(&'static str, String)>,
    organisatienaam: Option<String>,
    klantcontact: Option<Uuid>,
    klantcontact_nummer: Option<String>,
    klantcontact_referentienummer: Option<String>,
    partij: Option<Uuid>,
    /// Filters on the partij and an exact address, asked of the relatiebeheer register.
    remote: RemoteFilters,
    /// An address by uuid: who supplied it is known from this register's read model.
    adres: Option<Uuid>,
    nothing: bool,
}

type Boxed = b::BoxedQuery<'static, platform::db::MultiBackend>;

fn filtered(f: &Filters) -> Boxed {
    let mut q = b::table.into_boxed();
    if f.nothing {
        return q.filter(b::id.lt(0));
    }
    for (member, value) in &f.naam {
        let value = value.clone();
        q = match *member {
            "Voorletters" => q.filter(b::voorletters.eq(value)),
            "Voornaam" => q.filter(b::voornaam.eq(value)),
            "VoorvoegselAchternaam" => q.filter(b::voorvoegsel_achternaam.eq(value)),
            _ => q.filter(b::achternaam.eq(value)),
        };
    }
    if let Some(v) = &f.organisatienaam {
        q = q.filter(b::organisatienaam.eq(v.clone()));
    }
    if let Some(uuid) = f.klantcontact {
        q = q.filter(
            b::klantcontact_id.eq_any(k::table.filter(k::uuid.eq(uuid.to_string())).select(k::id)),
        );
    }
    if let Some(v) = &f.klantcontact_nummer {
        q = q.filter(
            b::klantcontact_id.eq_any(k::table.filter(k::nummer.eq(v.clone())).select(k::id)),
        );
    }
    if let Some(v) = &f.klantcontact_referentienummer {
        q = q.filter(
            b::klantcontact_id.eq_any(
                k::table
                    .filter(k::referentienummer.eq(v.clone()))
                    .select(k::id),
            ),
        );
    }
    if let Some(uuid) = f.partij {
        q = q.filter(b::partij_uuid.eq(uuid.to_string()));
    }
    if let Some(partijen) = &f.remote.partij_in {
        q = q.filter(b::partij_uuid.eq_any(partijen.clone()));
    }
    if let Some(betrokkenen) = &f.remote.betrokkene_in {
        q = q.filter(b::uuid.eq_any(betrokkenen.clone()));
    }
    if let Some(adres) = f.adres {
        use crate::readmodel::betrokkene_digitale_adressen as bda;
        q = q.filter(
            b::uuid.nullable().eq_any(
                bda::table
                    .filter(bda::adres_uuid.eq(adres.to_string()))
                    .filter(bda::deleted.eq(false))
                    .select(bda::betrokkene_uuid),
            ),
        );
    }
    q
}

impl Crud for Betrokkenen {
    type State = Register;
    type Row = BetrokkeneRow;
    type View = BetrokkeneView;
    type Filters = Filters;

    const FILTERS: &'static [&'static str] = &[
        "contactnaamVoorletters",
        "contactnaamVoornaam",
        "contactnaamVoorvoegselAchternaam",
        "contactnaamAchternaam",
        "organisatienaam",
        "hadKlantcontact__uuid",
        "hadKlantcontact__url",
        "hadKlantcontact__nummer",
        "hadKlantcontact__referentienummer",
        "wasPartij__uuid",
        "wasPartij__url",
        "wasPartij__nummer",
        "wasPartij__partijIdentificator__codeObjecttype",
        "wasPartij__partijIdentificator__codeSoortObjectId",
        "wasPartij__partijIdentificator__objectId",
        "wasPartij__partijIdentificator__codeRegister",
        "verstrektedigitaalAdres__adres",
        "verstrektedigitaalAdres__uuid",
        "verstrektedigitaalAdres__url",
    ];
    const EXPAND: &'static [&'static str] = &["digitaleAdressen"];

    fn collection(urls: &ApiUrls) -> String {
        urls.collection(Resource::Betrokkenen)
    }

    fn parse_filters(query: &Query) -> ApiResult<Filters> {
        query.read_filters(|f| {
            let mut filters = Filters::default();
            for member in [
                "Voorletters",
                "Voornaam",
                "VoorvoegselAchternaam",
                "Achternaam",
            ] {
                if let Some(v) = f.text(&format!("contactnaam{member}")) {
                    filters.naam.push((member, v.to_owned()));
                }
            }
            filters.organisatienaam = f.text("organisatienaam").map(str::to_owned);
            filters.klantcontact = f.reference("hadKlantcontact");
            filters.klantcontact_nummer = f.text("hadKlantcontact__nummer").map(str::to_owned);
            filters.klantcontact_referentienummer = f
                .text("hadKlantcontact__referentienummer")
                .map(str::to_owned);
            filters.partij = f.reference("wasPartij");
            filters.remote =
                RemoteFilters::read(f, "wasPartij", ("verstrektedigitaalAdres__adres", "adres"));
            filters.remote.shows_partij(filters.partij);
            if let Some(v) = f.text("wasPartij__nummer") {
                filters.remote.on_partij("nummer", v);
            }
            filters.adres = f.reference("verstrektedigitaalAdres");
            filters.nothing = f.matches_nothing();
            filters
        })
    }

    async fn prepare(state: &Register, origin: &str, filters: &mut Filters) -> ApiResult<()> {
        filters.remote.ask(state, origin, "wasPartij").await
    }

    platform::crud_queries!(b, BetrokkeneRow, filtered, b::id.desc(), counted as "betrokkenen");

    fn save(
        conn: &mut DbConnection,
        body: &Map<String, Value>,
        mode: Mode,
        existing: Option<BetrokkeneRow>,
    ) -> ApiResult<BetrokkeneRow> {
        store(conn, body, mode, existing, "", None)
    }

    const REFERENCES: &'static [(&'static str, Resource, &'static str)] =
        &[("wasPartij", Resource::Partijen, "Partij")];

    const REACHES: &'static [(&'static str, reference::Register)] = &[
        ("wasPartij__nummer", reference::Register::Relatiebeheer),
        (
            "wasPartij__partijIdentificator__",
            reference::Register::Relatiebeheer,
        ),
        (
            "verstrektedigitaalAdres__adres",
            reference::Register::Relatiebeheer,
        ),
    ];
    const REMOTE_EXPAND: &'static [(&'static str, Resource)] =
        &[("digitaleAdressen", Resource::Digitaleadressen)];

    const FIELDS: &'static [&'static str] = &[
        "wasPartij",
        "hadKlantcontact",
        "bezoekadres",
        "correspondentieadres",
        "contactnaam",
        "rol",
        "organisatienaam",
        "initiator",
    ];

    fn delete(conn: &mut DbConnection, row: BetrokkeneRow) -> ApiResult<()> {
        delete_row(conn, &row)
    }

    fn render(
        conn: &mut DbConnection,
        urls: &ApiUrls,
        rows: &[BetrokkeneRow],
    ) -> ApiResult<Vec<BetrokkeneView>> {
        crate::views::betrokkenen(conn, urls, rows)
    }

    fn expand(
        _: &mut DbConnection,
        _: &ApiUrls,
        rows: &[BetrokkeneRow],
        requested: &[String],
    ) -> ApiResult<Vec<Map<String, Value>>> {
        Ok(rows
            .iter()
            .map(|_| {
                requested
                    .iter()
                    .filter(|r| *r == "digitaleAdressen")
                    .map(|r| (r.clone(), Value::Array(Vec::new())))
                    .collect()
            })
            .collect())
    }
}
