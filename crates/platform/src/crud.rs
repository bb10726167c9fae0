//! The five handlers every plain resource has (list, create, read, replace/patch, delete), written
//! once. A resource says how to filter, find, save, delete and render its rows; the handlers add
//! unknown-parameter checks, pagination, transactions and the answers' shapes.

use actix_web::{web, HttpResponse};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::db::DbConnection;
use crate::error::{ApiError, InvalidParam};
use crate::http::{created, no_content, ok, path_uuid, Urls};
use crate::idempotency::Outcome;
use crate::input::Mode;
use crate::json::JsonBody;
use crate::pagination::PageRequest;
use crate::query::Query;
use crate::ApiResult;

pub use crate::register::RegisterState;

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

    /// Checks what the body points at in other registers, before anything is written (a
    /// register that cannot be reached makes the write fail with 503).
    /// Answers the references that point at nothing, to be reported with the body's other
    /// errors in the order of [`Crud::FIELDS`].
    fn verify(
        _state: &Self::State,
        _body: &Map<String, Value>,
    ) -> impl std::future::Future<Output = ApiResult<Vec<InvalidParam>>> {
        async { Ok(Vec::new()) }
    }

    /// The body's top-level fields in the order the reference declares them, for ordering
    /// errors of [`Crud::verify`] among the others; only resources with references into other
    /// registers need it.
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

    /// Adds to `_expand` what lives in another register, fetched in one call per relation after
    /// the page was read.
    fn expand_remote(
        _state: &Self::State,
        _origin: &str,
        _requested: &[String],
        _values: &mut [Value],
    ) -> impl std::future::Future<Output = ApiResult<()>> {
        async { Ok(()) }
    }

    /// The filters and `expand` values that answer with (or test facts of) another register's
    /// data: a caller must be allowed to read that register too.
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

/// Renders rows, with `_expand` when `expand` is `Some` (lists of expandable resources always
/// carry it; a detail only when a top-level relation was asked for).
fn render_with<R: Crud>(
    conn: &mut DbConnection,
    urls: &reference::ApiUrls,
    rows: &[R::Row],
    expand: Option<&[String]>,
) -> ApiResult<Vec<Value>> {
    let views = R::render(conn, urls, rows)?;
    let mut values: Vec<Value> = views
        .iter()
        .map(|v| serde_json::to_value(v).map_err(|e| ApiError::Internal(e.into())))
        .collect::<ApiResult<_>>()?;
    if let Some(requested) = expand {
        // Nothing asked for is an empty `_expand`, without a query.
        let expansions = if requested.is_empty() {
            rows.iter().map(|_| Map::new()).collect()
        } else {
            R::expand(conn, urls, rows, requested)?
        };
        for (value, expanded) in values.iter_mut().zip(expansions) {
            if let Value::Object(map) = value {
                map.insert("_expand".into(), Value::Object(expanded));
            }
        }
    }
    Ok(values)
}

fn known_on_list<R: Crud>() -> Vec<&'static str> {
    let mut known = R::FILTERS.to_vec();
    if !R::EXPAND.is_empty() {
        known.push("expand");
    }
    known
}

fn render_one<R: Crud>(
    conn: &mut DbConnection,
    urls: &reference::ApiUrls,
    row: R::Row,
) -> ApiResult<R::View> {
    R::render(conn, urls, std::slice::from_ref(&row))?
        .pop()
        .ok_or_else(ApiError::not_found)
}

fn found<R: Crud>(conn: &mut DbConnection, uuid: Uuid) -> ApiResult<R::Row> {
    R::find(conn, uuid)?.ok_or_else(ApiError::not_found)
}

/// Rows rendered as JSON values (for another register's `expand`).
pub fn render_values<R: Crud>(
    conn: &mut DbConnection,
    urls: &reference::ApiUrls,
    rows: &[R::Row],
) -> ApiResult<Vec<Value>> {
    R::render(conn, urls, rows)?.iter().map(as_value).collect()
}

fn as_value<T: Serialize>(view: &T) -> ApiResult<Value> {
    serde_json::to_value(view).map_err(|e| ApiError::Internal(e.into()))
}

