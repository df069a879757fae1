//! Hard, soft, undetermined or not a bounce: what a message means for the
//! contact. The class follows from the reason ([`crate::Reason::class`]).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ParseError;

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
    /// Not a bounce at all: a delivery report, an auto-reply or a complaint.
    None,
}

impl BounceClass {
    /// Every class.
    pub const ALL: [BounceClass; 4] = [
        BounceClass::Hard,
        BounceClass::Soft,
        BounceClass::Undetermined,
        BounceClass::None,
    ];

    /// The stable identifier used in the database and URLs.
    pub const fn as_str(self) -> &'static str {
        match self {
            BounceClass::Hard => "hard",
            BounceClass::Soft => "soft",
            BounceClass::Undetermined => "undetermined",
            BounceClass::None => "none",
        }
    }

    /// A short name for the UI.
    pub const fn label(self) -> &'static str {
        match self {
            BounceClass::Hard => "Hard",
            BounceClass::Soft => "Soft",
            BounceClass::Undetermined => "Undetermined",
            BounceClass::None => "Not a bounce",
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
            .ok_or_else(|| ParseError::new("class", s, "is not hard, soft, undetermined or none"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_round_trip() {
        for class in BounceClass::ALL {
            assert_eq!(class.as_str().parse::<BounceClass>(), Ok(class));
        }
        assert!("bounced".parse::<BounceClass>().is_err());
    }
}
