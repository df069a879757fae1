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

use crate::ServerError;
use crate::router::AppState;

/// The chart routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/campaigns/{id}/charts/{file}", get(campaign_svg))
        .route("/charts/{file}", get(dashboard_svg))
        .route("/api/v1/campaigns/{id}/charts/{name}", get(campaign_json))
        .route("/api/v1/charts/{name}", get(dashboard_json))
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

/// `GET /api/v1/campaigns/ID/charts/NAME`
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

/// `GET /api/v1/charts/NAME`
async fn dashboard_json(
    State(store): State<Store>,
    Path(name): Path<String>,
) -> Result<Json<serde_json::Value>, ServerError> {
    let name = chart(&name, ChartScope::Dashboard)?;
    Ok(Json(app::api::charts::render_dashboard_chart(&store, name).await?.json))
}
