//! What the intake of results from outside shows people: API tokens (never
//! their secrets), imports with their progress, and results that no
//! campaign was found for.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::report::ErrorRow;

/// An API token as listed: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    /// The token's first characters, to tell tokens apart.
    pub prefix: String,
    /// What the token may do.
    pub scope: crate::account::Scope,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A result no campaign was found for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnlinkedResult {
    pub row: ErrorRow,
    /// Where it came from (`postfix`, `webhook:sendgrid`...).
    pub source: String,
    /// The tag and Message-ID it carried, which matched nothing.
    pub tag: Option<String>,
    pub message_id: Option<String>,
}

/// Where an import stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportState {
    Running,
    Done,
    Failed,
}

impl ImportState {
    /// The stable id stored and shown.
    pub const fn as_str(self) -> &'static str {
        match self {
            ImportState::Running => "running",
            ImportState::Done => "done",
            ImportState::Failed => "failed",
        }
    }

    /// The state an id names.
    pub fn parse(id: &str) -> Option<Self> {
        [ImportState::Running, ImportState::Done, ImportState::Failed]
            .into_iter()
            .find(|s| s.as_str() == id)
    }
}

/// One import: what came in, how far it is, what it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRun {
    pub id: i64,
    /// The file's name as uploaded or given.
    pub name: String,
    /// The format it was read as.
    pub format: String,
    pub campaign_id: Option<i64>,
    pub state: ImportState,
    pub bytes_total: Option<i64>,
    pub bytes_read: i64,
    pub stored: i64,
    pub duplicates: i64,
    pub unlinked: i64,
    pub other: i64,
    pub rejected: i64,
    /// The first rejected lines, each "FILE line N: why".
    pub rejects: Vec<String>,
    /// Why it stopped, when it failed.
    pub error: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl ImportRun {
    /// How far it is, 0 to 1, when the size is known.
    pub fn fraction(&self) -> Option<f64> {
        match (self.state, self.bytes_total) {
            (ImportState::Running, Some(total)) if total > 0 => Some((self.bytes_read as f64 / total as f64).min(1.0)),
            (ImportState::Running, _) => None,
            _ => Some(1.0),
        }
    }
}
