//! The people who sign in, and their sessions. Passwords are hashed here
//! (argon2id, see `passwords`) and never stored or logged in clear; session
//! secrets are kept as digests.

use base64::Engine;
use bounce::account::{Role, User};
use chrono::{DateTime, TimeDelta, Utc};
use sha2::{Digest, Sha256};

use crate::{Result, Store, StoreError, on_pool};

/// The columns a user is read from.
const USER_COLUMNS: &str = "u.id, u.email, u.role, u.created_at, u.disabled_at";

/// A session lasts this long after it was made, however busy.
pub const SESSION_LIFETIME: TimeDelta = TimeDelta::days(7);
/// A session not used for this long has ended (a forgotten browser tab).
pub const SESSION_IDLE: TimeDelta = TimeDelta::hours(12);
/// `last_seen_at` is written at most this often: a page view must not be a
/// database write.
const SEEN_EVERY: TimeDelta = TimeDelta::minutes(5);

/// A session just made: the only time its secret is known (it goes into
/// the cookie).
#[derive(Debug, Clone)]
pub struct NewSession {
    pub secret: String,
    pub expires_at: DateTime<Utc>,
}

/// The digest a session is kept and looked up by.
fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// An address as stored: trimmed and lower-cased, checked for shape.
fn normalise_email(email: &str) -> Result<String> {
    let parsed: bounce::EmailAddress = email.trim().parse().map_err(StoreError::Invalid)?;
    Ok(parsed.as_str().to_ascii_lowercase())
}

