//! The selection builder: conditions composed with AND / OR / NOT, a live
//! count and sample while editing, saved under a name.
//!
//! The page is rendered on the server, which also turns a saved definition
//! into rows ([`rows_of`], through `api::start_builder`). The form is an
//! island: it writes the rows as JSON and lets the server check and count
//! them (`api::preview_selection` answers with the canonical definition or
//! an error naming the field), so the browser carries no parsing code.

mod condition;

pub use condition::Condition;

use bounce::selection::{Definition, Node};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use serde_json::{Value, json};

use crate::api::{self, BuilderStart};
use crate::components::{ClassBadge, ClientOnly, ErrorBox};
use crate::{AppError, format, links};
use condition::ConditionRow;

/// `/selections/new` and `/selections/:id`.
#[component]
pub fn SelectionBuilderPage() -> impl IntoView {
    let id = super::path_param("id");
    let start = Resource::new(id, api::start_builder);
    view! {
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match start.await {
                    Ok(start) => {
                        let title = if start.id.is_empty() { "New selection" } else { "Edit selection" };
                        view! {
                            <Title text=title/>
                            <p class="crumbs"><A href=links::selections()>"Selections"</A>" / "</p>
                            <h1>{title}</h1>
                            <Builder start/>
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
pub fn rows_of(def: &Definition) -> Option<(String, Vec<Condition>)> {
    let (combinator, nodes) = match &def.root {
        Node::All(nodes) => ("all", nodes.as_slice()),
        Node::Any(nodes) => ("any", nodes.as_slice()),
        single => ("all", std::slice::from_ref(single)),
    };
    let rows = nodes.iter().map(Condition::from_node).collect::<Option<Vec<_>>>()?;
    Some((combinator.to_owned(), rows))
}

/// The JSON the rows make (checked by the server, which names what is wrong).
fn json_of(combinator: &str, rows: &[Condition]) -> Result<String, String> {
    let value = match rows {
        [] => return Err("the definition needs at least one condition: add one".to_owned()),
        [one] => one.to_json(),
        many => json!({ combinator: many.iter().map(Condition::to_json).collect::<Vec<Value>>() }),
    };
    Ok(value.to_string())
}

/// The builder itself: an island, the only part of the page that runs in
/// the browser. A client-side form, drawn once the island has hydrated, so
/// its live parts are never hydrated against server HTML.
#[island]
fn Builder(start: BuilderStart) -> impl IntoView {
    view! {
        <ClientOnly fallback="Loading the builder…">
            <BuilderForm start=start.clone()/>
        </ClientOnly>
    }
}

#[component]
fn BuilderForm(start: BuilderStart) -> impl IntoView {
    let BuilderStart {
        id,
        name,
        combinator,
        rows,
        typed_json,
        names,
    } = start;
    let next_key = StoredValue::new(rows.len());
    let combinator = RwSignal::new(combinator);
    let rows = RwSignal::new(
        rows.into_iter()
            .enumerate()
            .map(|(i, c)| (i, RwSignal::new(c)))
            .collect::<Vec<_>>(),
    );
    // JSON typed by hand replaces the rows (for nesting the rows cannot show).
    let typed_json = RwSignal::new(typed_json);
    let name = RwSignal::new(name);
    let names = Signal::stored(names);

    let definition = Memo::new(move |_| match typed_json.get() {
        Some(text) => Ok(text),
        None => {
            let current: Vec<Condition> = rows.with(|rs| rs.iter().map(|(_, r)| r.get()).collect());
            json_of(&combinator.get(), &current)
        }
    });
    let preview = LocalResource::new(move || {
        let text = definition.get();
        async move {
            match text {
                Ok(text) => api::preview_selection(text).await,
                Err(problem) => Err(AppError::BadRequest(problem)),
            }
        }
    });
    // What the JSON box shows: the server's canonical text once it has
    // checked the rows, the rows' own JSON until then.
    let shown_json = move || {
        typed_json.get().unwrap_or_else(|| match preview.get() {
            Some(Ok(p)) => p.definition,
            _ => definition.get().unwrap_or_default(),
        })
    };
    let valid = move || matches!(preview.get(), Some(Ok(_)));

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
    let on_save = move |_| {
        if let Ok(text) = definition.get() {
            save.dispatch((id.clone(), name.get(), text));
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
                prop:value=shown_json
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
            disabled=move || name.with(|n| n.trim().is_empty()) || !valid()>
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
                    .map(|r| {
                        view! {
                            <tr>
                                <td><a href=links::contact(r.contact_id)>{r.email}</a></td>
                                <td>{r.last_failure}</td>
                                <td>{r.campaign}</td>
                                <td>{r.reason}</td>
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
