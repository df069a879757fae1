//! Everything specific to SQLite: connection settings and migrations.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::Result;

/// The SQLite migrations, embedded at compile time.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

/// Runs [`MIGRATOR`] under an exclusive lock on `DATABASE-migrate.lock`.
///
/// sqlx takes no lock on SQLite: two processes starting on one empty file
/// both read "nothing applied", and the second fails with "table already
/// exists" when it runs the first migration after the other did. Holding an
/// OS file lock for the whole run makes the second wait, then find every
/// migration applied. The lock ends with the process, so a crash leaves none.
pub async fn migrate(pool: &sqlx::SqlitePool) -> Result<()> {
    let file = pool.connect_options().get_filename().to_path_buf();
    if file.as_os_str().is_empty() || file.to_string_lossy().contains(":memory:") {
        MIGRATOR.run(pool).await?;
        return Ok(());
    }
    let mut lock_path = file.into_os_string();
    lock_path.push("-migrate.lock");
    let lock = tokio::task::spawn_blocking(move || -> std::io::Result<std::fs::File> {
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)?;
        lock.lock()?;
        Ok(lock)
    })
    .await
    .map_err(std::io::Error::other)??;
    let ran = MIGRATOR.run(pool).await;
    drop(lock);
    Ok(ran?)
}

/// Opens (creating when missing) a SQLite database.
///
/// WAL lets the dashboard read while an import writes; `synchronous=NORMAL`
/// is durable across application crashes in WAL mode and much faster than
/// FULL; foreign keys are off by default in SQLite and must be switched on.
pub async fn connect(url: &str) -> Result<sqlx::SqlitePool> {
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    connect_with(SqliteConnectOptions::from_str(url)?, in_memory).await
}

/// [`connect`] with options already parsed (a staging database reuses the
/// main one's).
pub(crate) async fn connect_with(options: SqliteConnectOptions, in_memory: bool) -> Result<sqlx::SqlitePool> {
    let options = options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .pragma("cache_size", "-65536")
        .pragma("temp_store", "memory");
    let in_memory = in_memory || options.get_filename().as_os_str().is_empty();
    if !in_memory && let Some(parent) = options.get_filename().parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    // An in-memory database exists once per connection: keep exactly one.
    let max = if in_memory { 1 } else { 8 };
    let pool_options = SqlitePoolOptions::new()
        .max_connections(max)
        .min_connections(if in_memory { 1 } else { 0 })
        .idle_timeout(if in_memory {
            None
        } else {
            Some(Duration::from_secs(600))
        })
        .max_lifetime(if in_memory {
            None
        } else {
            Some(Duration::from_secs(1800))
        });
    // Two processes opening a new file at once: switching it to WAL needs a
    // lock that SQLite refuses with SQLITE_BUSY (code 5) without waiting
    // for the busy timeout. The other process is done within milliseconds.
    let mut tries = 0;
    loop {
        match pool_options.clone().connect_with(options.clone()).await {
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("5") && tries < 100 => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            other => return Ok(other?),
        }
    }
}

/// Index matches from which a search term counts as common (see
/// [`note_common_terms`]).
const COMMON_MATCHES: i64 = 2_000;
/// Terms remembered as common, at most this many (then forgotten at once).
const COMMON_REMEMBERED: usize = 1_000;

/// Search terms known to match many rows, lower-cased.
static COMMON_TERMS: std::sync::LazyLock<std::sync::Mutex<std::collections::HashSet<String>>> =
    std::sync::LazyLock::new(Default::default);

/// Looks up, once per term, whether a search term is common: its trigram
/// index matches reach [`COMMON_MATCHES`] rows (counted no further). SQLite
/// answers `id IN (trigram matches)` by gathering every match first, which
/// for a common word ("mailbox": a third of all rows) takes a second; such a
/// term is better found by reading the campaign's rows newest first, where
/// its matches are dense and the page fills after a few hundred rows.
pub(crate) async fn note_common_terms(pool: &sqlx::SqlitePool, needle: &str) -> Result<()> {
    let key = needle.to_lowercase();
    if needle.chars().count() < 3 || COMMON_TERMS.lock().map(|t| t.contains(&key)).unwrap_or(true) {
        return Ok(());
    }
    let phrase = format!("\"{}\"", needle.replace('"', "\"\""));
    let matches: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM delivery_events_search WHERE delivery_events_search MATCH $1 LIMIT $2)",
    )
    .bind(phrase)
    .bind(COMMON_MATCHES)
    .fetch_one(pool)
    .await?;
    if matches >= COMMON_MATCHES
        && let Ok(mut terms) = COMMON_TERMS.lock()
    {
        if terms.len() >= COMMON_REMEMBERED {
            terms.clear();
        }
        terms.insert(key);
    }
    Ok(())
}

/// Narrows a query on `delivery_events e` to rows whose diagnostic text
/// contains `needle`, case-insensitively. Rare terms of three characters or
/// more go through the trigram index (`delivery_events_search`); shorter
/// needles cannot, and common ones are faster without it (see
/// [`note_common_terms`]): those use LIKE over the campaign's rows.
pub(crate) fn push_text_search(b: &mut sqlx::QueryBuilder<sqlx::Sqlite>, needle: &str) {
    let common = COMMON_TERMS
        .lock()
        .map(|t| t.contains(&needle.to_lowercase()))
        .unwrap_or(false);
    if needle.chars().count() >= 3 && !common {
        // An FTS5 phrase: double quotes inside are doubled, nothing else is special.
        let phrase = format!("\"{}\"", needle.replace('"', "\"\""));
        b.push(" AND e.id IN (SELECT rowid FROM delivery_events_search WHERE delivery_events_search MATCH ")
            .push_bind(phrase)
            .push(")");
    } else {
        b.push(" AND e.diagnostic LIKE ")
            .push_bind(crate::events::like_pattern(needle))
            .push(" ESCAPE '\\'");
    }
}

/// The start of an event's hour, as RFC 3339 text (the timeline's buckets).
pub(crate) const HOUR_BUCKET: &str = "strftime('%Y-%m-%dT%H:00:00Z', e.occurred_at)";
/// The start of an event's day (UTC), as RFC 3339 text.
pub(crate) const DAY_BUCKET: &str = "strftime('%Y-%m-%dT00:00:00Z', e.occurred_at)";
