use leptos::prelude::*;

/// Children drawn only in the browser, after hydration; the server (and
/// the page before the wasm runs) shows `fallback`. For forms that only work
/// with JavaScript and whose reactive parts should not be hydrated.
#[component]
pub fn ClientOnly(fallback: &'static str, children: ChildrenFn) -> impl IntoView {
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    view! {
        <Show when=move || mounted.get() fallback=move || view! { <p class="loading">{fallback}</p> }>
            {children()}
        </Show>
    }
}
