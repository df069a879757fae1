//! The suppression list (addresses we no longer send to), contact statuses,
//! and the history of every change to them.

use bounce::contact::{HistoryEntry, SuppressionRow};
use bounce::{ContactStatus, EmailAddress};
use chrono::{DateTime, Utc};

use crate::{BackendKind, INSERT_CHUNK, Result, Store, on_pool, push_in};

/// An address to stop sending to.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSuppression {
    pub email: EmailAddress,
    /// Why, in words (`3 hard bounces in a row`, what a user typed...).
    pub reason: String,
    /// Who or what suppressed it (`rule:hard_bounce`, `user`, `cli`...).
    pub source: String,
    /// The policy rule behind it, if a rule made it.
    pub rule: Option<bounce::policy::Rule>,
    /// The status the contact gets.
    pub status: ContactStatus,
    pub created_at: DateTime<Utc>,
    /// When the suppression lapses; `None` is for good.
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct SuppressionRecord {
    email: String,
    contact_id: Option<i64>,
    reason: String,
    source: String,
    rule: Option<String>,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
}

impl From<SuppressionRecord> for SuppressionRow {
    fn from(r: SuppressionRecord) -> Self {
        SuppressionRow {
            email: r.email,
            contact_id: r.contact_id,
            reason: r.reason,
            source: r.source,
            rule: r.rule,
            created_at: r.created_at,
            expires_at: r.expires_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct HistoryRecord {
    at: DateTime<Utc>,
    action: String,
    actor: String,
    reason: String,
    expires_at: Option<DateTime<Utc>>,
}

/// What the suppression list page asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SuppressionQuery {
    /// Part of the address (case-insensitive).
    pub search: Option<String>,
    /// Rule id, or `manual` for suppressions no rule made.
    pub rule: Option<String>,
    /// Who added it (exact).
    pub source: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// Writes one history line per address, inside the caller's transaction.
macro_rules! log_history {
    ($tx:expr, $Db:ty, $emails:expr, $at:expr, $action:expr, $actor:expr, $reason:expr, $expires:expr) => {{
        for chunk in $emails.chunks(INSERT_CHUNK) {
            let mut b = sqlx::QueryBuilder::<$Db>::new(
                "INSERT INTO contact_history (email, at, action, actor, reason, expires_at) ",
            );
            b.push_values(chunk, |mut row, email: &String| {
                row.push_bind(email.clone())
                    .push_bind($at)
                    .push_bind($action)
                    .push_bind($actor.to_owned())
                    .push_bind($reason.to_owned())
                    .push_bind($expires);
            });
            b.build().execute(&mut *$tx).await?;
        }
    }};
}

/// The suppression list's filters as a closure that narrows a query on
/// `suppressions p` (one body for the page and the export, per backend).
macro_rules! suppression_filter {
    ($Db:ty, $q:expr) => {
        |b: &mut sqlx::QueryBuilder<$Db>| {
            b.push(" WHERE 1 = 1");
            if let Some(search) = &$q.search {
                b.push(" AND LOWER(p.email) LIKE ")
                    .push_bind(crate::events::like_pattern(&search.to_lowercase()))
                    .push(" ESCAPE '\\'");
            }
            match $q.rule.as_deref() {
                Some("manual") => {
                    b.push(" AND p.rule IS NULL");
                }
                Some(rule) => {
                    b.push(" AND p.rule = ").push_bind(rule.to_owned());
                }
                None => {}
            }
            if let Some(source) = &$q.source {
                b.push(" AND p.source = ").push_bind(source.clone());
            }
        }
    };
}

impl Store {
    /// Suppresses addresses (replacing an earlier suppression of each), sets
    /// the status of their contacts and records why. All or nothing.
    pub async fn suppress_all(&self, items: &[NewSuppression]) -> Result<()> {
        on_pool!(self, pool, Db => {
            let mut tx = pool.begin().await?;
            for chunk in items.chunks(INSERT_CHUNK / 2) {
                let mut b = sqlx::QueryBuilder::<Db>::new(
                    "INSERT INTO suppressions (email, reason, source, rule, created_at, expires_at) ",
                );
                b.push_values(chunk, |mut row, s| {
                    row.push_bind(s.email.as_str().to_owned())
                        .push_bind(s.reason.clone())
                        .push_bind(s.source.clone())
                        .push_bind(s.rule.map(|r| r.as_str()))
                        .push_bind(s.created_at)
                        .push_bind(s.expires_at);
                });
                b.push(
                    " ON CONFLICT (email) DO UPDATE SET reason = excluded.reason, source = excluded.source, \
                     rule = excluded.rule, created_at = excluded.created_at, expires_at = excluded.expires_at",
                );
                b.build().execute(&mut *tx).await?;
                let mut h = sqlx::QueryBuilder::<Db>::new(
                    "INSERT INTO contact_history (email, at, action, actor, reason, expires_at) ",
                );
                h.push_values(chunk, |mut row, s| {
                    row.push_bind(s.email.as_str().to_owned())
                        .push_bind(s.created_at)
                        .push_bind("suppressed")
                        .push_bind(s.source.clone())
                        .push_bind(s.reason.clone())
                        .push_bind(s.expires_at);
                });
                h.build().execute(&mut *tx).await?;
            }
            // One statement per status and chunk, not one per address (the
            // policies suppress thousands at once). A plain block never hides
            // a stronger standing (retained, unsubscribed...): only an active
            // contact becomes "suppressed".
            for status in ContactStatus::ALL {
                let emails: Vec<&str> =
                    items.iter().filter(|s| s.status == status).map(|s| s.email.as_str()).collect();
                for chunk in emails.chunks(INSERT_CHUNK) {
                    // The address picks the rows (its unique index); a
                    // condition on `status` in WHERE let SQLite's planner
                    // scan every active contact by the status index instead,
                    // once per chunk.
                    let mut b = sqlx::QueryBuilder::<Db>::new("UPDATE contacts SET status = ");
                    if status == ContactStatus::Suppressed {
                        b.push("CASE WHEN status = 'active' THEN ")
                            .push_bind(status.as_str())
                            .push(" ELSE status END");
                    } else {
                        b.push_bind(status.as_str());
                    }
                    b.push(" WHERE email IN");
                    push_in!(b, chunk);
                    b.build().execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Suppresses one address (see [`Store::suppress_all`]).
    pub async fn suppress(&self, s: &NewSuppression) -> Result<()> {
        self.suppress_all(std::slice::from_ref(s)).await
    }

    /// Takes addresses off the suppression list by hand: their contacts are
    /// active again and their bounce counters start afresh (otherwise the
    /// policies would block them again for the same old bounces). Returns how
    /// many were suppressed.
    pub async fn unblock(&self, emails: &[EmailAddress], actor: &str, reason: &str, now: DateTime<Utc>) -> Result<u64> {
        let emails: Vec<String> = emails.iter().map(|e| e.as_str().to_owned()).collect();
        let mut removed = 0;
        on_pool!(self, pool, Db => {
            let mut tx = pool.begin().await?;
            for chunk in emails.chunks(INSERT_CHUNK) {
                let mut b = sqlx::QueryBuilder::<Db>::new("DELETE FROM suppressions WHERE email IN");
                push_in!(b, chunk);
                b.push(" RETURNING email");
                let gone: Vec<String> = b.build_query_scalar().fetch_all(&mut *tx).await?;
                removed += gone.len() as u64;
                log_history!(tx, Db, gone, now, "unblocked", actor, reason, None::<DateTime<Utc>>);
                if !gone.is_empty() {
                    let mut c =
                        sqlx::QueryBuilder::<Db>::new("UPDATE contacts SET status = 'active', bounces_reset_at = ");
                    c.push_bind(now).push(" WHERE email IN");
                    push_in!(c, &gone);
                    c.build().execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
        });
        Ok(removed)
    }

    /// Ends the suppressions that lapsed by `now` (at most `limit` of them)
    /// and returns the addresses released. Their contacts become active
    /// again unless a status that is not a block (unsubscribed...) says otherwise.
    ///
    /// Safe with several servers on one PostgreSQL database: each claims
    /// rows with `FOR UPDATE SKIP LOCKED` and deletes them in the same
    /// transaction, so a suppression is released exactly once; a server that
    /// dies mid-way rolls back and the rows are claimed again.
    pub async fn release_expired(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<String>> {
        let claim = match self.kind() {
            BackendKind::Sqlite => "",
            BackendKind::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "DELETE FROM suppressions WHERE id IN (SELECT id FROM suppressions WHERE expires_at IS NOT NULL \
             AND expires_at <= $1 ORDER BY expires_at LIMIT $2{claim}) RETURNING email"
        );
        let released = on_pool!(self, pool, Db => {
            let mut tx = pool.begin().await?;
            let released: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(now)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
            log_history!(tx, Db, released, now, "released", "expiry", "the block lapsed", None::<DateTime<Utc>>);
            for chunk in released.chunks(INSERT_CHUNK) {
                let mut b = sqlx::QueryBuilder::<Db>::new(
                    "UPDATE contacts SET status = 'active' WHERE status = 'suppressed' AND email IN",
                );
                push_in!(b, chunk);
                b.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
            released
        });
        Ok(released)
    }

    /// Sets contacts' status by hand (`unsubscribed` also blocks for good),
    /// recording who and why.
    pub async fn set_status(
        &self,
        emails: &[EmailAddress],
        status: ContactStatus,
        actor: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if status == ContactStatus::Unsubscribed || status == ContactStatus::Complained {
            let rule = if status == ContactStatus::Unsubscribed {
                bounce::policy::Rule::Unsubscribe
            } else {
                bounce::policy::Rule::Complaint
            };
            let items: Vec<NewSuppression> = emails
                .iter()
                .map(|e| NewSuppression {
                    email: e.clone(),
                    reason: reason.to_owned(),
                    source: actor.to_owned(),
                    rule: Some(rule),
                    status,
                    created_at: now,
                    expires_at: None,
                })
                .collect();
            return self.suppress_all(&items).await;
        }
        let emails: Vec<String> = emails.iter().map(|e| e.as_str().to_owned()).collect();
        on_pool!(self, pool, Db => {
            let mut tx = pool.begin().await?;
            for chunk in emails.chunks(INSERT_CHUNK) {
                let mut b = sqlx::QueryBuilder::<Db>::new("UPDATE contacts SET status = ");
                b.push_bind(status.as_str()).push(" WHERE email IN");
                push_in!(b, chunk);
                b.build().execute(&mut *tx).await?;
            }
            let what = format!("status {}: {reason}", status.as_str());
            log_history!(tx, Db, emails, now, "status", actor, what.as_str(), None::<DateTime<Utc>>);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Resets contacts' bounce counters: sends before `now` no longer count
    /// for selections and policies. Recorded on each contact.
    pub async fn reset_bounces(&self, emails: &[EmailAddress], actor: &str, now: DateTime<Utc>) -> Result<()> {
        let emails: Vec<String> = emails.iter().map(|e| e.as_str().to_owned()).collect();
        on_pool!(self, pool, Db => {
            let mut tx = pool.begin().await?;
            for chunk in emails.chunks(INSERT_CHUNK) {
                let mut b = sqlx::QueryBuilder::<Db>::new("UPDATE contacts SET bounces_reset_at = ");
                b.push_bind(now).push(" WHERE email IN");
                push_in!(b, chunk);
                b.build().execute(&mut *tx).await?;
            }
            log_history!(tx, Db, emails, now, "reset", actor, "bounce counters reset", None::<DateTime<Utc>>);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Whether an address is suppressed at `at` (expired suppressions no longer count).
    pub async fn is_suppressed(&self, email: &EmailAddress, at: DateTime<Utc>) -> Result<bool> {
        let found = on_pool!(self, pool => {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM suppressions WHERE email = $1 AND (expires_at IS NULL OR expires_at > $2)",
            )
            .bind(email.as_str())
            .bind(at)
            .fetch_one(pool)
            .await?
        });
        Ok(found > 0)
    }

    /// A page of the suppression list, newest first, and how many match in all.
    pub async fn suppressions(&self, q: &SuppressionQuery) -> Result<(Vec<SuppressionRow>, i64)> {
        let (rows, total) = on_pool!(self, pool, Db => {
            let filter = suppression_filter!(Db, q);
            let mut b = sqlx::QueryBuilder::<Db>::new(
                "SELECT p.email, (SELECT k.id FROM contacts k WHERE k.email = p.email) AS contact_id, \
                 p.reason, p.source, p.rule, p.created_at, p.expires_at FROM suppressions p",
            );
            filter(&mut b);
            b.push(" ORDER BY p.created_at DESC, p.id DESC LIMIT ").push_bind(q.limit.clamp(1, 1_000))
                .push(" OFFSET ").push_bind(q.offset.max(0));
            let rows: Vec<SuppressionRecord> = b.build_query_as().fetch_all(pool).await?;
            let mut c = sqlx::QueryBuilder::<Db>::new("SELECT COUNT(*) FROM suppressions p");
            filter(&mut c);
            let total: i64 = c.build_query_scalar().fetch_one(pool).await?;
            (rows, total)
        });
        Ok((rows.into_iter().map(Into::into).collect(), total))
    }

    /// Streams the whole filtered suppression list, newest first, into
    /// `rows` (a bounded channel: flat memory however long the list).
    pub async fn export_suppressions(
        &self,
        q: &SuppressionQuery,
        rows: tokio::sync::mpsc::Sender<Result<SuppressionRow>>,
    ) -> Result<u64> {
        use futures_util::TryStreamExt;

        let mut sent = 0;
        on_pool!(self, pool, Db => {
            let filter = suppression_filter!(Db, q);
            let mut b = sqlx::QueryBuilder::<Db>::new(
                "SELECT p.email, CAST(NULL AS BIGINT) AS contact_id, p.reason, p.source, p.rule, p.created_at, p.expires_at \
                 FROM suppressions p",
            );
            filter(&mut b);
            b.push(" ORDER BY p.created_at DESC, p.id DESC");
            let mut stream = b.build_query_as::<SuppressionRecord>().fetch(pool);
            while let Some(record) = stream.try_next().await? {
                if rows.send(Ok(record.into())).await.is_err() {
                    break;
                }
                sent += 1;
            }
        });
        Ok(sent)
    }

    /// The recorded changes to one address, newest first.
    pub async fn history(&self, email: &str) -> Result<Vec<HistoryEntry>> {
        let records: Vec<HistoryRecord> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT at, action, actor, reason, expires_at FROM contact_history WHERE email = $1 \
                 ORDER BY at DESC, id DESC LIMIT 500",
            )
            .bind(email)
            .fetch_all(pool)
            .await?
        });
        Ok(records
            .into_iter()
            .map(|r| HistoryEntry {
                at: r.at,
                action: r.action,
                actor: r.actor,
                reason: r.reason,
                expires_at: r.expires_at,
            })
            .collect())
    }

    /// The suppression of one address, if there is one (lapsed or not).
    pub async fn suppression(&self, email: &str) -> Result<Option<SuppressionRow>> {
        let record: Option<SuppressionRecord> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT p.email, (SELECT k.id FROM contacts k WHERE k.email = p.email) AS contact_id, \
                 p.reason, p.source, p.rule, p.created_at, p.expires_at FROM suppressions p WHERE p.email = $1",
            )
                .bind(email)
                .fetch_optional(pool)
                .await?
        });
        Ok(record.map(Into::into))
    }
}
