//! Requests real clients send where the registers once answered differently from Open Klant
//! 2.18; each test checks the answer the reference gives. They run in one process and with the
//! three registers behind the gateway alike.

use acceptance::{persoon, spawn_app, TestApp};
use serde_json::{json, Value};

fn url(value: &Value) -> &str {
    value["url"].as_str().unwrap()
}

fn params(reply: &acceptance::Reply) -> Vec<(String, String)> {
    reply
        .invalid_names()
        .into_iter()
        .zip(reply.invalid_codes())
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(n, c)| ((*n).to_owned(), (*c).to_owned()))
        .collect()
}

async fn klantcontact(app: &TestApp) -> Value {
    app.create(
        "klantcontacten",
        json!({"kanaal": "telefoon", "onderwerp": "afvalpas", "taal": "nld", "vertrouwelijk": false}),
    )
    .await
}

async fn actor(app: &TestApp, naam: &str) -> Value {
    app.create(
        "actoren",
        json!({"naam": naam, "soortActor": "organisatorische_eenheid", "indicatieActief": true,
               "actorIdentificatie": {"omschrijving": naam}}),
    )
    .await
}

#[tokio::test]
async fn datetimes_without_an_offset_are_utc_in_bodies_and_filters() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "klantcontacten",
            json!({"kanaal": "telefoon", "onderwerp": "x", "taal": "nld", "vertrouwelijk": false,
                   "plaatsgevondenOp": "1997-11-04T05:08:01.415143"}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let k = reply.json();
    assert_eq!(k["plaatsgevondenOp"], "1997-11-04T05:08:01.415143Z");
    // The forms Django reads: a space for the `T`, no seconds, a compact offset.
    for (filter, expected) in [
        ("1997-11-04T05:08:01.415143", 1),
        ("1997-11-04 05:08:01.415143", 1),
        ("1997-11-04T06:08:01.415143+0100", 1),
        ("1997-11-04T05:08", 0),
    ] {
        let list = app
            .get(&format!(
                "klantcontacten?plaatsgevondenOp={}",
                filter.replace('+', "%2B").replace(' ', "%20")
            ))
            .await;
        assert_eq!(list.status, 200, "{filter}: {}", list.text);
        assert_eq!(list.json()["count"], expected, "{filter}");
    }
    let broken = app.get("klantcontacten?plaatsgevondenOp=gisteren").await;
    assert_eq!(params(&broken), pairs(&[("plaatsgevondenOp", "invalid")]));

    // The same on the other registers' datetime fields.
    let team = actor(&app, "Team").await;
    let taak = app
        .create(
            "internetaken",
            json!({"gevraagdeHandeling": "terugbellen", "aanleidinggevendKlantcontact": {"uuid": k["uuid"]},
                   "toegewezenAanActoren": [{"uuid": team["uuid"]}], "status": "verwerkt",
                   "afgehandeldOp": "2026-11-30T10:00:00"}),
        )
        .await;
    assert_eq!(taak["afgehandeldOp"], "2026-11-30T10:00:00Z");
    let toegewezen = taak["toegewezenOp"].as_str().unwrap().trim_end_matches('Z');
    let found = app
        .get(&format!("internetaken?toegewezenOp={toegewezen}"))
        .await;
    assert_eq!(found.json()["count"], 1, "{}", found.text);
}

