use acceptance::{spawn_app, API};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_request_without_a_token_is_401_problem_json_with_the_api_headers() {
    let app = spawn_app().await;
    for (method, path) in [
        (Method::GET, "partijen".to_owned()),
        (Method::POST, "partijen".to_owned()),
        (Method::GET, format!("partijen/{}", uuid::Uuid::new_v4())),
        (Method::DELETE, format!("partijen/{}", uuid::Uuid::new_v4())),
    ] {
        let reply = app.send(app.client.request(method, app.url(&path))).await;
        assert_eq!(reply.status, 401);
        assert_eq!(reply.header("content-type"), Some("application/json"));
        assert_eq!(reply.header("www-authenticate"), Some("Token"));
        assert_eq!(reply.header("api-version"), Some("0.9.0"));
        let body = reply.json();
        assert_eq!(body["code"], "not_authenticated");
        let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["type", "code", "title", "status", "detail", "instance"]
        );
        assert!(body["instance"].as_str().unwrap().starts_with("urn:uuid:"));
        assert!(body["type"]
            .as_str()
            .unwrap()
            .ends_with("/ref/fouten/NotAuthenticated/"));
    }
}

#[tokio::test]
async fn an_unknown_token_is_authentication_failed() {
    let app = spawn_app().await;
    let reply = app
        .send(
            app.client
                .get(app.url("partijen"))
                .header("Authorization", "Token doesnotexist"),
        )
        .await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json()["code"], "authentication_failed");
    assert_eq!(reply.json()["detail"], "Ongeldige token.");
    // A bearer token is no credentials at all.
    let reply = app
        .send(
            app.client
                .get(app.url("partijen"))
                .header("Authorization", format!("Bearer {}", app.token)),
        )
        .await;
    assert_eq!(reply.json()["code"], "not_authenticated");
}

#[tokio::test]
async fn unknown_objects_are_404_and_unrouted_paths_are_html_without_api_version() {
    let app = spawn_app().await;
    let reply = app.get(&format!("partijen/{}", uuid::Uuid::new_v4())).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["code"], "not_found");
    assert_eq!(
        reply.header("allow"),
        Some("GET, PUT, PATCH, DELETE, HEAD, OPTIONS")
    );
    let reply = app.get("partijen/not-a-uuid").await;
    assert_eq!(reply.status, 404);

    let reply = app.get("partijen/").await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(reply.header("api-version"), None);
}

#[tokio::test]
async fn content_negotiation_refuses_what_is_not_json() {
    let app = spawn_app().await;
    let reply = app
        .send(
            app.request(Method::POST, "partijen")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body("soortPartij=persoon&indicatieActief=true"),
        )
        .await;
    assert_eq!(reply.status, 415);
    assert_eq!(reply.json()["code"], "unsupported_media_type");
    assert_eq!(
        reply.json()["detail"],
        "Ongeldige media type \"application/x-www-form-urlencoded\" in aanvraag."
    );

    let reply = app
        .send(
            app.request(Method::GET, "partijen")
                .header("Accept", "application/xml"),
        )
        .await;
    assert_eq!(reply.status, 406);
    assert_eq!(reply.json()["code"], "not_acceptable");

    let reply = app
        .send(
            app.request(Method::POST, "partijen")
                .header("Content-Type", "application/json")
                .body("{\"soortPartij\": \"persoon\","),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["code"], "parse_error");
    assert!(reply.json().get("invalidParams").is_none());
}

#[tokio::test]
async fn methods_a_resource_does_not_take_are_405_and_options_answers() {
    let app = spawn_app().await;
    let reply = app.delete("partijen").await;
    assert_eq!(reply.status, 405);
    assert_eq!(
        reply.json()["detail"],
        "Methode \"DELETE\" niet toegestaan."
    );
    assert_eq!(reply.header("allow"), Some("GET, POST, HEAD, OPTIONS"));
    let partij = app.create("partijen", acceptance::organisatie("X")).await;
    let reply = app
        .send(app.request(Method::OPTIONS, partij["url"].as_str().unwrap()))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("allow"),
        Some("GET, PUT, PATCH, DELETE, HEAD, OPTIONS")
    );
}

#[tokio::test]
async fn unknown_and_snake_case_query_parameters_are_refused_on_list_and_detail() {
    let app = spawn_app().await;
    assert_eq!(app.get("partijen?soortPartij=persoon").await.status, 200);
    let reply = app.get("partijen?soort_partij=persoon").await;
    assert_eq!(reply.status, 400);
    let reply = app.get("partijen?invalid=1").await;
    assert_eq!(
        reply.json()["invalidParams"],
        json!([{"name": "nonFieldErrors", "code": "unknown-parameters", "reason": "Onbekende query parameters: invalid"}])
    );
    let partij = app.create("partijen", acceptance::organisatie("X")).await;
    let reply = app
        .get(&format!("{}?invalid=1", partij["url"].as_str().unwrap()))
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.header("api-version"), Some("0.9.0"));
}

