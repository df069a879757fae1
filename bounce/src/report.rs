//! What the dashboard shows: campaign totals, error rows, event details.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{BounceClass, Cursor, EnhancedStatus, Outcome, Reason, ReplyCode, Stage};

/// One campaign with its delivery totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignSummary {
    pub id: i64,
    pub name: String,
    pub subject: String,
    pub from_domain: String,
    pub sent_at: DateTime<Utc>,
    /// Sends attempted (suppressed addresses excluded).
    pub sent: i64,
    /// Sends that were accepted and did not bounce later.
    pub delivered: i64,
    pub hard: i64,
    pub soft: i64,
    pub undetermined: i64,
    /// Sends never made because the address was suppressed.
    pub rejected: i64,
}

impl CampaignSummary {
    /// Bounced sends as a share of attempted sends, 0.0 to 1.0.
    pub fn bounce_rate(&self) -> f64 {
        if self.sent <= 0 {
            return 0.0;
        }
        (self.hard + self.soft + self.undetermined) as f64 / self.sent as f64
    }
}

/// One failed attempt or bounce, as a row of the Errors tab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorRow {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub recipient: String,
    pub stage: Stage,
    pub outcome: Outcome,
    pub reply_code: Option<ReplyCode>,
    pub status: Option<EnhancedStatus>,
    /// The remote server's own words. Hostile: always rendered as text.
    pub diagnostic: String,
    pub class: BounceClass,
    /// The classifier's reason; `None` for rows stored before it ran.
    pub reason: Option<Reason>,
}

impl ErrorRow {
    /// The position just at this row, for keyset pagination.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            occurred_at: self.occurred_at,
            id: self.id,
        }
    }
}

/// One page of the Errors tab, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorPage {
    pub rows: Vec<ErrorRow>,
    /// Where the previous (newer) page starts, if there is one.
    pub newer: Option<Cursor>,
    /// Where the next (older) page starts, if there is one.
    pub older: Option<Cursor>,
}

/// Everything stored about one event, for the detail view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventDetail {
    pub row: ErrorRow,
    pub campaign_id: Option<i64>,
    pub campaign_name: Option<String>,
    pub contact_id: Option<i64>,
    pub recipient_domain: String,
    pub remote_mta: Option<String>,
    pub source: String,
    pub source_event_id: String,
    /// The bounce message the event was read from, when there was one
    /// (hostile: rendered as text only).
    pub raw_message: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounce_rate_counts_every_bounce_class() {
        let summary = CampaignSummary {
            id: 1,
            name: "Nieuwsbrief".into(),
            subject: "April".into(),
            from_domain: "news.example.nl".into(),
            sent_at: DateTime::from_timestamp(1_780_000_000, 0).expect("valid"),
            sent: 200,
            delivered: 180,
            hard: 10,
            soft: 6,
            undetermined: 4,
            rejected: 7,
        };
        assert!((summary.bounce_rate() - 0.10).abs() < 1e-9);
        let empty = CampaignSummary { sent: 0, ..summary };
        assert_eq!(empty.bounce_rate(), 0.0);
    }
}
