use acceptance::{bsn, organisatie, persoon, spawn_app, TestApp};
use serde_json::{json, Value};

async fn count(app: &TestApp, query: &str) -> i64 {
    let reply = app.get(query).await;
    assert_eq!(reply.status, 200, "{query}: {}", reply.text);
    reply.json()["count"].as_i64().unwrap()
}

#[tokio::test]
async fn a_persoon_is_found_by_bsn_once_even_with_several_identificatoren() {
    let app = spawn_app().await;
    let mut body = persoon(Some("999958653"));
    body["partijIdentificatoren"].as_array_mut().unwrap().push(json!({"partijIdentificator": {
        "codeObjecttype": "niet_natuurlijk_persoon", "codeSoortObjectId": "rsin", "objectId": "296648875", "codeRegister": "hr"}}));
    let target = app.create("partijen", body).await;
    app.create("partijen", persoon(Some(&bsn(42)))).await;
    let found = app
        .get("partijen?partijIdentificator__codeSoortObjectId=bsn&partijIdentificator__objectId=999958653")
        .await
        .json();
    assert_eq!(found["count"], 1);
    assert_eq!(found["results"][0]["uuid"], target["uuid"]);
    // Each identificator filter is its own condition, and the partij is listed once.
    assert_eq!(
        count(
            &app,
            "partijen?partijIdentificator__codeRegister=hr&partijIdentificator__objectId=999958653"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "partijen?partijIdentificator__codeObjecttype=natuurlijk_persoon"
        )
        .await,
        2
    );
}

#[tokio::test]
async fn a_vestiging_is_found_by_its_number_under_its_kvk_number() {
    let app = spawn_app().await;
    let mut partijen = Vec::new();
    for kvk in ["12345678", "87654321"] {
        let mut body = organisatie(kvk);
        body["partijIdentificatoren"] = json!([{"partijIdentificator": {
            "codeObjecttype": "niet_natuurlijk_persoon", "codeSoortObjectId": "kvk_nummer", "objectId": kvk, "codeRegister": "hr"}}]);
        let partij = app.create("partijen", body).await;
        app.create(
            "partij-identificatoren",
            json!({"identificeerdePartij": {"uuid": partij["uuid"]}, "subIdentificatorVan": {"uuid": partij["partijIdentificatoren"][0]["uuid"]},
                   "partijIdentificator": {"codeObjecttype": "vestiging", "codeSoortObjectId": "vestigingsnummer", "objectId": "000012345678", "codeRegister": "hr"}}),
        )
        .await;
        partijen.push(partij);
    }
    assert_eq!(
        count(&app, "partijen?partijIdentificator__objectId=000012345678").await,
        2
    );
    let found = app
        .get("partijen?partijIdentificator__objectId=000012345678&subIdentificatorVan__objectId=12345678")
        .await
        .json();
    assert_eq!(found["count"], 1);
    assert_eq!(found["results"][0]["uuid"], partijen[0]["uuid"]);
}

#[tokio::test]
async fn partij_field_and_address_filters_are_exact() {
    let app = spawn_app().await;
    let mut body = persoon(None);
    body["indicatieGeheimhouding"] = json!(true);
    body["bezoekadres"] = json!({"nummeraanduidingId": "0363200000932844", "land": "NL"});
    app.create("partijen", body).await;
    app.create("partijen", organisatie("X")).await;
    assert_eq!(count(&app, "partijen?soortPartij=persoon").await, 1);
    assert_eq!(count(&app, "partijen?indicatieGeheimhouding=true").await, 1);
    assert_eq!(count(&app, "partijen?indicatieActief=false").await, 0);
    assert_eq!(count(&app, "partijen?indicatieActief=maybe").await, 2);
    assert_eq!(
        count(
            &app,
            "partijen?bezoekadresNummeraanduidingId=0363200000932844"
        )
        .await,
        1
    );
    assert_eq!(count(&app, "partijen?bezoekadresLand=NL").await, 1);
    let reply = app.get("partijen?soortPartij=alien").await;
    assert_eq!(reply.invalid_names(), ["soortPartij"]);
    assert_eq!(reply.invalid_codes(), ["invalid_choice"]);
}

