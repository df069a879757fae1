use leptos::prelude::*;

/// Loads another page. The dashboard has no client-side router (pages are
/// server-rendered, islands hydrate the interactive parts), so an island
/// that is done moves on by a plain page load. Browser only: called from
/// actions and effects.
pub fn go_to(url: &str) {
    let _ = window().location().set_href(url);
}

/// Loads the current page again, so server-rendered counts and lists show
/// what an island just changed.
pub fn reload() {
    let _ = window().location().reload();
}

/// Marks `<body>` once the wasm has run, so browser tests (and anyone
/// debugging a build) can tell a hydrated page from static HTML. An
/// island of its own on every page.
#[island]
pub fn HydrationMark() -> impl IntoView {
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}
