//! Selections: which contacts a marketer means, from their bounce history,
//! written as a JSON document (see `docs/selections.md`).
//!
//! A definition arrives as hostile JSON. [`Definition::parse`] checks it once
//! and turns it into a tree of [`Node`]s; every error names the place in the
//! document (`all[1].bounced.class`). The store compiles the tree into one
//! SQL query; nothing here knows SQL.

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value, json};

use crate::{BounceClass, Category, CodeFilter, ContactStatus, ParseError, Reason, Stage};

/// The longest definition text accepted (a hand-written one is a few hundred bytes).
pub const MAX_DEFINITION_BYTES: usize = 64 * 1024;
/// How deeply conditions may nest (including the levels saved selections add).
pub const MAX_DEPTH: usize = 16;
/// How many conditions one definition may hold, saved selections inlined.
pub const MAX_NODES: usize = 256;
/// The most campaign ids one condition may list.
pub const MAX_CAMPAIGNS: usize = 1_000;
/// The largest count a condition may ask for (`at_least`, `last_campaigns`).
pub const MAX_COUNT: u32 = 1_000;

/// A selection as saved: its name and canonical definition text.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SavedSelection {
    pub id: i64,
    pub name: String,
    /// The canonical JSON (see [`Definition::to_json`]).
    pub definition: String,
    pub updated_at: DateTime<Utc>,
}

/// A checked selection definition: the root of its condition tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    pub root: Node,
}

/// One condition on a contact.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Every condition holds.
    All(Vec<Node>),
    /// At least one condition holds.
    Any(Vec<Node>),
    /// The condition does not hold.
    Not(Box<Node>),
    /// The contact has at least so many failed sends matching every field.
    Bounced(Bounced),
    /// The contact's most recent attempted sends all failed.
    Consecutive(Consecutive),
    /// The contact was sent to in scope and no send in scope failed.
    NoError(Scope),
    /// The address is on the suppression list now.
    Suppressed,
    /// The contact has this status.
    Status(ContactStatus),
    /// The contact's address is at this domain (lower-case).
    Domain(String),
    /// The contact's domain looks like a misspelling of a large provider's
    /// (`crate::typo`).
    TypoDomain,
    /// The contact is in another saved selection.
    InSelection(SelectionName),
}

/// Which failures count: one class, or any of the three failure classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailureClass {
    Hard,
    Soft,
    Undetermined,
    /// Hard, soft or undetermined: any failure.
    #[default]
    Any,
}

impl FailureClass {
    /// Every value, in the order the builder offers them.
    pub const ALL: [FailureClass; 4] = [
        FailureClass::Any,
        FailureClass::Hard,
        FailureClass::Soft,
        FailureClass::Undetermined,
    ];

    /// The bounce classes this stands for. Auto-replies and deliveries
    /// (`none`) are never failures.
    pub fn classes(self) -> &'static [BounceClass] {
        match self {
            FailureClass::Hard => &[BounceClass::Hard],
            FailureClass::Soft => &[BounceClass::Soft],
            FailureClass::Undetermined => &[BounceClass::Undetermined],
            FailureClass::Any => &[BounceClass::Hard, BounceClass::Soft, BounceClass::Undetermined],
        }
    }

    /// The stable identifier in definitions.
    pub const fn as_str(self) -> &'static str {
        match self {
            FailureClass::Hard => "hard",
            FailureClass::Soft => "soft",
            FailureClass::Undetermined => "undetermined",
            FailureClass::Any => "any",
        }
    }

    fn parse(path: &str, value: &Value) -> Result<Self, ParseError> {
        let s = string(path, value)?;
        FailureClass::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| ParseError::at(path.to_owned(), s, "is not hard, soft, undetermined or any"))
    }
}

/// Which campaigns a condition looks at.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CampaignScope {
    /// Every campaign.
    #[default]
    All,
    /// These campaigns.
    Ids(Vec<i64>),
    /// The N most recently sent campaigns.
    Last(u32),
}

/// Where in time and which campaigns a condition looks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scope {
    pub campaigns: CampaignScope,
    /// Sends whose result came at or after this moment (a date means its midnight, UTC).
    pub since: Option<DateTime<Utc>>,
    /// Sends whose result came before this moment (a date `until` means the
    /// end of that day: the day itself is included).
    pub until: Option<DateTime<Utc>>,
}

