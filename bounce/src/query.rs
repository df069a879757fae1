//! What a user asks of the Errors tab: filters and a page position.
//!
//! The raw query string ([`ErrorQuery`]) is what arrives from the URL; it is
//! parsed once into an [`ErrorFilter`] and a [`PageRequest`], and only those
//! travel on to the store.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{BounceClass, Category, EnhancedStatus, ParseError, Reason, ReplyCode, Stage};

/// How many rows an Errors page shows unless asked otherwise.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// The most rows one page may ask for.
pub const MAX_PAGE_SIZE: u32 = 500;
/// The longest free-text search we accept.
pub const MAX_SEARCH_CHARS: usize = 200;

/// A search term as typed: at most `max` characters and no control
/// characters. A NUL cannot be stored in (or compared with) PostgreSQL text,
/// and no stored text holds a control character (white space is folded on
/// the way in), so such a term is refused with its field named rather than
/// sent to the database.
pub fn parse_search(field: &'static str, term: String, max: usize) -> Result<String, ParseError> {
    if term.chars().count() > max {
        return Err(ParseError::at(field, &term, format!("is longer than {max} characters")));
    }
    if term.chars().any(char::is_control) {
        return Err(ParseError::new(field, &term, "contains a control character"));
    }
    Ok(term)
}

/// The Errors tab's query string, exactly as it came from the URL.
///
/// Empty strings mean "not set", the way an HTML form submits unset fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorQuery {
    pub stage: String,
    pub class: String,
    pub reason: String,
    pub category: String,
    pub code: String,
    pub domain: String,
    pub q: String,
    /// `1`: failures only (auto-replies left out), as the charts count.
    pub failed: String,
    /// A time window, `from` inclusive and `to` exclusive (RFC 3339).
    pub from: String,
    pub to: String,
    pub after: String,
    pub before: String,
}

