//! `/internetaken` (klanttaak register) and its inverse `klantcontact.leiddeTotInterneTaken`.

use acceptance::{spawn_app, spawn_app_with, TestApp};
use serde_json::{json, Value};

async fn klantcontact(app: &TestApp, onderwerp: &str) -> Value {
    app.create(
        "klantcontacten",
        json!({"kanaal": "telefoon", "onderwerp": onderwerp, "taal": "nld", "vertrouwelijk": false}),
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

fn taak(klantcontact: &Value, actoren: &[&Value]) -> Value {
    json!({
        "gevraagdeHandeling": "Klant terugbellen",
        "aanleidinggevendKlantcontact": {"uuid": klantcontact["uuid"]},
        "toegewezenAanActoren": actoren.iter().map(|a| json!({"uuid": a["uuid"]})).collect::<Vec<_>>(),
        "toelichting": "Klant wil weten wanneer het besluit op de aanvraag wordt genomen.",
        "status": "te_verwerken",
    })
}

fn uuid(value: &Value) -> &str {
    value["uuid"].as_str().unwrap()
}

#[tokio::test]
async fn a_task_has_the_shape_of_the_reference_and_its_first_actor_is_the_deprecated_single_one() {
    let app = spawn_app().await;
    let k = klantcontact(&app, "vergunning").await;
    let (a1, a2) = (
        actor(&app, "Team Vergunningen").await,
        actor(&app, "KCC").await,
    );
    let reply = app.post("internetaken", taak(&k, &[&a2, &a1])).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let t = reply.json();
    assert_eq!(reply.header("location"), t["url"].as_str());
    let keys: Vec<&String> = t.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "uuid",
            "url",
            "nummer",
            "referentienummer",
            "gevraagdeHandeling",
            "aanleidinggevendKlantcontact",
            "toegewezenAanActor",
            "toegewezenAanActoren",
            "toelichting",
            "status",
            "toegewezenOp",
            "afgehandeldOp"
        ]
    );
    assert_eq!(
        t["aanleidinggevendKlantcontact"],
        json!({"uuid": k["uuid"], "url": k["url"]})
    );
    assert_eq!(
        t["toegewezenAanActor"],
        json!({"uuid": a2["uuid"], "url": a2["url"]})
    );
    let order: Vec<&str> = t["toegewezenAanActoren"]
        .as_array()
        .unwrap()
        .iter()
        .map(uuid)
        .collect();
    assert_eq!(order, [uuid(&a2), uuid(&a1)]);
    assert_eq!(t["nummer"], Value::Null);
    assert_eq!(t["afgehandeldOp"], Value::Null);
    assert!(t["toegewezenOp"].as_str().unwrap().ends_with('Z'));

    // The deprecated single actor replaces the whole assignment.
    let patched = app
        .patch(
            t["url"].as_str().unwrap(),
            json!({"toegewezenAanActor": {"uuid": a1["uuid"]}}),
        )
        .await
        .json();
    assert_eq!(patched["toegewezenAanActoren"].as_array().unwrap().len(), 1);
    assert_eq!(patched["toegewezenAanActor"]["uuid"], a1["uuid"]);
    // And an empty list leaves no actor: `null`, not a degenerate object.
    let cleared = app
        .patch(
            t["url"].as_str().unwrap(),
            json!({"toegewezenAanActoren": []}),
        )
        .await
        .json();
    assert_eq!(cleared["toegewezenAanActor"], Value::Null);
    assert_eq!(cleared["toegewezenAanActoren"], json!([]));
}

#[tokio::test]
async fn exactly_one_of_the_two_actor_fields_on_post_and_put() {
    let app = spawn_app().await;
    let k = klantcontact(&app, "x").await;
    let a = actor(&app, "KCC").await;
    let mut neither = taak(&k, &[]);
    neither
        .as_object_mut()
        .unwrap()
        .remove("toegewezenAanActoren");
    let reply = app.post("internetaken", neither.clone()).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.invalid_names(), ["nonFieldErrors"]);
    assert!(reply.json()["invalidParams"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("is required"));
    let mut both = taak(&k, &[&a]);
    both["toegewezenAanActor"] = json!({"uuid": a["uuid"]});
    let reply = app.post("internetaken", both.clone()).await;
    assert_eq!(reply.invalid_names(), ["nonFieldErrors"]);
    assert!(reply.json()["invalidParams"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("mag niet beiden gebruikt worden"));

    let t = app.create("internetaken", taak(&k, &[&a])).await;
    let url = t["url"].as_str().unwrap();
    assert_eq!(
        app.put(url, neither).await.invalid_names(),
        ["nonFieldErrors"]
    );
    assert_eq!(app.put(url, both).await.invalid_names(), ["nonFieldErrors"]);
    // PATCH may leave both out.
    let reply = app.patch(url, json!({"toelichting": "later"})).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["toegewezenAanActor"]["uuid"], a["uuid"]);
    assert_eq!(app.get("internetaken").await.json()["count"], 1);
}

