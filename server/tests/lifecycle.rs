//! The process's life: starting several at once on one new database, and
//! stopping on SIGTERM the way systemd, Docker and Kubernetes stop services.
//! The real binary, as an operator runs it.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{bouncedesk, free_port, postfix_log, serve};

#[test]
fn two_processes_starting_on_one_empty_sqlite_database_both_migrate_it() {
    for round in 0..5 {
        // Arrange: a database file that does not exist yet.
        let dir = tempfile::tempdir().expect("dir");
        let url = format!("sqlite://{}", dir.path().join("new.db").display());

        // Act: both start at once.
        let started: Vec<_> = (0..2)
            .map(|_| {
                bouncedesk()
                    .args(["migrate", "--database-url", &url])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("bouncedesk runs")
            })
            .collect();
        let outputs: Vec<_> = started
            .into_iter()
            .map(|c| c.wait_with_output().expect("exits"))
            .collect();

        // Assert
        for out in outputs {
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

/// A plain HTTP/1.0 GET; `None` while nothing listens.
fn http_get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n").ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    Some(answer)
}

#[test]
fn sigterm_stops_the_server_cleanly_and_the_log_can_be_json() {
    // Arrange: a server on a new database, logging JSON.
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("serve.db").display());
    let port = free_port();
    let mut server = serve(&url, port)
        .env("BOUNCEDESK_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bouncedesk serves");
    let started = Instant::now();
    let mut ready = None;
    while ready.is_none() && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(50));
        ready = http_get(port, "/readyz");
    }
    let ready = ready.expect("the server answers within a minute");
    assert!(
        ready.starts_with("HTTP/1.0 200") || ready.starts_with("HTTP/1.1 200"),
        "{ready}"
    );

    // Act: what `systemctl stop` or `docker stop` sends.
    let term = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(term.success());
    let stopping = Instant::now();
    let status = loop {
        if let Some(status) = server.try_wait().expect("waits") {
            break status;
        }
        assert!(
            stopping.elapsed() < Duration::from_secs(30),
            "still running 30 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };

    // Assert: a clean exit, said in the log, whose every line is JSON.
    let mut log = String::new();
    server
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut log)
        .expect("log");
    assert!(status.success(), "exit {status:?}: {log}");
    assert!(log.contains("SIGTERM"), "{log}");
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    }
}

async fn events_in(url: &str) -> i64 {
    let store = store::Store::connect(url).await.expect("opens");
    let n = store.event_count(None).await.expect("count");
    store.close().await;
    n
}

#[tokio::test]
async fn a_backup_taken_during_an_import_restores_to_a_consistent_database() {
    // Arrange: a database with demo data, and an import writing into it.
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("live.db").display());
    let demo = bouncedesk()
        .args(["demo", "--campaigns", "2", "--contacts", "300", "--database-url", &url])
        .output()
        .expect("demo runs");
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    let before = events_in(&url).await;
    let log = dir.path().join("maillog");
    std::fs::write(&log, postfix_log(20_000)).expect("log");
    let mut import = bouncedesk()
        .args([
            "import",
            "--format",
            "postfix",
            "--year",
            "2026",
            "--database-url",
            &url,
        ])
        .arg(&log)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("import runs");
    let copy = dir.path().join("copy.db");

    // Act: back up while it writes, then restore the copy elsewhere.
    let backup = bouncedesk()
        .args(["backup", "--database-url", &url])
        .arg(&copy)
        .output()
        .expect("backup runs");
    let imported = import.wait().expect("import ends");
    let restored_url = format!("sqlite://{}", dir.path().join("restored.db").display());
    let restore = bouncedesk()
        .args(["restore", "--database-url", &restored_url])
        .arg(&copy)
        .output()
        .expect("restore runs");

    // Assert: both worked, and the copy holds a state the database was in.
    assert!(backup.status.success(), "{}", String::from_utf8_lossy(&backup.stderr));
    assert!(imported.success());
    assert!(restore.status.success(), "{}", String::from_utf8_lossy(&restore.stderr));
    let after = events_in(&url).await;
    let restored = events_in(&restored_url).await;
    assert_eq!(after, before + 20_000);
    assert!(
        (before..=after).contains(&restored),
        "{before} <= {restored} <= {after}"
    );
    assert_eq!(
        (restored - before) % server::import::BATCH as i64,
        0,
        "whole batches only"
    );
}

#[tokio::test]
async fn restoring_over_a_database_needs_replace_and_keeps_the_old_one() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("live.db").display());
    let made = bouncedesk()
        .args(["demo", "--campaigns", "1", "--contacts", "100", "--database-url", &url])
        .output()
        .expect("demo");
    assert!(made.status.success());
    let copy = dir.path().join("copy.db");
    assert!(
        bouncedesk()
            .args(["backup", "--database-url", &url])
            .arg(&copy)
            .status()
            .expect("runs")
            .success()
    );
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"SQLite format 3\0 but not really").expect("junk");

    let refused = bouncedesk()
        .args(["restore", "--database-url", &url])
        .arg(&copy)
        .output()
        .expect("runs");
    let bad = bouncedesk()
        .args(["restore", "--replace", "--database-url", &url])
        .arg(&junk)
        .output()
        .expect("runs");
    let replaced = bouncedesk()
        .args(["restore", "--replace", "--database-url", &url])
        .arg(&copy)
        .output()
        .expect("runs");

    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--replace"));
    assert!(!bad.status.success(), "a broken file is not restored");
    assert!(
        replaced.status.success(),
        "{}",
        String::from_utf8_lossy(&replaced.stderr)
    );
    let kept = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .any(|e| e.file_name().to_string_lossy().starts_with("live.db.before-restore-"));
    assert!(kept, "the replaced database is kept");
    assert!(events_in(&url).await > 0);
}
