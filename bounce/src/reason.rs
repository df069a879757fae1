//! Why a message bounced, in Sisimai's vocabulary, and what that means for a
//! marketer (the category) and for the address (hard, soft or not a bounce).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{BounceClass, ParseError, ReplyCode};

macro_rules! reasons {
    ($($variant:ident => $id:literal, $category:ident, $meaning:literal;)+) => {
        /// The reason a delivery failed (or why a message came back that is not a failure).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum Reason {
            $(#[doc = $meaning] $variant,)+
        }

        impl Reason {
            /// Every reason.
            pub const ALL: &'static [Reason] = &[$(Reason::$variant,)+];

            /// The identifier (Sisimai's word for it).
            pub const fn as_str(self) -> &'static str {
                match self { $(Reason::$variant => $id,)+ }
            }

            /// What the reason means, in one sentence.
            pub const fn meaning(self) -> &'static str {
                match self { $(Reason::$variant => $meaning,)+ }
            }

            /// The marketer-facing group this reason belongs to.
            pub const fn category(self) -> Category {
                match self { $(Reason::$variant => Category::$category,)+ }
            }
        }
    };
}

reasons! {
    AuthFailure => "authfailure", PolicyBlock, "Rejected because SPF, DKIM or DMARC checks failed for our domain.";
    BadReputation => "badreputation", Reputation, "Rejected because of the reputation of our sending IP address or domain.";
    Blocked => "blocked", Reputation, "Our sending IP address or host name is blocked (block list, missing trust).";
    ContentError => "contenterror", PolicyBlock, "Rejected because of the format of the message's headers or MIME structure.";
    Delivered => "delivered", Other, "Delivered successfully.";
    ExceedLimit => "exceedlimit", TooLarge, "The message exceeds a limit set by the recipient's system.";
    Expired => "expired", TemporaryError, "Delivery kept failing until the retry time ran out.";
    Feedback => "feedback", Complaint, "The recipient's provider forwarded a complaint (feedback report).";
    Filtered => "filtered", PolicyBlock, "Refused by the recipient's filter or preferences after seeing the message.";
    HasMoved => "hasmoved", BadMailbox, "The mailbox has moved and mail is not forwarded.";
    HostUnknown => "hostunknown", BadDomain, "The recipient's domain does not exist or has no mail server.";
    MailboxFull => "mailboxfull", MailboxFull, "The recipient's mailbox is full.";
    MailerError => "mailererror", TemporaryError, "A mail program on the receiving side failed.";
    MesgTooBig => "mesgtoobig", TooLarge, "The message is too big for the receiving server.";
    NetworkError => "networkerror", TemporaryError, "A DNS or network problem stopped delivery.";
    NoRelaying => "norelaying", PolicyBlock, "The server refused to relay the message (relaying denied).";
    NotAccept => "notaccept", BadDomain, "The receiving domain accepts no mail at all (null MX, no mail server).";
    NotCompliantRfc => "notcompliantrfc", PolicyBlock, "Rejected because the message does not follow the mail standards.";
    OnHold => "onhold", Other, "Not enough information to decide the reason.";
    PolicyViolation => "policyviolation", PolicyBlock, "Rejected by a policy of the receiving organisation.";
    Rejected => "rejected", PolicyBlock, "Our sender address (envelope from) was refused.";
    RequirePtr => "requireptr", Reputation, "Rejected because our sending IP address has no valid reverse DNS (PTR).";
    SecurityError => "securityerror", PolicyBlock, "Rejected for a security reason (authentication, TLS).";
    SpamDetected => "spamdetected", PolicyBlock, "The receiving spam filter judged the message to be spam.";
    Speeding => "speeding", RateLimited, "We sent too fast: the receiving server limits the rate.";
    Suspend => "suspend", BadMailbox, "The recipient's account is suspended or disabled.";
    SyntaxError => "syntaxerror", Other, "The receiving server did not understand an SMTP command.";
    SystemError => "systemerror", TemporaryError, "A system error on the receiving server.";
    SystemFull => "systemfull", TemporaryError, "The receiving server's disk is full.";
    TooManyConn => "toomanyconn", RateLimited, "Too many connections to the receiving server at once.";
    Undefined => "undefined", Other, "No reason could be found.";
    UserUnknown => "userunknown", BadMailbox, "The mailbox does not exist.";
    Vacation => "vacation", AutoReply, "An automatic reply, such as an out-of-office notice.";
    VirusDetected => "virusdetected", PolicyBlock, "The receiving virus scanner found a virus.";
}

