//! The store layer's error type.

use thiserror::Error;

/// Anything that can go wrong talking to the database.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("unsupported database URL `{0}`: use sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
    #[error("cannot prepare the database location: {0}")]
    Location(#[from] std::io::Error),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A query a visitor shaped ran past its deadline and was stopped
    /// (`deadline::QUERY_DEADLINE`): narrower filters will answer.
    #[error("the query took too long and was stopped: narrow the filters or use a longer search text")]
    TooSlow,
    /// A stored value no longer parses as its domain type: the database was
    /// edited by hand or by a newer bouncedesk.
    #[error("stored value does not parse: {0}")]
    Corrupt(#[from] bounce::ParseError),
    /// The request cannot be carried out as asked (a selection that refers
    /// to itself, a name already taken); the message names the field.
    #[error("{0}")]
    Invalid(bounce::ParseError),
}
