//! The list's filters: read from the query, completed by asking relatiebeheer where they reach
//! into it, and turned into one query.

use diesel::prelude::*;
use platform::db::functions::lower;
use platform::query::{IdentificatorMember, Query};
use platform::ApiResult;
use uuid::Uuid;

use crate::readmodel::kit;
use crate::remote::RemoteFilters;
use crate::schema::{betrokkenen as b, klantcontacten as k, onderwerpobjecten as o};
use crate::Register;

#[derive(Default, PartialEq)]
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
    identificator: Vec<(bool, IdentificatorMember, String)>,
    /// Filters on the betrokkenen's partij and a search in their digitale adressen, asked of
    /// the relatiebeheer register.
    remote: RemoteFilters,
    nothing: bool,
}

pub type Boxed = k::BoxedQuery<'static, platform::db::MultiBackend>;

pub fn filtered(f: &Filters) -> Boxed {
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
    if let Some(partijen) = &f.remote.partij_in {
        q = q.filter(
            k::id.eq_any(
                b::table
                    .filter(b::partij_uuid.eq_any(partijen.clone()))
                    .select(b::klantcontact_id),
            ),
        );
    }
    if let Some(betrokkenen) = &f.remote.betrokkene_in {
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
        // The klantcontacten (in the role asked for) of the onderwerpobjecten matching it.
        macro_rules! by_column {
            ($col:expr) => {
                if *was {
                    let role = o::table
                        .filter($col.eq(value))
                        .select(o::was_klantcontact_id);
                    q.filter(k::id.nullable().eq_any(role))
                } else {
                    let role = o::table.filter($col.eq(value)).select(o::klantcontact_id);
                    q.filter(k::id.nullable().eq_any(role))
                }
            };
        }
        q = match member {
            IdentificatorMember::ObjectId => by_column!(o::identificator_object_id),
            IdentificatorMember::CodeObjecttype => by_column!(o::identificator_code_objecttype),
            IdentificatorMember::CodeRegister => by_column!(o::identificator_code_register),
            IdentificatorMember::CodeSoortObjectId => {
                by_column!(o::identificator_code_soort_object_id)
            }
        };
    }
    q
}

/// The filters of a query.
pub fn parse(query: &Query) -> ApiResult<Filters> {
    query.read_filters(|f| {
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
        filters.remote = RemoteFilters::read(
            f,
            "hadBetrokkene__wasPartij",
            (
                "hadBetrokkene__digitaaladres__adres__icontains",
                "adres__icontains",
            ),
        );
        filters.remote.shows_partij(filters.partij);
        for (was, prefix) in [(false, "onderwerpobject"), (true, "wasOnderwerpobject")] {
            let members = f.identificator(&format!("{prefix}__onderwerpobjectidentificator"));
            let members = members
                .into_iter()
                .map(|(member, value)| (was, member, value));
            filters.identificator.extend(members);
        }
        filters.nothing = f.matches_nothing();
        filters
    })
}

/// Completes filters that reach into relatiebeheer by asking it (one call per filter).
pub async fn prepare(state: &Register, origin: &str, filters: &mut Filters) -> ApiResult<()> {
    filters
        .remote
        .ask(
            state,
            origin,
            "hadBetrokkene__wasPartij__partijIdentificator",
        )
        .await
}
