//! Why a message failed and what to do about it, in a marketer's words: one
//! explanation per (stage, reason) pair the classifier can produce, shown on
//! each Errors-tab row, on the event detail page and in chart tooltips.
//!
//! The words are data, in three tables: `REASONS` (what each reason means
//! and what to do), `STAGES` (how each stage opens the sentence, and what an
//! unknown reason at that stage means) and `OVERRIDES` (the pairs where the
//! stage changes the meaning or the action). [`explain`] only looks them up
//! and joins them as `"{stage lead}: {clause}"`; every clause starts in lower
//! case and ends with a full stop, so every pair reads as one sentence.
//! Like `labels.rs`, this file is what a translated interface translates.

use bounce::{Reason, Stage};
use serde::{Deserialize, Serialize};

/// What the marketer should do about a failure. The identifiers
/// ([`Action::as_str`], also the serde form) are stable: URLs, exports and
/// CSS classes may use them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The address is dead: stop mailing it (`remove_address`).
    RemoveAddress,
    /// The address is misspelled or malformed: correct it, else remove it (`check_address`).
    CheckAddress,
    /// A passing problem: keep the address and mail it again later (`wait_retry`).
    WaitRetry,
    /// The receiving side limits the rate: send more slowly (`slow_down`).
    SlowDown,
    /// The message is too large for the receiving side (`reduce_size`).
    ReduceSize,
    /// The content, links, attachments or format of the message were refused (`fix_content`).
    FixContent,
    /// Authentication or DNS of the sending side: SPF, DKIM, DMARC, PTR, sender domain (`fix_sending_setup`).
    FixSendingSetup,
    /// The sending IP or domain is on a block list (`delist`).
    Delist,
    /// Something only whoever runs the sending servers can fix: reputation,
    /// TLS, protocol trouble (`contact_provider`).
    ContactProvider,
    /// The recipient complained: never mail them again (`stop_mailing`).
    StopMailing,
    /// Too little is known, or it depends on the server's exact words (`investigate`).
    Investigate,
    /// Not a failure: nothing to do (`none_needed`).
    NoneNeeded,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 12] = [
        Action::RemoveAddress,
        Action::CheckAddress,
        Action::WaitRetry,
        Action::SlowDown,
        Action::ReduceSize,
        Action::FixContent,
        Action::FixSendingSetup,
        Action::Delist,
        Action::ContactProvider,
        Action::StopMailing,
        Action::Investigate,
        Action::NoneNeeded,
    ];

    /// The stable identifier.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::RemoveAddress => "remove_address",
            Action::CheckAddress => "check_address",
            Action::WaitRetry => "wait_retry",
            Action::SlowDown => "slow_down",
            Action::ReduceSize => "reduce_size",
            Action::FixContent => "fix_content",
            Action::FixSendingSetup => "fix_sending_setup",
            Action::Delist => "delist",
            Action::ContactProvider => "contact_provider",
            Action::StopMailing => "stop_mailing",
            Action::Investigate => "investigate",
            Action::NoneNeeded => "none_needed",
        }
    }

    /// A short imperative for buttons, badges and tooltips.
    pub const fn label(self) -> &'static str {
        match self {
            Action::RemoveAddress => "Remove the address",
            Action::CheckAddress => "Correct the address or remove it",
            Action::WaitRetry => "Keep the address and send again later",
            Action::SlowDown => "Send more slowly",
            Action::ReduceSize => "Make the message smaller",
            Action::FixContent => "Review the message content",
            Action::FixSendingSetup => "Fix your sending setup (SPF, DKIM, DMARC, DNS)",
            Action::Delist => "Ask your sending provider to get delisted",
            Action::ContactProvider => "Ask your sending provider to look into it",
            Action::StopMailing => "Stop mailing this recipient",
            Action::Investigate => "Read the server's reply for details",
            Action::NoneNeeded => "Nothing to do",
        }
    }
}

/// A failure explained: one or more sentences, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    pub text: String,
    pub action: Action,
}

