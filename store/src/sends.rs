//! Sends: one row per campaign and contact with the final outcome.

use bounce::{BounceClass, EnhancedStatus, Outcome, Reason, ReplyCode, Stage};
use chrono::{DateTime, Utc};

use crate::{Result, Store, on_pool};

/// The statements of [`Store::upsert_sends`] on an open transaction `$tx`
/// of database `$db`, so that an ingest stores a batch in one transaction.
macro_rules! upsert_sends_in {
    ($tx:ident, $db:ty, $sends:expr) => {
        for chunk in $sends.chunks($crate::INSERT_CHUNK) {
            let mut b = sqlx::QueryBuilder::<$db>::new(
                "INSERT INTO sends (campaign_id, contact_id, outcome, class, attempts, updated_at, \
                 stage, reply_code, enhanced_status, diagnostic, reason, message_id) ",
            );
            b.push_values(chunk, |mut row, s| {
                let f = s.failure.as_ref();
                row.push_bind(s.campaign_id)
                    .push_bind(s.contact_id)
                    .push_bind(s.outcome.as_str())
                    .push_bind(s.class.map(bounce::BounceClass::as_str))
                    .push_bind(s.attempts)
                    .push_bind(s.updated_at)
                    .push_bind(f.map(|f| f.stage.as_str()))
                    .push_bind(f.and_then(|f| f.reply_code).map(|c| i32::from(c.get())))
                    .push_bind(f.and_then(|f| f.status).map(|s| s.to_string()))
                    .push_bind(f.map(|f| f.diagnostic.clone()))
                    .push_bind(f.and_then(|f| f.reason).map(bounce::Reason::as_str))
                    .push_bind(s.message_id.clone());
            });
            b.push(
                " ON CONFLICT (campaign_id, contact_id) DO UPDATE SET outcome = excluded.outcome, \
                 class = excluded.class, attempts = excluded.attempts, updated_at = excluded.updated_at, \
                 stage = excluded.stage, reply_code = excluded.reply_code, \
                 enhanced_status = excluded.enhanced_status, diagnostic = excluded.diagnostic, \
                 reason = excluded.reason, message_id = COALESCE(excluded.message_id, sends.message_id) \
                 WHERE excluded.updated_at >= sends.updated_at",
            );
            b.build().execute(&mut *$tx).await?;
        }
    };
}
pub(crate) use upsert_sends_in;

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
    /// What ended a failed send; `None` when delivered or never sent.
    pub failure: Option<SendFailure>,
    /// The Message-ID it went out with, when a result named it; kept over
    /// a newer result that does not.
    pub message_id: Option<String>,
}

/// The failure that ended a send, kept with the send so selections filter
/// and exports describe it without searching the events.
#[derive(Debug, Clone, PartialEq)]
pub struct SendFailure {
    pub stage: Stage,
    pub reply_code: Option<ReplyCode>,
    pub status: Option<EnhancedStatus>,
    /// The remote server's own words.
    pub diagnostic: String,
    pub reason: Option<Reason>,
}

impl Store {
    /// Records sends; a send already recorded for the same campaign and
    /// contact is replaced by the newer result, never by an older one (a
    /// log read out of order, an import run again). All or nothing; campaign
    /// totals follow in the same transaction (triggers).
    pub async fn upsert_sends(&self, sends: &[NewSend]) -> Result<()> {
        on_pool!(self, pool, Db => {
            let mut tx = pool.begin().await?;
            upsert_sends_in!(tx, Db, sends);
            tx.commit().await?;
        });
        Ok(())
    }
}
