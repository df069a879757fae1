//! The suppression list: search, filter by rule and source, add and unblock
//! by hand, export.

use bounce::contact::SuppressionRow;
use bounce::policy::Rule;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};

use crate::api::{self, SuppressionPage};
use crate::components::{ErrorBox, ForRole};
use crate::{format, labels, links};
use bounce::account::Role;

/// `/suppressions?q=&rule=&source=&offset=`
#[component]
pub fn SuppressionsPage() -> impl IntoView {
    let query = super::use_query_params();
    let get = move |key: &'static str| move || query.read().get(key);
    let (q, rule, source, offset) = (get("q"), get("rule"), get("source"), get("offset"));
    let page = Resource::new(
        move || (q(), rule(), source(), offset()),
        |(q, rule, source, offset)| api::list_suppressions(q, rule, source, offset),
    );
    view! {
        <Title text="Suppression list"/>
        <h1>"Suppression list"</h1>
        <p class="meta">
            "Addresses mail is not sent to. Policies add them as results arrive ("
            <A href=links::policies()>"settings"</A>"); you can add and unblock by hand."
        </p>
        <Form method="GET" action="/suppressions" attr:class="filters" attr:aria-label="Filter the suppression list">
            <label class="grow">"Address contains"<input type="search" name="q" prop:value=q/></label>
            <label>
                "Added by"
                <select name="rule" prop:value=rule>
                    <option value="">"anything"</option>
                    <option value="manual">"Manual"</option>
                    {Rule::ALL
                        .into_iter()
                        .map(|r| view! { <option value=r.as_str()>{labels::rule(r)}</option> })
                        .collect_view()}
                </select>
            </label>
            <label>"Source"<input type="text" name="source" prop:value=source placeholder="user, rule:hard_bounce"/></label>
            <div class="actions"><button type="submit">"Search"</button></div>
        </Form>
        <ForRole needed=Role::Marketer><AddForm/></ForRole>
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <SuppressionTable page/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Adds addresses by hand: an island; the list is loaded again when some
/// were added.
#[island]
fn AddForm() -> impl IntoView {
    let addresses = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let days = RwSignal::new(String::new());
    let add =
        Action::new(move |(a, r, d): &(String, String, String)| api::add_suppressions(a.clone(), r.clone(), d.clone()));
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(ref added)) if added.added > 0 && added.refused.is_empty()) {
            crate::components::reload();
        }
    });
    view! {
        <details class="add">
            <summary>"Add addresses"</summary>
            <textarea name="addresses" rows="4" placeholder="one address per line" aria-label="Addresses to add"
                prop:value=move || addresses.get() on:input=move |ev| addresses.set(event_target_value(&ev))></textarea>
            <input type="text" name="add_reason" placeholder="reason" aria-label="Reason"
                prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
            <input type="number" name="add_days" min="1" placeholder="days (empty: for good)" aria-label="Days"
                prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev))/>
            <button type="button" on:click=move |_| { add.dispatch((addresses.get(), reason.get(), days.get())); }>
                "Add"
            </button>
            {move || match add.value().get() {
                Some(Ok(added)) if added.refused.is_empty() => format!("{} added.", added.added).into_any(),
                Some(Ok(added)) => view! {
                    <div class="error-box" role="alert">
                        <strong>"Nothing was added"</strong>
                        <ul>{added.refused.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
                    </div>
                }.into_any(),
                Some(Err(error)) => view! { <ErrorBox error/> }.into_any(),
                None => ().into_any(),
            }}
        </details>
    }
}

#[component]
fn SuppressionTable(page: SuppressionPage) -> impl IntoView {
    let SuppressionPage { rows, total, offset } = page;
    let shown = rows.len() as i64;
    let query = super::use_query_params();
    let (q, rule, source) = query.with_untracked(|m| (m.get("q"), m.get("rule"), m.get("source")));
    let export = |format: &str, delimiter: &str| links::suppressions_export(&q, &rule, &source, format, delimiter);
    let (csv_semicolon, csv_comma, jsonl) = (export("csv", ";"), export("csv", ","), export("jsonl", ""));
    let page_link = move |at: i64| links::suppressions(&q, &rule, &source, at);
    view! {
        <p class="count">{format!("{} suppressed", format::count(total))}</p>
        <div class="bulk">
            <ForRole needed=Role::Marketer><UnblockChosen/></ForRole>
            <span class="export">
                "Export: "
                <a href=csv_semicolon download rel="external">"CSV (;)"</a>" · "
                <a href=csv_comma download rel="external">"CSV (,)"</a>" · "
                <a href=jsonl download rel="external">"JSON Lines"</a>
            </span>
        </div>
        <table class="suppressions">
            <thead>
                <tr>
                    <th scope="col"></th>
                    <th scope="col">"Address"</th>
                    <th scope="col">"Why"</th>
                    <th scope="col">"Added by"</th>
                    <th scope="col">"Since"</th>
                    <th scope="col">"Until"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|r| view! { <SuppressionLine row=r/> }).collect_view()}
            </tbody>
        </table>
        <nav class="pager">
            {(offset > 0).then(|| view! {
                <A href=page_link((offset - api::SUPPRESSIONS_PAGE).max(0))>"← previous"</A>
            })}
            {(offset + shown < total).then(|| view! {
                <A href=page_link(offset + shown)>"next →"</A>
            })}
        </nav>
    }
}

/// Unblocks the addresses ticked in the table: an island that reads the
/// ticked boxes when clicked (the table itself is plain server HTML), then
/// loads the list again.
#[island]
fn UnblockChosen() -> impl IntoView {
    let failed = RwSignal::new(None::<crate::AppError>);
    let unblock = Action::new(move |emails: &Vec<String>| {
        let emails = emails.clone();
        async move {
            match api::unblock(emails, String::new()).await {
                Ok(_) => crate::components::reload(),
                Err(e) => failed.set(Some(e)),
            }
        }
    });
    let chosen = || -> Vec<String> {
        use leptos::wasm_bindgen::JsCast;
        let Ok(boxes) = document().query_selector_all("input[name=unblock]:checked") else {
            return Vec::new();
        };
        (0..boxes.length())
            .filter_map(|i| boxes.get(i))
            .filter_map(|node| node.dyn_into::<web_sys::HtmlInputElement>().ok())
            .map(|input| input.value())
            .collect()
    };
    view! {
        <button type="button" on:click=move |_| {
            let emails = chosen();
            if emails.is_empty() {
                failed.set(Some(crate::AppError::BadRequest("tick the addresses to unblock first".into())));
            } else {
                unblock.dispatch(emails);
            }
        }>"Unblock selected"</button>
        {move || failed.get().map(|error| view! { <ErrorBox error/> })}
    }
}

#[component]
fn SuppressionLine(row: SuppressionRow) -> impl IntoView {
    let email = row.email.clone();
    view! {
        <tr class="suppression-row">
            <td><input type="checkbox" name="unblock" value=email.clone() aria-label=format!("choose {email}")/></td>
            <td class="email">
                {match row.contact_id {
                    Some(id) => view! { <A href=links::contact(id)>{row.email.clone()}</A> }.into_any(),
                    None => row.email.clone().into_any(),
                }}
            </td>
            <td>{row.reason}</td>
            <td>{labels::rule_id(row.rule.as_deref())}<div class="sub">{row.source}</div></td>
            <td>{format::minute(row.created_at)}</td>
            <td>{row.expires_at.map_or_else(|| "for good".to_owned(), format::minute)}</td>
        </tr>
    }
}