#[tokio::test]
async fn lists_are_paginated_with_links_that_keep_the_other_parameters() {
    let app = spawn_app().await;
    for i in 0..12 {
        app.create("partijen", acceptance::organisatie(&format!("org {i}")))
            .await;
    }
    let reply = app.get("partijen?pageSize=5").await.json();
    assert_eq!(reply["count"], 12);
    assert_eq!(reply["results"].as_array().unwrap().len(), 5);
    assert_eq!(
        reply["next"],
        format!("{}{API}/partijen?page=2&pageSize=5", app.base)
    );
    assert_eq!(reply["previous"], serde_json::Value::Null);
    let page3 = app
        .get(
            reply["next"]
                .as_str()
                .unwrap()
                .replace("page=2", "page=3")
                .as_str(),
        )
        .await
        .json();
    assert_eq!(page3["results"].as_array().unwrap().len(), 2);
    assert_eq!(
        page3["previous"],
        format!("{}{API}/partijen?page=2&pageSize=5", app.base)
    );
    let past = app.get("partijen?page=4&pageSize=5").await;
    assert_eq!(past.status, 404);
    assert_eq!(past.json()["detail"], "Ongeldige pagina.");
    // A page whose offset no number holds is past the end too (PostgreSQL refuses a
    // negative OFFSET, which an overflowing one would be).
    for list in ["partijen", "actorklantcontacten", "klantcontacten"] {
        let far = app
            .get(&format!("{list}?page=144115188075855873&pageSize=100"))
            .await;
        assert_eq!(far.status, 404, "{list}");
        assert_eq!(far.json()["detail"], "Ongeldige pagina.");
    }
    // Newest first.
    assert_eq!(reply["results"][0]["partijIdentificatie"]["naam"], "org 11");
}

#[tokio::test]
async fn urls_follow_the_public_base_url_the_client_came_through() {
    let app = spawn_app().await;
    let reply = app
        .send(
            app.request(Method::POST, "partijen")
                .header("X-Forwarded-Host", "klantinteracties.example.nl")
                .header("X-Forwarded-Proto", "https")
                .json(&acceptance::organisatie("X")),
        )
        .await;
    assert_eq!(reply.status, 201);
    let url = reply.json()["url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with("https://klantinteracties.example.nl/klantinteracties/api/v1/partijen/"),
        "{url}"
    );
    assert_eq!(reply.header("location"), Some(url.as_str()));
}

#[tokio::test]
async fn the_health_endpoints_answer_without_a_token() {
    let app = spawn_app().await;
    let live = app.send(app.client.get(app.url("/_healthz/livez"))).await;
    assert_eq!(live.status, 200);
    let ready = app.send(app.client.get(app.url("/_healthz/readyz"))).await;
    assert_eq!(ready.status, 200);
    assert_eq!(ready.json()["databases"]["relatiebeheer"], "ok");
    let root = app
        .send(app.client.get(app.url("/klantinteracties/api/v1/")))
        .await;
    assert_eq!(root.status, 200);
    assert_eq!(
        root.json()["partijen"],
        format!("{}{API}/partijen", app.base)
    );
}

#[tokio::test]
async fn the_api_serves_its_openapi_documents_as_kept_in_schemas() {
    let app = spawn_app().await;
    let schemas = concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/");
    for (path, file, content_type) in [
        (
            "/klantinteracties/api/v1/openapi.json",
            "klantinteracties.json",
            "application/vnd.oai.openapi+json",
        ),
        (
            "/klantinteracties/api/v1/openapi.yaml",
            "klantinteracties.json",
            "application/vnd.oai.openapi",
        ),
        (
            "/contactgegevens/api/v1/openapi.json",
            "contactgegevens.json",
            "application/vnd.oai.openapi+json",
        ),
        (
            "/contactgegevens/api/v1/openapi.yaml",
            "contactgegevens.json",
            "application/vnd.oai.openapi",
        ),
    ] {
        // Open to all, like the reference.
        let served = app.send(app.client.get(app.url(path))).await;
        assert_eq!(served.status, 200, "{path}");
        assert_eq!(served.header("access-control-allow-origin"), Some("*"));
        assert_eq!(served.header("content-type"), Some(content_type), "{path}");
        let kept: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(format!("{schemas}{file}")).unwrap())
                .unwrap();
        let document: serde_json::Value = if path.ends_with(".yaml") {
            assert!(
                !served.text.trim_start().starts_with('{'),
                "{path} is JSON, not YAML"
            );
            serde_norway::from_str(&served.text).unwrap()
        } else {
            served.json()
        };
        assert!(document == kept, "{path} differs from schemas/{file}");
    }
    let page = app
        .send(app.client.get(app.url("/klantinteracties/api/v1/schema/")))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("/internetaken/{uuid}/audittrail"));
}

