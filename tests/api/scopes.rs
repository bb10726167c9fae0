//! Tokens limited to registers and to reading: a team gets a token for its register without
//! getting the others; a call outside the token's scope is a 403 in the API's error format.

use acceptance::{persoon, spawn_app, Reply, TestApp};
use platform::auth::Scopes;
use reqwest::Method;
use serde_json::{json, Value};

/// A token with these scopes, made as `token create --scope` makes it.
fn token(app: &TestApp, identifier: &str, scopes: &str) -> String {
    let scopes = Scopes::parse(scopes).unwrap();
    platform::db::Db::connect(&app.settings.auth_database_url().unwrap(), 1)
        .run_blocking(|conn| platform::auth::create_scoped_token(conn, identifier, "team", &scopes))
        .unwrap()
}

async fn call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Reply {
    let mut request = app
        .client
        .request(method, app.url(path))
        .header("Authorization", format!("Token {token}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    app.send(request).await
}

fn klantcontact() -> Value {
    json!({"kanaal": "telefoon", "onderwerp": "x", "taal": "nld", "vertrouwelijk": false})
}

#[tokio::test]
async fn a_token_reaches_only_its_registers_and_writes_only_where_it_may() {
    let app = spawn_app().await;
    let kcc = token(
        &app,
        "kcc-applicatie",
        "klantcontacten:write,relatiebeheer:read",
    );
    let dashboard = token(&app, "dashboard", "*:read");

    // Writing in its own register, reading in the one it may read.
    let created = call(
        &app,
        &kcc,
        Method::POST,
        "klantcontacten",
        Some(klantcontact()),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(
        call(&app, &kcc, Method::GET, "partijen", None).await.status,
        200
    );

    // Outside: 403, as a problem body with the API's headers, and nothing stored.
    let refused = call(&app, &kcc, Method::POST, "partijen", Some(persoon(None))).await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.header("content-type"), Some("application/json"));
    assert_eq!(refused.header("api-version"), Some("0.9.0"));
    assert_eq!(refused.json()["code"], "permission_denied");
    assert_eq!(app.get("partijen").await.json()["count"], 0);
    assert_eq!(
        call(&app, &kcc, Method::GET, "internetaken", None)
            .await
            .status,
        403
    );
    assert_eq!(
        call(
            &app,
            &kcc,
            Method::GET,
            "/contactgegevens/api/v1/persoon",
            None
        )
        .await
        .status,
        200
    );

    // A read-only token reads everywhere and writes nowhere.
    assert_eq!(
        call(&app, &dashboard, Method::GET, "internetaken", None)
            .await
            .status,
        200
    );
    assert_eq!(
        call(&app, &dashboard, Method::GET, "klantcontacten", None)
            .await
            .status,
        200
    );
    let url = created.json()["url"].as_str().unwrap().to_owned();
    assert_eq!(
        call(
            &app,
            &dashboard,
            Method::GET,
            &format!("{url}/audittrail"),
            None
        )
        .await
        .status,
        200
    );
    for (method, path) in [
        (Method::PATCH, url.as_str()),
        (Method::DELETE, url.as_str()),
    ] {
        let reply = call(&app, &dashboard, method, path, Some(json!({"inhoud": "x"}))).await;
        assert_eq!(reply.status, 403);
    }
    let maak = call(
        &app,
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
    let taken = token(&app, "team-taken", "klanttaak:read");
    for path in [
        "internetaken?klantcontact__nummer=0000000001",
        "internetaken?klantcontact__referentienummer=x",
        "internetaken?actoren__naam=Team",
    ] {
        let reply = call(&app, &taken, Method::GET, path, None).await;
        assert_eq!(reply.status, 403, "{path}: {}", reply.text);
        assert_eq!(reply.json()["code"], "permission_denied");
    }
    // Its own filters it may use.
    let own = call(
        &app,
        &taken,
        Method::GET,
        "internetaken?status=te_verwerken",
        None,
    )
    .await;
    assert_eq!(own.status, 200, "{}", own.text);

    let partijen = token(&app, "partijen", "relatiebeheer:read");
    let partij = app.create("partijen", persoon(None)).await;
    let path = format!(
        "partijen/{}?expand=betrokkenen",
        partij["uuid"].as_str().unwrap()
    );
    assert_eq!(
        call(&app, &partijen, Method::GET, &path, None).await.status,
        403
    );
    let plain = format!("partijen/{}", partij["uuid"].as_str().unwrap());
    assert_eq!(
        call(&app, &partijen, Method::GET, &plain, None)
            .await
            .status,
        200
    );
    // With klantcontacten readable too, the same expansion is answered.
    let both = token(&app, "beide", "relatiebeheer:read,klantcontacten:read");
    assert_eq!(
        call(&app, &both, Method::GET, &path, None).await.status,
        200
    );
}
