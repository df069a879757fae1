//! Where in the delivery process a message failed.
//!
//! Marketers learn more from *where* delivery stopped than from a bare
//! hard/soft label: a DNS failure points at a typo in the domain, a refusal at
//! the greeting points at our sending IP, a RCPT TO refusal at the mailbox.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// The step of delivery at which a failure happened, in the order the steps run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Building the message or checking the address, before anything was sent.
    Compose,
    /// Looking up the receiving domain's mail servers (MX / A records).
    Dns,
    /// Opening the TCP connection to the receiving server.
    Connect,
    /// The server's first reply (the 220 banner) after the connection opened.
    Greeting,
    /// EHLO / HELO, STARTTLS and AUTH: introducing ourselves and securing the session.
    Helo,
    /// `MAIL FROM`: the server judging our sender address.
    MailFrom,
    /// `RCPT TO`: the server judging the recipient's address.
    RcptTo,
    /// `DATA`: the server judging the message itself.
    Data,
    /// The server accepted the message, then a bounce message came back.
    AfterDelivery,
    /// An auto-reply or other message came back (out of office, ticket created...).
    Reply,
}

impl Stage {
    /// Every stage, in delivery order.
    pub const ALL: [Stage; 10] = [
        Stage::Compose,
        Stage::Dns,
        Stage::Connect,
        Stage::Greeting,
        Stage::Helo,
        Stage::MailFrom,
        Stage::RcptTo,
        Stage::Data,
        Stage::AfterDelivery,
        Stage::Reply,
    ];

    /// The stable identifier used in URLs, the database and exports.
    pub const fn as_str(self) -> &'static str {
        match self {
            Stage::Compose => "compose",
            Stage::Dns => "dns",
            Stage::Connect => "connect",
            Stage::Greeting => "greeting",
            Stage::Helo => "helo",
            Stage::MailFrom => "mail_from",
            Stage::RcptTo => "rcpt_to",
            Stage::Data => "data",
            Stage::AfterDelivery => "after_delivery",
            Stage::Reply => "reply",
        }
    }

    /// A short name for column headers and filter menus.
    pub const fn label(self) -> &'static str {
        match self {
            Stage::Compose => "Compose",
            Stage::Dns => "DNS lookup",
            Stage::Connect => "Connect",
            Stage::Greeting => "Greeting",
            Stage::Helo => "EHLO / TLS",
            Stage::MailFrom => "MAIL FROM",
            Stage::RcptTo => "RCPT TO",
            Stage::Data => "DATA",
            Stage::AfterDelivery => "After acceptance",
            Stage::Reply => "Auto-reply",
        }
    }

    /// One plain-language sentence on what failing at this stage means.
    pub const fn explanation(self) -> &'static str {
        match self {
            Stage::Compose => "The message was never sent: the address or the message was unusable.",
            Stage::Dns => "The receiving domain has no mail server we could find, often a typo in the domain.",
            Stage::Connect => "The receiving mail server could not be reached.",
            Stage::Greeting => {
                "The receiving server refused us as soon as we connected, usually because of our sending IP."
            }
            Stage::Helo => "The server refused our introduction or the encrypted (TLS) session.",
            Stage::MailFrom => "The server refused our sender address.",
            Stage::RcptTo => "The server refused the recipient's address.",
            Stage::Data => "The server refused the message itself: content, size or authentication.",
            Stage::AfterDelivery => "The server accepted the message, then sent a bounce message back.",
            Stage::Reply => "An automatic reply came back, such as an out-of-office notice.",
        }
    }

    /// The stage an SMTP command belongs to, as MTA logs name the command
    /// ("in reply to RCPT TO command"). Unknown commands give `None`.
    pub fn from_smtp_command(command: &str) -> Option<Stage> {
        let upper = command.trim().to_ascii_uppercase();
        let word = upper.split_whitespace().next().unwrap_or("");
        Some(match word {
            "CONN" | "CONNECT" | "BANNER" | "GREETING" => Stage::Greeting,
            "HELO" | "EHLO" | "LHLO" | "STARTTLS" | "AUTH" => Stage::Helo,
            "MAIL" => Stage::MailFrom,
            "RCPT" => Stage::RcptTo,
            "DATA" | "BDAT" | "QUIT" | "." => Stage::Data,
            _ => return None,
        })
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Stage {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Stage::ALL
            .into_iter()
            .find(|stage| stage.as_str() == s)
            .ok_or_else(|| ParseError::new("stage", s, "is not a delivery stage"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stage_round_trips_through_its_identifier() {
        for stage in Stage::ALL {
            let parsed: Stage = stage.as_str().parse().expect("own identifier parses");
            assert_eq!(parsed, stage);
        }
    }

    #[test]
    fn unknown_stage_is_an_error_naming_the_field() {
        let err = "rcpt".parse::<Stage>().expect_err("not a stage");
        assert_eq!(err.field, "stage");
        assert_eq!(err.value, "rcpt");
    }

    #[test]
    fn smtp_commands_map_to_stages() {
        assert_eq!(Stage::from_smtp_command("RCPT TO:<a@b.nl>"), Some(Stage::RcptTo));
        assert_eq!(Stage::from_smtp_command("ehlo"), Some(Stage::Helo));
        assert_eq!(Stage::from_smtp_command("STARTTLS"), Some(Stage::Helo));
        assert_eq!(Stage::from_smtp_command("MAIL FROM:<>"), Some(Stage::MailFrom));
        assert_eq!(Stage::from_smtp_command("end of data"), None);
    }

    #[test]
    fn stages_are_ordered_as_delivery_runs() {
        assert!(Stage::Dns < Stage::Connect);
        assert!(Stage::RcptTo < Stage::Data);
        assert!(Stage::Data < Stage::AfterDelivery);
    }

    #[test]
    fn serde_uses_the_identifier() {
        let json = serde_json::to_string(&Stage::MailFrom).expect("serialises");
        assert_eq!(json, "\"mail_from\"");
    }
}