/// Explains a failure at `stage` for `reason` (`None`: the reason is unknown).
pub fn explain(stage: Stage, reason: Option<Reason>) -> Explanation {
    let Some(lead) = STAGES.iter().find(|s| s.stage == stage) else {
        return fallback(stage, reason);
    };
    let found = match reason {
        None => Some((lead.unknown, lead.unknown_action)),
        Some(reason) => OVERRIDES
            .iter()
            .find(|o| o.reason == reason && o.stages.contains(&stage))
            .map(|o| (o.clause, o.action))
            .or_else(|| {
                REASONS
                    .iter()
                    .find(|r| r.reason == reason)
                    .map(|r| (r.clause, r.action))
            }),
    };
    match found {
        Some((clause, action)) => Explanation {
            text: format!("{}: {clause}", lead.lead),
            action,
        },
        None => fallback(stage, reason),
    }
}

/// For a stage or reason the tables miss (the tests forbid that): the
/// domain's own sentences, which are complete on their own.
fn fallback(stage: Stage, reason: Option<Reason>) -> Explanation {
    let text = match reason {
        Some(reason) => format!("{} {}", stage.explanation(), reason.meaning()),
        None => stage.explanation().to_owned(),
    };
    Explanation {
        text,
        action: Action::Investigate,
    }
}

/// What a reason means, wherever it happened.
struct ReasonText {
    reason: Reason,
    action: Action,
    /// Lower case first, full stop last: it follows "{stage lead}: ".
    clause: &'static str,
}

/// How a stage opens the sentence, and what an unknown reason there means.
struct StageText {
    stage: Stage,
    /// Capitalised, no final punctuation: `"{lead}: {clause}"`.
    lead: &'static str,
    unknown_action: Action,
    /// The clause when the reason is unknown.
    unknown: &'static str,
}

/// A (stage, reason) pair whose meaning or action differs from the reason's own.
struct Override {
    stages: &'static [Stage],
    reason: Reason,
    action: Action,
    clause: &'static str,
}

// The three tables are written through small macros so that each entry is
// two lines (rustfmt leaves brace-delimited macro bodies alone).

macro_rules! reason_texts {
    ($($reason:ident => $action:ident, $clause:literal;)+) => {
        &[$(ReasonText { reason: Reason::$reason, action: Action::$action, clause: $clause },)+]
    };
}

macro_rules! stage_texts {
    ($($stage:ident, $lead:literal, $action:ident, $unknown:literal;)+) => {
        &[$(StageText { stage: Stage::$stage, lead: $lead, unknown_action: Action::$action, unknown: $unknown },)+]
    };
}

macro_rules! overrides {
    ($([$($stage:ident),+] $reason:ident => $action:ident, $clause:literal;)+) => {
        &[$(Override {
            stages: &[$(Stage::$stage),+],
            reason: Reason::$reason,
            action: Action::$action,
            clause: $clause,
        },)+]
    };
}

