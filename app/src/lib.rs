//! The bouncedesk dashboard: Leptos pages, components and server functions.
//!
//! Pages render on the server (SSR, in full before the response is sent, so
//! they work without JavaScript). Only islands (`#[island]`: the selection
//! builder, the forms that act) hydrate in the browser, which keeps the
//! wasm small; moving between pages is a plain page load. Filters
//! and page positions live in the URL. Data comes only through the server
//! functions in [`api`], whose bodies (compiled with the `ssr` feature) are the
//! only code here that touches the store.

// One build of this crate is either the server's (`ssr`) or the browser's
// (`hydrate`). Cargo unifies features across one invocation, so building the
// front end and the server together (`cargo build --workspace`) would give the
// server both, and Leptos then panics on start (`spawn_local called from
// outside of a LocalSet`). Refuse that build instead of producing it.
#[cfg(all(feature = "ssr", feature = "hydrate"))]
compile_error!(
    "the server and the front end cannot be built in one cargo invocation (their `app` features \
     would unify into a server that panics on start): build the server with \
     `cargo build -p server --release` (or plain `cargo build --release`) and the front end with `make site`"
);

pub mod api;
mod components;
pub mod error;
pub mod explain;
mod format;
pub mod labels;
mod links;
pub mod pages;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

pub use error::AppError;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The dashboard: navigation and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Stylesheet id="leptos" href="/pkg/bouncedesk.css"/>
        <Title formatter=|text: String| format!("{} · bouncedesk", format::title_text(&text))/>
        <components::HydrationMark/>
        <Router>
            <components::TopBar/>
            <main>
                <Routes fallback=pages::NotFound>
                    <Route path=path!("/") view=pages::CampaignsPage ssr=SsrMode::Async/>
                    <Route path=path!("/dashboard") view=pages::DashboardPage ssr=SsrMode::Async/>
                    <Route path=path!("/campaigns/:id") view=pages::CampaignOverviewPage ssr=SsrMode::Async/>
                    <Route path=path!("/campaigns/:id/errors") view=pages::ErrorsPage ssr=SsrMode::Async/>
                    <Route path=path!("/campaigns/:id/errors/:event") view=pages::EventPage ssr=SsrMode::Async/>
                    <Route path=path!("/selections") view=pages::SelectionsPage ssr=SsrMode::Async/>
                    <Route path=path!("/selections/new") view=pages::SelectionBuilderPage ssr=SsrMode::Async/>
                    <Route path=path!("/selections/:id") view=pages::SelectionBuilderPage ssr=SsrMode::Async/>
                    <Route path=path!("/suppressions") view=pages::SuppressionsPage ssr=SsrMode::Async/>
                    <Route path=path!("/contacts/:id") view=pages::ContactPage ssr=SsrMode::Async/>
                    <Route path=path!("/settings/policies") view=pages::PoliciesPage ssr=SsrMode::Async/>
                    <Route path=path!("/settings/tokens") view=pages::TokensPage ssr=SsrMode::Async/>
                    <Route path=path!("/imports") view=pages::ImportsPage ssr=SsrMode::Async/>
                    <Route path=path!("/unlinked") view=pages::UnlinkedPage ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=pages::LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=pages::AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view=pages::UsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/audit") view=pages::AuditPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}
