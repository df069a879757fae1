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

/// Where the demo data set stands, so that several servers starting on one
/// empty database load it once and a load that was killed half-way is
/// rolled back and done again.
#[derive(Debug, PartialEq, Eq)]
pub enum DemoClaim {
    /// This server loads it: call [`DemoLoad::finish`] when done.
    Load(DemoLoad),
    /// It is there already (or the database holds other data).
    Loaded,
}

/// The right to load the demo data set. On PostgreSQL it holds a session
/// advisory lock on a connection of its own: if this server dies, the
/// connection closes, the lock goes, and the next server sees the load as
/// abandoned.
#[derive(Debug)]
pub struct DemoLoad {
    lock: Option<sqlx::PgConnection>,
}

impl PartialEq for DemoLoad {
    fn eq(&self, other: &Self) -> bool {
        self.lock.is_some() == other.lock.is_some()
    }
}

impl Eq for DemoLoad {}

/// The advisory lock key of the demo load ("bouncedesk demo" as a number).
const DEMO_LOCK: i64 = 0x626f_756e_6365_646d;
const DEMO: &str = "demo";

impl Store {
    /// Claims the demo load for this server when the database has no
    /// campaigns yet, so several servers starting on one empty database load
    /// it once. A load another server is doing is waited for (polling every
    /// second). One that was abandoned is rolled back (its rows deleted) and
    /// claimed again: on PostgreSQL as soon as its server's lock is gone, on
    /// SQLite (no locks across processes) when it has not finished within
    /// `wait`. Returns `Loaded` when there is nothing to do.
    pub async fn claim_demo_load(&self, wait: std::time::Duration) -> Result<DemoClaim> {
        let started = std::time::Instant::now();
        loop {
            let state = self.demo_state().await?;
            match state.as_deref() {
                Some("loaded") => return Ok(DemoClaim::Loaded),
                None if self.campaign_count().await? > 0 => return Ok(DemoClaim::Loaded),
                _ => {}
            }
            let claimed = match self.demo_lock().await? {
                // PostgreSQL, and another server holds the lock: it is loading now.
                None => None,
                Some(Some(lock)) => self.mark_demo_loading(true).await?.then_some(Some(lock)),
                // SQLite: the first to write the state has it; an unfinished
                // load older than `wait` is taken over.
                Some(None) => {
                    let abandoned = state.is_some() && started.elapsed() >= wait;
                    self.mark_demo_loading(abandoned).await?.then_some(None)
                }
            };
            let Some(lock) = claimed else {
                if self.demo_state().await?.as_deref() == Some("loaded") {
                    return Ok(DemoClaim::Loaded);
                }
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                continue;
            };
            if state.is_some() {
                tracing::warn!("an earlier demo load did not finish: its rows are deleted and it starts again");
            }
            self.clear().await?;
            return Ok(DemoClaim::Load(DemoLoad { lock }));
        }
    }

    async fn demo_state(&self) -> Result<Option<String>> {
        let state = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(DEMO).fetch_optional(pool).await?
        });
        Ok(state)
    }

    /// Writes the state `loading`: only when there is none yet, or also over
    /// an unfinished one when `take_over`. Whether this call wrote it.
    async fn mark_demo_loading(&self, take_over: bool) -> Result<bool> {
        let sql = if take_over {
            "INSERT INTO settings (key, value) VALUES ($1, 'loading') \
             ON CONFLICT (key) DO UPDATE SET value = 'loading' WHERE settings.value <> 'loaded'"
        } else {
            "INSERT INTO settings (key, value) VALUES ($1, 'loading') ON CONFLICT (key) DO NOTHING"
        };
        let written = on_pool!(self, pool => {
            sqlx::query(sql).bind(DEMO).execute(pool).await?.rows_affected()
        });
        Ok(written > 0)
    }

    /// Marks the demo data set as loaded (after `bouncedesk demo` reloads it too).
    pub async fn mark_demo_loaded(&self) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES ($1, 'loaded') ON CONFLICT (key) DO UPDATE SET value = 'loaded'",
            )
            .bind(DEMO)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// On PostgreSQL, a connection holding the demo lock (`None` when another
    /// server holds it); on SQLite, always granted.
    async fn demo_lock(&self) -> Result<Option<Option<sqlx::PgConnection>>> {
        match &self.backend {
            crate::Backend::Sqlite(_) => Ok(Some(None)),
            crate::Backend::Postgres(pool) => {
                let mut conn = pool.acquire().await?.detach();
                let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                    .bind(DEMO_LOCK)
                    .fetch_one(&mut conn)
                    .await?;
                if got {
                    Ok(Some(Some(conn)))
                } else {
                    use sqlx::Connection;
                    conn.close().await?;
                    Ok(None)
                }
            }
        }
    }

    /// Marks the demo load done and lets go of the lock.
    pub async fn finish_demo_load(&self, load: DemoLoad) -> Result<()> {
        self.mark_demo_loaded().await?;
        if let Some(conn) = load.lock {
            use sqlx::Connection;
            conn.close().await?;
        }
        Ok(())
    }
}
