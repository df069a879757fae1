//! `bouncedesk classify` as a user runs it: the real binary on real files.

use std::io::Write;
use std::process::{Command, Stdio};

/// The crate folder at run time (cargo sets it for tests); a compile-time
/// `env!` path goes stale when the shared target folder serves another clone.
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from("."))
}

/// The project's own bounce messages (written from each MTA's documented
/// format), so these tests run on any clone.
fn messages() -> std::path::PathBuf {
    manifest_dir().join("tests/fixtures/mailbox")
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> (String, bool) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bouncedesk"))
        .arg("classify")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    if let Some(bytes) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(bytes)
            .expect("write stdin");
    }
    drop(child.stdin.take());
    let output = child.wait_with_output().expect("the binary finishes");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        output.status.success(),
    )
}

fn lines(output: &str) -> Vec<serde_json::Value> {
    output
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[test]
fn a_folder_gives_one_line_per_recipient_in_a_stable_order() {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::create_dir_all(dir.path().join("postfix")).expect("folder");
    for (from, to) in [
        ("postfix-gebruiker-onbekend.eml", "postfix/a.eml"),
        ("exim-benutzer-unbekannt.eml", "b.eml"),
        ("afwezig.eml", "c.eml"),
    ] {
        std::fs::copy(messages().join(from), dir.path().join(to)).expect("copy a fixture");
    }
    std::fs::write(dir.path().join("d.txt"), "just some notes, not an email").expect("write");
    // Paths compare part by part: "a/z.txt" comes before "a-b.txt", though
    // '-' sorts before '/' as a byte.
    std::fs::create_dir_all(dir.path().join("a")).expect("folder");
    std::fs::write(dir.path().join("a/z.txt"), "notes").expect("write");
    std::fs::write(dir.path().join("a-b.txt"), "notes").expect("write");
    let folder = dir.path().to_string_lossy().into_owned();

    let (first, ok) = run(&[&folder], None);
    let (second, _) = run(&[&folder], None);

    assert!(ok);
    assert_eq!(first, second, "the output order is deterministic");
    let lines = lines(&first);
    let files: Vec<&str> = lines.iter().filter_map(|l| l["file"].as_str()).collect();
    let mut order = files.clone();
    order.dedup();
    assert_eq!(
        order,
        ["a/z.txt", "a-b.txt", "b.eml", "c.eml", "d.txt", "postfix/a.eml"],
        "files are read in sorted order, labelled relative to the folder"
    );
    let noise = lines
        .iter()
        .find(|l| l["file"] == "d.txt")
        .expect("a line for the text file");
    assert!(noise["error"].as_str().is_some_and(|e| !e.is_empty()));
    let bounce = lines
        .iter()
        .find(|l| l["file"] == "postfix/a.eml")
        .expect("the postfix bounce");
    for field in [
        "recipient",
        "reason",
        "class",
        "stage",
        "reply_code",
        "status",
        "diagnostic",
        "remote_mta",
        "action",
        "category",
    ] {
        assert!(bounce.get(field).is_some(), "field {field} missing");
    }
    let vacation = lines.iter().find(|l| l["file"] == "c.eml").expect("the auto-reply");
    assert_eq!(
        (vacation["reason"].as_str(), vacation["class"].as_str()),
        (Some("vacation"), Some("none"))
    );
}

#[test]
fn standard_input_and_missing_files() {
    let dsn = std::fs::read(messages().join("postfix-gebruiker-onbekend.eml")).expect("read");

    let (from_stdin, ok) = run(&["-"], Some(&dsn));
    let (missing, _) = run(&["/no/such/file.eml"], None);

    assert!(ok);
    let stdin_lines = lines(&from_stdin);
    assert!(!stdin_lines.is_empty());
    assert!(
        stdin_lines
            .iter()
            .all(|l| l["file"] == "-" && l["recipient"].is_string())
    );
    let missing = lines(&missing);
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0]["file"], "/no/such/file.eml");
    assert!(missing[0]["error"].is_string());
}

