//! The five handlers every plain resource has (list, create, read, update, delete), written
//! once. A resource says how to filter, find, save, delete and render its rows (the [`Crud`]
//! trait); the handlers add unknown-parameter checks, pagination, transactions, the records every
//! write leaves and the answers' shapes.
//!
//! - [`handlers`]: the handlers, and [`post`], the one way a POST writes;
//! - [`records`]: what a write leaves besides its rows ([`Recorder`]);
//! - [`render`]: rows as the API shows them, with `_expand`;
//! - [`references`]: what a body points at in other registers, and filters answered there;
//! - [`remote`]: `_expand` relations another register serves;
//! - [`macros`]: routes and the common queries;
//! - [`counts`]: the counts of tables that grow large, kept by triggers.

mod counts;
mod handlers;
mod macros;
mod records;
mod references;
mod remote;
mod render;

pub use counts::counted;
pub use handlers::{change, create, delete, list, post, read, update};
pub use records::Recorder;
pub use references::{referenced, remote_search, settle, uuids_at, verify};
pub use render::render_values;

pub use crate::register::RegisterState;

use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::db::DbConnection;
use crate::input::Mode;
use crate::query::Query;
use crate::ApiResult;

/// A resource served by the generic handlers.
pub trait Crud: 'static {
    type State: RegisterState;
    type Row: Send + 'static;
    type View: Serialize + Send + 'static;
    type Filters: Send + 'static;

    /// The list URL of the resource, for `next`/`previous` links.
    fn collection(urls: &reference::ApiUrls) -> String;
    /// The query parameters the list knows (besides `page` and `pageSize`).
    const FILTERS: &'static [&'static str];

    fn parse_filters(query: &Query) -> ApiResult<Self::Filters>;
    fn count(conn: &mut DbConnection, filters: &Self::Filters) -> ApiResult<i64>;
    /// A page of rows, newest first.
    fn page(
        conn: &mut DbConnection,
        filters: &Self::Filters,
        offset: i64,
        limit: i64,
    ) -> ApiResult<Vec<Self::Row>>;
    fn find(conn: &mut DbConnection, uuid: Uuid) -> ApiResult<Option<Self::Row>>;
    /// Validates and stores a body (a new row when `existing` is `None`); returns the row.
    fn save(
        conn: &mut DbConnection,
        body: &Map<String, Value>,
        mode: Mode,
        existing: Option<Self::Row>,
    ) -> ApiResult<Self::Row>;
    fn delete(conn: &mut DbConnection, row: Self::Row) -> ApiResult<()>;

    /// Deletes a row the way the request asks (`?cascade=true` on onderwerpobjecten): what else
    /// the delete removed is recorded and notified like the row itself. Most resources only
    /// [`Crud::delete`].
    fn remove(
        conn: &mut DbConnection,
        _urls: &reference::ApiUrls,
        row: Self::Row,
        _query: &Query,
    ) -> ApiResult<Removal> {
        Self::delete(conn, row)?;
        Ok(Removal::default())
    }
    fn render(
        conn: &mut DbConnection,
        urls: &reference::ApiUrls,
        rows: &[Self::Row],
    ) -> ApiResult<Vec<Self::View>>;

    /// The body's references into other registers, as (field, the resource it points at, the
    /// kind of object an error names): checked before anything is written ([`verify`]; a
    /// register that cannot be reached makes the write fail with 503), the unknown ones
    /// reported with the body's other errors in the order of [`Crud::FIELDS`].
    const REFERENCES: &'static [(&'static str, reference::Resource, &'static str)] = &[];

    /// The body's top-level fields in the order the reference declares them, for ordering
    /// errors of [`Crud::REFERENCES`] among the others; only resources with references into
    /// other registers need it.
    const FIELDS: &'static [&'static str] = &[];

    /// Completes filters that reach into another register by asking it (one call per filter),
    /// after they were parsed and before the page is read.
    fn prepare(
        _state: &Self::State,
        _origin: &str,
        _filters: &mut Self::Filters,
    ) -> impl std::future::Future<Output = ApiResult<()>> {
        async { Ok(()) }
    }

    /// The `_expand` relations another register serves, as (path as asked, the resource the
    /// reference at its end points at), parents before children: fetched after the page was
    /// read, one call per relation. A caller must be allowed to read the register that owns
    /// the resource.
    const REMOTE_EXPAND: &'static [(&'static str, reference::Resource)] = &[];

    /// The filters that answer with (or test facts of) another register's data: a caller must
    /// be allowed to read that register too. A name ending in `__` stands for every filter
    /// that starts with it.
    const REACHES: &'static [(&'static str, reference::Register)] = &[];

    /// The `expand` values the resource knows; none for most.
    const EXPAND: &'static [&'static str] = &[];

    /// The kanaal its writes are notified on (partijen, klantcontacten, internetaken); none
    /// for most.
    const KANAAL: Option<crate::outbound::Kanaal> = None;

    /// Refuses an update or delete the resource's rules do not allow now (a late correction of
    /// a klantcontact without a reason); checked in the write's transaction.
    fn allow_change(
        _state: &Self::State,
        _row: &Self::Row,
        _who: &crate::audit::Who,
    ) -> ApiResult<()> {
        Ok(())
    }

    /// Events of a write besides its notificatie (the zaak CloudEvents of onderwerpobjecten),
    /// stored in its transaction; `before` and `after` are the object as rendered (`None` when
    /// created or deleted).
    fn announce(
        _conn: &mut DbConnection,
        _outside: crate::outbound::Outside,
        _before: Option<&Value>,
        _after: Option<&Value>,
    ) -> ApiResult<()> {
        Ok(())
    }

    /// The `_expand` object of each row, for the requested relations.
    fn expand(
        _conn: &mut DbConnection,
        _urls: &reference::ApiUrls,
        rows: &[Self::Row],
        _requested: &[String],
    ) -> ApiResult<Vec<Map<String, Value>>> {
        Ok(rows.iter().map(|_| Map::new()).collect())
    }
}

/// What a delete took along, and what it answers.
#[derive(Default)]
pub struct Removal {
    /// Objects of other resources it removed, as they were before.
    pub also: Vec<Removed>,
    /// The answer's body (`{"behouden": […]}`); none is 204 No Content.
    pub answer: Option<Value>,
}

/// An object a delete removed with the one asked for.
pub struct Removed {
    /// Its collection (`klantcontacten`), for the audit trail.
    pub resource: &'static str,
    /// Its kanaal, when its resource's writes are notified.
    pub kanaal: Option<crate::outbound::Kanaal>,
    /// The object as a GET showed it.
    pub before: Value,
}
