//! `kill -9` in the middle of `bouncedesk import`: every batch committed
//! before the kill is kept whole (none half-stored), and running the same
//! import again completes it with nothing stored twice. Killed after its
//! results are stored, during the incidents and policies that follow them,
//! the work left is done by the next server to start, each block recorded
//! once. The real binary, on SQLite and PostgreSQL.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{bouncedesk, campaign, free_port, postfix_log, serve};
use server::import::BATCH;
use store::{Store, store_test};

/// Results in the log: several batches, so the kill lands mid-way.
const RESULTS: usize = 5 * BATCH;

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

/// Reads `value` every `every` until `done` holds of it or two minutes
/// pass; its last reading.
async fn poll<F, Fut>(every: Duration, mut value: F, done: impl Fn(i64) -> bool) -> i64
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = i64>,
{
    let started = Instant::now();
    loop {
        tokio::time::sleep(every).await;
        let now = value().await;
        if done(now) || started.elapsed() >= Duration::from_secs(120) {
            return now;
        }
    }
}

/// The campaign (id 1) and the log of `RESULTS` bounces, in a folder that
/// lives as long as the returned guard.
async fn arrange(store: &Store) -> (i64, tempfile::TempDir, std::path::PathBuf) {
    let id = campaign(store).await;
    assert_eq!(id, 1);
    let dir = tempfile::tempdir().expect("dir");
    let log = dir.path().join("maillog");
    std::fs::write(&log, postfix_log(RESULTS)).expect("the log is written");
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
        let count = || async { store.event_count(None).await.expect("count") };
        let seen = poll(Duration::from_millis(20), count, |n| n > 0).await;
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
        let count = || async { store.event_count(None).await.expect("count") };
        let stored = poll(Duration::from_millis(10), count, |n| n >= RESULTS as i64).await;
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
        let notes = || scalar(&store, "SELECT COUNT(*) FROM pending_policies");
        let noted = poll(Duration::from_millis(100), notes, |n| n == 0).await;
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
