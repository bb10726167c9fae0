use acceptance::{bsn, bsn_identificator, organisatie, persoon, spawn_app};
use serde_json::{json, Value};

#[tokio::test]
async fn an_empty_partij_names_both_required_fields_in_order() {
    let app = spawn_app().await;
    let reply = app.post("partijen", json!({})).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.invalid_names(), ["soortPartij", "indicatieActief"]);
    assert_eq!(reply.invalid_codes(), ["required", "required"]);
}

#[tokio::test]
async fn a_minimal_organisatie_has_empty_relations_and_address_objects() {
    let app = spawn_app().await;
    let partij = app
        .create(
            "partijen",
            json!({"soortPartij": "organisatie", "indicatieActief": true}),
        )
        .await;
    assert_eq!(partij["partijIdentificatie"], Value::Null);
    assert_eq!(partij["nummer"], Value::Null);
    assert_eq!(partij["indicatieGeheimhouding"], Value::Null);
    for key in [
        "digitaleAdressen",
        "partijIdentificatoren",
        "betrokkenen",
        "vertegenwoordigden",
        "rekeningnummers",
        "categorieRelaties",
    ] {
        assert_eq!(partij[key], json!([]), "{key}");
    }
    assert_eq!(partij["bezoekadres"]["huisnummer"], Value::Null);
    assert_eq!(partij["bezoekadres"]["postcode"], "");
    assert!(partij.get("_expand").is_none());
    assert!(partij["url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/partijen/{}", partij["uuid"].as_str().unwrap())));
}

#[tokio::test]
async fn a_persoon_gets_a_volledige_naam_and_snake_case_bodies_are_accepted() {
    let app = spawn_app().await;
    let partij = app
        .create(
            "partijen",
            json!({"soort_partij": "persoon", "indicatie_actief": true, "partij_identificatie": {"contactnaam": {
                "voorletters": "P", "voornaam": "Phil", "voorvoegsel_achternaam": "", "achternaam": "Bozeman"}}}),
        )
        .await;
    assert_eq!(
        partij["partijIdentificatie"]["volledigeNaam"],
        "Phil Bozeman"
    );
    assert_eq!(
        partij["partijIdentificatie"]["contactnaam"]["voorvoegselAchternaam"],
        ""
    );
    assert_eq!(partij["soortPartij"], "persoon");
}

#[tokio::test]
async fn an_organisatie_ignores_unknown_members_of_its_identificatie() {
    let app = spawn_app().await;
    let partij = app
        .create(
            "partijen",
            json!({"soortPartij": "organisatie", "indicatieActief": true,
                   "partijIdentificatie": {"naam": "Whitechapel", "contactpersonen": [1, 2]}}),
        )
        .await;
    assert_eq!(
        partij["partijIdentificatie"],
        json!({"naam": "Whitechapel"})
    );
}

#[tokio::test]
async fn a_contactpersoon_works_for_an_organisatie_only() {
    let app = spawn_app().await;
    let org = app.create("partijen", organisatie("Bakkerij")).await;
    let person = app.create("partijen", persoon(None)).await;
    let body = |uuid: &Value| {
        json!({"soortPartij": "contactpersoon", "indicatieActief": true,
               "partijIdentificatie": {"werkteVoorPartij": {"uuid": uuid}, "contactnaam": {"voornaam": "Mehmet", "achternaam": "Yilmaz"}}})
    };
    let contact = app.create("partijen", body(&org["uuid"])).await;
    assert_eq!(
        contact["partijIdentificatie"]["werkteVoorPartij"],
        json!({"uuid": org["uuid"], "url": org["url"]})
    );
    assert_eq!(
        contact["partijIdentificatie"]["volledigeNaam"],
        "Mehmet Yilmaz"
    );
    let reply = app.post("partijen", body(&person["uuid"])).await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.invalid_names(),
        ["partijIdentificatie.werkteVoorPartij.uuid"]
    );

    // Deleting the organisatie leaves the contactpersoon without identificatie.
    assert_eq!(app.delete(org["url"].as_str().unwrap()).await.status, 204);
    let contact = app.get(contact["url"].as_str().unwrap()).await.json();
    assert_eq!(contact["partijIdentificatie"], Value::Null);
}

