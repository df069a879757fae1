//! Server functions of the suppression list, the contact page and the
//! policy settings.

use bounce::contact::{ContactDetail, SuppressionRow};
use bounce::policy::Policy;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::AppError;

/// Rows per page of the suppression list.
pub const SUPPRESSIONS_PAGE: i64 = 100;
/// The most addresses one "add" may hold.
pub const MAX_ADDED: usize = 10_000;

/// One page of the suppression list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuppressionPage {
    pub rows: Vec<SuppressionRow>,
    pub total: i64,
    pub offset: i64,
}

/// What adding addresses by hand did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Added {
    pub added: usize,
    /// Lines that are not addresses, each as "line N: why" (nothing is added then).
    pub refused: Vec<String>,
}

/// A page of the suppression list: `q` part of an address, `rule` a rule
/// id or `manual`, `source` who added it exactly, `offset` rows skipped.
#[server(endpoint = "list_suppressions")]
pub async fn list_suppressions(
    q: String,
    rule: String,
    source: String,
    offset: String,
) -> Result<SuppressionPage, AppError> {
    use bounce::ParseError;
    use bounce::policy::Rule;

    let store = super::server::store()?;
    let set = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let rule = set(&rule);
    if let Some(r) = &rule
        && r != "manual"
        && !Rule::ALL.iter().any(|x| x.as_str() == r)
    {
        return Err(super::server::invalid(ParseError::at(
            "rule",
            r,
            "is not a policy rule or `manual`",
        )));
    }
    let offset = match set(&offset) {
        None => 0,
        Some(o) => o
            .parse::<i64>()
            .ok()
            .filter(|o| *o >= 0)
            .ok_or_else(|| super::server::invalid(ParseError::at("offset", &o, "is not a row number")))?,
    };
    // An address is at most 254 characters (RFC 5321's path limit).
    let q = set(&q)
        .map(|q| bounce::parse_search("q", q, 254))
        .transpose()
        .map_err(super::server::invalid)?;
    let query = store::SuppressionQuery {
        search: q,
        rule,
        source: set(&source),
        limit: SUPPRESSIONS_PAGE,
        offset,
    };
    let (rows, total) = super::server::answer(store.suppressions(&query).await)?;
    Ok(SuppressionPage { rows, total, offset })
}

