//! One recipient's codes, stage and verdict, worked out from the words
//! about it (or the whole report, for a lone recipient).

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use super::TrimWs;
use super::codes::Replies;
use super::drafts::Draft;
use super::flatten::Flat;
use super::limits::{self, MAX_DIAGNOSTIC_BYTES};
use super::{Record, codes, fold};
use crate::classifier::{Evidence, MessageKind, classify};
use crate::{EnhancedStatus, Reason, ReplyCode, Stage};

pub(super) static CONTINUATION: LazyLock<Regex> =
    LazyLock::new(|| codes::re(r"\s[245]\d\d[ -](?:[245]\.\d{1,3}\.\d{1,3}\s)?"));

/// Compiles this module's pattern now (see `message::prepare`).
pub(super) fn prepare() {
    LazyLock::force(&CONTINUATION);
}

/// Removes the reply-code prefixes of a multi-line reply's continuation
/// lines (`550-5.1.1 double-checking...`), after the first, so that phrases
/// broken across lines match again.
pub(super) fn unwrap_reply(text: &str) -> Cow<'_, str> {
    // Continuations look like "550-"; without any "ddd-" there is nothing to
    // do, and the pattern (no literal prefix) would inspect every byte.
    let bytes = text.as_bytes();
    let continued = memchr::memchr_iter(b'-', bytes).any(|i| i >= 3 && bytes[i - 3..i].iter().all(u8::is_ascii_digit));
    if !continued {
        return Cow::Borrowed(text);
    }
    let mut matches = CONTINUATION.find_iter(text);
    let Some(first) = matches.next() else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..first.end()]);
    let mut last = first.end();
    for m in matches {
        out.push_str(&text[last..m.start()]);
        out.push(' ');
        last = m.end();
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}

/// A local delivery agent's own line, when a report quotes one.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct AgentLine {
    pub(super) text: String,
    /// The line is a Sieve `reject` (RFC 5429): the recipient's own filter
    /// refused the message, in words its owner chose.
    pub(super) sieve: bool,
}

/// A local delivery agent's own line ("mail.local: unknown user: x",
/// dovecot's "was automatically rejected:" followed by the reason) is the real
/// diagnostic when a report quotes one: the SMTP codes around it are the
/// relaying server's, not the mailbox's.
pub(super) fn lda_line(report: &str) -> Option<AgentLine> {
    const AGENTS: &[&str] = &[
        "mail.local: ",
        "procmail: ",
        "maildrop: ",
        "vdelivermail: ",
        "vdeliver: ",
    ];
    const SIEVE: &str = "was automatically rejected:";
    let starts = |line: &str, prefix: &str| line.get(..prefix.len()).is_some_and(|h| h.eq_ignore_ascii_case(prefix));
    let mut lines = super::lines(report);
    while let Some(raw) = lines.next() {
        if !may_be_agent_line(raw) {
            continue;
        }
        let line = raw.trim_ws();
        if AGENTS.iter().any(|p| starts(line, p)) {
            return Some(AgentLine {
                text: line.to_owned(),
                sieve: false,
            });
        }
        let tail = line.len().checked_sub(SIEVE.len()).and_then(|at| line.get(at..));
        if tail.is_some_and(|t| t.eq_ignore_ascii_case(SIEVE)) {
            return lines.map(TrimWs::trim_ws).find(|l| !l.is_empty()).map(|l| AgentLine {
                text: l.to_owned(),
                sieve: true,
            });
        }
    }
    None
}

/// Whether a line can be an agent's (its words start with `m`, `p` or
/// `v`) or Sieve's (it ends with a colon), told from its bytes before any
/// trimming; a line whose first or last visible byte is not ASCII is
/// looked at whole, since it may start or end with other white space.
fn may_be_agent_line(line: &str) -> bool {
    let bytes = line.as_bytes();
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    let last = bytes.iter().rev().find(|b| !b.is_ascii_whitespace());
    match (first, last) {
        (Some(&first), Some(&last)) => {
            !first.is_ascii()
                || !last.is_ascii()
                || matches!(first.to_ascii_lowercase(), b'm' | b'p' | b'v')
                || last == b':'
        }
        _ => false,
    }
}

/// How much of a lone recipient's report stands for its words when the
/// report has none about it.
const REPORT_EXCERPT_CHARS: usize = 2_000;

/// What the words about one recipient say of its codes.
struct Codes<'a> {
    status: Option<EnhancedStatus>,
    reply_code: Option<ReplyCode>,
    stage: Option<Stage>,
    /// The text the codes were found in: the recipient's words, or the
    /// whole report's for a lone recipient whose words name no code.
    evidence_text: Cow<'a, str>,
}

