//! What came of one delivery attempt.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// The result of one attempt to hand a message to the receiving server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The server took the message (it may still bounce later).
    Accepted,
    /// The server answered with an error reply, or a bounce message came back.
    Error,
    /// The server did not answer in time.
    Timeout,
    /// The connection dropped in the middle of the conversation.
    Lost,
    /// The server answered with something that is not SMTP.
    Invalid,
    /// We never sent it: the address was on the suppression list.
    Rejected,
}

impl Outcome {
    /// Every outcome.
    pub const ALL: [Outcome; 6] = [
        Outcome::Accepted,
        Outcome::Error,
        Outcome::Timeout,
        Outcome::Lost,
        Outcome::Invalid,
        Outcome::Rejected,
    ];

    /// The stable identifier used in the database and URLs.
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Error => "error",
            Outcome::Timeout => "timeout",
            Outcome::Lost => "lost",
            Outcome::Invalid => "invalid",
            Outcome::Rejected => "rejected",
        }
    }

    /// A short name for the UI.
    pub const fn label(self) -> &'static str {
        match self {
            Outcome::Accepted => "Accepted",
            Outcome::Error => "Error reply",
            Outcome::Timeout => "Timed out",
            Outcome::Lost => "Connection lost",
            Outcome::Invalid => "Garbled reply",
            Outcome::Rejected => "Suppressed, not sent",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Outcome {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Outcome::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| ParseError::new("outcome", s, "is not a delivery outcome"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_round_trip() {
        for outcome in Outcome::ALL {
            assert_eq!(outcome.as_str().parse::<Outcome>(), Ok(outcome));
        }
        assert!("bounced".parse::<Outcome>().is_err());
    }
}
