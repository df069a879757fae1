//! Server functions of accounts: who is signed in, the people (admins), and
//! the audit log (admins).

use bounce::account::{AuditEntry, User};
use leptos::prelude::*;

use crate::AppError;

/// The person signed in, if any (the top bar shows them; pages hide what
/// their role cannot use).
#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<User>, AppError> {
    Ok(super::server::signed_in())
}

/// Everyone who may sign in.
#[server(endpoint = "list_users")]
pub async fn list_users() -> Result<Vec<User>, AppError> {
    super::server::require(bounce::account::Role::Admin)?;
    let store = super::server::store()?;
    super::server::answer(store.users().await)
}

/// Adds a person with a role and a first password (they change it on
/// their Account page).
#[server(endpoint = "add_user")]
pub async fn add_user(email: String, role: String, password: String) -> Result<(), AppError> {
    use bounce::account::{AuditAction, Role};
    let caller = super::server::require(Role::Admin)?;
    let store = super::server::store()?;
    let role: Role = role.parse().map_err(super::server::invalid)?;
    let user = super::server::answer_or_refuse(store.add_user(&email, role, &password, chrono::Utc::now()).await)?;
    let detail = format!("{} as {}", user.email, user.role);
    super::server::audit(&store, &caller, AuditAction::UserAdded, &detail).await?;
    leptos_axum::redirect("/admin/users?done=added");
    Ok(())
}

/// Changes a person's role (`role`), or disables (`disable=1`) or enables
/// (`disable=0`) them. An admin cannot demote or disable themselves, so an
/// installation always keeps one.
#[server(endpoint = "change_user")]
pub async fn change_user(email: String, role: String, disable: String) -> Result<(), AppError> {
    use bounce::account::{AuditAction, Role};
    let caller = super::server::require(Role::Admin)?;
    let store = super::server::store()?;
    let role: Option<Role> = match role.trim() {
        "" => None,
        r => Some(r.parse().map_err(super::server::invalid)?),
    };
    let disabled = match disable.trim() {
        "" => None,
        "1" => Some(true),
        "0" => Some(false),
        other => {
            return Err(super::server::invalid(bounce::ParseError::at(
                "disable",
                other,
                "is not 1 or 0",
            )));
        }
    };
    let own = caller
        .user
        .as_ref()
        .is_some_and(|u| u.email.eq_ignore_ascii_case(email.trim()));
    if own && (disabled == Some(true) || role.is_some_and(|r| r != Role::Admin)) {
        return Err(super::server::invalid(bounce::ParseError::at(
            "email",
            email.trim(),
            "is you: another admin must change your own account",
        )));
    }
    if !super::server::answer_or_refuse(store.change_user(&email, role, disabled, chrono::Utc::now()).await)? {
        return Err(super::server::not_found(format!("the account `{}`", email.trim())));
    }
    let what = match (role, disabled) {
        (Some(r), _) => format!("{} is now {r}", email.trim()),
        (None, Some(true)) => format!("{} disabled", email.trim()),
        (None, Some(false)) => format!("{} enabled", email.trim()),
        (None, None) => format!("{} unchanged", email.trim()),
    };
    super::server::audit(&store, &caller, AuditAction::UserChanged, &what).await?;
    leptos_axum::redirect("/admin/users?done=changed");
    Ok(())
}

/// One page of the audit log, newest first: 100 entries before entry
/// `before` (`""`: the newest).
#[server(endpoint = "audit_page")]
pub async fn audit_page(before: String) -> Result<Vec<AuditEntry>, AppError> {
    super::server::require(bounce::account::Role::Admin)?;
    let store = super::server::store()?;
    let before = match before.trim() {
        "" => None,
        b => Some(super::server::parse_id("audit entry", b)?),
    };
    super::server::answer(store.audit_log(before, 100).await)
}
