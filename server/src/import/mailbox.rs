//! Bounce messages from a mailbox: the messages that came back to the
//! sender's address (an `.eml` file each, or the messages of an mbox split
//! with [`bounce::message::split_mbox`]), read by the bounce-message reader
//! ([`bounce::message::read`]: RFC 3464 delivery status notifications, the
//! plain-text reports MTAs send instead, RFC 3834 auto-replies and RFC 5965
//! complaint reports) into one result per recipient:
//!
//! | the reader's record | here |
//! |---|---|
//! | DSN `Action: failed` (and plain-text bounces) | failed |
//! | DSN `Action: delayed` | deferred, unless the message's DSN fields say `failed` (or `expired`) and never `delayed` (see below) |
//! | DSN `Action: delivered`, `relayed`, `expanded` | delivered |
//! | a complaint (ARF feedback report) | complaint; the feedback types `not-spam` (RFC 6430) and `auth-failure` (RFC 6591) are no complaint and not a delivery result |
//! | an auto-reply (out of office) | not a delivery result |
//! | a message that is no bounce at all (no records) | one item, not a delivery result |
//!
//! The reader calls the action of every record it judges "retries ran out"
//! `delayed`, also when the DSN said `failed`; a message whose DSN fields
//! say `Action: failed` (or the non-standard `expired`) and none
//! `Action: delayed` gave up, so such a record is a failure. A plain-text
//! report with no DSN fields that the reader judges so stays a deferral:
//! nothing in it tells a warning from the final notice.
//!
//! The time is the bounce message's own `Date:` header (RFC 2822/5322, with
//! or without a comment such as `(CET)`; a day name that does not match the
//! date is ignored). The text is the remote server's words as the report
//! gives them, at most 2,000 characters (a report's own prose can run long).
//! The stage is the one the report shows (`in reply to RCPT TO command`),
//! else "after delivery": the failure came back by mail; deliveries were
//! accepted at DATA.
//!
//! The quoted original links the result: its `Message-ID` is the message
//! id; a campaign header (`X-Campaign-ID`, `X-Campaign`...) is the campaign
//! id when it is a number above zero, else the campaign tag.
//!
//! A report that names no recipient (complaint reports often redact it)
//! gets it back from a VERP address when there is one: the original's
//! `Return-Path`, else the bounce's own `Delivered-To`, `X-Original-To`,
//! `Envelope-to` or `To`, in Postfix's default VERP encoding
//! (`sender+jan.devries=ziggo.nl@news.example.com` for `jan.devries@ziggo.nl`,
//! Postfix's VERP_README). Other encodings are not read.
//!
//! The key is the bounce message's own `Message-ID` with the recipient;
//! a message without one is keyed by a 64-bit FNV-1a hash of its bytes and
//! the recipient, so importing the same mailbox again stores nothing twice.

use std::borrow::Cow;

use bounce::delivery::{DeliveryResult, ResultKind};
use bounce::message::{Original, Record};
use bounce::{EmailAddress, MessageKind, Stage};
use chrono::{DateTime, Utc};

use super::{Item, short};

/// What tells a mailbox of bounces apart: the report content types and
/// the headers of bounce messages, and an mbox's `From MAILER-DAEMON` line.
pub const SIGNS: &[&str] = &[
    "report-type=delivery-status",
    "report-type=\"delivery-status\"",
    "report-type=feedback-report",
    "report-type=\"feedback-report\"",
    "Content-Type: message/delivery-status",
    "X-Failed-Recipients:",
    "From MAILER-DAEMON ",
];

/// The `source` of the results read here.
pub const SOURCE: &str = "mailbox";

/// The longest text kept, in characters.
const TEXT_LIMIT: usize = 2_000;

/// ARF feedback types that report no complaint.
const NOT_COMPLAINTS: [&str; 2] = ["not-spam", "auth-failure"];

/// The reader's stand-in for a complaint whose recipient is not named.
const UNNAMED: &str = "undisclosed-recipients@invalid";

/// The longest `Date:` value tried (a real one is under 50 characters).
const DATE_LIMIT: usize = 256;

/// Headers of the bounce itself that can hold the VERP address it was
/// returned to, most telling first.
const ENVELOPE_HEADERS: [&str; 4] = ["delivered-to", "x-original-to", "envelope-to", "to"];

