//! `POST /betrokkenen/{uuid}/partij`: an ongekende betrokkene becomes gekend. The handeling
//! makes a partij of what the betrokkene gave (or takes the one the request names) and links
//! the betrokkene to it (`wasPartij`).
//!
//! The kind of partij follows the standard's rule: an organisatienaam makes an organisatie; a
//! name with rol `klant` a persoon; a name with rol `vertegenwoordiger` a contactpersoon. The
//! digitale adressen the betrokkene gave for this contact become the partij's own, reusable
//! ones only when the request says the person agreed to that (`digitaleAdressenHergebruiken`,
//! the standard's indicatie hergebruik); the bezoek- and correspondentieadres likewise.
//!
//! The steps cross the register boundary, so each is safe to repeat: the partij is created
//! with an `Idempotency-Key` of the betrokkene (a repeated request after a failure gets the same
//! partij), an address that is the partij's already stays so, and the link is the last step.
//! Relatiebeheer is called as the client that asked (its token and its `X-Audit-Toelichting`),
//! so its scopes count and its audit trail names it.

use actix_web::{web, HttpRequest, HttpResponse};
use platform::audit::Who;
use platform::crud::Crud;
use platform::error::{ApiError, InvalidParam};
use platform::http::{created, ok, path_uuid, Urls};
use platform::input::{Field, Mode, Presence, Reader};
use platform::json::JsonBody;
use platform::values::Adres;
use platform::ApiResult;
use reference::{ApiUrls, Method, Resource};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::betrokkenen::Betrokkenen;
use crate::Register;

/// What the request asks.
struct Asked {
    /// An existing partij to link; none: make one.
    partij: Option<Uuid>,
    /// Whether the person agreed that the contact details become reusable.
    hergebruik: bool,
}

fn asked(body: &Map<String, Value>) -> ApiResult<Asked> {
    let mut r = Reader::new(body, Mode::Create);
    let partij = r.reference("partij", Presence::Optional);
    let hergebruik = r.boolean("digitaleAdressenHergebruiken", Presence::Optional);
    r.finish()?;
    Ok(Asked {
        partij: partij.into_set(),
        hergebruik: matches!(hergebruik, Field::Set(true)),
    })
}

pub async fn create(
    state: web::Data<Register>,
    Urls(urls): Urls,
    who: Who,
    req: HttpRequest,
    path: web::Path<String>,
    body: JsonBody,
) -> ApiResult<HttpResponse> {
    let uuid = path_uuid(&path)?;
    let asked = asked(&body.into_object()?)?;
    // Relatiebeheer is asked as the client: its token, and its reason for the audit trail.
    let client: Vec<(&str, &str)> = ["Authorization", platform::audit::REASON_HEADER]
        .into_iter()
        .filter_map(|name| Some((name, req.headers().get(name)?.to_str().ok()?)))
        .collect();
    let betrokkene = state
        .shared
        .db
        .read(move |conn| Betrokkenen::find(conn, uuid))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let linked = betrokkene
        .data
        .partij_uuid
        .as_deref()
        .and_then(|p| Uuid::parse_str(p).ok());
    if linked.is_some() && linked != asked.partij {
        return Err(ApiError::invalid(
            "wasPartij",
            "invalid",
            "De betrokkene is al gekoppeld aan een partij.",
        ));
    }
    let steps = Steps {
        state: &state,
        urls: &urls,
        client: &client,
    };
    let (partij, made) = match asked.partij {
        Some(partij) => (partij, false),
        None => (
            steps.make_partij(&betrokkene, asked.hergebruik).await?,
            true,
        ),
    };
    if asked.hergebruik {
        steps.hand_over_adressen(uuid, partij).await?;
    }
    let betrokkene = if linked == Some(partij) {
        steps.betrokkene(uuid).await?
    } else {
        let mut link = Map::new();
        link.insert("wasPartij".into(), json!({ "uuid": partij }));
        let view = platform::crud::change::<Betrokkenen>(
            state.get_ref(),
            urls.clone(),
            who,
            uuid,
            link,
            Mode::Patch,
        )
        .await
        .map_err(|error| named_partij(error, asked.partij.is_some()))?;
        serde_json::to_value(view).map_err(|e| ApiError::Internal(e.into()))?
    };
    let partij_view = steps.partij(partij).await?;
    let answer = json!({ "betrokkene": betrokkene, "partij": partij_view });
    if made {
        let location = partij_view["url"].as_str().unwrap_or_default().to_owned();
        created(&answer, &location)
    } else {
        ok(&answer)
    }
}

/// A partij the request named that relatiebeheer does not know is answered under `partij`.
fn named_partij(error: ApiError, named: bool) -> ApiError {
    match error {
        ApiError::Validation(params) if named => ApiError::Validation(
            params
                .into_iter()
                .map(|p| match p.name.as_str() {
                    "wasPartij" | "wasPartij.uuid" => InvalidParam {
                        name: "partij".into(),
                        ..p
                    },
                    _ => p,
                })
                .collect(),
        ),
        other => other,
    }
}

/// The handeling's calls to relatiebeheer.
struct Steps<'a> {
    state: &'a Register,
    urls: &'a ApiUrls,
    /// The client's headers the calls carry.
    client: &'a [(&'a str, &'a str)],
}

