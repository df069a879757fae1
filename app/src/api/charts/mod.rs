//! The charts: server functions for the pages and, on the server, the one
//! place that turns a chart's numbers into words, links, SVG and JSON, so
//! the page, `GET .../charts/NAME.svg` and the JSON API agree.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::AppError;

#[cfg(feature = "ssr")]
mod present;
#[cfg(feature = "ssr")]
pub mod svg;

#[cfg(feature = "ssr")]
pub use present::{Rendered, render_campaign_chart, render_dashboard_chart};

/// A chart ready to show: the picture, what it says, and its numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartView {
    /// The chart's stable id (`stages`, `rates` ...).
    pub name: String,
    pub title: String,
    /// What the chart shows, in words: the alt text.
    pub description: String,
    /// The SVG drawn on the server.
    pub svg: String,
    /// The table of the same numbers: column headings, then rows.
    pub columns: Vec<String>,
    pub rows: Vec<TableRow>,
}

/// One row of a chart's table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableRow {
    pub label: String,
    /// The Errors tab rows the numbers count.
    pub href: Option<String>,
    pub cells: Vec<String>,
}

/// The charts of a campaign's Overview tab.
#[server(endpoint = "campaign_charts")]
pub async fn campaign_charts(id: String) -> Result<Vec<ChartView>, AppError> {
    let store = super::server::store()?;
    let id = super::server::parse_id("campaign", &id)?;
    let mut views = Vec::new();
    for name in bounce::chart::ChartName::CAMPAIGN {
        let rendered = super::server::found("campaign", id, render_campaign_chart(&store, id, name).await)?;
        views.push(rendered.view);
    }
    Ok(views)
}

/// The dashboard's charts.
#[server(endpoint = "dashboard_charts")]
pub async fn dashboard_charts() -> Result<Vec<ChartView>, AppError> {
    let store = super::server::store()?;
    let mut views = Vec::new();
    for name in bounce::chart::ChartName::DASHBOARD {
        views.push(super::server::answer(render_dashboard_chart(&store, name).await)?.view);
    }
    Ok(views)
}
