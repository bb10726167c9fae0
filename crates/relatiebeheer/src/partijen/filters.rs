//! The list's filters and the one query they make.

use diesel::prelude::*;
use platform::query::Query;
use platform::ApiResult;
use uuid::Uuid;

use super::body::SOORTEN;
use crate::schema::{
    categorie_relaties as cr, categorieen as c, partij_identificatoren as pi, partijen as p,
    vertegenwoordigingen as v,
};

const IDENTIFICATOR_MEMBERS: [&str; 4] = [
    "codeObjecttype",
    "codeSoortObjectId",
    "objectId",
    "codeRegister",
];

pub(super) const FILTERS: [&str; 25] = [
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
#[derive(Debug, Default, Clone, PartialEq)]
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

pub(super) fn parse_filters(query: &Query) -> ApiResult<PartijFilters> {
    query.read_filters(|f| {
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
        filters
    })
}

type BoxedPartijen<'a> = p::BoxedQuery<'a, platform::db::MultiBackend>;

use crate::lookup::by_member;

pub(super) fn filtered(filters: &PartijFilters) -> BoxedPartijen<'static> {
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
