use acceptance::{spawn_app, TestApp};
use serde_json::{json, Value};

fn contact(onderwerp: &str, plaatsgevonden_op: &str) -> Value {
    json!({"kanaal": "telefoon", "onderwerp": onderwerp, "taal": "nld", "vertrouwelijk": false, "plaatsgevondenOp": plaatsgevonden_op})
}

async fn betrokkene(app: &TestApp, klantcontact: &Value, partij: Option<&str>) -> Value {
    app.create(
        "betrokkenen",
        json!({"hadKlantcontact": {"uuid": klantcontact["uuid"]}, "wasPartij": partij.map(|p| json!({"uuid": p})),
               "rol": "klant", "initiator": true, "contactnaam": {"voornaam": "Karin", "achternaam": "Jansen"}}),
    )
    .await
}

#[tokio::test]
async fn a_minimal_klantcontact_gets_its_defaults() {
    let app = spawn_app().await;
    let k = app
        .create("klantcontacten", json!({"kanaal": "telefoon", "onderwerp": "Afvalpas", "taal": "nld", "vertrouwelijk": false}))
        .await;
    assert_eq!(k["verdereActieOndernomen"], false);
    assert_eq!(k["metadata"], json!({}));
    assert_eq!(k["hoofdOnderwerpType"], "");
    assert_eq!(k["reactie"], "");
    assert_eq!(k["referentienummer"], Value::Null);
    assert_eq!(k["indicatieContactGelukt"], Value::Null);
    assert!(k["plaatsgevondenOp"].as_str().unwrap().ends_with('Z'));
    for key in [
        "gingOverOnderwerpobjecten",
        "hadBetrokkenActoren",
        "omvatteBijlagen",
        "hadBetrokkenen",
        "leiddeTotInterneTaken",
    ] {
        assert_eq!(k[key], json!([]), "{key}");
    }
}

#[tokio::test]
async fn klantcontact_fields_are_validated() {
    let app = spawn_app().await;
    let mut body = contact("x", "2026-11-29T10:00:00Z");
    body["taal"] = json!("abcd");
    let reply = app.post("klantcontacten", body).await;
    assert_eq!(reply.invalid_names(), ["taal"]);
    assert_eq!(reply.invalid_codes(), ["max_length"]);

    let mut body = contact("x", "2026-11-29T10:00:00Z");
    body["indicatieContactGelukt"] = json!(true);
    body["verdereActieOndernomen"] = json!(true);
    let reply = app.post("klantcontacten", body).await;
    assert_eq!(reply.invalid_names(), ["nonFieldErrors"]);
    assert_eq!(
        reply.invalid_codes(),
        ["no-further-action-when-contact-succesful"]
    );

    let mut body = contact("x", "2026-11-29T10:00:00Z");
    body["metadata"] = json!({"Betreft": 123, "zaak_nummer": "Z-1", "BSN": "999958653"});
    let k = app.create("klantcontacten", body.clone()).await;
    assert_eq!(
        k["metadata"],
        json!({"Betreft": "123", "zaakNummer": "Z-1", "bsn": "999958653"})
    );
    body["metadata"] = json!({"lang": "x".repeat(256)});
    let reply = app.post("klantcontacten", body).await;
    assert!(
        reply.invalid_names()[0].starts_with("metadata"),
        "{:?}",
        reply.invalid_names()
    );

    let mut body = contact("x", "2026-11-29T10:00:00Z");
    body["hoofdOnderwerpType"] = json!("geen url");
    assert_eq!(
        app.post("klantcontacten", body).await.invalid_names(),
        ["hoofdOnderwerpType"]
    );
    let mut body = contact("x", "2026-11-29T10:00:00Z");
    body["referentienummer"] = json!("123");
    app.create("klantcontacten", body.clone()).await;
    assert_eq!(
        app.post("klantcontacten", body).await.invalid_codes(),
        ["unique"]
    );
}

