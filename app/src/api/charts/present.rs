//! A chart's numbers in words, links, SVG and JSON (server only): the
//! campaign charts here, the dashboard's in [`dashboard`].

mod dashboard;

use bounce::chart::{ChartData, ChartName, ChartRow};
use bounce::{BounceClass, Category, ErrorQuery, Stage};
use serde_json::{Value, json};
use store::{Store, StoreError};

pub use dashboard::render_dashboard_chart;

use super::svg::{self, Bar, BarValue, Caption, Column};
use super::{ChartView, TableRow};
use crate::{format, links};

/// A chart for the page and for the JSON API.
pub struct Rendered {
    pub view: ChartView,
    pub json: Value,
}

/// One row, in words.
pub(super) struct Item<'a> {
    pub(super) row: &'a ChartRow,
    pub(super) label: String,
    pub(super) href: Option<String>,
}

impl Item<'_> {
    pub(super) fn tooltip(&self, extra: &str) -> String {
        let c = self.row.counts;
        let mut text = format!(
            "{}: {} failures ({} hard, {} soft, {} undetermined)",
            self.label,
            format::count(c.total()),
            format::count(c.hard),
            format::count(c.soft),
            format::count(c.undetermined)
        );
        if !extra.is_empty() {
            text.push_str(". ");
            text.push_str(extra);
        }
        text
    }

    pub(super) fn json(&self) -> Value {
        let c = self.row.counts;
        let mut row = json!({
            "key": self.row.key,
            "label": self.label,
            "hard": c.hard,
            "soft": c.soft,
            "undetermined": c.undetermined,
            "total": c.total(),
            "href": self.href,
        });
        if let Some(map) = row.as_object_mut() {
            if let Some(group) = &self.row.group {
                map.insert("group".into(), json!(group));
            }
            for (name, value) in &self.row.measures {
                map.insert(name.clone(), json!(value));
            }
        }
        row
    }

    pub(super) fn class_cells(&self) -> Vec<String> {
        let c = self.row.counts;
        vec![
            format::count(c.hard),
            format::count(c.soft),
            format::count(c.undetermined),
            format::count(c.total()),
        ]
    }
}

/// The title of a chart.
pub(super) fn title(name: ChartName) -> &'static str {
    match name {
        ChartName::Categories => "Failures by category",
        ChartName::Stages => "Where delivery failed",
        ChartName::Codes => "Status and reply codes",
        ChartName::Domains => "Receiving domains",
        ChartName::Timeline => "Failures over time",
        ChartName::Rates => "Bounce and complaint rates per campaign",
        ChartName::DomainChanges => "Domains whose failure rate changed most",
    }
}

fn label(name: ChartName, row: &ChartRow) -> String {
    match name {
        ChartName::Categories => row
            .key
            .parse::<Category>()
            .map_or_else(|_| row.key.clone(), |c| c.label().to_owned()),
        ChartName::Stages => row
            .key
            .parse::<Stage>()
            .map_or_else(|_| row.key.clone(), |s| s.label().to_owned()),
        ChartName::Codes if row.group.as_deref() == Some("status") => format!("{}.x", row.key),
        ChartName::Timeline => chrono::DateTime::parse_from_rfc3339(&row.key)
            .map_or_else(|_| row.key.clone(), |t| t.format("%b %-d %H:%M").to_string()),
        _ => row.key.clone(),
    }
}

pub(super) fn items(name: ChartName, campaign_id: Option<i64>, data: &ChartData) -> Vec<Item<'_>> {
    data.rows
        .iter()
        .map(|row| {
            let campaign = campaign_id.or(row.campaign_id);
            let href = match (campaign, &row.filter) {
                (Some(id), Some(filter)) => Some(links::errors(id, &ErrorQuery::of_filter(filter), None)),
                _ => None,
            };
            Item {
                row,
                label: label(name, row),
                href,
            }
        })
        .collect()
}

const CLASS_COLUMNS: [&str; 4] = ["Hard", "Soft", "Undetermined", "Total"];

pub(super) fn table(first: &str, extra: &[&str], rows: Vec<TableRow>) -> (Vec<String>, Vec<TableRow>) {
    let columns = std::iter::once(first)
        .chain(CLASS_COLUMNS)
        .chain(extra.iter().copied())
        .map(str::to_owned)
        .collect();
    (columns, rows)
}

/// The chart for the page and the same numbers for the JSON API.
pub(super) fn finish(
    name: ChartName,
    description: String,
    svg: String,
    columns: Vec<String>,
    rows: Vec<TableRow>,
    json_rows: Vec<Value>,
) -> Rendered {
    let title = title(name);
    Rendered {
        json: json!({
            "chart": name.as_str(),
            "title": title,
            "description": description,
            "rows": json_rows,
        }),
        view: ChartView {
            name: name.as_str().to_owned(),
            title: title.to_owned(),
            description,
            svg,
            columns,
            rows,
        },
    }
}

