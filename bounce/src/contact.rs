//! A contact's standing on the list, and the bounce-history facts policies read.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{BounceClass, EnhancedStatus, Outcome, ParseError, Reason, ReplyCode, Stage};

/// Where a contact stands. Whether mail goes to it is decided by the
/// suppression list (a block may lapse); the status says why a contact left
/// the active list, so a marketer can tell a typo from an unsubscribe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactStatus {
    /// On the list and mailed.
    Active,
    /// Blocked by hand or by a lapsing policy block (7 days after a hard bounce).
    Suppressed,
    /// Soft-bounced too often in a short time: marked bounced until reset.
    Bounced,
    /// Hard-bounced several sends in a row: moved to the retained list, kept
    /// for the record but never mailed again.
    Retained,
    /// Asked to leave the list: never mailed again.
    Unsubscribed,
    /// Reported a message as spam: never mailed again.
    Complained,
}

impl ContactStatus {
    /// Every status.
    pub const ALL: [ContactStatus; 6] = [
        ContactStatus::Active,
        ContactStatus::Suppressed,
        ContactStatus::Bounced,
        ContactStatus::Retained,
        ContactStatus::Unsubscribed,
        ContactStatus::Complained,
    ];

    /// The stable identifier used in the database, URLs and selections.
    pub const fn as_str(self) -> &'static str {
        match self {
            ContactStatus::Active => "active",
            ContactStatus::Suppressed => "suppressed",
            ContactStatus::Bounced => "bounced",
            ContactStatus::Retained => "retained",
            ContactStatus::Unsubscribed => "unsubscribed",
            ContactStatus::Complained => "complained",
        }
    }
}

impl fmt::Display for ContactStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ContactStatus {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ContactStatus::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| {
            ParseError::new(
                "status",
                s,
                "is not a contact status (active, suppressed, bounced, retained, unsubscribed, complained)",
            )
        })
    }
}

/// An address on the suppression list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuppressionRow {
    pub email: String,
    /// The contact with this address, if there is one.
    pub contact_id: Option<i64>,
    /// Why, in words (a rule's reason or what the person who added it wrote).
    pub reason: String,
    /// Who or what added it (`rule:hard_bounce`, `user`, `cli`, `selection:NAME`).
    pub source: String,
    /// The policy rule that added it, if one did.
    pub rule: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When it lapses; `None` is for good.
    pub expires_at: Option<DateTime<Utc>>,
}

/// One change to a contact's standing, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    /// What happened: `suppressed`, `released`, `unblocked`, `status`, `reset`.
    pub action: String,
    /// Who or which rule did it.
    pub actor: String,
    pub reason: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// One send to a contact, for its page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactSend {
    pub campaign_id: i64,
    pub campaign: String,
    pub at: DateTime<Utc>,
    pub outcome: Outcome,
    pub class: Option<BounceClass>,
    pub stage: Option<Stage>,
    pub reply_code: Option<ReplyCode>,
    pub status: Option<EnhancedStatus>,
    pub diagnostic: Option<String>,
    pub reason: Option<Reason>,
}

/// Everything known about one contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactDetail {
    pub id: i64,
    pub email: String,
    pub status: ContactStatus,
    pub created_at: DateTime<Utc>,
    /// Sends before this no longer count for selections and policies.
    pub bounces_reset_at: Option<DateTime<Utc>>,
    /// Newest first.
    pub sends: Vec<ContactSend>,
    pub suppression: Option<SuppressionRow>,
    /// Newest first.
    pub history: Vec<HistoryEntry>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for status in ContactStatus::ALL {
            assert_eq!(status.as_str().parse::<ContactStatus>(), Ok(status));
        }
        assert!("gone".parse::<ContactStatus>().is_err());
    }
}