#[tokio::test]
async fn klantcontacten_are_listed_by_plaatsgevonden_op_newest_first() {
    let app = spawn_app().await;
    app.create("klantcontacten", contact("middle", "2026-11-02T10:00:00Z"))
        .await;
    app.create("klantcontacten", contact("oldest", "2026-01-01T10:00:00Z"))
        .await;
    app.create(
        "klantcontacten",
        contact("newest", "2026-11-29T10:00:00+01:00"),
    )
    .await;
    let list = app.get("klantcontacten").await.json();
    let order: Vec<&str> = list["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["onderwerp"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["newest", "middle", "oldest"]);
    assert_eq!(
        list["results"][0]["plaatsgevondenOp"],
        "2026-11-29T09:00:00Z"
    );
    assert_eq!(list["results"][0]["_expand"], json!({}));
}

#[tokio::test]
async fn text_filters_search_case_insensitively_and_kanaal_is_exact() {
    let app = spawn_app().await;
    let mut body = contact("blabla", "2026-11-29T10:00:00Z");
    body["inhoud"] = json!("Vraag over de AFVALPAS");
    body["reactie"] = json!("Doorverwezen");
    app.create("klantcontacten", body).await;
    app.create(
        "klantcontacten",
        contact("iets anders", "2026-11-29T10:00:00Z"),
    )
    .await;
    let count = |q: &'static str| {
        let app = &app;
        async move { app.get(q).await.json()["count"].as_i64().unwrap() }
    };
    assert_eq!(count("klantcontacten?onderwerp=BLA").await, 1);
    assert_eq!(count("klantcontacten?inhoud=afvalpas").await, 1);
    assert_eq!(count("klantcontacten?reactie=verwezen").await, 1);
    assert_eq!(count("klantcontacten?kanaal=telefoon").await, 2);
    assert_eq!(count("klantcontacten?kanaal=tele").await, 0);
}

#[tokio::test]
async fn betrokkenen_name_their_required_fields_and_broken_references() {
    let app = spawn_app().await;
    let reply = app.post("betrokkenen", json!({})).await;
    assert_eq!(
        reply.invalid_names(),
        ["hadKlantcontact", "rol", "initiator"]
    );
    let k = app
        .create("klantcontacten", contact("x", "2026-11-29T10:00:00Z"))
        .await;
    let reply = app
        .post("betrokkenen", json!({"hadKlantcontact": {"uuid": k["uuid"]}, "wasPartij": "x", "rol": "klant", "initiator": true}))
        .await;
    assert_eq!(reply.invalid_names(), ["wasPartij.nonFieldErrors"]);
    let reply = app
        .post("betrokkenen", json!({"hadKlantcontact": {"uuid": uuid::Uuid::new_v4()}, "rol": "klant", "initiator": true}))
        .await;
    assert_eq!(reply.invalid_names(), ["hadKlantcontact.uuid"]);
    assert_eq!(
        reply.json()["invalidParams"][0]["reason"],
        "Klantcontact object bestaat niet."
    );

    let b = betrokkene(&app, &k, None).await;
    assert_eq!(b["wasPartij"], Value::Null);
    assert_eq!(b["volledigeNaam"], "Karin Jansen");
    assert_eq!(b["digitaleAdressen"], json!([]));
    let k = app.get(k["url"].as_str().unwrap()).await.json();
    assert_eq!(
        k["hadBetrokkenen"],
        json!([{"uuid": b["uuid"], "url": b["url"]}])
    );
}

