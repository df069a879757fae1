//! Accounts through the real router on both databases: signing in and out,
//! sessions, the login rate limit, CSRF, token scopes, the audit log, and
//! every route tried as every role.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use bounce::account::{Role, Scope};
use common::{PASSWORD, account, anonymous_app, session_cookie};
use http_body_util::BodyExt;
use store::{Store, store_test};

/// Sends `request` to the router as it is (no session added).
async fn send(store: &Store, request: Request<Body>) -> (StatusCode, header::HeaderMap, String) {
    let response = common::exchange(anonymous_app(store), request).await;
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    (status, headers, String::from_utf8_lossy(&bytes).into_owned())
}

/// A browser's request from one of our pages (`Origin` is this server).
fn from_page(method: &str, uri: &str, cookie: Option<&str>, body: &str) -> Request<Body> {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "http://localhost")
        .header(header::ACCEPT, "text/html")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::from(body.to_owned())).expect("request")
}

fn login_form(email: &str, password: &str) -> String {
    serde_urlencoded::to_string([("email", email), ("password", password), ("next", "/campaigns/1")]).expect("form")
}

fn location(headers: &header::HeaderMap) -> &str {
    headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The session cookie a response sets, as a `Cookie` header value.
fn set_session(headers: &header::HeaderMap) -> Option<String> {
    let set = headers.get(header::SET_COOKIE)?.to_str().ok()?;
    let pair = set.split(';').next()?.trim();
    (pair.len() > server::auth::COOKIE.len() + 1).then(|| pair.to_owned())
}

store_test!(strangers_are_sent_to_sign_in_and_machines_get_401, |store| {
    let (page, page_headers, _) = send(&store, from_page("GET", "/campaigns/1/errors?q=x", None, "")).await;
    let (function, _, _) = send(&store, from_page("POST", "/api/list_campaigns", None, "")).await;
    let (export, _, _) = send(&store, from_page("GET", "/api/v1/suppressions/export", None, "")).await;
    let (login, _, _) = send(&store, from_page("GET", "/login", None, "")).await;
    let (probe, _, _) = send(&store, from_page("GET", "/healthz", None, "")).await;

    assert_eq!(page, StatusCode::SEE_OTHER);
    assert_eq!(location(&page_headers), "/login?next=%2Fcampaigns%2F1%2Ferrors%3Fq%3Dx");
    assert_eq!(function, StatusCode::UNAUTHORIZED);
    assert_eq!(export, StatusCode::UNAUTHORIZED);
    assert_eq!(login, StatusCode::OK);
    assert_eq!(probe, StatusCode::OK);
});

store_test!(signing_in_sets_a_server_side_session_that_signing_out_ends, |store| {
    let user = account(&store, Role::Viewer).await;

    let (status, headers, _) = send(
        &store,
        from_page("POST", "/login", None, &login_form(&user.email, PASSWORD)),
    )
    .await;
    let cookie = set_session(&headers).expect("a session cookie");
    let flags = headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (inside, _, _) = send(&store, from_page("GET", "/", Some(&cookie), "")).await;
    let (out, _, _) = send(&store, from_page("POST", "/logout", Some(&cookie), "")).await;
    let (after, after_headers, _) = send(&store, from_page("GET", "/", Some(&cookie), "")).await;

    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location(&headers), "/campaigns/1", "back where they were going");
    assert!(flags.contains("HttpOnly") && flags.contains("SameSite=Lax"), "{flags}");
    assert!(!flags.contains("Secure"), "plain HTTP on loopback: {flags}");
    assert_eq!(inside, StatusCode::OK);
    assert_eq!(out, StatusCode::SEE_OTHER);
    assert_eq!(after, StatusCode::SEE_OTHER, "the session ended on the server");
    assert!(location(&after_headers).starts_with("/login"));
});

store_test!(behind_a_tls_proxy_the_cookie_is_secure, |store| {
    let user = account(&store, Role::Viewer).await;
    let mut request = from_page("POST", "/login", None, &login_form(&user.email, PASSWORD));
    request
        .headers_mut()
        .insert("x-forwarded-proto", "https".parse().expect("value"));
    request
        .headers_mut()
        .insert(header::ORIGIN, "https://localhost".parse().expect("value"));

    let (_, headers, _) = send(&store, request).await;

    let flags = headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(flags.contains("; Secure"), "{flags}");
});

