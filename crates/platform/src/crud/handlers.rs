//! The handlers, generic over the resource.

use actix_web::{web, HttpResponse};
use serde_json::{Map, Value};

use super::records::{resource_name, Recorder};
use super::render::{as_value, as_values, before, found, known_on_list, render_one, render_with};
use super::{settle, Crud, RegisterState};
use crate::db::DbConnection;
use crate::error::{ApiError, InvalidParam};
use crate::http::{created, no_content, ok, path_uuid, Urls};
use crate::idempotency::Outcome;
use crate::input::Mode;
use crate::json::JsonBody;
use crate::pagination::PageRequest;
use crate::query::Query;
use crate::ApiResult;

/// Refuses a filter or expansion into a register the caller may not read (else a token could
/// test facts of that register through this one).
pub(super) fn check_reach<R: Crud>(
    caller: &crate::auth::Caller,
    query: &Query,
    expand: &[String],
) -> ApiResult<()> {
    let filtered = |name: &str| {
        query.pairs().iter().any(|(k, v)| {
            !v.is_empty() && (k == name || (name.ends_with("__") && k.starts_with(name)))
        })
    };
    let expanded = |path: &str| expand.iter().any(|e| e == path);
    let may_not = |register: reference::Register| !caller.scopes.allows(register, false);
    let refused = R::REACHES
        .iter()
        .any(|(name, register)| filtered(name) && may_not(*register))
        || R::REMOTE_EXPAND
            .iter()
            .any(|(path, resource)| expanded(path) && may_not(resource.register()));
    if refused {
        Err(ApiError::PermissionDenied)
    } else {
        Ok(())
    }
}

/// Fills in the `_expand` relations other registers serve.
async fn expand_remote<R: Crud>(
    state: &R::State,
    origin: &str,
    requested: &[String],
    values: &mut [Value],
) -> ApiResult<()> {
    let resolver = &state.shared().resolver;
    super::remote::expand_remote(resolver, origin, R::REMOTE_EXPAND, requested, values).await
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
    let body = state
        .db()
        .read(move |conn| {
            // A page asked for by number is read first: when it is not full, its rows tell
            // the total and the count is not needed (a lookup, the last page).
            let (page, rows) = match page.offset() {
                Some(offset) => {
                    let rows = R::page(conn, &filters, offset, page.size)?;
                    let count = match page.count_from(offset, rows.len()) {
                        Some(count) => count,
                        None => R::count(conn, &filters)?,
                    };
                    (page.resolve(count)?, rows)
                }
                None => {
                    let page = page.resolve(R::count(conn, &filters)?)?;
                    (page, R::page(conn, &filters, page.offset(), page.limit())?)
                }
            };
            let expand = (!R::EXPAND.is_empty()).then_some(expand.as_slice());
            let results = render_with::<R>(conn, &urls, &rows, expand)?;
            Ok(page.body(&R::collection(&urls), &query, results))
        })
        .await?;
    if !reaches_remote::<R>(&requested) {
        return ok(&body);
    }
    let mut body = body.try_map(as_values)?;
    expand_remote::<R>(&state, &origin, &requested, &mut body.results).await?;
    ok(&body)
}

/// Whether an `_expand` asked for holds objects of another register.
fn reaches_remote<R: Crud>(requested: &[String]) -> bool {
    R::REMOTE_EXPAND
        .iter()
        .any(|(path, _)| requested.iter().any(|r| r == path))
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
    let item = state
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
    if !requested.iter().any(|e| !e.contains('.')) || !reaches_remote::<R>(&requested) {
        return ok(&item);
    }
    let mut view = as_value(&item)?;
    let values = std::slice::from_mut(&mut view);
    expand_remote::<R>(&state, &origin, &requested, values).await?;
    ok(&view)
}

/// `PUT` (a whole body) and `PATCH` (the fields given).
pub async fn update<R: Crud>(
    state: web::Data<R::State>,
    Urls(urls): Urls,
    who: crate::audit::Who,
    req: actix_web::HttpRequest,
    path: web::Path<String>,
    body: JsonBody,
) -> ApiResult<HttpResponse> {
    let uuid = path_uuid(&path)?;
    let mode = match *req.method() {
        actix_web::http::Method::PATCH => Mode::Patch,
        _ => Mode::Replace,
    };
    let view = change::<R>(state.get_ref(), urls, who, uuid, body.into_object()?, mode).await?;
    ok(&view)
}

/// The one way an object changes: its references into other registers checked, saved, its
/// audit record and events written, in one transaction. For `PUT` and `PATCH`, and for
/// handelingen that change an object as a step (`Mode::Patch` with the fields they set).
pub async fn change<R: Crud>(
    state: &R::State,
    urls: reference::ApiUrls,
    who: crate::audit::Who,
    uuid: uuid::Uuid,
    body: Map<String, Value>,
    mode: Mode,
) -> ApiResult<R::View> {
    let unknown = super::verify::<R>(state, &body, "").await?;
    let rules = state.clone();
    let recorder = Recorder::new(state, who);
    state
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
            // Nested parts too (a partij's identificatoren): no BSN comes, goes or changes
            // by a token without the scope; refused, the transaction undoes the save.
            let bsns = crate::bsn::numbers;
            if !recorder.who.may_use_bsn && bsns(previous.as_ref()) != bsns(Some(&after)) {
                return Err(ApiError::BsnNotPermitted);
            }
            recorder.record_write::<R>(conn, &urls, actie, previous.as_ref(), Some(&after))?;
            Ok(view)
        })
        .await
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
        async |body| super::verify::<R>(&state, body, "").await,
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
        .write(move |conn| {
            idempotency::once(conn, stored.as_ref(), |conn| work(conn, &body, unknown))
        })
        .await;
    idempotency::settle(state.db(), claim, outcome).await
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
    match answer {
        None => Ok(no_content()),
        Some(body) => ok(&body),
    }
}
