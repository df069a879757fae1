//! Suppression policies: what a contact's bounce history means for sending
//! to it again. Pure rules over a history; the store applies the decisions.
//!
//! Defaults follow common practice among senders and ESPs (Mailchimp cleans
//! an address after one hard bounce and after repeated soft bounces;
//! SendGrid and Copernica block hard-bounced addresses and release or retain
//! them by rule; Copernica retains an address after 3 consecutive hard
//! bounces): documented in `docs/selections.md`.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::{BounceClass, Category, ContactStatus, Outcome, ParseError, Reason};

/// The policy settings a marketer can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Days a hard bounce blocks the address before it is released; 0 turns the rule off.
    pub hard_block_days: u32,
    /// Soft bounces within the window that mark the contact bounced; 0 turns the rule off.
    pub soft_limit: u32,
    /// The soft-bounce window, in days.
    pub soft_window_days: u32,
    /// Consecutive hard bounces that move the contact to the retained list; 0 turns the rule off.
    pub consecutive_hard: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            hard_block_days: 7,
            soft_limit: 3,
            soft_window_days: 30,
            consecutive_hard: 3,
        }
    }
}

impl Policy {
    /// Checks settings from outside (the settings form, a stored row).
    pub fn checked(self) -> Result<Self, ParseError> {
        let check = |field: &'static str, value: u32, max: u32| {
            if value > max {
                Err(ParseError::at(field, &value.to_string(), format!("must be 0 to {max}")))
            } else {
                Ok(())
            }
        };
        check("hard_block_days", self.hard_block_days, 3_650)?;
        check("soft_limit", self.soft_limit, 100)?;
        check("soft_window_days", self.soft_window_days, 3_650)?;
        check("consecutive_hard", self.consecutive_hard, 100)?;
        if self.soft_limit > 0 && self.soft_window_days == 0 {
            return Err(ParseError::at(
                "soft_window_days",
                "0",
                "must be at least 1 when soft_limit is set",
            ));
        }
        Ok(self)
    }
}

/// Categories of failure that say something about *our* sending, not about
/// the address: a block list naming our IP, a rate limit, a spam or policy
/// verdict on the message, a message too large for the receiving server. Counting them against addresses would empty a
/// list during one blocklisting (Spamhaus, Microsoft's S3150) that has
/// nothing to do with the recipients. Source: RFC 3463 classes 5.7.x
/// (security/policy) versus 5.1.x (addressing); the categories are ours.
const NOT_THE_ADDRESS: &[Category] = &[
    Category::PolicyBlock,
    Category::Reputation,
    Category::RateLimited,
    Category::TooLarge,
];

/// Whether a failure with this reason counts against the address.
pub fn counts_against_address(reason: Option<Reason>) -> bool {
    reason.is_none_or(|r| !NOT_THE_ADDRESS.contains(&r.category()))
}

/// One send to the contact, as the policies see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendFact {
    /// When its final result came.
    pub at: DateTime<Utc>,
    pub outcome: Outcome,
    /// `None` when delivered or never sent.
    pub class: Option<BounceClass>,
    pub reason: Option<Reason>,
    /// The failure fell in a provider incident (`crate::incident`): the
    /// provider's doing, not the address's.
    pub in_incident: bool,
}

impl SendFact {
    fn attempted(&self) -> bool {
        self.outcome != Outcome::Rejected
    }

    /// Whether this failure says something about the address: neither a
    /// block of our sending nor part of a provider incident.
    fn against_address(&self) -> bool {
        counts_against_address(self.reason) && !self.in_incident
    }

    fn counting(&self, class: BounceClass) -> bool {
        self.class == Some(class) && self.against_address()
    }

    fn delivered(&self) -> bool {
        self.outcome == Outcome::Accepted && self.class.is_none()
    }
}

/// Which rule made a decision: its stable id is what the history records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    HardBounce,
    RepeatedSoft,
    ConsecutiveHard,
    Complaint,
    Unsubscribe,
}