store_test!(wrong_passwords_are_recorded_and_limited_per_account, |store| {
    let user = account(&store, Role::Marketer).await;

    let mut answers = Vec::new();
    for _ in 0..5 {
        let (_, headers, _) = send(
            &store,
            from_page("POST", "/login", None, &login_form(&user.email, "not it at all")),
        )
        .await;
        answers.push(location(&headers).to_owned());
    }
    let (_, limited, _) = send(
        &store,
        from_page("POST", "/login", None, &login_form(&user.email, PASSWORD)),
    )
    .await;
    let (_, unknown, _) = send(
        &store,
        from_page("POST", "/login", None, &login_form("nobody@bouncedesk.test", PASSWORD)),
    )
    .await;

    assert!(
        answers.iter().all(|l| l.starts_with("/login?error=invalid")),
        "{answers:?}"
    );
    assert!(
        location(&limited).starts_with("/login?error=limited"),
        "the right password waits too"
    );
    assert!(set_session(&limited).is_none());
    assert!(
        location(&unknown).starts_with("/login?error=invalid"),
        "an unknown address is told the same"
    );
    let log = store.audit_log(None, 100).await.expect("log");
    let failed = log
        .iter()
        .filter(|e| e.action == bounce::account::AuditAction::LoginFailed)
        .count();
    assert_eq!(failed, 6);
});

store_test!(changes_from_another_site_are_refused, |store| {
    let cookie = session_cookie(&store, Role::Admin).await;
    let policy = "hard_block_days=7&soft_limit=5&soft_window_days=30&consecutive_hard=1";

    let mut foreign = from_page("POST", "/api/set_policy", Some(&cookie), policy);
    foreign
        .headers_mut()
        .insert(header::ORIGIN, "https://evil.example".parse().expect("value"));
    let mut bare = from_page("POST", "/api/set_policy", Some(&cookie), policy);
    bare.headers_mut().remove(header::ORIGIN);
    let mut fetched = from_page("POST", "/api/set_policy", Some(&cookie), policy);
    fetched.headers_mut().remove(header::ORIGIN);
    fetched
        .headers_mut()
        .insert("sec-fetch-site", "same-origin".parse().expect("value"));
    let mut forged_login = from_page("POST", "/login", None, &login_form("admin@bouncedesk.test", PASSWORD));
    forged_login
        .headers_mut()
        .insert(header::ORIGIN, "https://evil.example".parse().expect("value"));

    let (foreign, _, foreign_body) = send(&store, foreign).await;
    let (bare, _, _) = send(&store, bare).await;
    let (fetched, _, _) = send(&store, fetched).await;
    let (forged_login, _, _) = send(&store, forged_login).await;

    assert_eq!(foreign, StatusCode::FORBIDDEN, "{foreign_body}");
    assert_eq!(bare, StatusCode::FORBIDDEN);
    assert_ne!(fetched, StatusCode::FORBIDDEN, "same-origin fetches pass");
    assert_eq!(forged_login, StatusCode::FORBIDDEN);
});

store_test!(a_new_password_ends_every_other_session, |store| {
    let user = account(&store, Role::Viewer).await;
    let other_browser = session_cookie(&store, Role::Viewer).await;
    let this_browser = session_cookie(&store, Role::Viewer).await;
    let form = serde_urlencoded::to_string([("current", PASSWORD), ("new", "a brand new passphrase")]).expect("form");

    let (status, headers, _) = send(
        &store,
        from_page("POST", "/account/password", Some(&this_browser), &form),
    )
    .await;
    let (other, _, _) = send(&store, from_page("GET", "/", Some(&other_browser), "")).await;
    let fresh = set_session(&headers).expect("this browser gets a new session");
    let (this, _, _) = send(&store, from_page("GET", "/", Some(&fresh), "")).await;

    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location(&headers), "/account?done=password");
    assert_eq!(other, StatusCode::SEE_OTHER, "the other browser is signed out");
    assert_eq!(this, StatusCode::OK);
    assert!(
        store
            .check_login(&user.email, "a brand new passphrase")
            .await
            .expect("check")
            .is_some()
    );
});