impl Store {
    /// Adds a person; their address must not be taken, and the password
    /// must be long enough ([`bounce::account::check_password`]).
    pub async fn add_user(&self, email: &str, role: Role, password: &str, now: DateTime<Utc>) -> Result<User> {
        let email = normalise_email(email)?;
        bounce::account::check_password(password).map_err(StoreError::Invalid)?;
        let taken: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
                .bind(&email)
                .fetch_optional(pool)
                .await?
        });
        if taken.is_some() {
            return Err(StoreError::Invalid(bounce::ParseError::at(
                "email",
                &email,
                "already has an account",
            )));
        }
        let password_hash = crate::passwords::hash(password.to_owned()).await?;
        let id: i64 = on_pool!(self, pool => {
            sqlx::query_scalar(
                "INSERT INTO users (email, role, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(&email)
            .bind(role.as_str())
            .bind(&password_hash)
            .bind(now)
            .fetch_one(pool)
            .await?
        });
        Ok(User {
            id,
            email,
            role,
            created_at: now,
            disabled_at: None,
        })
    }

    /// How many people have an account (none: the first admin is still to be made).
    pub async fn user_count(&self) -> Result<i64> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await?
        }))
    }

    /// Everyone, by address.
    pub async fn users(&self) -> Result<Vec<User>> {
        let rows: Vec<UserRecord> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.email")))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(User::try_from).collect()
    }

    /// The enabled account `email` when `password` is its password; `None`
    /// otherwise (unknown, disabled, or wrong: the caller cannot tell which,
    /// and the answer takes as long for each).
    pub async fn check_login(&self, email: &str, password: &str) -> Result<Option<User>> {
        let row = match normalise_email(email) {
            Ok(email) => self.credentials(&email).await?,
            Err(_) => None,
        };
        let (user, stored) = match row {
            Some((user, hash)) if user.disabled_at.is_none() => (Some(user), Some(hash)),
            _ => (None, None),
        };
        let right = crate::passwords::verify(stored, password.to_owned()).await;
        Ok(user.filter(|_| right))
    }

    /// The person who signs in with `email` (however it is cased), if any.
    pub async fn user(&self, email: &str) -> Result<Option<User>> {
        match normalise_email(email) {
            Ok(email) => Ok(self.credentials(&email).await?.map(|(user, _)| user)),
            Err(_) => Ok(None),
        }
    }

    /// The person by lower-cased address, with their password hash.
    async fn credentials(&self, email: &str) -> Result<Option<(User, String)>> {
        let row: Option<CredentialsRecord> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.email = $1"
            )))
            .bind(email)
            .fetch_optional(pool)
            .await?
        });
        row.map(|r| Ok((User::try_from(r.user)?, r.password_hash))).transpose()
    }

    /// Changes a person's role, or disables or re-enables them. Disabling
    /// ends their sessions. `false` when there is no such person.
    pub async fn change_user(
        &self,
        email: &str,
        role: Option<Role>,
        disabled: Option<bool>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let email = normalise_email(email)?;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let conn = &mut *tx;
            let id: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
                .bind(&email)
                .fetch_optional(&mut *conn)
                .await?;
            let Some(id) = id else { return Ok(false) };
            if let Some(role) = role {
                sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
                    .bind(role.as_str())
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
            }
            match disabled {
                Some(true) => {
                    sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL")
                        .bind(now)
                        .bind(id)
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *conn).await?;
                }
                Some(false) => {
                    sqlx::query("UPDATE users SET disabled_at = NULL WHERE id = $1")
                        .bind(id)
                        .execute(&mut *conn)
                        .await?;
                }
                None => {}
            }
            tx.commit().await?;
        });
        Ok(true)
    }

    /// Sets a new password (checked for length) and ends every session of
    /// that person (a stolen session dies with the old password); `false`
    /// when there is no such person.
    pub async fn set_password(&self, user_id: i64, password: &str) -> Result<bool> {
        bounce::account::check_password(password).map_err(StoreError::Invalid)?;
        let password_hash = crate::passwords::hash(password.to_owned()).await?;
        let done = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let conn = &mut *tx;
            let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                .bind(&password_hash)
                .bind(user_id)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *conn).await?;
            tx.commit().await?;
            done > 0
        });
        Ok(done)
    }

    /// Starts a session for `user_id`, from `address`.
    pub async fn create_session(&self, user_id: i64, address: Option<&str>, now: DateTime<Utc>) -> Result<NewSession> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
        let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let expires_at = now + SESSION_LIFETIME;
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO sessions (digest, user_id, created_at, expires_at, last_seen_at, address) \
                 VALUES ($1, $2, $3, $4, $3, $5)",
            )
            .bind(digest(&secret))
            .bind(user_id)
            .bind(now)
            .bind(expires_at)
            .bind(address)
            .execute(pool)
            .await?;
        });
        Ok(NewSession { secret, expires_at })
    }

    /// The person a session cookie belongs to, while the session is live
    /// and the account enabled; `None` otherwise. Notes the use now and then.
    pub async fn session_user(&self, secret: &str, now: DateTime<Utc>) -> Result<Option<User>> {
        if secret.is_empty() || secret.len() > 100 {
            return Ok(None);
        }
        let key = digest(secret);
        let row: Option<SessionRecord> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {USER_COLUMNS}, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.digest = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.disabled_at IS NULL"
            )))
            .bind(&key)
            .bind(now)
            .bind(now - SESSION_IDLE)
            .fetch_optional(pool)
            .await?
        });
        let Some(row) = row else { return Ok(None) };
        if now - row.last_seen_at > SEEN_EVERY {
            on_pool!(self, pool => {
                sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE digest = $2")
                    .bind(now)
                    .bind(&key)
                    .execute(pool)
                    .await?;
            });
        }
        Ok(Some(User::try_from(row.user)?))
    }

    /// Ends a session (logging out). Ending one that is gone is no error.
    pub async fn end_session(&self, secret: &str) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE digest = $1")
                .bind(digest(secret))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Removes sessions that have ended, so the table does not grow.
    pub async fn purge_sessions(&self, now: DateTime<Utc>) -> Result<u64> {
        Ok(on_pool!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
                .bind(now)
                .bind(now - SESSION_IDLE)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }
}

#[derive(sqlx::FromRow)]
struct UserRecord {
    id: i64,
    email: String,
    role: String,
    created_at: DateTime<Utc>,
    disabled_at: Option<DateTime<Utc>>,
}

impl TryFrom<UserRecord> for User {
    type Error = StoreError;

    fn try_from(r: UserRecord) -> Result<Self> {
        Ok(User {
            id: r.id,
            email: r.email,
            role: r.role.parse()?,
            created_at: r.created_at,
            disabled_at: r.disabled_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct CredentialsRecord {
    #[sqlx(flatten)]
    user: UserRecord,
    password_hash: String,
}

#[derive(sqlx::FromRow)]
struct SessionRecord {
    #[sqlx(flatten)]
    user: UserRecord,
    last_seen_at: DateTime<Utc>,
}
