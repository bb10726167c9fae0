//! `/actoren`: the municipality's side of a contact — a medewerker, an organisatorische eenheid
//! or a geautomatiseerde actor — with a type-specific `actorIdentificatie`.

use diesel::prelude::*;
use platform::crud::Crud;
use platform::db::{functions::lower, DbConnection};
use platform::input::{Field, Mode, Presence, Reader, Text};
use platform::query::{IdentificatorMember, Query};
use platform::values::{
    check_telefoonnummer, is_email, read_object_identificator, ObjectIdentificator,
};
use platform::ApiResult;
use reference::{ApiUrls, Resource};
use serde::Serialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::lookup::stored_uuid;
use crate::models::{ActorData, ActorRow};
use crate::schema::actoren as a;
use crate::Register;

const SOORTEN: [&str; 3] = [
    "medewerker",
    "geautomatiseerde_actor",
    "organisatorische_eenheid",
];

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActorView {
    pub uuid: Uuid,
    pub url: String,
    pub naam: String,
    pub soort_actor: String,
    pub indicatie_actief: bool,
    pub actoridentificator: ObjectIdentificator,
    pub actor_identificatie: Option<Value>,
}

/// Renders actors (also used for the full objects in `klantcontact.hadBetrokkenActoren`).
pub fn views(urls: &ApiUrls, rows: &[ActorRow]) -> Vec<ActorView> {
    rows.iter()
        .map(|row| {
            let d = &row.data;
            let uuid = stored_uuid(&d.uuid);
            let identificatie = (d.identificatie_soort.as_deref() == Some(d.soort_actor.as_str())).then(|| {
                match d.soort_actor.as_str() {
                    "medewerker" => json!({"functie": d.functie, "emailadres": d.emailadres, "telefoonnummer": d.telefoonnummer}),
                    "geautomatiseerde_actor" => json!({"functie": d.functie, "omschrijving": d.omschrijving}),
                    _ => json!({"omschrijving": d.omschrijving, "emailadres": d.emailadres, "faxnummer": d.faxnummer, "telefoonnummer": d.telefoonnummer}),
                }
            });
            ActorView {
                uuid,
                url: urls.object(Resource::Actoren, uuid),
                naam: d.naam.clone(),
                soort_actor: d.soort_actor.clone(),
                indicatie_actief: d.indicatie_actief,
                actoridentificator: ObjectIdentificator {
                    object_id: d.identificator_object_id.clone(),
                    code_objecttype: d.identificator_code_objecttype.clone(),
                    code_register: d.identificator_code_register.clone(),
                    code_soort_object_id: d.identificator_code_soort_object_id.clone(),
                },
                actor_identificatie: identificatie,
            }
        })
        .collect()
}

/// Reads the `actorIdentificatie` of a soort into the row's columns.
fn read_identificatie(reader: &mut Reader<'_>, soort: &str, data: &mut ActorData) {
    let Field::Set(object) = reader.object("actorIdentificatie", Presence::Nullable) else {
        if reader.raw("actorIdentificatie").is_some_and(Value::is_null) {
            data.identificatie_soort = None;
        }
        return;
    };
    let mut r = Reader::nested(object, Mode::Create, "actorIdentificatie.".into());
    let functie_required = soort != "organisatorische_eenheid";
    let functie = if functie_required {
        r.text("functie", Text::required(40))
    } else {
        Field::Absent
    };
    let omschrijving = if soort != "medewerker" {
        r.text("omschrijving", Text::optional(200))
    } else {
        Field::Absent
    };
    let emailadres = if soort != "geautomatiseerde_actor" {
        r.text("emailadres", Text::optional(254))
    } else {
        Field::Absent
    };
    if let Field::Set(email) = &emailadres {
        if !email.is_empty() && !is_email(email) {
            r.error("emailadres", "invalid", "Voer een geldig e-mailadres in.");
        }
    }
    let faxnummer = if soort == "organisatorische_eenheid" {
        r.text("faxnummer", Text::optional(20))
    } else {
        Field::Absent
    };
    let telefoonnummer = match soort {
        "medewerker" => r.text("telefoonnummer", Text::required(20)),
        "organisatorische_eenheid" => r.text("telefoonnummer", Text::optional(20)),
        _ => Field::Absent,
    };
    if let Field::Set(number) = &telefoonnummer {
        if !number.is_empty() {
            if let Err(reason) = check_telefoonnummer(number) {
                r.error("telefoonnummer", "invalid", reason);
            }
        }
    }
    let valid = r.is_valid();
    reader.absorb(r);
    if valid {
        data.identificatie_soort = Some(soort.to_owned());
        data.functie = functie.into_set().unwrap_or_default();
        data.omschrijving = omschrijving.into_set().unwrap_or_default();
        data.emailadres = emailadres.into_set().unwrap_or_default();
        data.faxnummer = faxnummer.into_set().unwrap_or_default();
        data.telefoonnummer = telefoonnummer.into_set().unwrap_or_default();
    }
}

