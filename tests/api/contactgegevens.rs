use acceptance::spawn_app;
use reqwest::Method;
use serde_json::{json, Value};

const C: &str = "/contactgegevens/api/v1";

#[tokio::test]
async fn a_persoon_needs_a_birth_date_and_a_name_and_gets_its_own_api_version() {
    let app = spawn_app().await;
    let reply = app.post(&format!("{C}/persoon"), json!({})).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.header("api-version"), Some("1.1.1"));
    let names = reply.invalid_names();
    assert!(
        names.contains(&"geboortedatum".to_owned()) && names.contains(&"geslachtsnaam".to_owned()),
        "{names:?}"
    );

    let body = |postcode: &str| {
        json!({"geboortedatum": "1984-03-14", "overlijdensdatum": null, "geslachtsnaam": "Vries", "geslacht": "v",
               "voorvoegsel": "de", "voornamen": "Sanne Johanna",
               "adres": {"straatnaam": "Prinsengracht", "huisnummer": null, "postcode": postcode, "land": "NL"}})
    };
    let reply = app.post(&format!("{C}/persoon"), body("1015CJ")).await;
    assert_eq!(reply.invalid_names(), ["adres.postcode"]);
    let reply = app.post(&format!("{C}/persoon"), body("1016 GV")).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let persoon = reply.json();
    assert_eq!(reply.header("location"), persoon["url"].as_str());
    assert!(persoon["url"]
        .as_str()
        .unwrap()
        .contains("/contactgegevens/api/v1/persoon/"));
    assert_eq!(persoon["adres"]["huisnummer"], Value::Null);
    assert_eq!(persoon["geslacht"], "v");
    let reply = app
        .post(
            &format!("{C}/persoon"),
            json!({"geboortedatum": "1984-03-14", "geslachtsnaam": "X", "geslacht": "x"}),
        )
        .await;
    assert_eq!(reply.invalid_codes(), ["invalid_choice"]);

    let list = app.get(&format!("{C}/persoon")).await;
    assert_eq!(list.header("api-version"), Some("1.1.1"));
    assert_eq!(list.json()["count"], 1);
    assert_eq!(app.get(&format!("{C}/persoon?invalid=1")).await.status, 400);
}

#[tokio::test]
async fn an_organisatie_is_written_read_and_deleted_like_any_resource() {
    let app = spawn_app().await;
    let reply = app.post(&format!("{C}/organisatie"), json!({})).await;
    assert_eq!(reply.invalid_names(), ["handelsnaam"]);
    let org = app
        .create(
            &format!("{C}/organisatie"),
            json!({"handelsnaam": "Bakkerij Van den Berg", "oprichtingsdatum": "1998-05-01", "opheffingsdatum": null}),
        )
        .await;
    assert_eq!(org["oprichtingsdatum"], "1998-05-01");
    assert_eq!(org["adres"]["land"], "");
    let url = org["url"].as_str().unwrap();
    let patched = app
        .patch(url, json!({"opheffingsdatum": "2030-01-01"}))
        .await
        .json();
    assert_eq!(patched["opheffingsdatum"], "2030-01-01");
    assert_eq!(patched["handelsnaam"], "Bakkerij Van den Berg");
    let reply = app
        .put(url, json!({"oprichtingsdatum": "1999-01-01"}))
        .await;
    assert_eq!(reply.invalid_names(), ["handelsnaam"]);
    assert_eq!(app.delete(url).await.status, 204);
    assert_eq!(app.get(url).await.status, 404);
    let reply = app
        .send(
            app.client
                .request(Method::GET, app.url(&format!("{C}/organisatie"))),
        )
        .await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.header("api-version"), Some("1.1.1"));
    let root = app
        .send(app.client.get(app.url(&format!("{C}/"))))
        .await
        .json();
    assert_eq!(root["persoon"], format!("{}{C}/persoon", app.base));
}
