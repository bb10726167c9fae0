//! Events for systems outside the registers: notificaties to a Notificaties API (BEHAVIOUR 6.1),
//! zaak-gekoppeld/-ontkoppeld CloudEvents (6.2), and every event as a CloudEvent to webhooks;
//! delivered in order, retried after failures, with a visible backlog.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use acceptance::{persoon, spawn_app_with, TestApp};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};

/// One request a stand-in received.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) path: String,
    content_type: String,
    pub(crate) authorization: String,
    pub(crate) body: Value,
}

/// A Notificaties API and webhook stand-in: records what it gets, and answers 500 to the first
/// `failures` requests.
#[derive(Clone)]
pub(crate) struct StandIn {
    pub(crate) base: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl StandIn {
    pub(crate) fn start(failures: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let failures = Arc::new(Mutex::new(failures));
        let (r, f) = (Arc::clone(&received), Arc::clone(&failures));
        let server = HttpServer::new(move || {
            let (r, f) = (Arc::clone(&r), Arc::clone(&f));
            App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let (r, f) = (Arc::clone(&r), Arc::clone(&f));
                async move {
                    let mut failures = f.lock().unwrap();
                    if *failures > 0 {
                        *failures -= 1;
                        return HttpResponse::InternalServerError().finish();
                    }
                    let header = |name: &str| {
                        req.headers()
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned()
                    };
                    r.lock().unwrap().push(Received {
                        path: req.path().to_owned(),
                        content_type: header("content-type"),
                        authorization: header("authorization"),
                        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                    });
                    HttpResponse::Created().finish()
                }
            }))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self { base, received }
    }

