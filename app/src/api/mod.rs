//! Server functions: the dashboard's only way to its data.
//!
//! Each body runs on the server (the `ssr` build); the browser build gets a
//! stub that calls it over HTTP. Input arrives as raw strings and is parsed
//! here, at the edge, into the domain types.

use bounce::{CampaignSummary, ErrorPage, ErrorQuery, EventDetail};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::AppError;

mod accounts;
pub mod charts;
mod intake;
mod selections;
mod suppressions;

pub use accounts::*;
pub use intake::*;
pub use selections::*;
pub use suppressions::*;

/// A campaign and one page of its errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorsTabData {
    pub campaign: CampaignSummary,
    pub page: ErrorPage,
    /// How many rows the filters let through, on every page, counted up to
    /// [`COUNT_CAP`].
    pub total: i64,
    /// More rows than `total` match (the count stopped at the cap).
    pub more: bool,
}

/// How far the Errors tab counts its rows: past it, the page says "10,000+"
/// instead of reading the whole campaign on every view. (A text search counts
/// to a page: "50+".)
pub const COUNT_CAP: i64 = 10_000;

/// Every campaign with its totals, newest first.
#[server(endpoint = "list_campaigns")]
pub async fn list_campaigns() -> Result<Vec<CampaignSummary>, AppError> {
    let store = server::store()?;
    server::answer(store.campaign_summaries().await)
}

/// One campaign's totals.
#[server(endpoint = "campaign")]
pub async fn campaign(id: String) -> Result<CampaignSummary, AppError> {
    let store = server::store()?;
    let id = server::parse_id("campaign", &id)?;
    server::found("campaign", id, store.campaign_summary(id).await)
}

/// A campaign's provider incidents, the largest first.
#[server(endpoint = "campaign_incidents")]
pub async fn campaign_incidents(id: String) -> Result<Vec<bounce::incident::Incident>, AppError> {
    let store = server::store()?;
    let id = server::parse_id("campaign", &id)?;
    server::answer(store.incidents(id).await)
}

/// One campaign and a page of its errors, filtered as the query says.
#[server(endpoint = "campaign_errors")]
pub async fn campaign_errors(id: String, query: ErrorQuery) -> Result<ErrorsTabData, AppError> {
    let store = server::store()?;
    let id = server::parse_id("campaign", &id)?;
    let (filter, page) = query.parse().map_err(|e| server::bad_request(e.into()))?;
    let campaign = server::found("campaign", id, store.campaign_summary(id).await)?;
    let page = server::answer(store.error_page(id, &filter, page).await)?;
    // A text search is counted no further than a page: its count would read
    // the text of every row of the campaign.
    let cap = if filter.search.is_some() {
        i64::from(bounce::query::DEFAULT_PAGE_SIZE)
    } else {
        COUNT_CAP
    };
    let (total, more) = server::answer(store.error_count_upto(id, &filter, cap).await)?;
    Ok(ErrorsTabData {
        campaign,
        page,
        total,
        more,
    })
}

/// Everything stored about one event of a campaign.
#[server(endpoint = "event")]
pub async fn event(campaign: String, event: String) -> Result<EventDetail, AppError> {
    let store = server::store()?;
    let campaign_id = server::parse_id("campaign", &campaign)?;
    let event_id = server::parse_id("event", &event)?;
    server::answer(store.event_detail(event_id).await)?
        .filter(|detail| detail.campaign_id == Some(campaign_id))
        .ok_or_else(|| server::not_found(format!("event {event_id} of campaign {campaign_id}")))
}

/// Server-side helpers: the one place store errors become [`AppError`]s and
/// errors set the HTTP status of the page being rendered.
#[cfg(feature = "ssr")]
mod server {
    use leptos::prelude::*;
    use store::{Store, StoreError};

    use crate::AppError;

