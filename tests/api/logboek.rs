//! The Logboek Dataverwerkingen: every processing of an identified person's data is recorded in
//! the standard's fields (trace, operation, caller's operation, processing activity, the BSN
//! encrypted), readable per person with the `logboek` scope; an external Logboek gets every
//! record.

use acceptance::{bsn, klantcontact, persoon, spawn_app, spawn_app_with, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const KCC: &str = "https://verwerkingen.gemeente.nl/activiteiten/klantcontact";
const WMO: &str = "https://verwerkingen.gemeente.nl/activiteiten/wmo";

/// A trace and span of a client outside the installation.
const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN: &str = "00f067aa0ba902b7";

fn traceparent() -> String {
    format!("00-{TRACE}-{SPAN}-01")
}

/// A call with a token, the client's trace and, optionally, a processing activity.
async fn call(app: &TestApp, token: &str, path: &str, activity: Option<&str>) -> acceptance::Reply {
    let mut request = app
        .client
        .get(app.url(path))
        .header("Authorization", format!("Token {token}"))
        .header("traceparent", traceparent());
    if let Some(activity) = activity {
        request = request.header("X-Verwerkingsactiviteit", activity);
    }
    app.send(request).await
}

/// The records named `name` (`GET /klantinteracties/api/v1/partijen/{uuid}`).
fn named<'a>(records: &'a [Value], name: &str) -> Vec<&'a Value> {
    records.iter().filter(|r| r["name"] == name).collect()
}

fn register_of(record: &Value) -> &str {
    record["resource"]["attributes"]["klantinteracties.register"]
        .as_str()
        .unwrap_or_default()
}

const API: &str = "/klantinteracties/api/v1";

