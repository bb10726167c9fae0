//! The binary as operators and scripts use it: tokens created for a data dir work against
//! `serve` on that dir, and a read model is rebuilt beside it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Command, Output};
use std::time::Duration;

use common::{free_port, printed_token, Process};

const BIN: &str = env!("CARGO_BIN_EXE_klantinteracties");

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("KLANTINTERACTIES_LOG_LEVEL", "warn")
        .output()
        .unwrap()
}

fn get(port: u16, path: &str, token: Option<&str>) -> Option<u16> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    let auth = token
        .map(|t| format!("Authorization: Token {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Connection: close\r\n\r\n"
    )
    .ok()?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply).ok()?;
    reply.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_token_created_for_a_data_dir_works_against_serve_on_that_dir_until_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();

    let migrate = run(&["migrate", "--data-dir", data]);
    assert!(migrate.status.success(), "{migrate:?}");

    let created = run(&[
        "token",
        "create",
        "--identifier",
        "portaal",
        "--application",
        "Open Inwoner",
        "--data-dir",
        data,
    ]);
    assert!(created.status.success(), "{created:?}");
    let token = printed_token(&created);
    assert_eq!(token.len(), 40, "{created:?}");
    assert!(token.chars().all(|c| c.is_ascii_hexdigit()));

    // Only the hash is stored: the token itself appears nowhere in the database file.
    let stored = std::fs::read(dir.path().join("auth.sqlite")).unwrap();
    assert!(!stored.windows(token.len()).any(|w| w == token.as_bytes()));

    let again = run(&[
        "token",
        "create",
        "--identifier",
        "portaal",
        "--data-dir",
        data,
    ]);
    assert!(!again.status.success());

    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let _server = Process(
        Command::new(BIN)
            .args(["serve", "--bind", &bind, "--data-dir", data])
            .env("KLANTINTERACTIES_LOG_LEVEL", "warn")
            .spawn()
            .unwrap(),
    );
    let mut ready = false;
    for _ in 0..100 {
        if get(port, "/_healthz/readyz", None) == Some(200) {
            ready = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(ready, "the server did not become ready");
    assert_eq!(
        get(port, "/klantinteracties/api/v1/partijen", Some(&token)),
        Some(200)
    );
    assert_eq!(
        get(port, "/klantinteracties/api/v1/partijen", None),
        Some(401)
    );

    assert_eq!(
        get(port, "/klantinteracties/api/v1/internetaken", Some(&token)),
        Some(200)
    );

    // A token for one team, limited to reading one register.
    let scoped = run(&[
        "token",
        "create",
        "--identifier",
        "team-taken",
        "--scope",
        "klanttaak:read",
        "--data-dir",
        data,
    ]);
    assert!(scoped.status.success(), "{scoped:?}");
    let team = printed_token(&scoped);
    assert_eq!(
        get(port, "/klantinteracties/api/v1/internetaken", Some(&team)),
        Some(200)
    );
    assert_eq!(
        get(port, "/klantinteracties/api/v1/partijen", Some(&team)),
        Some(403)
    );
    let wrong = run(&[
        "token",
        "create",
        "--identifier",
        "x",
        "--scope",
        "taken:lezen",
        "--data-dir",
        data,
    ]);
    assert!(!wrong.status.success());
    let listed = String::from_utf8(run(&["token", "list", "--data-dir", data]).stdout).unwrap();
    assert!(listed.contains("team-taken\t\tcreated"), "{listed}");
    assert!(listed.contains("klanttaak:read"), "{listed}");

    // A read model is rebuilt while the registers serve.
    let resync = run(&["resync", "internetaken", "--data-dir", data]);
    assert!(resync.status.success(), "{resync:?}");
    let said = String::from_utf8(resync.stdout).unwrap();
    assert!(said.starts_with("internetaken: 0 objects"), "{said}");
    let unknown = run(&["resync", "taken", "--data-dir", data]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8(unknown.stderr)
        .unwrap()
        .contains("betrokkenen, digitaleadressen, internetaken"));

    let revoked = run(&[
        "token",
        "revoke",
        "--identifier",
        "portaal",
        "--data-dir",
        data,
    ]);
    assert!(revoked.status.success(), "{revoked:?}");
    let listed = String::from_utf8(run(&["token", "list", "--data-dir", data]).stdout).unwrap();
    assert!(listed.contains("portaal\tOpen Inwoner"), "{listed}");
    assert!(listed.contains("revoked"), "{listed}");
    assert!(!listed.contains(&token));
}
