//! One module per page of the dashboard.

pub mod builder;
mod campaign;
mod campaigns;
mod contact;
mod dashboard;
mod errors;
mod event;
mod imports;
mod login;
mod not_found;
mod policies;
mod selections;
mod suppressions;
mod tokens;
mod unlinked;
mod users;

pub use builder::SelectionBuilderPage;
pub use campaign::CampaignOverviewPage;
pub use campaigns::CampaignsPage;
pub use contact::ContactPage;
pub use dashboard::DashboardPage;
pub use errors::ErrorsPage;
pub use event::EventPage;
pub use imports::ImportsPage;
pub use login::{AccountPage, LoginPage};
pub use not_found::NotFound;
pub use policies::PoliciesPage;
pub use selections::SelectionsPage;
pub use suppressions::SuppressionsPage;
pub use tokens::TokensPage;
pub use unlinked::UnlinkedPage;
pub use users::{AuditPage, UsersPage};

use bounce::ErrorQuery;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_params_map};

/// A path parameter of the current route, as typed (parsed by the server).
fn path_param(name: &'static str) -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get(name).unwrap_or_default()
}

/// The current URL's query parameters, each value percent-decoded once.
///
/// leptos_router's `use_query_map` decodes values twice (its map unescapes
/// what the URL parser already decoded): `%2541` would read as `A`, so a
/// literal `%41` could not be searched for, and `%2500` would become a NUL.
/// The raw query string is parsed here instead.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct QueryParams(Vec<(String, String)>);

impl QueryParams {
    /// The value of `key` (the last one when it is given twice), or "".
    pub(crate) fn get(&self, key: &str) -> String {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

/// The query parameters of the current URL, tracked.
pub(crate) fn use_query_params() -> Memo<QueryParams> {
    let search = use_location().search;
    Memo::new(move |_| {
        let raw = search.get();
        QueryParams(serde_urlencoded::from_str(raw.trim_start_matches('?')).unwrap_or_default())
    })
}

/// The Errors tab's query string of the current URL.
fn error_query() -> impl Fn() -> ErrorQuery + Clone + Send + Sync + 'static {
    let query = use_query_params();
    move || {
        let q = query.read();
        let get = |key: &str| q.get(key);
        ErrorQuery {
            stage: get("stage"),
            class: get("class"),
            reason: get("reason"),
            category: get("category"),
            code: get("code"),
            domain: get("domain"),
            q: get("q"),
            failed: get("failed"),
            from: get("from"),
            to: get("to"),
            after: get("after"),
            before: get("before"),
        }
    }
}

/// What a page shows while its data loads (only seen on client-side navigation:
/// server rendering waits for the data).
fn loading() -> impl IntoView {
    view! { <p class="loading">"Loading…"</p> }
}