#[tokio::test]
async fn afgehandeld_op_follows_the_status() {
    let app = spawn_app().await;
    let k = klantcontact(&app, "x").await;
    let a = actor(&app, "KCC").await;
    let mut body = taak(&k, &[&a]);
    body["afgehandeldOp"] = json!("2026-11-29T10:00:00Z");
    let reply = app.post("internetaken", body.clone()).await;
    assert_eq!(reply.invalid_names(), ["afgehandeldOp"]);
    assert_eq!(
        reply.json()["invalidParams"][0]["reason"],
        "De Internetaak kan geen afgehandeld op datum bevatten als de status niet op 'verwerkt' staat."
    );

    // Verwerkt without a date: now; later writes keep it; reopening clears it.
    body.as_object_mut().unwrap().remove("afgehandeldOp");
    body["status"] = json!("verwerkt");
    let t = app.create("internetaken", body.clone()).await;
    let afgehandeld = t["afgehandeldOp"].as_str().unwrap().to_owned();
    let url = t["url"].as_str().unwrap();
    let again = app
        .patch(url, json!({"toelichting": "nagebeld"}))
        .await
        .json();
    assert_eq!(again["afgehandeldOp"], afgehandeld.as_str());
    body["status"] = json!("te_verwerken");
    let reopened = app.put(url, body.clone()).await.json();
    assert_eq!(reopened["status"], "te_verwerken");
    assert_eq!(reopened["afgehandeldOp"], Value::Null);
    // A date given with verwerkt is kept as given.
    let closed = app
        .patch(
            url,
            json!({"status": "verwerkt", "afgehandeldOp": "2026-11-28T16:30:00+01:00"}),
        )
        .await
        .json();
    assert_eq!(closed["afgehandeldOp"], "2026-11-28T15:30:00Z");
    // A date without verwerkt, against the stored status, is refused too.
    app.patch(url, json!({"status": "te_verwerken"})).await;
    let reply = app
        .patch(url, json!({"afgehandeldOp": "2026-11-29T10:00:00Z"}))
        .await;
    assert_eq!(reply.invalid_names(), ["afgehandeldOp"]);
}

#[tokio::test]
async fn nummers_are_digits_unique_and_empty_means_none() {
    let app = spawn_app().await;
    let k = klantcontact(&app, "x").await;
    let a = actor(&app, "KCC").await;
    for _ in 0..2 {
        let mut body = taak(&k, &[&a]);
        body["nummer"] = json!("");
        let t = app.create("internetaken", body).await;
        assert_eq!(t["nummer"], Value::Null);
    }
    let mut body = taak(&k, &[&a]);
    body["nummer"] = json!("0000000123");
    body["referentienummer"] = json!("77");
    app.create("internetaken", body.clone()).await;
    let reply = app.post("internetaken", body.clone()).await;
    assert_eq!(reply.invalid_names(), ["nummer", "referentienummer"]);
    assert_eq!(reply.invalid_codes(), ["unique", "unique"]);
    assert_eq!(
        reply.json()["invalidParams"][0]["reason"],
        "Er bestaat al een interne taak met eenzelfde nummer."
    );
    body["nummer"] = json!("12a");
    body["referentienummer"] = json!(null);
    let reply = app.post("internetaken", body).await;
    assert_eq!(reply.invalid_names(), ["nummer"]);
    assert_eq!(reply.invalid_codes(), ["invalid"]);
    let found = app.get("internetaken?nummer=0000000123").await.json();
    assert_eq!(found["count"], 1);
}

#[tokio::test]
async fn references_are_checked_in_the_klantcontacten_register() {
    let app = spawn_app().await;
    let k = klantcontact(&app, "x").await;
    let a = actor(&app, "KCC").await;
    let ghost = json!({"uuid": uuid::Uuid::new_v4()});
    let reply = app.post("internetaken", taak(&ghost, &[&a])).await;
    assert_eq!(reply.invalid_names(), ["aanleidinggevendKlantcontact.uuid"]);
    let reply = app.post("internetaken", taak(&k, &[&a, &ghost])).await;
    assert_eq!(reply.invalid_names(), ["toegewezenAanActoren.1.uuid"]);
    let mut single = taak(&k, &[]);
    single
        .as_object_mut()
        .unwrap()
        .remove("toegewezenAanActoren");
    single["toegewezenAanActor"] = ghost;
    let reply = app.post("internetaken", single).await;
    assert_eq!(reply.invalid_names(), ["toegewezenAanActor.uuid"]);
    let reply = app.post("internetaken", json!({})).await;
    assert_eq!(
        reply.invalid_names(),
        [
            "gevraagdeHandeling",
            "aanleidinggevendKlantcontact",
            "nonFieldErrors",
            "status"
        ]
    );
    assert_eq!(app.get("internetaken").await.json()["count"], 0);
}

