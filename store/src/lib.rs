//! Persistence for bouncedesk, on SQLite (embedded default) and PostgreSQL
//! (scale-out), behind one [`Store`].
//!
//! Queries are runtime queries (`query_as` + `FromRow`, `QueryBuilder`), so
//! one body of code serves both backends: the [`on_pool!`] macro expands a
//! query once per backend, and each backend's own SQL (connection settings,
//! migrations, the few dialect differences) lives in [`sqlite`] and
//! [`postgres`]. Rows are read into plain structs and parsed into the domain
//! types of the `bounce` crate before they leave this crate.

mod accounts;
mod audit;
mod backup;
mod campaigns;
mod charts;
mod contacts;
mod deadline;
mod error;
mod events;
mod follow_ups;
mod imports;
mod incidents;
mod ingest;
mod linking;
mod locks;
mod mailbox_claims;
mod passwords;
mod policies;
pub mod postgres;
mod selections;
mod sends;
mod settings;
pub mod sqlite;
mod staging;
mod suppressions;
#[cfg(feature = "testing")]
pub mod testing;
mod tokens;

pub use accounts::{NewSession, SESSION_IDLE, SESSION_LIFETIME};
pub use audit::NewAuditEntry;
pub use backup::check_backup;
pub use bounce::intake::UnlinkedResult;
pub use campaigns::NewCampaign;
pub use contacts::NewContact;
pub use deadline::{HEAVY_AT_ONCE, QUERY_DEADLINE};
pub use error::StoreError;
pub use events::NewEvent;
pub use follow_ups::{FollowUp, Pending};
pub use imports::ImportCounts;
pub use ingest::Ingested;
pub use mailbox_claims::MailboxClaim;
pub use sends::{NewSend, SendFailure};
pub use settings::{DemoClaim, DemoLoad, webhook_key_setting};
pub use staging::Staging;
pub use suppressions::{NewSuppression, SuppressionQuery};
pub use tokens::{ApiToken, NewToken, Scope, TOKEN_PREFIX};

/// The result type of every store call.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Sqlite,
    Postgres,
}

impl BackendKind {
    /// The backend a database URL names, or an error for any other scheme.
    pub fn of_url(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact(url)))
        }
    }
}

#[derive(Debug, Clone)]
enum Backend {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// A connection pool to the bouncedesk database. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    backend: Backend,
    /// Charts counted before, by the data version they were counted at.
    charts: std::sync::Arc<charts::Cache>,
}

/// Runs `$body` with `$pool` bound to the concrete pool of the store's
/// backend (and, in the longer forms, `$db` naming its sqlx database type and
/// `$search` that backend's text-search clause).
/// The body is compiled once per backend, so it may use sqlx's generic API
/// (`query_as`, `QueryBuilder::<$db>`) without repeating itself per backend.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.backend {
            $crate::Backend::Sqlite($pool) => $body,
            $crate::Backend::Postgres($pool) => $body,
        }
    };
    ($store:expr, $pool:ident, $db:ident, $search:ident => $body:expr) => {
        match &$store.backend {
            $crate::Backend::Sqlite($pool) => {
                #[allow(dead_code)]
                type $db = sqlx::Sqlite;
                use $crate::sqlite::push_text_search as $search;
                $body
            }
            $crate::Backend::Postgres($pool) => {
                #[allow(dead_code)]
                type $db = sqlx::Postgres;
                use $crate::postgres::push_text_search as $search;
                $body
            }
        }
    };
    ($store:expr, $pool:ident, $db:ident => $body:expr) => {
        match &$store.backend {
            $crate::Backend::Sqlite($pool) => {
                #[allow(dead_code)]
                type $db = sqlx::Sqlite;
                $body
            }
            $crate::Backend::Postgres($pool) => {
                #[allow(dead_code)]
                type $db = sqlx::Postgres;
                $body
            }
        }
    };
}
pub(crate) use on_pool;