#[tokio::test]
async fn an_onderwerpobject_cascade_deletes_the_one_off_addresses_of_its_betrokkenen() {
    let app = spawn_app().await;
    let partij = app.create("partijen", persoon(None)).await;
    let k = klantcontact(&app).await;
    let link = app
        .create(
            "onderwerpobjecten",
            json!({"klantcontact": {"uuid": k["uuid"]},
                   "onderwerpobjectidentificator": {"objectId": "1", "codeObjecttype": "zaak", "codeRegister": "openzaak", "codeSoortObjectId": "uuid"}}),
        )
        .await;
    let anoniem = app
        .create(
            "betrokkenen",
            json!({"hadKlantcontact": {"uuid": k["uuid"]}, "rol": "klant", "initiator": true}),
        )
        .await;
    let gekend = app
        .create("betrokkenen", json!({"hadKlantcontact": {"uuid": k["uuid"]}, "wasPartij": {"uuid": partij["uuid"]}, "rol": "klant", "initiator": false}))
        .await;
    let eenmalig = app
        .create("digitaleadressen", json!({"verstrektDoorBetrokkene": {"uuid": anoniem["uuid"]}, "adres": "anoniem@example.nl", "soortDigitaalAdres": "email"}))
        .await;
    let van_partij = app
        .create("digitaleadressen", json!({"verstrektDoorBetrokkene": {"uuid": gekend["uuid"]}, "verstrektDoorPartij": {"uuid": partij["uuid"]}, "adres": "sanne@example.nl", "soortDigitaalAdres": "email"}))
        .await;

    let reply = app.delete(&format!("{}?cascade=true", url(&link))).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json(), json!({"behouden": []}));
    assert_eq!(app.get(url(&k)).await.status, 404);

    // Contact details of nobody do not stay behind; the partij's own address does.
    let (status, _) = app.eventually(url(&eenmalig), |s, _| s == 404).await;
    assert_eq!(status, 404);
    let (status, kept) = app
        .eventually(url(&van_partij), |_, a| {
            a["verstrektDoorBetrokkene"].is_null()
        })
        .await;
    assert_eq!(status, 200);
    assert_eq!(kept["verstrektDoorBetrokkene"], Value::Null);
    assert_eq!(kept["verstrektDoorPartij"]["uuid"], partij["uuid"]);
    let listed = app.get("digitaleadressen").await.json();
    assert_eq!(listed["count"], 1, "{listed}");

    // A plain klantcontact delete keeps both, as the reference does.
    let k = klantcontact(&app).await;
    let anoniem = app
        .create(
            "betrokkenen",
            json!({"hadKlantcontact": {"uuid": k["uuid"]}, "rol": "klant", "initiator": true}),
        )
        .await;
    let eenmalig = app
        .create("digitaleadressen", json!({"verstrektDoorBetrokkene": {"uuid": anoniem["uuid"]}, "adres": "0612345678", "soortDigitaalAdres": "telefoonnummer"}))
        .await;
    assert_eq!(app.delete(url(&k)).await.status, 204);
    let (status, kept) = app
        .eventually(url(&eenmalig), |_, a| {
            a["verstrektDoorBetrokkene"].is_null()
        })
        .await;
    assert_eq!(
        (status, &kept["verstrektDoorBetrokkene"]),
        (200, &Value::Null)
    );
}

#[tokio::test]
async fn every_unknown_reference_of_a_body_is_reported_in_field_order() {
    let app = spawn_app().await;
    let team = actor(&app, "Team").await;
    let reply = app
        .post(
            "internetaken",
            json!({"gevraagdeHandeling": "terugbellen",
                   "aanleidinggevendKlantcontact": {"uuid": uuid::Uuid::new_v4()},
                   "toegewezenAanActoren": [{"uuid": team["uuid"]}, {"uuid": uuid::Uuid::new_v4()}],
                   "status": "te_verwerken"}),
        )
        .await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert_eq!(
        params(&reply),
        pairs(&[
            ("aanleidinggevendKlantcontact.uuid", "invalid"),
            ("toegewezenAanActoren.1.uuid", "invalid"),
        ])
    );
    assert_eq!(
        reply.json()["invalidParams"][0]["reason"],
        "Klantcontact object bestaat niet."
    );
    // Together with the body's own errors, still in the order of the fields.
    let reply = app
        .post(
            "internetaken",
            json!({"aanleidinggevendKlantcontact": {"uuid": uuid::Uuid::new_v4()},
                   "toegewezenAanActoren": [{"uuid": uuid::Uuid::new_v4()}],
                   "status": "misschien"}),
        )
        .await;
    assert_eq!(
        params(&reply),
        pairs(&[
            ("gevraagdeHandeling", "required"),
            ("aanleidinggevendKlantcontact.uuid", "invalid"),
            ("toegewezenAanActoren.0.uuid", "invalid"),
            ("status", "invalid_choice"),
        ])
    );
    assert_eq!(app.get("internetaken").await.json()["count"], 0);

    // A betrokkene that names a partij and a klantcontact that do not exist.
    let reply = app
        .post(
            "betrokkenen",
            json!({"wasPartij": {"uuid": uuid::Uuid::new_v4()}, "hadKlantcontact": {"uuid": uuid::Uuid::new_v4()},
                   "rol": "klant", "initiator": true}),
        )
        .await;
    assert_eq!(
        reply.invalid_names(),
        ["wasPartij.uuid", "hadKlantcontact.uuid"]
    );
}