/// One entry per [`Reason`], in the order of the `reasons!` table.
const REASONS: &[ReasonText] = reason_texts! {
    // Policy and authentication refusals. RFC 3463 X.7.x is "security or
    // policy status"; RFC 7372 adds the SPF / DKIM / DMARC failures
    // (X.7.20-X.7.26); Gmail's and Yahoo's sender requirements refuse
    // unauthenticated bulk mail. The fix is DNS on the sending domain.
    AuthFailure => FixSendingSetup,
        "the SPF, DKIM or DMARC checks failed for your sending domain, so the provider could not confirm the mail is really yours.";
    // Reputation: providers (Gmail Postmaster Tools, Microsoft's and Yahoo's
    // sender docs) rate sending IPs and domains by complaints, spam traps and
    // bounces; block lists (Spamhaus and others) are shared verdicts on an
    // IP, lifted through their delisting process. The recipient's address
    // plays no part, so removing it fixes nothing. Greylisting (RFC 6647)
    // is classified `blocked` too; only the soft class tells it apart.
    BadReputation => ContactProvider,
        "the receiving provider distrusts mail from your sending IP address or domain because of earlier mail (complaints, spam traps, bounces).";
    Blocked => Delist,
        "your sending IP address or server was refused, usually because it is on a block list; if the bounce is marked soft, it may be greylisting, which passes by itself.";
    // Content: RFC 3463 X.6.x is "message content or media status"; RFC 5322
    // and RFC 2045 define the headers and MIME structure the server checked.
    ContentError => FixContent,
        "the message's headers or MIME structure are malformed, which points at the tool that built the message.";
    // Not failures: a DSN with action "delivered" (RFC 3464), an ARF
    // complaint (RFC 5965), an automatic reply (RFC 3834). A complaint is the
    // recipient's "no" and outranks any consent on file.
    Delivered => NoneNeeded,
        "the message was delivered; this is a delivery report, not a bounce.";
    // Size: RFC 3463 X.3.4 "message too big for system", X.2.3 "message
    // length exceeds administrative limit"; RFC 5321 552, RFC 1870 SIZE.
    ExceedLimit => ReduceSize,
        "the message goes over a limit of the recipient's system, such as its size or the length of its headers.";
    // Passing trouble: RFC 5321 4yz replies ask the sender to try again;
    // RFC 3463 X.4.7 "delivery time expired", X.3.x mail system, X.4.x
    // network and routing status. Nothing says the address is bad.
    Expired => WaitRetry,
        "delivery kept failing until the sending server stopped retrying; the address may still be fine.";
    Feedback => StopMailing,
        "the recipient reported your message as spam and their provider passed the complaint on to you.";
    // A filter on the recipient's side: mobile carriers and content filters
    // answer "user unknown" after DATA to refuse a sender (Sisimai's reading,
    // the classifier's recipient arbitration), so the address may exist.
    Filtered => Investigate,
        "a filter or a setting on the recipient's side refused this message after seeing it; the address itself may exist.";
    // Dead mailboxes: RFC 3463 X.1.1 "bad destination mailbox address", X.1.6
    // "destination mailbox has moved, no forwarding address", X.2.1 "mailbox
    // disabled"; RFC 5321 550 "mailbox unavailable", 551 "user not local".
    // Providers (Gmail, Microsoft) count mail to dead addresses against you.
    HasMoved => RemoveAddress,
        "the mailbox has moved to another address and mail to the old one is not forwarded.";
    // Dead domains: RFC 3463 X.1.2 "bad destination system address"; RFC 5321
    // section 5 (no MX and no address record); RFC 7505 null MX with 556 /
    // X.1.10, RFC 7504 521; X.3.2 "system not accepting network messages" is
    // the temporary form (a soft `notaccept`).
    HostUnknown => CheckAddress,
        "the recipient's domain does not exist or has no mail server, often because of a typo in the domain.";
    // RFC 3463 X.2.2 "mailbox full"; RFC 5321 452 / 552. Sisimai and most
    // providers treat it as soft: the owner may make room.
    MailboxFull => WaitRetry,
        "the recipient's mailbox is full; the address exists and can receive mail again once its owner makes room.";
    MailerError => WaitRetry,
        "a mail program on the receiving side failed, which is their problem, not yours.";
    MesgTooBig => ReduceSize,
        "the message is larger than the receiving server accepts, usually because of attachments or embedded images.";
    NetworkError => WaitRetry,
        "a DNS or network problem stopped delivery; it usually passes by itself.";
    // Relaying denied (RFC 5321 section 3.6, 550 / 554 with X.7.1): the server
    // answering for the recipient's domain does not host it, so the domain is
    // misspelled or its mail moved elsewhere.
    NoRelaying => CheckAddress,
        "the receiving server does not take mail for the recipient's domain (relaying denied), often because the domain is misspelled or no longer receives mail there.";
    NotAccept => RemoveAddress,
        "the recipient's domain accepts no mail at all (a null MX or no mail server); if the bounce is marked soft, it was only closed for a while.";
    NotCompliantRfc => FixContent,
        "the message breaks the mail standards, for example with a missing or duplicated header.";
    // Too little to go on: the server's own words are on the detail page.
    OnHold => Investigate,
        "the bounce does not say enough to tell why delivery failed.";
    PolicyViolation => Investigate,
        "a policy of the receiving organisation refused the message, such as a ban on bulk mail or on some attachments; the server's reply says which.";
    // Our sender: RFC 3463 X.1.7 "bad sender's mailbox address syntax", X.1.8
    // "bad sender's system address"; RFC 5321 550 / 553 to MAIL FROM.
    Rejected => FixSendingSetup,
        "your sender address (the envelope sender) was refused, often because its domain does not resolve or is not allowed to send this mail.";
    // Gmail's sender guidelines require a PTR record for the sending IP;
    // RFC 7372 gives X.7.25 "reverse DNS validation failed". Whoever owns
    // the IP sets it.
    RequirePtr => FixSendingSetup,
        "your sending IP address has no valid reverse DNS (PTR) name, which many providers require; whoever runs the IP must set one.";
    // The classifier's catch-all for X.7.x ("delivery not authorized")
    // outside the connection: the server's words decide what to do.
    SecurityError => Investigate,
        "the receiving server refused the mail for a security or permission reason, such as missing authentication or encryption.";
    // Spam and virus filters judge the message itself (X.7.1 with the
    // filter's words; Gmail's 5.7.1 "likely unsolicited mail").
    SpamDetected => FixContent,
        "the receiving spam filter judged this message to be spam, by its content, its links or your sender's reputation.";
    // Rate limits: RFC 5321 421 / 450 / 451, RFC 3463 X.4.5 "mail system
    // congestion"; Gmail's 4.7.28, Yahoo's deferrals and Microsoft's
    // throttling ask the sender to slow down.
    Speeding => SlowDown,
        "the receiving provider limits how fast it takes mail from you, and this campaign went faster.";
    // RFC 3463 X.2.1 "mailbox disabled"; Gmail's "account ... is disabled /
    // inactive". Sisimai calls it soft, but abandoned mailboxes rarely come
    // back and some are turned into spam traps, so the advice is to stop.
    Suspend => RemoveAddress,
        "the recipient's account is disabled or suspended, most often because its owner abandoned it.";
    // RFC 5321 500-504: a command or its parameters were not understood.
    SyntaxError => ContactProvider,
        "the receiving server did not understand a command from your sending server, a problem between the two servers rather than with the address.";
    SystemError => WaitRetry,
        "the receiving server had an internal error; the address and the message are probably fine.";
    SystemFull => WaitRetry,
        "the receiving server ran out of storage, which is their problem, not yours.";
    TooManyConn => SlowDown,
        "your sending server opened more connections at once than the receiving server allows.";
    Undefined => Investigate,
        "no reason could be found in the bounce.";
    UserUnknown => RemoveAddress,
        "the mailbox does not exist, so every message to it will bounce.";
    Vacation => NoneNeeded,
        "an automatic reply such as an out-of-office notice came back; the address works.";
    VirusDetected => FixContent,
        "the receiving virus scanner found something dangerous in the message, usually in an attachment or a link.";
};

