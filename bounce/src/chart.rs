//! The charts: which exist, and the numbers behind each.
//!
//! A campaign chart counts the Errors tab's rows (delivery events), never
//! sends, so that every bar carries the filter that shows exactly its rows
//! ([`ChartRow::filter`]). Auto-replies (class `none`) are left out of every
//! chart: they are not failures. The dashboard's charts work per campaign
//! and per receiving domain from the sends instead, because a rate needs a
//! denominator; their rows link to a campaign's Errors tab.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{BounceClass, ErrorFilter, ParseError};

/// A chart by its stable id (the `{name}` in its URLs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartName {
    /// Failures by category, split by class.
    Categories,
    /// Failures by the stage of delivery they happened at, in delivery order.
    Stages,
    /// Failures by enhanced status class (`5.1`) and by reply code (`550`).
    Codes,
    /// The receiving domains with the most failures and with the highest
    /// failure rate.
    Domains,
    /// Failures over time while the campaign was sent, by class.
    Timeline,
    /// Dashboard: bounce, hard-bounce and complaint rate per campaign over time.
    Rates,
    /// Dashboard: the receiving domains whose failure rate changed most
    /// between the last campaign and the one before.
    DomainChanges,
}

/// Where a chart belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartScope {
    /// On a campaign's Overview tab.
    Campaign,
    /// On the dashboard, across campaigns.
    Dashboard,
}

impl ChartName {
    /// The charts of a campaign's Overview tab, in the order shown.
    pub const CAMPAIGN: [ChartName; 5] = [
        ChartName::Stages,
        ChartName::Categories,
        ChartName::Codes,
        ChartName::Domains,
        ChartName::Timeline,
    ];
    /// The dashboard's charts, in the order shown.
    pub const DASHBOARD: [ChartName; 2] = [ChartName::Rates, ChartName::DomainChanges];

    /// The stable id.
    pub const fn as_str(self) -> &'static str {
        match self {
            ChartName::Categories => "categories",
            ChartName::Stages => "stages",
            ChartName::Codes => "codes",
            ChartName::Domains => "domains",
            ChartName::Timeline => "timeline",
            ChartName::Rates => "rates",
            ChartName::DomainChanges => "domain_changes",
        }
    }

    /// Whether the chart is a campaign's or the dashboard's.
    pub const fn scope(self) -> ChartScope {
        match self {
            ChartName::Rates | ChartName::DomainChanges => ChartScope::Dashboard,
            _ => ChartScope::Campaign,
        }
    }
}

impl fmt::Display for ChartName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ChartName {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::CAMPAIGN
            .iter()
            .chain(Self::DASHBOARD.iter())
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| ParseError::new("chart", s, "is not a chart"))
    }
}

/// Failures of one bar, by class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassCounts {
    pub hard: i64,
    pub soft: i64,
    pub undetermined: i64,
}

impl ClassCounts {
    /// All three together.
    pub const fn total(&self) -> i64 {
        self.hard + self.soft + self.undetermined
    }

    /// The count of one class (`none` has none).
    pub const fn of(&self, class: BounceClass) -> i64 {
        match class {
            BounceClass::Hard => self.hard,
            BounceClass::Soft => self.soft,
            BounceClass::Undetermined => self.undetermined,
            BounceClass::None => 0,
        }
    }

    /// Adds another row's counts (folding grouped rows into coarser keys).
    pub fn add(&mut self, other: ClassCounts) {
        self.hard += other.hard;
        self.soft += other.soft;
        self.undetermined += other.undetermined;
    }
}

/// One bar (or point) of a chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartRow {
    /// The stable id of what the bar counts: a category, stage or reason id,
    /// a code prefix (`5.1`, `550`), a domain, a time (RFC 3339) or a
    /// campaign id.
    pub key: String,
    /// Which part of the chart the row belongs to, when it has several
    /// (`status` / `reply` for codes, `most` / `rate` for domains).
    pub group: Option<String>,
    /// Failed events, by class.
    pub counts: ClassCounts,
    /// The Errors tab filter that shows exactly these rows (campaign charts).
    pub filter: Option<ErrorFilter>,
    /// The campaign whose Errors tab the row links to (dashboard charts).
    pub campaign_id: Option<i64>,
    /// Further figures the chart needs (sends, rates), by stable name.
    pub measures: Vec<(String, f64)>,
}

