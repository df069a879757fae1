//! `bouncedesk mailbox` against a real IMAP server: the private Dovecot of
//! scripts/ensure-dovecot.sh, whose URL and CA `make test` puts in
//! TEST_IMAP_URL and TEST_IMAP_CA. Without them the test fails: a skipped
//! mailbox test is an untested mailbox reader.
//!
//! Both runs (SQLite, PostgreSQL) log in as the one test user at once, so
//! each works in folders of its own, removed at the end.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use async_imap::types::Flag;
use futures_util::TryStreamExt;
use server::import::Item;
use server::mailbox::{self, ImapUrl, MailboxOptions, Session};
use store::store_test;

/// The test server: its URL (with the password) and CA file.
fn test_server() -> (ImapUrl, String, Option<PathBuf>) {
    fn missing(name: &str) -> String {
        panic!(
            "{name} is not set: the mailbox tests read a real IMAP server. Run `make test`, \
             which starts one (scripts/ensure-dovecot.sh) and sets TEST_IMAP_URL and TEST_IMAP_CA"
        )
    }
    let raw = std::env::var("TEST_IMAP_URL").unwrap_or_else(|_| missing("TEST_IMAP_URL"));
    let ca = std::env::var("TEST_IMAP_CA").unwrap_or_else(|_| missing("TEST_IMAP_CA"));
    let url = mailbox::parse_url(&raw).unwrap_or_else(|why| panic!("TEST_IMAP_URL: {why}"));
    let password = url
        .password
        .clone()
        .expect("TEST_IMAP_URL holds the password (imaps://USER:PASSWORD@HOST:PORT)");
    // An empty CA: a server with a certificate from a public CA.
    let ca = (!ca.is_empty()).then(|| PathBuf::from(ca));
    (url, password, ca)
}

