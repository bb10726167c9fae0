//! Actions across registers as a client runs them (DOMAIN.md 3.3, S3: a contact with a new
//! known party and a call-back task): every step a POST with an `Idempotency-Key`, so after a
//! failure the client runs the saga again from the start and nothing is made twice.

use acceptance::{bsn, persoon, spawn_app, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

use crate::processes::three_registers;

/// A POST with an `Idempotency-Key`.
async fn post_once(app: &TestApp, path: &str, key: &str, body: &Value) -> acceptance::Reply {
    app.send(
        app.request(Method::POST, path)
            .header("Idempotency-Key", key)
            .json(body),
    )
    .await
}

#[tokio::test]
async fn a_repeated_post_with_the_same_key_answers_the_first_time_again() {
    let app = spawn_app().await;
    let body = persoon(Some(&bsn(3001)));
    let first = post_once(&app, "partijen", "stap-1", &body).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.header("idempotent-replayed"), None);
    let again = post_once(&app, "partijen", "stap-1", &body).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(again.header("api-version"), Some("0.9.0"));
    assert_eq!(again.json(), first.json());
    assert_eq!(app.get("partijen").await.json()["count"], 1);

    // The same key for another request is refused, in the API's error format.
    let other = post_once(&app, "partijen", "stap-1", &persoon(None)).await;
    assert_eq!(other.status, 400);
    assert_eq!(other.invalid_names(), ["Idempotency-Key"]);
    // A request that failed stored nothing: fixed, it goes through under the same key.
    let invalid = post_once(
        &app,
        "klantcontacten",
        "stap-2",
        &json!({"kanaal": "telefoon"}),
    )
    .await;
    assert_eq!(invalid.status, 400);
    let fixed =
        json!({"kanaal": "telefoon", "onderwerp": "x", "taal": "nld", "vertrouwelijk": false});
    let reply = post_once(&app, "klantcontacten", "stap-2", &fixed).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    // Without a key every POST creates.
    app.create("partijen", persoon(None)).await;
    assert_eq!(app.get("partijen").await.json()["count"], 2);
}

/// One run of saga S3 as a KCC application makes it: the partij, the contact with its
/// betrokkene, and the call-back task; the task's reply is `None` when klanttaak cannot be
/// reached at all.
async fn saga(
    (relatiebeheer, klantcontacten, klanttaak): (&TestApp, &TestApp, &TestApp),
    team: &Value,
    bsn: &str,
) -> (Value, Value, Option<acceptance::Reply>) {
    const SAGA: &str = "4f0c-terugbelverzoek";
    let partij = post_once(
        relatiebeheer,
        "partijen",
        &format!("{SAGA}/partij"),
        &persoon(Some(bsn)),
    )
    .await;
    assert_eq!(partij.status, 201, "{}", partij.text);
    let partij = partij.json();
    let contact = post_once(
        klantcontacten,
        "maak-klantcontact",
        &format!("{SAGA}/klantcontact"),
        &json!({
            "klantcontact": {"kanaal": "telefoon", "onderwerp": "dakkapel", "taal": "nld", "vertrouwelijk": false},
            "betrokkene": {"wasPartij": {"uuid": partij["uuid"]}, "rol": "klant", "initiator": true},
        }),
    )
    .await;
    assert_eq!(contact.status, 201, "{}", contact.text);
    let contact = contact.json();
    let taak = json!({"aanleidinggevendKlantcontact": {"uuid": contact["klantcontact"]["uuid"]}, "toegewezenAanActor": {"uuid": team["uuid"]}, "gevraagdeHandeling": "terugbellen", "status": "te_verwerken"});
    let sent = klanttaak
        .request(Method::POST, "internetaken")
        .header("Idempotency-Key", format!("{SAGA}/taak"))
        .json(&taak)
        .send()
        .await;
    let reply = match sent {
        Ok(response) => Some(acceptance::Reply {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            text: response.text().await.unwrap_or_default(),
        }),
        Err(_) => None,
    };
    (partij, contact, reply)
}

#[tokio::test]
async fn a_saga_interrupted_by_a_stopped_register_is_run_again_without_duplicates() {
    let (relatiebeheer, klantcontacten, klanttaak) = three_registers().await;
    let team = klantcontacten
        .create("actoren", json!({"naam": "Team Vergunningen", "soortActor": "organisatorische_eenheid", "actorIdentificatie": {"omschrijving": "vergunningen"}}))
        .await;
    let bsn = bsn(3002);

    // klanttaak is down when the last step runs: the klant would not be called back.
    klanttaak.stop().await;
    let (partij, contact, taak) =
        saga((&relatiebeheer, &klantcontacten, &klanttaak), &team, &bsn).await;
    assert!(taak.is_none());

    // It comes back; the client runs the whole saga again with the same keys.
    let klanttaak = klanttaak.restart().await;
    let registers = (&relatiebeheer, &klantcontacten, &klanttaak);
    let (partij_again, contact_again, taak) = saga(registers, &team, &bsn).await;
    let taak = taak.unwrap();
    assert_eq!(taak.status, 201, "{}", taak.text);
    assert_eq!(partij_again["uuid"], partij["uuid"]);
    assert_eq!(
        contact_again["klantcontact"]["uuid"],
        contact["klantcontact"]["uuid"]
    );
    // And once more, as after an answer lost on the way: the same task.
    let (_, _, again) = saga(registers, &team, &bsn).await;
    assert_eq!(again.unwrap().json()["uuid"], taak.json()["uuid"]);

    assert_eq!(relatiebeheer.get("partijen").await.json()["count"], 1);
    assert_eq!(
        klantcontacten.get("klantcontacten").await.json()["count"],
        1
    );
    assert_eq!(klantcontacten.get("betrokkenen").await.json()["count"], 1);
    assert_eq!(klanttaak.get("internetaken").await.json()["count"], 1);
}
