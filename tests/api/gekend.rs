//! `POST /betrokkenen/{uuid}/partij`: an ongekende betrokkene becomes a gekende partij (the
//! standard's Henk de Bruin: first only a name and an e-mail address at a melding, later
//! known), or is linked to a partij that exists.

use acceptance::{klantcontact, organisatie, spawn_app, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// A betrokkene at a new klantcontact, with the e-mail address it gave there.
async fn betrokkene(app: &TestApp, rol: &str, extra: Value) -> (Value, Value) {
    let contact = app.create("klantcontacten", klantcontact()).await;
    let mut body =
        json!({"hadKlantcontact": {"uuid": contact["uuid"]}, "rol": rol, "initiator": true});
    for (name, value) in extra.as_object().unwrap() {
        body[name] = value.clone();
    }
    let betrokkene = app.create("betrokkenen", body).await;
    let adres = app
        .create(
            "digitaleadressen",
            json!({"verstrektDoorBetrokkene": {"uuid": betrokkene["uuid"]}, "adres": "henk@example.nl", "soortDigitaalAdres": "email"}),
        )
        .await;
    (betrokkene, adres)
}

fn henk() -> Value {
    json!({"contactnaam": {"voorletters": "H.", "voornaam": "Henk", "voorvoegselAchternaam": "de", "achternaam": "Bruin"},
        "bezoekadres": {"adresregel1": "Dorpsstraat 1"}})
}

fn promote(uuid: &Value) -> String {
    format!("betrokkenen/{}/partij", uuid.as_str().unwrap())
}

#[tokio::test]
async fn henk_de_bruin_becomes_a_gekende_persoon_and_his_e_mail_reusable_only_once_he_agrees() {
    let app = spawn_app().await;
    let (b, adres) = betrokkene(&app, "klant", henk()).await;

    // Made gekend without consent to reuse: a persoon with his name, nothing more.
    let made = app
        .send(
            app.request(Method::POST, &promote(&b["uuid"]))
                .header("X-Audit-Toelichting", "aangemeld met DigiD")
                .json(&json!({})),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let answer = made.json();
    let partij = &answer["partij"];
    assert_eq!(partij["soortPartij"], "persoon");
    assert_eq!(
        partij["partijIdentificatie"]["contactnaam"]["voornaam"],
        "Henk"
    );
    assert_eq!(
        partij["partijIdentificatie"]["contactnaam"]["achternaam"],
        "Bruin"
    );
    assert_eq!(partij["bezoekadres"]["adresregel1"], "");
    assert_eq!(made.header("location"), partij["url"].as_str());
    assert_eq!(answer["betrokkene"]["wasPartij"]["uuid"], partij["uuid"]);
    // Relatiebeheer made it for the client that asked, for the reason it gave.
    let trail = app
        .get(&format!(
            "partijen/{}/audittrail",
            partij["uuid"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(trail[0]["actie"], "create");
    assert_eq!(trail[0]["applicatieId"], "acceptance");
    assert_eq!(trail[0]["toelichting"], "aangemeld met DigiD");
    let shown = app
        .get(&format!("betrokkenen/{}", b["uuid"].as_str().unwrap()))
        .await;
    assert_eq!(shown.json()["wasPartij"]["uuid"], partij["uuid"]);
    let adres_path = format!("digitaleadressen/{}", adres["uuid"].as_str().unwrap());
    assert_eq!(
        app.get(&adres_path).await.json()["verstrektDoorPartij"],
        Value::Null
    );
    // The partij knows its betrokkene (relatiebeheer's read model, by event).
    let partij_url = partij["url"].as_str().unwrap();
    let (_, known) = app
        .eventually(partij_url, |_, p| {
            p["betrokkenen"].as_array().is_some_and(|b| !b.is_empty())
        })
        .await;
    assert_eq!(known["betrokkenen"][0]["uuid"], b["uuid"]);

    // Made gekend again: refused, he is gekend already.
    let again = app.post(&promote(&b["uuid"]), json!({})).await;
    assert_eq!(again.status, 400, "{}", again.text);
    assert_eq!(again.invalid_names(), ["wasPartij"]);
    assert_eq!(app.get("partijen").await.json()["count"], 1);

    // He agrees to reuse: his e-mail address becomes his partij's.
    let agreed = app
        .post(
            &promote(&b["uuid"]),
            json!({"partij": {"uuid": partij["uuid"]}, "digitaleAdressenHergebruiken": true}),
        )
        .await;
    assert_eq!(agreed.status, 200, "{}", agreed.text);
    let adres = app.get(&adres_path).await.json();
    assert_eq!(adres["verstrektDoorPartij"]["uuid"], partij["uuid"]);
    assert_eq!(adres["verstrektDoorBetrokkene"]["uuid"], b["uuid"]);
    let (_, reusable) = app
        .eventually(partij_url, |_, p| {
            p["digitaleAdressen"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
        })
        .await;
    assert_eq!(reusable["digitaleAdressen"][0]["uuid"], adres["uuid"]);
    assert_eq!(app.get("partijen").await.json()["count"], 1);

    // A request repeated after it failed half-way (the partij made, the link not) makes no
    // second partij: unlinked, made gekend again, he gets the partij made for him before.
    let betrokkene_path = format!("betrokkenen/{}", b["uuid"].as_str().unwrap());
    let unlinked = app
        .patch(&betrokkene_path, json!({"wasPartij": null}))
        .await;
    assert_eq!(unlinked.status, 200, "{}", unlinked.text);
    let repeated = app.post(&promote(&b["uuid"]), json!({})).await;
    assert_eq!(repeated.status, 201, "{}", repeated.text);
    assert_eq!(repeated.json()["partij"]["uuid"], partij["uuid"]);
    assert_eq!(
        repeated.json()["betrokkene"]["wasPartij"]["uuid"],
        partij["uuid"]
    );
    assert_eq!(app.get("partijen").await.json()["count"], 1);
}

#[tokio::test]
async fn the_kind_of_partij_follows_the_standards_rule_and_consent_brings_the_addresses() {
    let app = spawn_app().await;
    let (firma, _) = betrokkene(
        &app,
        "vertegenwoordiger",
        json!({"organisatienaam": "Bakkerij Bruin"}),
    )
    .await;
    let made = app.post(&promote(&firma["uuid"]), json!({})).await;
    assert_eq!(made.status, 201, "{}", made.text);
    assert_eq!(made.json()["partij"]["soortPartij"], "organisatie");
    assert_eq!(
        made.json()["partij"]["partijIdentificatie"]["naam"],
        "Bakkerij Bruin"
    );

    let (namens, adres) = betrokkene(&app, "vertegenwoordiger", henk()).await;
    let made = app
        .post(
            &promote(&namens["uuid"]),
            json!({"digitaleAdressenHergebruiken": true}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let partij = made.json()["partij"].clone();
    assert_eq!(partij["soortPartij"], "contactpersoon");
    assert_eq!(
        partij["partijIdentificatie"]["contactnaam"]["voornaam"],
        "Henk"
    );
    assert_eq!(partij["bezoekadres"]["adresregel1"], "Dorpsstraat 1");
    let adres = app
        .get(&format!(
            "digitaleadressen/{}",
            adres["uuid"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(adres["verstrektDoorPartij"]["uuid"], partij["uuid"]);

    // Nothing to make a partij of.
    let (anoniem, _) = betrokkene(&app, "klant", json!({})).await;
    let refused = app.post(&promote(&anoniem["uuid"]), json!({})).await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert_eq!(refused.invalid_names(), ["betrokkene"]);
    assert_eq!(app.get("partijen").await.json()["count"], 2);
}

#[tokio::test]
async fn a_betrokkene_is_linked_to_a_partij_that_exists_and_nothing_else_is_accepted() {
    let app = spawn_app().await;
    let bestaand = app.create("partijen", organisatie("Gemeente")).await;
    let (b, _) = betrokkene(&app, "klant", henk()).await;

    let unknown = json!({"partij": {"uuid": "00000000-0000-4000-8000-000000000000"}});
    let refused = app.post(&promote(&b["uuid"]), unknown).await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert_eq!(refused.invalid_names(), ["partij"]);
    let malformed = app
        .post(&promote(&b["uuid"]), json!({"partij": "x", "extra": 1}))
        .await;
    assert_eq!(malformed.status, 400, "{}", malformed.text);
    let nobody = app
        .post(
            "betrokkenen/00000000-0000-4000-8000-000000000000/partij",
            json!({}),
        )
        .await;
    assert_eq!(nobody.status, 404, "{}", nobody.text);
    let wrong_method = app.get(&promote(&b["uuid"])).await;
    assert_eq!(wrong_method.status, 405);

    // Making a partij is a write in relatiebeheer: a token that may not write there may not.
    let kcc = app.scoped_token("kcc", "klantcontacten:write,relatiebeheer:read");
    let denied = app
        .call_as(&kcc, Method::POST, &promote(&b["uuid"]), Some(json!({})))
        .await;
    assert_eq!(denied.status, 403, "{}", denied.text);
    assert_eq!(app.get("partijen").await.json()["count"], 1);

    // Linking alone is a change of the betrokkene: that token may.
    let link = json!({"partij": {"uuid": bestaand["uuid"]}});
    let linked = app
        .call_as(&kcc, Method::POST, &promote(&b["uuid"]), Some(link.clone()))
        .await;
    assert_eq!(linked.status, 200, "{}", linked.text);
    assert_eq!(
        linked.json()["betrokkene"]["wasPartij"]["uuid"],
        bestaand["uuid"]
    );
    assert_eq!(linked.json()["partij"]["uuid"], bestaand["uuid"]);
    // Asked again, the same answer (a client that repeats after a timeout).
    let repeated = app.post(&promote(&b["uuid"]), link).await;
    assert_eq!(repeated.status, 200, "{}", repeated.text);
    assert_eq!(app.get("partijen").await.json()["count"], 1);
}
