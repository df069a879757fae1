//! The process's life: starting several at once on one new database, and
//! stopping on SIGTERM the way systemd, Docker and Kubernetes stop services.
//! The real binary, as an operator runs it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bouncedesk() -> Command {
    Command::new(env!("CARGO_BIN_EXE_bouncedesk"))
}

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

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
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
    let mut server = bouncedesk()
        .args([
            "serve",
            "--no-demo",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &url,
        ])
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
