use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api;

/// Any URL the dashboard does not know.
#[component]
pub fn NotFound() -> impl IntoView {
    api::mark_not_found();
    view! {
        <Title text="Not found"/>
        <h1>"Page not found"</h1>
        <p>"There is nothing at this address. " <A href="/">"Back to the campaigns"</A></p>
    }
}