store_test!(tokens_do_only_what_their_scope_allows, |store| {
    let read = store
        .create_token("report script", Scope::Read, chrono::Utc::now())
        .await
        .expect("token");
    let import = store
        .create_token("webhook", Scope::Import, chrono::Utc::now())
        .await
        .expect("token");
    let bearer = |secret: &str, method: &str, uri: &str, body: &str| {
        Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {secret}"))
            .header(header::CONTENT_TYPE, "application/x-ndjson")
            .body(Body::from(body.to_owned()))
            .expect("request")
    };
    let event = r#"{"recipient":"jan@ziggo.nl","time":"2026-11-30T10:00:01Z","result":"failed","id":"e1","text":"550 5.1.1 user unknown"}"#;

    let (read_exports, _, _) = send(&store, bearer(&read.secret, "GET", "/api/v1/suppressions/export", "")).await;
    let (read_posts, _, _) = send(&store, bearer(&read.secret, "POST", "/api/v1/events", event)).await;
    let (import_exports, _, _) = send(&store, bearer(&import.secret, "GET", "/api/v1/suppressions/export", "")).await;
    let (import_posts, _, _) = send(&store, bearer(&import.secret, "POST", "/api/v1/events", event)).await;
    let (read_pages, _, _) = send(&store, bearer(&read.secret, "GET", "/", "")).await;

    assert_eq!(read_exports, StatusCode::OK);
    assert_eq!(read_posts, StatusCode::FORBIDDEN);
    assert_eq!(import_exports, StatusCode::FORBIDDEN);
    assert!(import_posts.is_success(), "{import_posts}");
    assert_ne!(read_pages, StatusCode::OK, "a token opens no pages");
    let log = store.audit_log(None, 10).await.expect("log");
    assert!(
        log.iter()
            .any(|e| e.action == bounce::account::AuditAction::Export && e.actor == "token:report script"),
        "{log:?}"
    );
});

/// Server functions a viewer may not call, and the least role that may.
/// Written out here, apart from the server's table, so that a change to the
/// table shows up as a failing test.
const GUARDED: &[(&str, Role)] = &[
    ("add_suppressions", Role::Marketer),
    ("unblock", Role::Marketer),
    ("reset_contact", Role::Marketer),
    ("save_selection", Role::Marketer),
    ("delete_selection", Role::Marketer),
    ("act_on_selection", Role::Marketer),
    ("list_tokens", Role::Admin),
    ("make_token", Role::Admin),
    ("revoke_token", Role::Admin),
    ("set_policy", Role::Admin),
    ("list_users", Role::Admin),
    ("add_user", Role::Admin),
    ("change_user", Role::Admin),
    ("audit_page", Role::Admin),
];

/// Pages and routes a viewer may not open, with the least role that may.
const GUARDED_ROUTES: &[(&str, &str, Role)] = &[
    ("GET", "/settings/tokens", Role::Admin),
    ("GET", "/settings/policies", Role::Admin),
    ("GET", "/admin/users", Role::Admin),
    ("GET", "/admin/audit", Role::Admin),
    ("GET", "/admin/audit.csv", Role::Admin),
    ("GET", "/api/v1/suppressions/export", Role::Marketer),
    ("GET", "/api/v1/selections/1/export", Role::Marketer),
    ("POST", "/api/v1/selections/export", Role::Marketer),
    ("POST", "/imports/upload", Role::Marketer),
];

fn least_role(name: &str) -> Role {
    GUARDED
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(Role::Viewer, |(_, r)| *r)
}

store_test!(every_server_function_is_refused_to_roles_below_its_own, |store| {
    common::load_demo(&store).await;
    let cookies = [
        (Role::Viewer, session_cookie(&store, Role::Viewer).await),
        (Role::Marketer, session_cookie(&store, Role::Marketer).await),
        (Role::Admin, session_cookie(&store, Role::Admin).await),
    ];
    let ruled: Vec<&str> = server::auth::rules::server_function_rules()
        .map(|(name, _)| name)
        .collect();
    let registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    assert!(registered.len() >= 25, "{registered:?}");

    for path in &registered {
        let name = path.trim_start_matches("/api/");
        assert!(
            ruled.contains(&name),
            "{path} has no rule of its own in server/src/auth/rules.rs"
        );
        let (anonymous, _, _) = send(&store, from_page("POST", path, None, "")).await;
        if name == "current_user" {
            assert!(
                anonymous != StatusCode::UNAUTHORIZED && anonymous != StatusCode::FORBIDDEN,
                "{path}"
            );
        } else {
            assert_eq!(anonymous, StatusCode::UNAUTHORIZED, "{path}");
        }
        for (role, cookie) in &cookies {
            let (status, _, body) = send(&store, from_page("POST", path, Some(cookie), "")).await;
            if role.may(least_role(name)) {
                assert_ne!(status, StatusCode::FORBIDDEN, "{path} as {role}: {body}");
                assert_ne!(status, StatusCode::UNAUTHORIZED, "{path} as {role}");
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{path} as {role}: {body}");
            }
        }
    }
});

