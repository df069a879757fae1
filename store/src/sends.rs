//! Sends: one row per campaign and contact with the final outcome.

use bounce::{BounceClass, Outcome};
use chrono::{DateTime, Utc};

use crate::{INSERT_CHUNK, Result, Store, on_pool};

/// The final result of sending one campaign to one contact.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSend {
    pub campaign_id: i64,
    pub contact_id: i64,
    pub outcome: Outcome,
    /// `None` when delivered or never sent.
    pub class: Option<BounceClass>,
    pub attempts: i32,
    pub updated_at: DateTime<Utc>,
}

impl Store {
    /// Records sends; a send already recorded for the same campaign and
    /// contact is replaced by the newer result. All or nothing.
    pub async fn upsert_sends(&self, sends: &[NewSend]) -> Result<()> {
        on_pool!(self, pool, Db => {
            let mut tx = pool.begin().await?;
            for chunk in sends.chunks(INSERT_CHUNK) {
                let mut b = sqlx::QueryBuilder::<Db>::new(
                    "INSERT INTO sends (campaign_id, contact_id, outcome, class, attempts, updated_at) ",
                );
                b.push_values(chunk, |mut row, s| {
                    row.push_bind(s.campaign_id)
                        .push_bind(s.contact_id)
                        .push_bind(s.outcome.as_str())
                        .push_bind(s.class.map(BounceClass::as_str))
                        .push_bind(s.attempts)
                        .push_bind(s.updated_at);
                });
                b.push(
                    " ON CONFLICT (campaign_id, contact_id) DO UPDATE SET outcome = excluded.outcome, \
                     class = excluded.class, attempts = excluded.attempts, updated_at = excluded.updated_at",
                );
                b.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}
