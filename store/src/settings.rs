//! Settings kept as text by key: the suppression policy (as JSON), the
//! webhook signing keys, the demo load's state.

use bounce::policy::Policy;

use crate::locks::Held;
use crate::{Result, Staging, Store, StoreError, on_pool};

const POLICY: &str = "policy";

/// The key of a webhook format's signing key (`webhook_key:mailgun`).
pub fn webhook_key_setting(format: &str) -> String {
    format!("webhook_key:{format}")
}

impl Store {
    /// A setting's stored text, if set.
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(pool).await?
        }))
    }

    /// Sets a setting, or with `None` removes it.
    pub async fn set_setting(&self, key: &str, value: Option<&str>) -> Result<()> {
        on_pool!(self, pool => {
            match value {
                Some(value) => sqlx::query(
                    "INSERT INTO settings (key, value) VALUES ($1, $2) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )
                .bind(key)
                .bind(value)
                .execute(pool)
                .await?,
                None => sqlx::query("DELETE FROM settings WHERE key = $1").bind(key).execute(pool).await?,
            };
        });
        Ok(())
    }

    /// The suppression policy in force: the stored one, or the defaults.
    pub async fn policy(&self) -> Result<Policy> {
        let stored = self.setting(POLICY).await?;
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
        self.set_setting(POLICY, Some(&text)).await
    }
}

/// Where the demo data set stands, so that several servers starting on one
/// empty database load it once. The load itself goes into a staging copy
/// that is adopted in one transaction ([`Store::staging`]), so a server
/// killed half-way leaves the database empty and the next one starts over.
#[derive(Debug, PartialEq, Eq)]
pub enum DemoClaim {
    /// This server loads it: into [`Store::staging`], then
    /// [`Store::finish_demo_load`].
    Load(DemoLoad),
    /// It is there already (or the database holds other data).
    Loaded,
}

/// The right to load the demo data set: a lock the operating system or the
/// database lets go of when this server dies, so the next server sees the
/// load as abandoned at once. On PostgreSQL a session advisory lock on a
/// connection of its own; on SQLite an exclusive lock on a file next to the
/// database.
#[derive(Debug)]
pub struct DemoLoad {
    lock: Held,
}

impl PartialEq for DemoLoad {
    fn eq(&self, other: &Self) -> bool {
        std::mem::discriminant(&self.lock) == std::mem::discriminant(&other.lock)
    }
}

impl Eq for DemoLoad {}

/// The advisory lock key of the demo load ("bouncedesk demo" as a number).
const DEMO_LOCK: i64 = 0x626f_756e_6365_646d;
/// The settings key that records the demo load: `loading`, then `loaded`.
pub(crate) const DEMO: &str = "demo";

/// The statement that marks the demo loaded (`$1` is [`DEMO`]). With
/// `claimed`, it only changes a mark that still reads `loading`, so a load
/// another server finished meanwhile is left alone.
pub(crate) fn mark_loaded_sql(claimed: bool) -> &'static str {
    if claimed {
        "UPDATE settings SET value = 'loaded' WHERE key = $1 AND value = 'loading'"
    } else {
        "INSERT INTO settings (key, value) VALUES ($1, 'loaded') ON CONFLICT (key) DO UPDATE SET value = 'loaded'"
    }
}

impl Store {
    /// Claims the demo load for this server when the database holds no
    /// campaigns and no contacts yet, so several servers starting on one
    /// empty database load it once. A load another server is doing is waited
    /// for (polling twice a second); one whose server died is claimed again
    /// at once (its lock went with it). Returns `Loaded` when there is
    /// nothing to do.
    pub async fn claim_demo_load(&self) -> Result<DemoClaim> {
        loop {
            let state = self.setting(DEMO).await?;
            match state.as_deref() {
                Some("loaded") => return Ok(DemoClaim::Loaded),
                None if self.campaign_count().await? > 0 || self.contact_count().await? > 0 => {
                    return Ok(DemoClaim::Loaded);
                }
                _ => {}
            }
            // Holding the lock, nobody else is loading: an unfinished mark
            // is an abandoned load's, and is taken over.
            let Some(lock) = self.try_lock("demo-lock", DEMO_LOCK).await? else {
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                continue;
            };
            if !self.mark_demo_loading().await? {
                return Ok(DemoClaim::Loaded);
            }
            if state.is_some() {
                tracing::warn!("an earlier demo load did not finish: it starts again");
            }
            return Ok(DemoClaim::Load(DemoLoad { lock }));
        }
    }

    /// Writes the state `loading` unless the demo is loaded meanwhile.
    /// Whether this call wrote it.
    async fn mark_demo_loading(&self) -> Result<bool> {
        let written = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES ($1, 'loading') \
                 ON CONFLICT (key) DO UPDATE SET value = 'loading' WHERE settings.value <> 'loaded'",
            )
            .bind(DEMO)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(written > 0)
    }

    /// Adopts the demo data set loaded into `staging` under `load`, marks it
    /// loaded (all in one transaction) and lets go of the lock. Whether it
    /// was adopted: `false` when the mark was changed meanwhile (by
    /// `bouncedesk demo`, which does not claim).
    pub async fn finish_demo_load(&self, load: DemoLoad, staging: Staging) -> Result<bool> {
        let adopted = self.adopt(staging, true).await;
        load.lock.release().await?;
        adopted
    }

    /// Replaces everything in the database by the demo data set loaded into
    /// `staging` (`bouncedesk demo`), in one transaction.
    pub async fn replace_with_demo(&self, staging: Staging) -> Result<()> {
        self.adopt(staging, false).await?;
        Ok(())
    }
}
