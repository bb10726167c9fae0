use acceptance::{organisatie, spawn_app, TestApp};
use serde_json::{json, Value};

fn groep(objecttype: &str, soort: &str, object_id: &str, register: &str) -> Value {
    json!({"codeObjecttype": objecttype, "codeSoortObjectId": soort, "objectId": object_id, "codeRegister": register})
}

fn kvk(number: &str) -> Value {
    groep("niet_natuurlijk_persoon", "kvk_nummer", number, "hr")
}

fn vestiging(number: &str) -> Value {
    groep("vestiging", "vestigingsnummer", number, "hr")
}

async fn reason(app: &TestApp, body: Value) -> (Vec<String>, String) {
    let reply = app.post("partij-identificatoren", body).await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    (
        reply.invalid_names(),
        reply.json()["invalidParams"][0]["reason"]
            .as_str()
            .unwrap_or("")
            .to_owned(),
    )
}

#[tokio::test]
async fn bsn_numbers_must_pass_the_elfproef() {
    let app = spawn_app().await;
    let bsn =
        |id: &str| json!({"partijIdentificator": groep("natuurlijk_persoon", "bsn", id, "brp")});
    let (names, why) = reason(&app, bsn("123456789")).await;
    assert_eq!(names, ["partijIdentificatorObjectId"]);
    assert_eq!(why, "Deze waarde is ongeldig, reden: Onjuist BSN nummer");
    assert!(reason(&app, bsn("12"))
        .await
        .1
        .ends_with("Waarde moet 9 tekens lang zijn"));
    assert!(reason(&app, bsn("123TEST12"))
        .await
        .1
        .ends_with("Voer een numerieke waarde in"));
    let created = app.create("partij-identificatoren", bsn("123456782")).await;
    assert_eq!(created["identificeerdePartij"], Value::Null);
}

#[tokio::test]
async fn register_objecttype_and_soort_must_fit_together() {
    let app = spawn_app().await;
    let (names, _) = reason(
        &app,
        json!({"partijIdentificator": groep("niet_natuurlijk_persoon", "bsn", "296648875", "brp")}),
    )
    .await;
    assert_eq!(names, ["partijIdentificatorCodeObjecttype"]);
    let (names, _) = reason(&app, json!({"partijIdentificator": groep("natuurlijk_persoon", "kvk_nummer", "12345678", "brp")})).await;
    assert_eq!(names, ["partijIdentificatorCodeSoortObjectId"]);
    let reply = app
        .post("partij-identificatoren", json!({"partijIdentificator": {}}))
        .await;
    let mut names = reply.invalid_names();
    names.sort();
    assert_eq!(
        names,
        [
            "partijIdentificator.codeObjecttype",
            "partijIdentificator.codeRegister",
            "partijIdentificator.codeSoortObjectId",
            "partijIdentificator.objectId"
        ]
    );
    assert!(reply.invalid_codes().iter().all(|c| c == "required"));
    let reply = app
        .post(
            "partij-identificatoren",
            json!({"partijIdentificator": groep("", "bsn", "1", "brp")}),
        )
        .await;
    assert_eq!(reply.invalid_codes(), ["invalid_choice"]);
}

#[tokio::test]
async fn a_vestiging_needs_a_kvk_parent_and_is_unique_per_parent() {
    let app = spawn_app().await;
    let kvk_a = app
        .create(
            "partij-identificatoren",
            json!({"partijIdentificator": kvk("12345678")}),
        )
        .await;
    let kvk_b = app
        .create(
            "partij-identificatoren",
            json!({"partijIdentificator": kvk("87654321")}),
        )
        .await;
    app.create(
        "partij-identificatoren",
        json!({"partijIdentificator": groep("niet_natuurlijk_persoon", "rsin", "296648875", "hr")}),
    )
    .await;
    let (names, _) = reason(
        &app,
        json!({"partijIdentificator": vestiging("444455556666")}),
    )
    .await;
    assert_eq!(names, ["subIdentificatorVan"]);
    let bsn = app
        .create(
            "partij-identificatoren",
            json!({"partijIdentificator": groep("natuurlijk_persoon", "bsn", "296648875", "brp")}),
        )
        .await;
    let (names, _) = reason(&app, json!({"partijIdentificator": vestiging("444455556666"), "subIdentificatorVan": {"uuid": bsn["uuid"]}})).await;
    assert_eq!(names, ["subIdentificatorVan"]);
    let under = |parent: &Value| json!({"partijIdentificator": vestiging("444455556666"), "subIdentificatorVan": {"uuid": parent["uuid"]}});
    let v = app.create("partij-identificatoren", under(&kvk_a)).await;
    assert_eq!(v["subIdentificatorVan"]["uuid"], kvk_a["uuid"]);
    app.create("partij-identificatoren", under(&kvk_b)).await;
    let (names, _) = reason(&app, under(&kvk_a)).await;
    assert_eq!(names, ["__all__"]);
}

#[tokio::test]
async fn one_identificator_of_each_soort_per_partij() {
    let app = spawn_app().await;
    let partij = app
        .create("partijen", acceptance::persoon(Some("296648875")))
        .await;
    let (names, why) = reason(
        &app,
        json!({"identificeerdePartij": {"uuid": partij["uuid"]}, "partijIdentificator": groep("natuurlijk_persoon", "bsn", "123456782", "brp")}),
    )
    .await;
    assert_eq!(names, ["__all__"]);
    assert_eq!(why, "`CodeSoortObjectId` moet uniek zijn voor de Partij.");
    let reply = app
        .post("partij-identificatoren", json!({"identificeerdePartij": {"uuid": uuid::Uuid::new_v4()}, "partijIdentificator": kvk("12345678")}))
        .await;
    assert_eq!(reply.invalid_names(), ["identificeerdePartij.uuid"]);
    assert_eq!(
        reply.json()["invalidParams"][0]["reason"],
        "Partij object bestaat niet."
    );
}

#[tokio::test]
async fn a_parent_cannot_be_deleted_nor_change_its_soort() {
    let app = spawn_app().await;
    let org = app.create("partijen", organisatie("Bakkerij")).await;
    let parent = app
        .create("partij-identificatoren", json!({"identificeerdePartij": {"uuid": org["uuid"]}, "partijIdentificator": kvk("82519000")}))
        .await;
    app.create(
        "partij-identificatoren",
        json!({"identificeerdePartij": {"uuid": org["uuid"]}, "partijIdentificator": vestiging("000064995278"), "subIdentificatorVan": {"uuid": parent["uuid"]}}),
    )
    .await;
    let url = parent["url"].as_str().unwrap();
    let reply = app.delete(url).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.invalid_names(), ["nonFieldErrors"]);
    let reply = app
        .put(url, json!({"partijIdentificator": groep("niet_natuurlijk_persoon", "rsin", "296648875", "hr")}))
        .await;
    assert_eq!(
        reply.invalid_names(),
        ["partijIdentificatorCodeSoortObjectId"]
    );
    let list = app
        .get("partij-identificatoren?partijIdentificatorCodeSoortObjectId=vestigingsnummer&partijIdentificatorObjectId=000064995278")
        .await
        .json();
    assert_eq!(list["count"], 1);
    assert_eq!(
        app.get("partij-identificatoren?partijIdentificatorCodeRegister=xx")
            .await
            .status,
        400
    );
}
