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
