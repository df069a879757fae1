//! Signing in, and the gate every request passes: who is asking (a session
//! cookie or an API token), whether the route's rule lets them, and whether a
//! request that changes something came from our own pages (CSRF).

mod login;
pub mod rules;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use bounce::account::Caller;
use chrono::Utc;
use store::Store;

pub use login::{SecureCookie, record, routes};
use rules::Access;

use crate::ServerError;

/// The session cookie's name.
pub const COOKIE: &str = "bouncedesk_session";

/// How the gate is set up.
#[derive(Debug, Clone)]
pub struct Gate {
    pub store: Store,
    /// `Secure` on the session cookie: `Some` as configured, `None` to set it
    /// when the request came over HTTPS (a proxy's `X-Forwarded-Proto`).
    pub secure_cookies: Option<bool>,
}

/// The session secret a request's cookies carry.
pub fn session_secret(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == COOKIE && !value.is_empty()).then(|| value.to_owned())
        })
}

/// The client's IP address: the TCP peer. (Behind a proxy this is the
/// proxy; the rate limit per address then counts every client as one.)
pub fn client_address(request: &Request) -> Option<String> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
}

/// Whether a request that changes something comes from a page of this
/// server, by the headers browsers set and pages cannot forge: `Origin`
/// (its host must be the one asked), else `Sec-Fetch-Site`. A request with
/// neither is refused: every browser that can be tricked into a cross-site
/// POST sends one of them. (The approach of OWASP's CSRF cheat sheet,
/// "Verifying Origin with standard headers", and Go's CrossOriginProtection.)
pub fn same_origin(headers: &HeaderMap) -> Result<(), &'static str> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let origin_host = origin.split_once("://").map(|(_, rest)| rest.trim_end_matches('/'));
        return match (origin_host, host) {
            (Some(o), Some(h)) if o.eq_ignore_ascii_case(h) => Ok(()),
            _ => Err("this request came from another site (its Origin is not this server), so it was refused"),
        };
    }
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some("same-origin" | "none") => Ok(()),
        Some(_) => Err("this request came from another site, so it was refused"),
        None => Err("a request that changes something must say where it came from (an Origin header)"),
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Where a signed-out browser asking for a page is sent.
fn to_login(request: &Request) -> Response {
    let here = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let next: String = form_urlencoded(here);
    Redirect::to(&format!("/login?next={next}")).into_response()
}

fn form_urlencoded(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|s| s.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// The gate: finds the caller, applies the route's rule, checks the origin
/// of changes, and hands the [`Caller`] on to the handler.
pub async fn gate(State(gate): State<Gate>, mut request: Request, next: Next) -> Response {
    match check(&gate, &mut request).await {
        Ok(()) => next.run(request).await,
        Err(refusal) => refusal,
    }
}

async fn check(gate: &Gate, request: &mut Request) -> Result<(), Response> {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let Some(access) = rules::access(&method, &path) else {
        return Err(ServerError::Forbidden(format!("{method} {path} is not a route anyone may use")).into_response());
    };
    let address = client_address(request);
    let secret = session_secret(request.headers());
    // A change riding on a session cookie, or a login (a forged login would
    // sign the victim into the attacker's account), must come from our pages.
    // One that carries an Authorization header is exempt: another site cannot
    // make a browser send that header without a CORS preflight we never allow.
    if !is_safe(&method)
        && (secret.is_some() || path == "/login")
        && !has_bearer(request.headers())
        && let Err(why) = same_origin(request.headers())
    {
        tracing::warn!(%method, %path, "refused a cross-site request");
        return Err(ServerError::Forbidden(why.to_owned()).into_response());
    }
    let now = Utc::now();
    // Static files and probes come with the cookie too: no lookup for them.
    let user = match &secret {
        Some(secret) if access != Access::Public => gate
            .store
            .session_user(secret, now)
            .await
            .map_err(|e| ServerError::from(e).into_response())?,
        _ => None,
    };
    let caller = user.map(|user| Caller {
        actor: user.email.clone(),
        user: Some(user),
        address: address.clone(),
    });
    let caller = match (access, caller) {
        (Access::Public | Access::Anyone, caller) => caller,
        (Access::Person(needed) | Access::PersonOrToken(needed, _), Some(caller)) => {
            if !caller.role().is_some_and(|r| r.may(needed)) {
                let why = format!(
                    "this needs the {needed} role; {} is signed in as {}",
                    caller.actor,
                    caller.role().map_or("a token", |r| r.as_str())
                );
                if is_page_visit(&method, &path, request.headers()) {
                    return Err(refused_page(&why));
                }
                return Err(ServerError::Forbidden(why).into_response());
            }
            Some(caller)
        }
        (Access::PersonOrToken(_, scope), None) if has_bearer(request.headers()) => {
            let presented = crate::intake::presented_token(request.headers(), request.uri());
            Some(token_caller(gate, presented, scope, address).await?)
        }
        (Access::Person(_) | Access::PersonOrToken(..), None) => {
            // A person's browser opening a page goes to the sign-in page;
            // a script (or the API) is told plainly.
            return Err(if is_page_visit(&method, &path, request.headers()) {
                to_login(request)
            } else {
                (
                    StatusCode::UNAUTHORIZED,
                    axum::Json(serde_json::json!({ "error": "sign in first (POST /login), or present an API token" })),
                )
                    .into_response()
            });
        }
    };
    if let Some(caller) = caller {
        request.extensions_mut().insert(caller);
    }
    let over_https = request
        .headers()
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    let secure = gate.secure_cookies.unwrap_or(over_https);
    request.extensions_mut().insert(SecureCookie(secure));
    Ok(())
}

/// A plain 403 page for a signed-in person whose role may not open a page.
/// `why` holds their address: escaped, as everything from outside.
fn refused_page(why: &str) -> Response {
    let why = why.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not allowed · bouncedesk</title>\
         <link rel=\"stylesheet\" href=\"/pkg/bouncedesk.css\"></head><body><main><h1>Not allowed</h1>\
         <p>{why}. An admin can change your role on the People page.</p><p><a href=\"/\">Back to the campaigns</a></p>\
         </main></body></html>"
    );
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}

fn has_bearer(headers: &HeaderMap) -> bool {
    headers.contains_key(header::AUTHORIZATION)
}

/// A person's browser opening a page (not a script, not the API): refusals
/// answer it with a page (the sign-in page, a 403 page) rather than JSON.
fn is_page_visit(method: &Method, path: &str, headers: &HeaderMap) -> bool {
    *method == Method::GET && !path.starts_with("/api/") && wants_html(headers)
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|accept| accept.contains("text/html") || accept.contains("*/*"))
}

/// A script reading through the API with a token of `scope`.
async fn token_caller(
    gate: &Gate,
    presented: Option<String>,
    scope: bounce::account::Scope,
    address: Option<String>,
) -> Result<Caller, Response> {
    let token = match presented {
        Some(secret) => gate
            .store
            .authenticate(&secret, Utc::now())
            .await
            .map_err(|e| ServerError::from(e).into_response())?,
        None => None,
    };
    let Some(token) = token else {
        return Err(ServerError::Unauthorized("the API token is unknown or revoked".into()).into_response());
    };
    if token.scope != scope {
        return Err(ServerError::Forbidden(format!(
            "the token `{}` may {}, not {scope}: make a {scope} token (`bouncedesk token create --scope {scope}`)",
            token.name, token.scope
        ))
        .into_response());
    }
    Ok(Caller {
        actor: format!("token:{}", token.name),
        user: None,
        address,
    })
}