pub struct Actoren;

#[derive(Default, PartialEq)]
pub struct Filters {
    naam: Option<String>,
    soort: Option<String>,
    actief: Option<bool>,
    identificator: Vec<(IdentificatorMember, String)>,
}

type Boxed = a::BoxedQuery<'static, platform::db::MultiBackend>;

fn filtered(f: &Filters) -> Boxed {
    let mut q = a::table.into_boxed();
    if let Some(naam) = &f.naam {
        q = q.filter(
            lower(a::naam)
                .like(format!("%{}%", platform::query::escape_like(naam)))
                .escape('\\'),
        );
    }
    if let Some(soort) = &f.soort {
        q = q.filter(a::soort_actor.eq(soort.clone()));
    }
    if let Some(actief) = f.actief {
        q = q.filter(a::indicatie_actief.eq(actief));
    }
    for (member, value) in &f.identificator {
        q = platform::identificator_filter!(q, a, *member, value.clone());
    }
    q
}

impl Crud for Actoren {
    type State = Register;
    type Row = ActorRow;
    type View = ActorView;
    type Filters = Filters;

    const FILTERS: &'static [&'static str] = &[
        "naam",
        "soortActor",
        "indicatieActief",
        "actoridentificatorObjectId",
        "actoridentificatorCodeObjecttype",
        "actoridentificatorCodeRegister",
        "actoridentificatorCodeSoortObjectId",
    ];

    fn collection(urls: &ApiUrls) -> String {
        urls.collection(Resource::Actoren)
    }

    fn parse_filters(query: &Query) -> ApiResult<Filters> {
        query.read_filters(|f| {
            let mut filters = Filters {
                naam: f.text("naam").map(str::to_lowercase),
                soort: f.choice("soortActor", &SOORTEN).map(str::to_owned),
                actief: f.boolean("indicatieActief"),
                identificator: Vec::new(),
            };
            filters.identificator = f.identificator("actoridentificator");
            filters
        })
    }

    platform::crud_queries!(a, ActorRow, filtered, a::id.desc(), counted as "actoren");

    fn save(
        conn: &mut DbConnection,
        body: &Map<String, Value>,
        mode: Mode,
        existing: Option<ActorRow>,
    ) -> ApiResult<ActorRow> {
        let existing_id = existing.as_ref().map(|e| e.id);
        let mut data = existing.map(|e| e.data).unwrap_or_else(|| ActorData {
            uuid: Uuid::new_v4().to_string(),
            naam: String::new(),
            soort_actor: String::new(),
            indicatie_actief: true,
            identificator_object_id: String::new(),
            identificator_code_objecttype: String::new(),
            identificator_code_register: String::new(),
            identificator_code_soort_object_id: String::new(),
            identificatie_soort: None,
            functie: String::new(),
            emailadres: String::new(),
            telefoonnummer: String::new(),
            omschrijving: String::new(),
            faxnummer: String::new(),
            created_at: platform::time::now(),
        });
        let mut r = Reader::new(body, mode);
        r.text("naam", Text::required(200)).apply(&mut data.naam);
        r.choice("soortActor", &SOORTEN, Presence::Required)
            .apply(&mut data.soort_actor);
        r.boolean("indicatieActief", Presence::Optional)
            .apply(&mut data.indicatie_actief);
        if let Field::Set(g) = read_object_identificator(&mut r, "actoridentificator") {
            data.identificator_object_id = g.object_id;
            data.identificator_code_objecttype = g.code_objecttype;
            data.identificator_code_register = g.code_register;
            data.identificator_code_soort_object_id = g.code_soort_object_id;
        }
        // Without a soort (a PATCH without it), the actor's own soort is meant.
        let soort = data.soort_actor.clone();
        if !soort.is_empty() {
            read_identificatie(&mut r, &soort, &mut data);
        }
        r.finish()?;
        let id = platform::store_row!(conn, a, existing_id, &data);
        Ok(ActorRow { id, data })
    }

    fn delete(conn: &mut DbConnection, row: ActorRow) -> ApiResult<()> {
        diesel::delete(
            crate::schema::actorklantcontacten::table
                .filter(crate::schema::actorklantcontacten::actor_id.eq(row.id)),
        )
        .execute(conn)?;
        diesel::delete(a::table.find(row.id)).execute(conn)?;
        // The klanttaak register drops the actor from its tasks' assignments (the tasks stay).
        let gone = reference::internal::ActorEvent { deleted: true };
        platform::events::emit(conn, &row.data.uuid, &gone)
    }

    fn render(
        _: &mut DbConnection,
        urls: &ApiUrls,
        rows: &[ActorRow],
    ) -> ApiResult<Vec<ActorView>> {
        Ok(views(urls, rows))
    }
}
