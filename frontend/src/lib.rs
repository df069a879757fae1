//! The browser entry point: hydrates the islands of the server-rendered pages.

// The islands are exported by the app crate; this keeps it linked in.
#[allow(unused_imports)]
pub use app::*;

/// Called by the script the server puts in every page once the wasm loads.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
