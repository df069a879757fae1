use bounce::{ErrorPage, ErrorQuery, ErrorRow};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::{self, ErrorsTabData};
use crate::components::{CampaignHeader, ClassBadge, DiagnosticText, ErrorBox, ErrorFilters, Pager, Tab};
use crate::{format, links};

/// A campaign's Errors tab: every failed attempt and bounce, newest first,
/// filtered and paged through the URL.
#[component]
pub fn ErrorsPage() -> impl IntoView {
    let id = super::path_param("id");
    let query = super::error_query();
    let request = {
        let query = query.clone();
        move || (id(), query())
    };
    let data = Resource::new(request, |(id, query)| api::campaign_errors(id, query));
    view! {
        <Suspense fallback=super::loading>
            {move || {
                let query = query();
                Suspend::new(async move {
                    match data.await {
                        Ok(data) => view! { <ErrorsTab data query/> }.into_any(),
                        Err(error) => view! { <ErrorBox error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn ErrorsTab(data: ErrorsTabData, query: ErrorQuery) -> impl IntoView {
    let ErrorsTabData {
        campaign,
        page,
        total,
        more,
    } = data;
    let id = campaign.id;
    let matching = match (total, more) {
        (n, true) => format!("{}+ rows", format::count(n)),
        (1, false) => "1 row".to_owned(),
        (n, false) => format!("{} rows", format::count(n)),
    };
    view! {
        <Title text=format!("Errors · {}", campaign.name)/>
        <CampaignHeader campaign tab=Tab::Errors/>
        <ErrorFilters campaign_id=id query=query.clone()/>
        <p class="total" data-total=total>{matching}</p>
        <ErrorTable campaign_id=id query=query.clone() page=page.clone()/>
        <Pager campaign_id=id query page/>
    }
}

#[component]
fn ErrorTable(campaign_id: i64, query: ErrorQuery, page: ErrorPage) -> impl IntoView {
    if page.rows.is_empty() {
        let filtered = !query.filter_pairs().is_empty();
        return view! {
            <p class="empty">
                {if filtered { "No errors match these filters." } else { "This campaign has no errors." }}
            </p>
        }
        .into_any();
    }
    view! {
        <table class="errors">
            <thead>
                <tr>
                    <th scope="col">"Time"</th>
                    <th scope="col">"Recipient"</th>
                    <th scope="col">"Stage"</th>
                    <th scope="col">"Code"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"The remote server said"</th>
                    <th scope="col">"Reason"</th>
                    <th scope="col">"Class"</th>
                </tr>
            </thead>
            <tbody>
                {page
                    .rows
                    .into_iter()
                    .map(|row| view! { <ErrorRowView campaign_id query=query.clone() row/> })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn ErrorRowView(campaign_id: i64, query: ErrorQuery, row: ErrorRow) -> impl IntoView {
    let href = links::event(campaign_id, row.id, &query);
    let status_title = row.status.map(|s| s.meaning()).unwrap_or_default();
    let advice = crate::explain::explain(row.stage, row.reason);
    let typo = row
        .recipient
        .rsplit_once('@')
        .and_then(|(_, domain)| bounce::typo::likely_intended(domain));
    view! {
        <tr class="error-row" data-id=row.id>
            <td class="time"><A href=href>{format::minute(row.occurred_at)}</A></td>
            <td class="recipient">
                {row.recipient}
                {typo.map(|intended| view! { <div class="typo">"Typo? Probably @"{intended}</div> })}
            </td>
            <td class="stage" title=row.stage.explanation()>{row.stage.label()}</td>
            <td class="code">{row.reply_code.map(|c| c.to_string()).unwrap_or_default()}</td>
            <td class="status" title=status_title>{row.status.map(|s| s.to_string()).unwrap_or_default()}</td>
            <td class="text">
                <DiagnosticText text=row.diagnostic/>
                <div class="advice">{advice.text}" "<strong>{advice.action.label()}"."</strong></div>
            </td>
            <td class="reason">
                {row.reason.map(|r| view! {
                    <span title=r.meaning()>{r.as_str()}</span>
                    <div class="sub">{r.category().label()}</div>
                })}
            </td>
            <td class="class"><ClassBadge class=row.class/></td>
        </tr>
    }
}
