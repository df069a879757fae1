//! Hostile requests found by trying them: each is answered plainly (a 4xx
//! naming the field, a redirect), never with a 500, and never executed.
//! The real router on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::{get, load_demo};
use store::store_test;

async fn first_campaign(store: &store::Store) -> i64 {
    load_demo(store).await;
    store.campaign_summaries().await.expect("summaries")[0].id
}

store_test!(a_nul_byte_in_a_search_is_a_clear_400_not_a_500, |store| {
    let id = first_campaign(&store).await;

    let (raw, raw_html) = get(&store, &format!("/campaigns/{id}/errors?q=ab%00cd")).await;
    let (twice, _) = get(&store, &format!("/campaigns/{id}/errors?q=ab%2500cd")).await;

    assert_eq!(raw, StatusCode::BAD_REQUEST, "{raw_html}");
    assert!(raw_html.contains("search"), "the message names the field");
    // `%2500` is the three characters `%00`: searched for as they are.
    assert_eq!(twice, StatusCode::OK);
});

store_test!(query_values_are_percent_decoded_once, |store| {
    let id = first_campaign(&store).await;

    let (status, html) = get(&store, &format!("/campaigns/{id}/errors?q=%2541bc")).await;

    assert_eq!(status, StatusCode::OK);
    // The search box shows what was searched for: the literal `%41bc`.
    let search = html
        .find("name=\"q\"")
        .map_or("", |at| &html[at.saturating_sub(200)..(at + 200).min(html.len())]);
    assert!(search.contains("value=\"%41bc\""), "{search}");
});

store_test!(a_trailing_slash_redirects_to_the_page_without_it, |store| {
    let id = first_campaign(&store).await;

    let (status, _) = get(&store, &format!("/campaigns/{id}/")).await;
    let (errors, _) = get(&store, &format!("/campaigns/{id}/errors/?q=x")).await;

    assert_eq!(status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(errors, StatusCode::PERMANENT_REDIRECT);
});

async fn send(app: axum::Router, request: axum::http::Request<axum::body::Body>) -> axum::response::Response {
    use tower::ServiceExt;
    tokio::time::timeout(std::time::Duration::from_secs(30), app.oneshot(request))
        .await
        .expect("answers within 30 s")
        .expect("router answers")
}

fn page_request(uri: &str, host: &str) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::get(uri)
        .header("host", host)
        .body(axum::body::Body::empty())
        .expect("request")
}

store_test!(a_request_for_a_foreign_host_name_is_refused, |store| {
    // Arrange: the default settings of a server on 127.0.0.1:3000.
    let app = || common::app(&store);

    // Act: a DNS-rebinding page sends its own name; the operator's own
    // browser sends the address or localhost.
    let foreign = send(app(), page_request("/", "rebind.attacker.example:3000")).await;
    let own = send(app(), page_request("/readyz", "127.0.0.1:3000")).await;
    let local = send(app(), page_request("/readyz", "localhost:3000")).await;

    // Assert
    assert_eq!(foreign.status(), StatusCode::MISDIRECTED_REQUEST);
    assert_eq!(own.status(), StatusCode::OK);
    assert_eq!(local.status(), StatusCode::OK);
});

store_test!(
    pages_carry_a_csp_whose_nonce_is_on_the_hydration_scripts_and_are_not_stored,
    |store| {
        let id = first_campaign(&store).await;

        let response = send(
            common::app(&store),
            page_request(&format!("/campaigns/{id}/errors"), "localhost"),
        )
        .await;
        let headers = response.headers().clone();
        let html = {
            use http_body_util::BodyExt;
            let bytes = response.into_body().collect().await.expect("body").to_bytes();
            String::from_utf8_lossy(&bytes).into_owned()
        };

        let csp = headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .expect("a CSP header");
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a nonce in script-src");
        assert!(nonce.len() >= 16, "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        let scripts = html.matches("<script").count();
        assert!(scripts > 0);
        assert_eq!(
            html.matches(&format!("nonce=\"{nonce}\"")).count(),
            html.matches("<script").count(),
            "every inline script carries this response's nonce"
        );
        assert_eq!(
            headers.get("cache-control").and_then(|v| v.to_str().ok()),
            Some("no-store")
        );
        assert_eq!(
            headers.get("x-content-type-options").and_then(|v| v.to_str().ok()),
            Some("nosniff")
        );

        // A second page gets a nonce of its own.
        let again = send(common::app(&store), page_request("/", "localhost")).await;
        let again_csp = again
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(!again_csp.contains(nonce));
    }
);

store_test!(the_timeouts_503_carries_the_security_headers_too, |store| {
    // Arrange: a timeout no page can meet.
    load_demo(&store).await;
    let addr = "127.0.0.1:3000".parse().expect("addr");
    let settings = server::HttpSettings {
        request_timeout: std::time::Duration::from_nanos(1),
        ..server::HttpSettings::local(addr)
    };
    let app = server::router_with(store.clone(), server::leptos_options("target/site", addr), settings);

    // Act
    let response = send(app, page_request("/", "localhost:3000")).await;

    // Assert
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    for name in [
        "content-security-policy",
        "x-frame-options",
        "cache-control",
        "x-content-type-options",
    ] {
        assert!(response.headers().contains_key(name), "{name} missing on the 503");
    }
});
