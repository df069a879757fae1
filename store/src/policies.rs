//! Applying the suppression policies (`bounce::policy`) to contacts as
//! results arrive: read their history, let the domain decide, record the blocks.

use std::collections::HashMap;

use bounce::policy::{self, Decision, Policy, Rule, SendFact};
use chrono::{DateTime, Utc};

use crate::{INSERT_CHUNK, NewSuppression, Result, Store, on_pool, push_in};

#[derive(sqlx::FromRow)]
struct FactRecord {
    contact_id: i64,
    email: String,
    at: DateTime<Utc>,
    outcome: Option<String>,
    class: Option<String>,
    reason: Option<String>,
    in_incident: bool,
}

#[derive(sqlx::FromRow)]
struct BlockRecord {
    email: String,
    rule: Option<String>,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
}

/// One contact's history as the policies read it.
struct History {
    email: String,
    /// After the last reset, in time order.
    sends: Vec<SendFact>,
    /// The first complaint, if any.
    complained_at: Option<DateTime<Utc>>,
}

/// Why a rule blocked an address, in words for the history.
fn why(d: &Decision) -> String {
    match d.rule {
        Rule::HardBounce => "hard bounce".to_owned(),
        Rule::RepeatedSoft => format!("{} soft bounces in the window", d.count),
        Rule::ConsecutiveHard => format!("{} hard bounces in a row", d.count),
        Rule::Complaint => "spam complaint".to_owned(),
        Rule::Unsubscribe => "unsubscribed".to_owned(),
    }
}

impl Store {
    /// Applies the policies to these contacts as of `now` and returns how
    /// many blocks were recorded. A block already in force that is as strong
    /// (or a lapsed one for the same failure) is not recorded again, so
    /// applying twice changes nothing.
    pub async fn apply_policies(&self, policy: &Policy, contact_ids: &[i64], now: DateTime<Utc>) -> Result<usize> {
        let mut recorded = 0;
        for chunk in contact_ids.chunks(INSERT_CHUNK) {
            let (facts, blocks): (Vec<FactRecord>, Vec<BlockRecord>) = on_pool!(self, pool, Db => {
                // Sends after the last reset in time order, then complaints
                // (feedback reports) as rows without an outcome.
                let mut b = sqlx::QueryBuilder::<Db>::new(
                    "SELECT s.contact_id, k.email, s.updated_at AS at, s.outcome, s.class, s.reason, \
                     (s.incident_id IS NOT NULL) AS in_incident \
                     FROM sends s JOIN contacts k ON k.id = s.contact_id \
                     WHERE (k.bounces_reset_at IS NULL OR s.updated_at > k.bounces_reset_at) AND s.contact_id IN",
                );
                push_in!(b, chunk);
                b.push(" UNION ALL SELECT e.contact_id, k.email, e.occurred_at AS at, NULL AS outcome, NULL AS class, \
                        e.reason, FALSE AS in_incident FROM delivery_events e JOIN contacts k ON k.id = e.contact_id \
                        WHERE e.reason = 'feedback' AND e.contact_id IN");
                push_in!(b, chunk);
                b.push(" ORDER BY 1, 3");
                let facts: Vec<FactRecord> = b.build_query_as().fetch_all(pool).await?;
                let mut p = sqlx::QueryBuilder::<Db>::new(
                    "SELECT p.email, p.rule, p.created_at, p.expires_at FROM suppressions p \
                     JOIN contacts k ON k.email = p.email WHERE k.id IN",
                );
                push_in!(p, chunk);
                let blocks: Vec<BlockRecord> = p.build_query_as().fetch_all(pool).await?;
                (facts, blocks)
            });
            let blocks: HashMap<String, BlockRecord> = blocks.into_iter().map(|b| (b.email.clone(), b)).collect();
            let mut histories: HashMap<i64, History> = HashMap::new();
            for f in facts {
                let entry = histories.entry(f.contact_id).or_insert_with(|| History {
                    email: f.email.clone(),
                    sends: Vec::new(),
                    complained_at: None,
                });
                match f.outcome {
                    None => {
                        entry.complained_at.get_or_insert(f.at);
                    }
                    Some(outcome) => entry.sends.push(SendFact {
                        at: f.at,
                        outcome: outcome.parse()?,
                        class: f.class.as_deref().map(str::parse).transpose()?,
                        reason: f.reason.as_deref().map(str::parse).transpose()?,
                        in_incident: f.in_incident,
                    }),
                }
            }
            let mut new = Vec::new();
            for History {
                email,
                sends,
                complained_at,
            } in histories.into_values()
            {
                let Some(decision) = policy::evaluate(policy, &sends, complained_at) else {
                    continue;
                };
                if decision.expires_at.is_some_and(|end| end <= now) || already_blocked(blocks.get(&email), &decision) {
                    continue;
                }
                new.push(NewSuppression {
                    email: email.parse()?,
                    reason: why(&decision),
                    source: format!("rule:{}", decision.rule.as_str()),
                    rule: Some(decision.rule),
                    status: decision.rule.status(),
                    created_at: decision.at,
                    expires_at: decision.expires_at,
                });
            }
            new.sort_by(|a, b| a.email.cmp(&b.email));
            recorded += new.len();
            self.suppress_all(&new).await?;
        }
        Ok(recorded)
    }

    /// Every suppressed contact with when its block lapses (`None`: never),
    /// for senders that must refuse them (the demo generator).
    pub async fn blocked_contacts(&self) -> Result<Vec<(i64, Option<DateTime<Utc>>)>> {
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, (i64, Option<DateTime<Utc>>)>(
                "SELECT k.id, p.expires_at FROM suppressions p JOIN contacts k ON k.email = p.email",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }
}

/// Whether the existing suppression already covers this decision: a block
/// by a rule at least as strong that started no earlier (a new hard bounce
/// after a block lapsed starts a new block), or a manual one without expiry.
fn already_blocked(existing: Option<&BlockRecord>, d: &Decision) -> bool {
    let Some(b) = existing else {
        return false;
    };
    let rank = b
        .rule
        .as_deref()
        .and_then(|r| Rule::ALL.into_iter().find(|x| x.as_str() == r))
        .map(Rule::rank);
    match rank {
        None => b.expires_at.is_none(),
        Some(rank) => rank > d.rule.rank() || (rank == d.rule.rank() && b.created_at >= d.at),
    }
}