/// When a block given as a number of days lapses (`""`: never).
#[cfg(feature = "ssr")]
pub(super) fn expiry(
    days: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, AppError> {
    let days = days.trim();
    if days.is_empty() {
        return Ok(None);
    }
    days.parse::<i64>()
        .ok()
        .filter(|d| (1..=3650).contains(d))
        .map(|d| Some(now + chrono::Duration::days(d)))
        .ok_or_else(|| {
            super::server::invalid(bounce::ParseError::at(
                "days",
                days,
                "is not a number of days from 1 to 3650",
            ))
        })
}

/// Adds addresses by hand, one per line (or separated by commas or
/// semicolons), with a reason and an optional expiry in days. All or
/// nothing: any line that is not an address is reported and nothing is added.
#[server(endpoint = "add_suppressions")]
pub async fn add_suppressions(addresses: String, reason: String, days: String) -> Result<Added, AppError> {
    use bounce::account::{AuditAction, Role};
    use bounce::{ContactStatus, EmailAddress};

    let caller = super::server::require(Role::Marketer)?;
    let store = super::server::store()?;
    let now = chrono::Utc::now();
    let expires_at = expiry(&days, now)?;
    let mut emails = Vec::new();
    let mut refused = Vec::new();
    for (n, line) in addresses.lines().enumerate() {
        for item in line.split([',', ';']).map(str::trim).filter(|s| !s.is_empty()) {
            match item.parse::<EmailAddress>() {
                Ok(e) => emails.push(e),
                Err(e) if refused.len() < 50 => refused.push(format!("line {}: {e}", n + 1)),
                Err(_) => {}
            }
        }
        if emails.len() > MAX_ADDED {
            refused.push(format!("more than {MAX_ADDED} addresses: add them in parts"));
            break;
        }
    }
    if !refused.is_empty() {
        return Ok(Added { added: 0, refused });
    }
    emails.sort();
    emails.dedup();
    let reason = if reason.trim().is_empty() {
        "added by hand".to_owned()
    } else {
        reason.trim().to_owned()
    };
    let items: Vec<store::NewSuppression> = emails
        .iter()
        .map(|email| store::NewSuppression {
            email: email.clone(),
            reason: reason.clone(),
            source: "user".to_owned(),
            rule: None,
            status: ContactStatus::Suppressed,
            created_at: now,
            expires_at,
        })
        .collect();
    super::server::answer(store.suppress_all(&items).await)?;
    let detail = format!("{} addresses ({reason}){}", items.len(), sample(&emails));
    super::server::audit(&store, &caller, AuditAction::Suppress, &detail).await?;
    Ok(Added {
        added: items.len(),
        refused,
    })
}

/// Takes addresses off the suppression list (which also resets their
/// bounce counters). Returns how many were on it.
#[server(endpoint = "unblock")]
pub async fn unblock(addresses: Vec<String>, reason: String) -> Result<u64, AppError> {
    use bounce::EmailAddress;
    use bounce::account::{AuditAction, Role};

    let caller = super::server::require(Role::Marketer)?;
    let store = super::server::store()?;
    let emails = addresses
        .iter()
        .take(MAX_ADDED)
        .map(|a| a.parse::<EmailAddress>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(super::server::invalid)?;
    let reason = if reason.trim().is_empty() {
        "unblocked by hand"
    } else {
        reason.trim()
    };
    let unblocked = super::server::answer(store.unblock(&emails, "user", reason, chrono::Utc::now()).await)?;
    let detail = format!(
        "{unblocked} of {} addresses ({reason}){}",
        emails.len(),
        sample(&emails)
    );
    super::server::audit(&store, &caller, AuditAction::Unblock, &detail).await?;
    Ok(unblocked)
}

/// The first few addresses of a list, for an audit line.
#[cfg(feature = "ssr")]
fn sample(emails: &[bounce::EmailAddress]) -> String {
    const SHOWN: usize = 5;
    let mut text = String::new();
    for (i, e) in emails.iter().take(SHOWN).enumerate() {
        text.push_str(if i == 0 { ": " } else { ", " });
        text.push_str(e.as_str());
    }
    if emails.len() > SHOWN {
        text.push_str(&format!(" and {} more", emails.len() - SHOWN));
    }
    text
}

/// Everything about one contact.
#[server(endpoint = "contact")]
pub async fn contact(id: String) -> Result<ContactDetail, AppError> {
    let store = super::server::store()?;
    let id = super::server::parse_id("contact", &id)?;
    super::server::found("contact", id, store.contact_detail(id).await)
}

/// Resets one contact's bounce counters by hand.
#[server(endpoint = "reset_contact")]
pub async fn reset_contact(id: String) -> Result<(), AppError> {
    use bounce::account::{AuditAction, Role};
    let caller = super::server::require(Role::Marketer)?;
    let store = super::server::store()?;
    let id = super::server::parse_id("contact", &id)?;
    let detail = super::server::found("contact", id, store.contact_detail(id).await)?;
    let email = detail
        .email
        .parse::<bounce::EmailAddress>()
        .map_err(super::server::invalid)?;
    super::server::answer(
        store
            .reset_bounces(std::slice::from_ref(&email), "user", chrono::Utc::now())
            .await,
    )?;
    super::server::audit(&store, &caller, AuditAction::ContactReset, email.as_str()).await
}

/// The suppression policy in force.
#[server(endpoint = "get_policy")]
pub async fn get_policy() -> Result<Policy, AppError> {
    let store = super::server::store()?;
    super::server::answer(store.policy().await)
}

/// Changes the suppression policy; every value is a whole number as typed.
#[server(endpoint = "set_policy")]
pub async fn set_policy(
    hard_block_days: String,
    soft_limit: String,
    soft_window_days: String,
    consecutive_hard: String,
) -> Result<Policy, AppError> {
    use bounce::account::{AuditAction, Role};
    let caller = super::server::require(Role::Admin)?;
    let store = super::server::store()?;
    let number = |field: &'static str, raw: &str| {
        raw.trim()
            .parse::<u32>()
            .map_err(|_| super::server::invalid(bounce::ParseError::at(field, raw, "is not a whole number")))
    };
    let policy = Policy {
        hard_block_days: number("hard_block_days", &hard_block_days)?,
        soft_limit: number("soft_limit", &soft_limit)?,
        soft_window_days: number("soft_window_days", &soft_window_days)?,
        consecutive_hard: number("consecutive_hard", &consecutive_hard)?,
    }
    .checked()
    .map_err(super::server::invalid)?;
    super::server::answer_or_refuse(store.set_policy(&policy).await)?;
    let detail = format!(
        "hard block {} days, soft limit {} in {} days, {} consecutive hard",
        policy.hard_block_days, policy.soft_limit, policy.soft_window_days, policy.consecutive_hard
    );
    super::server::audit(&store, &caller, AuditAction::PolicyChanged, &detail).await?;
    Ok(policy)
}
