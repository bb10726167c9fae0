//! The registers as separate applications with their own databases, reaching each other over
//! HTTP, as in production.

use std::time::{Duration, Instant};

use acceptance::{persoon, spawn_app_with, TestApp};
use serde_json::{json, Value};

const SERVICE_TOKEN: &str = "feedfacefeedfacefeedfacefeedfacefeedface";

fn free_address() -> String {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .to_string()
}

/// relatiebeheer and klantcontacten, each alone, pointing at each other.
async fn two_registers() -> (TestApp, TestApp) {
    let (rb, kc) = (free_address(), free_address());
    let (rb_peer, kc_peer) = (format!("http://{rb}"), format!("http://{kc}"));
    let relatiebeheer = spawn_app_with(|s| {
        s.register = Some("relatiebeheer".into());
        s.bind = rb.clone();
        s.peers.klantcontacten = Some(kc_peer.clone());
        s.service_token = Some(SERVICE_TOKEN.into());
    })
    .await;
    let klantcontacten = spawn_app_with(|s| {
        s.register = Some("klantcontacten".into());
        s.bind = kc.clone();
        s.peers.relatiebeheer = Some(rb_peer.clone());
        s.service_token = Some(SERVICE_TOKEN.into());
    })
    .await;
    (relatiebeheer, klantcontacten)
}

