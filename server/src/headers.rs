//! The security headers on every answer, the timeout's 503 included.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// This request's Content-Security-Policy nonce. The page renderer gives it
/// to Leptos (see `router`), which puts it on the hydration scripts; the
/// header below allows exactly those inline scripts.
#[derive(Debug, Clone)]
pub struct CspNonce(pub Arc<str>);

/// The policy for a response whose inline scripts carry `nonce`.
///
/// Scripts: our own files and the nonced inline ones; `wasm-unsafe-eval`
/// lets the front end's wasm compile. Styles allow inline `style` attributes
/// (the SVG charts use them; they cannot run code). Nothing may frame the
/// dashboard, change its base URL, or post a form elsewhere.
fn policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

/// Paths that hold no personal data and may be cached: the built front end
/// and the icon. Everything else (pages, charts, exports, the API) is
/// `no-store`, so addresses and bounce texts stay out of shared caches and
/// the browser's disk cache.
fn cacheable(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.svg"
}

/// Adds the headers, after the inner layers answered (a timeout's 503 too).
pub async fn security_headers(mut request: Request, next: Next) -> Response {
    let nonce = leptos::nonce::Nonce::new();
    let nonce = CspNonce(nonce.as_inner().clone());
    request.extensions_mut().insert(nonce.clone());
    let cacheable = cacheable(request.uri().path());
    let mut response = next.run(request).await;
    set(response.headers_mut(), &nonce.0, cacheable);
    response
}

fn set(headers: &mut HeaderMap, nonce: &str, cacheable: bool) {
    if let Ok(csp) = HeaderValue::from_str(&policy(nonce)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if !cacheable {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}
