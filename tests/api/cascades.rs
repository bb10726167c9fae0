//! Deletes that cross registers (BEHAVIOUR section 5), driven by events: a partij takes its
//! betrokkenen along, a klantcontact its internetaken, an actor its task assignments, and a
//! betrokkene's addresses lose their `verstrektDoorBetrokkene`.

use acceptance::{persoon, spawn_app, spawn_app_with, TestApp};
use serde_json::{json, Value};

fn url(value: &Value) -> &str {
    value["url"].as_str().unwrap()
}

async fn klantcontact(app: &TestApp) -> Value {
    app.create(
        "klantcontacten",
        json!({"kanaal": "balie", "onderwerp": "x", "taal": "nld", "vertrouwelijk": false}),
    )
    .await
}

async fn actor(app: &TestApp, naam: &str) -> Value {
    app.create("actoren", json!({"naam": naam, "soortActor": "organisatorische_eenheid", "actorIdentificatie": {"omschrijving": naam}}))
        .await
}

#[tokio::test]
async fn deleting_a_partij_deletes_its_betrokkenen_and_frees_their_addresses() {
    let app = spawn_app().await;
    let partij = app.create("partijen", persoon(None)).await;
    let k = klantcontact(&app).await;
    let b = app
        .create("betrokkenen", json!({"hadKlantcontact": {"uuid": k["uuid"]}, "wasPartij": {"uuid": partij["uuid"]}, "rol": "klant", "initiator": true}))
        .await;
    let anoniem = app
        .create(
            "betrokkenen",
            json!({"hadKlantcontact": {"uuid": k["uuid"]}, "rol": "klant", "initiator": false}),
        )
        .await;
    let adres = app
        .create("digitaleadressen", json!({"verstrektDoorBetrokkene": {"uuid": b["uuid"]}, "adres": "0612345678", "soortDigitaalAdres": "telefoonnummer"}))
        .await;

    assert_eq!(app.delete(url(&partij)).await.status, 204);
    // The partij's betrokkene goes, the klantcontact and the other betrokkene stay.
    let (status, _) = app.eventually(url(&b), |s, _| s == 404).await;
    assert_eq!(status, 404);
    assert_eq!(app.get(url(&anoniem)).await.status, 200);
    let contact = app.get(url(&k)).await.json();
    assert_eq!(
        contact["hadBetrokkenen"],
        json!([{"uuid": anoniem["uuid"], "url": anoniem["url"]}])
    );
    // The address it supplied stays, supplied by nobody now.
    let (_, shown) = app
        .eventually(url(&adres), |_, a| a["verstrektDoorBetrokkene"].is_null())
        .await;
    assert_eq!(shown["verstrektDoorBetrokkene"], Value::Null);
    assert_eq!(shown["adres"], "0612345678");
    // And a new betrokkene can no longer name the partij.
    let reply = app
        .post("betrokkenen", json!({"hadKlantcontact": {"uuid": k["uuid"]}, "wasPartij": {"uuid": partij["uuid"]}, "rol": "klant", "initiator": true}))
        .await;
    assert_eq!(reply.invalid_names(), ["wasPartij.uuid"]);
}

#[tokio::test]
async fn deleting_a_betrokkene_clears_verstrekt_door_betrokkene_on_its_addresses() {
    let app = spawn_app().await;
    let k = klantcontact(&app).await;
    let b = app
        .create(
            "betrokkenen",
            json!({"hadKlantcontact": {"uuid": k["uuid"]}, "rol": "klant", "initiator": true}),
        )
        .await;
    let adres = app
        .create("digitaleadressen", json!({"verstrektDoorBetrokkene": {"uuid": b["uuid"]}, "adres": "a@example.nl", "soortDigitaalAdres": "email"}))
        .await;
    assert_eq!(app.delete(url(&b)).await.status, 204);
    let (_, shown) = app
        .eventually(url(&adres), |_, a| a["verstrektDoorBetrokkene"].is_null())
        .await;
    assert_eq!(shown["verstrektDoorBetrokkene"], Value::Null);
}

#[tokio::test]
async fn deleting_a_klantcontact_deletes_its_internetaken_and_an_actor_leaves_its_tasks() {
    let app = spawn_app().await;
    let (k, ander) = (klantcontact(&app).await, klantcontact(&app).await);
    let (kcc, team) = (actor(&app, "KCC").await, actor(&app, "Team").await);
    let taak = |k: &Value| json!({"aanleidinggevendKlantcontact": {"uuid": k["uuid"]}, "toegewezenAanActoren": [{"uuid": kcc["uuid"]}, {"uuid": team["uuid"]}], "gevraagdeHandeling": "terugbellen", "status": "te_verwerken"});
    let t1 = app.create("internetaken", taak(&k)).await;
    let t2 = app.create("internetaken", taak(&ander)).await;

    assert_eq!(app.delete(url(&k)).await.status, 204);
    let (status, _) = app.eventually(url(&t1), |s, _| s == 404).await;
    assert_eq!(status, 404);
    assert_eq!(app.get("internetaken").await.json()["count"], 1);

    // The actor goes from the other task's assignment; the task stays.
    assert_eq!(app.delete(url(&kcc)).await.status, 204);
    let (_, shown) = app
        .eventually(url(&t2), |_, t| {
            t["toegewezenAanActoren"]
                .as_array()
                .is_some_and(|a| a.len() == 1)
        })
        .await;
    assert_eq!(shown["toegewezenAanActor"]["uuid"], team["uuid"]);
}