/// The object as a GET shows it (the audit trail keeps it as the state before a change).
fn before<R: Crud>(
    conn: &mut DbConnection,
    urls: &reference::ApiUrls,
    row: &R::Row,
) -> ApiResult<Option<Value>> {
    match R::render(conn, urls, std::slice::from_ref(row))?.first() {
        Some(view) => Ok(Some(as_value(view)?)),
        None => Ok(None),
    }
}

/// The collection's name (`partijen`), as the audit trail knows it.
fn resource_name<R: Crud>(urls: &reference::ApiUrls) -> String {
    let collection = R::collection(urls);
    collection.rsplit('/').next().unwrap_or_default().to_owned()
}

/// What a write's records need besides the write: who makes it, and who outside listens.
#[derive(Debug, Clone)]
pub struct Recorder {
    pub who: crate::audit::Who,
    pub outside: crate::outbound::Outside,
}

impl Recorder {
    pub fn new<S: RegisterState>(state: &S, who: crate::audit::Who) -> Self {
        Self {
            who,
            outside: state.shared().outside,
        }
    }

    /// Stores what every write leaves behind besides the row: its audit record and, for a
    /// resource with a kanaal, its notificatie. The generic handlers call it for every write; a
    /// handler that writes several resources at once (`maak-klantcontact`) calls it for each.
    pub fn record(
        &self,
        conn: &mut DbConnection,
        resource: &str,
        kanaal: Option<crate::outbound::Kanaal>,
        actie: crate::outbound::Actie,
        before: Option<&Value>,
        after: Option<&Value>,
    ) -> ApiResult<()> {
        crate::audit::change(conn, &self.who, resource, actie, before, after)?;
        if let (Some(kanaal), Some(object)) = (kanaal, after.or(before)) {
            crate::events::notify(conn, self.outside, &kanaal, actie, object)?;
        }
        Ok(())
    }

    /// [`Recorder::record`] for a write of `R`, with the resource's own events
    /// ([`Crud::announce`]).
    fn record_write<R: Crud>(
        &self,
        conn: &mut DbConnection,
        urls: &reference::ApiUrls,
        actie: crate::outbound::Actie,
        before: Option<&Value>,
        after: Option<&Value>,
    ) -> ApiResult<()> {
        let resource = resource_name::<R>(urls);
        self.record(conn, &resource, R::KANAAL, actie, before, after)?;
        R::announce(conn, self.outside, before, after)
    }
}

/// Refuses a filter or expansion into a register the caller may not read (else a token could
/// test facts of that register through this one).
fn check_reach<R: Crud>(
    caller: &crate::auth::Caller,
    query: &Query,
    expand: &[String],
) -> ApiResult<()> {
    let named = |name: &str| {
        query
            .pairs()
            .iter()
            .any(|(k, v)| k == name && !v.is_empty())
            || expand.iter().any(|e| e == name)
    };
    let refused = R::REACHES
        .iter()
        .any(|(name, register)| named(name) && !caller.scopes.allows(*register, false));
    if refused {
        Err(ApiError::PermissionDenied)
    } else {
        Ok(())
    }
}

pub async fn list<R: Crud>(
    state: web::Data<R::State>,
    Urls(urls): Urls,
    caller: crate::auth::Caller,
    query: Query,
) -> ApiResult<HttpResponse> {
    query.reject_unknown(&known_on_list::<R>())?;
    let expand = query.expand(R::EXPAND)?;
    check_reach::<R>(&caller, &query, &expand)?;
    let page = PageRequest::from_query(&query)?;
    let mut filters = R::parse_filters(&query)?;
    let requested = expand.clone();
    let origin = urls.origin().to_owned();
    R::prepare(&state, &origin, &mut filters).await?;
    let mut body = state
        .db()
        .read(move |conn| {
            let page = page.resolve(R::count(conn, &filters)?)?;
            let rows = R::page(conn, &filters, page.offset(), page.limit())?;
            let expand = (!R::EXPAND.is_empty()).then_some(expand.as_slice());
            let results = render_with::<R>(conn, &urls, &rows, expand)?;
            Ok(page.body(&R::collection(&urls), &query, results))
        })
        .await?;
    if !requested.is_empty() {
        R::expand_remote(&state, &origin, &requested, &mut body.results).await?;
    }
    ok(&body)
}

