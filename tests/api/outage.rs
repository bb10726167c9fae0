//! The database goes away under load and comes back: the registers answer 503 (never 500)
//! meanwhile, lose no acknowledged write, and serve normally again within 2 s, without a
//! restart. On PostgreSQL through a proxy that drops or stalls every connection; on SQLite with
//! a database file locked by another process.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use acceptance::proxy::{Mode, Proxy};
use acceptance::{persoon, spawn_app_with, TestApp};
use serde_json::json;

const SERVICE_TOKEN: &str = "0123456789abcdef0123456789abcdef01234567";

fn free_address() -> String {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .to_string()
}

/// What one request of the load got, with when it was sent and answered (since the start).
#[derive(Debug, Clone)]
struct Answer {
    what: &'static str,
    sent: Duration,
    took: Duration,
    status: u16,
}

/// The three registers on PostgreSQL, each with its databases (tokens included) behind `proxy`.
async fn registers_behind(proxy: &Proxy, server: &str) -> (TestApp, TestApp, TestApp) {
    let (rb, kc, kt) = (free_address(), free_address(), free_address());
    let through = |s: &mut klantinteracties::Settings| {
        for url in [
            &mut s.database.relatiebeheer,
            &mut s.database.klantcontacten,
            &mut s.database.klanttaak,
            &mut s.database.auth,
        ] {
            *url = url.as_ref().map(|u| u.replace(server, &proxy.address));
        }
        s.peers.relatiebeheer = Some(format!("http://{rb}"));
        s.peers.klantcontacten = Some(format!("http://{kc}"));
        s.peers.klanttaak = Some(format!("http://{kt}"));
        s.service_token = Some(SERVICE_TOKEN.into());
        s.statement_timeout_seconds = 1;
    };
    let spawn = |register: &'static str, bind: String| {
        spawn_app_with(move |s| {
            through(s);
            s.register = Some(register.into());
            s.bind = bind;
        })
    };
    (
        spawn("relatiebeheer", rb.clone()).await,
        spawn("klantcontacten", kc.clone()).await,
        spawn("klanttaak", kt.clone()).await,
    )
}

/// Writes from 8 clients until `stop`: a partij, a klantcontact and a betrokkene of it.
async fn load(
    relatiebeheer: Arc<TestApp>,
    klantcontacten: Arc<TestApp>,
    started: Instant,
    stop: Duration,
    answers: Arc<Mutex<Vec<Answer>>>,
    acknowledged: Arc<Mutex<Vec<(String, String)>>>,
) {
    let mut clients = Vec::new();
    for _ in 0..8 {
        let (rb, kc) = (Arc::clone(&relatiebeheer), Arc::clone(&klantcontacten));
        let (answers, acknowledged) = (Arc::clone(&answers), Arc::clone(&acknowledged));
        clients.push(tokio::spawn(async move {
            let timed = |what: &'static str, sent: Duration, status: u16| {
                let took = started.elapsed() - sent;
                answers.lock().unwrap().push(Answer { what, sent, took, status });
            };
            while started.elapsed() < stop {
                let sent = started.elapsed();
                let reply = rb.post("partijen", persoon(None)).await;
                timed("partij", sent, reply.status);
                if reply.status != 201 {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
                let partij = reply.json()["uuid"].as_str().unwrap().to_owned();
                acknowledged.lock().unwrap().push(("partijen".into(), partij.clone()));
                let sent = started.elapsed();
                let reply = kc
                    .post("klantcontacten", json!({"kanaal": "telefoon", "onderwerp": "storing", "taal": "nld", "vertrouwelijk": false}))
                    .await;
                timed("klantcontact", sent, reply.status);
                if reply.status != 201 {
                    continue;
                }
                let k = reply.json()["uuid"].as_str().unwrap().to_owned();
                acknowledged.lock().unwrap().push(("klantcontacten".into(), k.clone()));
                let sent = started.elapsed();
                let reply = kc
                    .post("betrokkenen", json!({"hadKlantcontact": {"uuid": k}, "wasPartij": {"uuid": partij}, "rol": "klant", "initiator": true}))
                    .await;
                timed("betrokkene", sent, reply.status);
                if reply.status == 201 {
                    let b = reply.json()["uuid"].as_str().unwrap().to_owned();
                    acknowledged.lock().unwrap().push((format!("betrokkene:{partij}"), b));
                }
            }
        }));
    }
    for client in clients {
        client.await.unwrap();
    }
}

