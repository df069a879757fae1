use bounce::CampaignSummary;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::{format, links};

/// Which tab of a campaign page is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Overview,
    Errors,
}

/// A campaign's name, key figures and tabs.
#[component]
pub fn CampaignHeader(campaign: CampaignSummary, tab: Tab) -> impl IntoView {
    let tab_class = move |t: Tab| if t == tab { "tab active" } else { "tab" };
    let errors_href = links::errors(campaign.id, &Default::default(), None);
    view! {
        <section class="campaign-header">
            <p class="crumbs"><A href="/">"Campaigns"</A>" / "</p>
            <h1>{campaign.name.clone()}</h1>
            <p class="meta">
                {format!("“{}” from {} · sent {}", campaign.subject, campaign.from_domain, format::minute(campaign.sent_at))}
            </p>
            <nav class="tabs">
                <A href=links::campaign(campaign.id) attr:class=tab_class(Tab::Overview)>"Overview"</A>
                <A href=errors_href attr:class=tab_class(Tab::Errors)>"Errors"</A>
            </nav>
        </section>
    }
}