#[tokio::test]
async fn the_voorkeur_must_be_one_of_the_partijs_addresses() {
    let app = spawn_app().await;
    let a = app
        .create(
            "digitaleadressen",
            json!({"adres": "a@example.nl", "soortDigitaalAdres": "email"}),
        )
        .await;
    let b = app
        .create(
            "digitaleadressen",
            json!({"adres": "b@example.nl", "soortDigitaalAdres": "email"}),
        )
        .await;
    let mut body = persoon(None);
    body["digitaleAdressen"] = json!([{"uuid": a["uuid"]}]);
    body["voorkeursDigitaalAdres"] = json!({"uuid": b["uuid"]});
    let reply = app.post("partijen", body.clone()).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.invalid_names(), ["voorkeursDigitaalAdres"]);
    assert_eq!(reply.invalid_codes(), ["invalid"]);

    // Without the list at all: a clear 400, not a crash.
    let mut without_list = persoon(None);
    without_list["voorkeursDigitaalAdres"] = json!({"uuid": b["uuid"]});
    assert_eq!(app.post("partijen", without_list).await.status, 400);

    body["voorkeursDigitaalAdres"] = json!({"uuid": a["uuid"]});
    let partij = app.create("partijen", body).await;
    assert_eq!(partij["voorkeursDigitaalAdres"]["uuid"], a["uuid"]);

    let mut put = persoon(None);
    put["digitaleAdressen"] = json!([]);
    put["voorkeursDigitaalAdres"] = json!({"uuid": a["uuid"]});
    let reply = app.put(partij["url"].as_str().unwrap(), put).await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json()["invalidParams"][0]["reason"],
        "voorkeursDigitaalAdres mag niet meegegeven worden als digitaleAdressen leeg is."
    );
}

#[tokio::test]
async fn patching_the_address_lists_with_null_detaches_without_deleting() {
    let app = spawn_app().await;
    let partij = app.create("partijen", persoon(None)).await;
    let adres = app
        .create(
            "digitaleadressen",
            json!({"adres": "a@example.nl", "soortDigitaalAdres": "email", "verstrektDoorPartij": {"uuid": partij["uuid"]}}),
        )
        .await;
    let url = partij["url"].as_str().unwrap();
    assert_eq!(
        app.get(url).await.json()["digitaleAdressen"][0]["uuid"],
        adres["uuid"]
    );
    let reply = app
        .patch(
            url,
            json!({"digitaleAdressen": null, "rekeningnummers": null}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["digitaleAdressen"], json!([]));
    assert_eq!(reply.json()["rekeningnummers"], json!([]));
    let adres = app.get(adres["url"].as_str().unwrap()).await;
    assert_eq!(adres.status, 200);
    assert_eq!(adres.json()["verstrektDoorPartij"], Value::Null);
}

#[tokio::test]
async fn an_empty_patch_changes_nothing() {
    let app = spawn_app().await;
    let partij = app.create("partijen", persoon(Some(&bsn(1)))).await;
    let reply = app.patch(partij["url"].as_str().unwrap(), json!({})).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), partij);
}

#[tokio::test]
async fn put_leaves_omitted_optional_fields_and_replaces_address_groups() {
    let app = spawn_app().await;
    let mut body = organisatie("Bakkerij");
    body["interneNotitie"] = json!("klant sinds 1998");
    body["bezoekadres"] = json!({"straatnaam": "Keizersgracht", "huisnummer": 117, "postcode": "1015 CJ", "land": "NL"});
    let partij = app.create("partijen", body).await;
    let url = partij["url"].as_str().unwrap();
    let reply = app.put(url, organisatie("Bakkerij & Zonen")).await;
    assert_eq!(reply.status, 200);
    let partij = reply.json();
    assert_eq!(partij["interneNotitie"], "klant sinds 1998");
    assert_eq!(partij["partijIdentificatie"]["naam"], "Bakkerij & Zonen");
    assert_eq!(partij["bezoekadres"]["huisnummer"], 117);
    // A group written again is replaced whole.
    let partij = app
        .patch(url, json!({"bezoekadres": {"stad": "Amsterdam"}}))
        .await
        .json();
    assert_eq!(partij["bezoekadres"]["straatnaam"], "");
    assert_eq!(partij["bezoekadres"]["stad"], "Amsterdam");
    // PATCH of the identificatie without soortPartij uses the partij's own soort.
    let partij = app
        .patch(url, json!({"partijIdentificatie": {"naam": "Nieuw"}}))
        .await
        .json();
    assert_eq!(partij["partijIdentificatie"]["naam"], "Nieuw");
}

