//! Rows as stored: one data struct per table, read, inserted and written back whole.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::schema::{
    actoren, actorklantcontacten, betrokkenen, bijlagen, klantcontacten, onderwerpobjecten,
};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = klantcontacten, treat_none_as_null = true)]
pub struct KlantcontactData {
    pub uuid: String,
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
    pub plaatsgevonden_op: PrimitiveDateTime,
    /// A JSON object of strings.
    pub metadata: String,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = klantcontacten)]
pub struct KlantcontactRow {
    pub id: i64,
    #[diesel(embed)]
    pub data: KlantcontactData,
}

platform::adres_columns!(
    Bezoekadres,
    betrokkenen,
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
    betrokkenen,
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

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = betrokkenen, treat_none_as_null = true)]
pub struct BetrokkeneData {
    pub uuid: String,
    pub klantcontact_id: i64,
    /// The partij in the relatiebeheer register this betrokkene was, if known.
    pub partij_uuid: Option<String>,
    #[diesel(embed)]
    pub bezoekadres: Bezoekadres,
    #[diesel(embed)]
    pub correspondentieadres: Correspondentieadres,
    pub voorletters: String,
    pub voornaam: String,
    pub voorvoegsel_achternaam: String,
    pub achternaam: String,
    pub rol: String,
    pub organisatienaam: String,
    pub initiator: bool,
    pub created_at: PrimitiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = betrokkenen)]
pub struct BetrokkeneRow {
    pub id: i64,
    #[diesel(embed)]
    pub data: BetrokkeneData,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = onderwerpobjecten, treat_none_as_null = true)]
pub struct OnderwerpobjectData {
    pub uuid: String,
    pub klantcontact_id: Option<i64>,
    pub was_klantcontact_id: Option<i64>,
    pub identificator_object_id: String,
    pub identificator_code_objecttype: String,
    pub identificator_code_register: String,
    pub identificator_code_soort_object_id: String,
    pub created_at: PrimitiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = onderwerpobjecten)]
pub struct OnderwerpobjectRow {
    pub id: i64,
    #[diesel(embed)]
    pub data: OnderwerpobjectData,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = bijlagen, treat_none_as_null = true)]
pub struct BijlageData {
    pub uuid: String,
    pub klantcontact_id: Option<i64>,
    pub identificator_object_id: String,
    pub identificator_code_objecttype: String,
    pub identificator_code_register: String,
    pub identificator_code_soort_object_id: String,
    pub created_at: PrimitiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = bijlagen)]
pub struct BijlageRow {
    pub id: i64,
    #[diesel(embed)]
    pub data: BijlageData,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = actoren, treat_none_as_null = true)]
pub struct ActorData {
    pub uuid: String,
    pub naam: String,
    pub soort_actor: String,
    pub indicatie_actief: bool,
    pub identificator_object_id: String,
    pub identificator_code_objecttype: String,
    pub identificator_code_register: String,
    pub identificator_code_soort_object_id: String,
    /// The soort `actorIdentificatie` was written for; `None`: there is none.
    pub identificatie_soort: Option<String>,
    pub functie: String,
    pub emailadres: String,
    pub telefoonnummer: String,
    pub omschrijving: String,
    pub faxnummer: String,
    pub created_at: PrimitiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = actoren)]
pub struct ActorRow {
    pub id: i64,
    #[diesel(embed)]
    pub data: ActorData,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = actorklantcontacten)]
pub struct ActorKlantcontactData {
    pub uuid: String,
    pub actor_id: i64,
    pub klantcontact_id: i64,
    pub created_at: PrimitiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = actorklantcontacten)]
pub struct ActorKlantcontactRow {
    pub id: i64,
    #[diesel(embed)]
    pub data: ActorKlantcontactData,
}