/// `{"bounced": {...}}`: at least `at_least` failed sends matching every field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounced {
    pub at_least: u32,
    pub class: FailureClass,
    pub scope: Scope,
    /// Empty: any reason.
    pub reasons: Vec<Reason>,
    /// Empty: any category.
    pub categories: Vec<Category>,
    /// Empty: any stage.
    pub stages: Vec<Stage>,
    pub code: Option<CodeFilter>,
    pub domain: Option<String>,
    /// Count failures that fell in a provider incident too.
    pub include_incidents: bool,
}

impl Default for Bounced {
    fn default() -> Self {
        Self {
            at_least: 1,
            class: FailureClass::Any,
            scope: Scope::default(),
            reasons: Vec::new(),
            categories: Vec::new(),
            stages: Vec::new(),
            code: None,
            domain: None,
            include_incidents: false,
        }
    }
}

/// `{"consecutive": {...}}`: the contact's `at_least` most recent attempted
/// sends all failed with `class`. A send refused because the address was
/// suppressed is not an attempt and neither breaks nor extends the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Consecutive {
    pub class: FailureClass,
    pub at_least: u32,
}

/// The name a selection is saved under: 1 to 100 characters, trimmed, no
/// control characters. Names are compared as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SelectionName(String);

impl SelectionName {
    /// Checks a name from outside; `field` names where it came from.
    pub fn parse(field: &str, raw: &str) -> Result<Self, ParseError> {
        let name = raw.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(ParseError::at(field.to_owned(), raw, "must be 1 to 100 characters"));
        }
        if name.chars().any(char::is_control) {
            return Err(ParseError::at(field.to_owned(), raw, "contains control characters"));
        }
        Ok(Self(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SelectionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Definition {
    /// Parses and checks a definition from JSON text.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        if text.len() > MAX_DEFINITION_BYTES {
            return Err(ParseError::at("definition", "", "is longer than 64 KiB"));
        }
        // serde_json refuses nesting deeper than 128 levels on its own, so a
        // crafted `[[[[...` cannot exhaust the stack before we look at it.
        let value: Value = serde_json::from_str(text)
            .map_err(|e| ParseError::at("definition", "", format!("is not valid JSON ({e})")))?;
        Self::from_value(&value)
    }

    /// Checks a definition already parsed as JSON.
    pub fn from_value(value: &Value) -> Result<Self, ParseError> {
        let mut count = 0;
        let root = Node::parse("definition", value, 0, &mut count)?;
        Ok(Self { root })
    }

    /// The canonical JSON of this definition (what is stored).
    pub fn to_json(&self) -> Value {
        self.root.to_json()
    }

    /// The saved selections this definition names directly.
    pub fn references(&self) -> Vec<&SelectionName> {
        let mut names = Vec::new();
        self.root.walk(&mut |node| {
            if let Node::InSelection(name) = node {
                names.push(name);
            }
        });
        names
    }

    /// The definition with every `in_selection` replaced by that selection's
    /// conditions, so the store compiles one query. A reference to a missing
    /// selection or a cycle (`a` uses `b` uses `a`) is an error naming the chain.
    pub fn inline(&self, saved: &HashMap<SelectionName, Definition>) -> Result<Definition, ParseError> {
        let mut chain = Vec::new();
        let mut count = 0;
        let root = inline_node(&self.root, saved, &mut chain, 0, &mut count)?;
        Ok(Definition { root })
    }
}

fn inline_node(
    node: &Node,
    saved: &HashMap<SelectionName, Definition>,
    chain: &mut Vec<SelectionName>,
    depth: usize,
    count: &mut usize,
) -> Result<Node, ParseError> {
    *count += 1;
    if depth > MAX_DEPTH || *count > MAX_NODES {
        return Err(ParseError::at(
            "definition",
            "",
            format!(
                "nests deeper than {MAX_DEPTH} levels or holds more than {MAX_NODES} conditions once saved selections are included"
            ),
        ));
    }
    let mut each = |nodes: &[Node]| -> Result<Vec<Node>, ParseError> {
        nodes
            .iter()
            .map(|n| inline_node(n, saved, chain, depth + 1, count))
            .collect()
    };
    Ok(match node {
        Node::All(nodes) => Node::All(each(nodes)?),
        Node::Any(nodes) => Node::Any(each(nodes)?),
        Node::Not(inner) => Node::Not(Box::new(inline_node(inner, saved, chain, depth + 1, count)?)),
        Node::InSelection(name) => {
            if chain.contains(name) {
                let mut cycle: Vec<&str> = chain.iter().map(SelectionName::as_str).collect();
                cycle.push(name.as_str());
                return Err(ParseError::at(
                    "in_selection",
                    name.as_str(),
                    format!("refers back to itself: {}", cycle.join(" → ")),
                ));
            }
            let target = saved
                .get(name)
                .ok_or_else(|| ParseError::at("in_selection", name.as_str(), "is not a saved selection"))?;
            chain.push(name.clone());
            let inlined = inline_node(&target.root, saved, chain, depth + 1, count)?;
            chain.pop();
            inlined
        }
        leaf => leaf.clone(),
    })
}

impl Node {
    /// Visits this node and every node below it.
    pub fn walk<'a>(&'a self, visit: &mut impl FnMut(&'a Node)) {
        visit(self);
        match self {
            Node::All(nodes) | Node::Any(nodes) => nodes.iter().for_each(|n| n.walk(visit)),
            Node::Not(inner) => inner.walk(visit),
            _ => {}
        }
    }