#[tokio::test]
async fn url_filters_refuse_what_is_no_url_and_find_nothing_for_a_url_without_uuid() {
    let app = spawn_app().await;
    let p = app.create("partijen", persoon(None)).await;
    app.create(
        "digitaleadressen",
        json!({"verstrektDoorPartij": {"uuid": p["uuid"]}, "adres": "a@example.nl", "soortDigitaalAdres": "email"}),
    )
    .await;
    app.create(
        "digitaleadressen",
        json!({"adres": "b@example.nl", "soortDigitaalAdres": "email"}),
    )
    .await;
    let url = p["url"].as_str().unwrap();
    assert_eq!(
        count(
            &app,
            &format!("digitaleadressen?verstrektDoorPartij__url={url}")
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            &format!(
                "digitaleadressen?verstrektDoorPartij__uuid={}",
                p["uuid"].as_str().unwrap()
            )
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "digitaleadressen?verstrektDoorPartij__url=http://elders/x/not-a-uuid"
        )
        .await,
        0
    );
    let reply = app
        .get("digitaleadressen?verstrektDoorPartij__url=ValueError")
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.invalid_names(), ["verstrektDoorPartij__url"]);
    assert_eq!(
        app.get("partijen?vertegenwoordigdePartij__url=ValueError")
            .await
            .status,
        400
    );
    assert_eq!(
        count(
            &app,
            &format!("partijen?vertegenwoordigdePartij__url={url}")
        )
        .await,
        0
    );
    assert_eq!(
        app.get("digitaleadressen?verstrektDoorPartij__uuid=nope")
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn address_filters_search_contains_exact_dates_and_owners() {
    let app = spawn_app().await;
    let p = app.create("partijen", persoon(Some("296648875"))).await;
    let make = |adres: &str, omschrijving: &str, datum: Value| {
        json!({"verstrektDoorPartij": {"uuid": p["uuid"]}, "adres": adres, "soortDigitaalAdres": "email",
               "omschrijving": omschrijving, "verificatieDatum": datum})
    };
    app.create(
        "digitaleadressen",
        make(
            "Info@Bakkerij.example.nl",
            "Zakelijk adres",
            json!("2026-11-02"),
        ),
    )
    .await;
    app.create(
        "digitaleadressen",
        make("prive@example.nl", "Privé", Value::Null),
    )
    .await;
    app.create(
        "digitaleadressen",
        json!({"adres": "los@example.nl", "soortDigitaalAdres": "email"}),
    )
    .await;
    assert_eq!(
        count(&app, "digitaleadressen?adres=prive@example.nl").await,
        1
    );
    assert_eq!(count(&app, "digitaleadressen?adres=prive").await, 0);
    assert_eq!(
        count(&app, "digitaleadressen?adres__icontains=BAKKERIJ").await,
        1
    );
    assert_eq!(
        count(&app, "digitaleadressen?omschrijving=zakelijk").await,
        1
    );
    assert_eq!(count(&app, "digitaleadressen?isGeverifieerd=true").await, 1);
    assert_eq!(
        count(&app, "digitaleadressen?isGeverifieerd=false").await,
        2
    );
    assert_eq!(
        count(&app, "digitaleadressen?verificatieDatum__gte=2026-11-02").await,
        1
    );
    assert_eq!(
        count(&app, "digitaleadressen?verificatieDatum__gt=2026-11-02").await,
        0
    );
    assert_eq!(
        count(&app, "digitaleadressen?verificatieDatum__lte=2026-11-01").await,
        0
    );
    assert_eq!(
        app.get("digitaleadressen?verificatieDatum=gisteren")
            .await
            .status,
        400
    );
    assert_eq!(
        count(
            &app,
            "digitaleadressen?verstrektDoorPartij__soortPartij=persoon"
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &app,
            "digitaleadressen?verstrektDoorPartij__partijIdentificator__objectId=296648875"
        )
        .await,
        2
    );
    assert_eq!(
        count(&app, "digitaleadressen?adres__icontains=%25").await,
        0
    );
}
