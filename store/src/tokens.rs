//! API tokens: what lets another system (a webhook, a script) post results
//! to `/api/v1`. A token is shown once, when made; only its SHA-256 digest
//! is kept, so a copy of the database does not hand out working tokens.

use base64::Engine;
pub use bounce::account::Scope;
pub use bounce::intake::ApiToken;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::{Result, Store, StoreError, on_pool};

/// What every token starts with: tells a bouncedesk token apart in a
/// config file or a secret scanner's findings.
pub const TOKEN_PREFIX: &str = "bd_";
/// Characters of a token kept in clear, so lists can tell tokens apart.
const SHOWN: usize = 10;
/// The longest token name accepted.
const NAME_MAX: usize = 100;
/// The columns a token is read from.
const COLUMNS: &str = "id, name, prefix, scope, created_at, last_used_at, revoked_at";

/// A token just made: the only time its secret is known.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub token: ApiToken,
    pub secret: String,
}

/// The digest a token is kept and looked up by.
fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

impl Store {
    /// Makes a token named `name` (for people: "SendGrid webhook") that may
    /// do what `scope` allows.
    pub async fn create_token(&self, name: &str, scope: Scope, now: DateTime<Utc>) -> Result<NewToken> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > NAME_MAX {
            return Err(StoreError::Invalid(bounce::ParseError::at(
                "name",
                name,
                format!("is not a token name: use 1 to {NAME_MAX} characters"),
            )));
        }
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
        let secret = format!(
            "{TOKEN_PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
        );
        let prefix: String = secret.chars().take(SHOWN).collect();
        let id: i64 = on_pool!(self, pool => {
            sqlx::query_scalar(
                "INSERT INTO api_tokens (name, prefix, scope, digest, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(name)
            .bind(&prefix)
            .bind(scope.as_str())
            .bind(digest(&secret))
            .bind(now)
            .fetch_one(pool)
            .await?
        });
        Ok(NewToken {
            token: ApiToken {
                id,
                name: name.to_owned(),
                prefix,
                scope,
                created_at: now,
                last_used_at: None,
                revoked_at: None,
            },
            secret,
        })
    }

    /// Every token, newest first, revoked ones included (marked).
    pub async fn tokens(&self) -> Result<Vec<ApiToken>> {
        let rows: Vec<TokenRecord> = on_pool!(self, pool => {
            sqlx::query_as(
                sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM api_tokens ORDER BY id DESC")),
            )
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(ApiToken::try_from).collect()
    }

    /// Revokes a token; `false` when there is no such live token.
    pub async fn revoke_token(&self, id: i64, now: DateTime<Utc>) -> Result<bool> {
        let done = on_pool!(self, pool => {
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now)
                .bind(id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done > 0)
    }

    /// The live token a request presents, noting its use; `None` for an
    /// unknown or revoked one. Looked up by digest: the secret is never
    /// compared byte by byte, so timing tells nothing about it.
    pub async fn authenticate(&self, secret: &str, now: DateTime<Utc>) -> Result<Option<ApiToken>> {
        if !secret.starts_with(TOKEN_PREFIX) || secret.len() > 200 {
            return Ok(None);
        }
        let row: Option<TokenRecord> = on_pool!(self, pool => {
            sqlx::query_as(
                sqlx::AssertSqlSafe(format!(
                    "UPDATE api_tokens SET last_used_at = $1 WHERE digest = $2 AND revoked_at IS NULL RETURNING {COLUMNS}"
                )),
            )
            .bind(now)
            .bind(digest(secret))
            .fetch_optional(pool)
            .await?
        });
        row.map(ApiToken::try_from).transpose()
    }
}

#[derive(sqlx::FromRow)]
struct TokenRecord {
    id: i64,
    name: String,
    prefix: String,
    scope: String,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl TryFrom<TokenRecord> for ApiToken {
    type Error = StoreError;

    fn try_from(r: TokenRecord) -> Result<Self> {
        Ok(ApiToken {
            id: r.id,
            name: r.name,
            prefix: r.prefix,
            scope: r.scope.parse()?,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        })
    }
}
