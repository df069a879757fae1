//! The charts over HTTP: each as SVG (for `<img>`, reports, mail) and its
//! numbers as JSON, drawn by the same code as the Overview tab and the
//! dashboard (`app::api::charts`).

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bounce::chart::{ChartName, ChartScope};
use store::Store;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ServerError;
use crate::openapi::ApiError;
use crate::router::AppState;

/// The SVG routes (for pages and mail, outside the API).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/campaigns/{id}/charts/{file}", get(campaign_svg))
        .route("/charts/{file}", get(dashboard_svg))
}

/// The JSON routes, with their OpenAPI descriptions.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(campaign_json))
        .routes(routes!(dashboard_json))
}

fn chart(raw: &str, scope: ChartScope) -> Result<ChartName, ServerError> {
    raw.parse::<ChartName>()
        .ok()
        .filter(|c| c.scope() == scope)
        .ok_or_else(|| ServerError::not_found("chart", raw))
}

fn svg_name(file: &str, scope: ChartScope) -> Result<ChartName, ServerError> {
    let name = file
        .strip_suffix(".svg")
        .ok_or_else(|| ServerError::not_found("chart", file))?;
    chart(name, scope)
}

fn campaign_id(raw: &str) -> Result<i64, ServerError> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ServerError::not_found("campaign", raw))
}

async fn campaign_rendered(
    store: &Store,
    id: &str,
    name: ChartName,
) -> Result<app::api::charts::Rendered, ServerError> {
    let id = campaign_id(id)?;
    app::api::charts::render_campaign_chart(store, id, name)
        .await?
        .ok_or_else(|| ServerError::NotFound(format!("campaign {id}")))
}

fn svg_response(svg: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            // Counted on request: a reload shows new results at once.
            (header::CACHE_CONTROL, "no-cache"),
        ],
        svg,
    )
        .into_response()
}

/// `GET /campaigns/ID/charts/NAME.svg`
async fn campaign_svg(
    State(store): State<Store>,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, ServerError> {
    let name = svg_name(&file, ChartScope::Campaign)?;
    Ok(svg_response(campaign_rendered(&store, &id, name).await?.view.svg))
}

/// A campaign chart's numbers.
#[utoipa::path(
    get,
    path = "/api/v1/campaigns/{id}/charts/{name}",
    tag = "charts",
    params(
        ("id" = i64, Path, description = "The campaign"),
        ("name" = String, Path, description = "stages, categories, codes, domains or timeline"),
    ),
    responses(
        (status = 200, description = "The chart's rows, with links to the Errors tab (docs/charts.md)",
            content_type = "application/json"),
        (status = 404, description = "No such campaign or chart", body = ApiError),
    )
)]
async fn campaign_json(
    State(store): State<Store>,
    Path((id, name)): Path<(String, String)>,
) -> Result<Json<serde_json::Value>, ServerError> {
    let name = chart(&name, ChartScope::Campaign)?;
    Ok(Json(campaign_rendered(&store, &id, name).await?.json))
}

/// `GET /charts/NAME.svg`
async fn dashboard_svg(State(store): State<Store>, Path(file): Path<String>) -> Result<Response, ServerError> {
    let name = svg_name(&file, ChartScope::Dashboard)?;
    Ok(svg_response(
        app::api::charts::render_dashboard_chart(&store, name).await?.view.svg,
    ))
}

/// A dashboard chart's numbers, over every campaign.
#[utoipa::path(
    get,
    path = "/api/v1/charts/{name}",
    tag = "charts",
    params(("name" = String, Path, description = "rates or domain_changes")),
    responses(
        (status = 200, description = "The chart's rows (docs/charts.md)", content_type = "application/json"),
        (status = 404, description = "No such chart", body = ApiError),
    )
)]
async fn dashboard_json(
    State(store): State<Store>,
    Path(name): Path<String>,
) -> Result<Json<serde_json::Value>, ServerError> {
    let name = chart(&name, ChartScope::Dashboard)?;
    Ok(Json(app::api::charts::render_dashboard_chart(&store, name).await?.json))
}