async fn eventually(app: &TestApp, url: &str, ready: impl Fn(&Value) -> bool) -> Value {
    let started = Instant::now();
    loop {
        let body = app.get(url).await.json();
        if ready(&body) || started.elapsed() > Duration::from_secs(5) {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn two_registers_in_two_processes_check_references_and_feed_each_others_read_models() {
    let (relatiebeheer, klantcontacten) = two_registers().await;
    // Each serves only its own resources.
    assert_eq!(relatiebeheer.get("klantcontacten").await.status, 404);
    assert_eq!(klantcontacten.get("partijen").await.status, 404);

    let partij = relatiebeheer.create("partijen", persoon(None)).await;
    let k = klantcontacten
        .create("klantcontacten", json!({"kanaal": "telefoon", "onderwerp": "terugbellen", "taal": "nld", "vertrouwelijk": false}))
        .await;
    let unknown = klantcontacten
        .post(
            "betrokkenen",
            json!({"hadKlantcontact": {"uuid": k["uuid"]}, "wasPartij": {"uuid": uuid::Uuid::new_v4()}, "rol": "klant", "initiator": true}),
        )
        .await;
    assert_eq!(unknown.invalid_names(), ["wasPartij.uuid"]);
    let b = klantcontacten
        .create("betrokkenen", json!({"hadKlantcontact": {"uuid": k["uuid"]}, "wasPartij": {"uuid": partij["uuid"]}, "rol": "klant", "initiator": true}))
        .await;

    // The betrokkene reaches relatiebeheer's read model through klantcontacten's outbox.
    let url = format!("partijen/{}", partij["uuid"].as_str().unwrap());
    let shown = eventually(&relatiebeheer, &url, |p| {
        p["betrokkenen"].as_array().is_some_and(|a| !a.is_empty())
    })
    .await;
    assert_eq!(shown["betrokkenen"][0]["uuid"], b["uuid"]);
    let expanded = relatiebeheer
        .get(&format!(
            "{url}?expand=betrokkenen,betrokkenen.hadKlantcontact"
        ))
        .await
        .json();
    assert_eq!(
        expanded["_expand"]["betrokkenen"][0]["_expand"]["hadKlantcontact"]["onderwerp"],
        "terugbellen"
    );

    // An address in relatiebeheer, supplied by the betrokkene in klantcontacten.
    let adres = relatiebeheer
        .create("digitaleadressen", json!({"verstrektDoorBetrokkene": {"uuid": b["uuid"]}, "adres": "0612345678", "soortDigitaalAdres": "telefoonnummer"}))
        .await;
    let betrokkene_url = format!("betrokkenen/{}", b["uuid"].as_str().unwrap());
    let shown = eventually(&klantcontacten, &betrokkene_url, |v| {
        v["digitaleAdressen"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    })
    .await;
    assert_eq!(shown["digitaleAdressen"][0]["uuid"], adres["uuid"]);

    // klantcontacten's read model, rebuilt from relatiebeheer over HTTP.
    platform::db::Db::connect(
        &klantcontacten
            .settings
            .database_url(reference::Register::Klantcontacten),
        1,
    )
    .run_blocking(|conn| {
        use diesel::connection::SimpleConnection;
        Ok(conn.batch_execute("DELETE FROM betrokkene_digitale_adressen")?)
    })
    .unwrap();
    assert_eq!(
        klantcontacten.get(&betrokkene_url).await.json()["digitaleAdressen"],
        json!([])
    );
    let report = klantinteracties::readmodels::resync(&klantcontacten.settings, "digitaleadressen")
        .await
        .unwrap();
    assert_eq!((report.objects, report.removed), (1, 0));
    let shown = klantcontacten.get(&betrokkene_url).await.json();
    assert_eq!(shown["digitaleAdressen"][0]["uuid"], adres["uuid"]);
}

/// The three registers, each alone with its own database, each knowing the others' addresses.
pub async fn three_registers() -> (TestApp, TestApp, TestApp) {
    let (rb, kc, kt) = (free_address(), free_address(), free_address());
    let peers = |s: &mut klantinteracties::Settings| {
        s.peers.relatiebeheer = Some(format!("http://{rb}"));
        s.peers.klantcontacten = Some(format!("http://{kc}"));
        s.peers.klanttaak = Some(format!("http://{kt}"));
        s.service_token = Some(SERVICE_TOKEN.into());
    };
    let relatiebeheer = spawn_app_with(|s| {
        peers(s);
        s.register = Some("relatiebeheer".into());
        s.bind = rb.clone();
    })
    .await;
    let klantcontacten = spawn_app_with(|s| {
        peers(s);
        s.register = Some("klantcontacten".into());
        s.bind = kc.clone();
    })
    .await;
    let klanttaak = spawn_app_with(|s| {
        peers(s);
        s.register = Some("klanttaak".into());
        s.bind = kt.clone();
    })
    .await;
    (relatiebeheer, klantcontacten, klanttaak)
}

#[tokio::test]
async fn three_registers_in_three_processes_run_a_call_back_across_them() {
    let (relatiebeheer, klantcontacten, klanttaak) = three_registers().await;
    assert_eq!(klanttaak.get("klantcontacten").await.status, 404);
    assert_eq!(klantcontacten.get("internetaken").await.status, 404);
    // Each lists the whole API at its root, as the one behind an Ingress's root would.
    let root = klanttaak.get("").await.json();
    assert!(root["partijen"]
        .as_str()
        .unwrap()
        .ends_with("/klantinteracties/api/v1/partijen"));
    assert!(root["maak-klantcontact"].is_string());

    let partij = relatiebeheer.create("partijen", persoon(None)).await;
    let k = klantcontacten
        .create("klantcontacten", json!({"kanaal": "telefoon", "onderwerp": "terugbellen", "taal": "nld", "vertrouwelijk": false, "nummer": "31"}))
        .await;
    let b = klantcontacten
        .create("betrokkenen", json!({"hadKlantcontact": {"uuid": k["uuid"]}, "wasPartij": {"uuid": partij["uuid"]}, "rol": "klant", "initiator": true}))
        .await;
    let adres = relatiebeheer
        .create("digitaleadressen", json!({"verstrektDoorBetrokkene": {"uuid": b["uuid"]}, "adres": "0612345678", "soortDigitaalAdres": "telefoonnummer"}))
        .await;
    let team = klantcontacten
        .create("actoren", json!({"naam": "Team Terugbellen", "soortActor": "organisatorische_eenheid", "indicatieActief": true, "actorIdentificatie": {"omschrijving": "terugbellen"}}))
        .await;

    // klanttaak checks the klantcontact and the actor in klantcontacten.
    let ghost = klanttaak
        .post("internetaken", json!({"aanleidinggevendKlantcontact": {"uuid": uuid::Uuid::new_v4()}, "toegewezenAanActor": {"uuid": team["uuid"]}, "gevraagdeHandeling": "terugbellen", "status": "te_verwerken"}))
        .await;
    assert_eq!(ghost.invalid_names(), ["aanleidinggevendKlantcontact.uuid"]);
    let taak = klanttaak
        .create("internetaken", json!({"aanleidinggevendKlantcontact": {"uuid": k["uuid"]}, "toegewezenAanActor": {"uuid": team["uuid"]}, "gevraagdeHandeling": "terugbellen", "status": "te_verwerken"}))
        .await;

    // Filters that klanttaak asks klantcontacten to answer.
    let by_nummer = klanttaak
        .get("internetaken?klantcontact__nummer=31")
        .await
        .json();
    assert_eq!(by_nummer["count"], 1);
    let by_naam = klanttaak
        .get("internetaken?actoren__naam=Team%20Terugbellen")
        .await
        .json();
    assert_eq!(by_naam["results"][0]["uuid"], taak["uuid"]);

    // klantcontacten hears of the task and expands it from klanttaak.
    let url = format!("klantcontacten/{}", k["uuid"].as_str().unwrap());
    let shown = eventually(&klantcontacten, &url, |v| {
        v["leiddeTotInterneTaken"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    })
    .await;
    assert_eq!(shown["leiddeTotInterneTaken"][0]["uuid"], taak["uuid"]);
    let expanded = klantcontacten
        .get(&format!(
            "{url}?expand=leiddeTotInterneTaken,hadBetrokkenen,hadBetrokkenen.wasPartij"
        ))
        .await
        .json();
    assert_eq!(
        expanded["_expand"]["leiddeTotInterneTaken"][0]["gevraagdeHandeling"],
        "terugbellen"
    );
    assert_eq!(
        expanded["_expand"]["hadBetrokkenen"][0]["_expand"]["wasPartij"]["uuid"],
        partij["uuid"]
    );

    // relatiebeheer reaches through klantcontacten into klanttaak.
    let deep = relatiebeheer
        .get(&format!(
            "digitaleadressen/{}?expand=verstrektDoorBetrokkene,verstrektDoorBetrokkene.hadKlantcontact,verstrektDoorBetrokkene.hadKlantcontact.leiddeTotInterneTaken",
            adres["uuid"].as_str().unwrap()
        ))
        .await
        .json();
    let contact = &deep["_expand"]["verstrektDoorBetrokkene"]["_expand"]["hadKlantcontact"];
    assert_eq!(
        contact["_expand"]["leiddeTotInterneTaken"][0]["uuid"],
        taak["uuid"]
    );

    // Closing the task in klanttaak; klantcontacten still lists it.
    let closed = klanttaak
        .patch(taak["url"].as_str().unwrap(), json!({"status": "verwerkt"}))
        .await
        .json();
    assert_eq!(closed["status"], "verwerkt");
    let open = klanttaak
        .get("internetaken?status=te_verwerken")
        .await
        .json();
    assert_eq!(open["count"], 0);
}

#[tokio::test]
async fn a_register_stopped_mid_flow_loses_nothing_and_the_others_converge_after_its_restart() {
    let (relatiebeheer, klantcontacten, klanttaak) = three_registers().await;
    let partij = relatiebeheer.create("partijen", persoon(None)).await;
    let k = klantcontacten
        .create(
            "klantcontacten",
            json!({"kanaal": "telefoon", "onderwerp": "x", "taal": "nld", "vertrouwelijk": false}),
        )
        .await;
    let team = klantcontacten
        .create("actoren", json!({"naam": "Team", "soortActor": "organisatorische_eenheid", "actorIdentificatie": {"omschrijving": "team"}}))
        .await;
    let taak = klanttaak
        .create("internetaken", json!({"aanleidinggevendKlantcontact": {"uuid": k["uuid"]}, "toegewezenAanActor": {"uuid": team["uuid"]}, "gevraagdeHandeling": "terugbellen", "status": "te_verwerken"}))
        .await;

    let b1 = klantcontacten
        .create("betrokkenen", json!({"hadKlantcontact": {"uuid": k["uuid"]}, "wasPartij": {"uuid": partij["uuid"]}, "rol": "klant", "initiator": true}))
        .await;

    // relatiebeheer goes down: klantcontacten keeps serving, refuses what needs a partij check
    // it cannot make, and keeps the betrokkene events for later.
    relatiebeheer.stop().await;
    assert_eq!(
        klantcontacten.get(k["url"].as_str().unwrap()).await.status,
        200
    );
    let refused = klantcontacten
        .post("betrokkenen", json!({"hadKlantcontact": {"uuid": k["uuid"]}, "wasPartij": {"uuid": uuid::Uuid::new_v4()}, "rol": "klant", "initiator": true}))
        .await;
    assert_eq!(refused.status, 503);
    // The partij checked a moment ago is still vouched for (the short positive cache).
    let k2 = klantcontacten
        .create(
            "klantcontacten",
            json!({"kanaal": "balie", "onderwerp": "y", "taal": "nld", "vertrouwelijk": false}),
        )
        .await;
    let b3 = klantcontacten
        .create("betrokkenen", json!({"hadKlantcontact": {"uuid": k2["uuid"]}, "wasPartij": {"uuid": partij["uuid"]}, "rol": "klant", "initiator": true}))
        .await;

    // klanttaak goes down too, and the klantcontact of its task is deleted meanwhile (taking
    // b1 along).
    klanttaak.stop().await;
    assert_eq!(
        klantcontacten
            .delete(k["url"].as_str().unwrap())
            .await
            .status,
        204
    );

    // Both come back on their own databases and catch up with what klantcontacten acknowledged.
    let relatiebeheer = relatiebeheer.restart().await;
    let klanttaak = klanttaak.restart().await;
    let partij_url = format!("partijen/{}", partij["uuid"].as_str().unwrap());
    // (Compared by uuid: each process writes URLs under its own address here, where a
    // gateway and a public base URL would make them one.)
    let expected = json!([b3["uuid"]]);
    let uuids = |p: &Value| -> Value {
        p["betrokkenen"]
            .as_array()
            .map(|l| l.iter().map(|b| b["uuid"].clone()).collect())
            .unwrap_or_default()
    };
    let started = Instant::now();
    loop {
        let shown = relatiebeheer.get(&partij_url).await.json();
        let gone = klanttaak.get(taak["url"].as_str().unwrap()).await.status == 404;
        if (uuids(&shown) == expected && gone) || started.elapsed() > Duration::from_secs(20) {
            assert_eq!(uuids(&shown), expected, "{shown}");
            assert!(gone, "the task of the deleted klantcontact is still there");
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        klantcontacten.get(b1["url"].as_str().unwrap()).await.status,
        404
    );
    assert_eq!(klanttaak.get("internetaken").await.json()["count"], 0);
}

#[tokio::test]
async fn replicas_on_one_postgresql_database_deliver_each_event_and_take_over_from_each_other() {
    // Replicas share a database; that is a PostgreSQL set-up (an embedded SQLite file belongs
    // to one process), so this runs where TEST_DATABASE_URL names a server, as on CI.
    if std::env::var("TEST_DATABASE_URL").map_or(true, |u| u.is_empty()) {
        return;
    }
    let (rb, kc_a, kc_b) = (free_address(), free_address(), free_address());
    let relatiebeheer = spawn_app_with(|s| {
        s.register = Some("relatiebeheer".into());
        s.bind = rb.clone();
        s.peers.klantcontacten = Some(format!("http://{kc_a}"));
        s.service_token = Some(SERVICE_TOKEN.into());
    })
    .await;
    let replica = |bind: String, database: Option<klantinteracties::Settings>| {
        let rb = rb.clone();
        spawn_app_with(move |s| {
            s.register = Some("klantcontacten".into());
            s.bind = bind;
            s.peers.relatiebeheer = Some(format!("http://{rb}"));
            s.service_token = Some(SERVICE_TOKEN.into());
            if let Some(first) = database {
                s.database.klantcontacten = first.database.klantcontacten;
            }
        })
    };
    let a = replica(kc_a.clone(), None).await;
    let b = replica(kc_b.clone(), Some(a.settings.clone())).await;

    let partij = relatiebeheer.create("partijen", persoon(None)).await;
    let k = a
        .create(
            "klantcontacten",
            json!({"kanaal": "telefoon", "onderwerp": "x", "taal": "nld", "vertrouwelijk": false}),
        )
        .await;
    let body = json!({"hadKlantcontact": {"uuid": k["uuid"]}, "wasPartij": {"uuid": partij["uuid"]}, "rol": "klant", "initiator": false});
    for i in 0..10 {
        let replica = if i % 2 == 0 { &a } else { &b };
        replica.create("betrokkenen", body.clone()).await;
    }
    let url = format!("partijen/{}", partij["uuid"].as_str().unwrap());
    let shown = eventually(&relatiebeheer, &url, |p| {
        p["betrokkenen"].as_array().is_some_and(|l| l.len() == 10)
    })
    .await;
    assert_eq!(shown["betrokkenen"].as_array().unwrap().len(), 10);

    // The first replica stops (taking its relay lock with it); the second delivers from now on.
    a.stop().await;
    for _ in 0..3 {
        b.create("betrokkenen", body.clone()).await;
    }
    let started = Instant::now();
    loop {
        let shown = relatiebeheer.get(&url).await.json();
        let count = shown["betrokkenen"].as_array().map_or(0, Vec::len);
        if count == 13 || started.elapsed() > Duration::from_secs(15) {
            assert_eq!(count, 13, "{shown}");
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_onderwerpobject_cascade_reaches_relatiebeheer_when_it_is_back() {
    let (relatiebeheer, klantcontacten) = two_registers().await;
    let k = klantcontacten
        .create("klantcontacten", json!({"kanaal": "e-mail", "onderwerp": "melding", "taal": "nld", "vertrouwelijk": false}))
        .await;
    let link = klantcontacten
        .create(
            "onderwerpobjecten",
            json!({"klantcontact": {"uuid": k["uuid"]}}),
        )
        .await;
    let b = klantcontacten
        .create(
            "betrokkenen",
            json!({"hadKlantcontact": {"uuid": k["uuid"]}, "rol": "klant", "initiator": true}),
        )
        .await;
    let adres = relatiebeheer
        .create("digitaleadressen", json!({"verstrektDoorBetrokkene": {"uuid": b["uuid"]}, "adres": "melder@example.nl", "soortDigitaalAdres": "email"}))
        .await;

    // relatiebeheer is down while the contact is deleted with its onderwerpobject.
    relatiebeheer.stop().await;
    let reply = klantcontacten
        .delete(&format!("{}?cascade=true", link["url"].as_str().unwrap()))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let relatiebeheer = relatiebeheer.restart().await;
    let adres_url = format!("digitaleadressen/{}", adres["uuid"].as_str().unwrap());
    let started = Instant::now();
    while relatiebeheer.get(&adres_url).await.status != 404 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the one-off address survived its betrokkene"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        relatiebeheer.get("digitaleadressen").await.json()["count"],
        0
    );
}

#[tokio::test]
async fn one_idempotency_key_sent_to_two_replicas_at_once_creates_one_object() {
    // Replicas share a PostgreSQL database (see above).
    if std::env::var("TEST_DATABASE_URL").map_or(true, |u| u.is_empty()) {
        return;
    }
    let replica = |database: Option<klantinteracties::Settings>| {
        spawn_app_with(move |s| {
            s.register = Some("relatiebeheer".into());
            s.service_token = Some(SERVICE_TOKEN.into());
            if let Some(first) = database {
                s.database.relatiebeheer = first.database.relatiebeheer;
                s.database.auth = first.database.auth;
            }
        })
    };
    let a = replica(None).await;
    let b = replica(Some(a.settings.clone())).await;
    let post = |app: &TestApp, key: &str, body: serde_json::Value| {
        let request = app
            .client
            .post(app.url("partijen"))
            .header("Authorization", format!("Token {}", a.token))
            .header("Idempotency-Key", key)
            .json(&body);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let rounds = 20;
    for round in 0..rounds {
        let key = uuid::Uuid::new_v4().to_string();
        let other = if round % 2 == 0 {
            persoon(None)
        } else {
            acceptance::organisatie("Een ander verzoek")
        };
        let (first, second) = tokio::join!(post(&a, &key, persoon(None)), post(&b, &key, other));
        let statuses = [first, second];
        assert!(statuses.contains(&201), "round {round}: {statuses:?}");
        for status in statuses {
            // The same request is answered as the first was; another one under the same key
            // is refused; one still being processed is a 409.
            assert!(
                matches!(status, 201 | 400 | 409),
                "round {round}: {statuses:?}"
            );
        }
    }
    let count = a.get("partijen").await.json()["count"].clone();
    assert_eq!(count, rounds, "one partij per key");
}
