//! Pages and server functions run to their end, even when nobody waits for
//! them any more.
//!
//! Why: when a request is dropped half-way (the request timeout fires, or the
//! browser goes away), Leptos's reactive owners are dropped on one thread
//! while tasks it spawned still read them on another. reactive_graph 0.2.16
//! can then drop the last handle of an owner inside `use_context`, while that
//! very call holds a read lock the drop's clean-up wants to write: the worker
//! thread waits on itself forever (seen here with gdb, 1 run in 30 of the
//! timeout test). Two such threads and a two-core server answers nothing.
//!
//! So a render runs in a task of its own and is read to the end there; the
//! request waits for that task, and leaving it does not stop it. Every page
//! renders in `SsrMode::Async` (nothing is sent before all its data is in),
//! so reading the body in full costs no time to first byte. Static files
//! under `/pkg/` are not renders and pass straight through.
//!
//! The tasks are counted ([`Renders`]), so that shutting down waits for the
//! ones left behind instead of dropping them mid-way (the same deadlock, at
//! exit).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use tokio_util::task::TaskTracker;

/// The renders under way, for [`render_to_the_end`] to add to and for
/// shutdown to wait for.
#[derive(Clone, Debug, Default)]
pub struct Renders {
    tasks: TaskTracker,
}

impl Renders {
    /// How many renders are running now (also those nobody waits for).
    pub fn running(&self) -> usize {
        self.tasks.len()
    }

    /// Waits until every render has ended, at most `limit`; true when they
    /// all did. Renders started later are still run and counted.
    pub async fn finished(&self, limit: std::time::Duration) -> bool {
        self.tasks.close();
        let done = tokio::time::timeout(limit, self.tasks.wait()).await.is_ok();
        self.tasks.reopen();
        done
    }
}

/// Middleware around the Leptos routes: see the module's comment.
pub async fn render_to_the_end(State(renders): State<Renders>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/pkg/") {
        return next.run(request).await;
    }
    let task = renders.tasks.spawn(async move {
        let (parts, body) = next.run(request).await.into_parts();
        match body.collect().await {
            Ok(whole) => Ok(Response::from_parts(parts, Body::from(whole.to_bytes()))),
            Err(e) => Err(e.to_string()),
        }
    });
    match task.await {
        Ok(Ok(response)) => response,
        Ok(Err(why)) => {
            tracing::error!(error = %why, "a page's body failed while being rendered");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "a render ended abnormally");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
