//! Rows as stored. Each table has one data struct that is read, inserted and written back
//! whole, so an update is "load, change, save" inside the request's transaction.

use diesel::prelude::*;
use time::{Date, PrimitiveDateTime};

use crate::schema::{
    categorie_relaties, categorieen, contactgegevens_organisaties, contactgegevens_personen,
    digitale_adressen, partij_identificatoren, partijen, rekeningnummers, vertegenwoordigingen,
};

platform::adres_columns!(
    Bezoekadres,
    partijen,
    bezoekadres_nummeraanduiding_id,
    bezoekadres_straatnaam,
    bezoekadres_huisnummer,
    bezoekadres_huisnummertoevoeging,
    bezoekadres_postcode,
    bezoekadres_stad,
    bezoekadres_adresregel1,
    bezoekadres_adresregel2,
    bezoekadres_adresregel3,
    bezoekadres_land
);

platform::adres_columns!(
    Correspondentieadres,
    partijen,
    correspondentieadres_nummeraanduiding_id,
    correspondentieadres_straatnaam,
    correspondentieadres_huisnummer,
    correspondentieadres_huisnummertoevoeging,
    correspondentieadres_postcode,
    correspondentieadres_stad,
    correspondentieadres_adresregel1,
    correspondentieadres_adresregel2,
    correspondentieadres_adresregel3,
    correspondentieadres_land
);

/// Everything stored about a partij but its id.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = partijen, treat_none_as_null = true)]
pub struct PartijData {
    pub uuid: String,
    pub nummer: Option<String>,
    pub interne_notitie: String,
    pub soort_partij: String,
    pub indicatie_geheimhouding: Option<bool>,
    pub voorkeurstaal: String,
    pub indicatie_actief: bool,
    pub voorkeurs_digitaal_adres_id: Option<i64>,
    pub voorkeurs_rekeningnummer_id: Option<i64>,
    #[diesel(embed)]
    pub bezoekadres: Bezoekadres,
    #[diesel(embed)]
    pub correspondentieadres: Correspondentieadres,
    /// The soort `partijIdentificatie` was written for; `None`: there is none.
    pub identificatie_soort: Option<String>,
    pub contactpersoon_uuid: Option<String>,
    pub werkte_voor_partij_id: Option<i64>,
    pub voorletters: String,
    pub voornaam: String,
    pub voorvoegsel_achternaam: String,
    pub achternaam: String,
    pub naam: String,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = partijen)]
pub struct PartijRow {
    pub id: i64,
    #[diesel(embed)]
    pub data: PartijData,
}

/// Everything stored about a partij-identificator but its id.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = partij_identificatoren, treat_none_as_null = true)]
pub struct IdentificatorData {
    pub uuid: String,
    pub partij_id: Option<i64>,
    pub andere_partij_identificator: String,
    pub code_objecttype: String,
    pub code_soort_object_id: String,
    pub object_id: String,
    pub code_register: String,
    pub sub_identificator_van_id: Option<i64>,
    pub created_at: PrimitiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = partij_identificatoren)]
pub struct IdentificatorRow {
    pub id: i64,
    #[diesel(embed)]
    pub data: IdentificatorData,
}

/// Everything stored about a digitaal adres but its id.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = digitale_adressen, treat_none_as_null = true)]
pub struct DigitaalAdresData {
    pub uuid: String,
    pub partij_id: Option<i64>,
    pub betrokkene_uuid: Option<String>,
    pub adres: String,
    pub soort_digitaal_adres: String,
    pub is_standaard_adres: bool,
    pub omschrijving: String,
    pub referentie: String,
    pub verificatie_datum: Option<Date>,
    pub created_at: PrimitiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = digitale_adressen)]
pub struct DigitaalAdresRow {
    pub id: i64,
    #[diesel(embed)]
    pub data: DigitaalAdresData,
}

platform::adres_columns!(
    PersoonAdres,
    contactgegevens_personen,
    adres_nummeraanduiding_id,
    adres_straatnaam,
    adres_huisnummer,
    adres_huisnummertoevoeging,
    adres_postcode,
    adres_stad,
    adres_adresregel1,
    adres_adresregel2,
    adres_adresregel3,
    adres_land
);

platform::adres_columns!(
    OrganisatieAdres,
    contactgegevens_organisaties,
    adres_nummeraanduiding_id,
    adres_straatnaam,
    adres_huisnummer,
    adres_huisnummertoevoeging,
    adres_postcode,
    adres_stad,
    adres_adresregel1,
    adres_adresregel2,
    adres_adresregel3,
    adres_land
);

/// Everything stored about a rekeningnummer but its id.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = rekeningnummers, treat_none_as_null = true)]
pub struct RekeningnummerData {
    pub uuid: String,
    pub partij_id: Option<i64>,
    pub iban: String,
    pub bic: String,
    pub created_at: PrimitiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rekeningnummers)]
pub struct RekeningnummerRow {
    pub id: i64,
    #[diesel(embed)]
    pub data: RekeningnummerData,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = vertegenwoordigingen)]
pub struct VertegenwoordigingData {
    pub uuid: String,
    pub vertegenwoordigende_partij_id: i64,
    pub vertegenwoordigde_partij_id: i64,
    pub created_at: PrimitiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = vertegenwoordigingen)]
pub struct VertegenwoordigingRow {
    pub id: i64,
    #[diesel(embed)]
    pub data: VertegenwoordigingData,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = categorieen)]
pub struct CategorieData {
    pub uuid: String,
    pub naam: String,
    pub created_at: PrimitiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = categorieen)]
pub struct CategorieRow {
    pub id: i64,
    #[diesel(embed)]
    pub data: CategorieData,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = categorie_relaties, treat_none_as_null = true)]
pub struct CategorieRelatieData {
    pub uuid: String,
    pub partij_id: Option<i64>,
    pub categorie_id: Option<i64>,
    pub begin_datum: Option<Date>,
    pub eind_datum: Option<Date>,
    pub created_at: PrimitiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = categorie_relaties)]
pub struct CategorieRelatieRow {
    pub id: i64,
    #[diesel(embed)]
    pub data: CategorieRelatieData,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = contactgegevens_personen, treat_none_as_null = true)]
pub struct PersoonData {
    pub uuid: String,
    pub geboortedatum: Date,
    pub overlijdensdatum: Option<Date>,
    pub geslachtsnaam: String,
    pub geslacht: String,
    pub voorvoegsel: String,
    pub voornamen: String,
    #[diesel(embed)]
    pub adres: PersoonAdres,
    pub created_at: PrimitiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = contactgegevens_personen)]
pub struct PersoonRow {
    pub id: i64,
    #[diesel(embed)]
    pub data: PersoonData,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = contactgegevens_organisaties, treat_none_as_null = true)]
pub struct OrganisatieData {
    pub uuid: String,
    pub handelsnaam: String,
    pub oprichtingsdatum: Option<Date>,
    pub opheffingsdatum: Option<Date>,
    #[diesel(embed)]
    pub adres: OrganisatieAdres,
    pub created_at: PrimitiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = contactgegevens_organisaties)]
pub struct OrganisatieRow {
    pub id: i64,
    #[diesel(embed)]
    pub data: OrganisatieData,
}