impl Steps<'_> {
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> ApiResult<(u16, Value)> {
        let resolver = &self.state.shared.resolver;
        let origin = self.urls.origin();
        let (status, answer) = resolver
            .api(
                reference::Register::Relatiebeheer,
                origin,
                self.client,
                method,
                path,
                body,
                key,
            )
            .await?;
        match status {
            200..=299 | 404 => Ok((status, answer)),
            401 | 403 => Err(ApiError::PermissionDenied),
            400 => Err(ApiError::Validation(invalid_params(&answer, "partij."))),
            _ => Err(ApiError::Internal(anyhow::anyhow!(
                "relatiebeheer answered {status} to a step of the handeling"
            ))),
        }
    }

    /// Step 1: the partij, made of what the betrokkene gave; the same one when repeated.
    async fn make_partij(
        &self,
        betrokkene: &crate::models::BetrokkeneRow,
        hergebruik: bool,
    ) -> ApiResult<Uuid> {
        let body = partij_body(&betrokkene.data, hergebruik)?;
        let key = format!("gekend-{}", betrokkene.data.uuid);
        let (_, made) = self
            .call(Method::POST, "partijen", Some(&body), Some(&key))
            .await?;
        made.get("uuid")
            .and_then(Value::as_str)
            .and_then(|u| Uuid::parse_str(u).ok())
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a partij without a uuid")))
    }

    /// Step 2: the addresses the betrokkene gave become the partij's.
    async fn hand_over_adressen(&self, betrokkene: Uuid, partij: Uuid) -> ApiResult<()> {
        let filter = [(
            "verstrektDoorBetrokkene__uuid".to_owned(),
            betrokkene.to_string(),
        )];
        let adressen = platform::crud::remote_search(
            &self.state.shared.resolver,
            Resource::Digitaleadressen,
            &filter,
            self.urls.origin(),
            "digitaleAdressenHergebruiken",
        )
        .await?;
        let partij_text = partij.to_string();
        let body = json!({ "verstrektDoorPartij": { "uuid": partij } });
        for adres in &adressen {
            let already = adres
                .pointer("/verstrektDoorPartij/uuid")
                .and_then(Value::as_str);
            let Some(uuid) = adres.get("uuid").and_then(Value::as_str) else {
                continue;
            };
            if already != Some(partij_text.as_str()) {
                let path = format!("digitaleadressen/{uuid}");
                self.call(Method::PATCH, &path, Some(&body), None).await?;
            }
        }
        Ok(())
    }

    /// The partij as relatiebeheer shows it now.
    async fn partij(&self, partij: Uuid) -> ApiResult<Value> {
        let (status, view) = self
            .call(Method::GET, &format!("partijen/{partij}"), None, None)
            .await?;
        if status == 404 {
            let gone = InvalidParam::no_such_object("partij", "Partij");
            return Err(ApiError::Validation(vec![gone]));
        }
        Ok(view)
    }

    /// The betrokkene as it is now.
    async fn betrokkene(&self, uuid: Uuid) -> ApiResult<Value> {
        let urls = self.urls.clone();
        self.state
            .shared
            .db
            .read(move |conn| {
                let row = Betrokkenen::find(conn, uuid)?.ok_or_else(ApiError::not_found)?;
                let view = Betrokkenen::render(conn, &urls, std::slice::from_ref(&row))?;
                serde_json::to_value(view.into_iter().next())
                    .map_err(|e| ApiError::Internal(e.into()))
            })
            .await
    }
}

/// The invalid params of another register's 400, named as parts of this request.
fn invalid_params(answer: &Value, prefix: &str) -> Vec<InvalidParam> {
    let params: Vec<InvalidParam> = answer
        .get("invalidParams")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            let text = |name: &str| p.get(name).and_then(Value::as_str).unwrap_or_default();
            InvalidParam::new(
                format!("{prefix}{}", text("name")),
                text("code"),
                text("reason"),
            )
        })
        .collect();
    if params.is_empty() {
        vec![InvalidParam::new(
            prefix.trim_end_matches('.'),
            "invalid",
            "De partij kan niet worden gemaakt.",
        )]
    } else {
        params
    }
}

/// The partij a betrokkene makes: by the standard's rule, with its name; with the person's
/// consent also the addresses it gave.
fn partij_body(b: &crate::models::BetrokkeneData, hergebruik: bool) -> ApiResult<Value> {
    let naam = [
        &b.voorletters,
        &b.voornaam,
        &b.voorvoegsel_achternaam,
        &b.achternaam,
    ];
    let has_name = naam.iter().any(|n| !n.trim().is_empty());
    let contactnaam = json!({
        "voorletters": b.voorletters,
        "voornaam": b.voornaam,
        "voorvoegselAchternaam": b.voorvoegsel_achternaam,
        "achternaam": b.achternaam,
    });
    let (soort, identificatie) = if !b.organisatienaam.trim().is_empty() {
        ("organisatie", json!({ "naam": b.organisatienaam }))
    } else if has_name && b.rol == "klant" {
        ("persoon", json!({ "contactnaam": contactnaam }))
    } else if has_name {
        ("contactpersoon", json!({ "contactnaam": contactnaam }))
    } else {
        return Err(ApiError::invalid(
            "betrokkene",
            "invalid",
            "De betrokkene heeft geen naam en geen organisatienaam om een partij van te maken.",
        ));
    };
    let mut body = json!({
        "soortPartij": soort,
        "partijIdentificatie": identificatie,
        "indicatieActief": true,
    });
    if hergebruik {
        let shown = |adres: Adres| serde_json::to_value(adres).unwrap_or(Value::Null);
        body["bezoekadres"] = shown((&b.bezoekadres).into());
        body["correspondentieadres"] = shown((&b.correspondentieadres).into());
    }
    Ok(body)
}