#[tokio::test]
async fn addresses_are_validated_member_by_member() {
    let app = spawn_app().await;
    let mut body = persoon(None);
    body["bezoekadres"] = json!({"postcode": "1015CJ", "huisnummer": 100000, "land": "nl", "nummeraanduidingId": "123"});
    let reply = app.post("partijen", body).await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.invalid_names(),
        [
            "bezoekadres.nummeraanduidingId",
            "bezoekadres.huisnummer",
            "bezoekadres.postcode",
            "bezoekadres.land"
        ]
    );
    assert!(reply.json()["invalidParams"][3]["reason"]
        .as_str()
        .unwrap()
        .contains("NL"));
}

#[tokio::test]
async fn nummer_is_unique_numeric_and_empty_means_none() {
    let app = spawn_app().await;
    let mut body = persoon(None);
    body["nummer"] = json!("");
    let first = app.create("partijen", body.clone()).await;
    assert_eq!(first["nummer"], Value::Null);
    app.create("partijen", body.clone()).await;
    body["nummer"] = json!("12345");
    app.create("partijen", body.clone()).await;
    let reply = app.post("partijen", body.clone()).await;
    assert_eq!(reply.invalid_names(), ["nummer"]);
    assert_eq!(reply.invalid_codes(), ["unique"]);
    body["nummer"] = json!("12a");
    assert_eq!(
        app.post("partijen", body).await.invalid_codes(),
        ["invalid"]
    );
}

#[tokio::test]
async fn deleting_a_partij_deletes_its_identificatoren_and_addresses() {
    let app = spawn_app().await;
    let partij = app.create("partijen", persoon(Some(&bsn(7)))).await;
    let adres = app
        .create(
            "digitaleadressen",
            json!({"adres": "a@example.nl", "soortDigitaalAdres": "email", "verstrektDoorPartij": {"uuid": partij["uuid"]}}),
        )
        .await;
    let before = app.get("partijen").await.json()["count"].as_i64().unwrap();
    assert_eq!(
        app.delete(partij["url"].as_str().unwrap()).await.status,
        204
    );
    assert_eq!(
        app.get("partijen").await.json()["count"].as_i64().unwrap(),
        before - 1
    );
    assert_eq!(app.get(adres["url"].as_str().unwrap()).await.status, 404);
    let identificator = partij["partijIdentificatoren"][0]["url"].as_str().unwrap();
    assert_eq!(app.get(identificator).await.status, 404);
    // The BSN is free again.
    app.create("partijen", persoon(Some(&bsn(7)))).await;
}

#[tokio::test]
async fn a_partij_whose_identificator_is_anothers_parent_cannot_be_deleted() {
    let app = spawn_app().await;
    let mut body = organisatie("Moeder");
    body["partijIdentificatoren"] = json!([{"partijIdentificator": {
        "codeObjecttype": "niet_natuurlijk_persoon", "codeSoortObjectId": "kvk_nummer", "objectId": "12345678", "codeRegister": "hr"}}]);
    let moeder = app.create("partijen", body).await;
    let dochter = app.create("partijen", organisatie("Dochter")).await;
    app.create(
        "partij-identificatoren",
        json!({"identificeerdePartij": {"uuid": dochter["uuid"]}, "subIdentificatorVan": {"uuid": moeder["partijIdentificatoren"][0]["uuid"]},
               "partijIdentificator": {"codeObjecttype": "vestiging", "codeSoortObjectId": "vestigingsnummer", "objectId": "000012345678", "codeRegister": "hr"}}),
    )
    .await;
    let reply = app.delete(moeder["url"].as_str().unwrap()).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.invalid_names(), ["nonFieldErrors"]);
    assert_eq!(app.get(moeder["url"].as_str().unwrap()).await.status, 200);
}

#[tokio::test]
async fn expand_shows_full_addresses_on_detail_and_an_empty_expand_on_lists() {
    let app = spawn_app().await;
    let partij = app.create("partijen", persoon(None)).await;
    app.create(
        "digitaleadressen",
        json!({"adres": "0612345678", "soortDigitaalAdres": "telefoonnummer", "verstrektDoorPartij": {"uuid": partij["uuid"]}}),
    )
    .await;
    let url = partij["url"].as_str().unwrap();
    let detail = app
        .get(&format!("{url}?expand=digitaleAdressen,betrokkenen"))
        .await
        .json();
    assert_eq!(
        detail["_expand"]["digitaleAdressen"][0]["adres"],
        "0612345678"
    );
    assert_eq!(detail["_expand"]["betrokkenen"], json!([]));
    // Only a nested path: accepted, nothing expanded, no `_expand`.
    let detail = app
        .get(&format!("{url}?expand=betrokkenen.hadKlantcontact"))
        .await;
    assert_eq!(detail.status, 200);
    assert!(detail.json().get("_expand").is_none());
    let list = app.get("partijen").await.json();
    assert_eq!(list["results"][0]["_expand"], json!({}));
    let reply = app.get("partijen?expand=nonsense").await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.invalid_names(), ["expand"]);
    assert!(reply.json().get("_expand").is_none());
    let repeated = app
        .get(&format!("{url}?expand=digitaleAdressen&expand=betrokkenen"))
        .await
        .json();
    assert_eq!(repeated["_expand"].as_object().unwrap().len(), 2);
}

