//! The selection builder: conditions composed with AND / OR / NOT, a live
//! count and sample while editing, saved under a name.

mod condition;

use bounce::ParseError;
use bounce::selection::{Definition, Node, SavedSelection};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use serde_json::{Value, json};

use crate::components::{ClassBadge, ClientOnly, ErrorBox};
use crate::{AppError, api, format, links};
use condition::{Condition, ConditionRow};

/// `/selections/new` and `/selections/:id`.
#[component]
pub fn SelectionBuilderPage() -> impl IntoView {
    let id = super::path_param("id");
    let saved = Resource::new(id, |id| async move {
        if id.is_empty() || id == "new" {
            Ok(None)
        } else {
            api::selection(id).await.map(Some)
        }
    });
    view! {
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match saved.await {
                    Ok(saved) => {
                        let title = if saved.is_some() { "Edit selection" } else { "New selection" };
                        view! {
                            <Title text=title/>
                            <p class="crumbs"><A href=links::selections()>"Selections"</A>" / "</p>
                            <h1>{title}</h1>
                            <Builder saved=saved.clone()/>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The rows a definition shows as, when one level of AND / OR can show it.
fn rows_of(def: &Definition) -> Option<(String, Vec<Condition>)> {
    let (combinator, nodes) = match &def.root {
        Node::All(nodes) => ("all", nodes.as_slice()),
        Node::Any(nodes) => ("any", nodes.as_slice()),
        single => ("all", std::slice::from_ref(single)),
    };
    let rows = nodes.iter().map(Condition::from_node).collect::<Option<Vec<_>>>()?;
    Some((combinator.to_owned(), rows))
}

/// The definition the rows make, checked.
fn definition_of(combinator: &str, rows: &[Condition]) -> Result<Definition, ParseError> {
    let value = match rows {
        [] => {
            return Err(ParseError::at(
                "definition",
                "",
                "needs at least one condition: add one",
            ));
        }
        [one] => one.to_json(),
        many => json!({ combinator: many.iter().map(Condition::to_json).collect::<Vec<Value>>() }),
    };
    Definition::from_value(&value)
}

/// The builder itself: an island, the only part of the page that runs in
/// the browser. A client-side form, drawn once the island has hydrated, so
/// its live parts are never hydrated against server HTML.
#[island]
fn Builder(saved: Option<SavedSelection>) -> impl IntoView {
    view! {
        <ClientOnly fallback="Loading the builder…">
            <BuilderForm saved=saved.clone()/>
        </ClientOnly>
    }
}

#[component]
fn BuilderForm(saved: Option<SavedSelection>) -> impl IntoView {
    let initial = saved.as_ref().and_then(|s| Definition::parse(&s.definition).ok());
    let shown = initial
        .as_ref()
        .map_or(Some(("all".to_owned(), vec![Condition::new()])), rows_of);
    let (combinator_start, rows_start) = shown.clone().unwrap_or_else(|| ("all".to_owned(), Vec::new()));
    let next_key = StoredValue::new(rows_start.len());
    let combinator = RwSignal::new(combinator_start);
    let rows = RwSignal::new(
        rows_start
            .into_iter()
            .enumerate()
            .map(|(i, c)| (i, RwSignal::new(c)))
            .collect::<Vec<_>>(),
    );
    // JSON typed by hand replaces the rows (for nesting the rows cannot show).
    let typed_json = RwSignal::new(if shown.is_none() {
        saved.as_ref().map(|s| s.definition.clone())
    } else {
        None
    });
    let name = RwSignal::new(saved.as_ref().map(|s| s.name.clone()).unwrap_or_default());
    let id = saved.as_ref().map(|s| s.id.to_string()).unwrap_or_default();

    let definition = Memo::new(move |_| match typed_json.get() {
        Some(text) => Definition::parse(&text).map_err(|e| e.to_string()),
        None => {
            let current: Vec<Condition> = rows.with(|rs| rs.iter().map(|(_, r)| r.get()).collect());
            definition_of(&combinator.get(), &current).map_err(|e| e.to_string())
        }
    });
    let definition_text = move || {
        definition.with(|d| match d {
            Ok(d) => Ok(d.to_json().to_string()),
            Err(e) => Err(e.clone()),
        })
    };
    let preview = LocalResource::new(move || {
        let text = definition_text();
        async move {
            match text {
                Ok(text) => api::preview_selection(text).await,
                Err(problem) => Err(AppError::BadRequest(problem)),
            }
        }
    });
    let names = LocalResource::new(api::list_selections);
    let names = Signal::derive(move || {
        names
            .get()
            .and_then(Result::ok)
            .map(|list| list.into_iter().map(|s| s.selection.name).collect())
            .unwrap_or_default()
    });

    let add = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        rows.update(|rs| rs.push((key, RwSignal::new(Condition::new()))));
    };
    let save = Action::new(move |(id, name, text): &(String, String, String)| {
        api::save_selection(id.clone(), name.clone(), text.clone())
    });
    Effect::new(move |_| {
        if let Some(Ok(id)) = save.value().get() {
            crate::components::go_to(&links::selection(id));
        }
    });
    let on_save = {
        let id = id.clone();
        move |_| {
            if let Ok(text) = definition_text() {
                save.dispatch((id.clone(), name.get(), text));
            }
        }
    };
    // Each part is its own type-erased view: one nested type for the whole
    // page overflows the compiler's layout depth in the release wasm build.
    let conditions = view! {
        <Show when=move || typed_json.with(Option::is_none)>
            <label class="combinator">
                "Contacts that match "
                <select name="combinator" on:change=move |ev| combinator.set(event_target_value(&ev))
                    prop:value=move || combinator.get()>
                    <option value="all" selected=move || combinator.get() == "all">"ALL of (AND)"</option>
                    <option value="any" selected=move || combinator.get() == "any">"ANY of (OR)"</option>
                </select>
                " these conditions:"
            </label>
            <For each=move || rows.get() key=|(key, _)| *key let:item>
                {
                    let (key, row) = item;
                    let remove = Callback::new(move |_| rows.update(|rs| rs.retain(|(k, _)| *k != key)));
                    view! { <ConditionRow row names on_remove=remove/> }.into_any()
                }
            </For>
            <button type="button" class="add" on:click=add>"Add condition"</button>
        </Show>
    }
    .into_any();
    let json = view! {
        <details class="json" open=move || typed_json.with(Option::is_some)>
            <summary>"Definition as JSON"</summary>
            <textarea name="definition" rows="6" aria-label="Definition as JSON"
                prop:value=move || typed_json.get().unwrap_or_else(|| definition_text().unwrap_or_default())
                on:change=move |ev| typed_json.set(Some(event_target_value(&ev)))></textarea>
            <p class="help">
                "Edit the JSON for nested groups; see docs/selections.md. "
                <button type="button" on:click=move |_| typed_json.set(None)
                    disabled=move || typed_json.with(Option::is_none)>"Back to the rows"</button>
            </p>
        </details>
    }
    .into_any();
    let preview = view! {
        <Suspense fallback=|| view! { <p class="loading">"Counting…"</p> }>
            {move || Suspend::new(async move {
                match preview.await {
                    Ok(p) => view! { <PreviewTable preview=p/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any();
    let save_bar = view! {
        <label>
            "Name"
            <input type="text" name="name" maxlength="100" prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev))/>
        </label>
        <button type="button" class="primary" on:click=on_save
            disabled=move || name.with(|n| n.trim().is_empty()) || definition.with(Result::is_err)>
            "Save selection"
        </button>
        {move || match save.value().get() {
            Some(Err(error)) => view! { <ErrorBox error/> }.into_any(),
            _ => ().into_any(),
        }}
    }
    .into_any();

    view! {
        <section class="builder" aria-label="Conditions">{conditions}{json}</section>
        <section class="preview" aria-live="polite">{preview}</section>
        <section class="save">{save_bar}</section>
    }
}

#[component]
fn PreviewTable(preview: api::Preview) -> impl IntoView {
    let shown = preview.sample.len();
    view! {
        <p class="count">
            <strong class="selection-count">{format::count(preview.count)}</strong>
            {if preview.count == 1 { " contact matches" } else { " contacts match" }}
            {(preview.count > shown as i64).then(|| format!(" (the first {shown} shown)"))}
        </p>
        <table class="sample">
            <thead>
                <tr>
                    <th scope="col">"Contact"</th>
                    <th scope="col">"Last failure"</th>
                    <th scope="col">"Campaign"</th>
                    <th scope="col">"Reason"</th>
                    <th scope="col">"Class"</th>
                    <th scope="col" class="num">"Failures"</th>
                </tr>
            </thead>
            <tbody>
                {preview
                    .sample
                    .into_iter()
                    .map(|s| {
                        let r = s.row;
                        view! {
                            <tr>
                                <td><a href=links::contact(s.contact_id)>{r.email}</a></td>
                                <td>{r.last_failure_at.map(format::minute).unwrap_or_default()}</td>
                                <td>{r.campaign.unwrap_or_default()}</td>
                                <td>{r.reason.map(|x| x.as_str()).unwrap_or_default()}</td>
                                <td>{r.class.map(|class| view! { <ClassBadge class/> })}</td>
                                <td class="num">{format::count(r.failures)}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