/// One chart of a campaign's Overview tab; `None` when the campaign is not there.
pub async fn render_campaign_chart(store: &Store, id: i64, name: ChartName) -> Result<Option<Rendered>, StoreError> {
    let Some(data) = store.campaign_chart(id, name).await? else {
        return Ok(None);
    };
    Ok(Some(campaign_chart(id, &data)))
}

fn campaign_chart(id: i64, data: &ChartData) -> Rendered {
    let name = data.name;
    let items = items(name, Some(id), data);
    let caption_id = format!("chart-{}", name.as_str());
    let description = describe(data, &items);
    let caption = Caption {
        id: &caption_id,
        title: title(name),
        description: &description,
    };
    let mut json_rows: Vec<Value> = items.iter().map(Item::json).collect();
    let table_row = |item: &Item, extra: Vec<String>| TableRow {
        label: item.label.clone(),
        href: item.href.clone(),
        cells: item.class_cells().into_iter().chain(extra).collect(),
    };
    let (svg, (columns, rows)) = match name {
        ChartName::Timeline => {
            let columns: Vec<Column> = items
                .iter()
                .map(|i| Column {
                    label: i.label.clone(),
                    counts: i.row.counts,
                    href: i.href.clone().unwrap_or_default(),
                    tooltip: i.tooltip(""),
                })
                .collect();
            let rows = items
                .iter()
                .filter(|i| i.row.counts.total() > 0)
                .map(|i| table_row(i, vec![]))
                .collect();
            (svg::columns(&caption, &columns), table("Time (UTC)", &[], rows))
        }
        ChartName::Stages => {
            let sent = data.measure("sent").unwrap_or(0.0);
            let delivered = data.measure("delivered").unwrap_or(0.0);
            // Sent and delivered are rows of text: at the failures' scale
            // their bars would drown every stage.
            let mut bars = vec![Bar {
                label: format!("Sent: {}", format::count(sent as i64)),
                value: BarValue::Heading,
                note: String::new(),
                href: None,
                tooltip: String::new(),
            }];
            for item in &items {
                let explanation = item
                    .row
                    .key
                    .parse::<Stage>()
                    .map(|s| crate::explain::explain(s, None).text.to_string())
                    .unwrap_or_default();
                bars.push(Bar {
                    label: item.label.clone(),
                    value: BarValue::Classes(item.row.counts),
                    note: format::count(item.row.counts.total()),
                    href: item.href.clone(),
                    tooltip: item.tooltip(&explanation),
                });
            }
            bars.push(Bar {
                label: format!("Delivered: {}", format::count(delivered as i64)),
                value: BarValue::Heading,
                note: String::new(),
                href: None,
                tooltip: String::new(),
            });
            json_rows.insert(0, json!({"key": "sent", "label": "Sent", "total": sent}));
            json_rows.push(json!({"key": "delivered", "label": "Delivered", "total": delivered}));
            let rows = items
                .iter()
                .map(|i| {
                    let remaining = i.row.measure("remaining").unwrap_or(0.0) as i64;
                    table_row(i, vec![format::count(remaining)])
                })
                .collect();
            (
                svg::bars(&caption, &bars, &|v| format::count(v as i64)),
                table("Stage", &["Sends still on their way"], rows),
            )
        }
        _ => {
            let mut bars = Vec::new();
            let mut group: Option<&str> = None;
            for item in &items {
                if item.row.group.as_deref() != group {
                    group = item.row.group.as_deref();
                    bars.push(Bar {
                        label: group_heading(group).into(),
                        value: BarValue::Heading,
                        note: String::new(),
                        href: None,
                        tooltip: String::new(),
                    });
                }
                let note = match item.row.measure("rate") {
                    Some(rate) => format!(
                        "{} · {} of sends",
                        format::count(item.row.counts.total()),
                        format::percent(rate)
                    ),
                    None => format::count(item.row.counts.total()),
                };
                bars.push(Bar {
                    label: item.label.clone(),
                    value: BarValue::Classes(item.row.counts),
                    note,
                    href: item.href.clone(),
                    tooltip: item.tooltip(&advice(name, item.row)),
                });
            }
            let rows = items
                .iter()
                .map(|i| {
                    let extra = match i.row.measure("rate") {
                        Some(rate) => vec![group_heading(i.row.group.as_deref()).to_owned(), format::percent(rate)],
                        None => vec![group_heading(i.row.group.as_deref()).to_owned(), String::new()],
                    };
                    table_row(i, extra)
                })
                .collect();
            let first = match name {
                ChartName::Categories => "Category",
                ChartName::Codes => "Code",
                _ => "Domain",
            };
            (
                svg::bars(&caption, &bars, &|v| format::count(v as i64)),
                table(first, &["Part", "Failure rate"], rows),
            )
        }
    };
    finish(name, description, svg, columns, rows, json_rows)
}