/// `diagnostic` is the draft's own, lent apart from the draft so that the
/// rest of it can be moved while the codes' text is in use.
fn codes_of<'a>(draft: &Draft, diagnostic: &'a str, flat: &Flat, single: bool) -> Codes<'a> {
    let mut evidence_text = Cow::Borrowed(diagnostic);
    let mut in_text = codes::find_status(&evidence_text);
    let mut replies = Replies::in_text(&evidence_text);
    let mut first_reply = replies.pick(None);
    if single && in_text.is_none() && first_reply.is_none() && draft.kind == MessageKind::Failure {
        // A lone recipient's error is often stated elsewhere in the report.
        evidence_text = Cow::Owned(fold(&flat.report));
        in_text = codes::find_status(&evidence_text);
        replies = Replies::in_text(&evidence_text);
        first_reply = replies.pick(None);
    }
    let (status, reply_code, stage) = if matches!(draft.kind, MessageKind::Failure | MessageKind::Delivered) {
        let status = codes::prefer(draft.status_field, in_text, first_reply);
        let reply = match status {
            Some(s) => replies.pick(Some(s.class())),
            None => first_reply,
        };
        let stage = draft
            .stage
            .or_else(|| codes::find_stage(diagnostic))
            .or_else(|| if single { codes::find_stage(&flat.report) } else { None });
        (status, reply, stage)
    } else {
        (None, None, None)
    };
    Codes {
        status,
        reply_code,
        stage,
        evidence_text,
    }
}

/// Works out one recipient's codes, stage and verdict. Its own words are
/// cut to [`MAX_DIAGNOSTIC_BYTES`], words it shares with the report's other
/// recipients to `cap` (see `limits::diagnostic_cap`); the verdict is made
/// from the text that is kept, so what is shown explains it.
pub(super) fn finish(mut draft: Draft, flat: &Flat, single: bool, lda: Option<&AgentLine>, cap: usize) -> Record {
    if draft.kind == MessageKind::Failure
        && let Some(line) = lda
    {
        // The agent's line is shared by every recipient of the report.
        let draft = Draft {
            diagnostic: limits::head(&line.text, cap).to_owned(),
            // A Sieve reject is the recipient's own filter: filtered, unless
            // its words name a reason (Dovecot words a full mailbox the same
            // way).
            fallback: line.sieve.then_some(Reason::Filtered),
            ..draft
        };
        let record = finish(draft, &Flat::default(), false, None, cap);
        return Record {
            reply_code: None,
            ..record
        };
    }
    // A complaint report's words are shared by every recipient it names;
    // other words are the recipient's own.
    let own_cap = if draft.kind == MessageKind::Feedback {
        cap
    } else {
        MAX_DIAGNOSTIC_BYTES
    };
    limits::cut(&mut draft.diagnostic, own_cap);
    let Codes {
        status,
        reply_code,
        stage,
        evidence_text,
    } = codes_of(&draft, &draft.diagnostic, flat, single);
    let diagnostic = if draft.diagnostic.is_empty() && draft.kind == MessageKind::Failure {
        // The report's opening words, as many as one reply holds: further
        // on, reports quote headers and originals, whose words would only
        // mislead the classifier.
        let end = evidence_text
            .char_indices()
            .nth(REPORT_EXCERPT_CHARS)
            .map_or(evidence_text.len(), |(at, _)| at);
        let mut text = evidence_text[..end].to_owned();
        limits::cut(&mut text, cap);
        text
    } else {
        drop(evidence_text);
        draft.diagnostic
    };
    let delayed = draft.action.as_deref() == Some("delayed");
    let kind = if draft.action.as_deref() == Some("delivered") {
        MessageKind::Delivered
    } else {
        draft.kind
    };
    let verdict = classify(&Evidence {
        kind,
        stage,
        outcome: None,
        reply_code,
        status,
        text: &unwrap_reply(&diagnostic),
        delayed,
        hint: draft.hint,
        remote_host: draft.remote_mta.as_deref(),
        fallback: draft.fallback,
    });
    let action = match (kind, draft.action) {
        (MessageKind::AutoReply | MessageKind::Feedback, _) => String::new(),
        (MessageKind::Delivered, _) => "delivered".into(),
        (_, _) if verdict.reason == crate::Reason::Expired => "delayed".into(),
        (_, Some(a)) if !a.is_empty() => match a.as_str() {
            "expired" => "delayed".into(),
            "failure" => "failed".into(),
            other => other.to_owned(),
        },
        _ => "failed".into(),
    };
    Record {
        recipient: draft.recipient,
        kind,
        action,
        status,
        reply_code,
        stage,
        diagnostic,
        remote_mta: draft.remote_mta,
        feedback_type: draft.feedback_type,
        verdict,
    }
}