/// One entry per [`Stage`]. The SMTP steps are RFC 5321's (connection and
/// greeting 3.1, EHLO 4.1.1.1, MAIL 4.1.1.2, RCPT 4.1.1.3, DATA 4.1.1.4);
/// before RCPT TO no recipient has been named, so a refusal there concerns
/// the sending host or sender. Later bounces are RFC 3464 DSNs, replies
/// RFC 3834 auto-replies.
const STAGES: &[StageText] = stage_texts! {
    Compose, "Before sending", CheckAddress,
        "the address or the message could not be used, so nothing was sent.";
    Dns, "At the DNS lookup of the recipient's domain", CheckAddress,
        "no mail server could be found for the domain, most often because of a typo in it.";
    Connect, "While connecting to the receiving server", WaitRetry,
        "the server could not be reached and gave no reason; it is usually a passing network problem.";
    Greeting, "At the receiving server's greeting", ContactProvider,
        "the server refused the connection before any address was named, so it concerns your sending IP address, not the recipient.";
    Helo, "At EHLO / TLS, when your server introduced itself", ContactProvider,
        "the server refused your sending server's introduction or its encrypted (TLS) session without saying why.";
    MailFrom, "At MAIL FROM (your sender address)", FixSendingSetup,
        "the server refused your sender address without saying why.";
    RcptTo, "At RCPT TO (the recipient's address)", Investigate,
        "the server refused the recipient's address without saying why.";
    Data, "At DATA (the message itself)", Investigate,
        "the server refused the message without saying why.";
    AfterDelivery, "After the message was accepted", Investigate,
        "the receiving side later sent a bounce back without a clear reason.";
    Reply, "In a message sent back to you", Investigate,
        "it could not be read as a bounce or as an automatic reply.";
};