pub async fn read<R: Crud>(
    state: web::Data<R::State>,
    Urls(urls): Urls,
    caller: crate::auth::Caller,
    path: web::Path<String>,
    query: Query,
) -> ApiResult<HttpResponse> {
    // Expandable resources know `expand` on detail; the others know their list filters there
    // too, as the reference does (accepted, not applied).
    if R::EXPAND.is_empty() {
        query.reject_unknown(R::FILTERS)?;
    } else {
        query.reject_unknown(&["expand"])?;
    }
    let expand = query.expand(R::EXPAND)?;
    check_reach::<R>(&caller, &query, &expand)?;
    let uuid = path_uuid(&path)?;
    let requested = expand.clone();
    let origin = urls.origin().to_owned();
    let mut view = state
        .db()
        .read(move |conn| {
            let row = found::<R>(conn, uuid)?;
            let expand = expand
                .iter()
                .any(|e| !e.contains('.'))
                .then_some(expand.as_slice());
            render_with::<R>(conn, &urls, std::slice::from_ref(&row), expand)?
                .pop()
                .ok_or_else(ApiError::not_found)
        })
        .await?;
    if requested.iter().any(|e| !e.contains('.')) {
        R::expand_remote(&state, &origin, &requested, std::slice::from_mut(&mut view)).await?;
    }
    ok(&view)
}

/// `PUT` and `PATCH`.
async fn update<R: Crud>(
    state: web::Data<R::State>,
    urls: reference::ApiUrls,
    who: crate::audit::Who,
    uuid: Uuid,
    body: JsonBody,
    mode: Mode,
) -> ApiResult<R::View> {
    let body = body.into_object()?;
    let unknown = R::verify(&state, &body).await?;
    let rules = state.get_ref().clone();
    let recorder = Recorder::new(state.get_ref(), who);
    let view = state
        .db()
        .write(move |conn| {
            let existing = found::<R>(conn, uuid)?;
            R::allow_change(&rules, &existing, &recorder.who)?;
            let previous = before::<R>(conn, &urls, &existing)?;
            let row = settle(
                R::save(conn, &body, mode, Some(existing)),
                unknown,
                R::FIELDS,
            )?;
            let view = render_one::<R>(conn, &urls, row)?;
            let actie = match mode {
                Mode::Replace => crate::outbound::Actie::Update,
                _ => crate::outbound::Actie::PartialUpdate,
            };
            let after = as_value(&view)?;
            recorder.record_write::<R>(conn, &urls, actie, previous.as_ref(), Some(&after))?;
            Ok(view)
        })
        .await?;
    state.written().await;
    Ok(view)
}

/// `POST`: a new object.
pub async fn create<R: Crud>(
    state: web::Data<R::State>,
    Urls(urls): Urls,
    caller: crate::auth::Caller,
    key: crate::idempotency::IdempotencyKey,
    who: crate::audit::Who,
    req: actix_web::HttpRequest,
    body: JsonBody,
) -> ApiResult<HttpResponse> {
    let body = body.into_object()?;
    let recorder = Recorder::new(state.get_ref(), who);
    let outcome = post(
        state.get_ref(),
        &caller,
        key,
        req.path(),
        body,
        async |body| R::verify(&state, body).await,
        move |conn, body, unknown| {
            let saved = R::save(conn, body, Mode::Create, None);
            let row = settle(saved, unknown, R::FIELDS)?;
            let view = as_value(&render_one::<R>(conn, &urls, row)?)?;
            let actie = crate::outbound::Actie::Create;
            recorder.record_write::<R>(conn, &urls, actie, None, Some(&view))?;
            Ok(view)
        },
    )
    .await?;
    match outcome {
        Outcome::Fresh(view) => {
            let location = view.get("url").and_then(Value::as_str).unwrap_or_default();
            created(&view, location)
        }
        Outcome::Replayed(answer) => Ok(answer.response()),
    }
}

