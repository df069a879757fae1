//! The HTTP surface: the Leptos pages and server functions, static files,
//! and plain HTTP routes for machines.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use axum::{Json, Router};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use store::{BackendKind, Store};
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Shared by every handler.
#[derive(Clone, Debug, axum::extract::FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
}

/// Leptos settings for a site served from `site_root` (where `make` puts the
/// wasm, JS and CSS under `pkg/`).
pub fn leptos_options(site_root: &str, addr: std::net::SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("bouncedesk")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build()
}

/// The longest any request may take.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The whole application router.
pub fn router(store: Store, leptos_options: LeptosOptions) -> Router {
    let routes = generate_route_list(app::App);
    let state = AppState {
        leptos_options: leptos_options.clone(),
        store: store.clone(),
    };
    Router::new()
        .route("/healthz", get(alive))
        .route("/readyz", get(ready))
        .merge(crate::openapi::routes())
        .merge(crate::uploads::routes())
        .merge(crate::charts::routes())
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(store.clone()),
            move || app::shell(leptos_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(app::shell))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        // A request that takes longer than this is answered with 503 rather
        // than holding its connection (and a database connection) forever.
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Liveness: the process answers. It does not touch the database, so an
/// orchestrator does not restart a healthy server while the database is down
/// (that is what [`ready`] is for).
async fn alive() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

/// Readiness, for load balancers and `make run`: the database answers (the
/// schema was migrated before the listener opened). 503 while it does not.
async fn ready(State(store): State<Store>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let database = match store.kind() {
        BackendKind::Sqlite => "sqlite",
        BackendKind::Postgres => "postgres",
    };
    match store.ping().await {
        Ok(()) => Json(serde_json::json!({ "status": "ready", "database": database })).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check: the database does not answer");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "unavailable", "database": database })),
            )
                .into_response()
        }
    }
}
