//! The chart endpoints through the real router, on SQLite and PostgreSQL:
//! every number a chart shows is the number of Errors tab rows its link
//! shows, and the parts add up to the campaign's failed events.

use axum::http::StatusCode;
use bounce::ErrorFilter;
use bounce::chart::ChartName;
use serde_json::Value;
use store::{Store, store_test};

mod common;
use common::{get, load_demo};

async fn json(store: &Store, uri: &str) -> Value {
    let (status, body) = get(store, uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{uri} is not JSON ({e}): {body}"))
}

/// The total the Errors tab prints for a link (`data-total="N"`).
async fn rows_behind(store: &Store, href: &str) -> i64 {
    let (status, html) = get(store, href).await;
    assert_eq!(status, StatusCode::OK, "{href}");
    let at = html
        .find("data-total=\"")
        .unwrap_or_else(|| panic!("{href} shows no total"))
        + 12;
    let end = html[at..].find('"').expect("closing quote");
    html[at..at + end].parse().expect("a number")
}

fn int(row: &Value, field: &str) -> i64 {
    row[field].as_i64().unwrap_or_else(|| panic!("{field} in {row}"))
}

store_test!(every_bar_counts_the_rows_its_link_shows, |store| {
    load_demo(&store).await;
    let campaign = store.campaign_summaries().await.expect("summaries")[0].clone();
    let failed = store
        .error_count(
            campaign.id,
            &ErrorFilter {
                failed_only: true,
                ..ErrorFilter::default()
            },
        )
        .await
        .expect("count");

    for name in ChartName::CAMPAIGN {
        let chart = json(&store, &format!("/api/v1/campaigns/{}/charts/{name}", campaign.id)).await;

        assert_eq!(chart["chart"], name.as_str());
        assert!(!chart["title"].as_str().unwrap_or_default().is_empty());
        assert!(!chart["description"].as_str().unwrap_or_default().is_empty());
        let rows = chart["rows"].as_array().expect("rows");
        assert!(!rows.is_empty(), "{name} has rows on demo data");
        for row in rows.iter().filter(|r| r["href"].is_string()) {
            let total = int(row, "total");
            assert_eq!(total, int(row, "hard") + int(row, "soft") + int(row, "undetermined"));
            let href = row["href"].as_str().expect("href");
            assert_eq!(rows_behind(&store, href).await, total, "{name}: {href}");
        }
        // Charts that partition the failures add up to all of them.
        if matches!(name, ChartName::Categories | ChartName::Stages | ChartName::Timeline) {
            let sum: i64 = rows
                .iter()
                .filter(|r| r["href"].is_string())
                .map(|r| int(r, "total"))
                .sum();
            assert_eq!(sum, failed, "{name} covers every failed event once");
        }
    }
});

store_test!(charts_are_svg_with_title_description_and_the_same_links, |store| {
    load_demo(&store).await;
    let id = store.campaign_summaries().await.expect("summaries")[0].id;

    let (status, svg) = get(&store, &format!("/campaigns/{id}/charts/domains.svg")).await;
    let chart = json(&store, &format!("/api/v1/campaigns/{id}/charts/domains")).await;
    let (dash_status, dash) = get(&store, "/charts/rates.svg").await;

    assert_eq!(status, StatusCode::OK);
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(200)]);
    assert!(svg.contains("<title id=\"chart-domains-title\">Receiving domains</title>"));
    assert!(svg.contains("<desc id=\"chart-domains-desc\">"));
    for row in chart["rows"].as_array().expect("rows") {
        let href = row["href"]
            .as_str()
            .expect("every domain row links")
            .replace('&', "&amp;");
        assert!(svg.contains(&format!("href=\"{href}\"")), "{href} is a link in the SVG");
    }
    assert_eq!(dash_status, StatusCode::OK);
    assert!(dash.contains("Amazon SES"), "the thresholds are drawn in");
});

store_test!(dashboard_rates_follow_the_campaign_totals, |store| {
    load_demo(&store).await;
    let summaries = store.campaign_summaries().await.expect("summaries");

    let rates = json(&store, "/api/v1/charts/rates").await;
    let changes = json(&store, "/api/v1/charts/domain_changes").await;

    let rows = rates["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), summaries.len());
    for row in rows {
        let id: i64 = row["key"].as_str().expect("key").parse().expect("campaign id");
        let c = summaries.iter().find(|c| c.id == id).expect("a campaign");
        let rate = row["bounce_rate"].as_f64().expect("rate");
        assert!((rate - c.bounce_rate()).abs() < 1e-9, "{} vs {}", rate, c.bounce_rate());
        assert_eq!(int(row, "hard"), c.hard);
    }
    for row in changes["rows"].as_array().expect("rows") {
        let (before, after) = (
            row["before"].as_f64().expect("before"),
            row["after"].as_f64().expect("after"),
        );
        assert!((row["change"].as_f64().expect("change") - (after - before)).abs() < 1e-9);
    }
});

store_test!(unknown_charts_and_campaigns_are_not_found, |store| {
    load_demo(&store).await;
    let id = store.campaign_summaries().await.expect("summaries")[0].id;

    for uri in [
        format!("/api/v1/campaigns/{id}/charts/pie"),
        format!("/api/v1/campaigns/{id}/charts/rates"),
        "/api/v1/campaigns/999999/charts/stages".to_owned(),
        "/api/v1/campaigns/x'%20OR%201=1/charts/stages".to_owned(),
        format!("/campaigns/{id}/charts/stages.png"),
        "/api/v1/charts/stages".to_owned(),
        "/charts/%3Cscript%3E.svg".to_owned(),
    ] {
        let (status, body) = get(&store, &uri).await;

        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}: {body}");
        // JSON (served as such, with nosniff), never markup a browser runs.
        let answer: Value = serde_json::from_str(&body).expect("a JSON error");
        assert!(
            answer["error"].as_str().is_some_and(|e| e.contains("not found")),
            "{body}"
        );
    }
});
