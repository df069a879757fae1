//! `/settings/tokens`: the API tokens other systems post results with
//! (webhooks, scripts). A token is shown once, when made.

use bounce::intake::ApiToken;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api;
use crate::components::ErrorBox;
use crate::format;

/// `/settings/tokens`
#[component]
pub fn TokensPage() -> impl IntoView {
    let tokens = Resource::new(|| (), |_| api::list_tokens());
    view! {
        <Title text="API tokens"/>
        <h1>"API tokens"</h1>
        <p class="meta">
            "A token lets a webhook or a script post results to "<code>"/api/v1/events"</code>" and "
            <code>"/api/v1/webhooks/FORMAT"</code>" (for example "<code>"/api/v1/webhooks/sendgrid"</code>"). "
            "Send it as "<code>"Authorization: Bearer TOKEN"</code>", as the password of basic credentials, "
            "or as "<code>"?token=TOKEN"</code>" for services that take only a URL. "
            "The API is described at "<a href="/api/v1/openapi.json" rel="external">"/api/v1/openapi.json"</a>"."
        </p>
        <NewToken/>
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match tokens.await {
                    Ok(list) if list.is_empty() => view! { <p class="empty">"No tokens yet."</p> }.into_any(),
                    Ok(list) => view! { <TokenTable list/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TokenTable(list: Vec<ApiToken>) -> impl IntoView {
    view! {
        <table class="tokens">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Starts with"</th>
                    <th scope="col">"May"</th>
                    <th scope="col">"Made"</th>
                    <th scope="col">"Last used"</th>
                    <th scope="col"></th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|t| {
                    let live = t.revoked_at.is_none();
                    view! {
                        <tr class="token-row" data-live=live.to_string()>
                            <td class="name">{t.name}</td>
                            <td><code>{t.prefix}"…"</code></td>
                            <td class="scope">{t.scope.as_str()}</td>
                            <td>{format::day(t.created_at)}</td>
                            <td>{t.last_used_at.map_or_else(|| "never".to_owned(), format::minute)}</td>
                            <td>
                                {match t.revoked_at {
                                    Some(at) => view! { {format!("revoked {}", format::day(at))} }.into_any(),
                                    None => view! {
                                        <form method="post" action="/api/revoke_token" class="revoke">
                                            <input type="hidden" name="id" value=t.id.to_string()/>
                                            <button type="submit" class="danger">"Revoke"</button>
                                        </form>
                                    }.into_any(),
                                }}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Makes a token and shows it once: an island.
#[island]
fn NewToken() -> impl IntoView {
    let name = RwSignal::new(String::new());
    let scope = RwSignal::new("import".to_owned());
    let make = Action::new(move |(name, scope): &(String, String)| api::make_token(name.clone(), scope.clone()));
    view! {
        <div class="filters new-token">
            <label>
                "What is it for?"
                <input type="text" name="name" placeholder="SendGrid webhook" prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))/>
            </label>
            <label>
                "It may"
                <select name="scope" on:change=move |ev| scope.set(event_target_value(&ev))>
                    <option value="import">"post results (import)"</option>
                    <option value="read">"read counts and exports (read)"</option>
                </select>
            </label>
            <div class="actions">
                <button type="button" on:click=move |_| { make.dispatch((name.get(), scope.get())); }>"Make a token"</button>
            </div>
        </div>
        {move || match make.value().get() {
            Some(Ok(secret)) => view! {
                <div class="saved made-token">
                    <p>"Copy it now: it is not shown again. Reload the page to see it listed."</p>
                    <code class="secret">{secret}</code>
                </div>
            }.into_any(),
            Some(Err(error)) => view! { <ErrorBox error/> }.into_any(),
            None => ().into_any(),
        }}
    }
}