/// The items of ONE message (not an mbox: split one with
/// [`bounce::message::split_mbox`] first): a result per recipient the
/// report names, an item that is no delivery result for auto-replies, and
/// one such item for a message that is no bounce at all.
pub fn items(message: &[u8]) -> Vec<Result<Item, String>> {
    let escaped = escape_from_lines(message);
    let Some(report) = bounce::message::read(&escaped).into_iter().next() else {
        return vec![Ok(Item::Other)];
    };
    if report.records.is_empty() {
        return vec![report.limit.map_or(Ok(Item::Other), |limit| Err(limit.to_string()))];
    }
    let context = Context {
        raw: message,
        at: match header(message, "date") {
            None => Err("the message has no Date header".to_owned()),
            Some(date) => {
                rfc2822(&date).ok_or_else(|| format!("the Date header `{}` is not an RFC 2822 date", short(&date)))
            }
        },
        message_id: header(message, "message-id").and_then(|v| bracketed(&v)),
        envelope: ENVELOPE_HEADERS
            .iter()
            .filter_map(|name| header(message, name))
            .filter_map(|v| bracketed(&v))
            .collect(),
        gave_up: gave_up(message),
    };
    let mut items: Vec<Result<Item, String>> = report
        .records
        .iter()
        .map(|record| result(record, &report.original, &context))
        .collect();
    // Past a cap, what was read is kept and the rest is named as refused.
    items.extend(report.limit.map(|limit| Err(limit.to_string())));
    items
}

/// What every record of a message shares.
struct Context<'a> {
    /// The message as given (for the key of a message without Message-ID).
    raw: &'a [u8],
    /// The message's `Date:`, or why there is none.
    at: Result<DateTime<Utc>, String>,
    /// The message's own `Message-ID`, without angle brackets.
    message_id: Option<String>,
    /// Addresses of the bounce's envelope headers (VERP candidates).
    envelope: Vec<String>,
    /// The DSN fields say the sender gave up (see the module docs).
    gave_up: bool,
}

fn result(r: &Record, original: &Original, cx: &Context<'_>) -> Result<Item, String> {
    let kind = match r.kind {
        MessageKind::AutoReply => return Ok(Item::Other),
        MessageKind::Feedback if r.feedback_type.as_deref().is_some_and(|t| NOT_COMPLAINTS.contains(&t)) => {
            return Ok(Item::Other);
        }
        MessageKind::Feedback => ResultKind::Complaint,
        MessageKind::Delivered => ResultKind::Delivered,
        MessageKind::Failure => match r.action.as_str() {
            "delivered" | "relayed" | "expanded" => ResultKind::Delivered,
            "delayed" if cx.gave_up => ResultKind::Failed,
            "delayed" => ResultKind::Deferred,
            _ => ResultKind::Failed,
        },
    };
    let recipient = recipient(r, original, cx)?;
    let at = cx.at.clone()?;
    let campaign = original
        .campaign
        .as_deref()
        .map(|c| c.trim().trim_matches('"').trim())
        .filter(|c| !c.is_empty());
    let number = campaign.and_then(|c| c.parse::<i64>().ok());
    let stage = match kind {
        ResultKind::Delivered => Some(Stage::Data),
        ResultKind::Complaint => None,
        ResultKind::Deferred | ResultKind::Failed => r.stage.or(Some(Stage::AfterDelivery)),
    };
    let source_event_id = match &cx.message_id {
        Some(id) => format!("{id}:{recipient}"),
        None => format!("{:016x}", fnv1a(&[cx.raw, recipient.as_str().as_bytes()])),
    };
    Ok(Item::Result(Box::new(DeliveryResult {
        recipient,
        at,
        kind,
        stage,
        reply_code: r.reply_code,
        status: r.status,
        text: r.diagnostic.chars().take(TEXT_LIMIT).collect(),
        remote_mta: r.remote_mta.clone(),
        campaign_id: number.filter(|id| *id > 0),
        campaign_tag: match number {
            Some(_) => None,
            None => campaign.map(str::to_owned),
        },
        message_id: original
            .message_id
            .as_deref()
            .map(|m| m.trim().trim_matches(['<', '>']).trim())
            .filter(|m| !m.is_empty())
            .map(str::to_owned),
        source: SOURCE.into(),
        source_event_id,
    })))
}

/// The record's recipient, or one recovered from a VERP address when the
/// report names none that can be read.
fn recipient(r: &Record, original: &Original, cx: &Context<'_>) -> Result<EmailAddress, String> {
    let named = if r.recipient == UNNAMED {
        Err(None)
    } else {
        r.recipient
            .parse::<EmailAddress>()
            .map_err(|e: bounce::ParseError| Some(e.problem))
    };
    let problem = match named {
        Ok(address) => return Ok(address),
        Err(problem) => problem,
    };
    original
        .return_path
        .iter()
        .chain(cx.envelope.iter())
        .find_map(|address| verp(address))
        .ok_or_else(|| match problem {
            Some(problem) if !r.recipient.trim().is_empty() => {
                format!("recipient `{}`: {problem}", short(&r.recipient))
            }
            _ => "the report names no recipient (and no VERP address does)".to_owned(),
        })
}