/// Where the stage changes the meaning. No (stage, reason) pair may appear twice.
const OVERRIDES: &[Override] = overrides! {
    // Before any address is named (RFC 5321 3.1, 4.1.1.1) a refusal can only
    // be about the connecting IP: the addresses are fine.
    [Connect, Greeting, Helo] Blocked => Delist,
        "the server refused your sending IP address before any address was named, usually because the IP is on a block list; the recipient's address is fine.";
    [Connect, Greeting, Helo] PolicyViolation => ContactProvider,
        "a policy of the receiving organisation refuses mail from your sending IP address or network; the recipient's address is fine.";
    // "Spam" before the message was sent judges the sender, not the content.
    [Connect, Greeting, Helo, MailFrom, RcptTo] SpamDetected => ContactProvider,
        "the server called your mail spam before it saw this message, so it judged your sending IP address or domain, not the content.";
    // STARTTLS (RFC 3207) and AUTH (RFC 4954) run at EHLO: a setting of the
    // sending server.
    [Greeting, Helo] SecurityError => ContactProvider,
        "the encrypted (TLS) session or the login between your sending server and the receiving one failed.";
    // A 501 to RCPT TO is about the address in it (RFC 5321 4.1.3, 4.2.3;
    // the classifier's "malformed address"); before sending, only the
    // address can be malformed.
    [Compose, RcptTo] SyntaxError => CheckAddress,
        "the recipient's address is not written correctly, for example because of a typo or a stray character.";
    [MailFrom] SyntaxError => FixSendingSetup,
        "the server could not read your sender address; check how it is written in your sending setup.";
    [MailFrom] NoRelaying => ContactProvider,
        "the server refused to relay mail from your sender, so your sending server is probably not allowed to use it.";
    // Yahoo and others check recipients only after DATA; a late bounce (an
    // RFC 3464 DSN after acceptance) about a missing mailbox is as final as
    // a refusal at RCPT TO.
    [Data] UserUnknown => RemoveAddress,
        "the provider checks addresses only after receiving the message, and this mailbox does not exist.";
    [AfterDelivery] UserUnknown => RemoveAddress,
        "the receiving side reported later that the mailbox does not exist (a late bounce); treat it like a refusal at RCPT TO.";
    // NTT docomo and other mobile carriers refuse our sender after DATA when
    // the recipient's reception settings block it (PROVIDER_RULES in
    // bounce/src/rules.rs): the address exists.
    [Data] Rejected => Investigate,
        "your sender address was refused only after the message was sent; at mobile carriers this means the recipient's settings block your sender, and only the recipient can allow it.";
    // At the DNS stage a null MX (RFC 7505) is a lasting statement, and a
    // network error is a failed lookup, not a missing domain.
    [Dns] NotAccept => RemoveAddress,
        "the recipient's domain states that it receives no mail (a null MX) or has no mail server at all.";
    [Dns] NetworkError => WaitRetry,
        "the lookup failed for a while (a time-out or a DNS server failure); the domain itself may be fine.";
    [Reply] Vacation => NoneNeeded,
        "it is an automatic answer such as an out-of-office notice; the message arrived and the address works.";
};

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn reasons_and_unknown() -> impl Iterator<Item = Option<Reason>> {
        Reason::ALL.iter().copied().map(Some).chain([None])
    }

    #[test]
    fn every_pair_is_a_full_sentence_from_the_tables() {
        for stage in Stage::ALL {
            let lead = STAGES.iter().find(|s| s.stage == stage).expect("stage in table").lead;
            for reason in reasons_and_unknown() {
                let e = explain(stage, reason);
                let at = format!("{stage:?} / {reason:?}: {}", e.text);
                assert!(e.text.starts_with(&format!("{lead}: ")), "not from the tables: {at}");
                assert!(e.text.ends_with('.') && !e.text.ends_with(".."), "{at}");
                assert!(e.text.chars().next().is_some_and(char::is_uppercase), "{at}");
                for bad in ["  ", " .", " ,", " ;", ": :", ".:", ";."] {
                    assert!(!e.text.contains(bad), "{bad:?} in {at}");
                }
                assert!(!e.action.label().is_empty(), "{at}");
            }
        }
    }

    #[test]
    fn clauses_follow_a_colon_and_end_with_a_full_stop() {
        let clauses = REASONS
            .iter()
            .map(|r| r.clause)
            .chain(STAGES.iter().map(|s| s.unknown))
            .chain(OVERRIDES.iter().map(|o| o.clause));
        for clause in clauses {
            assert!(clause.chars().next().is_some_and(char::is_lowercase), "{clause}");
            assert!(clause.ends_with('.') && !clause.ends_with(".."), "{clause}");
        }
        for s in STAGES {
            assert!(s.lead.chars().next().is_some_and(char::is_uppercase), "{}", s.lead);
            assert!(!s.lead.ends_with(['.', ':', ',', ' ']), "{}", s.lead);
        }
    }

    #[test]
    fn one_entry_per_reason_and_per_stage() {
        // Reason::ALL is generated by the `reasons!` macro from the enum itself.
        for &reason in Reason::ALL {
            assert_eq!(REASONS.iter().filter(|r| r.reason == reason).count(), 1, "{reason}");
        }
        assert_eq!(REASONS.len(), Reason::ALL.len());
        for stage in Stage::ALL {
            assert_eq!(STAGES.iter().filter(|s| s.stage == stage).count(), 1, "{stage}");
        }
        assert_eq!(STAGES.len(), Stage::ALL.len());
    }

    #[test]
    fn overrides_have_unique_keys_and_change_something() {
        let mut seen = HashSet::new();
        for o in OVERRIDES {
            assert!(!o.stages.is_empty());
            for &stage in o.stages {
                assert!(
                    seen.insert((stage, o.reason)),
                    "duplicate override {stage} / {}",
                    o.reason
                );
            }
            let own = REASONS.iter().find(|r| r.reason == o.reason).expect("reason in table");
            assert_ne!(own.clause, o.clause, "override repeats {}", o.reason);
        }
    }

    #[test]
    fn actions_have_stable_ids_and_labels_and_are_all_used() {
        let mut ids = HashSet::new();
        for action in Action::ALL {
            assert!(ids.insert(action.as_str()), "duplicate id {}", action.as_str());
            assert!(!action.label().is_empty());
            let json = serde_json::to_string(&action).expect("serialises");
            assert_eq!(json, format!("\"{}\"", action.as_str()));
            let used = REASONS.iter().any(|r| r.action == action)
                || STAGES.iter().any(|s| s.unknown_action == action)
                || OVERRIDES.iter().any(|o| o.action == action);
            assert!(used, "{} is never recommended", action.as_str());
        }
    }

    #[test]
    fn a_block_before_any_address_is_about_the_sending_ip() {
        for stage in [Stage::Connect, Stage::Greeting, Stage::Helo] {
            let e = explain(stage, Some(Reason::Blocked));
            assert_eq!(e.action, Action::Delist);
            assert_ne!(e.action, Action::RemoveAddress);
            assert!(e.text.contains("sending IP"), "{}", e.text);
            assert_ne!(explain(stage, Some(Reason::SpamDetected)).action, Action::FixContent);
        }
        assert_eq!(
            explain(Stage::Data, Some(Reason::SpamDetected)).action,
            Action::FixContent
        );
    }

    #[test]
    fn spot_checks() {
        for stage in [Stage::RcptTo, Stage::Data, Stage::AfterDelivery] {
            assert_eq!(explain(stage, Some(Reason::MailboxFull)).action, Action::WaitRetry);
            assert_eq!(explain(stage, Some(Reason::UserUnknown)).action, Action::RemoveAddress);
        }
        let rcpt = explain(Stage::RcptTo, Some(Reason::UserUnknown));
        assert_eq!(
            rcpt.text,
            "At RCPT TO (the recipient's address): the mailbox does not exist, so every message to it will bounce."
        );
        assert!(
            explain(Stage::AfterDelivery, Some(Reason::UserUnknown))
                .text
                .contains("late bounce")
        );
        assert_eq!(
            explain(Stage::Data, Some(Reason::AuthFailure)).action,
            Action::FixSendingSetup
        );
        assert_eq!(explain(Stage::RcptTo, Some(Reason::Speeding)).action, Action::SlowDown);
        assert_eq!(
            explain(Stage::Dns, Some(Reason::HostUnknown)).action,
            Action::CheckAddress
        );
        assert_eq!(explain(Stage::Reply, Some(Reason::Vacation)).action, Action::NoneNeeded);
        assert_eq!(
            explain(Stage::AfterDelivery, Some(Reason::Feedback)).action,
            Action::StopMailing
        );
        assert_eq!(
            explain(Stage::RcptTo, Some(Reason::SyntaxError)).action,
            Action::CheckAddress
        );
        assert_ne!(
            explain(Stage::Data, Some(Reason::Rejected)).action,
            Action::RemoveAddress
        );
        assert_eq!(explain(Stage::Greeting, None).action, Action::ContactProvider);
    }
}
