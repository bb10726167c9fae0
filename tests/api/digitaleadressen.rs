use acceptance::{persoon, spawn_app, TestApp};
use serde_json::{json, Value};

async fn adres(app: &TestApp, partij: &Value, soort: &str, adres: &str, standaard: bool) -> Value {
    app.create(
        "digitaleadressen",
        json!({"verstrektDoorPartij": {"uuid": partij["uuid"]}, "adres": adres, "soortDigitaalAdres": soort, "isStandaardAdres": standaard}),
    )
    .await
}

#[tokio::test]
async fn an_empty_address_names_both_required_fields() {
    let app = spawn_app().await;
    let reply = app.post("digitaleadressen", json!({})).await;
    assert_eq!(reply.invalid_names(), ["adres", "soortDigitaalAdres"]);
    assert_eq!(reply.invalid_codes(), ["required", "required"]);
}

#[tokio::test]
async fn e_mail_and_phone_numbers_are_validated_and_overig_is_not() {
    let app = spawn_app().await;
    let post = |adres: &str, soort: &str| {
        app.post(
            "digitaleadressen",
            json!({"adres": adres, "soortDigitaalAdres": soort}),
        )
    };
    let reply = post("invalid", "email").await;
    assert_eq!(reply.invalid_names(), ["adres"]);
    assert_eq!(reply.invalid_codes(), ["invalid"]);
    assert_eq!(post("whatever", "overig").await.status, 201);
    for good in ["0881234567", "+31612345678", "0031612345678"] {
        assert_eq!(post(good, "telefoonnummer").await.status, 201, "{good}");
    }
    for bad in ["0800123456", "0900123456", "020 753 0523", "+311234"] {
        let reply = post(bad, "telefoonnummer").await;
        assert_eq!(reply.invalid_names(), ["adres"], "{bad}");
    }
    // The soort of a PATCHed address is the stored one.
    let phone = post("0612345678", "telefoonnummer").await.json();
    let reply = app
        .patch(
            phone["url"].as_str().unwrap(),
            json!({"adres": "not a number"}),
        )
        .await;
    assert_eq!(reply.invalid_names(), ["adres"]);
}

#[tokio::test]
async fn a_standaard_address_needs_a_partij_and_takes_over_per_soort() {
    let app = spawn_app().await;
    let reply = app
        .post("digitaleadressen", json!({"adres": "a@example.nl", "soortDigitaalAdres": "email", "isStandaardAdres": true, "verstrektDoorPartij": null}))
        .await;
    assert_eq!(reply.invalid_names(), ["isStandaardAdres"]);
    let p = app.create("partijen", persoon(None)).await;
    let q = app.create("partijen", persoon(None)).await;
    let first = adres(&app, &p, "email", "a@example.nl", true).await;
    let phone = adres(&app, &p, "telefoonnummer", "0612345678", true).await;
    let other = adres(&app, &q, "email", "q@example.nl", true).await;
    adres(&app, &p, "email", "b@example.nl", true).await;
    let standaard = |v: Value| v["isStandaardAdres"].as_bool().unwrap();
    assert!(!standaard(
        app.get(first["url"].as_str().unwrap()).await.json()
    ));
    assert!(standaard(
        app.get(phone["url"].as_str().unwrap()).await.json()
    ));
    assert!(standaard(
        app.get(other["url"].as_str().unwrap()).await.json()
    ));
}

#[tokio::test]
async fn referentie_is_unique_per_partij_and_soort_but_not_against_itself() {
    let app = spawn_app().await;
    let p = app.create("partijen", persoon(None)).await;
    let body = |soort: &str, adres: &str, referentie: &str| json!({"verstrektDoorPartij": {"uuid": p["uuid"]}, "adres": adres, "soortDigitaalAdres": soort, "referentie": referentie});
    let first = app
        .create(
            "digitaleadressen",
            body("email", "a@example.nl", "portaalvoorkeur"),
        )
        .await;
    let reply = app
        .post(
            "digitaleadressen",
            body("email", "b@example.nl", "portaalvoorkeur"),
        )
        .await;
    assert_eq!(reply.invalid_names(), ["nonFieldErrors"]);
    assert_eq!(reply.invalid_codes(), ["unique"]);
    app.create(
        "digitaleadressen",
        body("telefoonnummer", "0612345678", "portaalvoorkeur"),
    )
    .await;
    app.create("digitaleadressen", body("email", "c@example.nl", ""))
        .await;
    app.create("digitaleadressen", body("email", "d@example.nl", ""))
        .await;
    let reply = app
        .put(
            first["url"].as_str().unwrap(),
            body("email", "a@example.nl", "portaalvoorkeur"),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let reply = app
        .post(
            "digitaleadressen",
            body("email", "e@example.nl", "geen slug!"),
        )
        .await;
    assert_eq!(reply.invalid_names(), ["referentie"]);
}

#[tokio::test]
async fn deleting_the_voorkeur_keeps_the_partij_without_one() {
    let app = spawn_app().await;
    let p = app.create("partijen", persoon(None)).await;
    let a = adres(&app, &p, "email", "a@example.nl", false).await;
    let url = p["url"].as_str().unwrap();
    let reply = app
        .patch(url, json!({"voorkeursDigitaalAdres": {"uuid": a["uuid"]}}))
        .await;
    assert_eq!(reply.json()["voorkeursDigitaalAdres"]["uuid"], a["uuid"]);
    assert_eq!(app.delete(a["url"].as_str().unwrap()).await.status, 204);
    let p = app.get(url).await;
    assert_eq!(p.status, 200);
    assert_eq!(p.json()["voorkeursDigitaalAdres"], Value::Null);
}

#[tokio::test]
async fn a_betrokkene_is_checked_in_the_klantcontacten_register_and_kept_as_a_reference() {
    let app = spawn_app().await;
    let unknown = app
        .post(
            "digitaleadressen",
            json!({"verstrektDoorBetrokkene": {"uuid": uuid::Uuid::new_v4()}, "adres": "0677407844", "soortDigitaalAdres": "telefoonnummer"}),
        )
        .await;
    assert_eq!(unknown.invalid_names(), ["verstrektDoorBetrokkene.uuid"]);
    assert_eq!(
        unknown.json()["invalidParams"][0]["reason"],
        "Betrokkene object bestaat niet."
    );

    let klantcontact = app
        .create(
            "klantcontacten",
            json!({"kanaal": "telefoon", "onderwerp": "x", "taal": "nld", "vertrouwelijk": false}),
        )
        .await;
    let betrokkene = app
        .create("betrokkenen", json!({"hadKlantcontact": {"uuid": klantcontact["uuid"]}, "rol": "klant", "initiator": true}))
        .await;
    let with = app
        .create(
            "digitaleadressen",
            json!({"verstrektDoorBetrokkene": {"uuid": betrokkene["uuid"]}, "adres": "0677407844", "soortDigitaalAdres": "telefoonnummer"}),
        )
        .await;
    assert_eq!(
        with["verstrektDoorBetrokkene"],
        json!({"uuid": betrokkene["uuid"], "url": betrokkene["url"]})
    );
    let found = app
        .get(&format!(
            "digitaleadressen?verstrektDoorBetrokkene__uuid={}",
            betrokkene["uuid"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(found["count"], 1);
    let without = app
        .create(
            "digitaleadressen",
            json!({"adres": "x", "soortDigitaalAdres": "overig"}),
        )
        .await;
    let detail = app
        .get(&format!(
            "{}?expand=verstrektDoorBetrokkene",
            without["url"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(detail["_expand"], json!({"verstrektDoorBetrokkene": null}));
}