/// The recipient a VERP address encodes, in Postfix's default form
/// `prefix+local=domain@host`: the part after the first `+` of the local
/// part, split at its last `=` (a domain holds no `=`).
fn verp(address: &str) -> Option<EmailAddress> {
    let (local, host) = address.trim().rsplit_once('@')?;
    let (prefix, encoded) = local.split_once('+')?;
    let (rcpt_local, rcpt_domain) = encoded.rsplit_once('=')?;
    if host.is_empty() || prefix.is_empty() || rcpt_local.is_empty() || rcpt_domain.is_empty() {
        return None;
    }
    format!("{rcpt_local}@{rcpt_domain}").parse().ok()
}

/// The message with every line that starts with `From ` after the first
/// escaped (`>From `), as mboxrd does: the reader splits its input at such
/// lines, and this is one message whose body may hold one.
fn escape_from_lines(message: &[u8]) -> Cow<'_, [u8]> {
    const LINE: &[u8] = b"\nFrom ";
    if !message.windows(LINE.len()).any(|w| w == LINE) {
        return Cow::Borrowed(message);
    }
    let mut out = Vec::with_capacity(message.len() + 64);
    for (i, &byte) in message.iter().enumerate() {
        out.push(byte);
        if byte == b'\n' && message.get(i + 1..).is_some_and(|rest| rest.starts_with(b"From ")) {
            out.push(b'>');
        }
    }
    Cow::Owned(out)
}

/// The lines of the message's own header block: up to the first empty
/// line, an mbox `From ` line before it skipped, line ends removed.
fn header_lines(message: &[u8]) -> impl Iterator<Item = &[u8]> {
    message
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .enumerate()
        .skip_while(|(i, line)| *i == 0 && line.starts_with(b"From "))
        .map(|(_, line)| line)
        .take_while(|line| !line.iter().all(u8::is_ascii_whitespace))
}

/// The first value of a header of the message itself, unfolded; `name` in
/// lower case. Only the header block is read.
fn header(message: &[u8], name: &str) -> Option<String> {
    let mut value: Option<String> = None;
    for line in header_lines(message) {
        let continued = matches!(line.first(), Some(b' ' | b'\t'));
        if let Some(v) = value.as_mut() {
            if !continued {
                break;
            }
            let more = String::from_utf8_lossy(line);
            if !v.is_empty() {
                v.push(' ');
            }
            v.push_str(more.trim());
        } else if !continued
            && let Some(colon) = line.iter().position(|&b| b == b':')
            && line
                .get(..colon)
                .is_some_and(|field| field.trim_ascii().eq_ignore_ascii_case(name.as_bytes()))
        {
            let rest = line.get(colon + 1..).unwrap_or_default();
            value = Some(String::from_utf8_lossy(rest).trim().to_owned());
        }
    }
    value
}

/// `Name <id@host>` → `id@host`; a value without angle brackets → its
/// first word (without a trailing `,` or `;`).
fn bracketed(value: &str) -> Option<String> {
    let inner = match value.split_once('<') {
        Some((_, rest)) => rest.split_once('>').map_or(rest, |(inner, _)| inner),
        None => value,
    };
    inner
        .split_whitespace()
        .next()
        .map(|word| word.trim_end_matches([',', ';']))
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
}

/// An RFC 2822 date (`Mon, 30 Nov 2026 10:00:03 +0100 (CET)`) in UTC. A
/// day name that does not match the date is dropped and the date tried
/// again: the date itself is what counts.
fn rfc2822(value: &str) -> Option<DateTime<Utc>> {
    if value.len() > DATE_LIMIT {
        return None;
    }
    let folded = value.split_whitespace().collect::<Vec<_>>().join(" ");
    DateTime::parse_from_rfc2822(&folded)
        .or_else(|_| {
            let undated = folded.split_once(',').map_or(folded.as_str(), |(_, rest)| rest);
            DateTime::parse_from_rfc2822(undated.trim())
        })
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Whether the message's DSN fields say `Action: failed` (or `expired`)
/// and none says `Action: delayed`.
fn gave_up(message: &[u8]) -> bool {
    let (mut failed, mut delayed) = (false, false);
    for line in message.split(|&b| b == b'\n') {
        let line = line.trim_ascii_start();
        let Some(value) = line
            .get(..7)
            .filter(|head| head.eq_ignore_ascii_case(b"action:"))
            .and_then(|_| line.get(7..))
        else {
            continue;
        };
        let word = value
            .trim_ascii()
            .split(|b: &u8| b.is_ascii_whitespace() || *b == b';' || *b == b'(')
            .next()
            .unwrap_or_default();
        if word.eq_ignore_ascii_case(b"delayed") {
            delayed = true;
        } else if word.eq_ignore_ascii_case(b"failed") || word.eq_ignore_ascii_case(b"expired") {
            failed = true;
        }
    }
    failed && !delayed
}

/// The 64-bit FNV-1a hash of the parts, one after the other.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    for part in parts {
        for &byte in *part {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    hash
}

#[cfg(test)]
mod tests;
