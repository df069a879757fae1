//! Enhanced mail system status codes (RFC 3463): `class.subject.detail`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// A checked RFC 3463 status code such as `5.1.1`.
///
/// The class is 2, 4 or 5; subject and detail are 0 to 999 (RFC 3463 allows
/// up to three digits each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EnhancedStatus {
    class: u8,
    subject: u16,
    detail: u16,
}

impl EnhancedStatus {
    /// Builds a status from its three parts, checking each.
    pub fn new(class: u8, subject: u16, detail: u16) -> Result<Self, ParseError> {
        if !matches!(class, 2 | 4 | 5) || subject > 999 || detail > 999 {
            let text = format!("{class}.{subject}.{detail}");
            return Err(ParseError::new(
                "enhanced status",
                &text,
                "is not an RFC 3463 status (class 2, 4 or 5)",
            ));
        }
        Ok(Self { class, subject, detail })
    }

    /// 2 success, 4 persistent transient failure, 5 permanent failure.
    pub const fn class(self) -> u8 {
        self.class
    }

    /// The subject: 1 addressing, 2 mailbox, 3 mail system, 4 network and
    /// routing, 5 mail delivery protocol, 6 message content, 7 security or policy.
    pub const fn subject(self) -> u16 {
        self.subject
    }

    /// The detail number within the subject.
    pub const fn detail(self) -> u16 {
        self.detail
    }

    /// A permanent (5.x.x) failure.
    pub const fn is_permanent(self) -> bool {
        self.class == 5
    }

    /// A transient (4.x.x) failure.
    pub const fn is_transient(self) -> bool {
        self.class == 4
    }

    /// The meaning RFC 3463 (and its IANA registry) gives this subject and
    /// detail, or the subject's meaning when the detail is not registered.
    pub fn meaning(self) -> &'static str {
        let exact = match (self.subject, self.detail) {
            (0, 0) => "Other undefined status",
            (1, 0) => "Other address status",
            (1, 1) => "Bad destination mailbox address",
            (1, 2) => "Bad destination system address",
            (1, 3) => "Bad destination mailbox address syntax",
            (1, 4) => "Destination mailbox address ambiguous",
            (1, 5) => "Destination address valid",
            (1, 6) => "Destination mailbox has moved, no forwarding address",
            (1, 7) => "Bad sender's mailbox address syntax",
            (1, 8) => "Bad sender's system address",
            (1, 10) => "Recipient address has null MX",
            (2, 0) => "Other or undefined mailbox status",
            (2, 1) => "Mailbox disabled, not accepting messages",
            (2, 2) => "Mailbox full",
            (2, 3) => "Message length exceeds administrative limit",
            (2, 4) => "Mailing list expansion problem",
            (3, 0) => "Other or undefined mail system status",
            (3, 1) => "Mail system full",
            (3, 2) => "System not accepting network messages",
            (3, 3) => "System not capable of selected features",
            (3, 4) => "Message too big for system",
            (3, 5) => "System incorrectly configured",
            (4, 0) => "Other or undefined network or routing status",
            (4, 1) => "No answer from host",
            (4, 2) => "Bad connection",
            (4, 3) => "Directory server failure",
            (4, 4) => "Unable to route",
            (4, 5) => "Mail system congestion",
            (4, 6) => "Routing loop detected",
            (4, 7) => "Delivery time expired",
            (5, 0) => "Other or undefined protocol status",
            (5, 1) => "Invalid command",
            (5, 2) => "Syntax error",
            (5, 3) => "Too many recipients",
            (5, 4) => "Invalid command arguments",
            (5, 5) => "Wrong protocol version",
            (5, 6) => "Authentication exchange line is too long",
            (6, 0) => "Other or undefined media error",
            (6, 1) => "Media not supported",
            (6, 2) => "Conversion required and prohibited",
            (6, 3) => "Conversion required but not supported",
            (6, 4) => "Conversion with loss performed",
            (6, 5) => "Conversion failed",
            (6, 6) => "Message content not available",
            (6, 7) => "Non-ASCII addresses not permitted for that sender/recipient",
            (7, 0) => "Other or undefined security status",
            (7, 1) => "Delivery not authorized, message refused",
            (7, 2) => "Mailing list expansion prohibited",
            (7, 3) => "Security conversion required but not possible",
            (7, 4) => "Security features not supported",
            (7, 5) => "Cryptographic failure",
            (7, 6) => "Cryptographic algorithm not supported",
            (7, 7) => "Message integrity failure",
            (7, 8) => "Authentication credentials invalid",
            (7, 9) => "Authentication mechanism is too weak",
            (7, 10) => "Encryption needed",
            (7, 11) => "Encryption required for requested authentication mechanism",
            (7, 12) => "A password transition is needed",
            (7, 13) => "User account disabled",
            (7, 14) => "Trust relationship required",
            (7, 15) => "Priority level is too low",
            (7, 16) => "Message is too big for the specified priority",
            (7, 17) => "Mailbox owner has changed",
            (7, 18) => "Domain owner has changed",
            (7, 19) => "RRVS test cannot be completed",
            (7, 20) => "No passing DKIM signature found",
            (7, 21) => "No acceptable DKIM signature found",
            (7, 22) => "No valid author-matched DKIM signature found",
            (7, 23) => "SPF validation failed",
            (7, 24) => "SPF validation error",
            (7, 25) => "Reverse DNS validation failed",
            (7, 26) => "Multiple authentication checks failed",
            (7, 27) => "Sender address has null MX",
            (7, 28) => "Mail flood detected",
            (7, 29) => "ARC validation failure",
            (7, 30) => "REQUIRETLS support required",
            _ => "",
        };
        if !exact.is_empty() {
            return exact;
        }
        match self.subject {
            1 => "Addressing status",
            2 => "Mailbox status",
            3 => "Mail system status",
            4 => "Network and routing status",
            5 => "Mail delivery protocol status",
            6 => "Message content or media status",
            7 => "Security or policy status",
            _ => "Unregistered status",
        }
    }

    /// Finds the first enhanced status in a server's text, as in
    /// `550-5.1.1 The email account ...` or `(#5.1.1 - chkusr)`.
    pub fn find_in(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        let mut start = 0;
        while let Some(offset) = bytes[start..].iter().position(|b| matches!(b, b'2' | b'4' | b'5')) {
            let at = start + offset;
            let boundary_before = at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'.');
            if boundary_before {
                let candidate: String = text[at..]
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '.')
                    .collect();
                let candidate = candidate.trim_end_matches('.');
                if candidate.matches('.').count() == 2
                    && let Ok(status) = candidate.parse()
                {
                    return Some(status);
                }
            }
            start = at + 1;
        }
        None
    }
}

