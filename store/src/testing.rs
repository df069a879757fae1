//! Fresh, isolated databases for tests, on both backends.
//!
//! SQLite tests get a file in their own temporary folder. PostgreSQL tests
//! get their own schema in the database `TEST_DATABASE_URL` names, dropped
//! when the test finishes, so parallel tests and repeated runs never see each
//! other's rows. There is no fallback: a store test that cannot reach
//! PostgreSQL fails, because a skipped backend is an untested backend.

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::Executor;

use crate::Store;

/// A store for one test, and what it takes to clean it up.
#[derive(Debug)]
pub struct TestDb {
    pub store: Store,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    Sqlite(tempfile::TempDir),
    Postgres { url: String, schema: String },
}

impl TestDb {
    /// A migrated, empty SQLite database in a temporary folder.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary folder for a test database");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let store = Store::connect(&url)
            .await
            .expect("SQLite test database opens and migrates");
        Self {
            store,
            cleanup: Cleanup::Sqlite(dir),
        }
    }

    /// A migrated, empty schema of its own in the PostgreSQL test database.
    pub async fn postgres() -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let url = std::env::var("TEST_DATABASE_URL").expect(
            "TEST_DATABASE_URL is not set: store tests run on PostgreSQL too. \
             `make test` starts a local server and sets it",
        );
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let schema = format!(
            "t_{}_{}_{}",
            std::process::id(),
            nanos,
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let admin = sqlx::PgPool::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {}: {e}", crate::redact(&url)));
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA \"{schema}\"")))
            .await
            .expect("create the test schema");
        admin.close().await;
        let pool = crate::postgres::connect(&url, Some(&schema))
            .await
            .expect("connect inside the test schema");
        let store = Store::from_pg_pool(pool);
        store.migrate().await.expect("PostgreSQL test schema migrates");
        Self {
            store,
            cleanup: Cleanup::Postgres { url, schema },
        }
    }

    /// A URL of this database that another process (the `bouncedesk`
    /// binary) can connect with: on PostgreSQL the test's schema goes in
    /// the connection's `search_path`.
    pub fn url(&self) -> String {
        match &self.cleanup {
            Cleanup::Sqlite(dir) => format!("sqlite://{}", dir.path().join("test.db").display()),
            Cleanup::Postgres { url, schema } => {
                let join = if url.contains('?') { '&' } else { '?' };
                format!("{url}{join}options=-c%20search_path%3D{schema}")
            }
        }
    }

    /// A second, independent connection pool to the same database: what
    /// another server sharing it would have.
    pub async fn second_store(&self) -> Store {
        match &self.cleanup {
            Cleanup::Sqlite(dir) => {
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                Store::connect(&url).await.expect("second SQLite connection")
            }
            Cleanup::Postgres { url, schema } => Store::from_pg_pool(
                crate::postgres::connect(url, Some(schema))
                    .await
                    .expect("second connection inside the test schema"),
            ),
        }
    }

    /// Closes the store and removes what the test created.
    pub async fn finish(self) {
        self.store.close().await;
        if let Cleanup::Postgres { url, schema } = self.cleanup
            && let Ok(admin) = sqlx::PgPool::connect(&url).await
        {
            // The staging copy too, when a test left one (see `Store::staging`).
            for name in [schema.clone(), format!("{schema}_staging")] {
                let _ = admin
                    .execute(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE")))
                    .await;
            }
            admin.close().await;
        }
    }
}

/// Writes a test once and runs it on both backends:
///
/// ```ignore
/// store_test!(finds_nothing_in_an_empty_database, |store| {
///     assert_eq!(store.campaign_count().await.expect("count"), 0);
/// });
/// ```
///
/// expands to a module with a `sqlite` and a `postgres` test.
#[macro_export]
macro_rules! store_test {
    ($name:ident, |$store:ident, $db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $db = $crate::testing::TestDb::sqlite().await;
                let $store = $db.store.clone();
                $body
                $db.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let $db = $crate::testing::TestDb::postgres().await;
                let $store = $db.store.clone();
                $body
                $db.finish().await;
            }
        }
    };
    ($name:ident, |$store:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::testing::TestDb::sqlite().await;
                let $store = db.store.clone();
                $body
                db.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let db = $crate::testing::TestDb::postgres().await;
                let $store = db.store.clone();
                $body
                db.finish().await;
            }
        }
    };
}
