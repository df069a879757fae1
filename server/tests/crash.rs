//! `kill -9` in the middle of `bouncedesk import`: every batch committed
//! before the kill is kept whole (none half-stored), and running the same
//! import again completes it with nothing stored twice. Killed after its
//! results are stored, during the incidents and policies that follow them,
//! the work left is done by the next server to start, each block recorded
//! once. The real binary, on SQLite and PostgreSQL.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use common::{bouncedesk, free_port, serve};
use server::import::BATCH;
use store::{NewCampaign, Store, store_test};

/// Results in the log: several batches, so the kill lands mid-way.
const RESULTS: usize = 5 * BATCH;

/// A Postfix log of `RESULTS` bounces, each its own message and recipient.
fn write_log(path: &std::path::Path) {
    let mut log = String::with_capacity(RESULTS * 300);
    for i in 0..RESULTS {
        let (h, m, s) = ((i / 3600) % 24, (i / 60) % 60, i % 60);
        log.push_str(&format!(
            "Nov 30 {h:02}:{m:02}:{s:02} mail1 postfix/smtp[4211]: {:X}: to=<lid{i}@ziggo.nl>, \
             relay=mx.ziggo.nl[212.54.42.8]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.1.1, status=bounced \
             (host mx.ziggo.nl[212.54.42.8] said: 550 5.1.1 <lid{i}@ziggo.nl>: Recipient address rejected: \
             User unknown in virtual mailbox table (in reply to RCPT TO command))\n",
            0x4F3A_0000_u64 + i as u64
        ));
    }
    std::fs::write(path, log).expect("the log is written");
}

fn import(url: &str, log: &std::path::Path) -> Command {
    let mut command = bouncedesk();
    command
        .args([
            "import",
            "--format",
            "postfix",
            "--campaign",
            "1",
            "--year",
            "2026",
            "--database-url",
            url,
        ])
        .arg(log)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// One number from the database, for what the store has no call for.
async fn scalar(store: &Store, sql: &str) -> i64 {
    store
        .bounded_scalar_for_tests(sql, Duration::from_secs(30))
        .await
        .expect("the count runs")
}

/// Blocks recorded, and the history lines that recorded them.
async fn blocks(store: &Store) -> (i64, i64) {
    (
        scalar(store, "SELECT COUNT(*) FROM suppressions").await,
        scalar(
            store,
            "SELECT COUNT(*) FROM contact_history WHERE action = 'suppressed'",
        )
        .await,
    )
}

/// The campaign every result of the log belongs to (id 1).
async fn campaign(store: &Store) -> i64 {
    store
        .insert_campaign(&NewCampaign {
            name: "Nieuwsbrief".into(),
            subject: "Nieuws".into(),
            from_domain: "news.example.nl".into(),
            sent_at: Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).single().expect("valid"),
        })
        .await
        .expect("campaign")
}

/// The campaign (id 1) and the log of `RESULTS` bounces, in a folder that
/// lives as long as the returned guard.
async fn arrange(store: &Store) -> (i64, tempfile::TempDir, std::path::PathBuf) {
    let id = campaign(store).await;
    assert_eq!(id, 1);
    let dir = tempfile::tempdir().expect("dir");
    let log = dir.path().join("maillog");
    write_log(&log);
    (id, dir, log)
}

store_test!(
    an_import_killed_mid_way_keeps_whole_batches_and_is_completed_by_running_it_again,
    |store, db| {
        let (id, _dir, log) = arrange(&store).await;
        let url = db.url();

        // The first run is killed (SIGKILL: no clean-up at all) once its first
        // batch is committed.
        let mut first = import(&url, &log).spawn().expect("bouncedesk runs");
        let started = Instant::now();
        let mut seen = 0;
        while seen == 0 && started.elapsed() < Duration::from_secs(120) {
            tokio::time::sleep(Duration::from_millis(20)).await;
            seen = store.event_count(None).await.expect("count");
        }
        first.kill().expect("kill -9");
        first.wait().expect("reaped");
        let kept = store.event_count(None).await.expect("count");
        let again = import(&url, &log).status().expect("bouncedesk runs again");
        let total = store.event_count(None).await.expect("count");

        assert!(seen > 0, "a batch was committed within two minutes");
        assert!(kept < RESULTS as i64, "killed before the end: {kept}");
        assert_eq!(kept % BATCH as i64, 0, "only whole batches are kept: {kept}");
        assert!(again.success());
        assert_eq!(total, RESULTS as i64, "completed, and nothing stored twice");
        let summary = store.campaign_summary(id).await.expect("summary").expect("campaign");
        assert_eq!(summary.sent, RESULTS as i64);
        assert_eq!(summary.hard, RESULTS as i64);
        assert_eq!(
            blocks(&store).await,
            (RESULTS as i64, RESULTS as i64),
            "each address blocked once"
        );
    }
);

store_test!(
    an_import_killed_during_its_policy_run_is_finished_by_the_next_server_with_no_block_twice,
    |store, db| {
        let (_, _dir, log) = arrange(&store).await;
        let url = db.url();

        // Killed once every result is stored: the incidents and policies
        // that follow them (50,000 contacts) are under way.
        let mut first = import(&url, &log).spawn().expect("bouncedesk runs");
        let started = Instant::now();
        let mut stored = 0;
        while stored < RESULTS as i64 && started.elapsed() < Duration::from_secs(120) {
            tokio::time::sleep(Duration::from_millis(10)).await;
            stored = store.event_count(None).await.expect("count");
        }
        first.kill().expect("kill -9");
        first.wait().expect("reaped");
        let (blocked_at_kill, _) = blocks(&store).await;
        let noted_at_kill = scalar(&store, "SELECT COUNT(*) FROM pending_policies").await;
        // A server starting on the database does the noted work in its
        // first background round.
        let mut server = serve(&url, free_port())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("bouncedesk serves");
        let started = Instant::now();
        let mut noted = noted_at_kill;
        while noted > 0 && started.elapsed() < Duration::from_secs(120) {
            tokio::time::sleep(Duration::from_millis(100)).await;
            noted = scalar(&store, "SELECT COUNT(*) FROM pending_policies").await;
        }
        server.kill().expect("the server stops");
        server.wait().expect("reaped");

        assert_eq!(stored, RESULTS as i64, "every result was stored before the kill");
        assert!(
            blocked_at_kill < RESULTS as i64 && noted_at_kill > 0,
            "the kill landed before the policies were done: {blocked_at_kill} blocks, {noted_at_kill} noted"
        );
        assert_eq!(noted, 0, "the server did the noted work");
        assert_eq!(
            blocks(&store).await,
            (RESULTS as i64, RESULTS as i64),
            "each address blocked once"
        );
        assert_eq!(scalar(&store, "SELECT COUNT(*) FROM pending_incidents").await, 0);
    }
);
