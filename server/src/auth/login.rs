//! The routes of signing in and out, changing one's password, and taking the
//! audit log away as CSV. Plain HTML form posts: they work without the wasm.

use axum::extract::{Form, FromRequest, Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use bounce::account::{AuditAction, Caller};
use bounce::export::{Delimiter, ExportFormat};
use chrono::{TimeDelta, Utc};
use serde::Deserialize;
use store::{NewAuditEntry, Store};

use super::{COOKIE, client_address, session_secret};
use crate::ServerError;
use crate::router::AppState;

/// Failed logins an account may have in [`WINDOW`] before it must wait.
const PER_ACCOUNT: i64 = 5;
/// Failed logins one address may have in [`WINDOW`] (over all accounts:
/// against password spraying).
const PER_ADDRESS: i64 = 20;
/// The window the limits count in.
const WINDOW: TimeDelta = TimeDelta::minutes(15);

/// Whether this request's session cookie gets `Secure` (set by the gate).
#[derive(Debug, Clone, Copy)]
pub struct SecureCookie(pub bool);

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/account/password", post(change_password))
        .route("/admin/audit.csv", get(audit_csv))
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// Where to go after signing in: a path on this site, or the start page.
/// `//evil.example` and `/\\evil.example` are other sites to a browser.
fn local_target(next: &str) -> &str {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.starts_with("/login")
        && next.len() <= 2_000
        && !next.chars().any(char::is_control);
    if ok { next } else { "/" }
}

fn cookie(value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("bouncedesk_session=; Path=/; Max-Age=0"))
}

fn login_again(error: &str, next: &str) -> Response {
    let query = serde_urlencoded::to_string([("error", error), ("next", local_target(next))]).unwrap_or_default();
    Redirect::to(&format!("/login?{query}")).into_response()
}

async fn login(
    State(store): State<Store>,
    Extension(SecureCookie(secure)): Extension<SecureCookie>,
    request: Request,
) -> Result<Response, ServerError> {
    let address = client_address(&request);
    let Form(form) = Form::<LoginForm>::from_request(request, &())
        .await
        .map_err(|e| ServerError::Usage(format!("the sign-in form did not parse: {e}")))?;
    let now = Utc::now();
    let tried: String = form.email.trim().to_lowercase().chars().take(254).collect();
    let (by_account, by_address) = store.failed_logins(&tried, address.as_deref(), now - WINDOW).await?;
    if by_account >= PER_ACCOUNT || by_address >= PER_ADDRESS {
        tracing::warn!(account = %tried.escape_debug(), ?address, "sign-in refused: too many failed attempts");
        return Ok(login_again("limited", &form.next));
    }
    let Some(user) = store.check_login(&tried, &form.password).await? else {
        let entry = NewAuditEntry {
            actor: &tried,
            action: AuditAction::LoginFailed,
            detail: "",
            address: address.as_deref(),
        };
        store.audit(&entry, now).await?;
        return Ok(login_again("invalid", &form.next));
    };
    let session = store.create_session(user.id, address.as_deref(), now).await?;
    let entry = NewAuditEntry {
        actor: &user.email,
        action: AuditAction::Login,
        detail: user.role.as_str(),
        address: address.as_deref(),
    };
    store.audit(&entry, now).await?;
    let max_age = (session.expires_at - now).num_seconds();
    let mut response = Redirect::to(local_target(&form.next)).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookie(&session.secret, max_age, secure));
    Ok(response)
}

async fn logout(
    State(store): State<Store>,
    Extension(caller): Extension<Caller>,
    Extension(SecureCookie(secure)): Extension<SecureCookie>,
    request: Request,
) -> Result<Response, ServerError> {
    if let Some(secret) = session_secret(request.headers()) {
        store.end_session(&secret).await?;
    }
    record(&store, &caller, AuditAction::Logout, "").await?;
    let mut response = Redirect::to("/login?error=signed_out").into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie("", 0, secure));
    Ok(response)
}

#[derive(Debug, Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
}

/// A new password ends every session of the person, this one too; this
/// browser gets a fresh one.
async fn change_password(
    State(store): State<Store>,
    Extension(caller): Extension<Caller>,
    Extension(SecureCookie(secure)): Extension<SecureCookie>,
    Form(form): Form<PasswordForm>,
) -> Result<Response, ServerError> {
    let Some(user) = caller.user.clone() else {
        return Err(ServerError::Forbidden("only a signed-in person has a password".into()));
    };
    if store.check_login(&user.email, &form.current).await?.is_none() {
        return Ok(Redirect::to("/account?error=current").into_response());
    }
    if let Err(e) = bounce::account::check_password(&form.new) {
        let query = serde_urlencoded::to_string([("error", e.to_string())]).unwrap_or_default();
        return Ok(Redirect::to(&format!("/account?{query}")).into_response());
    }
    store.set_password(user.id, &form.new).await?;
    record(&store, &caller, AuditAction::PasswordChanged, "").await?;
    let now = Utc::now();
    let session = store.create_session(user.id, caller.address.as_deref(), now).await?;
    let mut response = Redirect::to("/account?done=password").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        cookie(&session.secret, (session.expires_at - now).num_seconds(), secure),
    );
    Ok(response)
}

/// The whole audit log as CSV (formula-neutralised), newest first.
async fn audit_csv(State(store): State<Store>, Extension(caller): Extension<Caller>) -> Result<Response, ServerError> {
    let format = ExportFormat::Csv {
        delimiter: Delimiter::Comma,
    };
    const COLUMNS: [&str; 6] = ["id", "at", "actor", "action", "detail", "address"];
    let mut out = format.header_for(&COLUMNS);
    let mut before = None;
    loop {
        let page = store.audit_log(before, 5_000).await?;
        let Some(last) = page.last() else { break };
        before = Some(last.id);
        for e in &page {
            let cells = [
                e.id.to_string(),
                e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                e.actor.clone(),
                e.action.as_str().to_owned(),
                e.detail.clone(),
                e.address.clone().unwrap_or_default(),
            ];
            format.write_cells(
                &COLUMNS,
                cells.into_iter().map(|c| (c, serde_json::Value::Null)),
                &mut out,
            );
        }
    }
    record(&store, &caller, AuditAction::AuditExported, "").await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"bouncedesk-audit.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

/// Records what `caller` did.
pub async fn record(store: &Store, caller: &Caller, action: AuditAction, detail: &str) -> Result<(), ServerError> {
    Ok(store
        .audit(&NewAuditEntry::by(caller, action, detail), Utc::now())
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site_are_followed_after_signing_in() {
        assert_eq!(local_target("/campaigns/3/errors?q=x"), "/campaigns/3/errors?q=x");
        assert_eq!(local_target("//evil.example/"), "/");
        assert_eq!(local_target("/\\evil.example"), "/");
        assert_eq!(local_target("https://evil.example"), "/");
        assert_eq!(local_target("/login?next=/x"), "/");
        assert_eq!(local_target(""), "/");
    }
}
