use bounce::{ErrorQuery, EventDetail};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::{ClassBadge, ErrorBox};
use crate::{api, format, links};

/// Everything stored about one event, with the remote server's whole text:
/// what a marketer needs to judge whether a bounce was classified right.
#[component]
pub fn EventPage() -> impl IntoView {
    let campaign = super::path_param("id");
    let event = super::path_param("event");
    let query = super::error_query();
    let data = Resource::new(move || (campaign(), event()), |(c, e)| api::event(c, e));
    view! {
        <Suspense fallback=super::loading>
            {move || {
                let query = query();
                Suspend::new(async move {
                    match data.await {
                        Ok(detail) => view! { <Detail detail query/> }.into_any(),
                        Err(error) => view! { <ErrorBox error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Detail(detail: EventDetail, query: ErrorQuery) -> impl IntoView {
    let row = detail.row;
    let raw_message = detail.raw_message;
    let campaign_id = detail.campaign_id.unwrap_or_default();
    let back = links::errors_at(campaign_id, &query);
    let status = row
        .status
        .map(|s| format!("{s} ({})", s.meaning()))
        .unwrap_or_else(|| "none given".into());
    let advice = crate::explain::explain(row.stage, row.reason);
    let typo = bounce::typo::likely_intended(&detail.recipient_domain);
    let mut fields: Vec<(&str, String)> = vec![
        ("What it means", advice.text),
        ("What to do", advice.action.label().to_owned()),
        ("Time", format::second(row.occurred_at)),
        ("Campaign", detail.campaign_name.unwrap_or_default()),
        ("Recipient", row.recipient.clone()),
        ("Receiving domain", detail.recipient_domain),
        ("Stage", format!("{} — {}", row.stage.label(), row.stage.explanation())),
        ("Outcome", row.outcome.label().to_owned()),
        (
            "Reply code",
            row.reply_code
                .map(|c| c.to_string())
                .unwrap_or_else(|| "none given".into()),
        ),
        ("Enhanced status", status),
        (
            "Reason",
            row.reason
                .map(|r| format!("{r} — {} ({})", r.meaning(), r.category().label()))
                .unwrap_or_else(|| "not classified yet".into()),
        ),
        ("Remote server", detail.remote_mta.unwrap_or_else(|| "unknown".into())),
        (
            "Source",
            format!("{} (event id {})", detail.source, detail.source_event_id),
        ),
    ];
    if let Some(intended) = typo {
        fields.insert(
            2,
            (
                "Possible typo",
                format!("the domain looks like a misspelling of {intended}"),
            ),
        );
    }
    view! {
        <Title text=format!("Error for {}", row.recipient)/>
        <p class="crumbs"><A href=back attr:class="back">"‹ Back to the errors"</A></p>
        <h1>"Error for " {row.recipient.clone()}</h1>
        <p><ClassBadge class=row.class/></p>
        <dl class="detail">
            {fields
                .into_iter()
                .map(|(label, value)| view! { <dt>{label}</dt><dd>{value}</dd> })
                .collect_view()}
        </dl>
        <h2>"The remote server's whole text"</h2>
        <pre class="diagnostic-full">{row.diagnostic}</pre>
        {raw_message.map(|raw| view! {
            <h2>"The bounce message as it came back"</h2>
            <pre class="raw-message">{raw}</pre>
        })}
    }
}