/// Pushes ` (v1, v2, ...)` onto a `QueryBuilder`, every value bound: the
/// right-hand side of an `IN`.
macro_rules! push_in {
    ($b:expr, $values:expr) => {{
        $b.push(" (");
        let mut list = $b.separated(", ");
        for value in $values {
            list.push_bind(value.clone());
        }
        list.push_unseparated(")");
    }};
}
pub(crate) use push_in;

impl Store {
    /// Connects to `url` (`sqlite://path`, `sqlite::memory:`, `postgres://...`)
    /// and brings the schema up to date. A SQLite file and its folder are
    /// created when missing.
    pub async fn connect(url: &str) -> Result<Self> {
        let store = Self::connect_without_migrating(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without touching the schema (for `migrate` to report on).
    pub async fn connect_without_migrating(url: &str) -> Result<Self> {
        let backend = match BackendKind::of_url(url)? {
            BackendKind::Sqlite => Backend::Sqlite(sqlite::connect(url).await?),
            BackendKind::Postgres => Backend::Postgres(postgres::connect(url, None).await?),
        };
        Ok(Self::over(backend))
    }

    /// Wraps an existing PostgreSQL pool (tests use one schema per test).
    pub fn from_pg_pool(pool: sqlx::PgPool) -> Self {
        Self::over(Backend::Postgres(pool))
    }

    fn over(backend: Backend) -> Self {
        Self {
            backend,
            charts: std::sync::Arc::default(),
        }
    }

    /// Applies the migrations that have not run yet. Safe to run from several
    /// processes at once: PostgreSQL migrations take an advisory lock, SQLite
    /// ones a lock on a file beside the database.
    pub async fn migrate(&self) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(pool) => sqlite::migrate(pool).await?,
            Backend::Postgres(pool) => postgres::MIGRATOR.run(pool).await?,
        }
        self.refresh_typo_domains().await
    }

    /// Which database this store talks to.
    pub fn kind(&self) -> BackendKind {
        match self.backend {
            Backend::Sqlite(_) => BackendKind::Sqlite,
            Backend::Postgres(_) => BackendKind::Postgres,
        }
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// Refreshes the planner's statistics. Call after bulk loads: until
    /// autovacuum gets round to it, PostgreSQL plans a fresh million-row table
    /// as if it were empty (a text search then scans instead of using its index).
    pub async fn analyze(&self) -> Result<()> {
        // On PostgreSQL our tables by name, not the whole database: a bare
        // ANALYZE also visits other schemas' tables, and fails when one is
        // dropped meanwhile (the tests give each test a schema of its own).
        // SQLite's ANALYZE takes one name at most, and sees one file anyway.
        match &self.backend {
            Backend::Sqlite(pool) => {
                sqlx::query("ANALYZE").execute(pool).await?;
            }
            Backend::Postgres(pool) => {
                sqlx::query(
                    "ANALYZE campaigns, contacts, sends, delivery_events, suppressions, contact_history, \
                     incidents, campaign_totals",
                )
                .execute(pool)
                .await?;
            }
        }
        Ok(())
    }

    /// Closes every connection (waits for checked-out ones to come back).
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }

    /// Deletes every row of every table, keeping the schema: used before a
    /// demo data set is loaded again.
    pub async fn clear(&self) -> Result<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for table in [
                "campaign_totals",
                "delivery_events",
                "sends",
                "incidents",
                "suppressions",
                "contact_history",
                "selections",
                "contacts",
                "campaigns",
            ] {
                sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}

/// Hides the password in a database URL before it goes into a message.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Rows per multi-row INSERT: far below SQLite's 32,766 and PostgreSQL's
/// 65,535 bound parameters for the widest table (16 columns).
pub(crate) const INSERT_CHUNK: usize = 1_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(redact("sqlite://data/bouncedesk.db"), "sqlite://data/bouncedesk.db");
    }

    #[test]
    fn url_schemes_pick_the_backend() {
        assert_eq!(BackendKind::of_url("sqlite::memory:").ok(), Some(BackendKind::Sqlite));
        assert_eq!(
            BackendKind::of_url("postgresql://x/y").ok(),
            Some(BackendKind::Postgres)
        );
        assert!(BackendKind::of_url("mysql://x/y").is_err());
    }
}