    pub(crate) fn at(&self, prefix: &str) -> Vec<Received> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path.starts_with(prefix))
            .cloned()
            .collect()
    }

    /// Waits until `count` requests under `prefix` arrived (at most 10 s).
    async fn wait_for(&self, prefix: &str, count: usize) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let got = self.at(prefix);
            if got.len() >= count || started.elapsed() > Duration::from_secs(10) {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

const SOURCE: &str = "urn:nld:oin:00000001234567890000:systeem:klantinteracties";

/// An app that notifies one stand-in as its Notificaties API and another as its webhook.
async fn app_notifying(notificaties: &StandIn, webhook: &StandIn) -> TestApp {
    let (api, hook) = (notificaties.base.clone(), webhook.base.clone());
    spawn_app_with(move |s| {
        s.notificaties.url = Some(format!("{api}/api/v1/"));
        s.notificaties.client_id = "klantinteracties".into();
        s.notificaties.secret = "geheim".into();
        s.webhooks = vec![format!("{hook}/hook")];
        s.events_source = Some(SOURCE.into());
    })
    .await
}

#[tokio::test]
async fn writes_notify_the_notificaties_api_and_webhooks_in_order() {
    let stand_in = StandIn::start(0);
    let app = app_notifying(&stand_in, &stand_in).await;
    let partij = app.create("partijen", persoon(None)).await;
    let url = partij["url"].as_str().unwrap();
    app.patch(url, json!({"interneNotitie": "belt vaak"})).await;
    let k = app
        .create("klantcontacten", json!({"kanaal": "telefoon", "onderwerp": "Afval", "taal": "nld", "vertrouwelijk": false, "indicatieContactGelukt": true}))
        .await;
    // Not notified, as in the reference: betrokkenen, digitale adressen.
    app.create("betrokkenen", json!({"hadKlantcontact": {"uuid": k["uuid"]}, "wasPartij": {"uuid": partij["uuid"]}, "rol": "klant", "initiator": true}))
        .await;
    assert_eq!(app.delete(url).await.status, 204);

    let notificaties = stand_in.wait_for("/api/v1/notificaties", 4).await;
    let summary: Vec<(String, String)> = notificaties
        .iter()
        .map(|n| {
            (
                n.body["kanaal"].as_str().unwrap().to_owned(),
                n.body["actie"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("partijen".to_owned(), "create".to_owned()),
            ("partijen".to_owned(), "partial_update".to_owned()),
            ("klantcontacten".to_owned(), "create".to_owned()),
            ("partijen".to_owned(), "destroy".to_owned()),
        ]
    );
    let first = &notificaties[0].body;
    let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "kanaal",
            "hoofdObject",
            "resource",
            "resourceUrl",
            "actie",
            "aanmaakdatum",
            "kenmerken",
            "source"
        ]
    );
    assert_eq!(first["resource"], "partij");
    assert_eq!(first["hoofdObject"], url);
    assert_eq!(first["resourceUrl"], url);
    assert_eq!(first["source"], SOURCE);
    assert_eq!(
        first["kenmerken"],
        json!({"nummer": null, "interneNotitie": "", "soortPartij": "persoon"})
    );
    // The destroy message carries the representation just before the delete.
    assert_eq!(
        notificaties[3].body["kenmerken"]["interneNotitie"],
        "belt vaak"
    );
    assert_eq!(
        notificaties[2].body["kenmerken"],
        json!({"hoofdOnderwerpType": "", "indicatieContactGelukt": true, "verdereActieOndernomen": false})
    );
    for n in &notificaties {
        assert_eq!(n.content_type, "application/json");
        let token = n.authorization.strip_prefix("Bearer ").unwrap();
        assert_eq!(token.split('.').count(), 3, "{token}");
    }

    // Webhooks get the same, as CloudEvents.
    let hook = stand_in.wait_for("/hook", 4).await;
    assert_eq!(hook.len(), 4);
    for (cloud, n) in hook.iter().zip(&notificaties) {
        assert_eq!(cloud.content_type, "application/cloudevents+json");
        assert_eq!(cloud.body["specversion"], "1.0");
        assert_eq!(cloud.body["source"], SOURCE);
        assert_eq!(cloud.body["datacontenttype"], "application/json");
        assert_eq!(cloud.body["data"]["actie"], n.body["actie"]);
        assert_eq!(cloud.body["data"]["resourceUrl"], n.body["resourceUrl"]);
        assert!(cloud.body["id"].as_str().is_some_and(|id| !id.is_empty()));
    }
    assert_eq!(
        hook[0].body["type"],
        "nl.vng.klantinteracties.partij.create"
    );
    assert_eq!(hook[0].body["subject"], partij["uuid"]);
}

#[tokio::test]
async fn linking_and_unlinking_a_zaak_are_cloud_events() {
    let stand_in = StandIn::start(0);
    let app = app_notifying(&stand_in, &stand_in).await;
    let k = app
        .create("klantcontacten", json!({"kanaal": "balie", "onderwerp": "Melding boom", "taal": "nld", "vertrouwelijk": false, "nummer": "12"}))
        .await;
    let (z1, z2) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    let zaak = |z: uuid::Uuid| json!({"codeObjecttype": "zaak", "codeSoortObjectId": "uuid", "objectId": z, "codeRegister": "openzaak"});
    let o = app
        .create(
            "onderwerpobjecten",
            json!({"klantcontact": {"uuid": k["uuid"]}, "onderwerpobjectidentificator": zaak(z1)}),
        )
        .await;
    let url = o["url"].as_str().unwrap();
    // The same identificator again: nothing.
    app.patch(url, json!({"onderwerpobjectidentificator": zaak(z1)}))
        .await;
    // Another zaak: unlinked from the first, linked to the second.
    app.patch(url, json!({"onderwerpobjectidentificator": zaak(z2)}))
        .await;
    // A document is no zaak link.
    app.create("onderwerpobjecten", json!({"klantcontact": {"uuid": k["uuid"]}, "onderwerpobjectidentificator": {"codeObjecttype": "document", "codeSoortObjectId": "uuid", "objectId": z1, "codeRegister": "drc"}}))
        .await;
    assert_eq!(app.delete(url).await.status, 204);

    let events = stand_in.wait_for("/api/v1/cloudevents", 4).await;
    let seen: Vec<(String, String)> = events
        .iter()
        .map(|e| {
            (
                e.body["type"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("nl.overheid.zaken.")
                    .to_owned(),
                e.body["subject"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("zaak-gekoppeld".to_owned(), z1.to_string()),
            ("zaak-ontkoppeld".to_owned(), z1.to_string()),
            ("zaak-gekoppeld".to_owned(), z2.to_string()),
            ("zaak-ontkoppeld".to_owned(), z2.to_string()),
        ]
    );
    let first = &events[0];
    assert_eq!(first.content_type, "application/cloudevents+json");
    assert_eq!(first.body["source"], SOURCE);
    assert_eq!(first.body["specversion"], "1.0");
    assert_eq!(first.body["dataref"], Value::Null);
    assert_eq!(
        first.body["data"],
        json!({"zaak": format!("urn:uuid:{z1}"), "linkTo": url, "label": "Melding boom - (12)", "linkObjectType": "Onderwerpobject"})
    );
    assert!(first.body["time"].as_str().unwrap().ends_with('Z'));
    // Only the klantcontact's notificatie went to /notificaties; onderwerpobjecten notify nothing.
    assert_eq!(stand_in.at("/api/v1/notificaties").len(), 1);
}

/// A klantcontact that goes with its onderwerpobject (`?cascade=true`) is notified like one
/// deleted itself, and its zaak link is undone with the klantcontact's label.
#[tokio::test]
async fn a_klantcontact_deleted_by_a_cascade_is_notified() {
    let stand_in = StandIn::start(0);
    let app = app_notifying(&stand_in, &stand_in).await;
    let k = app
        .create("klantcontacten", json!({"kanaal": "balie", "onderwerp": "Melding boom", "taal": "nld", "vertrouwelijk": false, "nummer": "13"}))
        .await;
    let zaak = uuid::Uuid::new_v4();
    let o = app
        .create(
            "onderwerpobjecten",
            json!({"klantcontact": {"uuid": k["uuid"]}, "onderwerpobjectidentificator": {"codeObjecttype": "zaak", "codeSoortObjectId": "uuid", "objectId": zaak, "codeRegister": "openzaak"}}),
        )
        .await;
    let reply = app
        .delete(&format!("{}?cascade=true", o["url"].as_str().unwrap()))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), json!({"behouden": []}));

    let notificaties = stand_in.wait_for("/api/v1/notificaties", 2).await;
    let summary: Vec<(&str, &str, &str)> = notificaties
        .iter()
        .map(|n| {
            (
                n.body["kanaal"].as_str().unwrap(),
                n.body["actie"].as_str().unwrap(),
                n.body["resourceUrl"].as_str().unwrap(),
            )
        })
        .collect();
    let url = k["url"].as_str().unwrap();
    assert_eq!(
        summary,
        [
            ("klantcontacten", "create", url),
            ("klantcontacten", "destroy", url)
        ]
    );
    let events = stand_in.wait_for("/api/v1/cloudevents", 2).await;
    assert_eq!(events[1].body["type"], "nl.overheid.zaken.zaak-ontkoppeld");
    assert_eq!(events[1].body["data"]["label"], "Melding boom - (13)");
    assert_eq!(app.get(url).await.status, 404);
}

#[tokio::test]
async fn failed_deliveries_are_retried_in_order_and_the_backlog_shows_meanwhile() {
    let stand_in = StandIn::start(3);
    let app = app_notifying(&stand_in, &StandIn::start(0)).await;
    let mut partijen = Vec::new();
    for _ in 0..3 {
        partijen.push(app.create("partijen", persoon(None)).await);
    }
    let backlog = app.get("/_healthz/events").await.json();
    let notificaties = backlog["relatiebeheer"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["subscriber"] == "notificaties")
        .cloned()
        .unwrap();
    assert!(notificaties["pending"].as_i64().unwrap() > 0, "{backlog}");

    let delivered = stand_in.wait_for("/api/v1/notificaties", 3).await;
    let order: Vec<&Value> = delivered.iter().map(|n| &n.body["resourceUrl"]).collect();
    let created: Vec<&Value> = partijen.iter().map(|p| &p["url"]).collect();
    assert_eq!(order, created);
    let started = Instant::now();
    loop {
        let backlog = app.get("/_healthz/events").await.json();
        let pending: i64 = backlog["relatiebeheer"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["pending"].as_i64().unwrap())
            .sum();
        if pending == 0 || started.elapsed() > Duration::from_secs(10) {
            assert_eq!(pending, 0, "{backlog}");
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn delivered_events_are_pruned_and_delivery_goes_on_after() {
    use reference::Register;
    let app = spawn_app_with(|_| {}).await;
    let partij = app.create("partijen", persoon(None)).await;
    let k = app
        .create(
            "klantcontacten",
            json!({"kanaal": "balie", "onderwerp": "x", "taal": "nld", "vertrouwelijk": false}),
        )
        .await;
    let betrokkene = json!({"hadKlantcontact": {"uuid": k["uuid"]}, "wasPartij": {"uuid": partij["uuid"]}, "rol": "klant", "initiator": true});
    for _ in 0..3 {
        app.create("betrokkenen", betrokkene.clone()).await;
    }
    let url = partij["url"].as_str().unwrap().to_owned();
    let shown = |count: usize| {
        let (app, url) = (&app, url.clone());
        async move {
            let started = Instant::now();
            loop {
                let p = app.get(&url).await.json();
                if p["betrokkenen"].as_array().map(Vec::len) == Some(count) {
                    return true;
                }
                if started.elapsed() > Duration::from_secs(5) {
                    return false;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    };
    assert!(shown(3).await);
    // The relay writes its cursors about every second: until then the events count as
    // pending and are not pruned.
    let delivered = |_: u16, backlog: &serde_json::Value| {
        backlog["klantcontacten"]
            .as_array()
            .is_some_and(|s| s.iter().all(|s| s["pending"] == 0))
    };
    app.eventually("/_healthz/events", delivered).await;

    // klantcontacten's outbox, pruned as its relay prunes it (a retention of zero here).
    let subscribers: Vec<(String, Vec<String>)> = [Register::Relatiebeheer, Register::Klanttaak]
        .iter()
        .map(|holder| {
            let topics = klantinteracties::readmodels::topics(Register::Klantcontacten, *holder);
            (
                holder.name().to_owned(),
                topics.iter().map(|t| (*t).to_owned()).collect(),
            )
        })
        .collect();
    let db = platform::db::Db::connect(&app.settings.database_url(Register::Klantcontacten), 1);
    let rows = |db: &platform::db::Db| {
        db.run_blocking(|conn| {
            use diesel::prelude::*;
            diesel::table! { outbox (id) { id -> BigInt, } }
            Ok(outbox::table.count().get_result::<i64>(conn)?)
        })
        .unwrap()
    };
    let before = rows(&db);
    assert!(before >= 3, "{before}");
    let pruned = db
        .run_blocking(|conn| Ok(platform::events::prune(conn, &subscribers, Duration::ZERO)?))
        .unwrap();
    assert_eq!(pruned as i64, before - 1, "all but the newest event");
    assert_eq!(rows(&db), 1);
    // Nothing is pending, and what comes next is delivered as before.
    let backlog = app.get("/_healthz/events").await.json();
    for subscriber in backlog["klantcontacten"].as_array().unwrap() {
        assert_eq!(subscriber["pending"], 0, "{backlog}");
    }
    app.create("betrokkenen", betrokkene).await;
    assert!(shown(4).await);
    // An event a subscriber has not had yet is never pruned.
    let kept = db
        .run_blocking(|conn| {
            let waiting = vec![("nieuw".to_owned(), vec!["betrokkene".to_owned()])];
            Ok(platform::events::prune(conn, &waiting, Duration::ZERO)?)
        })
        .unwrap();
    assert_eq!(kept, 0);
}
