//! Everything specific to SQLite: connection settings and migrations.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::Result;

/// The SQLite migrations, embedded at compile time.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

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
    let pool = SqlitePoolOptions::new()
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
        })
        .connect_with(options)
        .await?;
    Ok(pool)
}

/// Narrows a query on `delivery_events e` to rows whose diagnostic text
/// contains `needle`, case-insensitively. Three characters or more go through
/// the trigram index (`delivery_events_search`); shorter needles cannot, and
/// fall back to LIKE, which scans the campaign's rows.
pub(crate) fn push_text_search(b: &mut sqlx::QueryBuilder<sqlx::Sqlite>, needle: &str) {
    if needle.chars().count() >= 3 {
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