#[tokio::test]
async fn contacts_are_found_by_whether_a_known_partij_took_part() {
    let app = spawn_app().await;
    let anoniem = app
        .create("klantcontacten", contact("anoniem", "2026-11-29T10:00:00Z"))
        .await;
    let bekend = app
        .create("klantcontacten", contact("bekend", "2026-11-29T11:00:00Z"))
        .await;
    betrokkene(&app, &anoniem, None).await;
    let partij = app.create("partijen", acceptance::persoon(None)).await["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    betrokkene(&app, &bekend, Some(&partij)).await;
    betrokkene(&app, &bekend, Some(&partij)).await;
    let without = app
        .get("klantcontacten?hadBetrokkene__wasPartij=false")
        .await
        .json();
    assert_eq!(without["count"], 1);
    assert_eq!(without["results"][0]["uuid"], anoniem["uuid"]);
    // Two matching betrokkenen, one klantcontact.
    let by_partij = app
        .get(&format!(
            "klantcontacten?hadBetrokkene__wasPartij__uuid={partij}"
        ))
        .await
        .json();
    assert_eq!(by_partij["count"], 1);
    assert_eq!(by_partij["results"][0]["uuid"], bekend["uuid"]);
    assert_eq!(
        app.get(&format!("betrokkenen?wasPartij__uuid={partij}"))
            .await
            .json()["count"],
        2
    );
}

#[tokio::test]
async fn actors_linked_to_a_contact_show_in_full_and_each_pair_once() {
    let app = spawn_app().await;
    let actor = app
        .create(
            "actoren",
            json!({"naam": "Fatima el Amrani", "soortActor": "medewerker", "indicatieActief": true,
                   "actoridentificator": {"objectId": "f.elamrani", "codeObjecttype": "mdw", "codeRegister": "msei", "codeSoortObjectId": "gebruikersnaam"},
                   "actorIdentificatie": {"functie": "KCC", "emailadres": "f.elamrani@example.nl", "telefoonnummer": "0201234567"}}),
        )
        .await;
    assert_eq!(
        actor["actorIdentificatie"],
        json!({"functie": "KCC", "emailadres": "f.elamrani@example.nl", "telefoonnummer": "0201234567"})
    );
    let reply = app
        .post("actoren", json!({"naam": "X", "soortActor": "medewerker", "actorIdentificatie": {"functie": "x", "telefoonnummer": "0900123456"}}))
        .await;
    assert_eq!(reply.invalid_names(), ["actorIdentificatie.telefoonnummer"]);
    let k = app
        .create("klantcontacten", contact("x", "2026-11-29T10:00:00Z"))
        .await;
    let link = json!({"actor": {"uuid": actor["uuid"]}, "klantcontact": {"uuid": k["uuid"]}});
    app.create("actorklantcontacten", link.clone()).await;
    let reply = app.post("actorklantcontacten", link).await;
    assert_eq!(reply.invalid_names(), ["nonFieldErrors"]);
    assert_eq!(reply.invalid_codes(), ["unique"]);
    let k = app.get(k["url"].as_str().unwrap()).await.json();
    assert_eq!(k["hadBetrokkenActoren"][0], actor);
    assert_eq!(app.get("actoren?naam=amrani").await.json()["count"], 1);
    assert_eq!(
        app.get("actoren?soortActor=organisatorische_eenheid")
            .await
            .json()["count"],
        0
    );
}

#[tokio::test]
async fn expand_shows_full_related_objects_and_empty_lists() {
    let app = spawn_app().await;
    let k = app
        .create("klantcontacten", contact("x", "2026-11-29T10:00:00Z"))
        .await;
    let url = k["url"].as_str().unwrap();
    let detail = app
        .get(&format!("{url}?expand=hadBetrokkenen"))
        .await
        .json();
    assert_eq!(detail["_expand"], json!({"hadBetrokkenen": []}));
    let b = betrokkene(&app, &k, None).await;
    let bijlage = app
        .create("bijlagen", json!({"wasBijlageVanKlantcontact": {"uuid": k["uuid"]}, "bijlageidentificator": {"objectId": "doc-1", "codeObjecttype": "informatieobject"}}))
        .await;
    let comma = app
        .get(&format!(
            "{url}?expand=hadBetrokkenen,omvatteBijlagen,leiddeTotInterneTaken"
        ))
        .await
        .json();
    assert_eq!(comma["_expand"]["hadBetrokkenen"][0], b);
    assert_eq!(comma["_expand"]["omvatteBijlagen"][0], bijlage);
    assert_eq!(comma["_expand"]["leiddeTotInterneTaken"], json!([]));
    let repeated = app
        .get(&format!(
            "{url}?expand=hadBetrokkenen&expand=omvatteBijlagen&expand=leiddeTotInterneTaken"
        ))
        .await
        .json();
    assert_eq!(repeated["_expand"], comma["_expand"]);
    assert_eq!(
        app.get(&format!("{url}?expand[]=hadBetrokkenen"))
            .await
            .invalid_codes(),
        ["unknown-parameters"]
    );
    let reply = app.get(&format!("{url}?expand=invalid_choice")).await;
    assert_eq!(reply.status, 400);
    assert!(reply.json().get("_expand").is_none());
    let list = app.get("betrokkenen?expand=digitaleAdressen").await.json();
    assert_eq!(
        list["results"][0]["_expand"],
        json!({"digitaleAdressen": []})
    );
}

#[tokio::test]
async fn deleting_an_onderwerpobject_with_cascade_removes_contacts_nothing_else_refers_to() {
    let app = spawn_app().await;
    let earlier = app
        .create("klantcontacten", contact("eerder", "2026-11-01T10:00:00Z"))
        .await;
    let follow_up = app
        .create("klantcontacten", contact("vervolg", "2026-11-02T10:00:00Z"))
        .await;
    let about_zaak = app
        .create("onderwerpobjecten", json!({"klantcontact": {"uuid": earlier["uuid"]}, "onderwerpobjectidentificator": {"objectId": "z-1", "codeObjecttype": "zaak", "codeRegister": "openzaak", "codeSoortObjectId": "uuid"}}))
        .await;
    let link = app
        .create("onderwerpobjecten", json!({"klantcontact": {"uuid": follow_up["uuid"]}, "wasKlantcontact": {"uuid": earlier["uuid"]}, "onderwerpobjectidentificator": null}))
        .await;
    assert_eq!(link["onderwerpobjectidentificator"]["objectId"], "");
    let b = betrokkene(&app, &follow_up, None).await;

    // Plain delete: only the object.
    let plain = app
        .create(
            "onderwerpobjecten",
            json!({"klantcontact": {"uuid": follow_up["uuid"]}}),
        )
        .await;
    assert_eq!(app.delete(plain["url"].as_str().unwrap()).await.status, 204);
    assert_eq!(
        app.get(follow_up["url"].as_str().unwrap()).await.status,
        200
    );

    let reply = app
        .delete(&format!("{}?cascade=true", link["url"].as_str().unwrap()))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), json!({"behouden": [earlier["url"]]}));
    assert_eq!(
        app.get(follow_up["url"].as_str().unwrap()).await.status,
        404
    );
    assert_eq!(app.get(b["url"].as_str().unwrap()).await.status, 404);
    assert_eq!(app.get(earlier["url"].as_str().unwrap()).await.status, 200);

    let reply = app
        .delete(&format!(
            "{}?cascade=TRUE",
            about_zaak["url"].as_str().unwrap()
        ))
        .await;
    assert_eq!(reply.json(), json!({"behouden": []}));
    assert_eq!(app.get(earlier["url"].as_str().unwrap()).await.status, 404);
}