/// The one way a POST writes: with an `Idempotency-Key` a repeated request gets the first
/// answer (without checking or writing anything again); else the body's references into other
/// registers are checked (`verify`, answering the unknown ones), `work` runs in one transaction
/// with its idempotency record, and the register's relay is woken.
pub async fn post<S: RegisterState>(
    state: &S,
    caller: &crate::auth::Caller,
    key: crate::idempotency::IdempotencyKey,
    path: &str,
    body: Map<String, Value>,
    verify: impl AsyncFnOnce(&Map<String, Value>) -> ApiResult<Vec<InvalidParam>>,
    work: impl FnOnce(&mut DbConnection, &Map<String, Value>, Vec<InvalidParam>) -> ApiResult<Value>
        + Send
        + 'static,
) -> ApiResult<Outcome> {
    use crate::idempotency;
    let claim = key.claim(caller, path, &body);
    if let Some(answer) = idempotency::answered(state.db(), claim.as_ref()).await? {
        return Ok(Outcome::Replayed(answer));
    }
    let unknown = verify(&body).await?;
    let stored = claim.clone();
    let outcome = state
        .db()
        .write(move |conn| {
            idempotency::once(conn, stored.as_ref(), |conn| work(conn, &body, unknown))
        })
        .await;
    state.written().await;
    idempotency::settle(state.db(), claim, outcome).await
}

pub async fn replace<R: Crud>(
    state: web::Data<R::State>,
    Urls(urls): Urls,
    who: crate::audit::Who,
    path: web::Path<String>,
    body: JsonBody,
) -> ApiResult<HttpResponse> {
    let uuid = path_uuid(&path)?;
    ok(&update::<R>(state, urls, who, uuid, body, Mode::Replace).await?)
}

pub async fn patch<R: Crud>(
    state: web::Data<R::State>,
    Urls(urls): Urls,
    who: crate::audit::Who,
    path: web::Path<String>,
    body: JsonBody,
) -> ApiResult<HttpResponse> {
    let uuid = path_uuid(&path)?;
    ok(&update::<R>(state, urls, who, uuid, body, Mode::Patch).await?)
}

pub async fn delete<R: Crud>(
    state: web::Data<R::State>,
    Urls(urls): Urls,
    who: crate::audit::Who,
    path: web::Path<String>,
    query: Query,
) -> ApiResult<HttpResponse> {
    let uuid = path_uuid(&path)?;
    let rules = state.get_ref().clone();
    let recorder = Recorder::new(state.get_ref(), who);
    let answer = state
        .db()
        .write(move |conn| {
            let row = found::<R>(conn, uuid)?;
            R::allow_change(&rules, &row, &recorder.who)?;
            let previous = before::<R>(conn, &urls, &row)?;
            // The resource's own events first: they may describe what the delete removes.
            R::announce(conn, recorder.outside, previous.as_ref(), None)?;
            let removal = R::remove(conn, &urls, row, &query)?;
            let destroy = crate::outbound::Actie::Destroy;
            let resource = resource_name::<R>(&urls);
            recorder.record(conn, &resource, R::KANAAL, destroy, previous.as_ref(), None)?;
            for gone in &removal.also {
                let before = Some(&gone.before);
                recorder.record(conn, gone.resource, gone.kanaal, destroy, before, None)?;
            }
            Ok(removal.answer)
        })
        .await?;
    state.written().await;
    match answer {
        None => Ok(no_content()),
        Some(body) => ok(&body),
    }
}

/// Registers the list and detail routes of a CRUD resource: GET/HEAD/POST/OPTIONS on the list,
/// GET/HEAD/PUT/PATCH/DELETE/OPTIONS on the detail, 405 for anything else.
#[macro_export]
macro_rules! crud_routes {
    ($cfg:expr, $path:literal, $state:ty, $list:expr, $create:expr, $read:expr, $replace:expr, $patch:expr, $delete:expr) => {{
        use actix_web::web;
        $cfg.service(
            web::resource($path)
                .route(web::get().to($list))
                .route(web::head().to($list))
                .route(web::post().to($create))
                .route(web::method(actix_web::http::Method::OPTIONS).to($crate::http::options))
                .default_service(web::to($crate::http::method_not_allowed)),
        )
        .service(
            web::resource(concat!($path, "/{uuid}"))
                .route(web::get().to($read))
                .route(web::head().to($read))
                .route(web::put().to($replace))
                .route(web::patch().to($patch))
                .route(web::delete().to($delete))
                .route(web::method(actix_web::http::Method::OPTIONS).to($crate::http::options))
                .default_service(web::to($crate::http::method_not_allowed)),
        )
        .service(
            web::resource(concat!($path, "/{uuid}/audittrail"))
                .route(web::get().to($crate::audit::trail::<$state>))
                .route(web::head().to($crate::audit::trail::<$state>))
                .route(web::method(actix_web::http::Method::OPTIONS).to($crate::http::options))
                .default_service(web::to($crate::http::method_not_allowed)),
        );
    }};
}