    pub fn store() -> Result<Store, AppError> {
        use_context::<Store>().ok_or_else(|| {
            tracing::error!("no store in the Leptos context: the router was built without one");
            AppError::Internal
        })
    }

    /// Turns a store result into the page's answer, logging what the user
    /// must not see.
    pub fn answer<T>(result: Result<T, StoreError>) -> Result<T, AppError> {
        result.map_err(|e| {
            if matches!(e, StoreError::TooSlow) {
                // Stopped at its deadline: the visitor's to narrow, said so.
                tracing::warn!("a query ran past its deadline and was stopped");
                set_status(503);
                return AppError::BadRequest(e.to_string());
            }
            tracing::error!(error = %e, "store call failed");
            set_status(500);
            AppError::Internal
        })
    }

    /// A parse error from outside: 400 with the message that names the field.
    pub fn invalid(e: bounce::ParseError) -> AppError {
        bad_request(e.into())
    }

    /// Like [`answer`], but a request the store refuses as asked (a name
    /// taken, a cycle of selections) is the user's to fix: 400, not 500.
    pub fn answer_or_refuse<T>(result: Result<T, StoreError>) -> Result<T, AppError> {
        match result {
            Err(StoreError::Invalid(e)) => Err(invalid(e)),
            other => answer(other),
        }
    }

    /// A store answer for one thing asked for by id: 404 naming it when it
    /// is not there.
    pub fn found<T>(what: &str, id: i64, result: Result<Option<T>, StoreError>) -> Result<T, AppError> {
        answer(result)?.ok_or_else(|| not_found(format!("{what} {id}")))
    }

    pub fn parse_id(what: &'static str, raw: &str) -> Result<i64, AppError> {
        raw.trim()
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(|| not_found(format!("{what} `{}`", raw.chars().take(40).collect::<String>())))
    }

    pub fn not_found(what: String) -> AppError {
        set_status(404);
        AppError::NotFound(what)
    }

    pub fn bad_request(e: AppError) -> AppError {
        set_status(e.status());
        e
    }

    /// The caller the server's gate put on this request, if any.
    fn request_caller() -> Option<bounce::account::Caller> {
        use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<bounce::account::Caller>().cloned())
    }

    /// The person signed in, if any (a page that anyone may see asks).
    pub fn signed_in() -> Option<bounce::account::User> {
        request_caller().and_then(|caller| caller.user)
    }

    /// Who is asking, as the server's gate found out. Every server function
    /// and page past the gate has one.
    pub fn caller() -> Result<bounce::account::Caller, AppError> {
        request_caller().ok_or_else(|| {
            set_status(401);
            AppError::Forbidden("sign in first".into())
        })
    }

    /// The caller, when their role includes `needed` (the gate checked the
    /// route already; this holds when a page renders a function directly).
    pub fn require(needed: bounce::account::Role) -> Result<bounce::account::Caller, AppError> {
        let caller = caller()?;
        if caller.role().is_some_and(|r| r.may(needed)) {
            Ok(caller)
        } else {
            set_status(403);
            Err(AppError::Forbidden(format!("this needs the {needed} role")))
        }
    }

    /// Records in the audit log what `caller` did.
    pub async fn audit(
        store: &Store,
        caller: &bounce::account::Caller,
        action: bounce::account::AuditAction,
        detail: &str,
    ) -> Result<(), AppError> {
        answer(
            store
                .audit(&store::NewAuditEntry::by(caller, action, detail), chrono::Utc::now())
                .await,
        )
    }

    pub fn mark(code: u16) {
        set_status(code);
    }

    fn set_status(code: u16) {
        if let (Some(response), Ok(status)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            http::StatusCode::from_u16(code),
        ) {
            response.set_status(status);
        }
    }
}

/// Marks the page being rendered as "404 Not Found". Does nothing in the
/// browser, where the status line was sent long ago.
pub fn mark_not_found() {
    #[cfg(feature = "ssr")]
    server::mark(404);
}