/// The explanation a bar's tooltip adds: what a category means and what to
/// do, or what an enhanced status class says (RFC 3463).
fn advice(name: ChartName, row: &ChartRow) -> String {
    match name {
        ChartName::Categories => row
            .key
            .parse::<Category>()
            .map(|c| crate::labels::category_advice(c).to_owned())
            .unwrap_or_default(),
        ChartName::Codes if row.group.as_deref() == Some("status") => {
            let mut parts = row.key.split('.');
            let class = parts.next().and_then(|c| c.parse::<u8>().ok());
            let subject = parts.next().and_then(|s| s.parse::<u16>().ok());
            match (class, subject) {
                // An unregistered detail gives the subject's own meaning.
                (Some(class), Some(subject)) => bounce::EnhancedStatus::new(class, subject, 999)
                    .map(|s| s.meaning().to_owned())
                    .unwrap_or_default(),
                _ => String::new(),
            }
        }
        _ => String::new(),
    }
}

fn group_heading(group: Option<&str>) -> &'static str {
    match group {
        Some("status") => "Enhanced status (RFC 3463)",
        Some("reply") => "SMTP reply code",
        Some("most") => "Most failures",
        Some("rate") => "Highest failure rate",
        _ => "",
    }
}

/// The alt text: what a reader should take from the chart.
fn describe(data: &ChartData, items: &[Item]) -> String {
    let total: i64 = items.iter().map(|i| i.row.counts.total()).sum();
    let top = |group: Option<&str>| {
        items
            .iter()
            .filter(|i| group.is_none() || i.row.group.as_deref() == group)
            .max_by_key(|i| i.row.counts.total())
            .filter(|i| i.row.counts.total() > 0)
    };
    if total == 0 {
        return format!("{}: no failures were recorded.", title(data.name));
    }
    match data.name {
        ChartName::Stages => format!(
            "Of {} messages sent, {} were delivered. Most failures happened at {} ({} of {}).",
            format::count(data.measure("sent").unwrap_or(0.0) as i64),
            format::count(data.measure("delivered").unwrap_or(0.0) as i64),
            top(None).map_or("", |i| i.label.as_str()),
            format::count(top(None).map_or(0, |i| i.row.counts.total())),
            format::count(total)
        ),
        ChartName::Codes => format!(
            "The most common enhanced status is {} ({} failures); the most common reply code is {} ({}).",
            top(Some("status")).map_or("none", |i| i.label.as_str()),
            format::count(top(Some("status")).map_or(0, |i| i.row.counts.total())),
            top(Some("reply")).map_or("none", |i| i.label.as_str()),
            format::count(top(Some("reply")).map_or(0, |i| i.row.counts.total())),
        ),
        ChartName::Domains => {
            let worst = items
                .iter()
                .filter(|i| i.row.group.as_deref() == Some("rate"))
                .find_map(|i| i.row.measure("rate").map(|r| (i, r)));
            let mut text = format!(
                "{} had the most failures ({}).",
                top(Some("most")).map_or("", |i| i.label.as_str()),
                format::count(top(Some("most")).map_or(0, |i| i.row.counts.total()))
            );
            if let Some((item, rate)) = worst {
                text.push_str(&format!(
                    " {} had the highest failure rate: {} of its sends.",
                    item.label,
                    format::percent(rate)
                ));
            }
            text
        }
        ChartName::Timeline => {
            let first = items.iter().find(|i| i.row.counts.total() > 0);
            let peak = top(None);
            format!(
                "{} failures, the first in the hour or day of {}; the most ({}) at {}.",
                format::count(total),
                first.map_or("", |i| i.label.as_str()),
                format::count(peak.map_or(0, |i| i.row.counts.total())),
                peak.map_or("", |i| i.label.as_str())
            )
        }
        _ => {
            let top = top(None);
            let hard: i64 = items.iter().map(|i| i.row.counts.of(BounceClass::Hard)).sum();
            format!(
                "{} failures, {} of them hard. The largest group is {} with {}.",
                format::count(total),
                format::count(hard),
                top.map_or("", |i| i.label.as_str()),
                format::count(top.map_or(0, |i| i.row.counts.total()))
            )
        }
    }
}
