//! Storing a partij that was read: its references looked up, its uniqueness and voorkeur rules
//! checked against the database, then the partij, its links and nested identificatoren written.

use diesel::prelude::*;
use platform::db::DbConnection;
use platform::error::{ApiError, InvalidParam};
use platform::input::{Field, Mode};
use platform::ApiResult;
use uuid::Uuid;

use super::body::{empty_partij, Contactnaam, Identificatie, PartijInput};
use crate::identificatoren::{self, IdentificatorInput};
use crate::lookup;
use crate::models::{PartijData, PartijRow};
use crate::schema::{
    digitale_adressen as da, partij_identificatoren as pi, partijen as p, rekeningnummers as r,
};

/// Validates a body against the database and stores it: the partij, its addresses and its
/// nested identificatoren, all in the caller's transaction. Returns the partij's id.
pub(super) fn save(
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
                None => errors.push(InvalidParam::no_such_object(
                    format!("digitaleAdressen.{i}.uuid"),
                    "DigitaalAdres",
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
            None => errors.push(InvalidParam::no_such_object(
                "voorkeursDigitaalAdres.uuid",
                "DigitaalAdres",
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
                None => errors.push(InvalidParam::no_such_object(
                    format!("rekeningnummers.{i}.uuid"),
                    "Rekeningnummer",
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
            None => errors.push(InvalidParam::no_such_object(
                "voorkeursRekeningnummer.uuid",
                "Rekeningnummer",
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
                None => errors.push(InvalidParam::no_such_object(
                    "partijIdentificatie.werkteVoorPartij.uuid",
                    "Partij",
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
                ApiError::no_such_object(format!("{prefix}uuid"), "PartijIdentificator")
            })?),
            None => None,
        };
        let data =
            identificatoren::validate(conn, item, existing.as_ref(), &prefix, Some(Some(partij)))?;
        identificatoren::save(conn, &data, existing.map(|e| e.id))?;
    }
    Ok(())
}