/// The objects among `$uuids` of a resource, rendered, for [`RegisterState::objects`]:
/// `objects_by_uuid!(conn, urls, resource, uuids, { Partijen => (partijen, Partijen), ... })`
/// with each table's schema module and resource type in scope.
#[macro_export]
macro_rules! objects_by_uuid {
    ($conn:expr, $urls:expr, $resource:expr, $uuids:expr,
     { $($variant:ident => ($table:ident, $crud:ty)),* $(,)? }) => {{
        use diesel::prelude::*;
        match $resource {
            $(reference::Resource::$variant => {
                let rows = $table::table
                    .filter($table::uuid.eq_any($uuids))
                    .select(<<$crud as $crate::crud::Crud>::Row>::as_select())
                    .load($conn)?;
                $crate::crud::render_values::<$crud>($conn, $urls, &rows)?
            })*
            _ => Vec::new(),
        }
    }};
}

/// The `count`, `page` and `find` of a [`Crud`] impl whose list is `$filtered(&filters)` (a
/// boxed query of `$table`) ordered by `$order`, with rows of type `$row`:
/// `platform::crud_queries!(bijlagen, BijlageRow, filtered, bijlagen::id.desc());`
#[macro_export]
macro_rules! crud_queries {
    ($table:ident, $row:ty, $filtered:expr, $order:expr) => {
        fn count(
            conn: &mut $crate::db::DbConnection,
            filters: &Self::Filters,
        ) -> $crate::ApiResult<i64> {
            use diesel::prelude::*;
            Ok($filtered(filters).count().get_result(conn)?)
        }

        fn page(
            conn: &mut $crate::db::DbConnection,
            filters: &Self::Filters,
            offset: i64,
            limit: i64,
        ) -> $crate::ApiResult<Vec<$row>> {
            use diesel::prelude::*;
            Ok($filtered(filters)
                .order($order)
                .offset(offset)
                .limit(limit)
                .select(<$row>::as_select())
                .load(conn)?)
        }

        fn find(
            conn: &mut $crate::db::DbConnection,
            uuid: uuid::Uuid,
        ) -> $crate::ApiResult<Option<$row>> {
            use diesel::prelude::*;
            Ok($table::table
                .filter($table::uuid.eq(uuid.to_string()))
                .select(<$row>::as_select())
                .first(conn)
                .optional()?)
        }
    };
}

/// Registers a resource's routes under `path` (`/rekeningnummers`).
#[macro_export]
macro_rules! crud_resource {
    ($cfg:expr, $path:literal, $resource:ty) => {
        $crate::crud_routes!(
            $cfg,
            $path,
            <$resource as $crate::crud::Crud>::State,
            $crate::crud::list::<$resource>,
            $crate::crud::create::<$resource>,
            $crate::crud::read::<$resource>,
            $crate::crud::replace::<$resource>,
            $crate::crud::patch::<$resource>,
            $crate::crud::delete::<$resource>
        )
    };
}

/// The references a body makes into other registers, checked together: one call per register
/// however many there are, and every unknown one reported (in [`settle`]).
#[derive(Default)]
pub struct References {
    wanted: Vec<(String, reference::Resource, Uuid, &'static str)>,
}

impl References {
    /// `body[field]`, a reference object or a list of them, named `{prefix}{field}[.i].uuid` in
    /// an error; `model` names the kind of object in its message. What is no valid reference is
    /// left for the body's validation to report.
    pub fn add(
        mut self,
        body: &Map<String, Value>,
        prefix: &str,
        field: &str,
        resource: reference::Resource,
        model: &'static str,
    ) -> Self {
        let uuid_of = |r: &Value| {
            r.get("uuid")
                .and_then(Value::as_str)
                .and_then(|s| Uuid::parse_str(s.trim()).ok())
        };
        match body.get(field) {
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    if let Some(uuid) = uuid_of(item) {
                        let name = format!("{prefix}{field}.{i}.uuid");
                        self.wanted.push((name, resource, uuid, model));
                    }
                }
            }
            Some(item @ Value::Object(_)) => {
                if let Some(uuid) = uuid_of(item) {
                    let name = format!("{prefix}{field}.uuid");
                    self.wanted.push((name, resource, uuid, model));
                }
            }
            _ => {}
        }
        self
    }

    /// The references whose object does not exist, as errors (a register that cannot be
    /// reached is a 503).
    pub async fn check(self, resolver: &reference::Resolver) -> ApiResult<Vec<InvalidParam>> {
        let wanted: Vec<_> = self.wanted.iter().map(|(_, r, u, _)| (*r, *u)).collect();
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let missing = resolver.missing(&wanted).await?;
        Ok(self
            .wanted
            .into_iter()
            .filter(|(_, r, u, _)| missing.contains(&(*r, *u)))
            .map(|(name, _, _, model)| {
                InvalidParam::new(name, "invalid", format!("{model} object bestaat niet."))
            })
            .collect())
    }
}

