//! Imports as records: started, moved on as batches are stored, finished
//! with what they did, so the upload page shows progress and history from
//! whichever server runs the import.

use bounce::intake::{ImportRun, ImportState};
use chrono::{DateTime, Utc};

use crate::{Result, Store, StoreError, on_pool};

/// What a finished (or advancing) import has done so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub bytes_read: i64,
    pub stored: i64,
    pub duplicates: i64,
    pub unlinked: i64,
    pub other: i64,
    pub rejected: i64,
    pub rejects: Vec<String>,
}

impl ImportCounts {
    /// What was done since `before` (a report that spans several inputs).
    pub fn since(self, before: &ImportCounts) -> ImportCounts {
        ImportCounts {
            bytes_read: self.bytes_read,
            stored: self.stored - before.stored,
            duplicates: self.duplicates - before.duplicates,
            unlinked: self.unlinked - before.unlinked,
            other: self.other - before.other,
            rejected: self.rejected - before.rejected,
            rejects: self.rejects.into_iter().skip(before.rejects.len()).collect(),
        }
    }
}

const COLUMNS: &str = "id, name, format, campaign_id, state, bytes_total, bytes_read, stored, duplicates, \
                       unlinked, other, rejected, rejects, error, started_at, finished_at";

#[derive(sqlx::FromRow)]
struct ImportRecord {
    id: i64,
    name: String,
    format: String,
    campaign_id: Option<i64>,
    state: String,
    bytes_total: Option<i64>,
    bytes_read: i64,
    stored: i64,
    duplicates: i64,
    unlinked: i64,
    other: i64,
    rejected: i64,
    rejects: String,
    error: Option<String>,
    started_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
}

impl TryFrom<ImportRecord> for ImportRun {
    type Error = StoreError;

    fn try_from(r: ImportRecord) -> Result<Self> {
        let state = ImportState::parse(&r.state)
            .ok_or_else(|| StoreError::Corrupt(bounce::ParseError::at("import state", &r.state, "is not a state")))?;
        Ok(ImportRun {
            id: r.id,
            name: r.name,
            format: r.format,
            campaign_id: r.campaign_id,
            state,
            bytes_total: r.bytes_total,
            bytes_read: r.bytes_read,
            stored: r.stored,
            duplicates: r.duplicates,
            unlinked: r.unlinked,
            other: r.other,
            rejected: r.rejected,
            rejects: r.rejects.lines().map(str::to_owned).collect(),
            error: r.error,
            started_at: r.started_at,
            finished_at: r.finished_at,
        })
    }
}

impl Store {
    /// Records an import as started; its id.
    pub async fn start_import(
        &self,
        name: &str,
        format: &str,
        campaign_id: Option<i64>,
        bytes_total: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let name: String = name.chars().take(200).collect();
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(
                "INSERT INTO imports (name, format, campaign_id, state, bytes_total, started_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            )
            .bind(name)
            .bind(format)
            .bind(campaign_id)
            .bind(ImportState::Running.as_str())
            .bind(bytes_total)
            .bind(now)
            .fetch_one(pool)
            .await?
        }))
    }

    /// Records how far an import is at `now`; with `end`, that it ended
    /// (`Done`, or `Failed` with its error).
    pub async fn record_import(
        &self,
        id: i64,
        counts: &ImportCounts,
        end: Option<(ImportState, Option<&str>)>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (state, error, finished) = match end {
            Some((state, error)) => (state, error, Some(now)),
            None => (ImportState::Running, None, None),
        };
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE imports SET bytes_read = $1, stored = $2, duplicates = $3, unlinked = $4, other = $5, \
                 rejected = $6, rejects = $7, state = $8, error = $9, finished_at = $10, updated_at = $11 \
                 WHERE id = $12",
            )
            .bind(counts.bytes_read)
            .bind(counts.stored)
            .bind(counts.duplicates)
            .bind(counts.unlinked)
            .bind(counts.other)
            .bind(counts.rejected)
            .bind(counts.rejects.join("\n"))
            .bind(state.as_str())
            .bind(error)
            .bind(finished)
            .bind(now)
            .bind(id)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// One import.
    pub async fn import_run(&self, id: i64) -> Result<Option<ImportRun>> {
        let record: Option<ImportRecord> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM imports WHERE id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        record.map(ImportRun::try_from).transpose()
    }

    /// The latest imports, newest first. Running ones whose progress
    /// stopped before `stalled_before` are marked failed first: their
    /// server died, and nothing will finish them.
    pub async fn import_runs(&self, limit: i64, stalled_before: DateTime<Utc>) -> Result<Vec<ImportRun>> {
        // A read first: the page asks every few seconds while an import
        // runs, and a write each time would take SQLite's write lock.
        let stalled: i64 = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM imports WHERE state = $1 AND updated_at < $2")
                .bind(ImportState::Running.as_str())
                .bind(stalled_before)
                .fetch_one(pool)
                .await?
        });
        if stalled > 0 {
            self.fail_stalled_imports(stalled_before).await?;
        }
        let records: Vec<ImportRecord> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM imports ORDER BY id DESC LIMIT $1")))
                .bind(limit.clamp(1, 500))
                .fetch_all(pool)
                .await?
        });
        records.into_iter().map(ImportRun::try_from).collect()
    }

    /// Marks failed the running imports whose progress stopped before
    /// `stalled_before`.
    async fn fail_stalled_imports(&self, stalled_before: DateTime<Utc>) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE imports SET state = $1, error = $2, finished_at = updated_at WHERE state = $3 AND updated_at < $4",
            )
            .bind(ImportState::Failed.as_str())
            .bind("the server stopped before the import ended; import the file again to complete it")
            .bind(ImportState::Running.as_str())
            .bind(stalled_before)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
