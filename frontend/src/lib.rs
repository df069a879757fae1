//! The browser entry point: hydrates the server-rendered dashboard.

/// Called by the script the server puts in every page once the wasm loads.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