/// A folder name no other run uses.
fn unique_folder() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "bouncedesk-test-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The bounce messages of the fixtures, and one that cannot be read: the
/// Postfix bounce without its `Date:` header.
fn messages() -> Vec<(String, Vec<u8>)> {
    let dir = format!("{}/tests/fixtures/mailbox", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the mailbox fixtures")
        .map(|entry| entry.expect("a fixture").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
        .collect();
    files.sort();
    let mut messages: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|path| {
            let name = path.file_name().expect("a file name").to_string_lossy().into_owned();
            (name, std::fs::read(path).expect("a readable fixture"))
        })
        .collect();
    let postfix =
        std::fs::read_to_string(format!("{dir}/postfix-gebruiker-onbekend.eml")).expect("the Postfix fixture");
    let undated = postfix
        .replacen("Date: Mon, 30 Nov 2026 10:00:03 +0100 (CET)\n", "", 1)
        .replacen(
            "Message-Id: <20261130090003.4dKx3B1XcRz9t@",
            "Message-Id: <undated.4dKx3B1XcRz9t@",
            1,
        );
    assert_ne!(
        undated, postfix,
        "the Postfix fixture's Date line is where this test expects it"
    );
    messages.push(("undated".to_owned(), undated.into_bytes()));
    messages
}

/// The messages `folder` holds now (selecting it).
async fn count(session: &mut Session, folder: &str) -> usize {
    session.select(folder).await.expect("SELECT");
    session.uid_search("ALL").await.expect("UID SEARCH").len()
}

store_test!(a_mailbox_is_imported_and_its_messages_moved_never_deleted, |store| {
    let (url, password, ca) = test_server();
    let folder = unique_folder();
    let processed = format!("{folder}-processed");
    let messages = messages();

    // What importing the same files directly reads from them.
    let mut expected_results = 0;
    let mut unreadable = 0;
    for (name, bytes) in &messages {
        let items = server::import::mailbox::items(bytes);
        expected_results += items.iter().filter(|i| matches!(i, Ok(Item::Result(_)))).count() as u64;
        if items.iter().all(Result::is_err) {
            unreadable += 1;
            eprintln!("{name}: cannot be read, stays in the folder");
        }
    }
    let total = messages.len();
    assert!(expected_results > 0, "the fixtures hold delivery results");
    assert_eq!(unreadable, 1, "only the undated bounce cannot be read");

    let mut session = mailbox::connect(&url, &password, ca.as_deref())
        .await
        .expect("log in to the test IMAP server");
    session.create(&folder).await.expect("CREATE the test folder");
    for (name, bytes) in &messages {
        session
            .append(&folder, None, None, bytes)
            .await
            .unwrap_or_else(|e| panic!("APPEND {name}: {e}"));
    }

    let opts = MailboxOptions {
        processed_folder: processed.clone(),
        campaign: None,
        ca_file: ca.clone(),
    };
    let target = ImapUrl {
        folder: folder.clone(),
        ..url.clone()
    };

    let first = mailbox::poll_once(&store, &target, &password, &opts)
        .await
        .expect("first round");
    assert!(!first.skipped);
    assert_eq!(first.messages, total as u64);
    assert_eq!(first.import.stored, expected_results, "{:?}", first.import.rejects);
    assert_eq!(first.import.duplicates, 0);
    assert_eq!(first.left, unreadable);
    assert_eq!(first.moved, total as u64 - unreadable);
    assert!(first.import.rejected >= unreadable);
    assert!(
        first.import.rejects.iter().any(|r| r.contains("Date")),
        "the undated bounce is reported: {:?}",
        first.import.rejects
    );

    assert_eq!(
        count(&mut session, &folder).await as u64,
        unreadable,
        "only what cannot be read stays"
    );
    assert_eq!(count(&mut session, &processed).await as u64, total as u64 - unreadable);
    // Read with BODY.PEEK[]: nothing was marked as read.
    let flags: Vec<_> = session
        .uid_fetch("1:*", "FLAGS")
        .await
        .expect("UID FETCH FLAGS")
        .try_collect()
        .await
        .expect("the flags");
    assert!(
        flags.iter().all(|f| !f.flags().any(|flag| matches!(flag, Flag::Seen))),
        "no processed message is marked \\Seen"
    );

    let second = mailbox::poll_once(&store, &target, &password, &opts)
        .await
        .expect("second round");
    assert_eq!(second.import.stored, 0, "nothing new the second time");
    assert_eq!(second.messages, unreadable);
    assert_eq!(second.left, unreadable);
    assert_eq!(second.moved, 0);

    let left = count(&mut session, &folder).await;
    let moved = count(&mut session, &processed).await;
    assert_eq!(left + moved, total, "no message was deleted");

    session.select("INBOX").await.expect("SELECT INBOX");
    session.delete(&folder).await.expect("DELETE the test folder");
    session.delete(&processed).await.expect("DELETE the processed folder");
    session.logout().await.expect("LOGOUT");
});

store_test!(a_mailbox_is_read_by_one_server_at_a_time, |store, db| {
    let other = db.second_store().await;
    let key = format!("{}@127.0.0.1:993/INBOX", unique_folder());

    let claim = store.claim_mailbox(&key).await.expect("claim").expect("a free mailbox");
    assert!(
        other.claim_mailbox(&key).await.expect("claim").is_none(),
        "another server waits while it is held"
    );
    let elsewhere = other.claim_mailbox(&format!("{key}-2")).await.expect("claim");
    assert!(elsewhere.is_some(), "another mailbox is free");

    claim.release().await.expect("release");
    let again = other.claim_mailbox(&key).await.expect("claim");
    assert!(again.is_some(), "free once released");
    drop(again);

    // Dropped rather than released, the claim goes with its connection or
    // file (PostgreSQL notices the closed connection within moments).
    let dropped = store.claim_mailbox(&key).await.expect("claim").expect("free");
    drop(dropped);
    let mut retaken = None;
    for _ in 0..50 {
        retaken = other.claim_mailbox(&key).await.expect("claim");
        if retaken.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(retaken.is_some(), "free once dropped");
    drop(retaken);
    drop(elsewhere);
    other.close().await;
});
