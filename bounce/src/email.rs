//! Recipient addresses, normalised once at the edge.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// A normalised email address: trimmed, without angle brackets, lower-case.
///
/// The local part is lower-cased as well: RFC 5321 allows case-sensitive
/// local parts, but no mailbox provider a marketer sends to uses them, and a
/// list that holds `Jan@x.nl` and `jan@x.nl` as two contacts is a bug.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress {
    address: String,
    at: usize,
}

impl EmailAddress {
    /// The whole address.
    pub fn as_str(&self) -> &str {
        &self.address
    }

    /// The part before the `@`.
    pub fn local_part(&self) -> &str {
        &self.address[..self.at]
    }

    /// The receiving domain, e.g. `ziggo.nl`.
    pub fn domain(&self) -> &str {
        &self.address[self.at + 1..]
    }
}

impl FromStr for EmailAddress {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |problem| ParseError::new("email address", s, problem);
        let trimmed = s.trim();
        let trimmed = trimmed
            .strip_prefix('<')
            .and_then(|t| t.strip_suffix('>'))
            .unwrap_or(trimmed)
            .trim();
        if trimmed.len() > 254 {
            return Err(bad("is longer than 254 characters"));
        }
        let Some(at) = trimmed.rfind('@') else {
            return Err(bad("has no @"));
        };
        let (local, domain) = (&trimmed[..at], &trimmed[at + 1..]);
        if local.is_empty() || local.len() > 64 {
            return Err(bad("has an empty or over-long local part"));
        }
        if local.contains('@') && !(local.starts_with('"') && local.ends_with('"')) {
            return Err(bad("has more than one @"));
        }
        if trimmed
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
        {
            return Err(bad("contains spaces or characters not allowed in an address"));
        }
        let labels_ok = domain.split('.').count() >= 2
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if !labels_ok {
            return Err(bad("does not have a valid domain"));
        }
        let address = trimmed.to_lowercase();
        // Lower-casing can change byte lengths outside ASCII: find the @ again.
        let at = address.rfind('@').ok_or_else(|| bad("has no @"))?;
        Ok(Self { address, at })
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = ParseError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<EmailAddress> for String {
    fn from(address: EmailAddress) -> String {
        address.address
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.address)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_brackets_and_space() {
        let address: EmailAddress = "  <Kari.Nordmann@Online.NO> ".parse().expect("valid");
        assert_eq!(address.as_str(), "kari.nordmann@online.no");
        assert_eq!(address.local_part(), "kari.nordmann");
        assert_eq!(address.domain(), "online.no");
    }

    #[test]
    fn accepts_international_domains() {
        let address: EmailAddress = "jørgen@bøler.no".parse().expect("valid");
        assert_eq!(address.domain(), "bøler.no");
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for bad in [
            "",
            "jan.jansen",
            "jan@@ziggo.nl",
            "@ziggo.nl",
            "jan@",
            "jan@localhost",
            "jan jansen@ziggo.nl",
            "jan@-ziggo.nl",
            "jan@ziggo..nl",
            "a@b.nl,c@d.nl",
        ] {
            assert!(bad.parse::<EmailAddress>().is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn error_names_the_field_and_value() {
        let err = "jan@@ziggo.nl".parse::<EmailAddress>().expect_err("invalid");
        assert_eq!(err.to_string(), "email address: `jan@@ziggo.nl` has more than one @");
    }
}