    fn parse(path: &str, value: &Value, depth: usize, count: &mut usize) -> Result<Node, ParseError> {
        *count += 1;
        if depth >= MAX_DEPTH {
            return Err(ParseError::at(
                path.to_owned(),
                "",
                format!("nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        if *count > MAX_NODES {
            return Err(ParseError::at(
                path.to_owned(),
                "",
                format!("holds more than {MAX_NODES} conditions"),
            ));
        }
        let object = value.as_object().ok_or_else(|| {
            ParseError::at(
                path.to_owned(),
                &short(value),
                "is not a condition: an object with one key such as {\"bounced\": {...}}",
            )
        })?;
        let mut keys = object.iter();
        let (Some((key, body)), None) = (keys.next(), keys.next()) else {
            let names: Vec<&str> = object.keys().map(String::as_str).collect();
            return Err(ParseError::at(
                path.to_owned(),
                &names.join(", "),
                "must have exactly one key (all, any, not, bounced, consecutive, no_error, suppressed, status, domain, typo_domain, in_selection)",
            ));
        };
        let here = format!("{path}.{key}");
        let list = |count: &mut usize| -> Result<Vec<Node>, ParseError> {
            let items = body
                .as_array()
                .ok_or_else(|| ParseError::at(here.clone(), &short(body), "is not a list of conditions"))?;
            if items.is_empty() {
                return Err(ParseError::at(here.clone(), "[]", "needs at least one condition"));
            }
            items
                .iter()
                .enumerate()
                .map(|(i, item)| Node::parse(&format!("{here}[{i}]"), item, depth + 1, count))
                .collect()
        };
        Ok(match key.as_str() {
            "all" => Node::All(list(count)?),
            "any" => Node::Any(list(count)?),
            "not" => Node::Not(Box::new(Node::parse(&here, body, depth + 1, count)?)),
            "bounced" => Node::Bounced(Bounced::parse(&here, body)?),
            "consecutive" => Node::Consecutive(Consecutive::parse(&here, body)?),
            "no_error" => {
                let fields = Fields::new(&here, body, &["campaigns", "last_campaigns", "since", "until"])?;
                Node::NoError(fields.scope()?)
            }
            "suppressed" => {
                Fields::new(&here, body, &[])?;
                Node::Suppressed
            }
            "status" => {
                let s = string(&here, body)?;
                Node::Status(
                    s.parse()
                        .map_err(|e: ParseError| ParseError::at(here.clone(), s, e.problem))?,
                )
            }
            "domain" => Node::Domain(domain(&here, body)?),
            "typo_domain" => {
                Fields::new(&here, body, &[])?;
                Node::TypoDomain
            }
            "in_selection" => Node::InSelection(SelectionName::parse(&here, string(&here, body)?)?),
            other => {
                return Err(ParseError::at(
                    path.to_owned(),
                    other,
                    "is not a condition (all, any, not, bounced, consecutive, no_error, suppressed, status, domain, typo_domain, in_selection)",
                ));
            }
        })
    }

    /// The canonical JSON of this condition: defaults left out, lists sorted
    /// as given.
    pub fn to_json(&self) -> Value {
        match self {
            Node::All(nodes) => json!({ "all": nodes.iter().map(Node::to_json).collect::<Vec<_>>() }),
            Node::Any(nodes) => json!({ "any": nodes.iter().map(Node::to_json).collect::<Vec<_>>() }),
            Node::Not(inner) => json!({ "not": inner.to_json() }),
            Node::Bounced(b) => {
                let mut m = Map::new();
                if b.at_least != 1 {
                    m.insert("at_least".into(), json!(b.at_least));
                }
                m.insert("class".into(), json!(b.class.as_str()));
                b.scope.write(&mut m);
                let ids = |v: Vec<&str>| json!(v);
                if !b.reasons.is_empty() {
                    m.insert("reason".into(), ids(b.reasons.iter().map(|r| r.as_str()).collect()));
                }
                if !b.categories.is_empty() {
                    m.insert(
                        "category".into(),
                        ids(b.categories.iter().map(|c| c.as_str()).collect()),
                    );
                }
                if !b.stages.is_empty() {
                    m.insert("stage".into(), ids(b.stages.iter().map(|s| s.as_str()).collect()));
                }
                if let Some(code) = b.code {
                    m.insert("code".into(), json!(code.to_string()));
                }
                if let Some(domain) = &b.domain {
                    m.insert("domain".into(), json!(domain));
                }
                if b.include_incidents {
                    m.insert("include_incidents".into(), json!(true));
                }
                json!({ "bounced": m })
            }
            Node::Consecutive(c) => json!({ "consecutive": { "class": c.class.as_str(), "at_least": c.at_least } }),
            Node::NoError(scope) => {
                let mut m = Map::new();
                scope.write(&mut m);
                json!({ "no_error": m })
            }
            Node::Suppressed => json!({ "suppressed": {} }),
            Node::Status(s) => json!({ "status": s.as_str() }),
            Node::Domain(d) => json!({ "domain": d }),
            Node::TypoDomain => json!({ "typo_domain": {} }),
            Node::InSelection(name) => json!({ "in_selection": name.as_str() }),
        }
    }
}

impl Bounced {
    fn parse(path: &str, body: &Value) -> Result<Self, ParseError> {
        let f = Fields::new(
            path,
            body,
            &[
                "at_least",
                "class",
                "campaigns",
                "last_campaigns",
                "since",
                "until",
                "reason",
                "category",
                "stage",
                "code",
                "domain",
                "include_incidents",
            ],
        )?;
        // Failures in a provider incident (`crate::incident`) are left out
        // unless asked for: they are the provider's doing, not the address's.
        let include_incidents = match f.get("include_incidents") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(v) => {
                return Err(ParseError::at(
                    f.path("include_incidents"),
                    &short(v),
                    "is not true or false",
                ));
            }
        };
        Ok(Bounced {
            at_least: f.count("at_least", 1)?,
            class: f
                .get("class")
                .map(|v| FailureClass::parse(&f.path("class"), v))
                .transpose()?
                .unwrap_or_default(),
            scope: f.scope()?,
            reasons: f.ids("reason")?,
            categories: f.ids("category")?,
            stages: f.ids("stage")?,
            code: f
                .get("code")
                .map(|v| {
                    let p = f.path("code");
                    let s = string(&p, v)?;
                    s.parse::<CodeFilter>().map_err(|e| ParseError::at(p, s, e.problem))
                })
                .transpose()?,
            domain: f.get("domain").map(|v| domain(&f.path("domain"), v)).transpose()?,
            include_incidents,
        })
    }
}

impl Consecutive {
    fn parse(path: &str, body: &Value) -> Result<Self, ParseError> {
        let f = Fields::new(path, body, &["class", "at_least"])?;
        Ok(Consecutive {
            class: f
                .get("class")
                .map(|v| FailureClass::parse(&f.path("class"), v))
                .transpose()?
                .unwrap_or_default(),
            at_least: f.count("at_least", 1)?,
        })
    }
}

impl Scope {
    fn write(&self, m: &mut Map<String, Value>) {
        match &self.campaigns {
            CampaignScope::All => {}
            CampaignScope::Ids(ids) => {
                m.insert("campaigns".into(), json!(ids));
            }
            CampaignScope::Last(n) => {
                m.insert("last_campaigns".into(), json!(n));
            }
        }
        if let Some(since) = self.since {
            m.insert("since".into(), json!(since.to_rfc3339()));
        }
        if let Some(until) = self.until {
            m.insert("until".into(), json!(until.to_rfc3339()));
        }
    }
}

/// The fields of one condition's object, with unknown keys refused.
struct Fields<'a> {
    path: &'a str,
    map: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    fn new(path: &'a str, body: &'a Value, known: &[&str]) -> Result<Self, ParseError> {
        let map = body
            .as_object()
            .ok_or_else(|| ParseError::at(path.to_owned(), &short(body), "is not an object of fields"))?;
        if let Some(unknown) = map.keys().find(|k| !known.contains(&k.as_str())) {
            let problem = if known.is_empty() {
                "is not a field: this condition takes none".to_owned()
            } else {
                format!("is not a field here (known: {})", known.join(", "))
            };
            return Err(ParseError::at(format!("{path}.{unknown}"), unknown, problem));
        }
        Ok(Self { path, map })
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn path(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    fn count(&self, key: &str, default: u32) -> Result<u32, ParseError> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => count(&self.path(key), v),
        }
    }

    fn ids<T: std::str::FromStr<Err = ParseError>>(&self, key: &str) -> Result<Vec<T>, ParseError> {
        let Some(v) = self.get(key) else {
            return Ok(Vec::new());
        };
        let p = self.path(key);
        let items: Vec<&Value> = match v {
            Value::Array(items) if items.len() <= 100 => items.iter().collect(),
            Value::Array(_) => return Err(ParseError::at(p, "", "lists more than 100 values")),
            single => vec![single],
        };
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                let here = if v.is_array() { format!("{p}[{i}]") } else { p.clone() };
                let s = string(&here, item)?;
                s.parse::<T>().map_err(|e| ParseError::at(here, s, e.problem))
            })
            .collect()
    }

