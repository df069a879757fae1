//! Turns a selection's condition tree into one SQL predicate on `contacts k`.
//!
//! The SQL is the same text on both backends (window functions, `IN`
//! subqueries, `$n` placeholders); values travel as binds, never as text.
//! Each condition is a non-correlated `IN (subquery)`, which both planners
//! evaluate once per query rather than once per contact.

use std::fmt::Write;

use bounce::selection::{Bounced, CampaignScope, Consecutive, FailureClass, Node, Scope};
use bounce::{CodeFilter, ParseError, Reason};
use chrono::{DateTime, Utc};

/// A value to bind to a placeholder.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Bind {
    Int(i64),
    Text(String),
    Time(DateTime<Utc>),
}

/// SQL text with numbered placeholders and their values.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Sql {
    pub text: String,
    pub binds: Vec<Bind>,
}

impl Sql {
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    pub fn bind(&mut self, value: Bind) -> &mut Self {
        self.binds.push(value);
        let _ = write!(self.text, "${}", self.binds.len());
        self
    }

    fn list<T>(&mut self, items: impl IntoIterator<Item = T>, bind: impl Fn(T) -> Bind) -> &mut Self {
        self.push("(");
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(bind(item));
        }
        self.push(")")
    }
}

/// Binds every value of `$sql` to `$query` (a sqlx query of either backend).
macro_rules! bind_all {
    ($query:expr, $sql:expr) => {{
        let mut q = $query;
        for value in &$sql.binds {
            q = match value {
                $crate::selections::compile::Bind::Int(v) => q.bind(*v),
                $crate::selections::compile::Bind::Text(v) => q.bind(v.clone()),
                $crate::selections::compile::Bind::Time(v) => q.bind(*v),
            };
        }
        q
    }};
}
pub(crate) use bind_all;

/// The failure classes as SQL text values.
fn classes(class: FailureClass) -> impl Iterator<Item = Bind> {
    class.classes().iter().map(|c| Bind::Text(c.as_str().to_owned()))
}

/// `k.<something>` holds for the contacts `node` selects. `now` decides
/// which suppressions are in force. A reference to a saved selection must
/// have been inlined before.
pub(crate) fn predicate(sql: &mut Sql, node: &Node, now: DateTime<Utc>) -> Result<(), ParseError> {
    match node {
        Node::All(nodes) | Node::Any(nodes) => {
            let joiner = if matches!(node, Node::All(_)) { " AND " } else { " OR " };
            sql.push("(");
            for (i, n) in nodes.iter().enumerate() {
                if i > 0 {
                    sql.push(joiner);
                }
                predicate(sql, n, now)?;
            }
            sql.push(")");
        }
        Node::Not(inner) => {
            sql.push("NOT (");
            predicate(sql, inner, now)?;
            sql.push(")");
        }
        Node::Bounced(b) => bounced(sql, b),
        Node::Consecutive(c) => consecutive(sql, c),
        Node::NoError(scope) => {
            // Two sets rather than one GROUP BY over every send in scope: a
            // campaign's sends are read from one covering index, and the
            // failed ones are few (4.3 s against 0.8 s for two campaigns of
            // a million sends each, docs/performance.md).
            sql.push("(k.id IN (SELECT s.contact_id FROM sends s WHERE s.outcome <> 'rejected'");
            push_scope(sql, scope);
            sql.push(") AND k.id NOT IN (SELECT s.contact_id FROM sends s WHERE s.class IN ")
                .list(classes(FailureClass::Any), |b| b);
            push_scope(sql, scope);
            sql.push("))");
        }
        Node::Suppressed => {
            sql.push("k.email IN (SELECT p.email FROM suppressions p WHERE p.expires_at IS NULL OR p.expires_at > ")
                .bind(Bind::Time(now))
                .push(")");
        }
        Node::Status(status) => {
            sql.push("k.status = ").bind(Bind::Text(status.as_str().to_owned()));
        }
        Node::Domain(domain) => {
            sql.push("k.domain = ").bind(Bind::Text(domain.clone()));
        }
        Node::TypoDomain => {
            sql.push("k.typo_of IS NOT NULL");
        }
        Node::InSelection(name) => {
            return Err(ParseError::at(
                "in_selection",
                name.as_str(),
                "was not resolved before compiling",
            ));
        }
    }
    Ok(())
}

/// Failures in a provider incident are the provider's doing: left out
/// unless a `bounced` condition asks for them, and never part of a run of
/// `consecutive` failures (such a send is passed over like a refused one).
const NOT_IN_INCIDENT: &str = " AND s.incident_id IS NULL";

/// Sends before a contact's reset no longer count.
const AFTER_RESET: &str = " AND (r.bounces_reset_at IS NULL OR s.updated_at > r.bounces_reset_at)";

