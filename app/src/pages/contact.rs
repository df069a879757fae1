//! One contact: its standing, every send and failure across campaigns, its
//! suppression and the history of every change.

use bounce::contact::ContactDetail;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::{ClassBadge, DiagnosticText, ErrorBox, ForRole};
use crate::{api, format, labels, links};
use bounce::account::Role;

/// `/contacts/:id`
#[component]
pub fn ContactPage() -> impl IntoView {
    let id = super::path_param("id");
    let data = Resource::new(id, api::contact);
    view! {
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(detail) => view! { <Contact detail/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Contact(detail: ContactDetail) -> impl IntoView {
    let id = detail.id;
    let email = detail.email.clone();
    let suppression = detail.suppression.clone().map(|s| {
        let until = s.expires_at.map_or_else(|| "for good".to_owned(), format::minute);
        format!(
            "{} — {} (since {}, until {until})",
            labels::rule_id(s.rule.as_deref()),
            s.reason,
            format::minute(s.created_at)
        )
    });
    let failures = detail.sends.iter().filter(|s| s.class.is_some()).count();
    view! {
        <Title text=detail.email.clone()/>
        <p class="crumbs"><A href=links::suppressions("", "", "", 0)>"Suppression list"</A>" / "</p>
        <h1>{detail.email.clone()}</h1>
        <dl class="detail">
            <dt>"Status"</dt><dd class="status">{labels::contact_status(detail.status)}</dd>
            <dt>"On the list since"</dt><dd>{format::day(detail.created_at)}</dd>
            <dt>"Sends"</dt><dd>{format!("{} ({failures} failed)", detail.sends.len())}</dd>
            <dt>"Bounce counters reset"</dt>
            <dd>{detail.bounces_reset_at.map_or_else(|| "never".to_owned(), format::minute)}</dd>
            <dt>"Suppression"</dt><dd class="suppression">{suppression.clone().unwrap_or_else(|| "none".to_owned())}</dd>
        </dl>
        <ForRole needed=Role::Marketer>
            <ContactActions id email=suppression.is_some().then_some(email.clone())/>
        </ForRole>
        <h2>"Sends"</h2>
        <table class="errors">
            <thead>
                <tr>
                    <th scope="col">"Campaign"</th>
                    <th scope="col">"Result at"</th>
                    <th scope="col">"Outcome"</th>
                    <th scope="col">"Stage"</th>
                    <th scope="col">"Code"</th>
                    <th scope="col">"The remote server said"</th>
                    <th scope="col">"Reason"</th>
                    <th scope="col">"Class"</th>
                </tr>
            </thead>
            <tbody>
                {detail.sends.into_iter().map(|s| view! {
                    <tr>
                        <td><A href=links::campaign(s.campaign_id)>{s.campaign}</A></td>
                        <td class="time">{format::minute(s.at)}</td>
                        <td>{s.outcome.label()}</td>
                        <td>{s.stage.map(|x| x.label()).unwrap_or_default()}</td>
                        <td class="code">
                            {[s.reply_code.map(|c| c.to_string()), s.status.map(|x| x.to_string())]
                                .into_iter().flatten().collect::<Vec<_>>().join(" ")}
                        </td>
                        <td class="text">{s.diagnostic.map(|text| view! { <DiagnosticText text/> })}</td>
                        <td>{s.reason.map(|r| r.as_str()).unwrap_or_default()}</td>
                        <td>{s.class.map(|class| view! { <ClassBadge class/> })}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <h2>"History"</h2>
        <table class="history">
            <thead>
                <tr>
                    <th scope="col">"When"</th>
                    <th scope="col">"What"</th>
                    <th scope="col">"Who"</th>
                    <th scope="col">"Why"</th>
                    <th scope="col">"Until"</th>
                </tr>
            </thead>
            <tbody>
                {detail.history.into_iter().map(|h| view! {
                    <tr class="history-row">
                        <td class="time">{format::minute(h.at)}</td>
                        <td>{h.action}</td>
                        <td>{h.actor}</td>
                        <td>{h.reason}</td>
                        <td>{h.expires_at.map(format::minute).unwrap_or_default()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Reset the bounce counters, unblock: an island; the page is loaded again
/// afterwards so the history shows what it did. `email` is set when the
/// contact is suppressed.
#[island]
fn ContactActions(id: i64, email: Option<String>) -> impl IntoView {
    let failed = RwSignal::new(None::<crate::AppError>);
    let done = move |result: Result<(), crate::AppError>| match result {
        Ok(()) => crate::components::reload(),
        Err(e) => failed.set(Some(e)),
    };
    let reset = Action::new(move |_: &()| async move { done(api::reset_contact(id.to_string()).await) });
    let unblock = Action::new(move |email: &String| {
        let email = email.clone();
        async move { done(api::unblock(vec![email], String::new()).await.map(|_| ())) }
    });
    view! {
        <div class="bulk">
            <button type="button" on:click=move |_| { reset.dispatch(()); }>"Reset bounce counters"</button>
            {email.map(|email| view! {
                <button type="button" on:click=move |_| { unblock.dispatch(email.clone()); }>"Unblock"</button>
            })}
            {move || failed.get().map(|error| view! { <ErrorBox error/> })}
        </div>
    }
}
