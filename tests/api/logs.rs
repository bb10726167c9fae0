//! Logs never hold a BSN: not from a query string, not from a body, not from the error of a
//! call to another register that carried it. (Audit records keep them: they are data.)

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use acceptance::{bsn, bsn_identificator, persoon, spawn_app, spawn_app_with};
use serde_json::json;

/// Everything logged in this test binary, as JSON lines.
fn captured() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    Arc::clone(LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&logs);
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(move || Capture(Arc::clone(&sink)))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one subscriber per binary");
        logs
    }))
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_bsn_reaches_the_logs() {
    let logs = captured();
    let bsn = bsn(5001);
    let app = spawn_app().await;
    app.create("partijen", persoon(Some(&bsn))).await;
    let duplicate = app.post("partijen", persoon(Some(&bsn))).await;
    assert_eq!(duplicate.status, 400);
    let found = app
        .get(&format!("partijen?partijIdentificator__codeSoortObjectId=bsn&partijIdentificator__objectId={bsn}"))
        .await;
    assert_eq!(found.json()["count"], 1);
    let bad = app
        .post(
            "partij-identificatoren",
            json!({"partijIdentificator": bsn_identificator("123456789")}),
        )
        .await;
    assert_eq!(bad.status, 400);

    // A filter that klantcontacten must ask relatiebeheer, which is down: the failed call
    // carried the BSN in its URL.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let alone = spawn_app_with(|s| {
        s.register = Some("klantcontacten".into());
        s.peers.relatiebeheer = Some(format!("http://{closed}"));
    })
    .await;
    let refused = alone
        .get(&format!(
            "klantcontacten?hadBetrokkene__wasPartij__partijIdentificator__objectId={bsn}"
        ))
        .await;
    assert_eq!(refused.status, 503);
    assert!(!refused.text.contains(&bsn), "{}", refused.text);

    let text = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    // The calls were logged ...
    assert!(
        text.contains("\"http.path\":\"/klantinteracties/api/v1/partijen\""),
        "{text}"
    );
    assert!(text.contains("api.unavailable"), "{text}");
    // ... without the BSN, nor the invalid one.
    assert!(!text.contains(&bsn), "a BSN in the logs");
    assert!(
        !text.contains("123456789"),
        "an identifier value in the logs"
    );
}