#[tokio::test]
async fn metrics_are_readable_by_prometheus_without_ids_in_their_labels() {
    // Scraped per process (each pod), not through the gateway.
    let app = acceptance::spawn_app_with(|_| {}).await;
    let partij = app.create("partijen", acceptance::persoon(None)).await;
    let uuid = partij["uuid"].as_str().unwrap();
    assert_eq!(app.get(&format!("partijen/{uuid}")).await.status, 200);
    let k = app
        .create(
            "klantcontacten",
            json!({"kanaal": "balie", "onderwerp": "x", "taal": "nld", "vertrouwelijk": false}),
        )
        .await;
    app.create("betrokkenen", json!({"hadKlantcontact": {"uuid": k["uuid"]}, "wasPartij": {"uuid": uuid}, "rol": "klant", "initiator": true}))
        .await;

    // Paths a client makes up where an id goes add no series.
    for made_up in ["niet-een-uuid", "x1", "x2"] {
        assert_eq!(app.get(&format!("partijen/{made_up}")).await.status, 404);
    }
    let reply = app.send(app.client.get(app.url("/metrics"))).await;
    assert_eq!(reply.status, 200);
    let text = reply.text;
    for expected in [
        "http_server_request_duration_seconds_count",
        "http_route=\"/klantinteracties/api/v1/partijen/{uuid}\"",
        "klantinteracties_event_delivery_lag_seconds_count",
        "subscriber=\"relatiebeheer\"",
        "klantinteracties_db_connections",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    assert!(!text.contains(uuid), "an id in a label");
    assert!(!text.contains("niet-een-uuid"), "a made-up path in a label");
}

#[tokio::test]
async fn browser_clients_from_allowed_origins_get_cors_headers_and_others_none() {
    let portal = "https://portaal.gemeente.nl";
    let app = acceptance::spawn_app_with(|s| s.cors_allowed_origins = vec![portal.into()]).await;
    // The preflight needs no token.
    let preflight = app
        .send(
            app.client
                .request(reqwest::Method::OPTIONS, app.url("partijen"))
                .header("Origin", portal)
                .header("Access-Control-Request-Method", "POST")
                .header(
                    "Access-Control-Request-Headers",
                    "authorization, content-type",
                ),
        )
        .await;
    assert_eq!(preflight.status, 200, "{}", preflight.text);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some(portal)
    );
    let listed = app
        .send(
            app.request(reqwest::Method::GET, "partijen")
                .header("Origin", portal),
        )
        .await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.header("access-control-allow-origin"), Some(portal));
    assert!(listed
        .header("access-control-expose-headers")
        .is_some_and(|h| h.to_ascii_lowercase().contains("api-version")));
    let elsewhere = app
        .send(
            app.request(reqwest::Method::GET, "partijen")
                .header("Origin", "https://elders.example"),
        )
        .await;
    assert_eq!(elsewhere.header("access-control-allow-origin"), None);

    // Off by default.
    let plain = spawn_app().await;
    let reply = plain
        .send(
            plain
                .request(reqwest::Method::GET, "partijen")
                .header("Origin", portal),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("access-control-allow-origin"), None);
}

/// A connection left idle for a while is still open: a gateway or a peer that keeps idle
/// connections (30 s) must never send on one the register is closing (that request fails).
#[tokio::test]
async fn an_idle_connection_stays_open_longer_than_actix_keeps_it_by_default() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app().await;
    let address = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!("GET /_healthz/livez HTTP/1.1\r\nHost: {address}\r\n\r\n");
    let mut answer = vec![0; 4096];
    for round in 0..2 {
        if round == 1 {
            // actix closes an idle connection after 5 s unless told otherwise.
            tokio::time::sleep(std::time::Duration::from_secs(6)).await;
        }
        stream.write_all(request.as_bytes()).await.unwrap();
        let read = stream.read(&mut answer).await.unwrap_or(0);
        let text = String::from_utf8_lossy(&answer[..read]);
        assert!(text.starts_with("HTTP/1.1 200"), "round {round}: {text:?}");
    }
}