impl ErrorQuery {
    /// The URL query parameters of this query, without the page position,
    /// for links that keep the filters (pagination, tabs).
    pub fn filter_pairs(&self) -> Vec<(&'static str, &str)> {
        [
            ("stage", self.stage.as_str()),
            ("class", self.class.as_str()),
            ("reason", self.reason.as_str()),
            ("category", self.category.as_str()),
            ("code", self.code.as_str()),
            ("domain", self.domain.as_str()),
            ("q", self.q.as_str()),
            ("failed", self.failed.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .collect()
    }

    /// Parses the filters and the page position.
    pub fn parse(&self) -> Result<(ErrorFilter, PageRequest), ParseError> {
        let set = |s: &str| {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_owned())
        };
        let filter = ErrorFilter {
            stage: set(&self.stage).map(|s| s.parse()).transpose()?,
            class: set(&self.class).map(|s| s.parse()).transpose()?,
            reason: set(&self.reason).map(|s| s.parse()).transpose()?,
            category: set(&self.category).map(|s| s.parse()).transpose()?,
            code: set(&self.code).map(|s| s.parse()).transpose()?,
            domain: set(&self.domain).map(|s| parse_domain(&s)).transpose()?,
            search: set(&self.q)
                .map(|s| parse_search("search", s, MAX_SEARCH_CHARS))
                .transpose()?,
            failed_only: match set(&self.failed).as_deref() {
                None | Some("0") => false,
                Some("1") => true,
                Some(other) => return Err(ParseError::new("failed", other, "is not 1 or 0")),
            },
            from: set(&self.from).map(|s| parse_time("from", &s)).transpose()?,
            to: set(&self.to).map(|s| parse_time("to", &s)).transpose()?,
        };
        let position = match (set(&self.after), set(&self.before)) {
            (Some(_), Some(_)) => {
                return Err(ParseError::new("page", "after and before", "cannot both be set"));
            }
            (Some(after), None) => PageDirection::Older(after.parse()?),
            (None, Some(before)) => PageDirection::Newer(before.parse()?),
            (None, None) => PageDirection::First,
        };
        Ok((
            filter,
            PageRequest {
                direction: position,
                limit: DEFAULT_PAGE_SIZE,
            },
        ))
    }

    /// The query string that shows `filter` on the first page: the way back
    /// from a chart's bar to its rows.
    pub fn of_filter(filter: &ErrorFilter) -> Self {
        let text = |t: Option<DateTime<Utc>>| {
            t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default()
        };
        ErrorQuery {
            stage: filter.stage.map(|s| s.as_str().to_owned()).unwrap_or_default(),
            class: filter.class.map(|c| c.as_str().to_owned()).unwrap_or_default(),
            reason: filter.reason.map(|r| r.as_str().to_owned()).unwrap_or_default(),
            category: filter.category.map(|c| c.as_str().to_owned()).unwrap_or_default(),
            code: filter.code.map(|c| c.to_string()).unwrap_or_default(),
            domain: filter.domain.clone().unwrap_or_default(),
            q: filter.search.clone().unwrap_or_default(),
            failed: if filter.failed_only { "1".into() } else { String::new() },
            from: text(filter.from),
            to: text(filter.to),
            after: String::new(),
            before: String::new(),
        }
    }
}

fn parse_time(field: &'static str, s: &str) -> Result<DateTime<Utc>, ParseError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| ParseError::new(field, s, "is not a time such as 2026-09-01T10:00:00Z"))
}

pub(crate) fn parse_domain(s: &str) -> Result<String, ParseError> {
    let domain = s.trim().trim_start_matches('@').to_lowercase();
    let ok = !domain.is_empty()
        && domain.len() <= 253
        && domain.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    if ok {
        Ok(domain)
    } else {
        Err(ParseError::new("domain", s, "is not a domain name"))
    }
}

/// The filters of the Errors tab, parsed. `None` means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorFilter {
    pub stage: Option<Stage>,
    pub class: Option<BounceClass>,
    pub reason: Option<Reason>,
    pub category: Option<Category>,
    pub code: Option<CodeFilter>,
    /// The receiving domain, lower-case, matched exactly.
    pub domain: Option<String>,
    /// Words to find in the remote server's text (case-insensitive substring).
    pub search: Option<String>,
    /// Failures only: auto-replies (class `none`) left out.
    #[serde(default)]
    pub failed_only: bool,
    /// Events at or after this time.
    #[serde(default)]
    pub from: Option<DateTime<Utc>>,
    /// Events before this time.
    #[serde(default)]
    pub to: Option<DateTime<Utc>>,
}

impl ErrorFilter {
    /// Whether no index narrows this filter to a range of the campaign's
    /// rows, so a query may read many of them: a text search (a short one
    /// scans; a long one gathers every match of the trigram index first) or
    /// a code prefix (a range of reply codes, a status class). Stage, class,
    /// reason, category and domain each have an index led by the campaign.
    pub fn may_scan(&self) -> bool {
        self.search.is_some() || self.code.is_some()
    }
}

/// A filter on the codes a server answered with: either a prefix of the
/// enhanced status (`5`, `5.1`, `5.1.1`) or of the reply code (`5`, `55`, `550`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodeFilter {
    /// `5.1` matches `5.1.1` and `5.1.10` but not `5.10.1`.
    Status {
        class: u8,
        subject: Option<u16>,
        detail: Option<u16>,
    },
    /// `55` matches 550 to 559: the inclusive range of reply codes.
    Reply { low: u16, high: u16 },
}

impl CodeFilter {
    /// Whether a status or reply code pair matches this filter.
    pub fn matches(self, reply: Option<ReplyCode>, status: Option<EnhancedStatus>) -> bool {
        match self {
            CodeFilter::Status { class, subject, detail } => status.is_some_and(|s| {
                s.class() == class
                    && subject.is_none_or(|sub| s.subject() == sub)
                    && detail.is_none_or(|d| s.detail() == d)
            }),
            CodeFilter::Reply { low, high } => reply.is_some_and(|r| (low..=high).contains(&r.get())),
        }
    }
}

