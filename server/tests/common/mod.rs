//! What the test files share: the real router on a test database, the
//! demo data set, the campaign the fixtures name, and the fixtures.

// Each test file compiles this module on its own and uses part of it.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{TimeZone, Utc};
use http_body_util::BodyExt;
use server::demo::{self, DemoConfig};
use store::{NewCampaign, Store};
use tower::ServiceExt;

pub fn app(store: &Store) -> axum::Router {
    let addr = "127.0.0.1:0".parse().expect("valid address");
    server::router(store.clone(), server::leptos_options("target/site", addr))
}

/// Leptos keeps process-wide state (its task spawner, the reactive owner of
/// server rendering) that assumes one tokio runtime per process, as a server
/// has. `#[tokio::test]` gives every test its own runtime, and rendering
/// pages from several of them at once occasionally loses a wake-up and hangs
/// (2 of 25 runs here; never with one test thread, never under 400 concurrent
/// requests against the real binary). Rendering is therefore serialised
/// across tests; setting up the databases still runs in parallel.
static RENDER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub async fn get(store: &Store, uri: &str) -> (StatusCode, String) {
    let request = Request::get(uri).body(Body::empty()).expect("valid request");
    let response = {
        let _one_at_a_time = RENDER.lock().await;
        let answer = tokio::time::timeout(std::time::Duration::from_secs(30), app(store).oneshot(request));
        answer
            .await
            .expect("the router answers within 30 s")
            .expect("router answers")
    };
    let status = response.status();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
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

/// Where a fixture is: `path` under `tests/fixtures`.
pub fn fixture_path(path: &str) -> String {
    format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// A fixture's bytes.
pub fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(fixture_path(path)).expect("fixture")
}
