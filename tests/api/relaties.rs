use acceptance::{organisatie, persoon, spawn_app};
use serde_json::{json, Value};

#[tokio::test]
async fn a_rekeningnummer_needs_a_valid_iban_and_a_bic_without_spaces() {
    let app = spawn_app().await;
    let reply = app.post("rekeningnummers", json!({})).await;
    assert_eq!(reply.invalid_names(), ["iban"]);
    assert_eq!(reply.invalid_codes(), ["required"]);
    let reply = app.post("rekeningnummers", json!({"iban": "AB12"})).await;
    assert_eq!(reply.invalid_names(), ["iban"]);
    // Right shape, wrong check digits.
    let reply = app
        .post("rekeningnummers", json!({"iban": "NL28RABO0935765456"}))
        .await;
    assert_eq!(reply.invalid_names(), ["iban"]);
    assert_eq!(
        reply.json()["invalidParams"][0]["reason"],
        "Ongeldige IBAN: NL28RABO0935765456"
    );
    let reply = app
        .post(
            "rekeningnummers",
            json!({"iban": "NL27RABO0935765456", "bic": "RABO NL2U"}),
        )
        .await;
    assert_eq!(reply.invalid_names(), ["bic"]);
    let partij = app.create("partijen", persoon(None)).await;
    let rekening = app
        .create("rekeningnummers", json!({"partij": {"uuid": partij["uuid"]}, "iban": "NL27RABO0935765456", "bic": "RABONL2U"}))
        .await;
    assert_eq!(rekening["partij"]["uuid"], partij["uuid"]);
    assert_eq!(rekening["bic"], "RABONL2U");
    let partij = app.get(partij["url"].as_str().unwrap()).await.json();
    assert_eq!(partij["rekeningnummers"][0]["uuid"], rekening["uuid"]);
    assert_eq!(
        app.get("rekeningnummers?iban=NL27RABO0935765456")
            .await
            .json()["count"],
        1
    );
    assert_eq!(
        app.get("rekeningnummers?bic=XXXXNL2U").await.json()["count"],
        0
    );
}

#[tokio::test]
async fn the_voorkeurs_rekeningnummer_follows_the_same_rules_as_the_voorkeurs_adres() {
    let app = spawn_app().await;
    let a = app
        .create("rekeningnummers", json!({"iban": "NL27RABO0935765456"}))
        .await;
    let b = app
        .create("rekeningnummers", json!({"iban": "DE44500105175407324931"}))
        .await;
    let mut body = persoon(None);
    body["rekeningnummers"] = json!([{"uuid": a["uuid"]}]);
    body["voorkeursRekeningnummer"] = json!({"uuid": b["uuid"]});
    let reply = app.post("partijen", body.clone()).await;
    assert_eq!(reply.invalid_names(), ["voorkeursRekeningnummer"]);
    assert_eq!(
        reply.json()["invalidParams"][0]["reason"],
        "Het voorkeurs rekeningnummer moet een gelinkte rekeningnummer zijn."
    );
    // Without the list at all: 400, where the reference crashes.
    let mut without = persoon(None);
    without["voorkeursRekeningnummer"] = json!({"uuid": b["uuid"]});
    assert_eq!(app.post("partijen", without).await.status, 400);

    body["voorkeursRekeningnummer"] = json!({"uuid": a["uuid"]});
    let partij = app.create("partijen", body).await;
    assert_eq!(partij["voorkeursRekeningnummer"]["uuid"], a["uuid"]);
    let url = partij["url"].as_str().unwrap();

    let mut put = persoon(None);
    put["rekeningnummers"] = json!([]);
    put["voorkeursRekeningnummer"] = json!({"uuid": a["uuid"]});
    let reply = app.put(url, put).await;
    assert_eq!(
        reply.json()["invalidParams"][0]["reason"],
        "voorkeursRekeningnummer mag niet meegegeven worden als rekeningnummers leeg is."
    );

    // Detaching the voorkeur through the list clears it; the account survives.
    let partij = app
        .patch(url, json!({"rekeningnummers": [{"uuid": b["uuid"]}]}))
        .await
        .json();
    assert_eq!(
        partij["rekeningnummers"],
        json!([{"uuid": b["uuid"], "url": b["url"]}])
    );
    assert_eq!(partij["voorkeursRekeningnummer"], Value::Null);
    assert_eq!(
        app.get(a["url"].as_str().unwrap()).await.json()["partij"],
        Value::Null
    );

    // Deleting the voorkeur leaves the partij without one.
    let partij = app
        .patch(url, json!({"voorkeursRekeningnummer": {"uuid": b["uuid"]}}))
        .await
        .json();
    assert_eq!(partij["voorkeursRekeningnummer"]["uuid"], b["uuid"]);
    assert_eq!(app.delete(b["url"].as_str().unwrap()).await.status, 204);
    let partij = app.get(url).await.json();
    assert_eq!(partij["voorkeursRekeningnummer"], Value::Null);
    assert_eq!(partij["rekeningnummers"], json!([]));
}

