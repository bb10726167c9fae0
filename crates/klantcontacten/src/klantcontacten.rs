//! `/klantcontacten`: every contact with a customer, newest `plaatsgevondenOp` first, with the
//! read-only lists of who took part, what it was about, its attachments and the actors.

use std::collections::HashMap;

use diesel::prelude::*;
use platform::audit::Who;
use platform::crud::Crud;
use platform::db::{functions::lower, DbConnection};
use platform::error::{ApiError, InvalidParam, NON_FIELD_ERRORS};
use platform::input::{Field, Mode, Presence, Reader, Text};
use platform::query::Query;
use platform::values::{read_number_text, read_nummer};
use platform::ApiResult;
use reference::{ApiUrls, Reference, Resource};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::actoren::ActorView;
use crate::betrokkenen::Fate;
use crate::lookup::stored_uuid;
use crate::models::{
    ActorRow, BetrokkeneRow, BijlageRow, KlantcontactData, KlantcontactRow, OnderwerpobjectRow,
};
use crate::readmodel::kit;
use crate::schema::{
    actoren as a, actorklantcontacten as ak, betrokkenen as b, bijlagen as bl, klantcontacten as k,
    onderwerpobjecten as o,
};
use crate::Register;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KlantcontactView {
    pub uuid: Uuid,
    pub url: String,
    pub ging_over_onderwerpobjecten: Vec<Reference>,
    pub had_betrokken_actoren: Vec<ActorView>,
    pub omvatte_bijlagen: Vec<Reference>,
    pub had_betrokkenen: Vec<Reference>,
    pub leidde_tot_interne_taken: Vec<Reference>,
    pub nummer: Option<String>,
    pub referentienummer: Option<String>,
    pub kanaal: String,
    pub onderwerp: String,
    pub inhoud: String,
    pub reactie: String,
    pub indicatie_contact_gelukt: Option<bool>,
    pub hoofd_onderwerp_type: String,
    pub verdere_actie_ondernomen: bool,
    pub taal: String,
    pub vertrouwelijk: bool,
    pub plaatsgevonden_op: String,
    pub metadata: Value,
}

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
pub fn save_with(
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

/// Deletes a klantcontact with its betrokkenen, onderwerpobjecten (both roles), bijlagen and
/// actor links; `betrokkenen_fate` says what becomes of the addresses its betrokkenen supplied.
pub fn delete_row(conn: &mut DbConnection, id: i64, betrokkenen_fate: Fate) -> ApiResult<()> {
    let betrokkenen: Vec<BetrokkeneRow> = b::table
        .filter(b::klantcontact_id.eq(id))
        .select(BetrokkeneRow::as_select())
        .load(conn)?;
    let uuid: String = k::table.find(id).select(k::uuid).first(conn)?;
    for betrokkene in &betrokkenen {
        crate::betrokkenen::emit_for(conn, betrokkene, &uuid, betrokkenen_fate)?;
    }
    // What goes with it is in the audit trail too.
    let reason = format!("verwijderd met klantcontact {uuid}");
    let onderwerpen: Vec<String> = o::table
        .filter(o::klantcontact_id.eq(id).or(o::was_klantcontact_id.eq(id)))
        .select(o::uuid)
        .load(conn)?;
    let bijlagen: Vec<String> = bl::table
        .filter(bl::klantcontact_id.eq(id))
        .select(bl::uuid)
        .load(conn)?;
    let links: Vec<String> = ak::table
        .filter(ak::klantcontact_id.eq(id))
        .select(ak::uuid)
        .load(conn)?;
    let betrokken: Vec<String> = betrokkenen.iter().map(|b| b.data.uuid.clone()).collect();
    for (resource, rows) in [
        ("betrokkenen", betrokken),
        ("onderwerpobjecten", onderwerpen),
        ("bijlagen", bijlagen),
        ("actorklantcontacten", links),
    ] {
        platform::audit::cascaded(conn, resource, &rows, &reason)?;
    }
    diesel::delete(b::table.filter(b::klantcontact_id.eq(id))).execute(conn)?;
    diesel::delete(o::table.filter(o::klantcontact_id.eq(id).or(o::was_klantcontact_id.eq(id))))
        .execute(conn)?;
    diesel::delete(bl::table.filter(bl::klantcontact_id.eq(id))).execute(conn)?;
    diesel::delete(ak::table.filter(ak::klantcontact_id.eq(id))).execute(conn)?;
    diesel::delete(k::table.find(id)).execute(conn)?;
    // The klanttaak register deletes the klantcontact's internetaken when it hears of this.
    let gone = reference::internal::KlantcontactEvent { deleted: true };
    platform::events::emit(conn, &uuid, &gone)
}

/// What a page of klantcontacten shows of other tables, a few queries for the whole page.
struct Related {
    betrokkenen: Vec<BetrokkeneRow>,
    onderwerpobjecten: Vec<OnderwerpobjectRow>,
    bijlagen: Vec<BijlageRow>,
    /// (klantcontact id, actor row), in link order.
    actoren: Vec<(i64, ActorRow)>,
}

impl Related {
    fn load(conn: &mut DbConnection, ids: &[i64]) -> ApiResult<Self> {
        Ok(Self {
            betrokkenen: b::table
                .filter(b::klantcontact_id.eq_any(ids))
                .order(b::id)
                .select(BetrokkeneRow::as_select())
                .load(conn)?,
            onderwerpobjecten: o::table
                .filter(o::klantcontact_id.eq_any(ids))
                .order(o::id)
                .select(OnderwerpobjectRow::as_select())
                .load(conn)?,
            bijlagen: bl::table
                .filter(bl::klantcontact_id.eq_any(ids))
                .order(bl::id)
                .select(BijlageRow::as_select())
                .load(conn)?,
            actoren: ak::table
                .inner_join(a::table)
                .filter(ak::klantcontact_id.eq_any(ids))
                .order(ak::id)
                .select((ak::klantcontact_id, ActorRow::as_select()))
                .load(conn)?,
        })
    }
}

pub struct Klantcontacten;

#[derive(Default)]
pub struct Filters {
    kanaal: Option<String>,
    contains: Vec<(&'static str, String)>,
    nummer: Option<String>,
    referentienummer: Option<String>,
    gelukt: Option<bool>,
    vertrouwelijk: Option<bool>,
    plaatsgevonden_op: Option<time::PrimitiveDateTime>,
    betrokkene: Option<Uuid>,
    met_partij: Option<bool>,
    met_internetaken: Option<bool>,
    partij: Option<Uuid>,
    onderwerpobject: Option<Uuid>,
    was_onderwerpobject: Option<Uuid>,
    /// (role: "klantcontact" | "wasKlantcontact", member, value)
    identificator: Vec<(bool, &'static str, String)>,
    /// Filters on the betrokkenen's partij, asked of the relatiebeheer register.
    remote_partij: Vec<(String, String)>,
    /// A search in the betrokkenen's digitale adressen, asked of the relatiebeheer register.
    remote_adres: Option<String>,
    /// What those answered: the partijen and betrokkenen that match.
    partij_in: Option<Vec<String>>,
    betrokkene_in: Option<Vec<String>>,
    nothing: bool,
}

type Boxed = k::BoxedQuery<'static, platform::db::MultiBackend>;

fn filtered(f: &Filters) -> Boxed {
    let mut q = k::table.into_boxed();
    if f.nothing {
        return q.filter(k::id.lt(0));
    }
    if let Some(v) = &f.kanaal {
        q = q.filter(k::kanaal.eq(v.clone()));
    }
    for (column, text) in &f.contains {
        let pattern = format!("%{}%", platform::query::escape_like(text));
        q = match *column {
            "onderwerp" => q.filter(lower(k::onderwerp).like(pattern).escape('\\')),
            "inhoud" => q.filter(lower(k::inhoud).like(pattern).escape('\\')),
            _ => q.filter(lower(k::reactie).like(pattern).escape('\\')),
        };
    }
    if let Some(v) = &f.nummer {
        q = q.filter(k::nummer.eq(v.clone()));
    }
    if let Some(v) = &f.referentienummer {
        q = q.filter(k::referentienummer.eq(v.clone()));
    }
    if let Some(v) = f.gelukt {
        q = q.filter(k::indicatie_contact_gelukt.eq(v));
    }
    if let Some(v) = f.vertrouwelijk {
        q = q.filter(k::vertrouwelijk.eq(v));
    }
    if let Some(v) = f.plaatsgevonden_op {
        q = q.filter(k::plaatsgevonden_op.eq(v));
    }
    // Filters on children are semi-joins: a klantcontact is listed once however many match.
    if let Some(uuid) = f.betrokkene {
        q = q.filter(
            k::id.eq_any(
                b::table
                    .filter(b::uuid.eq(uuid.to_string()))
                    .select(b::klantcontact_id),
            ),
        );
    }
    match f.met_partij {
        Some(true) => {
            q = q.filter(
                k::id.eq_any(
                    b::table
                        .filter(b::partij_uuid.is_not_null())
                        .select(b::klantcontact_id),
                ),
            )
        }
        Some(false) => {
            q = q.filter(
                k::id.ne_all(
                    b::table
                        .filter(b::partij_uuid.is_not_null())
                        .select(b::klantcontact_id),
                ),
            )
        }
        None => {}
    }
    // From the read model of the klanttaak register's internetaken.
    if let Some(wanted) = f.met_internetaken {
        let with_taken = kit::table
            .filter(kit::deleted.eq(false))
            .select(kit::klantcontact_uuid);
        q = if wanted {
            q.filter(k::uuid.eq_any(with_taken))
        } else {
            q.filter(k::uuid.ne_all(with_taken))
        };
    }
    if let Some(uuid) = f.partij {
        q = q.filter(
            k::id.eq_any(
                b::table
                    .filter(b::partij_uuid.eq(uuid.to_string()))
                    .select(b::klantcontact_id),
            ),
        );
    }
    if let Some(uuid) = f.onderwerpobject {
        q = q.filter(
            k::id.nullable().eq_any(
                o::table
                    .filter(o::uuid.eq(uuid.to_string()))
                    .select(o::klantcontact_id),
            ),
        );
    }
    if let Some(uuid) = f.was_onderwerpobject {
        q = q.filter(
            k::id.nullable().eq_any(
                o::table
                    .filter(o::uuid.eq(uuid.to_string()))
                    .select(o::was_klantcontact_id),
            ),
        );
    }
    if let Some(partijen) = &f.partij_in {
        q = q.filter(
            k::id.eq_any(
                b::table
                    .filter(b::partij_uuid.eq_any(partijen.clone()))
                    .select(b::klantcontact_id),
            ),
        );
    }
    if let Some(betrokkenen) = &f.betrokkene_in {
        q = q.filter(
            k::id.eq_any(
                b::table
                    .filter(b::uuid.eq_any(betrokkenen.clone()))
                    .select(b::klantcontact_id),
            ),
        );
    }
    for (was, member, value) in &f.identificator {
        let value = value.clone();
        macro_rules! by_column {
            ($col:expr) => {
                if *was {
                    q.filter(
                        k::id.nullable().eq_any(
                            o::table
                                .filter($col.eq(value))
                                .select(o::was_klantcontact_id),
                        ),
                    )
                } else {
                    q.filter(
                        k::id
                            .nullable()
                            .eq_any(o::table.filter($col.eq(value)).select(o::klantcontact_id)),
                    )
                }
            };
        }
        q = match *member {
            "ObjectId" => by_column!(o::identificator_object_id),
            "CodeObjecttype" => by_column!(o::identificator_code_objecttype),
            "CodeRegister" => by_column!(o::identificator_code_register),
            _ => by_column!(o::identificator_code_soort_object_id),
        };
    }
    q
}

/// The kanaal klantcontacten are notified on (by their own endpoints and maak-klantcontact).
pub const KANAAL: platform::outbound::Kanaal = platform::outbound::Kanaal {
    kanaal: "klantcontacten",
    resource: "klantcontact",
    kenmerken: &[
        "hoofdOnderwerpType",
        "indicatieContactGelukt",
        "verdereActieOndernomen",
    ],
};

impl Crud for Klantcontacten {
    type State = Register;
    type Row = KlantcontactRow;
    type View = KlantcontactView;
    type Filters = Filters;

    const KANAAL: Option<platform::outbound::Kanaal> = Some(KANAAL);

    fn allow_change(state: &Register, row: &KlantcontactRow, who: &Who) -> ApiResult<()> {
        let crate::Corrections::After(grace) = state.corrections else {
            return Ok(());
        };
        if !who.toelichting.is_empty() || platform::time::now() - row.data.created_at < grace {
            return Ok(());
        }
        Err(ApiError::invalid(
            platform::audit::REASON_HEADER,
            "required",
            format!(
                "Dit klantcontact is meer dan {} uur geleden geregistreerd: een wijziging is nu een correctie en vraagt een toelichting in de header X-Audit-Toelichting.",
                grace.whole_hours()
            ),
        ))
    }

    const REACHES: &'static [(&'static str, reference::Register)] = &[
        (
            "hadBetrokkene__wasPartij__partijIdentificator__codeObjecttype",
            reference::Register::Relatiebeheer,
        ),
        (
            "hadBetrokkene__wasPartij__partijIdentificator__codeSoortObjectId",
            reference::Register::Relatiebeheer,
        ),
        (
            "hadBetrokkene__wasPartij__partijIdentificator__objectId",
            reference::Register::Relatiebeheer,
        ),
        (
            "hadBetrokkene__wasPartij__partijIdentificator__codeRegister",
            reference::Register::Relatiebeheer,
        ),
        (
            "hadBetrokkene__digitaaladres__adres__icontains",
            reference::Register::Relatiebeheer,
        ),
        (
            "hadBetrokkenen.wasPartij",
            reference::Register::Relatiebeheer,
        ),
        (
            "hadBetrokkenen.digitaleAdressen",
            reference::Register::Relatiebeheer,
        ),
        ("leiddeTotInterneTaken", reference::Register::Klanttaak),
    ];

    const FILTERS: &'static [&'static str] = &[
        "kanaal",
        "onderwerp",
        "inhoud",
        "reactie",
        "nummer",
        "referentienummer",
        "indicatieContactGelukt",
        "vertrouwelijk",
        "plaatsgevondenOp",
        "hadBetrokkene__uuid",
        "hadBetrokkene__url",
        "hadBetrokkene__wasPartij",
        "hadBetrokkene__wasPartij__uuid",
        "hadBetrokkene__wasPartij__url",
        "hadBetrokkene__wasPartij__partijIdentificator__codeObjecttype",
        "hadBetrokkene__wasPartij__partijIdentificator__codeSoortObjectId",
        "hadBetrokkene__wasPartij__partijIdentificator__objectId",
        "hadBetrokkene__wasPartij__partijIdentificator__codeRegister",
        "hadBetrokkene__digitaaladres__adres__icontains",
        "leiddeTotInterneTaken",
        "onderwerpobject__uuid",
        "onderwerpobject__url",
        "onderwerpobject__onderwerpobjectidentificatorObjectId",
        "onderwerpobject__onderwerpobjectidentificatorCodeObjecttype",
        "onderwerpobject__onderwerpobjectidentificatorCodeRegister",
        "onderwerpobject__onderwerpobjectidentificatorCodeSoortObjectId",
        "wasOnderwerpobject__uuid",
        "wasOnderwerpobject__url",
        "wasOnderwerpobject__onderwerpobjectidentificatorObjectId",
        "wasOnderwerpobject__onderwerpobjectidentificatorCodeObjecttype",
        "wasOnderwerpobject__onderwerpobjectidentificatorCodeRegister",
        "wasOnderwerpobject__onderwerpobjectidentificatorCodeSoortObjectId",
    ];
    const EXPAND: &'static [&'static str] = &[
        "hadBetrokkenen",
        "hadBetrokkenen.wasPartij",
        "hadBetrokkenen.digitaleAdressen",
        "leiddeTotInterneTaken",
        "gingOverOnderwerpobjecten",
        "omvatteBijlagen",
    ];

    fn collection(urls: &ApiUrls) -> String {
        urls.collection(Resource::Klantcontacten)
    }

    fn parse_filters(query: &Query) -> ApiResult<Filters> {
        let mut f = query.filters();
        let mut filters = Filters {
            kanaal: f.text("kanaal").map(str::to_owned),
            nummer: f.text("nummer").map(str::to_owned),
            referentienummer: f.text("referentienummer").map(str::to_owned),
            gelukt: f.boolean("indicatieContactGelukt"),
            vertrouwelijk: f.boolean("vertrouwelijk"),
            met_partij: f.boolean("hadBetrokkene__wasPartij"),
            met_internetaken: f.boolean("leiddeTotInterneTaken"),
            ..Filters::default()
        };
        for column in ["onderwerp", "inhoud", "reactie"] {
            if let Some(v) = f.text(column) {
                filters.contains.push((column, v.to_lowercase()));
            }
        }
        filters.plaatsgevonden_op = f.datetime("plaatsgevondenOp");
        for (prefix, slot) in [
            ("hadBetrokkene", &mut filters.betrokkene),
            ("hadBetrokkene__wasPartij", &mut filters.partij),
            ("onderwerpobject", &mut filters.onderwerpobject),
            ("wasOnderwerpobject", &mut filters.was_onderwerpobject),
        ] {
            *slot = f.reference(prefix);
        }
        for member in [
            "codeObjecttype",
            "codeSoortObjectId",
            "objectId",
            "codeRegister",
        ] {
            if let Some(v) = f.text(&format!(
                "hadBetrokkene__wasPartij__partijIdentificator__{member}"
            )) {
                filters
                    .remote_partij
                    .push((format!("partijIdentificator__{member}"), v.to_owned()));
            }
        }
        filters.remote_adres = f
            .text("hadBetrokkene__digitaaladres__adres__icontains")
            .map(str::to_owned);
        for (was, prefix) in [(false, "onderwerpobject"), (true, "wasOnderwerpobject")] {
            for member in [
                "ObjectId",
                "CodeObjecttype",
                "CodeRegister",
                "CodeSoortObjectId",
            ] {
                if let Some(v) = f.text(&format!("{prefix}__onderwerpobjectidentificator{member}"))
                {
                    filters.identificator.push((was, member, v.to_owned()));
                }
            }
        }
        filters.nothing = f.matches_nothing();
        f.finish()?;
        Ok(filters)
    }

    async fn prepare(state: &Register, origin: &str, filters: &mut Filters) -> ApiResult<()> {
        if !filters.remote_partij.is_empty() {
            let found = crate::remote::partijen_matching(
                state,
                origin,
                &filters.remote_partij,
                "hadBetrokkene__wasPartij__partijIdentificator",
            )
            .await?;
            filters.partij_in = Some(found);
        }
        if let Some(adres) = &filters.remote_adres {
            let found = crate::remote::betrokkenen_with_adres(
                state,
                origin,
                ("adres__icontains", adres),
                "hadBetrokkene__digitaaladres__adres__icontains",
            )
            .await?;
            filters.betrokkene_in = Some(found);
        }
        Ok(())
    }

    fn count(conn: &mut DbConnection, filters: &Filters) -> ApiResult<i64> {
        Ok(filtered(filters).count().get_result(conn)?)
    }

    fn page(
        conn: &mut DbConnection,
        filters: &Filters,
        offset: i64,
        limit: i64,
    ) -> ApiResult<Vec<KlantcontactRow>> {
        Ok(filtered(filters)
            .order((k::plaatsgevonden_op.desc(), k::id.desc()))
            .offset(offset)
            .limit(limit)
            .select(KlantcontactRow::as_select())
            .load(conn)?)
    }

    fn find(conn: &mut DbConnection, uuid: Uuid) -> ApiResult<Option<KlantcontactRow>> {
        Ok(k::table
            .filter(k::uuid.eq(uuid.to_string()))
            .select(KlantcontactRow::as_select())
            .first(conn)
            .optional()?)
    }

    fn save(
        conn: &mut DbConnection,
        body: &Map<String, Value>,
        mode: Mode,
        existing: Option<KlantcontactRow>,
    ) -> ApiResult<KlantcontactRow> {
        save_with(conn, body, mode, existing, "")
    }

    fn delete(conn: &mut DbConnection, row: KlantcontactRow) -> ApiResult<()> {
        delete_row(conn, row.id, Fate::Deleted)
    }

    fn render(
        conn: &mut DbConnection,
        urls: &ApiUrls,
        rows: &[KlantcontactRow],
    ) -> ApiResult<Vec<KlantcontactView>> {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let related = Related::load(conn, &ids)?;
        let mut betrokkenen: HashMap<i64, Vec<Reference>> = HashMap::new();
        for row in &related.betrokkenen {
            betrokkenen
                .entry(row.data.klantcontact_id)
                .or_default()
                .push(Reference::new(
                    urls,
                    Resource::Betrokkenen,
                    stored_uuid(&row.data.uuid),
                ));
        }
        let mut onderwerpen: HashMap<i64, Vec<Reference>> = HashMap::new();
        for row in &related.onderwerpobjecten {
            if let Some(id) = row.data.klantcontact_id {
                onderwerpen.entry(id).or_default().push(Reference::new(
                    urls,
                    Resource::Onderwerpobjecten,
                    stored_uuid(&row.data.uuid),
                ));
            }
        }
        let mut bijlagen: HashMap<i64, Vec<Reference>> = HashMap::new();
        for row in &related.bijlagen {
            if let Some(id) = row.data.klantcontact_id {
                bijlagen.entry(id).or_default().push(Reference::new(
                    urls,
                    Resource::Bijlagen,
                    stored_uuid(&row.data.uuid),
                ));
            }
        }
        let uuids: Vec<String> = rows.iter().map(|r| r.data.uuid.clone()).collect();
        let mut taken = crate::readmodel::internetaken_of(conn, &uuids)?;
        let mut actoren: HashMap<i64, Vec<ActorView>> = HashMap::new();
        for (klantcontact, actor) in &related.actoren {
            actoren
                .entry(*klantcontact)
                .or_default()
                .extend(crate::actoren::views(urls, std::slice::from_ref(actor)));
        }
        Ok(rows
            .iter()
            .map(|row| {
                let d = &row.data;
                let uuid = stored_uuid(&d.uuid);
                KlantcontactView {
                    uuid,
                    url: urls.object(Resource::Klantcontacten, uuid),
                    ging_over_onderwerpobjecten: onderwerpen.remove(&row.id).unwrap_or_default(),
                    had_betrokken_actoren: actoren.remove(&row.id).unwrap_or_default(),
                    omvatte_bijlagen: bijlagen.remove(&row.id).unwrap_or_default(),
                    had_betrokkenen: betrokkenen.remove(&row.id).unwrap_or_default(),
                    leidde_tot_interne_taken: taken
                        .remove(&d.uuid)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|u| Uuid::parse_str(u).ok())
                        .map(|u| Reference::new(urls, Resource::Internetaken, u))
                        .collect(),
                    nummer: d.nummer.clone(),
                    referentienummer: d.referentienummer.clone(),
                    kanaal: d.kanaal.clone(),
                    onderwerp: d.onderwerp.clone(),
                    inhoud: d.inhoud.clone(),
                    reactie: d.reactie.clone(),
                    indicatie_contact_gelukt: d.indicatie_contact_gelukt,
                    hoofd_onderwerp_type: d.hoofd_onderwerp_type.clone(),
                    verdere_actie_ondernomen: d.verdere_actie_ondernomen,
                    taal: d.taal.clone(),
                    vertrouwelijk: d.vertrouwelijk,
                    plaatsgevonden_op: platform::time::format_datetime(d.plaatsgevonden_op),
                    metadata: serde_json::from_str(&d.metadata)
                        .unwrap_or_else(|_| Value::Object(Map::new())),
                }
            })
            .collect())
    }

    async fn expand_remote(
        state: &Register,
        origin: &str,
        requested: &[String],
        values: &mut [Value],
    ) -> ApiResult<()> {
        if requested.iter().any(|r| r == "leiddeTotInterneTaken") {
            platform::crud::expand_field(
                &state.shared.resolver,
                origin,
                values,
                "leiddeTotInterneTaken",
                Resource::Internetaken,
            )
            .await?;
        }
        if !requested.iter().any(|r| r == "hadBetrokkenen") {
            return Ok(());
        }
        // The expanded betrokkenen of the whole page, expanded further in one call per relation.
        let mut betrokkenen: Vec<Value> = values
            .iter_mut()
            .flat_map(|v| match v.pointer_mut("/_expand/hadBetrokkenen") {
                Some(Value::Array(items)) => std::mem::take(items),
                _ => Vec::new(),
            })
            .collect();
        for (path, field, resource) in [
            ("hadBetrokkenen.wasPartij", "wasPartij", Resource::Partijen),
            (
                "hadBetrokkenen.digitaleAdressen",
                "digitaleAdressen",
                Resource::Digitaleadressen,
            ),
        ] {
            if requested.iter().any(|r| r == path) {
                platform::crud::expand_field(
                    &state.shared.resolver,
                    origin,
                    &mut betrokkenen,
                    field,
                    resource,
                )
                .await?;
            }
        }
        let mut betrokkenen = betrokkenen.into_iter();
        for value in values.iter_mut() {
            let count = referenced_count(value);
            if let Some(Value::Array(items)) = value.pointer_mut("/_expand/hadBetrokkenen") {
                items.extend(betrokkenen.by_ref().take(count));
            }
        }
        Ok(())
    }

    fn expand(
        conn: &mut DbConnection,
        urls: &ApiUrls,
        rows: &[KlantcontactRow],
        requested: &[String],
    ) -> ApiResult<Vec<Map<String, Value>>> {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let related = Related::load(conn, &ids)?;
        let betrokkenen = crate::betrokkenen::views(conn, urls, &related.betrokkenen)?;
        let onderwerpen = <crate::onderwerpobjecten::Onderwerpobjecten as Crud>::render(
            conn,
            urls,
            &related.onderwerpobjecten,
        )?;
        let bijlagen = <crate::bijlagen::Bijlagen as Crud>::render(conn, urls, &related.bijlagen)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut expand = Map::new();
            for name in requested {
                let value = match name.as_str() {
                    "hadBetrokkenen" => serde_json::to_value(
                        related
                            .betrokkenen
                            .iter()
                            .zip(&betrokkenen)
                            .filter(|(r, _)| r.data.klantcontact_id == row.id)
                            .map(|(_, v)| v)
                            .collect::<Vec<_>>(),
                    ),
                    "gingOverOnderwerpobjecten" => serde_json::to_value(
                        related
                            .onderwerpobjecten
                            .iter()
                            .zip(&onderwerpen)
                            .filter(|(r, _)| r.data.klantcontact_id == Some(row.id))
                            .map(|(_, v)| v)
                            .collect::<Vec<_>>(),
                    ),
                    "omvatteBijlagen" => serde_json::to_value(
                        related
                            .bijlagen
                            .iter()
                            .zip(&bijlagen)
                            .filter(|(r, _)| r.data.klantcontact_id == Some(row.id))
                            .map(|(_, v)| v)
                            .collect::<Vec<_>>(),
                    ),
                    // What lives in the other registers (the internetaken, nested paths into
                    // relatiebeheer) is filled in by `expand_remote`.
                    _ => continue,
                }
                .map_err(|e| ApiError::Internal(e.into()))?;
                expand.insert(name.clone(), value);
            }
            out.push(expand);
        }
        Ok(out)
    }
}

/// How many betrokkenen a rendered klantcontact lists.
fn referenced_count(value: &Value) -> usize {
    value
        .get("hadBetrokkenen")
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}
