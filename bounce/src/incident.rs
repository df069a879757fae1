//! Provider incidents: a burst of failures from one receiving domain, all
//! with the same code, in a short window, at a rate far above the rest of
//! the campaign. Throttling ("421 4.7.0 Try again later"), a block-list
//! listing of our IP, an outage: the provider's doing, not the addresses'.
//! Selections and the suppression policies leave such failures out unless
//! asked to count them, so one bad hour at one provider does not empty a
//! list.
//!
//! The rule, in full (`IncidentRule::default`):
//! 1. Group a campaign's failed events by receiving domain and code (the
//!    enhanced status when the server gave one, else the reply code) and
//!    find, for each pair, the [`IncidentRule::window_hours`] consecutive
//!    hours with the most failures.
//! 2. Codes that speak of the address (5.1.x, 550, 551, 553, none) never
//!    make an incident: a burst of unknown users is the list's problem.
//! 3. That window is an incident when it holds at least
//!    [`IncidentRule::min_failures`] failures, at least
//!    [`IncidentRule::min_share`] of all the campaign's failures, at least
//!    [`IncidentRule::min_rate`] of the sends to that domain, and a rate at
//!    least [`IncidentRule::min_ratio`] times the failure rate of the sends
//!    to every other domain.
//!
//! The rate conditions are what keep a domain that is simply large from
//! being flagged: gmail.com holding 40 % of a list holds about 40 % of its
//! dead addresses too, at the same rate as everyone else.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The thresholds of the rule; see the module docs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IncidentRule {
    pub window_hours: i64,
    pub min_failures: i64,
    pub min_share: f64,
    pub min_rate: f64,
    pub min_ratio: f64,
}

impl Default for IncidentRule {
    /// Two hours covers a throttling episode or a listing noticed and
    /// fixed the same morning; 20 failures and a fifth of the campaign's
    /// failures keep small domains' noise out; 5 % of the domain's sends at
    /// three times the rate elsewhere is well beyond the hard-bounce rates
    /// of a kept list (under 2 %, the rate ESPs expect).
    fn default() -> Self {
        Self {
            window_hours: 2,
            min_failures: 20,
            min_share: 0.2,
            min_rate: 0.05,
            min_ratio: 3.0,
        }
    }
}

/// Failed events of one campaign for one domain and code in one hour
/// (grouped in SQL).
#[derive(Debug, Clone, PartialEq)]
pub struct HourCount {
    pub domain: String,
    pub code: String,
    /// The start of the hour.
    pub hour: DateTime<Utc>,
    pub failures: i64,
}

/// Sends of one campaign to one domain.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainSends {
    pub domain: String,
    pub sent: i64,
    /// Sends whose final outcome is a failure.
    pub failed: i64,
}

/// A provider incident and its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub domain: String,
    /// The enhanced status (`4.7.0`) or reply code (`421`) every failure shared.
    pub code: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Failed events in the window.
    pub failures: i64,
    /// Sends to the domain in the campaign.
    pub domain_sent: i64,
    /// `failures / domain_sent`.
    pub rate: f64,
    /// The failure rate of the sends to every other domain.
    pub rate_elsewhere: f64,
    /// `failures` as a share of all the campaign's failed events.
    pub share: f64,
}

/// Codes that speak about the address itself, never a provider incident:
/// however many arrive at once, a burst of "no such user" is a list
/// problem. RFC 3463 subject 1 (addressing: 5.1.1 bad mailbox, 5.1.2 bad
/// system...) and RFC 5321's mailbox replies 550 (mailbox unavailable),
/// 551 (user not local), 553 (mailbox name not allowed). A failure with no
/// code at all (a DNS lookup that found nothing) is the address's domain.
fn speaks_of_the_address(code: &str) -> bool {
    const MAILBOX_REPLIES: [&str; 3] = ["550", "551", "553"];
    let mut parts = code.split('.');
    let addressing = matches!((parts.next(), parts.next()), (Some(_), Some("1")));
    code.is_empty() || addressing || MAILBOX_REPLIES.contains(&code)
}

/// The incidents in one campaign's failures.
pub fn detect(rule: &IncidentRule, hours: &[HourCount], domains: &[DomainSends]) -> Vec<Incident> {
    let total_failures: i64 = hours.iter().map(|h| h.failures).sum();
    let (total_sent, total_failed) = domains
        .iter()
        .fold((0i64, 0i64), |(s, f), d| (s + d.sent, f + d.failed));
    if total_failures == 0 {
        return Vec::new();
    }
    // One sort, then each (domain, code) group in time order: linear in
    // the grouped rows after the sort, however many pairs there are.
    let mut sorted: Vec<&HourCount> = hours.iter().filter(|h| !speaks_of_the_address(&h.code)).collect();
    sorted.sort_unstable_by(|a, b| (&a.domain, &a.code, a.hour).cmp(&(&b.domain, &b.code, b.hour)));
    let by_domain: HashMap<&str, &DomainSends> = domains.iter().map(|d| (d.domain.as_str(), d)).collect();
    let window = Duration::hours(rule.window_hours.max(1));
    let mut found = Vec::new();
    for group in sorted.chunk_by(|a, b| a.domain == b.domain && a.code == b.code) {
        let (domain, code) = (group[0].domain.as_str(), group[0].code.as_str());
        let counts: Vec<(DateTime<Utc>, i64)> = group.iter().map(|h| (h.hour, h.failures)).collect();
        // The busiest window: two pointers over the hours in time order.
        let (mut best, mut best_start, mut sum, mut first) = (0i64, None, 0i64, 0usize);
        for last in 0..counts.len() {
            sum += counts[last].1;
            while counts[last].0 - counts[first].0 >= window {
                sum -= counts[first].1;
                first += 1;
            }
            if sum > best {
                best = sum;
                best_start = Some(counts[first].0);
            }
        }
        let Some(starts_at) = best_start else { continue };
        let Some(sends) = by_domain.get(domain) else {
            continue;
        };
        if sends.sent <= 0 {
            continue;
        }
        let rate = best as f64 / sends.sent as f64;
        let sent_elsewhere = total_sent - sends.sent;
        let rate_elsewhere = if sent_elsewhere > 0 {
            (total_failed - sends.failed).max(0) as f64 / sent_elsewhere as f64
        } else {
            0.0
        };
        let share = best as f64 / total_failures as f64;
        let flagged = best >= rule.min_failures
            && share >= rule.min_share
            && rate >= rule.min_rate
            && rate >= rule.min_ratio * rate_elsewhere;
        if flagged {
            found.push(Incident {
                domain: domain.to_owned(),
                code: code.to_owned(),
                starts_at,
                ends_at: starts_at + window,
                failures: best,
                domain_sent: sends.sent,
                rate,
                rate_elsewhere,
                share,
            });
        }
    }
    found.sort_by(|a, b| b.failures.cmp(&a.failures).then_with(|| a.domain.cmp(&b.domain)));
    found
}

#[cfg(test)]
mod tests;