#[tokio::test]
async fn a_nested_bsn_makes_the_partij_findable_and_a_second_use_is_refused_atomically() {
    let app = spawn_app().await;
    let partij = app.create("partijen", persoon(Some("296648875"))).await;
    assert_eq!(
        partij["partijIdentificatoren"][0]["identificeerdePartij"]["uuid"],
        partij["uuid"]
    );
    assert_eq!(
        partij["partijIdentificatoren"][0]["partijIdentificator"],
        bsn_identificator("296648875")
    );
    let count = app.get("partijen").await.json()["count"].clone();
    let reply = app.post("partijen", persoon(Some("296648875"))).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.invalid_names(), ["__all__"]);
    assert_eq!(app.get("partijen").await.json()["count"], count);
    let reply = app.post("partijen", persoon(Some("999934868"))).await;
    assert_eq!(
        reply.invalid_names(),
        ["partijIdentificatoren.0.partijIdentificatorObjectId"]
    );
}

#[tokio::test]
async fn nested_identificatoren_follow_the_replace_rules() {
    let app = spawn_app().await;
    let mut body = persoon(None);
    body["partijIdentificatoren"] =
        json!([{"identificeerdePartij": null, "partijIdentificator": bsn_identificator(&bsn(3))}]);
    let reply = app.post("partijen", body.clone()).await;
    assert_eq!(
        reply.invalid_names(),
        ["partijIdentificatoren.identificeerdePartij"]
    );
    let partij = app.create("partijen", persoon(Some(&bsn(3)))).await;
    let url = partij["url"].as_str().unwrap();
    // PUT tolerates identificeerdePartij.
    let reply = app.put(url, body).await;
    assert_eq!(reply.status, 200, "{}", reply.text);

    // Same uuid twice.
    let id = reply.json()["partijIdentificatoren"][0]["uuid"].clone();
    let twice = json!({"partijIdentificatoren": [
        {"uuid": id, "partijIdentificator": bsn_identificator(&bsn(3))},
        {"uuid": id, "partijIdentificator": bsn_identificator(&bsn(3))}]});
    assert_eq!(app.patch(url, twice).await.invalid_codes(), ["duplicated"]);

    // An item without uuid is created anew, even when identical.
    let again = app
        .patch(
            url,
            json!({"partijIdentificatoren": [{"partijIdentificator": bsn_identificator(&bsn(3))}]}),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_ne!(again.json()["partijIdentificatoren"][0]["uuid"], id);

    // An empty list removes them all.
    let empty = app
        .patch(url, json!({"partijIdentificatoren": []}))
        .await
        .json();
    assert_eq!(empty["partijIdentificatoren"], json!([]));
}

#[tokio::test]
async fn removing_a_parent_identificator_through_the_partij_rolls_everything_back() {
    let app = spawn_app().await;
    let mut body = organisatie("Moeder");
    body["partijIdentificatoren"] = json!([{"partijIdentificator": {
        "codeObjecttype": "niet_natuurlijk_persoon", "codeSoortObjectId": "kvk_nummer", "objectId": "12345678", "codeRegister": "hr"}}]);
    let moeder = app.create("partijen", body).await;
    app.create(
        "partij-identificatoren",
        json!({"subIdentificatorVan": {"uuid": moeder["partijIdentificatoren"][0]["uuid"]},
               "partijIdentificator": {"codeObjecttype": "vestiging", "codeSoortObjectId": "vestigingsnummer", "objectId": "000012345678", "codeRegister": "hr"}}),
    )
    .await;
    let url = moeder["url"].as_str().unwrap();
    let reply = app
        .patch(
            url,
            json!({"interneNotitie": "changed", "partijIdentificatoren": []}),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.invalid_names(), ["nonFieldErrors"]);
    let after = app.get(url).await.json();
    assert_eq!(after["interneNotitie"], "");
    assert_eq!(after["partijIdentificatoren"].as_array().unwrap().len(), 1);
}
