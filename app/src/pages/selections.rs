//! Saved selections, counted anew on every visit, with their actions:
//! export, suppress, mark unsubscribed, reset bounce counters, delete.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::{self, SelectionSummary};
use crate::components::ErrorBox;
use crate::{format, links};

/// `/selections`
#[component]
pub fn SelectionsPage() -> impl IntoView {
    // Bumped after an action, so the counts are read again.
    let version = RwSignal::new(0u32);
    let list = Resource::new(move || version.get(), |_| api::list_selections());
    view! {
        <Title text="Selections"/>
        <h1>"Selections"</h1>
        <p class="meta">
            "Contacts chosen by their bounce history. Counts are worked out now, so new results count. "
            <A href=links::new_selection() attr:class="button">"New selection"</A>
        </p>
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty">"No saved selections yet."</p>
                    }.into_any(),
                    Ok(list) => view! { <SelectionTable list version/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SelectionTable(list: Vec<SelectionSummary>, version: RwSignal<u32>) -> impl IntoView {
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
                {list.into_iter().map(|s| view! { <SelectionRow summary=s version/> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn SelectionRow(summary: SelectionSummary, version: RwSignal<u32>) -> impl IntoView {
    let SelectionSummary { selection, count } = summary;
    let id = selection.id;
    let (name, title, definition) = (
        selection.name.clone(),
        selection.name.clone(),
        selection.definition.clone(),
    );
    let reason = RwSignal::new(String::new());
    let days = RwSignal::new(String::new());
    let act = Action::new(move |(action, reason, days): &(&'static str, String, String)| {
        api::act_on_selection(id.to_string(), (*action).to_owned(), reason.clone(), days.clone())
    });
    let delete = Action::new(move |_: &()| api::delete_selection(id.to_string()));
    Effect::new(move |_| {
        if matches!(act.value().get(), Some(Ok(_))) || matches!(delete.value().get(), Some(Ok(()))) {
            version.update(|v| *v += 1);
        }
    });
    let run = move |action: &'static str| act.dispatch((action, reason.get(), days.get()));
    view! {
        <tr class="selection-row" data-name=name>
            <td class="name">
                <A href=links::selection(id)>{title}</A>
                <div class="sub"><code>{definition}</code></div>
            </td>
            <td class="num count">{format::count(count)}</td>
            <td class="export">
                <a href=links::selection_export(id, "csv", ";") download>"CSV (;)"</a>" · "
                <a href=links::selection_export(id, "csv", ",") download>"CSV (,)"</a>" · "
                <a href=links::selection_export(id, "jsonl", "") download>"JSON Lines"</a>
            </td>
            <td class="actions">
                <input type="text" name="reason" placeholder="reason" aria-label="Reason"
                    prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
                <input type="number" name="days" placeholder="days (empty: for good)" aria-label="Days" min="1"
                    prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev))/>
                <button type="button" class="suppress" on:click=move |_| { run("suppress"); }>"Suppress"</button>
                <button type="button" on:click=move |_| { run("unsubscribe"); }>"Mark unsubscribed"</button>
                <button type="button" on:click=move |_| { run("reset"); }>"Reset bounce counters"</button>
                <button type="button" class="danger" on:click=move |_| { delete.dispatch(()); }>"Delete"</button>
                <p class="result" aria-live="polite">
                    {move || match act.value().get() {
                        Some(Ok(n)) => format!("Done for {} contacts.", format::count(i64::try_from(n).unwrap_or(i64::MAX)))
                            .into_any(),
                        Some(Err(error)) => view! { <ErrorBox error/> }.into_any(),
                        None => ().into_any(),
                    }}
                    {move || match delete.value().get() {
                        Some(Err(error)) => view! { <ErrorBox error/> }.into_any(),
                        _ => ().into_any(),
                    }}
                </p>
            </td>
        </tr>
    }
}
