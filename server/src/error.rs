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
}

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        let status = match &self {
            ServerError::Usage(_) => StatusCode::BAD_REQUEST,
            ServerError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
            ServerError::Bind { .. } | ServerError::Serve(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        // Database details stay in the log; the client learns only the kind.
        tracing::error!(error = %self, "request failed");
        let message = match &self {
            ServerError::Usage(m) => m.clone(),
            _ => "the server could not answer; its log has the details".to_owned(),
        };
        (status, Json(serde_json::json!({ "error": message }))).into_response()
    }
}