async fn outage_on_postgresql(mode: Mode) {
    let Ok(admin) = std::env::var("TEST_DATABASE_URL") else {
        eprintln!("outage on PostgreSQL: TEST_DATABASE_URL not set, nothing to take away");
        return;
    };
    let server = admin
        .split('@')
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_owned();
    let proxy = Proxy::start(&server).await;
    let (relatiebeheer, klantcontacten, _klanttaak) = registers_behind(&proxy, &server).await;
    let (relatiebeheer, klantcontacten) = (Arc::new(relatiebeheer), Arc::new(klantcontacten));

    let started = Instant::now();
    let (down_at, back_at, stop) = (
        Duration::from_millis(1500),
        Duration::from_millis(4500),
        Duration::from_millis(8500),
    );
    let answers = Arc::new(Mutex::new(Vec::new()));
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let writes = tokio::spawn(load(
        Arc::clone(&relatiebeheer),
        Arc::clone(&klantcontacten),
        started,
        stop,
        Arc::clone(&answers),
        Arc::clone(&acknowledged),
    ));
    tokio::time::sleep(down_at).await;
    proxy.set(mode);
    // While it is down, the readiness probe says so, in time.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let probe = Instant::now();
    let ready = relatiebeheer.get("/_healthz/readyz").await;
    let probe = probe.elapsed();
    assert_eq!(ready.status, 503, "{}", ready.text);
    assert!(probe < Duration::from_secs(1), "readyz took {probe:?}");
    let live = relatiebeheer.get("/_healthz/livez").await;
    assert_eq!(live.status, 200);
    tokio::time::sleep(back_at.saturating_sub(started.elapsed())).await;
    proxy.set(Mode::Pass);
    writes.await.unwrap();

    let answers = answers.lock().unwrap().clone();
    let errors: Vec<&Answer> = answers
        .iter()
        .filter(|a| a.status >= 500 && a.status != 503)
        .collect();
    assert!(
        errors.is_empty(),
        "server errors other than 503: {errors:?}"
    );
    let unavailable: Vec<&Answer> = answers.iter().filter(|a| a.status == 503).collect();
    assert!(
        !unavailable.is_empty(),
        "no 503 while the database was away"
    );
    let first_503 = unavailable.iter().map(|a| a.sent + a.took).min().unwrap();
    // Every request sent 2 s after the database was back was answered normally.
    let late: Vec<&Answer> = answers
        .iter()
        .filter(|a| a.sent > back_at + Duration::from_secs(2) && a.status != 201)
        .collect();
    assert!(
        late.is_empty(),
        "not recovered 2 s after the database was back: {late:?}"
    );
    let recovered = answers
        .iter()
        .filter(|a| a.sent >= back_at && a.status == 201)
        .map(|a| a.sent + a.took)
        .min()
        .expect("no write succeeded after the database was back");
    let slowest = answers.iter().map(|a| a.took).max().unwrap();
    let per_kind: Vec<String> = ["partij", "klantcontact", "betrokkene"]
        .iter()
        .map(|kind| {
            let n = unavailable.iter().filter(|a| a.what == *kind).count();
            format!("{kind} {n}")
        })
        .collect();
    eprintln!(
        "outage ({mode:?}): {} requests, {} answered 503 ({}); first 503 {:?} after the database \
         went, first success {:?} after it was back; slowest answer {:?}",
        answers.len(),
        unavailable.len(),
        per_kind.join(", "),
        first_503.saturating_sub(down_at),
        recovered.saturating_sub(back_at),
        slowest,
    );

    // Nothing acknowledged is lost, and relatiebeheer's read model has every betrokkene.
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() > 20, "too little load: {acknowledged:?}");
    for (resource, uuid) in &acknowledged {
        let (app, path) = match resource.split_once(':') {
            Some(_) => (&klantcontacten, format!("betrokkenen/{uuid}")),
            None if resource == "partijen" => (&relatiebeheer, format!("partijen/{uuid}")),
            None => (&klantcontacten, format!("{resource}/{uuid}")),
        };
        let reply = app.get(&path).await;
        assert_eq!(
            reply.status, 200,
            "acknowledged {path} is gone: {}",
            reply.text
        );
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    for (resource, betrokkene) in &acknowledged {
        let Some(("betrokkene", partij)) = resource.split_once(':') else {
            continue;
        };
        loop {
            let shown = relatiebeheer
                .get(&format!("partijen/{partij}"))
                .await
                .json();
            let listed = shown["betrokkenen"]
                .as_array()
                .is_some_and(|l| l.iter().any(|b| b["uuid"] == betrokkene.as_str()));
            if listed {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "read model incomplete for {partij}: {shown}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    assert_eq!(relatiebeheer.get("/_healthz/readyz").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgresql_dropping_every_connection_gives_503_and_recovery_without_restart() {
    outage_on_postgresql(Mode::Drop).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgresql_stalling_every_connection_gives_503_in_time_and_recovery() {
    outage_on_postgresql(Mode::Stall).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_sqlite_file_gives_503_and_writes_resume_when_it_is_free() {
    let app = spawn_app_with(|s| {
        // SQLite files, whatever the test run's database.
        s.database = Default::default();
        s.statement_timeout_seconds = 1;
    })
    .await;
    let before = app.create("partijen", persoon(None)).await;
    let file = app
        .settings
        .database_url(reference::Register::Relatiebeheer);
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        use diesel::connection::SimpleConnection;
        let mut conn = platform::db::establish(&file).unwrap();
        conn.batch_execute("BEGIN EXCLUSIVE").unwrap();
        locked_tx.send(()).unwrap();
        std::thread::sleep(Duration::from_secs(3));
        conn.batch_execute("COMMIT").unwrap();
    });
    locked_rx.recv().unwrap();
    let sent = Instant::now();
    let refused = app.post("partijen", persoon(None)).await;
    assert_eq!(refused.status, 503, "{}", refused.text);
    assert_eq!(refused.json()["code"], "service_unavailable");
    assert!(refused.header("retry-after").is_some());
    assert!(
        sent.elapsed() < Duration::from_secs(3),
        "{:?}",
        sent.elapsed()
    );
    // Reads go on meanwhile (WAL).
    assert_eq!(app.get(before["url"].as_str().unwrap()).await.status, 200);
    holder.join().unwrap();
    let started = Instant::now();
    loop {
        let reply = app.post("partijen", persoon(None)).await;
        if reply.status == 201 {
            break;
        }
        assert_eq!(reply.status, 503, "{}", reply.text);
        assert!(
            started.elapsed() < Duration::from_secs(12),
            "writes did not resume"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
