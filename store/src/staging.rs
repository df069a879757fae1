//! A staging copy of the database: a large load (the demo data set) is
//! written there, through the ordinary store calls, and then adopted into
//! the real tables in one transaction. A load killed half-way therefore
//! leaves the real tables as they were, and readers never see half a data
//! set.
//!
//! On SQLite the copy is a file next to the database, attached for the
//! adoption; on PostgreSQL it is a schema next to the one in use. Either is
//! dropped when adopted, and dropped and made again by the next load when a
//! killed one left it behind. An in-memory SQLite database (which no other
//! process sees and which dies with this one) is loaded in place.

use std::path::PathBuf;

use crate::settings::{DEMO, mark_loaded_sql};
use crate::{Backend, Result, Store, on_pool};

/// The tables that hold data, parents before children: adopted in this
/// order, deleted in the reverse. `campaign_totals` is left out: the
/// triggers on `campaigns` and `sends` rebuild it as the rows arrive, so it
/// equals a recount by construction. `settings` stays as it is.
const DATA_TABLES: [&str; 8] = [
    "campaigns",
    "contacts",
    "selections",
    "contact_history",
    "suppressions",
    "incidents",
    "sends",
    "delivery_events",
];

/// The copy itself, in one transaction on `$conn`: marks the demo loaded
/// (or finds another server did, and stops), deletes the data rows, inserts
/// the staging schema's, and sets the sequences past the copied ids
/// (PostgreSQL; SQLite's rowids need nothing). A macro rather than a
/// function generic over the database: sqlx has no generic `rows_affected`.
macro_rules! copy_rows {
    ($conn:expr, $from:expr, $overriding:expr, $claimed:expr) => {{
        use sqlx::Connection;
        let mut tx = $conn.begin().await?;
        let marked = sqlx::query(mark_loaded_sql($claimed))
            .bind(DEMO)
            .execute(&mut *tx)
            .await?;
        if marked.rows_affected() == 0 {
            tx.rollback().await?;
            false
        } else {
            sqlx::query("DELETE FROM campaign_totals").execute(&mut *tx).await?;
            for table in DATA_TABLES.iter().rev() {
                sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
                    .execute(&mut *tx)
                    .await?;
            }
            for table in DATA_TABLES {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO {table}{} SELECT * FROM {}.{table}",
                    $overriding, $from
                )))
                .execute(&mut *tx)
                .await?;
                if !$overriding.is_empty() {
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) \
                         FROM {table}"
                    )))
                    .execute(&mut *tx)
                    .await?;
                }
            }
            tx.commit().await?;
            true
        }
    }};
}

/// An empty, migrated copy of the schema to load into; see the module docs.
#[derive(Debug)]
pub struct Staging {
    store: Store,
    place: Place,
}

#[derive(Debug)]
enum Place {
    /// An attached file next to the SQLite database.
    File(PathBuf),
    /// A schema of this name next to the PostgreSQL one in use.
    Schema(String),
    /// The database itself (in-memory SQLite).
    Itself,
}

impl Staging {
    /// The store to load into.
    pub fn store(&self) -> &Store {
        &self.store
    }
}

impl Store {
    /// Makes an empty staging copy of this database (removing one a killed
    /// load left behind), with this database's suppression policy, so a load
    /// into it applies the same rules.
    pub async fn staging(&self) -> Result<Staging> {
        let policy = self.policy().await?;
        let staging = match &self.backend {
            Backend::Sqlite(pool) => {
                let file: String = sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
                    .fetch_one(pool)
                    .await?;
                if file.is_empty() {
                    self.clear().await?;
                    Staging {
                        store: self.clone(),
                        place: Place::Itself,
                    }
                } else {
                    let path = PathBuf::from(format!("{file}.staging"));
                    remove_sqlite_files(&path)?;
                    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&path);
                    let store = Store::over(Backend::Sqlite(crate::sqlite::connect_with(options, false).await?));
                    Staging {
                        store,
                        place: Place::File(path),
                    }
                }
            }
            Backend::Postgres(pool) => {
                let current: String = sqlx::query_scalar("SELECT current_schema()").fetch_one(pool).await?;
                let schema = format!("{current}_staging");
                let quoted = quote(&schema);
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {quoted} CASCADE")))
                    .execute(pool)
                    .await?;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {quoted}")))
                    .execute(pool)
                    .await?;
                let options = (*pool.connect_options()).clone();
                let store = Store::over(Backend::Postgres(
                    crate::postgres::connect_with(options, Some(&schema)).await?,
                ));
                Staging {
                    store,
                    place: Place::Schema(schema),
                }
            }
        };
        if !matches!(staging.place, Place::Itself) {
            staging.store.migrate().await?;
        }
        staging.store.set_policy(&policy).await?;
        Ok(staging)
    }

    /// Replaces every data row of this database by the staging copy's, in
    /// one transaction, marks the demo loaded in it, and drops the copy.
    /// With `claimed`, only a load this server claimed is adopted: when the
    /// mark no longer reads `loading`, another server finished first,
    /// nothing changes and `false` comes back.
    pub(crate) async fn adopt(&self, staging: Staging, claimed: bool) -> Result<bool> {
        let Staging { store, place } = staging;
        if !matches!(place, Place::Itself) {
            store.close().await;
        }
        let adopted = match (&self.backend, &place) {
            (Backend::Sqlite(pool), Place::File(path)) => {
                use sqlx::Connection;
                // ATTACH is refused inside a transaction, and a connection
                // with the copy attached must not go back to the pool.
                let mut conn = pool.acquire().await?.detach();
                sqlx::query("ATTACH DATABASE $1 AS staging")
                    .bind(path.to_string_lossy().into_owned())
                    .execute(&mut conn)
                    .await?;
                let copied: Result<bool> = async { Ok(copy_rows!(conn, "staging", "", claimed)) }.await;
                let detached = sqlx::query("DETACH DATABASE staging").execute(&mut conn).await;
                conn.close().await?;
                let copied = copied?;
                detached?;
                remove_sqlite_files(path)?;
                copied
            }
            (Backend::Postgres(pool), Place::Schema(schema)) => {
                let mut conn = pool.acquire().await?;
                let copied = copy_rows!(conn, quote(schema), " OVERRIDING SYSTEM VALUE", claimed);
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP SCHEMA IF EXISTS {} CASCADE",
                    quote(schema)
                )))
                .execute(&mut *conn)
                .await?;
                copied
            }
            _ => {
                on_pool!(self, pool => {
                    sqlx::query(mark_loaded_sql(claimed)).bind(DEMO).execute(pool).await?.rows_affected() > 0
                })
            }
        };
        Ok(adopted)
    }
}

/// A PostgreSQL identifier in double quotes.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Removes a SQLite database file and its WAL companions, if there.
fn remove_sqlite_files(path: &std::path::Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