impl ChartRow {
    /// A row counting the Errors tab's rows under `filter`.
    pub fn counted(key: impl Into<String>, counts: ClassCounts, filter: ErrorFilter) -> Self {
        Self {
            key: key.into(),
            group: None,
            counts,
            filter: Some(filter),
            campaign_id: None,
            measures: Vec::new(),
        }
    }

    /// The same row in a named part of the chart.
    pub fn in_group(mut self, group: &str) -> Self {
        self.group = Some(group.to_owned());
        self
    }

    /// The same row with one more figure.
    pub fn with(mut self, name: &str, value: f64) -> Self {
        self.measures.push((name.to_owned(), value));
        self
    }

    /// A figure by name.
    pub fn measure(&self, name: &str) -> Option<f64> {
        self.measures.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }
}

/// The numbers of one chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartData {
    pub name: ChartName,
    pub rows: Vec<ChartRow>,
    /// Figures about the whole chart (the stages funnel's sent and delivered).
    pub measures: Vec<(String, f64)>,
    /// When the numbers were counted.
    pub counted_at: DateTime<Utc>,
}

impl ChartData {
    /// A figure about the whole chart by name.
    pub fn measure(&self, name: &str) -> Option<f64> {
        self.measures.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }
}

/// Rates that mailbox providers and sending services treat as warning
/// signs, drawn into the dashboard's rates chart. A warning means "look into
/// it"; above the limit a provider may pause sending or send to spam.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    /// The measure it applies to (`bounce_rate`, `complaint_rate`).
    pub measure: &'static str,
    pub warning: f64,
    pub limit: f64,
    /// Who says so; the documents are listed in docs/charts.md.
    pub source: &'static str,
}

/// The thresholds drawn in. Sources:
/// - Amazon SES puts an account under review at a 5 % bounce rate and may
///   pause sending at 10 %; under review at a 0.1 % complaint rate and may
///   pause at 0.5 % (SES Developer Guide, "Sending review process FAQs").
/// - Gmail's bulk sender guidelines ask to keep the spam rate reported in
///   Postmaster Tools below 0.1 % and never reach 0.3 % (Google, "Email
///   sender guidelines", 2024).
pub const THRESHOLDS: [Threshold; 3] = [
    Threshold {
        measure: "bounce_rate",
        warning: 0.05,
        limit: 0.10,
        source: "Amazon SES",
    },
    Threshold {
        measure: "complaint_rate",
        warning: 0.001,
        limit: 0.005,
        source: "Amazon SES",
    },
    Threshold {
        measure: "complaint_rate",
        warning: 0.001,
        limit: 0.003,
        source: "Gmail",
    },
];

/// The fewest sends to a domain for its failure rate to be ranked: a
/// domain sent to twice with one failure is not "50 % failing".
pub const MIN_SENDS_FOR_RATE: i64 = 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_names_round_trip_and_belong_somewhere() {
        for name in ChartName::CAMPAIGN.iter().chain(ChartName::DASHBOARD.iter()) {
            assert_eq!(name.as_str().parse::<ChartName>().ok(), Some(*name));
        }
        assert!(ChartName::CAMPAIGN.iter().all(|c| c.scope() == ChartScope::Campaign));
        assert!(ChartName::DASHBOARD.iter().all(|c| c.scope() == ChartScope::Dashboard));
        assert!("pie".parse::<ChartName>().is_err());
        assert!("../etc".parse::<ChartName>().is_err());
    }

    #[test]
    fn counts_fold_and_total() {
        let mut a = ClassCounts {
            hard: 1,
            soft: 2,
            undetermined: 3,
        };
        a.add(ClassCounts {
            hard: 10,
            soft: 0,
            undetermined: 1,
        });
        assert_eq!((a.hard, a.soft, a.undetermined, a.total()), (11, 2, 4, 17));
        assert_eq!(a.of(BounceClass::None), 0);
    }

    #[test]
    fn thresholds_warn_before_their_limit() {
        assert!(THRESHOLDS.iter().all(|t| t.warning < t.limit && t.limit < 1.0));
    }
}
