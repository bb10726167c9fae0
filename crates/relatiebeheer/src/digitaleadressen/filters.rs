//! The list's filters, read from the query and turned into one query.

use diesel::prelude::*;
use platform::db::functions::lower;
use platform::query::Query;
use platform::ApiResult;

use super::SOORTEN;
use crate::schema::{digitale_adressen as da, partij_identificatoren as pi, partijen as p};
pub const FILTERS: [&str; 23] = [
    "adres",
    "adres__icontains",
    "soortDigitaalAdres",
    "isStandaardAdres",
    "omschrijving",
    "referentie",
    "verificatieDatum",
    "verificatieDatum__gt",
    "verificatieDatum__gte",
    "verificatieDatum__lt",
    "verificatieDatum__lte",
    "isGeverifieerd",
    "verstrektDoorBetrokkene__uuid",
    "verstrektDoorBetrokkene__url",
    "verstrektDoorPartij__uuid",
    "verstrektDoorPartij__url",
    "verstrektDoorPartij__soortPartij",
    "verstrektDoorPartij__partijIdentificator__codeObjecttype",
    "verstrektDoorPartij__partijIdentificator__codeSoortObjectId",
    "verstrektDoorPartij__partijIdentificator__objectId",
    "verstrektDoorPartij__partijIdentificator__codeRegister",
    "verstrektDoorBetrokkene__rol",
    "expand",
];

#[derive(Debug, Default, Clone, PartialEq)]
pub struct AdresFilters {
    adres: Option<String>,
    adres_contains: Option<String>,
    soort: Option<String>,
    standaard: Option<bool>,
    omschrijving: Option<String>,
    referentie: Option<String>,
    /// (operator, date)
    verificatie: Vec<(&'static str, time::Date)>,
    geverifieerd: Option<bool>,
    betrokkene: Option<String>,
    betrokkene_rol: Option<String>,
    partij: Option<String>,
    partij_soort: Option<String>,
    identificator: Vec<(&'static str, String)>,
    nothing_matches: bool,
}

/// The filters of a query.
pub fn parse(query: &Query) -> ApiResult<AdresFilters> {
    query.read_filters(|f| {
        let mut filters = AdresFilters {
            adres: f.text("adres").map(str::to_owned),
            adres_contains: f.text("adres__icontains").map(str::to_lowercase),
            soort: f.choice("soortDigitaalAdres", &SOORTEN).map(str::to_owned),
            standaard: f.boolean("isStandaardAdres"),
            omschrijving: f.text("omschrijving").map(str::to_lowercase),
            referentie: f.text("referentie").map(str::to_owned),
            geverifieerd: f.boolean("isGeverifieerd"),
            betrokkene_rol: f
                .choice(
                    "verstrektDoorBetrokkene__rol",
                    &["klant", "vertegenwoordiger"],
                )
                .map(str::to_owned),
            partij_soort: f
                .choice(
                    "verstrektDoorPartij__soortPartij",
                    &["persoon", "organisatie", "contactpersoon"],
                )
                .map(str::to_owned),
            ..AdresFilters::default()
        };
        for (name, op) in [
            ("verificatieDatum", "eq"),
            ("verificatieDatum__gt", "gt"),
            ("verificatieDatum__gte", "gte"),
            ("verificatieDatum__lt", "lt"),
            ("verificatieDatum__lte", "lte"),
        ] {
            if let Some(date) = f.date(name) {
                filters.verificatie.push((op, date));
            }
        }
        for (prefix, slot) in [
            ("verstrektDoorBetrokkene", &mut filters.betrokkene),
            ("verstrektDoorPartij", &mut filters.partij),
        ] {
            *slot = f.reference(prefix).map(|u| u.to_string());
        }
        filters.nothing_matches = f.matches_nothing();
        for member in [
            "codeObjecttype",
            "codeSoortObjectId",
            "objectId",
            "codeRegister",
        ] {
            if let Some(v) = f.text(&format!(
                "verstrektDoorPartij__partijIdentificator__{member}"
            )) {
                filters.identificator.push((member, v.to_owned()));
            }
        }
        filters
    })
}

pub type Boxed<'a> = da::BoxedQuery<'a, platform::db::MultiBackend>;

pub fn filtered(filters: &AdresFilters) -> Boxed<'static> {
    let mut q = da::table.into_boxed();
    if filters.nothing_matches {
        return q.filter(da::id.lt(0));
    }
    if let Some(v) = &filters.adres {
        q = q.filter(da::adres.eq(v.clone()));
    }
    if let Some(v) = &filters.adres_contains {
        q = q.filter(
            lower(da::adres)
                .like(format!("%{}%", platform::query::escape_like(v)))
                .escape('\\'),
        );
    }
    if let Some(v) = &filters.soort {
        q = q.filter(da::soort_digitaal_adres.eq(v.clone()));
    }
    if let Some(v) = filters.standaard {
        q = q.filter(da::is_standaard_adres.eq(v));
    }
    if let Some(v) = &filters.omschrijving {
        q = q.filter(
            lower(da::omschrijving)
                .like(format!("%{}%", platform::query::escape_like(v)))
                .escape('\\'),
        );
    }
    if let Some(v) = &filters.referentie {
        q = q.filter(da::referentie.eq(v.clone()));
    }
    for (op, date) in &filters.verificatie {
        let date = *date;
        q = match *op {
            "eq" => q.filter(da::verificatie_datum.eq(date)),
            "gt" => q.filter(da::verificatie_datum.gt(date)),
            "gte" => q.filter(da::verificatie_datum.ge(date)),
            "lt" => q.filter(da::verificatie_datum.lt(date)),
            _ => q.filter(da::verificatie_datum.le(date)),
        };
    }
    match filters.geverifieerd {
        Some(true) => q = q.filter(da::verificatie_datum.is_not_null()),
        Some(false) => q = q.filter(da::verificatie_datum.is_null()),
        None => {}
    }
    if let Some(v) = &filters.betrokkene {
        q = q.filter(da::betrokkene_uuid.eq(v.clone()));
    }
    // The rol of a betrokkene is known here through the klantcontacten register's events.
    if let Some(rol) = &filters.betrokkene_rol {
        use crate::readmodel::partij_betrokkenen as pb;
        q = q.filter(
            da::betrokkene_uuid.eq_any(
                pb::table
                    .filter(pb::rol.eq(rol.clone()))
                    .filter(pb::deleted.eq(false))
                    .select(pb::betrokkene_uuid.nullable()),
            ),
        );
    }
    if let Some(v) = &filters.partij {
        q = q.filter(
            da::partij_id.eq_any(
                p::table
                    .filter(p::uuid.eq(v.clone()))
                    .select(p::id.nullable()),
            ),
        );
    }
    if let Some(v) = &filters.partij_soort {
        let v = v.clone();
        q = q.filter(diesel::dsl::exists(
            p::table
                .filter(p::id.nullable().eq(da::partij_id))
                .filter(p::soort_partij.eq(v)),
        ));
    }
    // As on partijen: an object id drives the query, the codes are checked per candidate.
    for (member, v) in &filters.identificator {
        let v = v.clone();
        q = if *member == "objectId" {
            q.filter(
                da::partij_id.eq_any(pi::table.filter(pi::object_id.eq(v)).select(pi::partij_id)),
            )
        } else {
            crate::lookup::by_member!(*member, |col| q.filter(diesel::dsl::exists(
                pi::table
                    .filter(pi::partij_id.eq(da::partij_id))
                    .filter(col.eq(v))
            )))
        };
    }
    q
}