impl Rule {
    /// Every rule.
    pub const ALL: [Rule; 5] = [
        Rule::HardBounce,
        Rule::RepeatedSoft,
        Rule::ConsecutiveHard,
        Rule::Complaint,
        Rule::Unsubscribe,
    ];

    /// The stable id, as recorded (`rule:hard_bounce`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Rule::HardBounce => "hard_bounce",
            Rule::RepeatedSoft => "repeated_soft",
            Rule::ConsecutiveHard => "consecutive_hard",
            Rule::Complaint => "complaint",
            Rule::Unsubscribe => "unsubscribe",
        }
    }

    /// The status a contact gets when this rule blocks it.
    pub const fn status(self) -> ContactStatus {
        match self {
            Rule::HardBounce => ContactStatus::Suppressed,
            Rule::RepeatedSoft => ContactStatus::Bounced,
            Rule::ConsecutiveHard => ContactStatus::Retained,
            Rule::Complaint => ContactStatus::Complained,
            Rule::Unsubscribe => ContactStatus::Unsubscribed,
        }
    }

    /// How strong a block is: a stronger one is never replaced by a weaker one.
    pub const fn rank(self) -> u8 {
        match self {
            Rule::HardBounce => 1,
            Rule::RepeatedSoft => 2,
            Rule::ConsecutiveHard => 3,
            Rule::Unsubscribe => 4,
            Rule::Complaint => 5,
        }
    }
}

/// What the policies decide for one contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub rule: Rule,
    /// When the block started (the failure that triggered it).
    pub at: DateTime<Utc>,
    /// When it lapses; `None` is for good (until someone unblocks it).
    pub expires_at: Option<DateTime<Utc>>,
    /// How many failures the rule counted.
    pub count: u32,
}

/// The strongest block the policies call for, given a contact's sends in
/// time order (only those after its bounce counters were last reset) and
/// whether it complained. `None`: nothing to block.
pub fn evaluate(policy: &Policy, history: &[SendFact], complained_at: Option<DateTime<Utc>>) -> Option<Decision> {
    if let Some(at) = complained_at {
        return Some(Decision {
            rule: Rule::Complaint,
            at,
            expires_at: None,
            count: 1,
        });
    }
    let attempts: Vec<&SendFact> = history
        .iter()
        .filter(|s| s.attempted() && (s.class.is_none() || s.against_address()))
        .collect();
    let last = attempts.last()?;

    // Consecutive hard bounces: the latest attempts, all hard.
    let n = policy.consecutive_hard as usize;
    if n > 0
        && attempts.len() >= n
        && attempts[attempts.len() - n..]
            .iter()
            .all(|s| s.counting(BounceClass::Hard))
    {
        return Some(Decision {
            rule: Rule::ConsecutiveHard,
            at: last.at,
            expires_at: None,
            count: policy.consecutive_hard,
        });
    }
    // Soft bounces within the window, reset by a later good delivery.
    if policy.soft_limit > 0 && last.counting(BounceClass::Soft) {
        let window_start = last.at - Duration::days(i64::from(policy.soft_window_days));
        let soft = attempts
            .iter()
            .rev()
            .take_while(|s| !s.delivered())
            .filter(|s| s.at > window_start && s.counting(BounceClass::Soft))
            .count();
        if soft >= policy.soft_limit as usize {
            return Some(Decision {
                rule: Rule::RepeatedSoft,
                at: last.at,
                expires_at: None,
                count: u32::try_from(soft).unwrap_or(u32::MAX),
            });
        }
    }
    // One hard bounce: a block that lapses.
    if policy.hard_block_days > 0 && last.counting(BounceClass::Hard) {
        return Some(Decision {
            rule: Rule::HardBounce,
            at: last.at,
            expires_at: Some(last.at + Duration::days(i64::from(policy.hard_block_days))),
            count: 1,
        });
    }
    None
}

#[cfg(test)]
mod tests;
