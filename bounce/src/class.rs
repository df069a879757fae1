//! Hard, soft or undetermined: what a failure means for the contact.
//!
//! [`classify`] is the one seam the store, importers and UI call. Today it
//! reads only the codes; the full classifier (reason tables, bounce message
//! parsing) replaces its body without changing its callers.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{EnhancedStatus, Outcome, ParseError, ReplyCode};

/// What a delivery failure means for the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BounceClass {
    /// The address will not work: stop sending to it.
    Hard,
    /// A passing problem: the address may work later.
    Soft,
    /// There is not enough information to tell.
    Undetermined,
}

impl BounceClass {
    /// Every class.
    pub const ALL: [BounceClass; 3] = [BounceClass::Hard, BounceClass::Soft, BounceClass::Undetermined];

    /// The stable identifier used in the database and URLs.
    pub const fn as_str(self) -> &'static str {
        match self {
            BounceClass::Hard => "hard",
            BounceClass::Soft => "soft",
            BounceClass::Undetermined => "undetermined",
        }
    }

    /// A short name for the UI.
    pub const fn label(self) -> &'static str {
        match self {
            BounceClass::Hard => "Hard",
            BounceClass::Soft => "Soft",
            BounceClass::Undetermined => "Undetermined",
        }
    }
}

impl fmt::Display for BounceClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BounceClass {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BounceClass::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| ParseError::new("class", s, "is not hard, soft or undetermined"))
    }
}

/// Classifies one failed attempt.
///
/// The enhanced status wins over the reply code because it is the more
/// specific of the two (servers send `550 5.2.2` for a full mailbox as well as
/// `452 4.2.2`); a permanent code is hard, a transient one soft. A timeout or a
/// dropped connection is soft when nothing says otherwise: the next attempt
/// may well get through. Anything else without a code is undetermined.
pub fn classify(outcome: Outcome, reply: Option<ReplyCode>, status: Option<EnhancedStatus>) -> BounceClass {
    if let Some(status) = status.filter(|s| s.class() != 2) {
        return if status.is_permanent() {
            BounceClass::Hard
        } else {
            BounceClass::Soft
        };
    }
    if let Some(code) = reply.filter(|c| c.is_permanent() || c.is_transient()) {
        return if code.is_permanent() {
            BounceClass::Hard
        } else {
            BounceClass::Soft
        };
    }
    match outcome {
        Outcome::Timeout | Outcome::Lost => BounceClass::Soft,
        _ => BounceClass::Undetermined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(s: &str) -> Option<EnhancedStatus> {
        Some(s.parse().expect("valid status"))
    }

    fn code(c: u16) -> Option<ReplyCode> {
        Some(ReplyCode::new(c).expect("valid code"))
    }

    #[test]
    fn enhanced_status_decides_before_the_reply_code() {
        assert_eq!(classify(Outcome::Error, code(452), status("5.2.2")), BounceClass::Hard);
        assert_eq!(classify(Outcome::Error, code(550), status("4.7.1")), BounceClass::Soft);
    }

    #[test]
    fn reply_code_decides_without_a_status() {
        assert_eq!(classify(Outcome::Error, code(550), None), BounceClass::Hard);
        assert_eq!(classify(Outcome::Error, code(421), None), BounceClass::Soft);
    }

    #[test]
    fn no_code_is_undetermined_unless_the_connection_failed() {
        assert_eq!(classify(Outcome::Error, None, None), BounceClass::Undetermined);
        assert_eq!(classify(Outcome::Invalid, None, None), BounceClass::Undetermined);
        assert_eq!(classify(Outcome::Timeout, None, None), BounceClass::Soft);
        assert_eq!(classify(Outcome::Lost, None, None), BounceClass::Soft);
    }

    #[test]
    fn a_success_status_does_not_make_a_failure_hard_or_soft() {
        assert_eq!(
            classify(Outcome::Error, None, status("2.0.0")),
            BounceClass::Undetermined
        );
    }
}
