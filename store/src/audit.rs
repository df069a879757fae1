//! The audit log: who did what, when, from where. Written beside the change
//! it records; read by admins (and exported), and by the login rate limit.

use bounce::account::{AuditAction, AuditEntry, Caller};
use chrono::{DateTime, Utc};

use crate::{Result, Store, on_pool};

/// The longest detail kept: a list of a thousand addresses is summarised by
/// its caller, and nothing a client sends can grow one line without bound.
const DETAIL_MAX: usize = 2_000;

/// One thing to record.
#[derive(Debug, Clone)]
pub struct NewAuditEntry<'a> {
    pub actor: &'a str,
    pub action: AuditAction,
    pub detail: &'a str,
    pub address: Option<&'a str>,
}

impl<'a> NewAuditEntry<'a> {
    /// What `caller` did, from where they did it.
    pub fn by(caller: &'a Caller, action: AuditAction, detail: &'a str) -> Self {
        Self {
            actor: &caller.actor,
            action,
            detail,
            address: caller.address.as_deref(),
        }
    }
}

impl Store {
    /// Records one entry.
    pub async fn audit(&self, entry: &NewAuditEntry<'_>, now: DateTime<Utc>) -> Result<()> {
        let detail: String = entry.detail.chars().take(DETAIL_MAX).collect();
        let actor: String = entry.actor.chars().take(320).collect();
        on_pool!(self, pool => {
            sqlx::query("INSERT INTO audit_log (at, actor, action, detail, address) VALUES ($1, $2, $3, $4, $5)")
                .bind(now)
                .bind(&actor)
                .bind(entry.action.as_str())
                .bind(&detail)
                .bind(entry.address)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Entries newest first: `limit` of them from before entry `before`
    /// (all when `None`).
    pub async fn audit_log(&self, before: Option<i64>, limit: i64) -> Result<Vec<AuditEntry>> {
        let rows: Vec<AuditRecord> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, at, actor, action, detail, address FROM audit_log \
                 WHERE ($1 IS NULL OR id < $1) ORDER BY id DESC LIMIT $2",
            )
            .bind(before)
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.id,
                    at: r.at,
                    actor: r.actor,
                    action: r.action.parse()?,
                    detail: r.detail,
                    address: r.address,
                })
            })
            .collect()
    }

    /// Failed logins since `since`: for the account `actor`, and from `address`.
    pub async fn failed_logins(&self, actor: &str, address: Option<&str>, since: DateTime<Utc>) -> Result<(i64, i64)> {
        Ok(on_pool!(self, pool => {
            let by_actor: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'login_failed' AND actor = $1 AND at > $2",
            )
            .bind(actor)
            .bind(since)
            .fetch_one(pool)
            .await?;
            let by_address: i64 = match address {
                Some(address) => sqlx::query_scalar(
                    "SELECT COUNT(*) FROM audit_log WHERE action = 'login_failed' AND address = $1 AND at > $2",
                )
                .bind(address)
                .bind(since)
                .fetch_one(pool)
                .await?,
                None => 0,
            };
            (by_actor, by_address)
        }))
    }
}

#[derive(sqlx::FromRow)]
struct AuditRecord {
    id: i64,
    at: DateTime<Utc>,
    actor: String,
    action: String,
    detail: String,
    address: Option<String>,
}
