//! One trace for a request that crosses registers: klantcontacten checks a betrokkene's partij
//! in relatiebeheer, two applications meeting over HTTP, and the spans of both land in one trace
//! (here in an in-memory exporter, as an OTLP collector would get them).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use klantinteracties::{Application, Settings};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};

use common::free_port;

const SERVICE_TOKEN: &str = "7ace7ace7ace7ace7ace7ace7ace7ace7ace7ace";

/// One register alone, knowing where the others are; returns its base URL and a token.
fn start(dir: &std::path::Path, register: &str, bind: &str, peers: [&str; 2]) -> (String, String) {
    let mut settings = Settings::embedded(dir);
    settings.register = Some(register.into());
    settings.bind = bind.into();
    settings.peers.relatiebeheer = Some(format!("http://{}", peers[0]));
    settings.peers.klantcontacten = Some(format!("http://{}", peers[1]));
    settings.service_token = Some(SERVICE_TOKEN.into());
    let app = Application::build(&settings).unwrap();
    tokio::spawn(app.run_until_stopped());
    let token = platform::db::Db::connect(&settings.auth_database_url().unwrap(), 1)
        .run_blocking(|conn| platform::auth::create_token(conn, "tracing", "test"))
        .unwrap();
    (format!("http://{bind}/klantinteracties/api/v1"), token)
}

#[tokio::test]
async fn a_request_that_crosses_registers_is_one_trace() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    platform::telemetry::init_with(platform::telemetry::LogFormat::Json, "info", Some(provider));

    let (rb, kc) = (
        format!("127.0.0.1:{}", free_port()),
        format!("127.0.0.1:{}", free_port()),
    );
    let (rb_dir, kc_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (relatiebeheer, rb_token) = start(rb_dir.path(), "relatiebeheer", &rb, [&rb, &kc]);
    let (klantcontacten, kc_token) = start(kc_dir.path(), "klantcontacten", &kc, [&rb, &kc]);
    let client = reqwest::Client::new();
    let post = |base: &str, token: &str, path: &str, body: serde_json::Value| {
        client
            .post(format!("{base}/{path}"))
            .header("Authorization", format!("Token {token}"))
            .json(&body)
            .send()
    };
    let partij: serde_json::Value = post(
        &relatiebeheer,
        &rb_token,
        "partijen",
        serde_json::json!({"soortPartij": "persoon", "indicatieActief": true}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let contact: serde_json::Value = post(&klantcontacten, &kc_token, "klantcontacten", serde_json::json!({"kanaal": "telefoon", "onderwerp": "x", "taal": "nld", "vertrouwelijk": false}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    // The client starts the trace; klantcontacten asks relatiebeheer whether the partij exists.
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let created = client
        .post(format!("{klantcontacten}/betrokkenen"))
        .header("Authorization", format!("Token {kc_token}"))
        .header("traceparent", format!("00-{trace_id}-00f067aa0ba902b7-01"))
        .json(&serde_json::json!({"hadKlantcontact": {"uuid": contact["uuid"]}, "wasPartij": {"uuid": partij["uuid"]}, "rol": "klant", "initiator": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);

    // The partij is checked with one call for every reference the body makes there.
    let check_path = "/_internal/exists-relatiebeheer".to_owned();
    let started = Instant::now();
    let (outer, inner) = loop {
        let spans = exporter.get_finished_spans().unwrap();
        // Server spans are named by method and route (ids replaced).
        let find = |name: String| spans.iter().find(|s| s.name == name).cloned();
        let outer = find("POST /klantinteracties/api/v1/betrokkenen".into());
        let inner = find(format!("POST {check_path}"));
        match (outer, inner) {
            (Some(outer), Some(inner)) => break (outer, inner),
            _ if started.elapsed() > Duration::from_secs(5) => panic!("spans missing: {spans:#?}"),
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    };
    // Both registers' spans are in the client's trace, relatiebeheer's under klantcontacten's.
    assert_eq!(outer.span_context.trace_id().to_string(), trace_id);
    assert_eq!(inner.span_context.trace_id().to_string(), trace_id);
    assert_eq!(outer.parent_span_id.to_string(), "00f067aa0ba902b7");
    assert_eq!(inner.parent_span_id, outer.span_context.span_id());
    // The path itself is an attribute of the span, not its name.
    let path = inner
        .attributes
        .iter()
        .find(|kv| kv.key.as_str() == "http.path")
        .map(|kv| kv.value.to_string());
    assert_eq!(path, Some(check_path));
    // The database work is in the trace too.
    let spans = exporter.get_finished_spans().unwrap();
    assert!(spans.iter().any(|s| s.name == "db.transaction"
        && s.span_context.trace_id() == outer.span_context.trace_id()));
}
