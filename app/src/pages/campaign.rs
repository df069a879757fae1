use bounce::CampaignSummary;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::{CampaignHeader, ChartFigure, ErrorBox, Tab};
use crate::{api, format};

/// A campaign's key figures.
#[component]
pub fn CampaignOverviewPage() -> impl IntoView {
    let id = super::path_param("id");
    let campaign = Resource::new(id.clone(), api::campaign);
    let charts = Resource::new(id, api::charts::campaign_charts);
    view! {
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match campaign.await {
                    Ok(c) => view! { <Overview campaign=c/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match charts.await {
                    Ok(charts) => view! {
                        <section class="charts" aria-label="Charts">
                            {charts.into_iter().map(|chart| view! { <ChartFigure chart/> }).collect_view()}
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Overview(campaign: CampaignSummary) -> impl IntoView {
    let figures = [
        ("Sent", format::count(campaign.sent), "Messages we tried to deliver"),
        (
            "Delivered",
            format::count(campaign.delivered),
            "Accepted and not bounced since",
        ),
        (
            "Hard bounces",
            format::count(campaign.hard),
            "The address will not work",
        ),
        ("Soft bounces", format::count(campaign.soft), "A passing problem"),
        (
            "Undetermined",
            format::count(campaign.undetermined),
            "Not enough information to tell",
        ),
        (
            "Rejected",
            format::count(campaign.rejected),
            "Not sent: suppressed address",
        ),
        (
            "Bounce rate",
            format::percent(campaign.bounce_rate()),
            "Bounces per message sent",
        ),
    ];
    view! {
        <Title text=campaign.name.clone()/>
        <CampaignHeader campaign=campaign.clone() tab=Tab::Overview/>
        <dl class="figures">
            {figures
                .into_iter()
                .map(|(label, value, help)| {
                    view! {
                        <div class="figure">
                            <dt>{label}</dt>
                            <dd>{value}</dd>
                            <dd class="help">{help}</dd>
                        </div>
                    }
                })
                .collect_view()}
        </dl>
    }
}
