use bounce::CampaignSummary;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::ErrorBox;
use crate::{api, format, links};

/// Every campaign with its delivery totals.
#[component]
pub fn CampaignsPage() -> impl IntoView {
    let campaigns = Resource::new(|| (), |_| api::list_campaigns());
    view! {
        <Title text="Campaigns"/>
        <h1>"Campaigns"</h1>
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match campaigns.await {
                    Ok(list) if list.is_empty() => {
                        view! {
                            <p class="empty">
                                "No campaigns yet. Load the demo data with "
                                <code>"bouncedesk demo"</code>"."
                            </p>
                        }
                            .into_any()
                    }
                    Ok(list) => view! { <CampaignTable campaigns=list/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CampaignTable(campaigns: Vec<CampaignSummary>) -> impl IntoView {
    view! {
        <table class="campaigns">
            <thead>
                <tr>
                    <th scope="col">"Campaign"</th>
                    <th scope="col">"Sent on"</th>
                    <th scope="col" class="num">"Sent"</th>
                    <th scope="col" class="num">"Delivered"</th>
                    <th scope="col" class="num">"Hard"</th>
                    <th scope="col" class="num">"Soft"</th>
                    <th scope="col" class="num" title="Not enough information to tell hard from soft">"Undetermined"</th>
                    <th scope="col" class="num" title="Not sent: the address is on the suppression list">"Rejected"</th>
                    <th scope="col" class="num">"Bounce rate"</th>
                </tr>
            </thead>
            <tbody>
                {campaigns
                    .into_iter()
                    .map(|c| {
                        let rate = c.bounce_rate();
                        let errors = links::errors(c.id, &Default::default(), None);
                        view! {
                            <tr class="campaign-row">
                                <td class="name">
                                    <A href=links::campaign(c.id)>{c.name.clone()}</A>
                                    <div class="sub">{c.subject.clone()}</div>
                                </td>
                                <td>{format::day(c.sent_at)}</td>
                                <td class="num">{format::count(c.sent)}</td>
                                <td class="num">{format::count(c.delivered)}</td>
                                <td class="num"><A href=format!("{errors}?class=hard")>{format::count(c.hard)}</A></td>
                                <td class="num"><A href=format!("{errors}?class=soft")>{format::count(c.soft)}</A></td>
                                <td class="num">{format::count(c.undetermined)}</td>
                                <td class="num">{format::count(c.rejected)}</td>
                                <td class="num rate">
                                    <A href=errors attr:class={if rate >= 0.05 { "high" } else { "" }}>
                                        {format::percent(rate)}
                                    </A>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