#[tokio::test]
async fn maak_klantcontact_creates_all_parts_or_nothing() {
    let app = spawn_app().await;
    let partij = app.create("partijen", acceptance::persoon(None)).await["uuid"].clone();
    let reply = app
        .post(
            "maak-klantcontact",
            json!({"klantcontact": contact("melding", "2026-11-29T11:19:52Z"),
                   "betrokkene": {"wasPartij": {"uuid": partij}, "hadKlantcontact": {"uuid": uuid::Uuid::new_v4()}, "rol": "klant", "initiator": true},
                   "onderwerpobject": {"klantcontact": {"uuid": uuid::Uuid::new_v4()}, "onderwerpobjectidentificator": {"objectId": "z", "codeObjecttype": "zaak", "codeRegister": "oz", "codeSoortObjectId": "uuid"}}}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.header("location"), None);
    let body = reply.json();
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["klantcontact", "betrokkene", "onderwerpobject"]);
    assert_eq!(
        body["betrokkene"]["hadKlantcontact"]["uuid"],
        body["klantcontact"]["uuid"]
    );
    assert_eq!(
        body["onderwerpobject"]["klantcontact"]["uuid"],
        body["klantcontact"]["uuid"]
    );
    assert_eq!(
        body["klantcontact"]["hadBetrokkenen"][0]["uuid"],
        body["betrokkene"]["uuid"]
    );

    let only = app
        .post(
            "maak-klantcontact",
            json!({"klantcontact": contact("los", "2026-11-29T11:00:00Z")}),
        )
        .await
        .json();
    assert_eq!(only["betrokkene"], Value::Null);
    assert_eq!(only["onderwerpobject"], Value::Null);

    let before = app.get("klantcontacten").await.json()["count"].clone();
    let mut bad = contact("fout", "2026-11-29T11:00:00Z");
    bad["taal"] = json!("incorrect");
    let reply = app
        .post(
            "maak-klantcontact",
            json!({"klantcontact": bad, "betrokkene": {"rol": "klant", "initiator": true}}),
        )
        .await;
    assert_eq!(reply.invalid_names(), ["klantcontact.taal"]);
    let reply = app
        .post("maak-klantcontact", json!({"klantcontact": contact("goed", "2026-11-29T11:00:00Z"), "betrokkene": {"rol": "onbekend", "initiator": true}}))
        .await;
    assert_eq!(reply.invalid_names(), ["betrokkene.rol"]);
    let reply = app
        .post(
            "maak-klantcontact",
            json!({"klantcontact": contact("goed", "2026-11-29T11:00:00Z"),
                   "betrokkene": {"wasPartij": {"uuid": uuid::Uuid::new_v4()}, "rol": "klant", "initiator": true}}),
        )
        .await;
    assert_eq!(reply.invalid_names(), ["betrokkene.wasPartij.uuid"]);
    assert_eq!(app.get("klantcontacten").await.json()["count"], before);
    assert_eq!(app.get("betrokkenen").await.json()["count"], 1);
    assert_eq!(app.get("maak-klantcontact").await.status, 405);
}

