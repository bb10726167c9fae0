//! `POST /maak-klantcontact`: a klantcontact with, optionally, a betrokkene and an
//! onderwerpobject, in one transaction. Any error in any part and nothing is stored.

use actix_web::{web, HttpRequest, HttpResponse};
use platform::audit::{self, Who};
use platform::auth::Caller;
use platform::crud::{Crud, RegisterState};
use platform::error::ApiError;
use platform::http::{created_without_location, Urls};
use platform::idempotency::{self, IdempotencyKey, Outcome};
use platform::input::{Field, Mode, Presence, Reader};
use platform::json::JsonBody;
use platform::ApiResult;
use serde_json::{json, Value};

use crate::betrokkenen::{self, Betrokkenen};
use crate::klantcontacten::{self, Klantcontacten};
use crate::onderwerpobjecten::{self, Onderwerpobjecten};
use crate::Register;

pub async fn create(
    state: web::Data<Register>,
    Urls(urls): Urls,
    caller: Caller,
    key: IdempotencyKey,
    who: Who,
    req: HttpRequest,
    body: JsonBody,
) -> ApiResult<HttpResponse> {
    let body = body.into_object()?;
    let claim = key.claim(&caller, req.path(), &Value::Object(body.clone()));
    if let Some(answer) = idempotency::answered(state.db(), claim.as_ref()).await? {
        return Ok(answer.response());
    }
    let unknown = match body.get("betrokkene") {
        Some(Value::Object(betrokkene)) => {
            betrokkenen::verify_partij(&state, betrokkene, "betrokkene.").await?
        }
        _ => Vec::new(),
    };
    let stored = claim.clone();
    let outcome = state
        .db()
        .write(move |conn| {
            idempotency::once(conn, stored.as_ref(), |conn| {
                let mut r = Reader::new(&body, Mode::Create);
                let klantcontact = r.object("klantcontact", Presence::Required);
                let betrokkene = r.object("betrokkene", Presence::Optional);
                let onderwerpobject = r.object("onderwerpobject", Presence::Optional);
                r.finish()?;
                let Field::Set(klantcontact) = klantcontact else {
                    return Err(ApiError::invalid(
                        "klantcontact",
                        "required",
                        platform::input::REQUIRED,
                    ));
                };
                let contact = klantcontacten::save_with(
                    conn,
                    klantcontact,
                    Mode::Create,
                    None,
                    "klantcontact.",
                )?;
                let betrokkene = match betrokkene {
                    Field::Set(body) => {
                        let saved = betrokkenen::save_with(
                            conn,
                            body,
                            Mode::Create,
                            None,
                            "betrokkene.",
                            Some(contact.id),
                        );
                        Some(platform::crud::settle(saved, unknown, &[])?)
                    }
                    _ => None,
                };
                let onderwerpobject = match onderwerpobject {
                    Field::Set(body) => Some(onderwerpobjecten::save_with(
                        conn,
                        body,
                        Mode::Create,
                        None,
                        "onderwerpobject.",
                        Some(contact.id),
                    )?),
                    _ => None,
                };
                let contact_view = first(Klantcontacten::render(
                    conn,
                    &urls,
                    std::slice::from_ref(&contact),
                )?);
                let create = platform::outbound::Actie::Create;
                let kanaal = &crate::klantcontacten::KANAAL;
                platform::outbound::notify(conn, kanaal, create, &contact_view)?;
                audit::change(
                    conn,
                    &who,
                    "klantcontacten",
                    create,
                    None,
                    Some(&contact_view),
                )?;
                let betrokkene_view = match &betrokkene {
                    Some(row) => {
                        first(Betrokkenen::render(conn, &urls, std::slice::from_ref(row))?)
                    }
                    None => Value::Null,
                };
                let onderwerp_view = match &onderwerpobject {
                    Some(row) => first(Onderwerpobjecten::render(
                        conn,
                        &urls,
                        std::slice::from_ref(row),
                    )?),
                    None => Value::Null,
                };
                audit::change(
                    conn,
                    &who,
                    "betrokkenen",
                    create,
                    None,
                    Some(&betrokkene_view),
                )?;
                audit::change(
                    conn,
                    &who,
                    "onderwerpobjecten",
                    create,
                    None,
                    Some(&onderwerp_view),
                )?;
                Ok(json!({
                    "klantcontact": contact_view,
                    "betrokkene": betrokkene_view,
                    "onderwerpobject": onderwerp_view,
                }))
            })
        })
        .await;
    state.written().await;
    match idempotency::settle(state.db(), claim, outcome).await? {
        Outcome::Fresh(answer) => created_without_location(&answer),
        Outcome::Replayed(answer) => Ok(answer.response()),
    }
}

/// The one rendered object as JSON.
fn first<T: serde::Serialize>(mut views: Vec<T>) -> Value {
    views.pop().map_or(Value::Null, |v| {
        serde_json::to_value(v).unwrap_or(Value::Null)
    })
}
