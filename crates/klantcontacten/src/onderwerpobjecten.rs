//! `/onderwerpobjecten`: what a klantcontact was about (a zaak, a product, an earlier contact).
//! `DELETE ?cascade=true` also removes the klantcontacten nothing else refers to.

use diesel::prelude::*;
use platform::crud::{Crud, Removal, Removed};
use platform::db::DbConnection;
use platform::error::{ApiError, InvalidParam};
use platform::input::{Field, Mode, Presence, Reader};
use platform::outbound::Outside;
use platform::query::{IdentificatorMember, Query};
use platform::values::read_object_identificator;
use platform::ApiResult;
use reference::{ApiUrls, Resource};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::betrokkenen::Fate;
use crate::lookup::{self, stored_uuid};
use crate::models::{KlantcontactRow, OnderwerpobjectData, OnderwerpobjectRow};
use crate::schema::{klantcontacten as k, onderwerpobjecten as o};
use crate::views::OnderwerpobjectView;
use crate::Register;

pub struct Onderwerpobjecten;

#[derive(Default, PartialEq)]
pub struct Filters {
    klantcontact: Option<Uuid>,
    was_klantcontact: Option<Uuid>,
    identificator: Vec<(IdentificatorMember, String)>,
    nothing: bool,
}

type Boxed = o::BoxedQuery<'static, platform::db::MultiBackend>;

fn filtered(f: &Filters) -> Boxed {
    let mut q = o::table.into_boxed();
    if f.nothing {
        return q.filter(o::id.lt(0));
    }
    if let Some(uuid) = f.klantcontact {
        q = q.filter(
            o::klantcontact_id.eq_any(
                k::table
                    .filter(k::uuid.eq(uuid.to_string()))
                    .select(k::id.nullable()),
            ),
        );
    }
    if let Some(uuid) = f.was_klantcontact {
        q = q.filter(
            o::was_klantcontact_id.eq_any(
                k::table
                    .filter(k::uuid.eq(uuid.to_string()))
                    .select(k::id.nullable()),
            ),
        );
    }
    for (member, value) in &f.identificator {
        q = platform::identificator_filter!(q, o, *member, value.clone());
    }
    q
}

