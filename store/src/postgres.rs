//! Everything specific to PostgreSQL: connection settings and migrations.

use std::str::FromStr;
use std::time::Duration;

use sqlx::Executor;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::Result;

/// The PostgreSQL migrations, embedded at compile time.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// Connects to PostgreSQL. With `schema`, every connection works inside that
/// schema (tests give each test its own, so runs never see each other's rows).
pub async fn connect(url: &str, schema: Option<&str>) -> Result<sqlx::PgPool> {
    connect_with(PgConnectOptions::from_str(url)?, schema).await
}

/// [`connect`] with options already parsed (a staging pool reuses the main
/// pool's).
pub(crate) async fn connect_with(options: PgConnectOptions, schema: Option<&str>) -> Result<sqlx::PgPool> {
    // Custom plans for every execution: the Errors tab's filters differ wildly
    // in selectivity (a status prefix may match most rows or none; a search
    // term may be in every text or none), and the generic plan PostgreSQL
    // switches to after five executions guesses badly for both. Planning
    // costs a fraction of a millisecond; a bad plan costs seconds.
    let options = options
        .application_name("bouncedesk")
        .options([("plan_cache_mode", "force_custom_plan")]);
    let mut pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(15));
    if let Some(schema) = schema {
        let set_path = format!("SET search_path TO \"{}\"", schema.replace('"', ""));
        pool = pool.after_connect(move |conn, _meta| {
            let set_path = set_path.clone();
            Box::pin(async move {
                conn.execute(sqlx::AssertSqlSafe(set_path)).await?;
                Ok(())
            })
        });
    }
    Ok(pool.connect_with(options).await?)
}

/// Narrows a query on `delivery_events e` to rows whose diagnostic text
/// contains `needle`, case-insensitively; the trigram GIN index serves it.
pub(crate) fn push_text_search(b: &mut sqlx::QueryBuilder<sqlx::Postgres>, needle: &str) {
    b.push(" AND e.diagnostic ILIKE ")
        .push_bind(crate::events::like_pattern(needle))
        .push(" ESCAPE '\\'");
}

/// The start of an event's hour, as RFC 3339 text (the timeline's buckets).
pub(crate) const HOUR_BUCKET: &str =
    "to_char(date_trunc('hour', e.occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD\"T\"HH24\":00:00Z\"')";
/// The start of an event's day (UTC), as RFC 3339 text.
pub(crate) const DAY_BUCKET: &str =
    "to_char(date_trunc('day', e.occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD\"T00:00:00Z\"')";
