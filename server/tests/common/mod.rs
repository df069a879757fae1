//! What the test files share: the real router on a test database, the
//! demo data set, the campaign the fixtures name, and the fixtures.

// Each test file compiles this module on its own and uses part of it.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use bounce::account::Role;
use chrono::{TimeZone, Utc};
use http_body_util::BodyExt;
use server::demo::{self, DemoConfig};
use store::{NewCampaign, Store};
use tower::ServiceExt;

/// The real `bouncedesk` binary, as an operator runs it.
pub fn bouncedesk() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_bouncedesk"))
}

/// A loopback port nothing listens on at the moment.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// `bouncedesk serve` on `url` (no demo data) at `127.0.0.1:port`.
pub fn serve(url: &str, port: u16) -> std::process::Command {
    let mut command = bouncedesk();
    command.args([
        "serve",
        "--no-demo",
        "--addr",
        &format!("127.0.0.1:{port}"),
        "--database-url",
        url,
    ]);
    command
}

/// The real router, as nobody: no session, no token.
pub fn anonymous_app(store: &Store) -> axum::Router {
    let addr = "127.0.0.1:0".parse().expect("valid address");
    server::router(store.clone(), server::leptos_options("target/site", addr))
}

/// The real router, with every request sent the way an admin's browser
/// sends it from the dashboard: signed in, from this origin. A request that
/// carries its own `Cookie` or `Authorization` keeps it (tests of roles and
/// tokens).
pub fn app(store: &Store) -> axum::Router {
    let store = store.clone();
    anonymous_app(&store).layer(axum::middleware::from_fn(
        move |mut request: axum::extract::Request, next: axum::middleware::Next| {
            let store = store.clone();
            async move {
                let headers = request.headers_mut();
                if !headers.contains_key(header::COOKIE) && !headers.contains_key(header::AUTHORIZATION) {
                    let cookie = session_cookie(&store, Role::Admin).await;
                    headers.insert(header::COOKIE, cookie.parse().expect("a header value"));
                }
                same_origin(headers);
                next.run(request).await
            }
        },
    ))
}

/// Gives a request the `Host` and `Origin` a page of this server sends.
pub fn same_origin(headers: &mut axum::http::HeaderMap) {
    if !headers.contains_key(header::HOST) {
        headers.insert(header::HOST, "localhost".parse().expect("value"));
    }
    if !headers.contains_key(header::ORIGIN) {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        let origin = format!("http://{host}");
        headers.insert(header::ORIGIN, origin.parse().expect("value"));
    }
}

/// The password of every test account.
pub const PASSWORD: &str = "correct horse battery staple";

/// `ROLE@bouncedesk.test`, made on first use.
pub async fn account(store: &Store, role: Role) -> bounce::account::User {
    let email = format!("{}@bouncedesk.test", role.as_str());
    match store.user(&email).await.expect("lookup") {
        Some(user) => user,
        // Made by a request running beside this one, if taken meanwhile.
        None => match store.add_user(&email, role, PASSWORD, Utc::now()).await {
            Ok(user) => user,
            Err(store::StoreError::Invalid(_)) => store.user(&email).await.expect("lookup").expect("the account"),
            Err(e) => panic!("account: {e}"),
        },
    }
}

/// A `Cookie` header value of a fresh session of the `role` test account.
pub async fn session_cookie(store: &Store, role: Role) -> String {
    let user = account(store, role).await;
    let session = store.create_session(user.id, None, Utc::now()).await.expect("session");
    format!("{}={}", server::auth::COOKIE, session.secret)
}

/// Sends `request` to `app` and reads the whole answer; the body comes back
/// buffered. A page streams, so a hang can happen while its body is read:
/// the time limit covers both.
pub async fn exchange(app: axum::Router, request: Request<Body>) -> axum::response::Response {
    let answer = async {
        let response = app.oneshot(request).await.expect("router answers");
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.expect("body").to_bytes();
        axum::response::Response::from_parts(parts, Body::from(bytes))
    };
    tokio::time::timeout(std::time::Duration::from_secs(30), answer)
        .await
        .expect("the router answers within 30 s")
}

/// The status and text of a buffered answer.
pub async fn text_of(response: axum::response::Response) -> (StatusCode, String) {
    let status = response.status();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

pub async fn get(store: &Store, uri: &str) -> (StatusCode, String) {
    let request = Request::get(uri).body(Body::empty()).expect("valid request");
    text_of(exchange(app(store), request).await).await
}

pub async fn load_demo(store: &Store) {
    let config = DemoConfig {
        campaigns: 4,
        contacts: 1_500,
        seed: 42,
        end: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).single().expect("valid"),
        problem_share: None,
    };
    demo::load(store, config, |_, _| {}).await.expect("demo loads");
}

/// The campaign the fixtures name (the first made: id 1).
pub async fn campaign(store: &Store) -> i64 {
    store
        .insert_campaign(&NewCampaign {
            name: "Nieuwsbrief november".into(),
            subject: "Nieuws".into(),
            from_domain: "news.example.nl".into(),
            sent_at: Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).single().expect("valid"),
        })
        .await
        .expect("campaign")
}

/// A Postfix log of `n` bounces, each its own message and recipient (a
/// hard 5.1.1 refusal at RCPT TO), for the tests that run the real binary
/// on a large import.
pub fn postfix_log(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "Nov 30 {:02}:{:02}:{:02} mail1 postfix/smtp[4211]: {:X}: to=<lid{i}@ziggo.nl>, relay=mx.ziggo.nl[212.54.42.8]:25, \
                 delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.1.1, status=bounced (host mx.ziggo.nl[212.54.42.8] said: 550 5.1.1 \
                 <lid{i}@ziggo.nl>: Recipient address rejected: User unknown (in reply to RCPT TO command))\n",
                (i / 3600) % 24,
                (i / 60) % 60,
                i % 60,
                0x5A00_0000_u64 + i as u64
            )
        })
        .collect()
}

/// Where a fixture is: `path` under `tests/fixtures`.
pub fn fixture_path(path: &str) -> String {
    format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// A fixture's bytes.
pub fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(fixture_path(path)).expect("fixture")
}
