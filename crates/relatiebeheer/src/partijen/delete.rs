//! Deleting a partij, with what belongs to it.

use diesel::prelude::*;
use platform::db::DbConnection;
use platform::ApiResult;

use crate::identificatoren;
use crate::models::PartijRow;
use crate::schema::{
    digitale_adressen as da, partij_identificatoren as pi, partijen as p, rekeningnummers as r,
};

/// Deletes a partij with its identificatoren, digitale adressen, rekeningnummers,
/// vertegenwoordigingen and categorie-relaties. Contactpersonen who worked for it lose their
/// identificatie, as in the reference. Refused when one of its identificatoren is the parent
/// of another partij's identificator.
pub(super) fn delete(conn: &mut DbConnection, row: PartijRow) -> ApiResult<()> {
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
    crate::events::emit_deleted(conn, &adressen)?;
    platform::audit::cascaded(conn, "digitaleadressen", &adressen, &reason)?;
    diesel::delete(da::table.filter(da::partij_id.eq(row.id))).execute(conn)?;
    diesel::delete(p::table.find(row.id)).execute(conn)?;
    // klantcontacten deletes the partij's betrokkenen when it hears of this.
    let gone = reference::internal::PartijEvent { deleted: true };
    platform::events::emit(conn, &row.data.uuid, &gone)
}