impl FromStr for EnhancedStatus {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |problem| ParseError::new("enhanced status", s, problem);
        let mut parts = s.trim().split('.');
        let (Some(class), Some(subject), Some(detail), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("is not of the form class.subject.detail"));
        };
        let number = |part: &str, max_len: usize| -> Result<u16, ParseError> {
            if part.is_empty() || part.len() > max_len || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("is not of the form class.subject.detail"));
            }
            part.parse().map_err(|_| bad("is not of the form class.subject.detail"))
        };
        let class = u8::try_from(number(class, 1)?).map_err(|_| bad("has an invalid class"))?;
        Self::new(class, number(subject, 3)?, number(detail, 3)?)
            .map_err(|_| bad("is not an RFC 3463 status (class 2, 4 or 5)"))
    }
}

impl TryFrom<String> for EnhancedStatus {
    type Error = ParseError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<EnhancedStatus> for String {
    fn from(status: EnhancedStatus) -> String {
        status.to_string()
    }
}

impl fmt::Display for EnhancedStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays() {
        let status: EnhancedStatus = "5.1.1".parse().expect("valid");
        assert_eq!((status.class(), status.subject(), status.detail()), (5, 1, 1));
        assert_eq!(status.to_string(), "5.1.1");
        assert_eq!(status.meaning(), "Bad destination mailbox address");
        assert!(status.is_permanent());
    }

    #[test]
    fn refuses_malformed_codes() {
        for bad in [
            "", "5.1", "5.1.1.1", "3.1.1", "5..1", "5.1.x", "55.1.1", "5.1000.1", "+5.1.1",
        ] {
            assert!(bad.parse::<EnhancedStatus>().is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn unregistered_details_fall_back_to_the_subject() {
        let status: EnhancedStatus = "4.7.650".parse().expect("valid");
        assert_eq!(status.meaning(), "Security or policy status");
    }

    #[test]
    fn finds_a_status_inside_server_text() {
        let found = |t: &str| EnhancedStatus::find_in(t).map(|s| s.to_string());
        assert_eq!(
            found("550-5.1.1 The email account that you tried to reach"),
            Some("5.1.1".into())
        );
        assert_eq!(
            found("550 sorry, no mailbox here by that name (#5.1.1 - chkusr)"),
            Some("5.1.1".into())
        );
        assert_eq!(
            found("host 192.0.2.5 said: 452 4.2.2 Postkassen er full"),
            Some("4.2.2".into())
        );
        assert_eq!(found("connect to 192.0.2.55[192.0.2.55]:25: Connection refused"), None);
        assert_eq!(found("version 1.2.3 of nothing"), None);
    }
}