/// Validates and stores an onderwerpobject. `klantcontact` overrides the body's (maak-klantcontact).
pub fn store(
    conn: &mut DbConnection,
    body: &Map<String, Value>,
    mode: Mode,
    existing: Option<OnderwerpobjectRow>,
    prefix: &str,
    klantcontact_override: Option<i64>,
) -> ApiResult<OnderwerpobjectRow> {
    let mut r = Reader::nested(body, mode, prefix.to_owned());
    let klantcontact = if klantcontact_override.is_some() {
        Field::Absent
    } else {
        r.reference("klantcontact", Presence::Nullable)
    };
    let was = r.reference("wasKlantcontact", Presence::Nullable);
    let identificator = read_object_identificator(&mut r, "onderwerpobjectidentificator");
    r.finish()?;
    let existing_id = existing.as_ref().map(|e| e.id);
    let mut data = existing
        .map(|e| e.data)
        .unwrap_or_else(|| OnderwerpobjectData {
            uuid: Uuid::new_v4().to_string(),
            klantcontact_id: None,
            was_klantcontact_id: None,
            identificator_object_id: String::new(),
            identificator_code_objecttype: String::new(),
            identificator_code_register: String::new(),
            identificator_code_soort_object_id: String::new(),
            created_at: platform::time::now(),
        });
    let mut errors: Vec<InvalidParam> = Vec::new();
    match klantcontact {
        Field::Set(uuid) => {
            match lookup::require_klantcontact(conn, &format!("{prefix}klantcontact"), uuid)? {
                Ok(id) => data.klantcontact_id = Some(id),
                Err(p) => errors.push(p),
            }
        }
        Field::Null => data.klantcontact_id = None,
        Field::Absent => {}
    }
    if klantcontact_override.is_some() {
        data.klantcontact_id = klantcontact_override;
    }
    match was {
        Field::Set(uuid) => {
            match lookup::require_klantcontact(conn, &format!("{prefix}wasKlantcontact"), uuid)? {
                Ok(id) => data.was_klantcontact_id = Some(id),
                Err(p) => errors.push(p),
            }
        }
        Field::Null => data.was_klantcontact_id = None,
        Field::Absent => {}
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    if let Field::Set(g) = identificator {
        data.identificator_object_id = g.object_id;
        data.identificator_code_objecttype = g.code_objecttype;
        data.identificator_code_register = g.code_register;
        data.identificator_code_soort_object_id = g.code_soort_object_id;
    }
    let id = platform::store_row!(conn, o, existing_id, &data);
    Ok(OnderwerpobjectRow { id, data })
}

impl Crud for Onderwerpobjecten {
    type State = Register;
    type Row = OnderwerpobjectRow;
    type View = OnderwerpobjectView;
    type Filters = Filters;

    /// A zaak linked or unlinked through an onderwerpobject is a CloudEvent (BEHAVIOUR 6.2);
    /// a write that leaves the identificator as it was says nothing.
    fn announce(
        conn: &mut DbConnection,
        outside: Outside,
        before: Option<&Value>,
        after: Option<&Value>,
    ) -> ApiResult<()> {
        let identificator =
            |v: Option<&Value>| v.map(|v| v["onderwerpobjectidentificator"].clone());
        if before.is_some() && after.is_some() && identificator(before) == identificator(after) {
            return Ok(());
        }
        if let Some(old) = before {
            announce_zaak(conn, outside, old, false)?;
        }
        if let Some(new) = after {
            announce_zaak(conn, outside, new, true)?;
        }
        Ok(())
    }

    const FILTERS: &'static [&'static str] = &[
        "klantcontact__uuid",
        "klantcontact__url",
        "wasKlantcontact__uuid",
        "wasKlantcontact__url",
        "onderwerpobjectidentificatorObjectId",
        "onderwerpobjectidentificatorCodeObjecttype",
        "onderwerpobjectidentificatorCodeRegister",
        "onderwerpobjectidentificatorCodeSoortObjectId",
    ];

    fn collection(urls: &ApiUrls) -> String {
        urls.collection(Resource::Onderwerpobjecten)
    }

    fn parse_filters(query: &Query) -> ApiResult<Filters> {
        query.read_filters(|f| {
            let mut filters = Filters {
                klantcontact: f.reference("klantcontact"),
                was_klantcontact: f.reference("wasKlantcontact"),
                ..Filters::default()
            };
            filters.identificator = f.identificator("onderwerpobjectidentificator");
            filters.nothing = f.matches_nothing();
            filters
        })
    }

    platform::crud_queries!(
        o,
        OnderwerpobjectRow,
        filtered,
        o::id.desc(),
        counted as "onderwerpobjecten"
    );

    fn save(
        conn: &mut DbConnection,
        body: &Map<String, Value>,
        mode: Mode,
        existing: Option<OnderwerpobjectRow>,
    ) -> ApiResult<OnderwerpobjectRow> {
        store(conn, body, mode, existing, "", None)
    }

    /// With `?cascade=true` (any case) the klantcontacten it names go too, unless another
    /// onderwerpobject still refers to them: those are `behouden`.
    fn remove(
        conn: &mut DbConnection,
        urls: &ApiUrls,
        row: OnderwerpobjectRow,
        query: &Query,
    ) -> ApiResult<Removal> {
        let cascade = query
            .get("cascade")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let mut targets: Vec<i64> = [row.data.klantcontact_id, row.data.was_klantcontact_id]
            .into_iter()
            .flatten()
            .collect();
        targets.dedup();
        Self::delete(conn, row)?;
        if !cascade {
            return Ok(Removal::default());
        }
        let mut removal = Removal::default();
        let mut behouden = Vec::new();
        for klantcontact in targets {
            let still_referred = o::table
                .filter(
                    o::klantcontact_id
                        .eq(klantcontact)
                        .or(o::was_klantcontact_id.eq(klantcontact)),
                )
                .select(o::id)
                .first::<i64>(conn)
                .optional()?
                .is_some();
            let rows: Vec<KlantcontactRow> = k::table
                .find(klantcontact)
                .select(KlantcontactRow::as_select())
                .load(conn)?;
            if still_referred {
                let uuid = rows
                    .first()
                    .map(|r| stored_uuid(&r.data.uuid))
                    .unwrap_or_default();
                behouden.push(urls.object(Resource::Klantcontacten, uuid));
                continue;
            }
            // Kept in the audit trail and notified as it was.
            let gone = crate::klantcontacten::Klantcontacten::render(conn, urls, &rows)?;
            let Some(gone) = gone.into_iter().next() else {
                continue;
            };
            let before = serde_json::to_value(gone).map_err(|e| ApiError::Internal(e.into()))?;
            crate::klantcontacten::delete_row(conn, klantcontact, Fate::DeletedWithOneOffAdressen)?;
            removal.also.push(Removed {
                resource: "klantcontacten",
                kanaal: Some(crate::klantcontacten::KANAAL),
                before,
            });
        }
        removal.answer = Some(json!({ "behouden": behouden }));
        Ok(removal)
    }

    /// An onderwerpobject that names a person by BSN is changed or deleted only by a token that
    /// may use one.
    fn allow_change(
        _: &Register,
        row: &OnderwerpobjectRow,
        who: &platform::audit::Who,
    ) -> ApiResult<()> {
        let soort = row.data.identificator_code_soort_object_id.trim();
        if soort.eq_ignore_ascii_case("bsn") && !who.may_use_bsn {
            return Err(platform::ApiError::BsnNotPermitted);
        }
        Ok(())
    }

    fn delete(conn: &mut DbConnection, row: OnderwerpobjectRow) -> ApiResult<()> {
        diesel::delete(o::table.find(row.id)).execute(conn)?;
        Ok(())
    }

    fn render(
        conn: &mut DbConnection,
        urls: &ApiUrls,
        rows: &[OnderwerpobjectRow],
    ) -> ApiResult<Vec<OnderwerpobjectView>> {
        crate::views::onderwerpobjecten(conn, urls, rows)
    }
}

/// The zaak event of an onderwerpobject (as rendered), when it is a zaak link: a zaak by uuid,
/// on a klantcontact. Its label is the klantcontact's onderwerp, with the nummer when it has one.
fn announce_zaak(
    conn: &mut DbConnection,
    outside: Outside,
    view: &Value,
    gekoppeld: bool,
) -> ApiResult<()> {
    let identificator = &view["onderwerpobjectidentificator"];
    let (Some(zaak), Some(klantcontact)) = (
        identificator["objectId"].as_str(),
        view["klantcontact"]["uuid"].as_str(),
    ) else {
        return Ok(());
    };
    if identificator["codeObjecttype"] != "zaak" || identificator["codeSoortObjectId"] != "uuid" {
        return Ok(());
    }
    let Some((onderwerp, nummer)) = k::table
        .filter(k::uuid.eq(klantcontact))
        .select((k::onderwerp, k::nummer))
        .first::<(String, Option<String>)>(conn)
        .optional()?
    else {
        return Ok(());
    };
    let label = match nummer {
        Some(nummer) => format!("{onderwerp} - ({nummer})"),
        None => onderwerp,
    };
    let link = view["url"].as_str().unwrap_or_default();
    platform::events::zaak_event(conn, outside, gekoppeld, zaak, link, &label)
}