impl FromStr for CodeFilter {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ParseError::new("code", s, "is not a reply code (550, 55) or status (5.1, 5.1.1) prefix");
        let t = s.trim();
        let digits = |p: &str, max: usize| -> Result<u16, ParseError> {
            if p.is_empty() || p.len() > max || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            p.parse().map_err(|_| bad())
        };
        if t.contains('.') {
            let parts: Vec<&str> = t.split('.').collect();
            if parts.len() > 3 {
                return Err(bad());
            }
            let class = digits(parts[0], 1)?;
            if !matches!(class, 2 | 4 | 5) {
                return Err(bad());
            }
            let subject = parts.get(1).map(|p| digits(p, 3)).transpose()?;
            let detail = parts.get(2).map(|p| digits(p, 3)).transpose()?;
            return Ok(CodeFilter::Status {
                class: class as u8,
                subject,
                detail,
            });
        }
        let value = digits(t, 3)?;
        let (low, high) = match t.len() {
            1 => (value * 100, value * 100 + 99),
            2 => (value * 10, value * 10 + 9),
            _ => (value, value),
        };
        if !(2..=5).contains(&(low / 100)) {
            return Err(bad());
        }
        Ok(CodeFilter::Reply { low, high })
    }
}

impl fmt::Display for CodeFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            CodeFilter::Status { class, subject, detail } => {
                write!(f, "{class}")?;
                if let Some(s) = subject {
                    write!(f, ".{s}")?;
                }
                if let Some(d) = detail {
                    write!(f, ".{d}")?;
                }
                Ok(())
            }
            CodeFilter::Reply { low, high } if low == high => write!(f, "{low}"),
            CodeFilter::Reply { low, high } if high - low == 9 => write!(f, "{}", low / 10),
            CodeFilter::Reply { low, .. } => write!(f, "{}", low / 100),
        }
    }
}

/// A position in the time-ordered list of events: the time and id of the
/// last row seen. Keyset pagination needs no OFFSET, so page 1000 costs what
/// page 1 costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub occurred_at: DateTime<Utc>,
    pub id: i64,
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", self.occurred_at.timestamp_micros(), self.id)
    }
}

impl FromStr for Cursor {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ParseError::new("page", s, "is not a page position");
        let (micros, id) = s.trim().split_once('_').ok_or_else(bad)?;
        let micros: i64 = micros.parse().map_err(|_| bad())?;
        let id: i64 = id.parse().map_err(|_| bad())?;
        let occurred_at = DateTime::from_timestamp_micros(micros).ok_or_else(bad)?;
        Ok(Cursor { occurred_at, id })
    }
}

/// Which page of the newest-first list to fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PageDirection {
    /// The newest events.
    First,
    /// The events older than the cursor (the "next" page).
    Older(Cursor),
    /// The events newer than the cursor (the "previous" page).
    Newer(Cursor),
}

/// A page of the Errors list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    pub direction: PageDirection,
    pub limit: u32,
}

impl PageRequest {
    /// The first page with the default size.
    pub const fn first() -> Self {
        Self {
            direction: PageDirection::First,
            limit: DEFAULT_PAGE_SIZE,
        }
    }

