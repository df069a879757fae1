//! The dashboard's charts in words, links, SVG and JSON.

use bounce::BounceClass;
use bounce::CampaignSummary;
use bounce::chart::{ChartData, ChartName, THRESHOLDS};
use store::{Store, StoreError};

use super::super::TableRow;
use super::super::svg::{self, Bar, BarValue, Caption, Panel, Rule, Series};
use super::{Item, Rendered, finish, items, table, title};
use crate::format;
use serde_json::json;

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
    let colour = svg::class_colour;
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
    finish(name, description, svg, columns, rows, json_rows)
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
    finish(name, description, svg, columns, rows, json_rows)
}
