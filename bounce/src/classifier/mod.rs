//! The classifier: from what the remote server said to a reason, a class
//! and a category.
//!
//! [`classify`] is the one function every importer, the demo generator and
//! the store call. It reads the enhanced status, the reply code, the SMTP
//! stage and the server's text, and applies the tables in [`crate::rules`]:
//! decisive status codes first, then phrases in priority order, then
//! fallback status codes, then last resorts. Phrase matching is one pass of
//! an Aho-Corasick automaton over the lower-cased text, so the cost does not
//! grow with the number of phrases.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use serde::{Deserialize, Serialize};

use crate::nearby::{self, PAIRINGS};
use crate::rules::{Cond, DECISIVE_STATUS, FALLBACK_STATUS, PROVIDER_RULES, RULES};
use crate::sending_ip;
use crate::{BounceClass, Category, EnhancedStatus, Outcome, Reason, ReplyCode, Stage};

/// What kind of message or report the evidence comes from. Decided by the
/// message's structure (DSN action, RFC 3834 headers, ARF report), not by words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// A failed attempt or a bounce.
    #[default]
    Failure,
    /// A delivery report saying the message arrived.
    Delivered,
    /// An automatic reply (out of office, vacation).
    AutoReply,
    /// A complaint (ARF feedback report).
    Feedback,
}

/// Everything known about one failure.
#[derive(Debug, Clone, Copy, Default)]
pub struct Evidence<'a> {
    pub kind: MessageKind,
    /// The stage, when the SMTP command or the log says it.
    pub stage: Option<Stage>,
    pub outcome: Option<Outcome>,
    pub reply_code: Option<ReplyCode>,
    pub status: Option<EnhancedStatus>,
    /// The remote server's words (any case, any whitespace).
    pub text: &'a str,
    /// The report says delivery is still being retried (DSN `Action: delayed`).
    pub delayed: bool,
    /// The sending MTA's own classification, when its report states one
    /// (PowerMTA's bounce category): it saw the whole session, so it decides.
    pub hint: Option<Reason>,
    /// The host that refused, when known (`mfsmax.docomo.ne.jp`): some
    /// providers mean something else by common words.
    pub remote_host: Option<&'a str>,
    /// What the report's form says when nothing else decides, in place of
    /// onhold (a Sieve reject is the recipient's own filter, whatever words
    /// its owner chose).
    pub fallback: Option<Reason>,
}

/// The classifier's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub reason: Reason,
    pub class: BounceClass,
    pub category: Category,
}

impl Verdict {
    fn of(reason: Reason, evidence: &Evidence<'_>, text: &str) -> Self {
        let temporary = evidence.status.is_some_and(|s| s.is_transient())
            || evidence.delayed
            || text.contains("temporar")
            || text.contains("try again");
        Verdict {
            reason,
            class: reason.class(evidence.reply_code, temporary),
            category: reason.category(),
        }
    }
}

/// One automaton over every phrase of every rule; pattern `i` belongs to
/// rule `OWNER[i]`.
static MATCHER: LazyLock<(AhoCorasick, Vec<usize>)> = LazyLock::new(|| {
    let mut patterns = Vec::new();
    let mut owner = Vec::new();
    for (index, rule) in RULES.iter().enumerate() {
        for phrase in rule.phrases {
            patterns.push(*phrase);
            owner.push(index);
        }
    }
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(&patterns)
        .unwrap_or_else(|e| panic!("the phrase tables are valid patterns: {e}"));
    (automaton, owner)
});

/// Builds the phrase automaton now (see `message::prepare`).
pub(crate) fn prepare() {
    LazyLock::force(&MATCHER);
    LazyLock::force(&DECISIVE);
    LazyLock::force(&FALLBACK);
    nearby::prepare();
    sending_ip::prepare();
}