impl Reason {
    /// Whether the address should be treated as dead (hard), might work later
    /// (soft), or the message was not a bounce at all (none). `undefined` and
    /// `onhold` are undetermined: too little is known to call them soft.
    ///
    /// Hard and soft follow Sisimai: only `userunknown`, `hostunknown`,
    /// `hasmoved` and a permanent `notaccept` are hard. A 5.2.2 "mailbox full" is
    /// soft even though its code is permanent; a 4.1.1 "user unknown" is hard.
    pub fn class(self, reply: Option<ReplyCode>, temporary_hint: bool) -> BounceClass {
        match self {
            Reason::UserUnknown | Reason::HostUnknown | Reason::HasMoved => BounceClass::Hard,
            Reason::NotAccept => match reply {
                Some(code) if code.is_transient() => BounceClass::Soft,
                None if temporary_hint => BounceClass::Soft,
                _ => BounceClass::Hard,
            },
            Reason::Delivered | Reason::Feedback | Reason::Vacation => BounceClass::None,
            Reason::Undefined | Reason::OnHold => BounceClass::Undetermined,
            _ => BounceClass::Soft,
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Reason {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Reason::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| ParseError::new("reason", s, "is not a bounce reason"))
    }
}

/// What a marketer should make of a bounce, in plain words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    BadMailbox,
    BadDomain,
    MailboxFull,
    PolicyBlock,
    Reputation,
    RateLimited,
    TooLarge,
    TemporaryError,
    AutoReply,
    Complaint,
    Other,
}

impl Category {
    /// Every category.
    pub const ALL: [Category; 11] = [
        Category::BadMailbox,
        Category::BadDomain,
        Category::MailboxFull,
        Category::PolicyBlock,
        Category::Reputation,
        Category::RateLimited,
        Category::TooLarge,
        Category::TemporaryError,
        Category::AutoReply,
        Category::Complaint,
        Category::Other,
    ];

    /// The stable identifier.
    pub const fn as_str(self) -> &'static str {
        match self {
            Category::BadMailbox => "bad_mailbox",
            Category::BadDomain => "bad_domain",
            Category::MailboxFull => "mailbox_full",
            Category::PolicyBlock => "policy_block",
            Category::Reputation => "reputation",
            Category::RateLimited => "rate_limited",
            Category::TooLarge => "too_large",
            Category::TemporaryError => "temporary_error",
            Category::AutoReply => "auto_reply",
            Category::Complaint => "complaint",
            Category::Other => "other",
        }
    }

    /// A short name for the UI.
    pub const fn label(self) -> &'static str {
        match self {
            Category::BadMailbox => "Bad mailbox",
            Category::BadDomain => "Bad domain",
            Category::MailboxFull => "Mailbox full",
            Category::PolicyBlock => "Spam / policy block",
            Category::Reputation => "Reputation",
            Category::RateLimited => "Rate limited",
            Category::TooLarge => "Message too large",
            Category::TemporaryError => "Temporary server error",
            Category::AutoReply => "Auto-reply",
            Category::Complaint => "Complaint",
            Category::Other => "Other",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| ParseError::new("category", s, "is not a bounce category"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(c: u16) -> Option<ReplyCode> {
        Some(ReplyCode::new(c).expect("valid"))
    }

    #[test]
    fn reasons_round_trip_and_have_categories() {
        for &reason in Reason::ALL {
            assert_eq!(reason.as_str().parse::<Reason>(), Ok(reason));
            assert!(!reason.meaning().is_empty());
        }
        assert_eq!(Reason::ALL.len(), 34);
        assert_eq!(Reason::UserUnknown.category(), Category::BadMailbox);
        assert_eq!(Reason::Vacation.category(), Category::AutoReply);
    }

    #[test]
    fn hard_and_soft_follow_the_reason_not_the_code_class() {
        assert_eq!(Reason::MailboxFull.class(code(552), false), BounceClass::Soft);
        assert_eq!(Reason::UserUnknown.class(code(450), true), BounceClass::Hard);
        assert_eq!(Reason::NotAccept.class(code(556), false), BounceClass::Hard);
        assert_eq!(Reason::NotAccept.class(code(421), false), BounceClass::Soft);
        assert_eq!(Reason::NotAccept.class(None, true), BounceClass::Soft);
        assert_eq!(Reason::Vacation.class(None, false), BounceClass::None);
        assert_eq!(Reason::OnHold.class(None, false), BounceClass::Undetermined);
    }

    #[test]
    fn categories_round_trip() {
        for category in Category::ALL {
            assert_eq!(category.as_str().parse::<Category>(), Ok(category));
        }
    }
}