    fn scope(&self) -> Result<Scope, ParseError> {
        let campaigns = match (self.get("campaigns"), self.get("last_campaigns")) {
            (Some(_), Some(_)) => {
                return Err(ParseError::at(
                    self.path("last_campaigns"),
                    "",
                    "cannot be given together with campaigns",
                ));
            }
            (Some(v), None) => {
                let p = self.path("campaigns");
                let items = v
                    .as_array()
                    .ok_or_else(|| ParseError::at(p.clone(), &short(v), "is not a list of campaign ids"))?;
                if items.is_empty() || items.len() > MAX_CAMPAIGNS {
                    return Err(ParseError::at(
                        p,
                        "",
                        format!("must list 1 to {MAX_CAMPAIGNS} campaign ids"),
                    ));
                }
                let ids = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        item.as_i64()
                            .filter(|id| *id > 0)
                            .ok_or_else(|| ParseError::at(format!("{p}[{i}]"), &short(item), "is not a campaign id"))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                CampaignScope::Ids(ids)
            }
            (None, Some(v)) => CampaignScope::Last(count(&self.path("last_campaigns"), v)?),
            (None, None) => CampaignScope::All,
        };
        let since = self
            .get("since")
            .map(|v| moment(&self.path("since"), v, false))
            .transpose()?;
        let until = self
            .get("until")
            .map(|v| moment(&self.path("until"), v, true))
            .transpose()?;
        if let (Some(s), Some(u)) = (since, until)
            && u <= s
        {
            return Err(ParseError::at(
                self.path("until"),
                &u.to_rfc3339(),
                "is not after since",
            ));
        }
        Ok(Scope {
            campaigns,
            since,
            until,
        })
    }
}