fn bounced(sql: &mut Sql, b: &Bounced) {
    sql.push(
        "k.id IN (SELECT s.contact_id FROM sends s JOIN contacts r ON r.id = s.contact_id \
         WHERE s.class IN ",
    )
    .list(classes(b.class), |v| v)
    .push(AFTER_RESET);
    if !b.include_incidents {
        sql.push(NOT_IN_INCIDENT);
    }
    push_scope(sql, &b.scope);
    if !b.reasons.is_empty() {
        sql.push(" AND s.reason IN ")
            .list(b.reasons.iter(), |r| Bind::Text(r.as_str().to_owned()));
    }
    if !b.categories.is_empty() {
        // The category is a function of the reason: no column of its own.
        let reasons = Reason::ALL.iter().filter(|r| b.categories.contains(&r.category()));
        sql.push(" AND s.reason IN ")
            .list(reasons, |r| Bind::Text(r.as_str().to_owned()));
    }
    if !b.stages.is_empty() {
        sql.push(" AND s.stage IN ")
            .list(b.stages.iter(), |s| Bind::Text(s.as_str().to_owned()));
    }
    match b.code {
        Some(CodeFilter::Reply { low, high }) => {
            sql.push(" AND s.reply_code BETWEEN ")
                .bind(Bind::Int(i64::from(low)))
                .push(" AND ")
                .bind(Bind::Int(i64::from(high)));
        }
        Some(CodeFilter::Status {
            class,
            subject: Some(subject),
            detail: Some(detail),
        }) => {
            sql.push(" AND s.enhanced_status = ")
                .bind(Bind::Text(format!("{class}.{subject}.{detail}")));
        }
        Some(CodeFilter::Status { class, subject, .. }) => {
            let prefix = match subject {
                Some(subject) => format!("{class}.{subject}.%"),
                None => format!("{class}.%"),
            };
            sql.push(" AND s.enhanced_status LIKE ").bind(Bind::Text(prefix));
        }
        None => {}
    }
    if let Some(domain) = &b.domain {
        sql.push(" AND r.domain = ").bind(Bind::Text(domain.clone()));
    }
    sql.push(" GROUP BY s.contact_id HAVING COUNT(*) >= ")
        .bind(Bind::Int(i64::from(b.at_least)))
        .push(")");
}

fn consecutive(sql: &mut Sql, c: &Consecutive) {
    let n = Bind::Int(i64::from(c.at_least));
    // Only contacts with at least N such failures can have N in a row: the
    // partial index on failed sends finds them, and the window function then
    // ranks the sends of those few contacts instead of every send.
    sql.push(
        "k.id IN (SELECT t.contact_id FROM (\
         SELECT s.contact_id, s.class, ROW_NUMBER() OVER (PARTITION BY s.contact_id \
         ORDER BY s.updated_at DESC, s.id DESC) AS rn \
         FROM sends s JOIN contacts r ON r.id = s.contact_id \
         WHERE s.outcome <> 'rejected'",
    )
    .push(AFTER_RESET)
    .push(NOT_IN_INCIDENT)
    .push(" AND s.contact_id IN (SELECT f.contact_id FROM sends f WHERE f.incident_id IS NULL AND f.class IN ")
    .list(classes(c.class), |v| v)
    .push(" GROUP BY f.contact_id HAVING COUNT(*) >= ")
    .bind(n.clone())
    .push(")) t WHERE t.rn <= ")
    .bind(n.clone())
    .push(" GROUP BY t.contact_id HAVING COUNT(*) = ")
    .bind(n.clone())
    .push(" AND SUM(CASE WHEN t.class IN ")
    .list(classes(c.class), |v| v)
    .push(" THEN 1 ELSE 0 END) = ")
    .bind(n)
    .push(")");
}

fn push_scope(sql: &mut Sql, scope: &Scope) {
    match &scope.campaigns {
        CampaignScope::All => {}
        CampaignScope::Ids(ids) => {
            sql.push(" AND s.campaign_id IN ").list(ids.iter(), |id| Bind::Int(*id));
        }
        CampaignScope::Last(n) => {
            sql.push(
                " AND s.campaign_id IN (SELECT lc.id FROM campaigns lc ORDER BY lc.sent_at DESC, lc.id DESC LIMIT ",
            )
            .bind(Bind::Int(i64::from(*n)))
            .push(")");
        }
    }
    if let Some(since) = scope.since {
        sql.push(" AND s.updated_at >= ").bind(Bind::Time(since));
    }
    if let Some(until) = scope.until {
        sql.push(" AND s.updated_at < ").bind(Bind::Time(until));
    }
}

/// The failure classes, for queries that need "any failure" literally.
pub(crate) const FAILED: &str = "('hard', 'soft', 'undetermined')";

#[cfg(test)]
mod tests {
    use bounce::selection::Definition;

    use super::*;

    #[test]
    fn values_are_bound_never_spliced_into_the_text() {
        let def = Definition::parse(
            r#"{"all": [{"domain": "x.nl"}, {"bounced": {"reason": "userunknown", "code": "5.1"}}]}"#,
        )
        .expect("valid");
        let mut sql = Sql::default();

        predicate(&mut sql, &def.root, Utc::now()).expect("compiles");

        assert!(
            !sql.text.contains("x.nl") && !sql.text.contains("userunknown"),
            "{}",
            sql.text
        );
        assert_eq!(sql.text.matches('$').count(), sql.binds.len());
        assert!(sql.binds.contains(&Bind::Text("5.1.%".into())));
    }
}