#[tokio::test]
async fn a_cascade_delivered_twice_changes_nothing_more() {
    const SERVICE_TOKEN: &str = "0123456789abcdef0123456789abcdef01234567";
    let app = spawn_app_with(|s| s.service_token = Some(SERVICE_TOKEN.into())).await;
    let (k, ander) = (klantcontact(&app).await, klantcontact(&app).await);
    let a = actor(&app, "KCC").await;
    for k in [&k, &ander] {
        app.create("internetaken", json!({"aanleidinggevendKlantcontact": {"uuid": k["uuid"]}, "toegewezenAanActor": {"uuid": a["uuid"]}, "gevraagdeHandeling": "terugbellen", "status": "te_verwerken"}))
            .await;
    }
    let batch = json!({"events": [{"id": 1, "topic": "klantcontact", "uuid": k["uuid"], "payload": {"deleted": true}}]});
    for _ in 0..2 {
        let reply = app
            .send(
                app.client
                    .post(app.url("/_internal/events-klanttaak"))
                    .header("Authorization", format!("Token {SERVICE_TOKEN}"))
                    .json(&batch),
            )
            .await;
        assert_eq!(reply.status, 204, "{}", reply.text);
    }
    let left = app.get("internetaken").await.json();
    assert_eq!(left["count"], 1);
    assert_eq!(
        left["results"][0]["aanleidinggevendKlantcontact"]["uuid"],
        ander["uuid"]
    );
    // Only a register may deliver.
    let reply = app.post("/_internal/events-klanttaak", batch).await;
    assert_eq!(reply.status, 403);
}

/// Unfiltered lists of the tables that grow large read their count from counters kept by the
/// database; they follow every create and delete, also the deletes a cascade does.
#[tokio::test]
async fn the_count_of_an_unfiltered_list_follows_creates_and_deletes_also_cascaded_ones() {
    let app = spawn_app().await;
    let count = |path: &'static str| {
        let app = &app;
        async move { app.get(&format!("{path}?pageSize=1")).await.json()["count"].clone() }
    };
    let mut partijen = Vec::new();
    for body in [persoon(Some("999990019")), persoon(None), persoon(None)] {
        partijen.push(app.create("partijen", body).await);
    }
    assert_eq!(count("partijen").await, 3);
    assert_eq!(count("partij-identificatoren").await, 1);

    // Two klantcontacten about one zaak, each with a betrokkene.
    let zaak = json!({"codeObjecttype": "zaak", "codeRegister": "openzaak", "codeSoortObjectId": "uuid", "objectId": "1d3d1f5c-0b63-4d5e-9d1a-4c3c0a7bb0f1"});
    let mut onderwerpen = Vec::new();
    for _ in 0..2 {
        let k = klantcontact(&app).await;
        app.create("betrokkenen", json!({"hadKlantcontact": {"uuid": k["uuid"]}, "wasPartij": {"uuid": partijen[1]["uuid"]}, "rol": "klant", "initiator": true}))
            .await;
        let o = app
            .create("onderwerpobjecten", json!({"klantcontact": {"uuid": k["uuid"]}, "wasKlantcontact": null, "onderwerpobjectidentificator": zaak}))
            .await;
        onderwerpen.push(o);
    }
    assert_eq!(count("klantcontacten").await, 2);
    assert_eq!(count("betrokkenen").await, 2);
    assert_eq!(count("onderwerpobjecten").await, 2);

    // A partij's delete takes its identificator along, and its betrokkenen in the other
    // register; an onderwerpobject's cascade takes its klantcontact.
    assert_eq!(app.delete(url(&partijen[0])).await.status, 204);
    assert_eq!(count("partijen").await, 2);
    assert_eq!(count("partij-identificatoren").await, 0);
    let cascade = format!("{}?cascade=true", url(&onderwerpen[0]));
    assert!(app.delete(&cascade).await.status < 300);
    assert_eq!(count("klantcontacten").await, 1);
    assert_eq!(count("onderwerpobjecten").await, 1);
    assert_eq!(app.delete(url(&partijen[1])).await.status, 204);
    let (_, betrokkenen) = app
        .eventually("betrokkenen?pageSize=1", |_, b| b["count"] == 0)
        .await;
    assert_eq!(betrokkenen["count"], 0);
}