fn string<'v>(path: &str, value: &'v Value) -> Result<&'v str, ParseError> {
    value
        .as_str()
        .ok_or_else(|| ParseError::at(path.to_owned(), &short(value), "is not a string"))
}

fn count(path: &str, value: &Value) -> Result<u32, ParseError> {
    value
        .as_u64()
        .filter(|n| (1..=u64::from(MAX_COUNT)).contains(n))
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| {
            ParseError::at(
                path.to_owned(),
                &short(value),
                format!("is not a whole number from 1 to {MAX_COUNT}"),
            )
        })
}

fn domain(path: &str, value: &Value) -> Result<String, ParseError> {
    let s = string(path, value)?;
    crate::query::parse_domain(s).map_err(|e| ParseError::at(path.to_owned(), s, e.problem))
}

/// A date (`2026-09-01`) or a moment (RFC 3339). A date given as `until`
/// includes that whole day, so it becomes the next midnight (exclusive).
fn moment(path: &str, value: &Value, end_of_day: bool) -> Result<DateTime<Utc>, ParseError> {
    let s = string(path, value)?.trim();
    if let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let day = if end_of_day { date.succ_opt() } else { Some(date) };
        if let Some(midnight) = day.and_then(|d| d.and_hms_opt(0, 0, 0)) {
            return Ok(midnight.and_utc());
        }
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| ParseError::at(path.to_owned(), s, "is not a date (2026-09-01) or an RFC 3339 time"))
}

/// A JSON value as a short text for an error message.
fn short(value: &Value) -> String {
    let mut text = value.to_string();
    if text.len() > 60 {
        let cut = (0..=60).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        text.truncate(cut);
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests;
