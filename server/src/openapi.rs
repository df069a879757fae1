//! The OpenAPI document of `/api/v1`, served at `/api/v1/openapi.json`.
//! It is generated from the handlers' own annotations: each API route is
//! registered through `utoipa_axum`, which adds the route and its
//! description together, so the document cannot name a route the router
//! lacks or leave one out.

use axum::Router;
use axum::routing::get;
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{InfoBuilder, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::router::AppState;

/// Every error answer's body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiError {
    /// What was wrong, for a person.
    pub error: String,
    /// For a value that did not parse: the field it was in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For a body refused whole: the first events that could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected: Option<Vec<String>>,
}

/// The API routes and their document.
pub fn api() -> (Router<AppState>, OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(
        utoipa::openapi::OpenApiBuilder::new()
            .info(
                InfoBuilder::new()
                    .title("bouncedesk API")
                    .version(env!("CARGO_PKG_VERSION"))
                    .description(Some(
                        "Delivery results in (events, ESP webhooks), selections, suppressions and charts out.",
                    ))
                    .build(),
            )
            .build(),
    )
    .merge(crate::api::routes())
    .merge(crate::charts::api_routes())
    .merge(crate::intake::routes())
    .split_for_parts();
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "token",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("An API token from `bouncedesk token create` or the Tokens page"))
                .build(),
        ),
    );
    components.add_security_scheme(
        "basic",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Basic)
                .description(Some(
                    "Any user name, the API token as password (for ESPs that send basic credentials)",
                ))
                .build(),
        ),
    );
    (router, doc)
}

/// The API routes with `GET /api/v1/openapi.json`.
pub fn routes() -> Router<AppState> {
    let (router, doc) = api();
    // Written once: the document does not change while the server runs.
    let json = axum::body::Bytes::from(
        serde_json::to_vec(&doc).unwrap_or_else(|e| panic!("the OpenAPI document is serialisable: {e}")),
    );
    router.route(
        "/api/v1/openapi.json",
        get(move || async move { ([(axum::http::header::CONTENT_TYPE, "application/json")], json.clone()) }),
    )
}
