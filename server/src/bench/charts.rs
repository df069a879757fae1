//! `bouncedesk bench charts`: each chart of one campaign with a million
//! events, counted in SQL and drawn, against the bare count of the
//! campaign's failed events (the least any chart must read).

use bounce::ErrorFilter;
use bounce::chart::ChartName;
use store::Store;

use super::{BenchArgs, measure, print_row};
use crate::ServerError;

/// Times every campaign chart and the dashboard's, and prints a table.
pub async fn run(args: &BenchArgs, store: &Store, campaign: i64) -> Result<(), ServerError> {
    let failed = ErrorFilter {
        failed_only: true,
        ..ErrorFilter::default()
    };
    println!("| case | median | p95 | max |\n|---|---|---|---|");
    let baseline = measure(args.runs, || store.error_count(campaign, &failed)).await?;
    print_row("baseline: SELECT COUNT(*) of the campaign's failed events", &baseline);
    for name in ChartName::CAMPAIGN {
        let counted = measure(args.runs, || async {
            store.forget_cached_charts();
            store.campaign_chart(campaign, name).await
        })
        .await?;
        print_row(&format!("{name}: counted (after new results)"), &counted);
        let cached = measure(args.runs, || {
            app::api::charts::render_campaign_chart(store, campaign, name)
        })
        .await?;
        print_row(&format!("{name}: cached, drawn (SVG + JSON)"), &cached);
    }
    for name in ChartName::DASHBOARD {
        let counted = measure(args.runs, || async {
            store.forget_cached_charts();
            app::api::charts::render_dashboard_chart(store, name).await
        })
        .await?;
        print_row(&format!("dashboard {name}: counted and drawn"), &counted);
    }
    store.close().await;
    Ok(())
}
