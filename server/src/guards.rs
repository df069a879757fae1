//! Checks every request passes before it reaches a page or a route: the Host
//! it was sent to, and the shape of its path. Each answers plainly (a 308,
//! a 421) instead of letting the request through.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// `/campaigns/1/` is the page `/campaigns/1`: a permanent redirect to the
/// path without its trailing slash (the query kept), so there is one address
/// per page and no route renders outside its context.
pub async fn trailing_slash(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.len() > 1 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        let target = match request.uri().query() {
            Some(query) => format!("{}?{query}", if trimmed.is_empty() { "/" } else { trimmed }),
            None => (if trimmed.is_empty() { "/" } else { trimmed }).to_owned(),
        };
        // `//evil.example/` trimmed would be `//evil.example`: a redirect to
        // another site. Collapse leading slashes so it stays on this one.
        let target = format!("/{}", target.trim_start_matches('/'));
        if let Ok(location) = HeaderValue::from_str(&target) {
            return (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, location)]).into_response();
        }
    }
    next.run(request).await
}

/// The host names this server answers to (`BOUNCEDESK_ALLOWED_HOSTS`).
///
/// A page on another site can make the operator's browser resolve its own
/// name to 127.0.0.1 (DNS rebinding) and then read this dashboard as if it
/// were same-origin; the browser still sends the attacker's name as `Host`.
/// Answering only to known names stops that.
#[derive(Debug, Clone)]
pub struct AllowedHosts(std::sync::Arc<Vec<String>>);

impl AllowedHosts {
    /// `configured` (comma-separated names, `host` or `host:port`) or, when
    /// empty, the bind address and `localhost`, `127.0.0.1`, `[::1]`. A `*`
    /// allows any host (behind a proxy that checks it).
    pub fn new(configured: &str, bind: std::net::SocketAddr) -> Self {
        let mut hosts: Vec<String> = configured
            .split(',')
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect();
        if hosts.is_empty() {
            let ip = match bind.ip() {
                std::net::IpAddr::V6(v6) => format!("[{v6}]"),
                v4 => v4.to_string(),
            };
            hosts = vec![ip, "localhost".into(), "127.0.0.1".into(), "[::1]".into()];
        }
        Self(std::sync::Arc::new(hosts))
    }

    /// Whether `host` (a Host header: name, optional port) is one of ours.
    /// A name given with a port must match with it; one without, any port.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        let name = match host.rsplit_once(':') {
            Some((name, port))
                if !name.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) && !host.ends_with(']') =>
            {
                name
            }
            _ => host.as_str(),
        };
        self.0
            .iter()
            .any(|allowed| allowed == "*" || *allowed == host || *allowed == name)
    }
}

/// Refuses a request whose `Host` is not allowed, with 421 Misdirected
/// Request. A request without Host (HTTP/1.0, in-process tests) is let through:
/// a browser always sends one.
pub async fn host(State(allowed): State<AllowedHosts>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().unwrap_or("\u{fffd}").to_owned())
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_owned()));
    match host {
        Some(host) if !allowed.allows(&host) => {
            tracing::warn!(host = %host.escape_debug(), "refused a request for a host this server does not answer to");
            (
                StatusCode::MISDIRECTED_REQUEST,
                "This server does not answer to that host name (set BOUNCEDESK_ALLOWED_HOSTS).\n",
            )
                .into_response()
        }
        _ => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_allows_the_bind_address_and_localhost_on_any_port_only() {
        let allowed = AllowedHosts::new("", "127.0.0.1:3000".parse().expect("addr"));

        assert!(allowed.allows("127.0.0.1:3000"));
        assert!(allowed.allows("localhost:3000"));
        assert!(allowed.allows("LOCALHOST"));
        assert!(allowed.allows("[::1]:3000"));
        assert!(!allowed.allows("rebind.attacker.example:3000"));
        assert!(!allowed.allows("127.0.0.1.attacker.example"));
        assert!(!allowed.allows(""));
    }

    #[test]
    fn configured_names_replace_the_default_and_a_port_must_match_when_given() {
        let allowed = AllowedHosts::new(
            "bounces.example.nl, intern.example.nl:8443",
            "0.0.0.0:3000".parse().expect("addr"),
        );

        assert!(allowed.allows("bounces.example.nl"));
        assert!(allowed.allows("bounces.example.nl:443"));
        assert!(allowed.allows("intern.example.nl:8443"));
        assert!(!allowed.allows("intern.example.nl:9000"));
        assert!(!allowed.allows("localhost:3000"));
    }
}
