//! The inverse relations that cross the register boundary come from read models fed by the
//! other register's events.

use std::time::{Duration, Instant};

use acceptance::{persoon, spawn_app, spawn_app_with, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// Polls a URL until `ready` holds for its JSON (events arrive asynchronously), at most 5 s.
async fn eventually(app: &TestApp, url: &str, ready: impl Fn(&Value) -> bool) -> (Value, Duration) {
    let started = Instant::now();
    loop {
        let body = app.get(url).await.json();
        if ready(&body) || started.elapsed() > Duration::from_secs(5) {
            return (body, started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn klantcontact(app: &TestApp) -> Value {
    app.create(
        "klantcontacten",
        json!({"kanaal": "balie", "onderwerp": "x", "taal": "nld", "vertrouwelijk": false}),
    )
    .await
}

#[tokio::test]
async fn a_new_betrokkene_shows_on_its_partij_and_leaves_when_deleted() {
    let app = spawn_app().await;
    let partij = app.create("partijen", persoon(None)).await;
    let url = partij["url"].as_str().unwrap().to_owned();
    let k = klantcontact(&app).await;
    let b = app
        .create("betrokkenen", json!({"hadKlantcontact": {"uuid": k["uuid"]}, "wasPartij": {"uuid": partij["uuid"]}, "rol": "klant", "initiator": true}))
        .await;
    let (shown, lag) = eventually(&app, &url, |p| {
        p["betrokkenen"].as_array().is_some_and(|a| !a.is_empty())
    })
    .await;
    assert_eq!(
        shown["betrokkenen"],
        json!([{"uuid": b["uuid"], "url": b["url"]}]),
        "after {lag:?}"
    );

    // Moving the betrokkene to no partij takes it away again.
    app.patch(b["url"].as_str().unwrap(), json!({"wasPartij": null}))
        .await;
    let (shown, _) = eventually(&app, &url, |p| p["betrokkenen"] == json!([])).await;
    assert_eq!(shown["betrokkenen"], json!([]));

    // Deleting the klantcontact deletes its betrokkenen, and the partij hears of it.
    let b2 = app
        .create("betrokkenen", json!({"hadKlantcontact": {"uuid": k["uuid"]}, "wasPartij": {"uuid": partij["uuid"]}, "rol": "klant", "initiator": true}))
        .await;
    let (shown, _) = eventually(&app, &url, |p| {
        p["betrokkenen"].as_array().is_some_and(|a| !a.is_empty())
    })
    .await;
    assert_eq!(shown["betrokkenen"][0]["uuid"], b2["uuid"]);
    assert_eq!(app.delete(k["url"].as_str().unwrap()).await.status, 204);
    let (shown, _) = eventually(&app, &url, |p| p["betrokkenen"] == json!([])).await;
    assert_eq!(shown["betrokkenen"], json!([]));
}

#[tokio::test]
async fn an_address_supplied_by_a_betrokkene_shows_on_the_betrokkene() {
    let app = spawn_app().await;
    let k = klantcontact(&app).await;
    let b = app
        .create(
            "betrokkenen",
            json!({"hadKlantcontact": {"uuid": k["uuid"]}, "rol": "klant", "initiator": true}),
        )
        .await;
    let adres = app
        .create("digitaleadressen", json!({"verstrektDoorBetrokkene": {"uuid": b["uuid"]}, "adres": "0677407844", "soortDigitaalAdres": "telefoonnummer"}))
        .await;
    let url = b["url"].as_str().unwrap().to_owned();
    let (shown, _) = eventually(&app, &url, |v| {
        v["digitaleAdressen"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    })
    .await;
    assert_eq!(
        shown["digitaleAdressen"],
        json!([{"uuid": adres["uuid"], "url": adres["url"]}])
    );
    assert_eq!(app.delete(adres["url"].as_str().unwrap()).await.status, 204);
    let (shown, _) = eventually(&app, &url, |v| v["digitaleAdressen"] == json!([])).await;
    assert_eq!(shown["digitaleAdressen"], json!([]));
}

#[tokio::test]
async fn events_are_applied_once_and_an_older_event_changes_nothing() {
    let app = spawn_app_with(|settings| {
        settings.service_token = Some("0123456789abcdef0123456789abcdef01234567".into())
    })
    .await;
    let partij = app.create("partijen", persoon(None)).await;
    let betrokkene = uuid::Uuid::new_v4().to_string();
    let deliver = |id: i64, partij: Value| {
        let app = &app;
        let body = json!({"events": [{"id": id, "topic": "betrokkene", "uuid": betrokkene, "payload": {"wasPartij": partij, "hadKlantcontact": "k", "deleted": false}}]});
        async move {
            app.send(
                app.client
                    .request(Method::POST, app.url("/_internal/events-relatiebeheer"))
                    .header(
                        "Authorization",
                        "Token 0123456789abcdef0123456789abcdef01234567",
                    )
                    .json(&body),
            )
            .await
            .status
        }
    };
    let url = partij["url"].as_str().unwrap();
    assert_eq!(deliver(10, partij["uuid"].clone()).await, 204);
    assert_eq!(deliver(10, partij["uuid"].clone()).await, 204);
    assert_eq!(
        app.get(url).await.json()["betrokkenen"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // An event older than the one applied is ignored.
    assert_eq!(deliver(5, Value::Null).await, 204);
    assert_eq!(
        app.get(url).await.json()["betrokkenen"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(deliver(11, Value::Null).await, 204);
    assert_eq!(app.get(url).await.json()["betrokkenen"], json!([]));

    // Only the registers themselves may deliver.
    let refused = app
        .send(
            app.request(Method::POST, "/_internal/events-relatiebeheer")
                .json(&json!({"events": []})),
        )
        .await;
    assert_eq!(refused.status, 403);
}

#[tokio::test]
async fn expand_reaches_into_the_other_register_in_both_directions() {
    let app = spawn_app().await;
    let partij = app.create("partijen", persoon(None)).await;
    let k = klantcontact(&app).await;
    let b = app
        .create("betrokkenen", json!({"hadKlantcontact": {"uuid": k["uuid"]}, "wasPartij": {"uuid": partij["uuid"]}, "rol": "klant", "initiator": true}))
        .await;
    let adres = app
        .create("digitaleadressen", json!({"verstrektDoorBetrokkene": {"uuid": b["uuid"]}, "adres": "0677407844", "soortDigitaalAdres": "telefoonnummer"}))
        .await;
    let url = partij["url"].as_str().unwrap();
    eventually(&app, url, |p| {
        p["betrokkenen"].as_array().is_some_and(|a| !a.is_empty())
    })
    .await;
    eventually(&app, b["url"].as_str().unwrap(), |v| {
        v["digitaleAdressen"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    })
    .await;

    // partij → betrokkenen → klantcontact
    let expanded = app
        .get(&format!(
            "{url}?expand=betrokkenen,betrokkenen.hadKlantcontact"
        ))
        .await
        .json();
    let betrokkene = &expanded["_expand"]["betrokkenen"][0];
    assert_eq!(betrokkene["uuid"], b["uuid"]);
    assert_eq!(betrokkene["rol"], "klant");
    assert_eq!(betrokkene["_expand"]["hadKlantcontact"]["uuid"], k["uuid"]);
    assert_eq!(betrokkene["_expand"]["hadKlantcontact"]["kanaal"], "balie");

    // klantcontact → betrokkenen → partij and addresses
    let list = app
        .get("klantcontacten?expand=hadBetrokkenen,hadBetrokkenen.wasPartij,hadBetrokkenen.digitaleAdressen")
        .await
        .json();
    let betrokkene = &list["results"][0]["_expand"]["hadBetrokkenen"][0];
    assert_eq!(betrokkene["_expand"]["wasPartij"]["uuid"], partij["uuid"]);
    assert_eq!(betrokkene["_expand"]["wasPartij"]["soortPartij"], "persoon");
    assert_eq!(
        betrokkene["_expand"]["digitaleAdressen"][0]["adres"],
        "0677407844"
    );

    // betrokkene → addresses; address → betrokkene → klantcontact
    let detail = app
        .get(&format!(
            "{}?expand=digitaleAdressen",
            b["url"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(
        detail["_expand"]["digitaleAdressen"][0]["uuid"],
        adres["uuid"]
    );
    let detail = app
        .get(&format!(
            "{}?expand=verstrektDoorBetrokkene,verstrektDoorBetrokkene.hadKlantcontact",
            adres["url"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(
        detail["_expand"]["verstrektDoorBetrokkene"]["uuid"],
        b["uuid"]
    );
    assert_eq!(
        detail["_expand"]["verstrektDoorBetrokkene"]["_expand"]["hadKlantcontact"]["uuid"],
        k["uuid"]
    );
}

#[tokio::test]
async fn addresses_are_found_by_the_rol_of_the_betrokkene_that_supplied_them() {
    let app = spawn_app().await;
    let k = klantcontact(&app).await;
    let mut adressen = Vec::new();
    for rol in ["klant", "vertegenwoordiger"] {
        let b = app
            .create(
                "betrokkenen",
                json!({"hadKlantcontact": {"uuid": k["uuid"]}, "rol": rol, "initiator": true}),
            )
            .await;
        adressen.push(
            app.create("digitaleadressen", json!({"verstrektDoorBetrokkene": {"uuid": b["uuid"]}, "adres": format!("{rol}@example.nl"), "soortDigitaalAdres": "email"}))
                .await,
        );
    }
    let (found, _) = eventually(
        &app,
        "digitaleadressen?verstrektDoorBetrokkene__rol=vertegenwoordiger",
        |v| v["count"] == 1,
    )
    .await;
    assert_eq!(found["count"], 1);
    assert_eq!(found["results"][0]["uuid"], adressen[1]["uuid"]);
    assert_eq!(
        app.get("digitaleadressen?verstrektDoorBetrokkene__rol=baas")
            .await
            .invalid_codes(),
        ["invalid_choice"]
    );
}

#[tokio::test]
async fn filters_that_reach_into_relatiebeheer_ask_it_once_and_list_each_contact_once() {
    let app = spawn_app().await;
    let bekend = app.create("partijen", persoon(Some("999958653"))).await;
    let ander = app.create("partijen", persoon(Some("296648875"))).await;
    let met_bekend = klantcontact(&app).await;
    let met_ander = klantcontact(&app).await;
    for (k, partij) in [
        (&met_bekend, &bekend),
        (&met_bekend, &bekend),
        (&met_ander, &ander),
    ] {
        app.create("betrokkenen", json!({"hadKlantcontact": {"uuid": k["uuid"]}, "wasPartij": {"uuid": partij["uuid"]}, "rol": "klant", "initiator": true}))
            .await;
    }
    let anoniem = app
        .create("betrokkenen", json!({"hadKlantcontact": {"uuid": met_ander["uuid"]}, "rol": "klant", "initiator": true}))
        .await;
    let adres = app
        .create("digitaleadressen", json!({"verstrektDoorBetrokkene": {"uuid": anoniem["uuid"]}, "adres": "Terugbel@Example.nl", "soortDigitaalAdres": "email"}))
        .await;

    let found = app
        .get("klantcontacten?hadBetrokkene__wasPartij__partijIdentificator__objectId=999958653")
        .await
        .json();
    assert_eq!(found["count"], 1);
    assert_eq!(found["results"][0]["uuid"], met_bekend["uuid"]);
    let found = app
        .get("klantcontacten?hadBetrokkene__digitaaladres__adres__icontains=terugbel")
        .await
        .json();
    assert_eq!(found["count"], 1);
    assert_eq!(found["results"][0]["uuid"], met_ander["uuid"]);

    let found = app
        .get("betrokkenen?wasPartij__partijIdentificator__objectId=296648875")
        .await
        .json();
    assert_eq!(found["count"], 1);
    assert_eq!(
        app.get("betrokkenen?verstrektedigitaalAdres__adres=Terugbel@Example.nl")
            .await
            .json()["count"],
        1
    );
    let (by_url, _) = eventually(
        &app,
        &format!(
            "betrokkenen?verstrektedigitaalAdres__url={}",
            adres["url"].as_str().unwrap()
        ),
        |v| v["count"] == 1,
    )
    .await;
    assert_eq!(by_url["results"][0]["uuid"], anoniem["uuid"]);
    assert_eq!(
        app.get("betrokkenen?wasPartij__partijIdentificator__objectId=000000000")
            .await
            .json()["count"],
        0
    );
}

/// Runs SQL on one register's database, beneath the API.
fn execute(app: &TestApp, register: reference::Register, sql: &str) {
    use diesel::connection::SimpleConnection;
    platform::db::Db::connect(&app.settings.database_url(register), 1)
        .run_blocking(|conn| Ok(conn.batch_execute(sql)?))
        .unwrap();
}

#[tokio::test]
async fn resync_rebuilds_a_read_model_that_lost_rows_and_kept_stale_ones() {
    let app = spawn_app().await;
    let partij = app.create("partijen", persoon(None)).await;
    let url = partij["url"].as_str().unwrap().to_owned();
    let k = klantcontact(&app).await;
    let mut betrokkenen = Vec::new();
    for _ in 0..2 {
        let b = app
            .create("betrokkenen", json!({"hadKlantcontact": {"uuid": k["uuid"]}, "wasPartij": {"uuid": partij["uuid"]}, "rol": "klant", "initiator": false}))
            .await;
        betrokkenen.push(b["uuid"].clone());
    }
    let (shown, _) = eventually(&app, &url, |p| {
        p["betrokkenen"].as_array().is_some_and(|a| a.len() == 2)
    })
    .await;
    assert_eq!(shown["betrokkenen"].as_array().unwrap().len(), 2);

    // The read model loses its rows and keeps one of a betrokkene that no longer exists (as
    // after restoring an old backup of relatiebeheer's database).
    let stale = uuid::Uuid::new_v4();
    execute(
        &app,
        reference::Register::Relatiebeheer,
        &format!(
            "DELETE FROM partij_betrokkenen; INSERT INTO partij_betrokkenen \
             (betrokkene_uuid, partij_uuid, klantcontact_uuid, rol, event_id, deleted) \
             VALUES ('{stale}', '{}', '{}', 'klant', 1, false)",
            partij["uuid"].as_str().unwrap(),
            k["uuid"].as_str().unwrap()
        ),
    );
    let shown = app.get(&url).await.json();
    assert_eq!(shown["betrokkenen"][0]["uuid"], stale.to_string());

    let report = klantinteracties::readmodels::resync(&app.settings, "betrokkenen")
        .await
        .unwrap();
    assert_eq!((report.objects, report.removed), (2, 1));
    let shown = app.get(&url).await.json();
    let mut uuids: Vec<Value> = shown["betrokkenen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["uuid"].clone())
        .collect();
    uuids.sort_by_key(|u| u.as_str().unwrap().to_owned());
    betrokkenen.sort_by_key(|u| u.as_str().unwrap().to_owned());
    assert_eq!(uuids, betrokkenen);

    // Events after the resync still apply on top of it.
    app.delete(&format!("betrokkenen/{}", betrokkenen[0].as_str().unwrap()))
        .await;
    let (shown, _) = eventually(&app, &url, |p| {
        p["betrokkenen"].as_array().is_some_and(|a| a.len() == 1)
    })
    .await;
    assert_eq!(shown["betrokkenen"][0]["uuid"], betrokkenen[1]);

    assert!(
        klantinteracties::readmodels::resync(&app.settings, "nothing")
            .await
            .is_err()
    );
}

#[tokio::test]
async fn in_one_process_the_next_request_already_sees_the_other_registers_write() {
    let app = spawn_app().await;
    let partij = app.create("partijen", persoon(None)).await;
    let url = partij["url"].as_str().unwrap().to_owned();
    let k = klantcontact(&app).await;
    for n in 1..=5 {
        app.create("betrokkenen", json!({"hadKlantcontact": {"uuid": k["uuid"]}, "wasPartij": {"uuid": partij["uuid"]}, "rol": "klant", "initiator": false}))
            .await;
        let shown = app.get(&url).await.json();
        assert_eq!(shown["betrokkenen"].as_array().unwrap().len(), n);
    }
    let b = app
        .create(
            "betrokkenen",
            json!({"hadKlantcontact": {"uuid": k["uuid"]}, "rol": "klant", "initiator": false}),
        )
        .await;
    for n in 1..=5 {
        app.create("digitaleadressen", json!({"verstrektDoorBetrokkene": {"uuid": b["uuid"]}, "adres": format!("{n}@example.nl"), "soortDigitaalAdres": "email"}))
            .await;
        let shown = app.get(b["url"].as_str().unwrap()).await.json();
        assert_eq!(shown["digitaleAdressen"].as_array().unwrap().len(), n);
    }
}
