//! The work stored results still owe (migration 0010): a campaign's
//! incidents to find again, a contact's policies to apply. Noted in the same
//! transaction as the results ([`Store::ingest`]), done and then forgotten
//! by the caller (`server/src/follow_ups.rs`), so a process killed between
//! the two leaves the work noted for the next one.

use crate::{INSERT_CHUNK, Result, Store, on_pool, push_in};

/// Which follow-up work a note is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUp {
    /// Find a campaign's incidents again (`Store::detect_incidents`).
    Incidents,
    /// Apply the suppression policies to a contact (`Store::apply_policies`).
    Policies,
}

impl FollowUp {
    /// The table holding the notes, and the column naming their subject.
    pub(crate) fn table(self) -> (&'static str, &'static str) {
        match self {
            Self::Incidents => ("pending_incidents", "campaign_id"),
            Self::Policies => ("pending_policies", "contact_id"),
        }
    }
}

/// Notes read to be worked off: the subjects (campaign or contact ids, each
/// once, ascending) and the notes that named them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pending {
    pub subjects: Vec<i64>,
    /// The notes read: exactly these are forgotten by [`Store::forget`], so
    /// a note written meanwhile (new results for the same contact) stays.
    notes: Vec<i64>,
}

/// Writes notes of `$kind` for `$subjects` inside the transaction `$tx`.
macro_rules! note_in {
    ($tx:ident, $db:ty, $kind:expr, $subjects:expr) => {{
        let (table, column) = $crate::follow_ups::FollowUp::table($kind);
        let subjects: Vec<i64> = $subjects;
        for chunk in subjects.chunks($crate::INSERT_CHUNK) {
            let mut b = sqlx::QueryBuilder::<$db>::new(format!("INSERT INTO {table} ({column}) "));
            b.push_values(chunk, |mut row, id| {
                row.push_bind(*id);
            });
            b.build().execute(&mut *$tx).await?;
        }
    }};
}
pub(crate) use note_in;

impl Store {
    /// Up to `limit` notes of `kind`, oldest first (empty when there is no
    /// work left).
    pub async fn pending(&self, kind: FollowUp, limit: i64) -> Result<Pending> {
        let (table, column) = kind.table();
        let rows: Vec<(i64, i64)> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT id, {column} FROM {table} ORDER BY id LIMIT $1"
            )))
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        let mut subjects: Vec<i64> = rows.iter().map(|(_, subject)| *subject).collect();
        subjects.sort_unstable();
        subjects.dedup();
        Ok(Pending {
            subjects,
            notes: rows.into_iter().map(|(note, _)| note).collect(),
        })
    }

    /// Forgets the notes read in `pending`, once their work is committed.
    pub async fn forget(&self, kind: FollowUp, pending: &Pending) -> Result<()> {
        let (table, _) = kind.table();
        on_pool!(self, pool, Db => {
            let mut tx = pool.begin().await?;
            for chunk in pending.notes.chunks(INSERT_CHUNK) {
                let mut b = sqlx::QueryBuilder::<Db>::new(format!("DELETE FROM {table} WHERE id IN"));
                push_in!(b, chunk);
                b.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}