#[tokio::test]
async fn filters_newest_first_and_into_the_klantcontacten_register() {
    let app = spawn_app().await;
    let mut k1 = klantcontact(&app, "eerste").await;
    k1 = app
        .patch(
            k1["url"].as_str().unwrap(),
            json!({"nummer": "4711", "referentienummer": "99"}),
        )
        .await
        .json();
    let k2 = klantcontact(&app, "tweede").await;
    let kcc = actor(&app, "KCC").await;
    let team = actor(&app, "Team Vergunningen").await;
    let team_noord = actor(&app, "Team Vergunningen Noord").await;
    let t1 = app.create("internetaken", taak(&k1, &[&kcc])).await;
    let t2 = app.create("internetaken", taak(&k1, &[&team])).await;
    let mut verwerkt = taak(&k2, &[&team_noord, &kcc]);
    verwerkt["status"] = json!("verwerkt");
    let t3 = app.create("internetaken", verwerkt).await;

    let list = |q: &str| {
        let q = q.to_owned();
        let app = &app;
        async move {
            let body = app.get(&format!("internetaken{q}")).await.json();
            body["results"]
                .as_array()
                .unwrap_or_else(|| panic!("{q}: {body}"))
                .iter()
                .map(|t| t["uuid"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    // Newest first.
    assert_eq!(list("").await, [uuid(&t3), uuid(&t2), uuid(&t1)]);
    assert_eq!(list("?status=te_verwerken").await, [uuid(&t2), uuid(&t1)]);
    assert_eq!(
        list(&format!(
            "?aanleidinggevendKlantcontact__uuid={}",
            uuid(&k1)
        ))
        .await,
        [uuid(&t2), uuid(&t1)]
    );
    assert_eq!(
        list(&format!(
            "?aanleidinggevendKlantcontact__url={}",
            k2["url"].as_str().unwrap()
        ))
        .await,
        [uuid(&t3)]
    );
    assert_eq!(
        list(&format!("?klantcontact__uuid={}", uuid(&k2))).await,
        [uuid(&t3)]
    );
    assert_eq!(
        list(&format!("?toegewezenAanActor__uuid={}", uuid(&kcc))).await,
        [uuid(&t3), uuid(&t1)]
    );
    // Asked of the klantcontacten register.
    assert_eq!(
        list("?klantcontact__nummer=4711").await,
        [uuid(&t2), uuid(&t1)]
    );
    assert_eq!(
        list("?klantcontact__referentienummer=99").await,
        [uuid(&t2), uuid(&t1)]
    );
    assert_eq!(list("?klantcontact__nummer=1").await, Vec::<String>::new());
    // `actoren__naam` is exact, though the actoren list searches by "contains".
    assert_eq!(
        list("?actoren__naam=Team%20Vergunningen").await,
        [uuid(&t2)]
    );
    assert_eq!(list("?actoren__naam=Team").await, Vec::<String>::new());
    let toegewezen = t1["toegewezenOp"].as_str().unwrap();
    assert_eq!(
        list(&format!("?toegewezenOp={toegewezen}")).await,
        [uuid(&t1)]
    );

    for bad in [
        "?status=klaar",
        "?toegewezenOp=gisteren",
        "?klantcontact__uuid=x",
        "?onbekend=1",
    ] {
        let reply = app.get(&format!("internetaken{bad}")).await;
        assert_eq!(reply.status, 400, "{bad}");
    }
}

#[tokio::test]
async fn a_klantcontact_shows_the_tasks_it_led_to_and_expands_them() {
    let app = spawn_app().await;
    let k = klantcontact(&app, "terugbellen").await;
    let zonder = klantcontact(&app, "direct beantwoord").await;
    let a = actor(&app, "KCC").await;
    let t1 = app.create("internetaken", taak(&k, &[&a])).await;
    let t2 = app.create("internetaken", taak(&k, &[&a])).await;

    // Written in klanttaak, shown by klantcontacten on the next request (same process).
    let shown = app.get(k["url"].as_str().unwrap()).await.json();
    assert_eq!(
        shown["leiddeTotInterneTaken"],
        json!([{"uuid": t1["uuid"], "url": t1["url"]}, {"uuid": t2["uuid"], "url": t2["url"]}])
    );
    let with = app
        .get("klantcontacten?leiddeTotInterneTaken=true")
        .await
        .json();
    assert_eq!(with["count"], 1, "{with}");
    assert_eq!(with["results"][0]["uuid"], k["uuid"]);
    let without = app
        .get("klantcontacten?leiddeTotInterneTaken=false")
        .await
        .json();
    assert_eq!(without["count"], 1);
    assert_eq!(without["results"][0]["uuid"], zonder["uuid"]);

    let expanded = app
        .get(&format!(
            "klantcontacten/{}?expand=leiddeTotInterneTaken",
            uuid(&k)
        ))
        .await
        .json();
    let taken = expanded["_expand"]["leiddeTotInterneTaken"]
        .as_array()
        .unwrap();
    assert_eq!(taken.len(), 2);
    assert_eq!(taken[0]["gevraagdeHandeling"], "Klant terugbellen");
    assert_eq!(taken[0]["uuid"], t1["uuid"]);

    // Nested three deep from relatiebeheer: address -> betrokkene -> klantcontact -> taken.
    let b = app
        .create(
            "betrokkenen",
            json!({"hadKlantcontact": {"uuid": k["uuid"]}, "rol": "klant", "initiator": true}),
        )
        .await;
    let adres = app
        .create("digitaleadressen", json!({"verstrektDoorBetrokkene": {"uuid": b["uuid"]}, "adres": "0612345678", "soortDigitaalAdres": "telefoonnummer"}))
        .await;
    let deep = app
        .get(&format!(
            "digitaleadressen/{}?expand=verstrektDoorBetrokkene,verstrektDoorBetrokkene.hadKlantcontact,verstrektDoorBetrokkene.hadKlantcontact.leiddeTotInterneTaken",
            uuid(&adres)
        ))
        .await
        .json();
    let contact = &deep["_expand"]["verstrektDoorBetrokkene"]["_expand"]["hadKlantcontact"];
    assert_eq!(contact["uuid"], k["uuid"]);
    assert_eq!(
        contact["_expand"]["leiddeTotInterneTaken"][1]["uuid"],
        t2["uuid"]
    );

    // A deleted task leaves the klantcontact.
    assert_eq!(app.delete(t1["url"].as_str().unwrap()).await.status, 204);
    let shown = app.get(k["url"].as_str().unwrap()).await.json();
    assert_eq!(
        shown["leiddeTotInterneTaken"],
        json!([{"uuid": t2["uuid"], "url": t2["url"]}])
    );
    assert_eq!(app.get(t1["url"].as_str().unwrap()).await.status, 404);
}

#[tokio::test]
async fn the_internetaken_read_model_is_rebuilt_by_resync() {
    let app = spawn_app().await;
    let k = klantcontact(&app, "x").await;
    let a = actor(&app, "KCC").await;
    let t = app.create("internetaken", taak(&k, &[&a])).await;
    platform::db::Db::connect(
        &app.settings
            .database_url(reference::Register::Klantcontacten),
        1,
    )
    .run_blocking(|conn| {
        use diesel::connection::SimpleConnection;
        Ok(conn.batch_execute("DELETE FROM klantcontact_internetaken")?)
    })
    .unwrap();
    assert_eq!(
        app.get(k["url"].as_str().unwrap()).await.json()["leiddeTotInterneTaken"],
        json!([])
    );
    let report = klantinteracties::readmodels::resync(&app.settings, "internetaken")
        .await
        .unwrap();
    assert_eq!(report.objects, 1);
    let shown = app.get(k["url"].as_str().unwrap()).await.json();
    assert_eq!(shown["leiddeTotInterneTaken"][0]["uuid"], t["uuid"]);
}

#[tokio::test]
async fn without_klantcontacten_klanttaak_serves_reads_and_refuses_writes_with_503() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let app = spawn_app_with(|settings| {
        settings.register = Some("klanttaak".into());
        settings.peers.klantcontacten = Some(format!("http://{closed}"));
    })
    .await;
    let k = json!({"uuid": uuid::Uuid::new_v4()});
    let a = json!({"uuid": uuid::Uuid::new_v4()});
    let reply = app.post("internetaken", taak(&k, &[&a])).await;
    assert_eq!(reply.status, 503, "{}", reply.text);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    // Nothing stored; reads go on; a filter that needs klantcontacten is a 503 too.
    assert_eq!(app.get("internetaken").await.json()["count"], 0);
    assert_eq!(
        app.get("internetaken?klantcontact__nummer=1").await.status,
        503
    );
    assert_eq!(app.get("klantcontacten").await.status, 404);
}