#[tokio::test]
async fn every_field_error_of_a_nested_group_is_reported() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "actoren",
            json!({"naam": "Sanne", "soortActor": "medewerker", "indicatieActief": true,
                   "actorIdentificatie": {"functie": "KCC", "emailadres": "geen-adres", "telefoonnummer": ""}}),
        )
        .await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert_eq!(
        params(&reply),
        pairs(&[
            ("actorIdentificatie.emailadres", "invalid"),
            ("actorIdentificatie.telefoonnummer", "blank"),
        ])
    );

    let reply = app
        .post("partij-identificatoren", json!({"partijIdentificator": {}}))
        .await;
    assert_eq!(
        params(&reply),
        pairs(&[
            ("partijIdentificator.codeObjecttype", "required"),
            ("partijIdentificator.codeSoortObjectId", "required"),
            ("partijIdentificator.objectId", "required"),
            ("partijIdentificator.codeRegister", "required"),
        ])
    );
}

#[tokio::test]
async fn the_deprecated_single_actor_is_the_first_of_several_everywhere_it_is_shown() {
    let app = spawn_app().await;
    let k = klantcontact(&app).await;
    let (a1, a2) = (actor(&app, "KCC").await, actor(&app, "Vergunningen").await);
    let taak = app
        .create(
            "internetaken",
            json!({"gevraagdeHandeling": "terugbellen", "aanleidinggevendKlantcontact": {"uuid": k["uuid"]},
                   "toegewezenAanActoren": [{"uuid": a2["uuid"]}, {"uuid": a1["uuid"]}], "status": "te_verwerken"}),
        )
        .await;
    let first = json!({"uuid": a2["uuid"], "url": a2["url"]});
    assert_eq!(taak["toegewezenAanActor"], first);
    assert_eq!(
        app.get(url(&taak)).await.json()["toegewezenAanActor"],
        first
    );
    let listed = app.get("internetaken").await.json();
    assert_eq!(listed["results"][0]["toegewezenAanActor"], first);
    let expanded = app
        .get(&format!("{}?expand=leiddeTotInterneTaken", url(&k)))
        .await
        .json();
    assert_eq!(
        expanded["_expand"]["leiddeTotInterneTaken"][0]["toegewezenAanActor"],
        first
    );
}

#[tokio::test]
async fn nul_characters_are_refused_by_name_in_bodies_and_filters() {
    let app = spawn_app().await;
    let nul = |reply: &acceptance::Reply, name: &str| {
        assert_eq!(reply.status, 400, "{}", reply.text);
        let body = reply.json();
        assert_eq!(body["invalidParams"][0]["name"], name, "{body}");
        assert_eq!(
            body["invalidParams"][0]["code"],
            "null_characters_not_allowed"
        );
        assert_eq!(
            body["invalidParams"][0]["reason"],
            "Null-tekens zijn niet toegestaan."
        );
    };
    let reply = app
        .post(
            "partijen",
            json!({"soortPartij": "organisatie", "indicatieActief": true, "partijIdentificatie": {"naam": "Gemeente\u{0}Utrecht"}}),
        )
        .await;
    nul(&reply, "partijIdentificatie.naam");
    let reply = app
        .post(
            "klantcontacten",
            json!({"kanaal": "tele\u{0}foon", "onderwerp": "x", "taal": "nld", "vertrouwelijk": false}),
        )
        .await;
    nul(&reply, "kanaal");
    let reply = app
        .post(
            "klantcontacten",
            json!({"kanaal": "telefoon", "onderwerp": "x", "taal": "nld", "vertrouwelijk": false, "metadata": {"bron": "a\u{0}b"}}),
        )
        .await;
    nul(&reply, "metadata.bron");
    nul(
        &app.get("klantcontacten?onderwerp=a%00b").await,
        "onderwerp",
    );
    nul(
        &app.get("partijen?partijIdentificator__objectId=1%002")
            .await,
        "partijIdentificator__objectId",
    );
    nul(
        &app.get("internetaken?klantcontact__nummer=1%002").await,
        "klantcontact__nummer",
    );
    // Nothing was stored.
    assert_eq!(app.get("partijen").await.json()["count"], 0);
    assert_eq!(app.get("klantcontacten").await.json()["count"], 0);
}

#[tokio::test]
async fn the_api_root_carries_the_headers_of_every_answer() {
    let app = spawn_app().await;
    let root = app
        .send(app.client.get(app.url("/klantinteracties/api/v1/")))
        .await;
    assert_eq!(root.status, 200);
    assert_eq!(root.header("api-version"), Some("0.9.0"));
    assert_eq!(root.header("allow"), Some("GET, HEAD, OPTIONS"));
    let listed = root.json();
    for resource in ["partijen", "klantcontacten", "internetaken"] {
        assert!(listed[resource].is_string(), "{resource} missing: {listed}");
    }
}