#[test]
fn an_mbox_is_read_message_by_message() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut mbox = Vec::new();
    for name in ["postfix-gebruiker-onbekend.eml", "exim-benutzer-unbekannt.eml"] {
        mbox.extend_from_slice(b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n");
        mbox.extend_from_slice(&std::fs::read(messages().join(name)).expect("read"));
        mbox.push(b'\n');
    }
    let path = dir.path().join("bounces.mbox");
    std::fs::write(&path, &mbox).expect("write");

    let (output, ok) = run(&[&path.to_string_lossy()], None);

    assert!(ok);
    let messages: Vec<u64> = lines(&output).iter().filter_map(|l| l["message"].as_u64()).collect();
    assert!(messages.contains(&1) && messages.contains(&2), "{output}");
}

#[test]
fn a_file_over_the_stream_limit_is_read_message_by_message_in_its_place() {
    // Arrange: a small file, an mbox above the limit, another small file.
    let dir = tempfile::tempdir().expect("temporary folder");
    let bounce = std::fs::read(messages().join("postfix-gebruiker-onbekend.eml")).expect("a fixture");
    let mut mbox = Vec::new();
    for _ in 0..40 {
        mbox.extend_from_slice(b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n");
        mbox.extend_from_slice(&bounce);
        mbox.push(b'\n');
    }
    std::fs::write(dir.path().join("a.eml"), &bounce).expect("write");
    std::fs::write(dir.path().join("b.mbox"), &mbox).expect("write");
    std::fs::write(dir.path().join("c.eml"), &bounce).expect("write");
    let limit = (bounce.len() * 2).to_string();
    let path = dir.path().to_string_lossy().into_owned();

    // Act
    let (streamed, ok) = run(&["--stream-above", &limit, &path], None);
    let (whole, whole_ok) = run(&[&path], None);

    // Assert: the same lines either way, the mbox's in its place and numbered.
    assert!(ok && whole_ok);
    assert_eq!(streamed, whole);
    let files: Vec<String> = lines(&streamed)
        .iter()
        .map(|l| format!("{}#{}", l["file"].as_str().unwrap_or(""), l["message"]))
        .collect();
    assert_eq!(files.first().map(String::as_str), Some("a.eml#null"));
    assert_eq!(files.last().map(String::as_str), Some("c.eml#null"));
    assert_eq!(files.iter().filter(|f| f.starts_with("b.mbox#")).count(), 40);
    assert_eq!(files[1], "b.mbox#1");
    assert_eq!(files[40], "b.mbox#40");
}

#[test]
fn a_message_over_the_cap_on_standard_input_is_refused_and_the_next_is_read() {
    // Arrange: an mbox on standard input whose first message is over the
    // size cap (never held whole: it is measured and skipped).
    let mut mbox = b"From MAILER-DAEMON Mon Nov 30 10:00:00 2026\n".to_vec();
    mbox.extend(bounce::message::hostile::larger_than(
        bounce::message::MAX_MESSAGE_BYTES + 1,
    ));
    mbox.extend_from_slice(b"From MAILER-DAEMON Mon Nov 30 10:00:01 2026\n");
    mbox.extend(std::fs::read(messages().join("postfix-gebruiker-onbekend.eml")).expect("a fixture"));

    // Act
    let (output, ok) = run(&["-"], Some(&mbox));

    // Assert
    assert!(ok);
    let lines = lines(&output);
    assert_eq!(lines[0]["message"], 1);
    assert!(
        lines[0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("over the 33554432")),
        "{}",
        lines[0]
    );
    assert!(
        lines[1..]
            .iter()
            .all(|l| l["message"] == 2 && l["recipient"].is_string()),
        "{output}"
    );
    assert!(lines.len() > 1);
}

#[test]
fn a_message_naming_too_many_recipients_gets_its_records_and_an_error_line() {
    let (output, ok) = run(&["-"], Some(&bounce::message::hostile::dsn_groups(1_500)));

    assert!(ok);
    let lines = lines(&output);
    assert_eq!(
        lines.iter().filter(|l| l["recipient"].is_string()).count(),
        bounce::message::MAX_RECIPIENTS
    );
    let last = lines.last().expect("lines");
    assert!(
        last["error"].as_str().is_some_and(|e| e.contains("1500 recipients")),
        "{last}"
    );
}
