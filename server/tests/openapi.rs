//! The OpenAPI document matches the router: every path and method it
//! describes is answered by its handler, and every API route is in it.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use store::store_test;

mod common;
use common::app;

/// Every `/api/v1` route the router has, as (method, path).
const API_ROUTES: [(&str, &str); 10] = [
    ("post", "/api/v1/selections/count"),
    ("post", "/api/v1/selections/export"),
    ("get", "/api/v1/selections/{id}/export"),
    ("get", "/api/v1/suppressions/export"),
    ("get", "/api/v1/campaigns/{id}/charts/{name}"),
    ("get", "/api/v1/charts/{name}"),
    ("post", "/api/v1/events"),
    ("post", "/api/v1/webhooks/{format}"),
    // Documented nowhere but here: the document itself, and the page
    // router's fallback for an unknown API path (checked below).
    ("get", "/api/v1/openapi.json"),
    ("get", "/api/v1/no-such-route"),
];

store_test!(the_document_describes_exactly_the_routes_the_router_answers, |store| {
    let response = common::exchange(
        app(&store),
        Request::get("/api/v1/openapi.json")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    let doc: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("operations").keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    documented.sort();
    let mut expected: Vec<(String, String)> = API_ROUTES[..8]
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    expected.sort();

    assert_eq!(doc["openapi"].as_str().map(|v| v.starts_with("3.")), Some(true));
    assert_eq!(documented, expected);
    assert!(
        doc["components"]["schemas"]["Event"].is_object(),
        "the events shape is described"
    );
    assert!(doc["components"]["securitySchemes"]["token"].is_object());
    for (method, path) in &documented {
        // Placeholders that reach the handler: it answers in JSON (a 404
        // for a campaign that is not there is still its answer); a path the
        // router lacks would reach the pages' fallback, which answers HTML.
        let uri = path
            .replace("{id}", "1")
            .replace("{name}", "rates")
            .replace("{format}", "sendgrid");
        let request = Request::builder()
            .method(Method::from_bytes(method.to_uppercase().as_bytes()).expect("method"))
            .uri(&uri)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .expect("request");
        let response = common::exchange(app(&store), request).await;
        let status = response.status();
        let kind = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
        assert!(
            !kind.starts_with("text/html"),
            "{method} {uri} reached the pages, not a handler: {status} {kind}"
        );
    }
    let unknown = common::exchange(
        app(&store),
        Request::get(API_ROUTES[9].1).body(Body::empty()).expect("request"),
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let fallback = unknown
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    assert!(
        fallback.is_some_and(|k| k.starts_with("text/html")),
        "a route the router lacks answers HTML, which the loop above would catch: {fallback:?}"
    );
});