#[tokio::test]
async fn a_partij_cannot_represent_itself_and_each_pair_is_stored_once() {
    let app = spawn_app().await;
    let org = app.create("partijen", organisatie("Bakkerij")).await;
    let contact = app.create("partijen", persoon(None)).await;
    let other = app.create("partijen", persoon(None)).await;
    let reply = app
        .post("vertegenwoordigingen", json!({"vertegenwoordigendePartij": {"uuid": org["uuid"]}, "vertegenwoordigdePartij": {"uuid": org["uuid"]}}))
        .await;
    assert_eq!(reply.invalid_names(), ["vertegenwoordigdePartij"]);
    let reply = app.post("vertegenwoordigingen", json!({})).await;
    assert_eq!(
        reply.invalid_names(),
        ["vertegenwoordigendePartij", "vertegenwoordigdePartij"]
    );
    let body = json!({"vertegenwoordigendePartij": {"uuid": contact["uuid"]}, "vertegenwoordigdePartij": {"uuid": org["uuid"]}});
    let link = app.create("vertegenwoordigingen", body.clone()).await;
    let reply = app.post("vertegenwoordigingen", body).await;
    assert_eq!(reply.invalid_names(), ["nonFieldErrors"]);
    assert_eq!(reply.invalid_codes(), ["unique"]);
    // PATCH is checked against the stored other side.
    let reply = app
        .patch(
            link["url"].as_str().unwrap(),
            json!({"vertegenwoordigdePartij": {"uuid": contact["uuid"]}}),
        )
        .await;
    assert_eq!(reply.invalid_names(), ["vertegenwoordigdePartij"]);

    let contact_view = app.get(contact["url"].as_str().unwrap()).await.json();
    assert_eq!(
        contact_view["vertegenwoordigden"],
        json!([{"uuid": org["uuid"], "url": org["url"]}])
    );
    let represented = app
        .get(&format!(
            "partijen?vertegenwoordigdePartij__url={}",
            contact["url"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(represented["count"], 1);
    assert_eq!(represented["results"][0]["uuid"], org["uuid"]);
    assert_eq!(
        app.get(&format!(
            "vertegenwoordigingen?vertegenwoordigdePartij__uuid={}",
            org["uuid"].as_str().unwrap()
        ))
        .await
        .json()["count"],
        1
    );
    assert_eq!(
        app.get(&format!(
            "vertegenwoordigingen?vertegenwoordigdePartij__uuid={}",
            other["uuid"].as_str().unwrap()
        ))
        .await
        .json()["count"],
        0
    );

    // Deleting either partij deletes the link.
    assert_eq!(app.delete(org["url"].as_str().unwrap()).await.status, 204);
    assert_eq!(app.get(link["url"].as_str().unwrap()).await.status, 404);
}

#[tokio::test]
async fn categorie_relaties_default_their_begin_to_today_and_show_on_the_partij() {
    let app = spawn_app().await;
    let empty = app.create("categorieen", json!({})).await;
    assert_eq!(empty["naam"], "");
    let ondernemer = app
        .create("categorieen", json!({"naam": "Ondernemer"}))
        .await;
    let inwoner = app.create("categorieen", json!({"naam": "Inwoner"})).await;
    let relatie = app.create("categorie-relaties", json!({})).await;
    let today = time::OffsetDateTime::now_utc().date();
    assert_eq!(relatie["beginDatum"], format!("{today}"));
    assert_eq!(relatie["partij"], Value::Null);

    let org = app.create("partijen", organisatie("Bakkerij")).await;
    let both = app.create("partijen", persoon(None)).await;
    let link = |partij: &Value, categorie: &Value| json!({"partij": {"uuid": partij["uuid"]}, "categorie": {"uuid": categorie["uuid"]}, "beginDatum": "2026-01-01", "eindDatum": null});
    let r = app
        .create("categorie-relaties", link(&org, &ondernemer))
        .await;
    assert_eq!(
        r["categorie"],
        json!({"uuid": ondernemer["uuid"], "url": ondernemer["url"], "naam": "Ondernemer"})
    );
    app.create("categorie-relaties", link(&both, &ondernemer))
        .await;
    app.create("categorie-relaties", link(&both, &inwoner))
        .await;

    let org_view = app
        .get(&format!(
            "{}?expand=categorieRelaties",
            org["url"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(
        org_view["categorieRelaties"],
        json!([{"uuid": r["uuid"], "url": r["url"], "categorieNaam": "Ondernemer", "beginDatum": "2026-01-01", "eindDatum": null}])
    );
    assert_eq!(
        org_view["_expand"]["categorieRelaties"][0]["categorie"]["naam"],
        "Ondernemer"
    );

    // Any of the names; each partij once.
    let found = app
        .get("partijen?categorierelatie__categorie__naam=Ondernemer,Inwoner")
        .await
        .json();
    assert_eq!(found["count"], 2);
    assert_eq!(
        app.get("partijen?categorierelatie__categorie__naam=Inwoner")
            .await
            .json()["count"],
        1
    );
    assert_eq!(
        app.get("categorie-relaties?categorie__naam=Ondernemer")
            .await
            .json()["count"],
        2
    );
    assert_eq!(
        app.get(&format!(
            "categorie-relaties?partij__url={}",
            both["url"].as_str().unwrap()
        ))
        .await
        .json()["count"],
        2
    );
    assert_eq!(
        app.get("categorie-relaties?beginDatum=2026-01-01")
            .await
            .json()["count"],
        3
    );

    // Null on update is stored as null.
    let r2 = app
        .patch(r["url"].as_str().unwrap(), json!({"beginDatum": null}))
        .await
        .json();
    assert_eq!(r2["beginDatum"], Value::Null);

    // A categorie takes its relaties with it.
    assert_eq!(
        app.delete(ondernemer["url"].as_str().unwrap()).await.status,
        204
    );
    assert_eq!(app.get(r["url"].as_str().unwrap()).await.status, 404);
    assert_eq!(
        app.get(org["url"].as_str().unwrap()).await.json()["categorieRelaties"],
        json!([])
    );
}

#[tokio::test]
async fn deleting_a_partij_removes_its_accounts_and_category_links() {
    let app = spawn_app().await;
    let partij = app.create("partijen", persoon(None)).await;
    let rekening = app
        .create(
            "rekeningnummers",
            json!({"partij": {"uuid": partij["uuid"]}, "iban": "NL27RABO0935765456"}),
        )
        .await;
    let categorie = app.create("categorieen", json!({"naam": "X"})).await;
    let relatie = app
        .create(
            "categorie-relaties",
            json!({"partij": {"uuid": partij["uuid"]}, "categorie": {"uuid": categorie["uuid"]}}),
        )
        .await;
    assert_eq!(
        app.delete(partij["url"].as_str().unwrap()).await.status,
        204
    );
    assert_eq!(app.get(rekening["url"].as_str().unwrap()).await.status, 404);
    assert_eq!(app.get(relatie["url"].as_str().unwrap()).await.status, 404);
    assert_eq!(
        app.get(categorie["url"].as_str().unwrap()).await.status,
        200
    );
}
