//! The server layer's error type, and the one place errors become HTTP responses.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use thiserror::Error;

/// Anything the binary can fail at.
#[derive(Debug, Error)]
pub enum ServerError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: String, source: std::io::Error },
    #[error("server stopped: {0}")]
    Serve(std::io::Error),
    #[error("{0}")]
    Usage(String),
    /// Input from outside (a definition, a query parameter) did not parse;
    /// the message names the field.
    #[error(transparent)]
    Invalid(#[from] bounce::ParseError),
    /// The request named something that is not there.
    #[error("{0} was not found")]
    NotFound(String),
    /// An input file could not be read.
    #[error("cannot read {0}")]
    Input(String),
    /// Output could not be written (a full disk, a closed pipe).
    #[error("cannot write the output: {0}")]
    Output(String),
    /// A request without a valid API token or webhook signature.
    #[error("{0}")]
    Unauthorized(String),
    /// Signed in (or a valid token), but the role or scope does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// Too many attempts (failed logins); try again later.
    #[error("{0}")]
    TooManyRequests(String),
    /// A failure of the server itself (a task that died); logged.
    #[error("{0}")]
    Internal(String),
    /// Something the request needs from elsewhere could not be had now
    /// (an SNS signing certificate); the sender should retry.
    #[error("{0}")]
    Unavailable(String),
    /// A body that was read but holds what cannot be stored: nothing of it
    /// was stored; `rejected` names the first bad parts.
    #[error("{message}")]
    Unprocessable { message: String, rejected: Vec<String> },
    /// A request body that could not be read (too large, cut off).
    #[error("{}", .0.body_text())]
    Body(axum::extract::rejection::BytesRejection),
}

impl ServerError {
    /// `what` named by a request (`raw`, as it came, cut to 40 characters)
    /// is not there.
    pub fn not_found(what: &str, raw: &str) -> Self {
        ServerError::NotFound(format!("{what} `{}`", short(raw)))
    }
}

/// A value from outside cut for an error message (its first 40 characters).
pub(crate) fn short(text: &str) -> String {
    text.chars().take(40).collect()
}

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        // What the client did wrong is told in full, naming the field;
        // database details stay in the log and the client learns only the kind.
        let invalid = match &self {
            ServerError::Invalid(e) | ServerError::Store(store::StoreError::Invalid(e)) => Some(e),
            _ => None,
        };
        if let Some(e) = invalid {
            let body = serde_json::json!({ "error": e.to_string(), "field": e.field });
            return (StatusCode::BAD_REQUEST, Json(body)).into_response();
        }
        match &self {
            ServerError::Unauthorized(message) => {
                let body = Json(serde_json::json!({ "error": message }));
                return (
                    StatusCode::UNAUTHORIZED,
                    [(
                        axum::http::header::WWW_AUTHENTICATE,
                        "Bearer, Basic realm=\"bouncedesk\"",
                    )],
                    body,
                )
                    .into_response();
            }
            ServerError::Body(rejection) => {
                let body = serde_json::json!({ "error": rejection.body_text() });
                return (rejection.status(), Json(body)).into_response();
            }
            ServerError::Unprocessable { message, rejected } => {
                let body = serde_json::json!({ "error": message, "rejected": rejected });
                return (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response();
            }
            _ => {}
        }
        let status = match &self {
            ServerError::Forbidden(m) => {
                return (StatusCode::FORBIDDEN, Json(serde_json::json!({ "error": m }))).into_response();
            }
            ServerError::TooManyRequests(m) => {
                return (StatusCode::TOO_MANY_REQUESTS, Json(serde_json::json!({ "error": m }))).into_response();
            }
            ServerError::Usage(_) | ServerError::Input(_) => StatusCode::BAD_REQUEST,
            ServerError::NotFound(_) => StatusCode::NOT_FOUND,
            ServerError::Store(_) | ServerError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        tracing::error!(error = %self, "request failed");
        let message = match &self {
            ServerError::Usage(m) | ServerError::Unavailable(m) => m.clone(),
            ServerError::NotFound(_) | ServerError::Store(store::StoreError::TooSlow) => self.to_string(),
            _ => "the server could not answer; its log has the details".to_owned(),
        };
        (status, Json(serde_json::json!({ "error": message }))).into_response()
    }
}
