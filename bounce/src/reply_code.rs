//! The three-digit SMTP reply code (RFC 5321 section 4.2).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// A checked SMTP reply code: first digit 2 to 5, second digit 0 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct ReplyCode(u16);

impl ReplyCode {
    /// Checks a numeric code.
    pub fn new(code: u16) -> Result<Self, ParseError> {
        let first = code / 100;
        let second = (code / 10) % 10;
        if !(200..=599).contains(&code) || !(2..=5).contains(&first) || second > 5 {
            return Err(ParseError::new(
                "reply code",
                &code.to_string(),
                "is not an SMTP reply code (2xx to 5xx)",
            ));
        }
        Ok(Self(code))
    }

    /// The numeric value.
    pub const fn get(self) -> u16 {
        self.0
    }

    /// The first digit: 2 success, 3 intermediate, 4 transient, 5 permanent.
    pub const fn class_digit(self) -> u8 {
        (self.0 / 100) as u8
    }

    /// A transient (4xx) failure: retrying may succeed.
    pub const fn is_transient(self) -> bool {
        self.class_digit() == 4
    }

    /// A permanent (5xx) failure.
    pub const fn is_permanent(self) -> bool {
        self.class_digit() == 5
    }

    /// Finds the reply code at the start of a server reply such as
    /// `550-5.1.1 The email account ...` or `421 mx.example.nl busy`.
    pub fn leading(text: &str) -> Option<Self> {
        let bytes = text.trim_start().as_bytes();
        if bytes.len() < 3 || !bytes[..3].iter().all(u8::is_ascii_digit) {
            return None;
        }
        if bytes.get(3).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        let code = u16::from(bytes[0] - b'0') * 100 + u16::from(bytes[1] - b'0') * 10 + u16::from(bytes[2] - b'0');
        Self::new(code).ok()
    }
}

impl TryFrom<u16> for ReplyCode {
    type Error = ParseError;

    fn try_from(value: u16) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<ReplyCode> for u16 {
    fn from(code: ReplyCode) -> u16 {
        code.0
    }
}

impl FromStr for ReplyCode {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim();
        if trimmed.len() != 3 || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::new("reply code", s, "is not a three-digit number"));
        }
        let value: u16 = trimmed
            .parse()
            .map_err(|_| ParseError::new("reply code", s, "is not a three-digit number"))?;
        Self::new(value).map_err(|_| ParseError::new("reply code", s, "is not an SMTP reply code (2xx to 5xx)"))
    }
}

impl fmt::Display for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_real_codes_and_refuses_others() {
        assert_eq!("550".parse::<ReplyCode>().map(ReplyCode::get), Ok(550));
        assert_eq!(" 421 ".parse::<ReplyCode>().map(ReplyCode::get), Ok(421));
        for bad in ["", "55", "5500", "600", "199", "5a0", "560", "-50"] {
            assert!(bad.parse::<ReplyCode>().is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn finds_the_code_at_the_start_of_a_reply() {
        let gmail = "550-5.1.1 The email account that you tried to reach does not exist.";
        assert_eq!(ReplyCode::leading(gmail).map(ReplyCode::get), Some(550));
        assert_eq!(ReplyCode::leading("421 4.7.0 try later").map(ReplyCode::get), Some(421));
        assert_eq!(ReplyCode::leading("5501 not a code"), None);
        assert_eq!(ReplyCode::leading("Host not found"), None);
        assert_eq!(ReplyCode::leading("99"), None);
    }

    #[test]
    fn transient_and_permanent() {
        let soft = ReplyCode::new(452).expect("valid");
        let hard = ReplyCode::new(554).expect("valid");
        assert!(soft.is_transient() && !soft.is_permanent());
        assert!(hard.is_permanent() && !hard.is_transient());
    }

    #[test]
    fn serde_refuses_invalid_numbers() {
        assert!(serde_json::from_str::<ReplyCode>("550").is_ok());
        assert!(serde_json::from_str::<ReplyCode>("999").is_err());
    }
}
