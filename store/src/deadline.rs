//! Queries a visitor shapes (the Errors tab's filters and searches) run
//! under a deadline and a limit on how many run at once, so that a search
//! that must scan cannot hold the database for long, and sixteen of them
//! cannot take every connection from the other pages.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sqlx::Transaction;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{Result, StoreError};

/// The longest one such query may run: under the 30 s request timeout, so
/// the query stops (and frees its connection) before the request gives up.
pub const QUERY_DEADLINE: Duration = Duration::from_secs(20);

/// How many queries that may scan (see `ErrorFilter::may_scan`) run at once
/// in one process; the rest wait. SQLite's pool has 8 connections and
/// PostgreSQL's 16: half or more stay free for every other page, the Errors
/// tab's indexed filters included.
pub const HEAVY_AT_ONCE: usize = 4;

static HEAVY: std::sync::LazyLock<Arc<Semaphore>> =
    std::sync::LazyLock::new(|| Arc::new(Semaphore::new(HEAVY_AT_ONCE)));

/// A read transaction whose statements stop at the deadline.
pub(crate) struct Bounded<DB: sqlx::Database> {
    pub tx: Transaction<'static, DB>,
    /// While set, the SQLite progress handler interrupts past the deadline;
    /// cleared on drop, so a connection back in the pool is never
    /// interrupted by an old deadline (even when the request was cancelled).
    active: Option<Arc<AtomicBool>>,
    _permit: Option<OwnedSemaphorePermit>,
}

impl<DB: sqlx::Database> Drop for Bounded<DB> {
    fn drop(&mut self) {
        if let Some(active) = &self.active {
            active.store(false, Ordering::Relaxed);
        }
    }
}

/// A place among the [`HEAVY_AT_ONCE`] queries that may scan; none is
/// needed (and none waited for) by a query an index narrows.
async fn permit(may_scan: bool) -> Result<Option<OwnedSemaphorePermit>> {
    if !may_scan {
        return Ok(None);
    }
    HEAVY
        .clone()
        .acquire_owned()
        .await
        .map(Some)
        .map_err(|_| StoreError::Location(std::io::Error::other("the query limiter is closed")))
}

/// Starts a bounded read on SQLite: a progress handler (every 10,000
/// virtual-machine steps, a few microseconds) interrupts the statement once
/// the deadline has passed.
pub(crate) async fn sqlite(pool: &sqlx::SqlitePool, limit: Duration, may_scan: bool) -> Result<Bounded<sqlx::Sqlite>> {
    let permit = permit(may_scan).await?;
    let mut tx = pool.begin().await?;
    let active = Arc::new(AtomicBool::new(true));
    let flag = active.clone();
    let deadline = Instant::now() + limit;
    tx.lock_handle().await?.set_progress_handler(10_000, move || {
        !flag.load(Ordering::Relaxed) || Instant::now() < deadline
    });
    Ok(Bounded {
        tx,
        active: Some(active),
        _permit: permit,
    })
}

/// Starts a bounded read on PostgreSQL: `statement_timeout` for this
/// transaction only (`SET LOCAL`), so imports and loads are not limited.
pub(crate) async fn postgres(pool: &sqlx::PgPool, limit: Duration, may_scan: bool) -> Result<Bounded<sqlx::Postgres>> {
    let permit = permit(may_scan).await?;
    let mut tx = pool.begin().await?;
    let ms = limit.as_millis().max(1);
    sqlx::query(sqlx::AssertSqlSafe(format!("SET LOCAL statement_timeout = {ms}")))
        .execute(&mut *tx)
        .await?;
    Ok(Bounded {
        tx,
        active: None,
        _permit: permit,
    })
}

/// A query stopped at its deadline is [`StoreError::TooSlow`]; anything
/// else stays a database error. (SQLite: SQLITE_INTERRUPT, code 9;
/// PostgreSQL: query_canceled, 57014.)
pub(crate) fn or_too_slow(e: sqlx::Error) -> StoreError {
    let stopped = e
        .as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|code| code == "9" || code == "57014");
    if stopped {
        StoreError::TooSlow
    } else {
        StoreError::Database(e)
    }
}

/// [`sqlite`] or [`postgres`], by the pool at hand (so one query body
/// serves both backends).
pub(crate) trait BoundedRead {
    type Db: sqlx::Database;
    /// A bounded read; `may_scan` (see `ErrorFilter::may_scan`) also takes
    /// one of the places of the queries that may scan.
    fn bounded(&self, may_scan: bool) -> impl Future<Output = Result<Bounded<Self::Db>>> + Send;
}

impl BoundedRead for sqlx::SqlitePool {
    type Db = sqlx::Sqlite;
    fn bounded(&self, may_scan: bool) -> impl Future<Output = Result<Bounded<sqlx::Sqlite>>> + Send {
        sqlite(self, QUERY_DEADLINE, may_scan)
    }
}

impl BoundedRead for sqlx::PgPool {
    type Db = sqlx::Postgres;
    fn bounded(&self, may_scan: bool) -> impl Future<Output = Result<Bounded<sqlx::Postgres>>> + Send {
        postgres(self, QUERY_DEADLINE, may_scan)
    }
}

impl crate::Store {
    /// Runs `sql` (a query returning one integer) the way the Errors tab's
    /// queries run, but stopped after `limit`: for tests of the deadline.
    #[cfg(feature = "testing")]
    pub async fn bounded_scalar_for_tests(&self, sql: &str, limit: Duration) -> Result<i64> {
        match &self.backend {
            crate::Backend::Sqlite(pool) => {
                let mut read = sqlite(pool, limit, true).await?;
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
                    .fetch_one(&mut *read.tx)
                    .await
                    .map_err(or_too_slow)
            }
            crate::Backend::Postgres(pool) => {
                let mut read = postgres(pool, limit, true).await?;
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
                    .fetch_one(&mut *read.tx)
                    .await
                    .map_err(or_too_slow)
            }
        }
    }
}
