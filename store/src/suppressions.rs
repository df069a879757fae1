//! The suppression list: addresses we no longer send to.

use bounce::EmailAddress;
use chrono::{DateTime, Utc};

use crate::{Result, Store, on_pool};

/// An address to stop sending to.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSuppression {
    pub email: EmailAddress,
    /// Why, in the classifier's words (`hard bounce: 5.1.1`, `complaint`...).
    pub reason: String,
    /// Who or what suppressed it (`demo`, `policy:3-hard`, a user...).
    pub source: String,
    pub created_at: DateTime<Utc>,
    /// When the suppression lapses; `None` is for good.
    pub expires_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Suppresses an address (replacing an earlier suppression of it) and
    /// marks the contact, if there is one, as suppressed. All or nothing.
    pub async fn suppress(&self, s: &NewSuppression) -> Result<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO suppressions (email, reason, source, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (email) DO UPDATE SET reason = excluded.reason, source = excluded.source,
                 created_at = excluded.created_at, expires_at = excluded.expires_at",
            )
            .bind(s.email.as_str())
            .bind(&s.reason)
            .bind(&s.source)
            .bind(s.created_at)
            .bind(s.expires_at)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE contacts SET status = 'suppressed' WHERE email = $1")
                .bind(s.email.as_str())
                .execute(&mut *tx)
                .await?;
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
}
