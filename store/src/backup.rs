//! Online backups of a SQLite database. (PostgreSQL has pg_dump, which
//! does this better than we could: see docs/operations.md.)

use std::path::Path;

use crate::{Backend, Result, Store, StoreError};

impl Store {
    /// Writes a consistent copy of the whole SQLite database to `target`
    /// (which must not exist), while the server keeps serving: `VACUUM INTO`
    /// reads one snapshot of the database (WAL mode lets writers go on) and
    /// writes a compact, self-contained file. Returns its size in bytes.
    pub async fn backup_to(&self, target: &Path) -> Result<u64> {
        let Backend::Sqlite(pool) = &self.backend else {
            return Err(StoreError::Invalid(bounce::ParseError::at(
                "database",
                "postgres",
                "is backed up with PostgreSQL's own tools: pg_dump (see docs/operations.md)",
            )));
        };
        if target.exists() {
            return Err(StoreError::Invalid(bounce::ParseError::at(
                "target",
                &target.display().to_string(),
                "exists already: give a new file name",
            )));
        }
        let name = target.to_string_lossy().into_owned();
        sqlx::query("VACUUM INTO $1").bind(&name).execute(pool).await?;
        Ok(std::fs::metadata(target)?.len())
    }
}

/// Checks that `file` is a whole, uncorrupted bouncedesk SQLite database:
/// SQLite's integrity check passes and the schema has been migrated.
pub async fn check_backup(file: &Path) -> Result<()> {
    use sqlx::ConnectOptions;
    use sqlx::sqlite::SqliteConnectOptions;
    let mut conn = SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .connect()
        .await?;
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await?;
    if verdict != "ok" {
        return Err(StoreError::Invalid(bounce::ParseError::at(
            "backup",
            &file.display().to_string(),
            format!("fails SQLite's integrity check: {verdict}"),
        )));
    }
    let migrated: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('_sqlx_migrations', 'delivery_events')")
            .fetch_one(&mut conn)
            .await?;
    if migrated != 2 {
        return Err(StoreError::Invalid(bounce::ParseError::at(
            "backup",
            &file.display().to_string(),
            "is not a bouncedesk database",
        )));
    }
    Ok(())
}
