//! The suppression policies, as settings a marketer can change.

use bounce::policy::Policy;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api;
use crate::components::ErrorBox;

/// `/settings/policies`
#[component]
pub fn PoliciesPage() -> impl IntoView {
    let policy = Resource::new(|| (), |_| api::get_policy());
    view! {
        <Title text="Suppression policies"/>
        <h1>"Suppression policies"</h1>
        <p class="meta">
            "Applied as results arrive. Failures that are blocks of our own sending (block lists, "
            "reputation, rate limits, spam and policy verdicts) never count against an address. "
            "0 switches a rule off."
        </p>
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match policy.await {
                    Ok(policy) => view! { <PolicyForm policy/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The form: an island (it saves through a server function).
#[island]
fn PolicyForm(policy: Policy) -> impl IntoView {
    let hard = RwSignal::new(policy.hard_block_days.to_string());
    let soft = RwSignal::new(policy.soft_limit.to_string());
    let window = RwSignal::new(policy.soft_window_days.to_string());
    let consecutive = RwSignal::new(policy.consecutive_hard.to_string());
    let save = Action::new(move |v: &(String, String, String, String)| {
        api::set_policy(v.0.clone(), v.1.clone(), v.2.clone(), v.3.clone())
    });
    let input = |label: &'static str, name: &'static str, value: RwSignal<String>| {
        view! {
            <label>
                {label}
                <input type="number" min="0" name=name prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))/>
            </label>
        }
    };
    view! {
        <div class="filters policies">
            {input("A hard bounce blocks the address for (days)", "hard_block_days", hard)}
            {input("Soft bounces that mark a contact bounced", "soft_limit", soft)}
            {input("… within (days)", "soft_window_days", window)}
            {input("Hard bounces in a row that retain a contact", "consecutive_hard", consecutive)}
            <div class="actions">
                <button type="button" on:click=move |_| {
                    save.dispatch((hard.get(), soft.get(), window.get(), consecutive.get()));
                }>"Save"</button>
            </div>
        </div>
        {move || match save.value().get() {
            Some(Ok(_)) => view! { <p class="saved">"Saved."</p> }.into_any(),
            Some(Err(error)) => view! { <ErrorBox error/> }.into_any(),
            None => ().into_any(),
        }}
        <p class="help">"Complaints and unsubscribes always block for good."</p>
    }
}