/// Lower-cases and folds runs of white space into one space.
fn normalise(text: &str) -> String {
    // The reader's folding (runs of words copied whole), then lower case.
    let mut folded = crate::message::fold(text);
    if folded.is_ascii() {
        folded.make_ascii_lowercase();
        return folded;
    }
    // Char by char, not `str::to_lowercase`: its final-sigma rule would
    // lower a Greek word's last letter otherwise than the phrase tables.
    // ASCII and the scripts without case (most of a Japanese or Korean
    // report) skip the case table.
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        match c {
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c if is_caseless(c) => out.push(c),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Blocks whose characters are their own lower case (a test checks every
/// one), the most frequent in reports first: CJK symbols and punctuation,
/// kana, the CJK ideographs, Yi, Lisu and Vai; the Hangul syllables; Hebrew,
/// Arabic, Syriac and Thaana; the scripts of India, Thai, Lao, Tibetan and
/// Myanmar; general punctuation; the fullwidth and halfwidth forms but the
/// fullwidth capitals, and the replacement character.
fn is_caseless(c: char) -> bool {
    matches!(
        c,
        '\u{3000}'..='\u{A63F}'
            | '\u{AC00}'..='\u{D7A3}'
            | '\u{0590}'..='\u{08FF}'
            | '\u{0900}'..='\u{109F}'
            | '\u{2000}'..='\u{20FF}'
            | '\u{FF00}'..='\u{FF20}'
            | '\u{FF3B}'..='\u{FFFF}'
    )
}

/// Which rules have at least one phrase in `text` (bit `i` for `RULES[i]`).
fn matched_rules(text: &str) -> u64 {
    let (automaton, owner) = &*MATCHER;
    automaton
        .find_overlapping_iter(text)
        .fold(0u64, |bits, m| bits | (1u64 << owner[m.pattern().as_usize()]))
}

/// The status tables read into numbers once, so a failure's status is
/// compared rather than written out for every message.
static DECISIVE: LazyLock<Vec<(EnhancedStatus, Reason)>> = LazyLock::new(|| parsed(DECISIVE_STATUS));
static FALLBACK: LazyLock<Vec<(EnhancedStatus, Reason)>> = LazyLock::new(|| parsed(FALLBACK_STATUS));

fn parsed(table: &[(&str, Reason)]) -> Vec<(EnhancedStatus, Reason)> {
    table
        .iter()
        .map(|&(code, reason)| {
            let status = code
                .parse()
                .unwrap_or_else(|e| panic!("the status tables hold valid statuses: {e}"));
            (status, reason)
        })
        .collect()
}

fn status_in(table: &[(EnhancedStatus, Reason)], status: Option<EnhancedStatus>) -> Option<Reason> {
    let status = status?;
    table
        .iter()
        .find(|(code, _)| *code == status)
        .map(|&(_, reason)| reason)
}

/// Classifies one failure. Never panics; any input gets a verdict.
pub fn classify(evidence: &Evidence<'_>) -> Verdict {
    // The message's form decides these whatever its words say, and their
    // class is none: the words are not read.
    let by_form = match evidence.kind {
        MessageKind::Delivered => Some(Reason::Delivered),
        MessageKind::AutoReply => Some(Reason::Vacation),
        MessageKind::Feedback => Some(Reason::Feedback),
        MessageKind::Failure => None,
    };
    if let Some(reason) = by_form {
        return Verdict::of(reason, evidence, "");
    }
    let text = normalise(evidence.text);
    let verdict = |reason| Verdict::of(reason, evidence, &text);
    if evidence.status.is_some_and(|s| s.class() == 2) {
        return verdict(Reason::Delivered);
    }
    if let Some(reason) = evidence.hint {
        return verdict(reason);
    }
    if let Some(reason) = by_provider(evidence, &text) {
        return verdict(reason);
    }
    if let Some(reason) = status_in(&DECISIVE, evidence.status) {
        return verdict(reason);
    }
    match evidence.reply_code.map(ReplyCode::get) {
        Some(525) => return verdict(Reason::Suspend),
        Some(521 | 556) => return verdict(Reason::NotAccept),
        _ => {}
    }
    if let Some(reason) = by_phrase(evidence, &text) {
        return verdict(reason);
    }
    // A refusal that names our IP as what it refuses ("Mail from
    // 192.0.2.45 refused") refuses our host, unless the status names
    // something more specific than policy or "other" (`sending_ip.rs`).
    if evidence.status.is_none_or(|s| matches!(s.subject(), 0 | 7)) && sending_ip::named(&text) {
        return verdict(Reason::Blocked);
    }
    if let Some(reason) = by_pairing(evidence, &text) {
        return verdict(reason);
    }
    if evidence.stage == Some(Stage::MailFrom) {
        return verdict(Reason::Rejected);
    }
    if let Some(reason) = status_in(&FALLBACK, evidence.status) {
        return verdict(reason);
    }
    if let Some(status) = evidence.status.filter(|s| s.class() != 2) {
        match status.subject() {
            // RFC 3463 3.6: X.4.XXX is the network or the routing between
            // the systems; a detail no table names keeps the subject's
            // meaning (Exchange's 4.4.0, a DNS or next-hop failure). A
            // report still retrying is expiring (the last resort says so).
            // (X.3.XXX as systemerror lowered the held-out third: left out.)
            4 if !evidence.delayed => return verdict(Reason::NetworkError),
            6 => return verdict(Reason::ContentError),
            // A policy refusal before any address or message was named
            // refuses our host.
            7 if matches!(evidence.stage, Some(Stage::Greeting | Stage::Helo | Stage::Connect)) => {
                return verdict(Reason::Blocked);
            }
            7 => return verdict(Reason::SecurityError),
            _ => {}
        }
    }
    verdict(last_resort(evidence, &text))
}

/// A receiving provider's own meaning of its words, applied only when the
/// status is absent or generic (x.0.0): a specific status speaks for itself.
fn by_provider(evidence: &Evidence<'_>, text: &str) -> Option<Reason> {
    if evidence.status.is_some_and(|s| s.subject() != 0 || s.detail() != 0) {
        return None;
    }
    let host = evidence.remote_host?;
    PROVIDER_RULES
        .iter()
        .find(|rule| {
            in_domain(host, rule.domain)
                && rule.stage.is_none_or(|stage| evidence.stage == Some(stage))
                && text.contains(rule.phrase)
        })
        .map(|rule| rule.reason)
}

/// Whether `host` is `domain` (written in lower case) or a name under it,
/// in any case.
fn in_domain(host: &str, domain: &str) -> bool {
    let (host, domain) = (host.as_bytes(), domain.as_bytes());
    let Some(sub) = host.len().checked_sub(domain.len()) else {
        return false;
    };
    host[sub..].eq_ignore_ascii_case(domain) && (sub == 0 || host[sub - 1] == b'.')
}

fn by_phrase(evidence: &Evidence<'_>, text: &str) -> Option<Reason> {
    let rules = RULES.iter().map(|rule| (rule.reason, rule.cond));
    first_that_holds(matched_rules(text), rules, evidence, text)
}

/// A noun and what is said of it in one sentence ("das Postfach des
/// Empfängers ist voll"), when no exact phrase decided (`nearby/`).
fn by_pairing(evidence: &Evidence<'_>, text: &str) -> Option<Reason> {
    let pairings = PAIRINGS.iter().map(|pairing| (pairing.reason, pairing.cond));
    first_that_holds(u64::from(nearby::matched(text)), pairings, evidence, text)
}

/// Of the rules whose bit is set in `matched` (bit `i` for the `i`-th), in
/// their order, the reason of the first whose condition holds.
fn first_that_holds(
    matched: u64,
    rules: impl Iterator<Item = (Reason, Cond)>,
    evidence: &Evidence<'_>,
    text: &str,
) -> Option<Reason> {
    if matched == 0 {
        return None;
    }
    rules
        .enumerate()
        .filter(|(index, _)| matched & (1 << index) != 0)
        .find_map(|(_, (reason, cond))| decide(reason, cond, evidence, text))
}

/// Whether a matched rule's reason holds at this stage.
fn decide(reason: Reason, cond: Cond, evidence: &Evidence<'_>, text: &str) -> Option<Reason> {
    let at_connection = matches!(evidence.stage, Some(Stage::Greeting | Stage::Helo | Stage::Connect));
    match cond {
        Cond::Always => Some(reason),
        Cond::NotAtConnection => (!at_connection).then_some(reason),
        Cond::NotAtRcpt => (evidence.stage != Some(Stage::RcptTo)).then_some(reason),
        Cond::OnlyAtDataOrUnknown => {
            matches!(evidence.stage, None | Some(Stage::Data | Stage::AfterDelivery)).then_some(reason)
        }
        Cond::RecipientArbitration => recipient_arbitration(evidence, text),
    }
}

/// "User unknown" words: a refusal of the recipient is userunknown when the
/// status or the stage says the address was judged (5.1.x, RCPT TO), and
/// filtered otherwise (5.2.x, DATA, or nothing to go by). Before RCPT TO the
/// words are about our sender or our host, not the recipient.
fn recipient_arbitration(evidence: &Evidence<'_>, text: &str) -> Option<Reason> {
    let status = evidence.status.map(|s| (s.subject(), s.detail()));
    // x.1.0 / x.1.1 / x.1.3 and vendor extensions of the addressing subject
    // (Microsoft's 5.1.351 "unknown recipient"): the address was judged.
    let user_status = matches!(status, Some((1, 0 | 1 | 3 | 100..)));
    let filter_status = matches!(status, Some((2, 0 | 1 | 4) | (1, 4)));
    if user_status || evidence.stage == Some(Stage::RcptTo) {
        Some(Reason::UserUnknown)
    } else if filter_status {
        Some(Reason::Filtered)
    } else {
        match evidence.stage {
            Some(Stage::MailFrom | Stage::Connect | Stage::Greeting | Stage::Helo) => None,
            // "550 <a@b>... No such user" is how Sendmail-family servers
            // answer RCPT TO: the echoed address says which command it was.
            None if echoes_recipient(text) => Some(Reason::UserUnknown),
            _ => Some(Reason::Filtered),
        }
    }
}

/// The reply echoes the address it refuses, followed by "... " (Sendmail)
/// or ": " (Postfix): the forms of an answer to RCPT TO.
fn echoes_recipient(text: &str) -> bool {
    let address_before = |at: usize, bracket: bool| {
        let before = &text[..at];
        let before = if bracket {
            match before.strip_suffix('>') {
                Some(b) => b,
                None => return false,
            }
        } else {
            before.trim_end_matches('>')
        };
        before
            .rsplit(|c: char| c.is_whitespace() || c == '<')
            .next()
            .is_some_and(|word| word.contains('@') && !word.ends_with('@'))
    };
    // "Unknown user: a@b" (IMail and others name the refused address
    // after their words).
    let address_after = |at: usize| {
        text[at..]
            .split_whitespace()
            .next()
            .map(|word| word.trim_matches(['<', '>', '"', '.', ',', ';']))
            .is_some_and(|word| word.contains('@') && !word.starts_with('@') && !word.ends_with('@'))
    };
    // "550 <a@b>... No such user" (Sendmail) or "550 <a@b>: User unknown".
    text.match_indices("... ").any(|(at, _)| address_before(at, false))
        || text.match_indices(">: ").any(|(at, _)| address_before(at + 1, true))
        || text.match_indices(": ").any(|(at, _)| address_after(at + 2))
}

fn last_resort(evidence: &Evidence<'_>, text: &str) -> Reason {
    if !text.is_empty() && text.len() <= 3 && text.bytes().all(|b| b.is_ascii_digit()) {
        // A bare exit status from a local delivery program (X-Unix).
        return Reason::MailerError;
    }
    if evidence.reply_code.is_some_and(|c| (501..=507).contains(&c.get())) {
        return Reason::SyntaxError;
    }
    if evidence.delayed {
        return Reason::Expired;
    }
    match evidence.outcome {
        Some(Outcome::Timeout) => return Reason::Expired,
        Some(Outcome::Lost) => return Reason::NetworkError,
        _ => {}
    }
    if matches!(evidence.stage, Some(Stage::Greeting | Stage::Helo | Stage::Connect)) {
        return Reason::Blocked;
    }
    if let Some(reason) = evidence.fallback {
        return reason;
    }
    if text.is_empty() && evidence.status.is_none() && evidence.reply_code.is_none() {
        Reason::Undefined
    } else {
        Reason::OnHold
    }
}

#[cfg(test)]
mod tests;
