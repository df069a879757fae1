//! A chart's numbers in words, links, SVG and JSON (server only).

use bounce::chart::{ChartData, ChartName, ChartRow, THRESHOLDS};
use bounce::{BounceClass, CampaignSummary, Category, ErrorQuery, Stage};
use serde_json::{Value, json};
use store::{Store, StoreError};

use super::svg::{self, Bar, BarValue, Caption, Column, Panel, Rule, Series};
use super::{ChartView, TableRow};
use crate::{format, links};

/// A chart for the page and for the JSON API.
pub struct Rendered {
    pub view: ChartView,
    pub json: Value,
}

/// One row, in words.
struct Item<'a> {
    row: &'a ChartRow,
    label: String,
    href: Option<String>,
}

impl Item<'_> {
    fn tooltip(&self, extra: &str) -> String {
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

    fn json(&self) -> Value {
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

    fn class_cells(&self) -> Vec<String> {
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
fn title(name: ChartName) -> &'static str {
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

fn items(name: ChartName, campaign_id: Option<i64>, data: &ChartData) -> Vec<Item<'_>> {
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

fn table(first: &str, extra: &[&str], rows: Vec<TableRow>) -> (Vec<String>, Vec<TableRow>) {
    let columns = std::iter::once(first)
        .chain(CLASS_COLUMNS)
        .chain(extra.iter().copied())
        .map(str::to_owned)
        .collect();
    (columns, rows)
}

fn finish(
    name: ChartName,
    scope_id: &str,
    description: String,
    svg: String,
    columns: Vec<String>,
    rows: Vec<TableRow>,
    json_rows: Vec<Value>,
) -> Rendered {
    let title = title(name);
    let _ = scope_id;
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
                    tooltip: item.tooltip(""),
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
    finish(name, &caption_id, description, svg, columns, rows, json_rows)
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

/// One of the dashboard's charts.
pub async fn render_dashboard_chart(store: &Store, name: ChartName) -> Result<Rendered, StoreError> {
    let data = store.dashboard_chart(name).await?;
    let campaigns = store.campaign_summaries().await?;
    Ok(match name {
        ChartName::DomainChanges => domain_changes(&data, &campaigns),
        _ => rates(&data, &campaigns),
    })
}

fn campaign_name(campaigns: &[CampaignSummary], id: Option<i64>) -> String {
    campaigns
        .iter()
        .find(|c| Some(c.id) == id)
        .map_or_else(|| id.map(|i| i.to_string()).unwrap_or_default(), |c| c.name.clone())
}

fn rates(data: &ChartData, campaigns: &[CampaignSummary]) -> Rendered {
    let name = data.name;
    let items = items(name, None, data);
    let measure = |i: &Item, m: &str| i.row.measure(m).unwrap_or(0.0);
    let label_of = |i: &Item| campaign_name(campaigns, i.row.campaign_id);
    let points: Vec<(String, String, String)> = items
        .iter()
        .map(|i| {
            (
                label_of(i),
                i.href.clone().unwrap_or_default(),
                format!(
                    "{}: bounce rate {}, hard-bounce rate {}, complaint rate {}",
                    label_of(i),
                    format::percent(measure(i, "bounce_rate")),
                    format::percent(measure(i, "hard_rate")),
                    format::percent(measure(i, "complaint_rate"))
                ),
            )
        })
        .collect();
    // Thresholds at the same level share one line and one label.
    let rules = |m: &str| -> Vec<Rule> {
        let mut rules: Vec<Rule> = Vec::new();
        for t in THRESHOLDS.iter().filter(|t| t.measure == m) {
            for (value, limit, word) in [(t.warning, false, "warning"), (t.limit, true, "limit")] {
                match rules.iter_mut().find(|r| r.value == value && r.limit == limit) {
                    Some(rule) => rule.label = format!("{} & {}", t.source, rule.label),
                    None => rules.push(Rule {
                        value,
                        label: format!("{} {word} {}", t.source, format::percent(value)),
                        limit,
                    }),
                }
            }
        }
        rules
    };
    let series = |label: &str, colour, m: &str| Series {
        label: label.to_owned(),
        colour,
        values: items.iter().map(|i| measure(i, m)).collect(),
    };
    let colour = |class: BounceClass| {
        svg::CLASS_COLOURS
            .iter()
            .find(|(c, _, _)| *c == class)
            .map(|(_, colour, _)| *colour)
            .unwrap_or(plotters::style::BLACK)
    };
    let panels = [
        Panel {
            heading: "Bounce rate".into(),
            series: vec![
                series("All bounces", colour(BounceClass::Soft), "bounce_rate"),
                series("Hard bounces", colour(BounceClass::Hard), "hard_rate"),
            ],
            rules: rules("bounce_rate"),
        },
        Panel {
            heading: "Complaint rate".into(),
            series: vec![series(
                "Complaints",
                colour(BounceClass::Undetermined),
                "complaint_rate",
            )],
            rules: rules("complaint_rate"),
        },
    ];
    let above = items.iter().filter(|i| measure(i, "bounce_rate") >= 0.05).count();
    let description = match items.last() {
        None => "No campaigns yet.".to_owned(),
        Some(last) => format!(
            "Bounce rate of {} campaigns over time; the latest, {}, bounced {} ({} hard) with a complaint rate of {}. {} campaigns reached the 5 % warning level.",
            items.len(),
            label_of(last),
            format::percent(measure(last, "bounce_rate")),
            format::percent(measure(last, "hard_rate")),
            format::percent(measure(last, "complaint_rate")),
            above
        ),
    };
    let caption_id = "chart-rates";
    let svg = svg::lines(
        &Caption {
            id: caption_id,
            title: title(name),
            description: &description,
        },
        &panels,
        &points,
    );
    let rows = items
        .iter()
        .map(|i| TableRow {
            label: label_of(i),
            href: i.href.clone(),
            cells: vec![
                format::count(measure(i, "sent") as i64),
                format::percent(measure(i, "bounce_rate")),
                format::percent(measure(i, "hard_rate")),
                format::count(measure(i, "complaints") as i64),
                format::percent(measure(i, "complaint_rate")),
            ],
        })
        .collect();
    let columns = [
        "Campaign",
        "Sent",
        "Bounce rate",
        "Hard-bounce rate",
        "Complaints",
        "Complaint rate",
    ]
    .map(str::to_owned)
    .to_vec();
    let json_rows = items
        .iter()
        .map(|i| {
            let mut row = i.json();
            if let Some(map) = row.as_object_mut() {
                map.insert("label".into(), json!(label_of(i)));
            }
            row
        })
        .collect();
    finish(name, caption_id, description, svg, columns, rows, json_rows)
}

fn domain_changes(data: &ChartData, campaigns: &[CampaignSummary]) -> Rendered {
    let name = data.name;
    let items = items(name, None, data);
    let latest = campaign_name(campaigns, items.first().and_then(|i| i.row.campaign_id));
    let change = |i: &Item| i.row.measure("change").unwrap_or(0.0);
    let bars: Vec<Bar> = items
        .iter()
        .map(|i| {
            let (before, after) = (
                i.row.measure("before").unwrap_or(0.0),
                i.row.measure("after").unwrap_or(0.0),
            );
            let tone = if change(i) > 0.0 {
                BounceClass::Hard
            } else {
                BounceClass::Soft
            };
            Bar {
                label: i.label.clone(),
                value: BarValue::Plain(change(i).abs(), tone),
                note: format!(
                    "{}{:.1} points ({} → {})",
                    if change(i) > 0.0 { "+" } else { "−" },
                    change(i).abs() * 100.0,
                    format::percent(before),
                    format::percent(after)
                ),
                href: i.href.clone(),
                tooltip: i.tooltip(&format!(
                    "Failure rate {} in the campaign before, {} in {latest}",
                    format::percent(before),
                    format::percent(after)
                )),
            }
        })
        .collect();
    let description = match items.first() {
        None => "Not enough campaigns or sends per domain to compare yet.".to_owned(),
        Some(first) => format!(
            "Compared with the campaign before, {}'s failure rate changed most in {latest}: from {} to {}.",
            first.label,
            format::percent(first.row.measure("before").unwrap_or(0.0)),
            format::percent(first.row.measure("after").unwrap_or(0.0))
        ),
    };
    let caption_id = "chart-domain_changes";
    let svg = svg::bars(
        &Caption {
            id: caption_id,
            title: title(name),
            description: &description,
        },
        &bars,
        &|v| format!("{:.0} pts", v * 100.0),
    );
    let rows = items
        .iter()
        .map(|i| TableRow {
            label: i.label.clone(),
            href: i.href.clone(),
            cells: i
                .class_cells()
                .into_iter()
                .chain([
                    format::percent(i.row.measure("before").unwrap_or(0.0)),
                    format::percent(i.row.measure("after").unwrap_or(0.0)),
                ])
                .collect(),
        })
        .collect();
    let (columns, rows) = table("Domain", &["Rate before", "Rate now"], rows);
    let json_rows = items.iter().map(Item::json).collect();
    finish(name, caption_id, description, svg, columns, rows, json_rows)
}
