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
    // What the last action did: kept here, since the rows are drawn anew
    // with the fresh counts afterwards.
    let notice = RwSignal::new(None::<Result<String, crate::AppError>>);
    let list = Resource::new(move || version.get(), |_| api::list_selections());
    view! {
        <Title text="Selections"/>
        <h1>"Selections"</h1>
        <p class="meta">
            "Contacts chosen by their bounce history. Counts are worked out now, so new results count. "
            <A href=links::new_selection() attr:class="button">"New selection"</A>
        </p>
        <div class="notice" aria-live="polite">
            {move || match notice.get() {
                Some(Ok(text)) => view! { <p class="saved">{text}</p> }.into_any(),
                Some(Err(error)) => view! { <ErrorBox error/> }.into_any(),
                None => ().into_any(),
            }}
        </div>
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty">"No saved selections yet."</p>
                    }.into_any(),
                    Ok(list) => view! { <SelectionTable list version notice/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SelectionTable(
    list: Vec<SelectionSummary>,
    version: RwSignal<u32>,
    notice: RwSignal<Option<Result<String, crate::AppError>>>,
) -> impl IntoView {
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
                {list.into_iter().map(|s| view! { <SelectionRow summary=s version notice/> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn SelectionRow(
    summary: SelectionSummary,
    version: RwSignal<u32>,
    notice: RwSignal<Option<Result<String, crate::AppError>>>,
) -> impl IntoView {
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
        let (action, reason, days) = (*action, reason.clone(), days.clone());
        async move {
            let done = api::act_on_selection(id.to_string(), action.to_owned(), reason, days).await;
            let what = match action {
                "suppress" => "suppressed",
                "unsubscribe" => "marked unsubscribed",
                _ => "had their bounce counters reset",
            };
            notice.set(Some(done.map(|n| {
                format!(
                    "{} contacts {what}.",
                    format::count(i64::try_from(n).unwrap_or(i64::MAX))
                )
            })));
            version.update(|v| *v += 1);
        }
    });
    let delete = Action::new(move |_: &()| async move {
        match api::delete_selection(id.to_string()).await {
            Ok(()) => {
                notice.set(Some(Ok("Selection deleted.".to_owned())));
                version.update(|v| *v += 1);
            }
            Err(e) => notice.set(Some(Err(e))),
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
                <a href=links::selection_export(id, "csv", ";") download rel="external">"CSV (;)"</a>" · "
                <a href=links::selection_export(id, "csv", ",") download rel="external">"CSV (,)"</a>" · "
                <a href=links::selection_export(id, "jsonl", "") download rel="external">"JSON Lines"</a>
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
            </td>
        </tr>
    }
}
