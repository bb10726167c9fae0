//! `/klantcontacten`: every contact with a customer, newest `plaatsgevondenOp` first, with the
//! read-only lists of who took part, what it was about, its attachments and the actors.
//!
//! - [`body`]: reading, checking and storing a body;
//! - [`filters`]: the list's filters;
//! - [`view`]: the representation and its `_expand`;
//! - [`delete`]: what goes with a deleted klantcontact.

mod body;
mod delete;
mod filters;
mod view;

use platform::audit::Who;
use platform::crud::Crud;
use platform::db::DbConnection;
use platform::error::ApiError;
use platform::input::Mode;
use platform::query::Query;
use platform::ApiResult;
use reference::{ApiUrls, Resource};
use serde_json::{Map, Value};

pub use body::store;
pub use delete::delete_row;
pub use view::KlantcontactView;

use crate::betrokkenen::Fate;
use crate::models::KlantcontactRow;
use crate::schema::klantcontacten as k;
use crate::Register;
use filters::{filtered, Filters};

pub struct Klantcontacten;

/// The kanaal klantcontacten are notified on (by their own endpoints and maak-klantcontact).
pub const KANAAL: platform::outbound::Kanaal = platform::outbound::Kanaal {
    kanaal: "klantcontacten",
    resource: "klantcontact",
    kenmerken: &[
        "hoofdOnderwerpType",
        "indicatieContactGelukt",
        "verdereActieOndernomen",
    ],
};

impl Crud for Klantcontacten {
    type State = Register;
    type Row = KlantcontactRow;
    type View = KlantcontactView;
    type Filters = Filters;

    const KANAAL: Option<platform::outbound::Kanaal> = Some(KANAAL);

    fn allow_change(state: &Register, row: &KlantcontactRow, who: &Who) -> ApiResult<()> {
        let crate::Corrections::After(grace) = state.corrections else {
            return Ok(());
        };
        if !who.toelichting.is_empty() || platform::time::now() - row.data.created_at < grace {
            return Ok(());
        }
        Err(ApiError::invalid(
            platform::audit::REASON_HEADER,
            "required",
            format!(
                "Dit klantcontact is meer dan {} uur geleden geregistreerd: een wijziging is nu een correctie en vraagt een toelichting in de header X-Audit-Toelichting.",
                grace.whole_hours()
            ),
        ))
    }

    const REACHES: &'static [(&'static str, reference::Register)] = &[
        (
            "hadBetrokkene__wasPartij__partijIdentificator__",
            reference::Register::Relatiebeheer,
        ),
        (
            "hadBetrokkene__digitaaladres__adres__icontains",
            reference::Register::Relatiebeheer,
        ),
        // Answered from the read model of klanttaak's internetaken.
        ("leiddeTotInterneTaken", reference::Register::Klanttaak),
    ];
    const REMOTE_EXPAND: &'static [(&'static str, Resource)] = &[
        ("leiddeTotInterneTaken", Resource::Internetaken),
        ("hadBetrokkenen.wasPartij", Resource::Partijen),
        (
            "hadBetrokkenen.digitaleAdressen",
            Resource::Digitaleadressen,
        ),
    ];

    const FILTERS: &'static [&'static str] = &[
        "kanaal",
        "onderwerp",
        "inhoud",
        "reactie",
        "nummer",
        "referentienummer",
        "indicatieContactGelukt",
        "vertrouwelijk",
        "plaatsgevondenOp",
        "hadBetrokkene__uuid",
        "hadBetrokkene__url",
        "hadBetrokkene__wasPartij",
        "hadBetrokkene__wasPartij__uuid",
        "hadBetrokkene__wasPartij__url",
        "hadBetrokkene__wasPartij__partijIdentificator__codeObjecttype",
        "hadBetrokkene__wasPartij__partijIdentificator__codeSoortObjectId",
        "hadBetrokkene__wasPartij__partijIdentificator__objectId",
        "hadBetrokkene__wasPartij__partijIdentificator__codeRegister",
        "hadBetrokkene__digitaaladres__adres__icontains",
        "leiddeTotInterneTaken",
        "onderwerpobject__uuid",
        "onderwerpobject__url",
        "onderwerpobject__onderwerpobjectidentificatorObjectId",
        "onderwerpobject__onderwerpobjectidentificatorCodeObjecttype",
        "onderwerpobject__onderwerpobjectidentificatorCodeRegister",
        "onderwerpobject__onderwerpobjectidentificatorCodeSoortObjectId",
        "wasOnderwerpobject__uuid",
        "wasOnderwerpobject__url",
        "wasOnderwerpobject__onderwerpobjectidentificatorObjectId",
        "wasOnderwerpobject__onderwerpobjectidentificatorCodeObjecttype",
        "wasOnderwerpobject__onderwerpobjectidentificatorCodeRegister",
        "wasOnderwerpobject__onderwerpobjectidentificatorCodeSoortObjectId",
    ];
    const EXPAND: &'static [&'static str] = &[
        "hadBetrokkenen",
        "hadBetrokkenen.wasPartij",
        "hadBetrokkenen.digitaleAdressen",
        "leiddeTotInterneTaken",
        "gingOverOnderwerpobjecten",
        "omvatteBijlagen",
    ];

    fn collection(urls: &ApiUrls) -> String {
        urls.collection(Resource::Klantcontacten)
    }

    fn parse_filters(query: &Query) -> ApiResult<Filters> {
        filters::parse(query)
    }

    async fn prepare(state: &Register, origin: &str, filters: &mut Filters) -> ApiResult<()> {
        filters::prepare(state, origin, filters).await
    }

    platform::crud_queries!(
        k,
        KlantcontactRow,
        filtered,
        (k::plaatsgevonden_op.desc(), k::id.desc()),
        counted as "klantcontacten"
    );

    fn save(
        conn: &mut DbConnection,
        body: &Map<String, Value>,
        mode: Mode,
        existing: Option<KlantcontactRow>,
    ) -> ApiResult<KlantcontactRow> {
        store(conn, body, mode, existing, "")
    }

    fn delete(conn: &mut DbConnection, row: KlantcontactRow) -> ApiResult<()> {
        delete_row(conn, row.id, Fate::Deleted)
    }

    fn render(
        conn: &mut DbConnection,
        urls: &ApiUrls,
        rows: &[KlantcontactRow],
    ) -> ApiResult<Vec<KlantcontactView>> {
        view::render(conn, urls, rows)
    }

    fn expand(
        conn: &mut DbConnection,
        urls: &ApiUrls,
        rows: &[KlantcontactRow],
        requested: &[String],
    ) -> ApiResult<Vec<Map<String, Value>>> {
        view::expand(conn, urls, rows, requested)
    }
}
