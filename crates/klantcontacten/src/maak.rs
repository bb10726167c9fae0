//! `POST /maak-klantcontact`: a klantcontact with, optionally, a betrokkene and an
//! onderwerpobject, in one transaction. Any error in any part and nothing is stored.

use actix_web::{web, HttpRequest, HttpResponse};
use platform::audit::Who;
use platform::auth::Caller;
use platform::crud::{Crud, Recorder};
use platform::error::ApiError;
use platform::http::{created_without_location, Urls};
use platform::idempotency::{IdempotencyKey, Outcome};
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
    let recorder = Recorder::new(state.get_ref(), who);
    let outcome = platform::crud::post(
        state.get_ref(),
        &caller,
        key,
        req.path(),
        body,
        async |body| match body.get("betrokkene") {
            Some(Value::Object(betrokkene)) => {
                platform::crud::verify::<betrokkenen::Betrokkenen>(
                    &state,
                    betrokkene,
                    "betrokkene.",
                )
                .await
            }
            _ => Ok(Vec::new()),
        },
        move |conn, body, unknown| {
            let mut r = Reader::new(body, Mode::Create);
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
            let contact =
                klantcontacten::store(conn, klantcontact, Mode::Create, None, "klantcontact.")?;
            let betrokkene = match betrokkene {
                Field::Set(body) => {
                    let saved = betrokkenen::store(
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
                Field::Set(body) => Some(onderwerpobjecten::store(
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
            let kanaal = Some(crate::klantcontacten::KANAAL);
            let view = Some(&contact_view);
            recorder.record(conn, "klantcontacten", kanaal, create, None, view)?;
            let betrokkene_view = match &betrokkene {
                Some(row) => first(Betrokkenen::render(conn, &urls, std::slice::from_ref(row))?),
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
            for (resource, view) in [
                ("betrokkenen", &betrokkene_view),
                ("onderwerpobjecten", &onderwerp_view),
            ] {
                if view.is_object() {
                    recorder.record(conn, resource, None, create, None, Some(view))?;
                }
            }
            Ok(json!({
                "klantcontact": contact_view,
                "betrokkene": betrokkene_view,
                "onderwerpobject": onderwerp_view,
            }))
        },
    )
    .await?;
    match outcome {
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
