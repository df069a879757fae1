//! The HTTP surface: the Leptos pages and server functions, static files,
//! and plain HTTP routes for machines.

use axum::extract::State;
use axum::middleware;
use axum::routing::get;
use axum::{Json, Router};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use store::{BackendKind, Store};
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::auth;
use crate::guards::{self, AllowedHosts};
use crate::headers::{self, CspNonce};

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

/// What the HTTP surface is told by the operator.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// The `Host` names answered to (DNS-rebinding defence).
    pub allowed_hosts: AllowedHosts,
    /// The longest a request may take before it is answered with 503.
    pub request_timeout: std::time::Duration,
    /// `Secure` on the session cookie: always, never, or (`None`) when the
    /// request came over HTTPS through a proxy (`X-Forwarded-Proto`).
    pub secure_cookies: Option<bool>,
    /// The pages and server functions being rendered: each runs to its end
    /// (see [`crate::renders`]), and shutting down waits for them.
    pub renders: crate::renders::Renders,
}

impl HttpSettings {
    /// The defaults for a server bound to `addr`: it answers to that address
    /// and to localhost.
    pub fn local(addr: std::net::SocketAddr) -> Self {
        Self {
            allowed_hosts: AllowedHosts::new("", addr),
            request_timeout: REQUEST_TIMEOUT,
            secure_cookies: None,
            renders: crate::renders::Renders::default(),
        }
    }
}

/// What every rendered page gets in its context: the store, and this
/// request's CSP nonce for Leptos to put on its scripts.
fn page_context(store: Store) -> impl Fn() + Clone + Send + Sync + 'static {
    move || {
        provide_context(store.clone());
        let nonce =
            use_context::<axum::http::request::Parts>().and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
        if let Some(CspNonce(nonce)) = nonce {
            provide_context(leptos::nonce::Nonce::from_value(nonce));
        }
    }
}

/// The app's page routes, found by rendering the app once per process.
/// Once, because while `generate_route_list` runs, leptos_server holds a
/// process-wide flag that makes every resource created meanwhile wait
/// forever: a second router built while pages render (tests build one per
/// request) would hang those pages.
static ROUTES: std::sync::LazyLock<Vec<leptos_axum::AxumRouteListing>> =
    std::sync::LazyLock::new(|| generate_route_list(app::App));

/// The whole application router, with the defaults of [`HttpSettings::local`].
pub fn router(store: Store, leptos_options: LeptosOptions) -> Router {
    let settings = HttpSettings::local(leptos_options.site_addr);
    router_with(store, leptos_options, settings)
}

/// The whole application router.
pub fn router_with(store: Store, leptos_options: LeptosOptions, settings: HttpSettings) -> Router {
    let routes = ROUTES.clone();
    let state = AppState {
        leptos_options: leptos_options.clone(),
        store: store.clone(),
    };
    let gate = auth::Gate {
        store: store.clone(),
        secure_cookies: settings.secure_cookies,
    };
    let context = page_context(store);
    let pages = Router::new()
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            app::shell(leptos_options.clone())
        })
        // Unknown paths render the Not Found page; with the same context, so
        // whatever it calls finds the store.
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            context,
            app::shell,
        ))
        .layer(middleware::from_fn_with_state(
            settings.renders.clone(),
            crate::renders::render_to_the_end,
        ));
    Router::new()
        .route("/healthz", get(alive))
        .route("/readyz", get(ready))
        .merge(crate::openapi::routes())
        .merge(crate::uploads::routes())
        .merge(auth::routes())
        .merge(crate::charts::routes())
        .merge(pages)
        // Who is asking, and may they: before any page, function or route runs.
        .layer(middleware::from_fn_with_state(gate, auth::gate))
        .layer(middleware::from_fn(guards::trailing_slash))
        // A request that takes longer than this is answered with 503 rather
        // than holding its connection (and a database connection) forever.
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            settings.request_timeout,
        ))
        // Outside the timeout, so its 503 carries them too.
        .layer(middleware::from_fn(headers::security_headers))
        .layer(middleware::from_fn_with_state(settings.allowed_hosts, guards::host))
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
