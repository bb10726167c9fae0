//! A BSN only for tokens with the `bsn` scope: a token without it sees every BSN withheld,
//! wherever it would be rendered, and may not look one up or write one (403).

use acceptance::{bsn, bsn_identificator, klantcontact, persoon, spawn_app, Reply, TestApp, API};
use platform::bsn::WITHHELD;
use reqwest::Method;
use serde_json::{json, Value};

/// A persoon with a BSN, an address it gave, a klantcontact it was in (with an onderwerpobject
/// that names a BSN too) and a later change: every place a BSN is rendered has one.
async fn people(app: &TestApp, first: &str, second: &str) -> Value {
    let partij = app.create("partijen", persoon(Some(first))).await;
    let partij_uuid = partij["uuid"].as_str().unwrap();
    app.create(
        "digitaleadressen",
        json!({"verstrektDoorPartij": {"uuid": partij_uuid}, "verstrektDoorBetrokkene": null,
               "soortDigitaalAdres": "email", "adres": "sanne@example.com", "omschrijving": "e-mail"}),
    )
    .await;
    let klantcontact = app.create("klantcontacten", klantcontact()).await;
    let kc = klantcontact["uuid"].as_str().unwrap();
    app.create(
        "betrokkenen",
        json!({"hadKlantcontact": {"uuid": kc}, "wasPartij": {"uuid": partij_uuid},
               "rol": "klant", "initiator": true}),
    )
    .await;
    app.create(
        "onderwerpobjecten",
        json!({"klantcontact": {"uuid": kc}, "wasKlantcontact": null,
               "onderwerpobjectidentificator": {"objectId": second, "codeObjecttype": "persoon",
                                                "codeRegister": "brp", "codeSoortObjectId": "bsn"}}),
    )
    .await;
    let changed = app
        .patch(
            &format!("partijen/{partij_uuid}"),
            json!({"indicatieActief": false}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    partij
}

/// Every GET the API document lists, lists with every `expand` it offers and each object of
/// them in detail (with its audit trail): (path, answer).
async fn every_answer(app: &TestApp, token: &str) -> Vec<(String, Reply)> {
    let document = app
        .call_as(token, Method::GET, "openapi.json", None)
        .await
        .json();
    let paths = document["paths"].as_object().unwrap();
    let expand_of = |path: &str| -> String {
        let values: Vec<String> = paths[path]["get"]["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["name"] == "expand")
            .flat_map(|p| {
                p["schema"]["items"]["enum"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        if values.is_empty() {
            String::new()
        } else {
            format!("?expand={}", values.join(","))
        }
    };
    let mut answers = Vec::new();
    let lists = paths
        .iter()
        .filter(|(path, item)| !path.contains('{') && item.get("get").is_some())
        .map(|(path, _)| path);
    for list in lists {
        let expand = expand_of(list);
        let reply = app
            .call_as(token, Method::GET, &format!("{API}{list}{expand}"), None)
            .await;
        let uuids: Vec<String> = reply.json()["results"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| o["uuid"].as_str().map(str::to_owned))
            .collect();
        answers.push((list.clone(), reply));
        // Every GET under the object (a handeling there only takes POST).
        for detail in paths
            .iter()
            .filter(|(p, item)| {
                p.starts_with(&format!("{list}/{{uuid}}")) && item.get("get").is_some()
            })
            .map(|(p, _)| p)
        {
            let expand = expand_of(detail);
            for uuid in &uuids {
                let path = format!("{API}{}{expand}", detail.replace("{uuid}", uuid));
                answers.push((
                    path.clone(),
                    app.call_as(token, Method::GET, &path, None).await,
                ));
            }
        }
    }
    answers
}

#[tokio::test]
async fn a_token_without_the_bsn_scope_learns_no_bsn_through_any_get() {
    let app = spawn_app().await;
    let (first, second) = (bsn(4242), bsn(4343));
    let partij = people(&app, &first, &second).await;
    let partij_uuid = partij["uuid"].as_str().unwrap();
    // What klantcontacten shows of the partij comes from relatiebeheer: wait until it is there.
    app.eventually(
        &format!("partijen/{partij_uuid}?expand=betrokkenen"),
        |_, body| {
            body["_expand"]["betrokkenen"]
                .as_array()
                .is_some_and(|b| !b.is_empty())
        },
    )
    .await;

    let without = app.scoped_token("portaal", "*:write");
    let answers = every_answer(&app, &without).await;
    assert!(answers.len() > 20, "{} answers", answers.len());
    for (path, reply) in &answers {
        // An identificator written nested in its partij has its history in the partij's.
        let nested_history = path.starts_with(&format!("{API}/partij-identificatoren/"))
            && path.ends_with("/audittrail");
        if !(nested_history && reply.status == 404) {
            assert_eq!(reply.status, 200, "{path}: {}", reply.text);
        }
        for number in [&first, &second] {
            assert!(
                !reply.text.contains(number.as_str()),
                "{path} shows a BSN: {}",
                reply.text
            );
        }
    }
    let withheld: usize = answers
        .iter()
        .map(|(_, r)| r.text.matches(WITHHELD).count())
        .sum();
    assert!(withheld > 10, "BSNs withheld in {withheld} places");

    // The shape stays: the identificator is there, with its soort, its number withheld.
    let detail = app
        .call_as(
            &without,
            Method::GET,
            &format!("partijen/{partij_uuid}"),
            None,
        )
        .await;
    let identificator = &detail.json()["partijIdentificatoren"][0]["partijIdentificator"];
    assert_eq!(identificator["codeSoortObjectId"], "bsn");
    assert_eq!(identificator["objectId"], WITHHELD);

    // The same walk with the scope shows them: the walk reaches where BSNs are.
    let with = app.scoped_token("kcc", "*:read,bsn");
    let answers = every_answer(&app, &with).await;
    for number in [&first, &second] {
        let places = answers
            .iter()
            .filter(|(_, r)| r.text.contains(number.as_str()))
            .count();
        assert!(places > 3, "{number} shown in {places} answers");
    }
    assert!(answers.iter().all(|(_, r)| !r.text.contains(WITHHELD)));
}

#[tokio::test]
async fn a_token_without_the_bsn_scope_may_not_look_one_up_nor_write_one() {
    let app = spawn_app().await;
    let number = bsn(5151);
    let partij = app.create("partijen", persoon(Some(&number))).await;
    let partij_uuid = partij["uuid"].as_str().unwrap();
    let identificator = partij["partijIdentificatoren"][0]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let without = app.scoped_token("portaal", "*:write");

    let refused = |reply: &Reply| {
        assert_eq!(reply.status, 403, "{}", reply.text);
        let body = reply.json();
        assert_eq!(body["code"], "permission_denied");
        assert!(body["detail"].as_str().unwrap().contains("BSN"), "{body}");
    };
    for lookup in [
        format!("partijen?partijIdentificator__objectId={number}"),
        format!("partij-identificatoren?partijIdentificatorObjectId={number}"),
        format!("klantcontacten?hadBetrokkene__wasPartij__partijIdentificator__objectId={number}"),
        format!("betrokkenen?wasPartij__partijIdentificator__objectId={number}"),
    ] {
        refused(&app.call_as(&without, Method::GET, &lookup, None).await);
    }
    // Another number is looked up as before, and listing who has a BSN tells none of them.
    let kvk = app
        .call_as(
            &without,
            Method::GET,
            "partijen?partijIdentificator__objectId=12345678",
            None,
        )
        .await;
    assert_eq!(kvk.status, 200, "{}", kvk.text);
    let listed = app
        .call_as(
            &without,
            Method::GET,
            "partijen?partijIdentificator__codeSoortObjectId=bsn",
            None,
        )
        .await;
    assert_eq!(listed.json()["count"], 1);
    assert!(!listed.text.contains(&number));

    let other = bsn(5252);
    refused(
        &app.call_as(
            &without,
            Method::POST,
            "partijen",
            Some(persoon(Some(&other))),
        )
        .await,
    );
    refused(
        &app.call_as(
            &without,
            Method::POST,
            "partij-identificatoren",
            Some(json!({"identificeerdePartij": {"uuid": partij_uuid},
                        "partijIdentificator": bsn_identificator(&other)})),
        )
        .await,
    );
    // Changing or deleting a stored BSN, even without naming its soort.
    let path = format!("partij-identificatoren/{identificator}");
    refused(
        &app.call_as(
            &without,
            Method::PATCH,
            &path,
            Some(json!({"anderePartijIdentificator": "x"})),
        )
        .await,
    );
    refused(&app.call_as(&without, Method::DELETE, &path, None).await);
    // Nor through the partij: leaving it out of the partij's identificatoren would delete it.
    let partij_path = format!("partijen/{partij_uuid}");
    refused(
        &app.call_as(
            &without,
            Method::PATCH,
            &partij_path,
            Some(json!({"partijIdentificatoren": []})),
        )
        .await,
    );
    let changed = app
        .call_as(
            &without,
            Method::PATCH,
            &partij_path,
            Some(json!({"indicatieActief": false})),
        )
        .await;
    assert_eq!(
        changed.status, 200,
        "what is not a BSN it may change: {}",
        changed.text
    );
    let klantcontact = app.create("klantcontacten", klantcontact()).await;
    let onderwerp = app
        .create(
            "onderwerpobjecten",
            json!({"klantcontact": {"uuid": klantcontact["uuid"]}, "wasKlantcontact": null,
                   "onderwerpobjectidentificator": {"objectId": number, "codeObjecttype": "persoon",
                                                    "codeRegister": "brp", "codeSoortObjectId": "bsn"}}),
        )
        .await;
    let onderwerp = format!("onderwerpobjecten/{}", onderwerp["uuid"].as_str().unwrap());
    refused(
        &app.call_as(
            &without,
            Method::PATCH,
            &onderwerp,
            Some(json!({"wasKlantcontact": null})),
        )
        .await,
    );
    refused(
        &app.call_as(&without, Method::DELETE, &onderwerp, None)
            .await,
    );
    assert_eq!(app.get(&onderwerp).await.status, 200);

    // Nothing of it was stored or changed, and a token with the scope does all of it.
    let stored = app.get(&path).await.json();
    assert_eq!(stored["partijIdentificator"]["objectId"], number.as_str());
    assert_eq!(stored["anderePartijIdentificator"], "");
    assert_eq!(app.get("partijen").await.json()["count"], 1);
    let with = app.scoped_token("kcc", "*:write,bsn");
    let found = app
        .call_as(
            &with,
            Method::GET,
            &format!("partijen?partijIdentificator__objectId={number}"),
            None,
        )
        .await;
    assert_eq!(found.json()["count"], 1);
    let created = app
        .call_as(&with, Method::POST, "partijen", Some(persoon(Some(&other))))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let changed = app
        .call_as(
            &with,
            Method::PATCH,
            &path,
            Some(json!({"anderePartijIdentificator": "x"})),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
}
