//! The dashboard's error type, shared by server functions and pages.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// What can go wrong answering a page's request, as the user should see it.
///
/// Internal details (SQL errors, paths) never reach the browser: they are
/// logged on the server, and the page says only that the database failed.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum AppError {
    /// The request named something that is not there (404).
    #[error("{0} was not found")]
    NotFound(String),
    /// A filter or parameter did not parse; the message names the field (400).
    #[error("{0}")]
    BadRequest(String),
    /// Not signed in, or the role does not allow this (401 / 403).
    #[error("{0}")]
    Forbidden(String),
    /// The database failed; details are in the server log (500).
    #[error("the database could not answer this request; the server log has the details")]
    Internal,
    /// The request did not reach the server or its answer did not come back.
    #[error("could not reach the server: {0}")]
    Transport(String),
}

impl AppError {
    /// The HTTP status this error stands for.
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotFound(_) => 404,
            AppError::BadRequest(_) => 400,
            AppError::Forbidden(_) => 403,
            AppError::Internal => 500,
            AppError::Transport(_) => 502,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

impl From<bounce::ParseError> for AppError {
    fn from(e: bounce::ParseError) -> Self {
        AppError::BadRequest(e.to_string())
    }
}
