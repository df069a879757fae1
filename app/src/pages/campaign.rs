use bounce::incident::Incident;
use bounce::{CampaignSummary, CodeFilter, ErrorFilter, ErrorQuery};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::{CampaignHeader, Charts, ErrorBox, Tab};
use crate::{api, format, links};

/// A campaign's key figures.
#[component]
pub fn CampaignOverviewPage() -> impl IntoView {
    let id = super::path_param("id");
    let campaign = Resource::new(id.clone(), api::campaign);
    let incidents = Resource::new(id.clone(), api::campaign_incidents);
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
                match incidents.await {
                    Ok(list) => view! { <Incidents list/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move { view! { <Charts charts=charts.await/> } })}
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

/// Provider incidents, with their evidence and the failures behind them.
#[component]
fn Incidents(list: Vec<Incident>) -> impl IntoView {
    (!list.is_empty()).then(|| {
        view! {
            <section class="incidents" aria-label="Provider incidents">
                {list.into_iter().map(|i| view! { <IncidentNote incident=i/> }).collect_view()}
            </section>
        }
    })
}

#[component]
fn IncidentNote(incident: Incident) -> impl IntoView {
    let campaign_id = super::path_param("id")().parse::<i64>().unwrap_or_default();
    let code = incident.code.parse::<CodeFilter>().ok();
    let filter = ErrorFilter {
        domain: Some(incident.domain.clone()),
        code,
        failed_only: true,
        from: Some(incident.starts_at),
        to: Some(incident.ends_at),
        ..ErrorFilter::default()
    };
    let href = links::errors(campaign_id, &ErrorQuery::of_filter(&filter), None);
    view! {
        <div class="incident" role="note">
            <h2>"Provider incident at " {incident.domain.clone()}</h2>
            <p>
                {format!(
                    "{} failures answered {} between {} and {}: {} of the {} messages to {}, against {} elsewhere.",
                    format::count(incident.failures),
                    incident.code,
                    format::minute(incident.starts_at),
                    format::minute(incident.ends_at),
                    format::percent(incident.rate),
                    format::count(incident.domain_sent),
                    incident.domain,
                    format::percent(incident.rate_elsewhere),
                )}
            </p>
            <p>
                <strong>"Probably not the addresses' fault"</strong>
                " (throttling, a block-list listing or an outage). Selections and the suppression policies leave these failures out. "
                <a href=href>"Show these failures"</a>
            </p>
        </div>
    }
}
