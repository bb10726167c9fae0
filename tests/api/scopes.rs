//! Tokens limited to registers and to reading: a team gets a token for its register without
//! getting the others; a call outside the token's scope is a 403 in the API's error format.

use acceptance::{klantcontact, persoon, spawn_app};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_token_reaches_only_its_registers_and_writes_only_where_it_may() {
    let app = spawn_app().await;
    let kcc = app.scoped_token("kcc-applicatie", "klantcontacten:write,relatiebeheer:read");
    let dashboard = app.scoped_token("dashboard", "*:read");

    // Writing in its own register, reading in the one it may read.
    let created = app
        .call_as(&kcc, Method::POST, "klantcontacten", Some(klantcontact()))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(
        app.call_as(&kcc, Method::GET, "partijen", None)
            .await
            .status,
        200
    );

    // Outside: 403, as a problem body with the API's headers, and nothing stored.
    let refused = app
        .call_as(&kcc, Method::POST, "partijen", Some(persoon(None)))
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.header("content-type"), Some("application/json"));
    assert_eq!(refused.header("api-version"), Some("0.9.0"));
    assert_eq!(refused.json()["code"], "permission_denied");
    assert_eq!(app.get("partijen").await.json()["count"], 0);
    assert_eq!(
        app.call_as(&kcc, Method::GET, "internetaken", None)
            .await
            .status,
        403
    );
    assert_eq!(
        app.call_as(&kcc, Method::GET, "/contactgegevens/api/v1/persoon", None)
            .await
            .status,
        200
    );

    // A read-only token reads everywhere and writes nowhere.
    assert_eq!(
        app.call_as(&dashboard, Method::GET, "internetaken", None)
            .await
            .status,
        200
    );
    assert_eq!(
        app.call_as(&dashboard, Method::GET, "klantcontacten", None)
            .await
            .status,
        200
    );
    let url = created.json()["url"].as_str().unwrap().to_owned();
    assert_eq!(
        app.call_as(&dashboard, Method::GET, &format!("{url}/audittrail"), None)
            .await
            .status,
        200
    );
    for (method, path) in [
        (Method::PATCH, url.as_str()),
        (Method::DELETE, url.as_str()),
    ] {
        let reply = app
            .call_as(&dashboard, method, path, Some(json!({"inhoud": "x"})))
            .await;
        assert_eq!(reply.status, 403);
    }
    let maak = app
        .call_as(
            &dashboard,
            Method::POST,
            "maak-klantcontact",
            Some(json!({"klantcontact": klantcontact()})),
        )
        .await;
    assert_eq!(maak.status, 403);
    assert_eq!(app.get("klantcontacten").await.json()["count"], 1);

    // The test's own token has no scopes: everything.
    assert_eq!(app.post("partijen", persoon(None)).await.status, 201);
}

#[tokio::test]
async fn a_filter_or_expansion_into_a_register_the_token_may_not_read_is_refused() {
    let app = spawn_app().await;
    let taken = app.scoped_token("team-taken", "klanttaak:read");
    for path in [
        "internetaken?klantcontact__nummer=0000000001",
        "internetaken?klantcontact__referentienummer=x",
        "internetaken?actoren__naam=Team",
    ] {
        let reply = app.call_as(&taken, Method::GET, path, None).await;
        assert_eq!(reply.status, 403, "{path}: {}", reply.text);
        assert_eq!(reply.json()["code"], "permission_denied");
    }
    // Its own filters it may use.
    let own = app
        .call_as(
            &taken,
            Method::GET,
            "internetaken?status=te_verwerken",
            None,
        )
        .await;
    assert_eq!(own.status, 200, "{}", own.text);

    let partijen = app.scoped_token("partijen", "relatiebeheer:read");
    let partij = app.create("partijen", persoon(None)).await;
    let path = format!(
        "partijen/{}?expand=betrokkenen",
        partij["uuid"].as_str().unwrap()
    );
    assert_eq!(
        app.call_as(&partijen, Method::GET, &path, None)
            .await
            .status,
        403
    );
    let plain = format!("partijen/{}", partij["uuid"].as_str().unwrap());
    assert_eq!(
        app.call_as(&partijen, Method::GET, &plain, None)
            .await
            .status,
        200
    );
    // With klantcontacten readable too, the same expansion is answered.
    let both = app.scoped_token("beide", "relatiebeheer:read,klantcontacten:read");
    assert_eq!(
        app.call_as(&both, Method::GET, &path, None).await.status,
        200
    );
}
