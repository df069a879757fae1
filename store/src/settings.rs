//! Settings kept as JSON by key: the suppression policy.

use bounce::policy::Policy;

use crate::{Result, Store, StoreError, on_pool};

const POLICY: &str = "policy";

impl Store {
    /// The suppression policy in force: the stored one, or the defaults.
    pub async fn policy(&self) -> Result<Policy> {
        let stored: Option<String> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(POLICY).fetch_optional(pool).await?
        });
        match stored {
            None => Ok(Policy::default()),
            Some(text) => {
                let policy: Policy = serde_json::from_str(&text).map_err(|_| {
                    StoreError::Corrupt(bounce::ParseError::at("policy", &text, "is not a stored policy"))
                })?;
                Ok(policy.checked()?)
            }
        }
    }

    /// Stores the suppression policy (checked first).
    pub async fn set_policy(&self, policy: &Policy) -> Result<()> {
        let policy = policy.checked().map_err(StoreError::Invalid)?;
        let text = serde_json::to_string(&policy)
            .map_err(|_| StoreError::Invalid(bounce::ParseError::at("policy", "", "cannot be written as JSON")))?;
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(POLICY)
            .bind(&text)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
