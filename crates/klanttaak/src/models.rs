use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::schema::internetaken;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = internetaken, treat_none_as_null = true)]
pub struct InternetaakData {
    pub uuid: String,
    pub nummer: Option<String>,
    pub referentienummer: Option<String>,
    pub gevraagde_handeling: String,
    /// The klantcontact in the klantcontacten register that led to the task.
    pub klantcontact_uuid: String,
    pub toelichting: String,
    pub status: String,
    pub toegewezen_op: PrimitiveDateTime,
    pub afgehandeld_op: Option<PrimitiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = internetaken)]
pub struct InternetaakRow {
    pub id: i64,
    #[diesel(embed)]
    pub data: InternetaakData,
}