#[tokio::test]
async fn a_betrokkene_must_be_a_partij_that_exists_in_relatiebeheer() {
    let app = spawn_app().await;
    let k = app
        .create("klantcontacten", contact("x", "2026-11-29T10:00:00Z"))
        .await;
    let reply = app
        .post(
            "betrokkenen",
            json!({"hadKlantcontact": {"uuid": k["uuid"]}, "wasPartij": {"uuid": uuid::Uuid::new_v4()}, "rol": "klant", "initiator": true}),
        )
        .await;
    assert_eq!(reply.invalid_names(), ["wasPartij.uuid"]);
    assert_eq!(
        reply.json()["invalidParams"][0]["reason"],
        "Partij object bestaat niet."
    );
    let partij = app.create("partijen", acceptance::persoon(None)).await;
    let b = betrokkene(&app, &k, partij["uuid"].as_str()).await;
    assert_eq!(
        b["wasPartij"],
        json!({"uuid": partij["uuid"], "url": partij["url"]})
    );
}

#[tokio::test]
async fn without_relatiebeheer_klantcontacten_serves_reads_and_refuses_partij_writes_with_503() {
    // klantcontacten alone, with relatiebeheer configured on an address where nothing listens.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let app = acceptance::spawn_app_with(|settings| {
        settings.register = Some("klantcontacten".into());
        settings.peers.relatiebeheer = Some(format!("http://{closed}"));
    })
    .await;
    let k = app
        .create("klantcontacten", contact("x", "2026-11-29T10:00:00Z"))
        .await;
    let anoniem = betrokkene(&app, &k, None).await;
    let reply = app
        .post(
            "betrokkenen",
            json!({"hadKlantcontact": {"uuid": k["uuid"]}, "wasPartij": {"uuid": uuid::Uuid::new_v4()}, "rol": "klant", "initiator": true}),
        )
        .await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.json()["status"], 503);
    // Nothing was stored, and reads go on.
    let list = app.get("betrokkenen").await.json();
    assert_eq!(list["count"], 1);
    assert_eq!(list["results"][0]["uuid"], anoniem["uuid"]);
    assert_eq!(app.get(k["url"].as_str().unwrap()).await.status, 200);
    // Partijen are not served here.
    assert_eq!(app.get("partijen").await.status, 404);
}
