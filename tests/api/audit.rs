//! The audit trail of every change, and klantcontacten that are corrected with a reason, not
//! silently rewritten.

use std::time::{Duration, Instant};

use acceptance::{bsn, persoon, spawn_app, spawn_app_with, Reply, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// A request with an `X-Audit-Toelichting`.
async fn with_reason(
    app: &TestApp,
    method: Method,
    url: &str,
    reason: &str,
    body: Option<Value>,
) -> Reply {
    let mut request = app
        .request(method, url)
        .header("X-Audit-Toelichting", reason);
    if let Some(body) = body {
        request = request.json(&body);
    }
    app.send(request).await
}

fn trail_url(object: &Value) -> String {
    format!("{}/audittrail", object["url"].as_str().unwrap())
}

fn acties(trail: &Value) -> Vec<&str> {
    trail
        .as_array()
        .unwrap_or_else(|| panic!("no trail: {trail}"))
        .iter()
        .map(|r| r["actie"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn every_change_is_in_the_trail_which_outlives_the_object() {
    let app = spawn_app().await;
    let bsn = bsn(4001);
    let partij = app.create("partijen", persoon(Some(&bsn))).await;
    let url = partij["url"].as_str().unwrap();
    let reply = with_reason(
        &app,
        Method::PATCH,
        url,
        "verhuisd volgens BRP",
        Some(json!({"interneNotitie": "nieuw adres"})),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(app.delete(url).await.status, 204);
    assert_eq!(app.get(url).await.status, 404);

    let reply = app.get(&trail_url(&partij)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.header("allow"), Some("GET, HEAD, OPTIONS"));
    assert_eq!(reply.header("api-version"), Some("0.9.0"));
    let trail = reply.json();
    assert_eq!(acties(&trail), ["create", "partial_update", "destroy"]);
    let (create, update, destroy) = (&trail[0], &trail[1], &trail[2]);
    let keys: Vec<&String> = create.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "uuid",
            "applicatieId",
            "applicatieWeergave",
            "gebruikersId",
            "gebruikersWeergave",
            "actie",
            "actieWeergave",
            "resultaat",
            "hoofdObject",
            "resource",
            "resourceUrl",
            "toelichting",
            "aanmaakdatum",
            "wijzigingen"
        ]
    );
    assert_eq!(create["resultaat"], 201);
    assert_eq!(create["actieWeergave"], "Object aangemaakt");
    assert_eq!(create["resource"], "partijen");
    assert_eq!(create["resourceUrl"], url);
    assert_eq!(create["applicatieId"], "acceptance");
    assert!(create["gebruikersId"]
        .as_str()
        .unwrap()
        .starts_with("tests"));
    assert_eq!(create["wijzigingen"]["oud"], Value::Null);
    // Audit records are data: the state is kept whole, BSN included.
    assert_eq!(
        create["wijzigingen"]["nieuw"]["partijIdentificatoren"][0]["partijIdentificator"]
            ["objectId"],
        bsn.as_str()
    );
    assert_eq!(update["toelichting"], "verhuisd volgens BRP");
    assert_eq!(update["resultaat"], 200);
    assert_eq!(update["wijzigingen"]["oud"]["interneNotitie"], "");
    assert_eq!(
        update["wijzigingen"]["nieuw"]["interneNotitie"],
        "nieuw adres"
    );
    assert_eq!(destroy["resultaat"], 204);
    assert_eq!(
        destroy["wijzigingen"]["oud"]["interneNotitie"],
        "nieuw adres"
    );
    assert_eq!(destroy["wijzigingen"]["nieuw"], Value::Null);
    // What went with the partij is recorded with it.
    let identificator = &create["wijzigingen"]["nieuw"]["partijIdentificatoren"][0];
    let trail = app.get(&trail_url(identificator)).await.json();
    assert_eq!(acties(&trail), ["destroy"]);
    assert_eq!(
        trail[0]["toelichting"],
        format!("verwijderd met partij {}", partij["uuid"].as_str().unwrap())
    );

    // An object that never was has no trail; the trail needs a token like the rest.
    assert_eq!(
        app.get(&format!("partijen/{}/audittrail", uuid::Uuid::new_v4()))
            .await
            .status,
        404
    );
    let anonymous = app.send(app.client.get(app.url(&trail_url(&partij)))).await;
    assert_eq!(anonymous.status, 401);
}

#[tokio::test]
async fn every_register_keeps_a_trail_and_cascades_leave_their_reason() {
    let app = spawn_app().await;
    let maak = app
        .create("maak-klantcontact", json!({
            "klantcontact": {"kanaal": "telefoon", "onderwerp": "x", "taal": "nld", "vertrouwelijk": false},
            "betrokkene": {"rol": "klant", "initiator": true},
        }))
        .await;
    let k = &maak["klantcontact"];
    let b = &maak["betrokkene"];
    let actor = app
        .create("actoren", json!({"naam": "KCC", "soortActor": "organisatorische_eenheid", "actorIdentificatie": {"omschrijving": "kcc"}}))
        .await;
    let taak = app
        .create("internetaken", json!({"aanleidinggevendKlantcontact": {"uuid": k["uuid"]}, "toegewezenAanActor": {"uuid": actor["uuid"]}, "gevraagdeHandeling": "terugbellen", "status": "te_verwerken"}))
        .await;
    for object in [k, b, &actor, &taak] {
        let trail = app.get(&trail_url(object)).await.json();
        assert_eq!(acties(&trail), ["create"], "{object}");
    }

    assert_eq!(app.delete(k["url"].as_str().unwrap()).await.status, 204);
    let trail = app.get(&trail_url(b)).await.json();
    assert_eq!(acties(&trail), ["create", "destroy"]);
    assert_eq!(
        trail[1]["toelichting"],
        format!(
            "verwijderd met klantcontact {}",
            k["uuid"].as_str().unwrap()
        )
    );
    // The task went in the klanttaak register, following the event.
    let started = Instant::now();
    loop {
        let trail = app.get(&trail_url(&taak)).await.json();
        if acties(&trail).len() == 2 || started.elapsed() > Duration::from_secs(5) {
            assert_eq!(acties(&trail), ["create", "destroy"]);
            assert_eq!(trail[1]["gebruikersId"], "klantinteracties-service");
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn right_after_it_was_registered_a_klantcontact_is_supplemented_without_a_reason() {
    // The default grace period: what ITA and GZAC do right after creating a contact works.
    let app = spawn_app().await;
    let k = app
        .create("klantcontacten", json!({"kanaal": "telefoon", "onderwerp": "x", "taal": "nld", "vertrouwelijk": false, "plaatsgevondenOp": "2020-01-01T10:00:00Z"}))
        .await;
    let reply = app
        .patch(
            k["url"].as_str().unwrap(),
            json!({"inhoud": "Antwoord: ja"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[tokio::test]
async fn after_the_grace_period_a_klantcontact_is_corrected_only_with_a_reason() {
    let app = spawn_app_with(|s| s.klantcontact_grace_hours = 0).await;
    let k = app
        .create("klantcontacten", json!({"kanaal": "telefoon", "onderwerp": "bezwaar", "inhoud": "Klant is het eens.", "taal": "nld", "vertrouwelijk": false}))
        .await;
    let url = k["url"].as_str().unwrap();

    let refused = app
        .patch(url, json!({"inhoud": "Klant is het oneens."}))
        .await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.header("content-type"), Some("application/json"));
    assert_eq!(refused.invalid_names(), ["X-Audit-Toelichting"]);
    assert_eq!(refused.invalid_codes(), ["required"]);
    assert_eq!(app.get(url).await.json()["inhoud"], "Klant is het eens.");
    assert_eq!(app.put(url, k.clone()).await.status, 400);

    let corrected = with_reason(
        &app,
        Method::PATCH,
        url,
        "klant betwist het verslag (mail 12 mei)",
        Some(json!({"inhoud": "Klant is het oneens."})),
    )
    .await;
    assert_eq!(corrected.status, 200, "{}", corrected.text);
    assert_eq!(
        app.delete(url).await.invalid_names(),
        ["X-Audit-Toelichting"]
    );
    let deleted = with_reason(&app, Method::DELETE, url, "dubbel geregistreerd", None).await;
    assert_eq!(deleted.status, 204);

    // The earlier version stays readable, after the delete too.
    let trail = app.get(&trail_url(&k)).await.json();
    assert_eq!(acties(&trail), ["create", "partial_update", "destroy"]);
    assert_eq!(
        trail[1]["toelichting"],
        "klant betwist het verslag (mail 12 mei)"
    );
    assert_eq!(
        trail[1]["wijzigingen"]["oud"]["inhoud"],
        "Klant is het eens."
    );
    assert_eq!(
        trail[1]["wijzigingen"]["nieuw"]["inhoud"],
        "Klant is het oneens."
    );
    assert_eq!(trail[2]["toelichting"], "dubbel geregistreerd");
    // Other resources are not corrections.
    let partij = app.create("partijen", persoon(None)).await;
    assert_eq!(
        app.patch(
            partij["url"].as_str().unwrap(),
            json!({"interneNotitie": "x"})
        )
        .await
        .status,
        200
    );
}

#[tokio::test]
async fn the_correction_rule_can_be_switched_off() {
    let app = spawn_app_with(|s| {
        s.klantcontact_grace_hours = 0;
        s.klantcontact_reason_required = false;
    })
    .await;
    let k = app
        .create(
            "klantcontacten",
            json!({"kanaal": "telefoon", "onderwerp": "x", "taal": "nld", "vertrouwelijk": false}),
        )
        .await;
    assert_eq!(
        app.patch(k["url"].as_str().unwrap(), json!({"inhoud": "later"}))
            .await
            .status,
        200
    );
    assert_eq!(app.delete(k["url"].as_str().unwrap()).await.status, 204);
}