store_test!(every_page_and_route_is_refused_to_roles_below_its_own, |store| {
    common::load_demo(&store).await;
    let campaign = store.campaign_summaries().await.expect("campaigns")[0].id;
    let pages: Vec<String> = leptos_axum::generate_route_list(app::App)
        .iter()
        .map(|route| {
            route
                .path()
                .replace(":id", &campaign.to_string())
                .replace(":event", "1")
        })
        .collect();
    assert!(pages.len() >= 15, "{pages:?}");
    let cookies = [
        (Role::Viewer, session_cookie(&store, Role::Viewer).await),
        (Role::Marketer, session_cookie(&store, Role::Marketer).await),
        (Role::Admin, session_cookie(&store, Role::Admin).await),
    ];
    let mut routes: Vec<(String, String, Role)> = pages
        .iter()
        .map(|p| {
            let least = GUARDED_ROUTES
                .iter()
                .find(|(m, r, _)| *m == "GET" && r == p)
                .map_or(Role::Viewer, |g| g.2);
            ("GET".to_owned(), p.clone(), least)
        })
        .collect();
    routes.extend(
        GUARDED_ROUTES
            .iter()
            .map(|(m, r, least)| ((*m).to_owned(), (*r).to_owned(), *least)),
    );

    for (method, path, least) in &routes {
        let (anonymous, _, _) = send(&store, from_page(method, path, None, "")).await;
        if path != "/login" {
            assert!(
                anonymous == StatusCode::SEE_OTHER || anonymous == StatusCode::UNAUTHORIZED,
                "{method} {path} answered {anonymous} to a stranger"
            );
        }
        for (role, cookie) in &cookies {
            let (status, _, _) = send(&store, from_page(method, path, Some(cookie), "")).await;
            if role.may(*least) {
                assert!(
                    status != StatusCode::FORBIDDEN
                        && status != StatusCode::UNAUTHORIZED
                        && status != StatusCode::SEE_OTHER
                        || path == "/login",
                    "{method} {path} as {role}: {status}"
                );
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path} as {role}");
            }
        }
    }
    let viewer = &cookies[0].1;
    let (_, headers, refused) = send(&store, from_page("GET", "/admin/users", Some(viewer), "")).await;
    assert!(
        headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .starts_with("text/html"),
        "a browser gets a page"
    );
    assert!(refused.contains("needs the admin role"), "{refused}");
});

store_test!(admins_see_and_export_the_audit_log_with_who_what_and_where, |store| {
    let admin = session_cookie(&store, Role::Admin).await;
    let marketer = session_cookie(&store, Role::Marketer).await;
    let (suppressed, _, body) = send(
        &store,
        from_page(
            "POST",
            "/api/add_suppressions",
            Some(&marketer),
            "addresses=kari%40online.no&reason=asked&days=",
        ),
    )
    .await;

    let (csv, headers, text) = send(&store, from_page("GET", "/admin/audit.csv", Some(&admin), "")).await;
    let (page, _, html) = send(&store, from_page("GET", "/admin/audit", Some(&admin), "")).await;

    assert!(
        suppressed.is_success() || suppressed.is_redirection(),
        "{suppressed}: {body}"
    );
    assert_eq!(csv, StatusCode::OK);
    assert!(
        headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .starts_with("text/csv")
    );
    assert!(
        text.contains("marketer@bouncedesk.test,suppress,1 addresses (asked): kari@online.no"),
        "{text}"
    );
    assert_eq!(page, StatusCode::OK);
    assert!(html.contains("suppress"), "the page lists it");
});