#[tokio::test]
async fn a_write_and_a_read_of_a_person_are_recorded_with_the_trace_the_activity_and_the_encrypted_bsn(
) {
    let app = spawn_app().await;
    let number = bsn(1001);
    let kcc = app.token_for("kcc", "", &[KCC]);
    let created = app
        .call_as(&kcc, Method::POST, "partijen", Some(persoon(Some(&number))))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let uuid = created.json()["uuid"].as_str().unwrap().to_owned();
    let read = call(&app, &kcc, &format!("partijen/{uuid}"), None).await;
    assert_eq!(read.status, 200, "{}", read.text);

    let records = app.logboek(&number).await;
    let text = serde_json::to_string(&records).unwrap();
    assert!(!text.contains(&number), "the Logboek holds no BSN: {text}");
    let key = app.logboek_key();

    let write = named(&records, &format!("POST {API}/partijen"));
    assert_eq!(write.len(), 1, "{records:#?}");
    let reads = named(&records, &format!("GET {API}/partijen/{{uuid}}"));
    assert_eq!(reads.len(), 1, "{records:#?}");
    let read = reads[0];
    assert_eq!(read["trace_id"], TRACE);
    assert_eq!(read["foreign_operation"]["trace_id"], TRACE);
    assert_eq!(read["foreign_operation"]["operation_id"], SPAN);
    assert_eq!(
        read["foreign_operation"]["entity"],
        "urn:klantinteracties:applicatie:kcc"
    );
    assert_eq!(read["parent_operation_id"], Value::Null);
    assert_eq!(read["operation_id"].as_str().unwrap().len(), 16);
    assert_ne!(read["operation_id"], SPAN);
    assert_eq!(read["status_code"], "STATUS_CODE_OK");
    assert!(read["start_time"].as_str().unwrap() <= read["end_time"].as_str().unwrap());
    assert_eq!(register_of(read), "relatiebeheer");
    let attributes = &read["attributes"];
    assert_eq!(attributes["dpl.core.processing_activity_id"], KCC);
    assert_eq!(attributes["dpl.klantinteracties.application"], "kcc");
    let subject = attributes["dpl.core.data_subject_id"].as_str().unwrap();
    assert_eq!(
        key.decrypt("bsn", subject).as_deref(),
        Some(number.as_str())
    );
    assert_eq!(write[0]["attributes"]["dpl.core.data_subject_id"], subject);
    assert_ne!(write[0]["operation_id"], read["operation_id"]);

    // A change and a delete are processings of the person too, each in its own transaction.
    let path = format!("partijen/{uuid}");
    let changed = app
        .call_as(
            &kcc,
            Method::PATCH,
            &path,
            Some(json!({"indicatieActief": false})),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    let deleted = app.call_as(&kcc, Method::DELETE, &path, None).await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let records = app.logboek(&number).await;
    for name in ["PATCH", "DELETE"] {
        let done = named(&records, &format!("{name} {API}/partijen/{{uuid}}"));
        assert_eq!(done.len(), 1, "{name}: {records:#?}");
        assert_eq!(done[0]["attributes"]["dpl.core.data_subject_id"], subject);
        assert_eq!(
            done[0]["attributes"]["dpl.core.processing_activity_id"],
            KCC
        );
    }

    // Another person's Logboek does not show them.
    assert_eq!(app.logboek(&bsn(1002)).await, Vec::<Value>::new());
}

#[tokio::test]
async fn a_search_by_bsn_across_registers_is_recorded_in_both_in_one_trace() {
    let app = spawn_app().await;
    let number = bsn(2001);
    let partij = app.create("partijen", persoon(Some(&number))).await;
    let kc = app.create("klantcontacten", klantcontact()).await;
    app.create(
        "betrokkenen",
        json!({"hadKlantcontact": {"uuid": kc["uuid"]}, "wasPartij": {"uuid": partij["uuid"]},
               "rol": "klant", "initiator": true}),
    )
    .await;
    let kcc = app.token_for("kcc", "", &[KCC]);
    let found = call(
        &app,
        &kcc,
        &format!("klantcontacten?hadBetrokkene__wasPartij__partijIdentificator__objectId={number}"),
        None,
    )
    .await;
    assert_eq!(found.status, 200, "{}", found.text);
    assert_eq!(found.json()["count"], 1, "{}", found.text);

    let records = app.logboek(&number).await;
    let searched = named(&records, &format!("GET {API}/klantcontacten"));
    assert_eq!(searched.len(), 1, "{records:#?}");
    let searched = searched[0];
    assert_eq!(register_of(searched), "klantcontacten");
    assert_eq!(searched["trace_id"], TRACE);
    assert_eq!(searched["foreign_operation"]["operation_id"], SPAN);
    // Klantcontacten asked relatiebeheer for the partij: its record is in the same trace, its
    // parent the search's operation, for the same activity.
    let asked = named(&records, &format!("GET {API}/partijen"));
    assert_eq!(asked.len(), 1, "{records:#?}");
    let asked = asked[0];
    assert_eq!(register_of(asked), "relatiebeheer");
    assert_eq!(asked["trace_id"], TRACE);
    assert_eq!(asked["parent_operation_id"], searched["operation_id"]);
    assert_eq!(asked["foreign_operation"], Value::Null);
    assert_eq!(asked["attributes"]["dpl.core.processing_activity_id"], KCC);
    assert_eq!(
        asked["attributes"]["dpl.core.data_subject_id"],
        searched["attributes"]["dpl.core.data_subject_id"]
    );

    // Lists filtered on the partij by its URL or uuid show the person's contacts without a BSN
    // in them: recorded all the same.
    let url = partij["url"].as_str().unwrap();
    let by_url = call(
        &app,
        &kcc,
        &format!("klantcontacten?hadBetrokkene__wasPartij__url={url}"),
        None,
    )
    .await;
    assert_eq!(by_url.json()["count"], 1, "{}", by_url.text);
    let uuid = partij["uuid"].as_str().unwrap();
    let by_uuid = call(
        &app,
        &kcc,
        &format!("betrokkenen?wasPartij__uuid={uuid}"),
        None,
    )
    .await;
    assert_eq!(by_uuid.json()["count"], 1, "{}", by_uuid.text);
    let records = app.logboek(&number).await;
    let lists = named(&records, &format!("GET {API}/klantcontacten"));
    assert_eq!(lists.len(), 2, "{records:#?}");
    let betrokkenen = named(&records, &format!("GET {API}/betrokkenen"));
    assert_eq!(betrokkenen.len(), 1, "{records:#?}");
    assert_eq!(register_of(betrokkenen[0]), "klantcontacten");
}

#[tokio::test]
async fn what_an_answer_shows_is_recorded_even_when_its_bsn_is_withheld_and_a_search_that_finds_nobody_too(
) {
    let app = spawn_app().await;
    let number = bsn(3001);
    let partij = app.create("partijen", persoon(Some(&number))).await;
    let uuid = partij["uuid"].as_str().unwrap();
    let portaal = app.token_for("portaal", "relatiebeheer:read", &[WMO]);
    let read = call(&app, &portaal, &format!("partijen/{uuid}/audittrail"), None).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert!(!read.text.contains(&number), "withheld: {}", read.text);
    let records = app.logboek(&number).await;
    let audit = named(&records, &format!("GET {API}/partijen/{{uuid}}/audittrail"));
    assert_eq!(audit.len(), 1, "{records:#?}");
    assert_eq!(
        audit[0]["attributes"]["dpl.core.processing_activity_id"],
        WMO
    );
    assert_eq!(
        audit[0]["attributes"]["dpl.klantinteracties.application"],
        "portaal"
    );

    let nobody = bsn(3002);
    let search = call(
        &app,
        &app.token,
        &format!("partijen?partijIdentificator__objectId={nobody}"),
        None,
    )
    .await;
    assert_eq!(search.json()["count"], 0, "{}", search.text);
    let records = app.logboek(&nobody).await;
    assert_eq!(
        named(&records, &format!("GET {API}/partijen")).len(),
        1,
        "{records:#?}"
    );
}

#[tokio::test]
async fn a_request_names_its_activity_only_where_its_token_allows() {
    let app = spawn_app().await;
    let number = bsn(4001);
    let partij = app.create("partijen", persoon(Some(&number))).await;
    let path = format!("partijen/{}", partij["uuid"].as_str().unwrap());
    let bound = app.token_for("kcc", "", &[KCC, WMO]);
    let free = app.token_for("gateway", "", &[]);

    let refused = call(&app, &bound, &path, Some("https://elders.nl/x")).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(refused.json()["code"], "permission_denied");
    let malformed = call(&app, &free, &path, Some("klantcontact")).await;
    assert_eq!(malformed.status, 400, "{}", malformed.text);
    assert_eq!(malformed.invalid_names(), ["X-Verwerkingsactiviteit"]);

    assert_eq!(call(&app, &bound, &path, Some(WMO)).await.status, 200);
    assert_eq!(call(&app, &bound, &path, None).await.status, 200);
    assert_eq!(call(&app, &free, &path, Some(WMO)).await.status, 200);
    assert_eq!(call(&app, &free, &path, None).await.status, 200);

    let records = app.logboek(&number).await;
    let activities: Vec<(&str, &Value)> = named(&records, &format!("GET {API}/partijen/{{uuid}}"))
        .iter()
        .map(|r| {
            (
                r["attributes"]["dpl.klantinteracties.application"]
                    .as_str()
                    .unwrap(),
                &r["attributes"]["dpl.core.processing_activity_id"],
            )
        })
        .collect();
    assert_eq!(
        activities,
        [
            ("kcc", &json!(WMO)),
            ("kcc", &json!(KCC)),
            ("gateway", &json!(WMO)),
            ("gateway", &Value::Null),
        ]
    );
}

#[tokio::test]
async fn the_logboek_is_read_with_its_scope_by_bsn_and_the_reading_is_recorded_too() {
    let app = spawn_app().await;
    let number = bsn(5001);
    app.create("partijen", persoon(Some(&number))).await;
    let kcc = app.scoped_token("kcc", "*:write,bsn");
    let path = format!("/logboek?betrokkene={number}");
    let refused = app.call_as(&kcc, Method::GET, &path, None).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    let officer = app.scoped_token("privacy", "logboek");
    let malformed = app
        .call_as(&officer, Method::GET, "/logboek?betrokkene=12", None)
        .await;
    assert_eq!(malformed.status, 400, "{}", malformed.text);
    assert_eq!(malformed.invalid_names(), ["betrokkene"]);
    let unknown = app
        .call_as(&officer, Method::GET, &format!("{path}&naam=x"), None)
        .await;
    assert_eq!(unknown.status, 400, "{}", unknown.text);
    // The officer's token reaches no register.
    let partijen = app.call_as(&officer, Method::GET, "partijen", None).await;
    assert_eq!(partijen.status, 403, "{}", partijen.text);

    let first = app.call_as(&officer, Method::GET, &path, None).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let records = app.logboek(&number).await;
    let reads = named(&records, "GET /logboek");
    assert!(!reads.is_empty(), "{records:#?}");
    assert!(reads
        .iter()
        .any(|r| r["attributes"]["dpl.klantinteracties.caller"] == "privacy"));
}

#[tokio::test]
async fn every_record_reaches_the_external_logboek_after_it_failed_at_first() {
    let logboek = crate::events::StandIn::start(1);
    let url = format!("{}/logboek", logboek.base);
    let app = spawn_app_with(|s| {
        s.logboek.url = Some(url);
        s.logboek.authorization = Some("Bearer logboek-secret".into());
    })
    .await;
    let number = bsn(6001);
    let partij = app.create("partijen", persoon(Some(&number))).await;
    let read = app
        .get(&format!("partijen/{}", partij["uuid"].as_str().unwrap()))
        .await;
    assert_eq!(read.status, 200);
    let kept = app.logboek(&number).await;
    let kept: Vec<&Value> = kept
        .iter()
        .filter(|r| r["name"] != "GET /logboek")
        .collect();
    assert_eq!(kept.len(), 2, "{kept:#?}");

    let started = std::time::Instant::now();
    let delivered = loop {
        let delivered: Vec<Value> = logboek
            .at("/logboek")
            .iter()
            .flat_map(|r| r.body.as_array().cloned().unwrap_or_default())
            .filter(|r| r["name"] != "GET /logboek")
            .collect();
        if delivered.len() >= 2 || started.elapsed() > std::time::Duration::from_secs(10) {
            break delivered;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let received = logboek.at("/logboek");
    assert!(received
        .iter()
        .all(|r| r.authorization == "Bearer logboek-secret"));
    let ids = |records: Vec<&Value>| {
        let mut ids: Vec<String> = records
            .iter()
            .map(|r| format!("{} {}", r["operation_id"], r["name"]))
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(delivered.iter().collect()), ids(kept), "{delivered:#?}");
}
