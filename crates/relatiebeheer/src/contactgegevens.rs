//! The Contactgegevens API (`/contactgegevens/api/v1/persoon` and `/organisatie`, API version
//! 1.1.1): stand-alone contact records without relations or filters.

use diesel::prelude::*;
use platform::crud::Crud;
use platform::db::DbConnection;
use platform::input::{Field, Mode, Presence, Reader, Text};
use platform::query::Query;
use platform::ApiResult;
use reference::ApiUrls;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::lookup::stored_uuid;
use crate::models::{OrganisatieData, OrganisatieRow, PersoonData, PersoonRow};
use crate::schema::{contactgegevens_organisaties as o, contactgegevens_personen as cp};
use crate::Register;
use platform::values::{read_adres, Adres};

/// The path prefix of the Contactgegevens API.
pub const API_PATH: &str = "/contactgegevens/api/v1";
/// The version it reports.
pub const API_VERSION: &str = "1.1.1";

fn url(urls: &ApiUrls, resource: &str, uuid: Option<Uuid>) -> String {
    match uuid {
        Some(uuid) => urls.absolute(&format!("{API_PATH}/{resource}/{uuid}")),
        None => urls.absolute(&format!("{API_PATH}/{resource}")),
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PersoonView {
    pub uuid: Uuid,
    pub url: String,
    pub geboortedatum: String,
    pub overlijdensdatum: Option<String>,
    pub geslachtsnaam: String,
    pub geslacht: String,
    pub voorvoegsel: String,
    pub voornamen: String,
    pub adres: Adres,
}

pub struct Personen;

impl Crud for Personen {
    type State = Register;
    type Row = PersoonRow;
    type View = PersoonView;
    type Filters = ();

    const FILTERS: &'static [&'static str] = &[];

    fn collection(urls: &ApiUrls) -> String {
        url(urls, "persoon", None)
    }

    fn parse_filters(_: &Query) -> ApiResult<()> {
        Ok(())
    }

    platform::crud_queries!(cp, PersoonRow, cp::id.desc());

    fn save(
        conn: &mut DbConnection,
        body: &Map<String, Value>,
        mode: Mode,
        existing: Option<PersoonRow>,
    ) -> ApiResult<PersoonRow> {
        let mut r = Reader::new(body, mode);
        let geboortedatum = if r.has("geboortedatum") || !mode.enforces_required() {
            r.date("geboortedatum", Presence::Optional)
        } else {
            r.error("geboortedatum", "required", platform::input::REQUIRED);
            Field::Absent
        };
        let overlijdensdatum = r.date("overlijdensdatum", Presence::Nullable);
        let geslachtsnaam = r.text("geslachtsnaam", Text::required(200));
        let geslacht = r.choice("geslacht", &["m", "v", "o", ""], Presence::Optional);
        let voorvoegsel = r.text("voorvoegsel", Text::optional(10));
        let voornamen = r.text("voornamen", Text::optional(200));
        let adres = read_adres(&mut r, "adres");
        r.finish()?;
        let existing_id = existing.as_ref().map(|e| e.id);
        let mut data = existing.map(|e| e.data).unwrap_or_else(|| PersoonData {
            uuid: Uuid::new_v4().to_string(),
            geboortedatum: platform::time::now().date(),
            overlijdensdatum: None,
            geslachtsnaam: String::new(),
            geslacht: String::new(),
            voorvoegsel: String::new(),
            voornamen: String::new(),
            adres: Default::default(),
            created_at: platform::time::now(),
        });
        geboortedatum.apply(&mut data.geboortedatum);
        overlijdensdatum.apply_nullable(&mut data.overlijdensdatum);
        geslachtsnaam.apply(&mut data.geslachtsnaam);
        geslacht.apply(&mut data.geslacht);
        voorvoegsel.apply(&mut data.voorvoegsel);
        voornamen.apply(&mut data.voornamen);
        adres.map(Into::into).apply(&mut data.adres);
        let id = platform::store_row!(conn, cp, existing_id, &data);
        Ok(PersoonRow { id, data })
    }

    fn delete(conn: &mut DbConnection, row: PersoonRow) -> ApiResult<()> {
        diesel::delete(cp::table.find(row.id)).execute(conn)?;
        Ok(())
    }

    fn render(
        _: &mut DbConnection,
        urls: &ApiUrls,
        rows: &[PersoonRow],
    ) -> ApiResult<Vec<PersoonView>> {
        Ok(rows
            .iter()
            .map(|row| {
                let d = &row.data;
                let uuid = stored_uuid(&d.uuid);
                PersoonView {
                    uuid,
                    url: url(urls, "persoon", Some(uuid)),
                    geboortedatum: platform::time::format_date(d.geboortedatum),
                    overlijdensdatum: d.overlijdensdatum.map(platform::time::format_date),
                    geslachtsnaam: d.geslachtsnaam.clone(),
                    geslacht: d.geslacht.clone(),
                    voorvoegsel: d.voorvoegsel.clone(),
                    voornamen: d.voornamen.clone(),
                    adres: (&d.adres).into(),
                }
            })
            .collect())
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganisatieView {
    pub uuid: Uuid,
    pub url: String,
    pub handelsnaam: String,
    pub oprichtingsdatum: Option<String>,
    pub opheffingsdatum: Option<String>,
    pub adres: Adres,
}

pub struct Organisaties;

impl Crud for Organisaties {
    type State = Register;
    type Row = OrganisatieRow;
    type View = OrganisatieView;
    type Filters = ();

    const FILTERS: &'static [&'static str] = &[];

    fn collection(urls: &ApiUrls) -> String {
        url(urls, "organisatie", None)
    }

    fn parse_filters(_: &Query) -> ApiResult<()> {
        Ok(())
    }

    platform::crud_queries!(o, OrganisatieRow, o::id.desc());

    fn save(
        conn: &mut DbConnection,
        body: &Map<String, Value>,
        mode: Mode,
        existing: Option<OrganisatieRow>,
    ) -> ApiResult<OrganisatieRow> {
        let mut r = Reader::new(body, mode);
        let handelsnaam = r.text("handelsnaam", Text::required(255));
        let oprichting = r.date("oprichtingsdatum", Presence::Nullable);
        let opheffing = r.date("opheffingsdatum", Presence::Nullable);
        let adres = read_adres(&mut r, "adres");
        r.finish()?;
        let existing_id = existing.as_ref().map(|e| e.id);
        let mut data = existing.map(|e| e.data).unwrap_or_else(|| OrganisatieData {
            uuid: Uuid::new_v4().to_string(),
            handelsnaam: String::new(),
            oprichtingsdatum: None,
            opheffingsdatum: None,
            adres: Default::default(),
            created_at: platform::time::now(),
        });
        handelsnaam.apply(&mut data.handelsnaam);
        oprichting.apply_nullable(&mut data.oprichtingsdatum);
        opheffing.apply_nullable(&mut data.opheffingsdatum);
        adres.map(Into::into).apply(&mut data.adres);
        let id = platform::store_row!(conn, o, existing_id, &data);
        Ok(OrganisatieRow { id, data })
    }

    fn delete(conn: &mut DbConnection, row: OrganisatieRow) -> ApiResult<()> {
        diesel::delete(o::table.find(row.id)).execute(conn)?;
        Ok(())
    }

    fn render(
        _: &mut DbConnection,
        urls: &ApiUrls,
        rows: &[OrganisatieRow],
    ) -> ApiResult<Vec<OrganisatieView>> {
        Ok(rows
            .iter()
            .map(|row| {
                let d = &row.data;
                let uuid = stored_uuid(&d.uuid);
                OrganisatieView {
                    uuid,
                    url: url(urls, "organisatie", Some(uuid)),
                    handelsnaam: d.handelsnaam.clone(),
                    oprichtingsdatum: d.oprichtingsdatum.map(platform::time::format_date),
                    opheffingsdatum: d.opheffingsdatum.map(platform::time::format_date),
                    adres: (&d.adres).into(),
                }
            })
            .collect())
    }
}