/// A write's outcome together with the references [`References::check`] found unknown: with
/// none, the outcome; else one validation error with them and the body's own errors, ordered
/// by `fields` (the body's fields in the order the reference declares them; an unknown
/// reference before the other errors of its field). The write must
/// then not commit: the error rolls its transaction back.
pub fn settle<T>(saved: ApiResult<T>, unknown: Vec<InvalidParam>, fields: &[&str]) -> ApiResult<T> {
    if unknown.is_empty() {
        return saved;
    }
    let mut errors = unknown;
    match saved {
        Ok(_) => {}
        Err(ApiError::Validation(invalid)) => errors.extend(invalid),
        Err(other) => return Err(other),
    }
    let rank = |param: &InvalidParam| {
        let field = param.name.split('.').next().unwrap_or_default();
        fields
            .iter()
            .position(|f| *f == field)
            .unwrap_or(fields.len())
    };
    errors.sort_by_key(rank);
    Err(ApiError::Validation(errors))
}

/// The uuids of the reference objects in `value[field]` (a reference or a list of them).
pub fn referenced(value: &Value, field: &str) -> Vec<Uuid> {
    let uuid_of = |r: &Value| {
        r.get("uuid")
            .and_then(Value::as_str)
            .and_then(|u| Uuid::parse_str(u).ok())
    };
    match value.get(field) {
        Some(Value::Array(items)) => items.iter().filter_map(uuid_of).collect(),
        Some(reference @ Value::Object(_)) => uuid_of(reference).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// Fetches, in one call, the objects `field` of every value points at, and sets
/// `value._expand[field]` to them (a list for a list field, an object or null for one reference).
pub async fn expand_field(
    resolver: &reference::Resolver,
    origin: &str,
    values: &mut [Value],
    field: &str,
    resource: reference::Resource,
) -> ApiResult<()> {
    let wanted: Vec<Uuid> = values.iter().flat_map(|v| referenced(v, field)).collect();
    let found = resolver.fetch(resource, &wanted, origin).await?;
    for value in values.iter_mut() {
        let expanded = match value.get(field) {
            Some(Value::Array(_)) => Value::Array(
                referenced(value, field)
                    .iter()
                    .filter_map(|u| found.get(u).cloned())
                    .collect(),
            ),
            _ => referenced(value, field)
                .first()
                .and_then(|u| found.get(u).cloned())
                .unwrap_or(Value::Null),
        };
        if let Value::Object(map) = value {
            let entry = map
                .entry("_expand")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(expand) = entry {
                expand.insert(field.to_owned(), expanded);
            }
        }
    }
    Ok(())
}

/// The objects in another register that match `filters` (for a filter that reaches across);
/// refused with 400 on `name` when more than the bound match.
pub async fn remote_search(
    resolver: &reference::Resolver,
    resource: reference::Resource,
    filters: &[(String, String)],
    origin: &str,
    name: &str,
) -> ApiResult<Vec<Value>> {
    match resolver.search(resource, filters, origin).await {
        Ok(results) => Ok(results),
        Err(reference::SearchError::Unreachable(e)) => Err(e.into()),
        Err(reference::SearchError::TooBroad(count)) => Err(ApiError::invalid(
            name,
            "invalid",
            format!(
                "Dit filter vindt {count} objecten in een ander register; maak het specifieker (hoogstens {}).",
                reference::REMOTE_FILTER_BOUND
            ),
        )),
    }
}

/// The uuids at a JSON pointer (`/uuid`, `/verstrektDoorBetrokkene/uuid`) of each object.
pub fn uuids_at(objects: &[Value], pointer: &str) -> Vec<String> {
    objects
        .iter()
        .filter_map(|v| {
            v.pointer(pointer)
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect()
}
