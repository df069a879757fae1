//! Server functions of the intake pages: imports (the upload page), the
//! results no campaign was found for, and API tokens.

use bounce::intake::{ApiToken, ImportRun, UnlinkedResult};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::AppError;

/// Imports shown on the upload page.
pub const IMPORTS_SHOWN: i64 = 50;
/// Unlinked results per page.
pub const UNLINKED_PAGE: u32 = 100;

/// One page of the results no campaign was found for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnlinkedPage {
    pub rows: Vec<UnlinkedResult>,
    pub total: i64,
    /// The cursor of the next (older) page, when there is one.
    pub older: Option<String>,
}

/// The latest imports, newest first.
#[server(endpoint = "list_imports")]
pub async fn list_imports() -> Result<Vec<ImportRun>, AppError> {
    let store = super::server::store()?;
    // A running import's row moves every second; five minutes of silence
    // means its server died.
    let stalled = chrono::Utc::now() - chrono::Duration::minutes(5);
    super::server::answer(store.import_runs(IMPORTS_SHOWN, stalled).await)
}

/// A page of unlinked results, older than the cursor `before` (from a
/// previous page) when given.
#[server(endpoint = "unlinked_results")]
pub async fn unlinked_results(before: String) -> Result<UnlinkedPage, AppError> {
    let store = super::server::store()?;
    let before = match before.trim() {
        "" => None,
        raw => Some(raw.parse::<bounce::query::Cursor>().map_err(super::server::invalid)?),
    };
    let rows = super::server::answer(store.unlinked(before, UNLINKED_PAGE + 1).await)?;
    let total = super::server::answer(store.unlinked_count().await)?;
    let more = rows.len() > UNLINKED_PAGE as usize;
    let rows: Vec<UnlinkedResult> = rows.into_iter().take(UNLINKED_PAGE as usize).collect();
    let older = more.then(|| rows.last().map(|r| r.row.cursor().to_string())).flatten();
    Ok(UnlinkedPage { rows, total, older })
}

/// Every API token, newest first.
#[server(endpoint = "list_tokens")]
pub async fn list_tokens() -> Result<Vec<ApiToken>, AppError> {
    super::server::require(bounce::account::Role::Admin)?;
    let store = super::server::store()?;
    super::server::answer(store.tokens().await)
}

/// Makes a token named `name` for `scope` (`import` or `read`); its
/// secret, the only time it is shown (only the secret crosses to the
/// browser: the island shows nothing else, and dates would bring their
/// parser into the wasm).
#[server(endpoint = "make_token")]
pub async fn make_token(name: String, scope: String) -> Result<String, AppError> {
    use bounce::account::{AuditAction, Role, Scope};
    let caller = super::server::require(Role::Admin)?;
    let store = super::server::store()?;
    let scope: Scope = scope.parse().map_err(super::server::invalid)?;
    let made = super::server::answer_or_refuse(store.create_token(&name, scope, chrono::Utc::now()).await)?;
    let detail = format!("{} ({scope}, {}…)", made.token.name, made.token.prefix);
    super::server::audit(&store, &caller, AuditAction::TokenCreated, &detail).await?;
    Ok(made.secret)
}

/// Revokes the token with this id. At a fixed path: the Tokens page posts
/// to it from a plain form (no script; the server function answers a form
/// post by sending the browser back to the page).
#[server(endpoint = "revoke_token")]
pub async fn revoke_token(id: String) -> Result<(), AppError> {
    use bounce::account::{AuditAction, Role};
    let caller = super::server::require(Role::Admin)?;
    let store = super::server::store()?;
    let id = super::server::parse_id("token", &id)?;
    if super::server::answer(store.revoke_token(id, chrono::Utc::now()).await)? {
        super::server::audit(&store, &caller, AuditAction::TokenRevoked, &format!("token {id}")).await
    } else {
        Err(super::server::not_found(format!("live token {id}")))
    }
}