    /// The limit, clamped to a sane range.
    pub fn clamped_limit(self) -> u32 {
        self.limit.clamp(1, MAX_PAGE_SIZE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> ErrorQuery {
        let mut q = ErrorQuery::default();
        for (k, v) in pairs {
            let v = (*v).to_owned();
            match *k {
                "stage" => q.stage = v,
                "class" => q.class = v,
                "reason" => q.reason = v,
                "category" => q.category = v,
                "code" => q.code = v,
                "domain" => q.domain = v,
                "q" => q.q = v,
                "failed" => q.failed = v,
                "from" => q.from = v,
                "to" => q.to = v,
                "after" => q.after = v,
                "before" => q.before = v,
                other => panic!("unknown key {other}"),
            }
        }
        q
    }

    #[test]
    fn empty_query_is_first_page_without_filters() {
        let (filter, page) = ErrorQuery::default().parse().expect("empty parses");
        assert_eq!(filter, ErrorFilter::default());
        assert_eq!(page.direction, PageDirection::First);
    }

    #[test]
    fn filters_parse_into_domain_types() {
        let (filter, _) = query(&[
            ("stage", "rcpt_to"),
            ("class", "hard"),
            ("code", "5.1"),
            ("domain", " @Ziggo.NL "),
        ])
        .parse()
        .expect("valid");
        assert_eq!(filter.stage, Some(Stage::RcptTo));
        assert_eq!(filter.class, Some(BounceClass::Hard));
        assert_eq!(
            filter.code,
            Some(CodeFilter::Status {
                class: 5,
                subject: Some(1),
                detail: None
            })
        );
        assert_eq!(filter.domain.as_deref(), Some("ziggo.nl"));
        let (filter, _) = query(&[("reason", "mailboxfull"), ("category", "bad_domain")])
            .parse()
            .expect("valid");
        assert_eq!(filter.reason, Some(Reason::MailboxFull));
        assert_eq!(filter.category, Some(Category::BadDomain));
    }

    #[test]
    fn bad_values_name_their_field() {
        let err = query(&[("stage", "bogus")]).parse().expect_err("bad stage");
        assert_eq!(err.field, "stage");
        let err = query(&[("reason", "bounced")]).parse().expect_err("bad reason");
        assert_eq!(err.field, "reason");
        let err = query(&[("category", "spam")]).parse().expect_err("bad category");
        assert_eq!(err.field, "category");
        let err = query(&[("code", "5.x")]).parse().expect_err("bad code");
        assert_eq!(err.field, "code");
        let err = query(&[("domain", "<script>")]).parse().expect_err("bad domain");
        assert_eq!(err.field, "domain");
        let err = query(&[("after", "yesterday")]).parse().expect_err("bad cursor");
        assert_eq!(err.field, "page");
    }

    #[test]
    fn status_prefix_respects_segment_boundaries() {
        let filter: CodeFilter = "5.1".parse().expect("valid");
        let s = |t: &str| Some(t.parse::<EnhancedStatus>().expect("valid"));
        assert!(filter.matches(None, s("5.1.1")));
        assert!(filter.matches(None, s("5.1.10")));
        assert!(!filter.matches(None, s("5.10.1")));
        assert!(!filter.matches(None, s("4.1.1")));
        assert!(!filter.matches(None, None));
    }

    #[test]
    fn reply_prefix_is_a_range() {
        let r = |c: u16| Some(ReplyCode::new(c).expect("valid"));
        let filter: CodeFilter = "55".parse().expect("valid");
        assert_eq!(filter, CodeFilter::Reply { low: 550, high: 559 });
        assert!(filter.matches(r(554), None));
        assert!(!filter.matches(r(450), None));
        assert_eq!("4".parse::<CodeFilter>(), Ok(CodeFilter::Reply { low: 400, high: 499 }));
        assert!("7".parse::<CodeFilter>().is_err());
        assert!("5555".parse::<CodeFilter>().is_err());
    }

    #[test]
    fn code_filters_display_as_typed() {
        for typed in ["5", "55", "550", "5.1", "5.1.1", "4.7.26"] {
            let filter: CodeFilter = typed.parse().expect("valid");
            assert_eq!(filter.to_string(), typed);
        }
    }

    #[test]
    fn cursor_round_trips() {
        let cursor = Cursor {
            occurred_at: DateTime::from_timestamp(1_780_000_000, 123_456_000).expect("valid time"),
            id: 42,
        };
        assert_eq!(cursor.to_string().parse::<Cursor>(), Ok(cursor));
    }

    #[test]
    fn filter_pairs_skip_empty_fields() {
        let q = query(&[("stage", "dns"), ("q", " "), ("after", "1_2")]);
        assert_eq!(q.filter_pairs(), vec![("stage", "dns")]);
    }
}
