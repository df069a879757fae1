//! Saved selections, counted anew on every visit, with their actions:
//! export, suppress, mark unsubscribed, reset bounce counters, delete.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::{self, SelectionSummary};
use crate::components::{ErrorBox, ForRole};
use crate::{format, links};
use bounce::account::Role;

/// `/selections`
#[component]
pub fn SelectionsPage() -> impl IntoView {
    let query = super::use_query_params();
    // What the last action did: the island that ran it came back here with
    // `?done=ACTION&count=N`, so the counts below are fresh.
    let notice = move || {
        query.with(|q| {
            let count = q.get("count").parse::<i64>().unwrap_or(0);
            let what = match q.get("done").as_str() {
                "suppress" => "suppressed",
                "unsubscribe" => "marked unsubscribed",
                "reset" => "had their bounce counters reset",
                "delete" => return Some("Selection deleted.".to_owned()),
                _ => return None,
            };
            Some(format!("{} contacts {what}.", format::count(count)))
        })
    };
    let list = Resource::new(|| (), |_| api::list_selections());
    view! {
        <Title text="Selections"/>
        <h1>"Selections"</h1>
        <p class="meta">
            "Contacts chosen by their bounce history. Counts are worked out now, so new results count. "
            <ForRole needed=Role::Marketer><A href=links::new_selection() attr:class="button">"New selection"</A></ForRole>
        </p>
        <div class="notice" aria-live="polite">
            {move || notice().map(|text| view! { <p class="saved">{text}</p> })}
        </div>
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty">"No saved selections yet."</p>
                    }.into_any(),
                    Ok(list) => view! { <SelectionTable list/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SelectionTable(list: Vec<SelectionSummary>) -> impl IntoView {
    view! {
        <table class="selections">
            <thead>
                <tr>
                    <th scope="col">"Selection"</th>
                    <th scope="col" class="num">"Contacts"</th>
                    <th scope="col">"Export"</th>
                    <th scope="col">"Act on these contacts"</th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|s| view! { <SelectionRow summary=s/> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn SelectionRow(summary: SelectionSummary) -> impl IntoView {
    let SelectionSummary { selection, count } = summary;
    let id = selection.id;
    let (name, title, definition) = (
        selection.name.clone(),
        selection.name.clone(),
        selection.definition.clone(),
    );
    view! {
        <tr class="selection-row" data-name=name>
            <td class="name">
                <A href=links::selection(id)>{title}</A>
                <div class="sub"><code>{definition}</code></div>
            </td>
            <td class="num count">{format::count(count)}</td>
            <td class="export">
                <a href=links::selection_export(id, "csv", ";") download rel="external">"CSV (;)"</a>" · "
                <a href=links::selection_export(id, "csv", ",") download rel="external">"CSV (,)"</a>" · "
                <a href=links::selection_export(id, "jsonl", "") download rel="external">"JSON Lines"</a>
            </td>
            <td class="actions"><ForRole needed=Role::Marketer><SelectionActions id/></ForRole></td>
        </tr>
    }
}

/// Suppress, mark unsubscribed, reset or delete: an island. When done it
/// reloads the list with what it did, so every count is fresh.
#[island]
fn SelectionActions(id: i64) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let days = RwSignal::new(String::new());
    let failed = RwSignal::new(None::<crate::AppError>);
    let act = Action::new(move |(action, reason, days): &(&'static str, String, String)| {
        let (action, reason, days) = (*action, reason.clone(), days.clone());
        async move {
            match api::act_on_selection(id.to_string(), action.to_owned(), reason, days).await {
                Ok(n) => crate::components::go_to(&format!("{}?done={action}&count={n}", links::selections())),
                Err(e) => failed.set(Some(e)),
            }
        }
    });
    let delete = Action::new(move |_: &()| async move {
        match api::delete_selection(id.to_string()).await {
            Ok(()) => crate::components::go_to(&format!("{}?done=delete", links::selections())),
            Err(e) => failed.set(Some(e)),
        }
    });
    let run = move |action: &'static str| act.dispatch((action, reason.get(), days.get()));
    view! {
        <input type="text" name="reason" placeholder="reason" aria-label="Reason"
            prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
        <input type="number" name="days" placeholder="days (empty: for good)" aria-label="Days" min="1"
            prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev))/>
        <button type="button" class="suppress" on:click=move |_| { run("suppress"); }>"Suppress"</button>
        <button type="button" on:click=move |_| { run("unsubscribe"); }>"Mark unsubscribed"</button>
        <button type="button" on:click=move |_| { run("reset"); }>"Reset bounce counters"</button>
        <button type="button" class="danger" on:click=move |_| { delete.dispatch(()); }>"Delete"</button>
        {move || failed.get().map(|error| view! { <ErrorBox error/> })}
    }
}
