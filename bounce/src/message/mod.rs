//! Reading bounce messages: RFC 3464 delivery status notifications, the
//! plain-text reports MTAs send instead, auto-replies (RFC 3834) and
//! complaint reports (ARF, RFC 5965), into one record per recipient.
//!
//! Parsing is pure: bytes in, records out. MIME decoding is done by
//! mail-parser; everything after works on the decoded text line by line,
//! because real reports put their fields anywhere (in the delivery-status
//! part, in a text part, in a mangled multipart).

mod codes;
mod dsn;
pub mod hostile;
mod limits;
mod ses;
mod text;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use mail_parser::{HeaderName, Message, MessageParser, MimeHeaders, PartType};
use regex::Regex;
use serde::Serialize;

use crate::classifier::{Evidence, MessageKind, Verdict, classify};
use crate::{EnhancedStatus, ReplyCode, Stage};
pub use limits::{Limit, MAX_DIAGNOSTIC_BYTES, MAX_MESSAGE_BYTES, MAX_RECIPIENTS};

/// One recipient's result in a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    pub recipient: String,
    pub kind: MessageKind,
    /// The DSN action (`failed`, `delayed`, `delivered`...); empty for
    /// auto-replies and complaints.
    pub action: String,
    pub status: Option<EnhancedStatus>,
    pub reply_code: Option<ReplyCode>,
    pub stage: Option<Stage>,
    /// The remote server's words, white space folded.
    pub diagnostic: String,
    pub remote_mta: Option<String>,
    /// For complaints: the ARF feedback type (`abuse`, `opt-out`...).
    pub feedback_type: Option<String>,
    pub verdict: Verdict,
}

/// Headers of the original message quoted in a report: what links a bounce
/// back to its campaign and contact.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Original {
    pub message_id: Option<String>,
    pub to: Option<String>,
    pub from: Option<String>,
    pub subject: Option<String>,
    /// The envelope sender: with VERP it encodes the recipient.
    pub return_path: Option<String>,
    /// A campaign header (`X-Campaign-ID`, `X-Campaign`, `X-Bouncedesk-Campaign`...).
    pub campaign: Option<String>,
}

/// One message of a file (an mbox holds several), read.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    pub records: Vec<Record>,
    pub original: Original,
    /// The cap this message reached, if any (see [`Limit`]).
    pub limit: Option<Limit>,
}

/// MIME headers and the subject are parsed; every other header is kept raw
/// (read with `header_raw`): parsing `Received:` chains nobody reads cost a
/// fifth of the time.
static PARSER: LazyLock<MessageParser> = LazyLock::new(|| {
    MessageParser::new()
        .with_mime_headers()
        .header_text(HeaderName::Subject)
});

/// Splits an mbox into its messages (a plain message is one). Lines that
/// start with `From ` begin a new message; the separator line is dropped.
pub fn split_mbox(bytes: &[u8]) -> Vec<&[u8]> {
    if !bytes.starts_with(b"From ") && memchr::memmem::find(bytes, b"\nFrom ").is_none() {
        return vec![bytes];
    }
    let mut messages = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while at < bytes.len() {
        let line_end = bytes[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |p| at + p + 1);
        if bytes[at..].starts_with(b"From ") {
            if at > start && bytes[start..at].iter().any(|b| !b.is_ascii_whitespace()) {
                messages.push(&bytes[start..at]);
            }
            start = line_end;
        }
        at = line_end;
    }
    if start < bytes.len() && bytes[start..].iter().any(|b| !b.is_ascii_whitespace()) {
        messages.push(&bytes[start..]);
    }
    messages
}

/// Reads every message in `bytes` (a single message or an mbox).
pub fn read(bytes: &[u8]) -> Vec<Report> {
    split_mbox(bytes).into_iter().map(read_message).collect()
}

/// Everything the report part of a message says, flattened.
#[derive(Default)]
struct Flat {
    report: String,
    delivery_status: String,
    feedback: String,
    original: Original,
    original_seen: bool,
}

/// Lines that introduce a quoted original message inside a report's text;
/// `true` when the line must start with dashes ("----- Original Message").
const ORIGINAL_MARKERS: &[(&str, bool)] = &[
    ("original message headers:", false),
    ("original message header", true),
    ("original message follows", false),
    ("original message:", false),
    ("original message", true),
    ("original mail info", true),
    ("original mail as follows", false),
    ("this is a copy of the message's headers", true),
    ("this is a copy of the message", true),
    ("this is a copy of your message", true),
    ("below this line is a copy of the message", true),
    ("enclosed is a copy of the message", true),
    ("message headers follow", false),
    ("the header of the original message is following", true),
    ("included is a copy of the message header", false),
    ("returned message", true),
    ("the attachment contains the original mail headers", false),
    ("content-type: message/rfc822", false),
    ("unsent message below", true),
    ("forwarded message", true),
    ("your message reads (in part)", false),
];

/// Where a quoted original begins in `report`: the start of the marker's
/// line and the end of that line (the rest of a marker line is words and
/// dashes, as in Exim's `------ This is a copy of the message, including
/// all the headers. ------`; the headers start on the next line). A marker
/// counts only at the start of a line (after white space and dashes);
/// checking line starts is far cheaper than searching the whole text.
fn inline_original(report: &str) -> Option<(usize, usize)> {
    let mut line_start = 0;
    for line in report.split_inclusive('\n') {
        let lead = line.len() - line.trim_start_matches([' ', '\t', '-']).len();
        let rest = &line[lead..];
        let dashed = line[..lead].contains('-');
        let found = ORIGINAL_MARKERS.iter().find(|(marker, needs_dash)| {
            rest.get(..marker.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(marker))
                && (dashed || !needs_dash)
        });
        if found.is_some() {
            return Some((line_start, line_start + line.len()));
        }
        line_start += line.len();
    }
    None
}

fn header_text(message: &Message<'_>, name: &str) -> Option<String> {
    message
        .header_raw(name)
        .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn first_address(message: &Message<'_>, name: &str) -> Option<String> {
    let raw = message.header_raw(name)?;
    // The first `<...>` holding an address, else the bare value: a byte scan,
    // since this runs for several headers of every message.
    let mut rest = raw;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else { break };
        if let Some(address) = dsn::address(&rest[open + 1..open + close]) {
            return Some(address);
        }
        rest = &rest[open + close..];
    }
    dsn::address(raw)
}

/// Headers that can name the campaign of an original, most specific first.
const CAMPAIGN_HEADERS: &[&str] = &[
    "x-bouncedesk-campaign",
    "x-campaign-id",
    "x-campaign",
    "x-mailgun-campaign-id",
    "x-job",
];

/// The original's headers that [`original_of`] reads.
const ORIGINAL_HEADERS: &[&str] = &["message-id", "to", "from", "subject", "return-path"];

fn original_of(message: &Message<'_>) -> Original {
    let campaign = CAMPAIGN_HEADERS.iter().find_map(|h| header_text(message, h));
    Original {
        message_id: header_text(message, "message-id").map(|m| m.trim_matches(['<', '>']).to_owned()),
        to: first_address(message, "to"),
        from: first_address(message, "from"),
        subject: message.subject().map(str::to_owned),
        return_path: first_address(message, "return-path"),
        campaign,
    }
}

fn flatten(message: &Message<'_>) -> Flat {
    let mut flat = Flat::default();
    let mut html = String::new();
    for part in &message.parts {
        let (ctype, subtype) = part
            .content_type()
            .map(|c| {
                (
                    c.ctype().to_ascii_lowercase(),
                    c.subtype().unwrap_or("").to_ascii_lowercase(),
                )
            })
            .unwrap_or_else(|| ("text".into(), "plain".into()));
        match &part.body {
            PartType::Multipart(_) => {}
            PartType::Message(inner) => {
                if !flat.original_seen {
                    flat.original = original_of(inner);
                    flat.original_seen = true;
                }
            }
            PartType::Binary(bytes) | PartType::InlineBinary(bytes) => {
                // Only report parts are text; attachments are never decoded.
                let decoded = || iso_2022_jp(String::from_utf8_lossy(bytes));
                match (ctype.as_str(), subtype.as_str()) {
                    ("message", "delivery-status" | "global-delivery-status") => {
                        flat.delivery_status.push_str(&decoded());
                        flat.delivery_status.push_str("\n\n");
                    }
                    ("message", "feedback-report") => flat.feedback.push_str(&decoded()),
                    ("message", "rfc822-headers" | "partial") | ("text", "rfc822-headers" | "rfc822-header") => {
                        take_original_headers(&mut flat, &decoded());
                    }
                    _ => {}
                }
            }
            PartType::Text(body) => {
                // 7-bit ISO-2022-JP arrives undecoded (it is valid ASCII):
                // Japanese servers and Lotus Notes send it without a
                // transfer encoding.
                let body = iso_2022_jp(Cow::Borrowed(body));
                match (ctype.as_str(), subtype.as_str()) {
                    ("text", "rfc822-headers" | "rfc822-header") | ("message", _) => {
                        if subtype == "delivery-status" {
                            flat.delivery_status.push_str(&body);
                        } else if subtype == "feedback-report" {
                            flat.feedback.push_str(&body);
                        } else {
                            take_original_headers(&mut flat, &body);
                        }
                    }
                    _ if !flat.original_seen => {
                        flat.report.push_str(&body);
                        flat.report.push('\n');
                    }
                    _ => {}
                }
            }
            PartType::Html(body) if !flat.original_seen => html.push_str(body),
            PartType::Html(_) => {}
        }
    }
    if flat.report.trim().is_empty() && !html.is_empty() {
        // mail-parser's converter skips <head>, <style> and <script>.
        flat.report = mail_parser::decoders::html::html_to_text(&html);
    }
    // Quoted originals inside the text: keep the report, read the headers.
    if let Some((start, end)) = inline_original(&flat.report) {
        let quoted = flat.report[end..].to_owned();
        flat.report.truncate(start);
        if !flat.original_seen {
            take_original_headers(&mut flat, quoted.trim_start_matches(['-', ' ', '\r', '\n']));
        }
    }
    flat
}

fn take_original_headers(flat: &mut Flat, text: &str) {
    if flat.original_seen {
        return;
    }
    let mut read = Vec::with_capacity(1024);
    keep_read_headers(text.trim_start().as_bytes(), &mut read);
    read.extend_from_slice(b"\n");
    if let Some(parsed) = PARSER.parse_headers(&read[..]) {
        let original = original_of(&parsed);
        if original != Original::default() {
            flat.original = original;
            flat.original_seen = true;
        }
    }
}

/// A recipient found before the codes are worked out.
struct Draft {
    recipient: String,
    action: Option<String>,
    status_field: Option<EnhancedStatus>,
    diagnostic: String,
    remote_mta: Option<String>,
    kind: MessageKind,
    feedback_type: Option<String>,
    /// The sending MTA's own classification, when its report gives one.
    hint: Option<crate::Reason>,
    /// The stage a transcript showed for this recipient.
    stage: Option<Stage>,
}

impl Draft {
    /// A recipient with only a kind and the words about it; the other fields
    /// are filled where a report states them.
    fn new(recipient: String, kind: MessageKind, diagnostic: String) -> Self {
        Draft {
            recipient,
            action: None,
            status_field: None,
            diagnostic,
            remote_mta: None,
            kind,
            feedback_type: None,
            hint: None,
            stage: None,
        }
    }
}

fn fold(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

static CONTINUATION: LazyLock<Regex> = LazyLock::new(|| codes::re(r"\s[245]\d\d[ -](?:[245]\.\d{1,3}\.\d{1,3}\s)?"));

/// Removes the reply-code prefixes of a multi-line reply's continuation
/// lines (`550-5.1.1 double-checking...`), after the first, so that phrases
/// broken across lines match again.
fn unwrap_reply(text: &str) -> String {
    // Continuations look like "550-"; without any "ddd-" there is nothing to
    // do, and the pattern (no literal prefix) would inspect every byte.
    let bytes = text.as_bytes();
    let continued = memchr::memchr_iter(b'-', bytes).any(|i| i >= 3 && bytes[i - 3..i].iter().all(u8::is_ascii_digit));
    if !continued {
        return text.to_owned();
    }
    let mut matches = CONTINUATION.find_iter(text);
    let Some(first) = matches.next() else {
        return text.to_owned();
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
    out
}

fn is_auto_reply(message: &Message<'_>) -> bool {
    let header = |name: &str| header_text(message, name).map(|v| v.to_lowercase()).unwrap_or_default();
    let from = header("from");
    let subject = header("subject");
    if from.contains("mailer-daemon") || from.contains("postmaster") || from.contains("root@") {
        return false;
    }
    if message.header_raw("x-failed-recipients").is_some() {
        return false;
    }
    let bounce_subject = [
        "undeliver",
        "delivery status",
        "delivery fail",
        "delivery notification",
        "returned mail",
        "failure notice",
        "non-delivery",
        "nondelivery",
        "mail delivery",
        "could not be delivered",
        "delivery problem",
    ];
    if bounce_subject.iter().any(|s| subject.contains(s)) {
        return false;
    }
    let auto = header("auto-submitted");
    auto.starts_with("auto-replied")
        || auto.starts_with("auto-generated")
        || auto.starts_with("auto-notified")
        || header("precedence").starts_with("auto_reply")
        || header("x-apple-action").starts_with("vacation")
        || message.header_raw("x-autoreply").is_some()
        || [
            "auto:",
            "auto response",
            "automatic reply",
            "out of office",
            "out of the office",
            "autosvar",
            "automatisch antwoord",
            "abwesenheitsnotiz",
            "réponse automatique",
            "fraværsmelding",
        ]
        .iter()
        .any(|s| subject.starts_with(s))
}

/// A bounce that someone forwarded with every line quoted ("> "): the text
/// with one level of quoting removed, if the report is such a forward.
fn unquote_forwarded(report: &str) -> Option<String> {
    let lower = report.to_ascii_lowercase();
    let marker = ["forwarded message", "original message"]
        .iter()
        .any(|m| lower.contains(m));
    let quoted = report.lines().filter(|l| l.starts_with('>')).count();
    if !marker || quoted < 5 {
        return None;
    }
    let mut out = String::with_capacity(report.len());
    for line in report.lines() {
        let line = match line.strip_prefix('>') {
            Some(rest) => rest.strip_prefix(' ').unwrap_or(rest),
            None => line,
        };
        out.push_str(line);
        out.push('\n');
    }
    Some(out)
}

/// Where an attached message's content type (`message/rfc822`, or RFC 6532's
/// `message/global`) is named: `(start, end)` of the type. A plain byte
/// search for the subtype, then a look back; lower- or upper-case alike.
fn attached_message_type(bytes: &[u8]) -> Option<(usize, usize)> {
    [&b"rfc822"[..], &b"RFC822"[..], &b"global"[..]]
        .iter()
        .find_map(|subtype| {
            memchr::memmem::find_iter(bytes, subtype).find_map(|at| {
                let start = at.checked_sub(8)?;
                bytes[start..at]
                    .eq_ignore_ascii_case(b"message/")
                    .then_some((start, at + subtype.len()))
            })
        })
}

/// The message with the body of its attached original cut out, headers
/// kept. mail-parser parses an attached message completely (every part
/// split and decoded) although only its headers are read here; for the
/// bounce of a newsletter that is most of the work. Anything unexpected
/// leaves the bytes as they are.
fn without_original_body(bytes: &[u8]) -> Cow<'_, [u8]> {
    let Some((type_start, type_end)) = attached_message_type(bytes) else {
        return Cow::Borrowed(bytes);
    };
    let line_start = bytes[..type_start]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let is_part_header = bytes[line_start..type_start]
        .get(..13)
        .is_some_and(|h| h.eq_ignore_ascii_case(b"content-type:"));
    // The delimiter line opening this part: the nearest "--..." line above.
    let delimiter = bytes[..line_start]
        .split(|&b| b == b'\n')
        .rev()
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .find(|l| l.starts_with(b"--") && l.len() > 2);
    let (true, Some(delimiter)) = (is_part_header, delimiter) else {
        return Cow::Borrowed(bytes);
    };
    // A real boundary is declared in a Content-Type parameter above.
    let declared = memchr::memmem::find(&bytes[..line_start], &delimiter[2..])
        .is_some_and(|at| bytes[..at].ends_with(b"boundary=") || bytes[..at].ends_with(b"boundary=\""));
    let blank = |from: usize| {
        let rest = &bytes[from..];
        let lf = memchr::memmem::find(rest, b"\n\n").map(|i| from + i + 2);
        let crlf = memchr::memmem::find(rest, b"\n\r\n").map(|i| from + i + 3);
        match (lf, crlf) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    };
    let mut closing = Vec::with_capacity(delimiter.len() + 1);
    closing.push(b'\n');
    closing.extend_from_slice(delimiter);
    // The part ends at the next delimiter; an original with no body (no
    // blank line before that) has nothing to cut.
    let Some(body_end) = memchr::memmem::find(&bytes[type_end..], &closing).map(|i| type_end + i) else {
        return Cow::Borrowed(bytes);
    };
    let Some(body_start) = blank(type_end).and_then(blank) else {
        return Cow::Borrowed(bytes);
    };
    if !declared || body_start >= body_end {
        return Cow::Borrowed(bytes);
    }
    let Some(nested_start) = blank(type_end) else {
        return Cow::Borrowed(bytes);
    };
    let mut out = Vec::with_capacity(nested_start + 1024 + (bytes.len() - body_end));
    out.extend_from_slice(&bytes[..nested_start]);
    keep_read_headers(&bytes[nested_start..body_start], &mut out);
    out.extend_from_slice(b"\n");
    out.extend_from_slice(&bytes[body_end..]);
    Cow::Owned(out)
}

/// Copies, of an original's header block, only the fields [`original_of`]
/// reads, with their continuation lines: Received chains and signatures are
/// most of a header block and nothing here reads them.
fn keep_read_headers(block: &[u8], out: &mut Vec<u8>) {
    let mut keep = false;
    for line in block.split_inclusive(|&b| b == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            break;
        }
        let continued = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        if !continued {
            let name = line.split(|&b| b == b':').next().unwrap_or_default();
            keep = line.contains(&b':')
                && ORIGINAL_HEADERS
                    .iter()
                    .chain(CAMPAIGN_HEADERS)
                    .any(|h| name.eq_ignore_ascii_case(h.as_bytes()));
        }
        if keep {
            out.extend_from_slice(line);
        }
    }
}

/// The text after the header block, without MIME boundaries and part
/// headers.
fn raw_body(bytes: &[u8]) -> String {
    let start = memchr::memmem::find(bytes, b"\n\n")
        .or_else(|| memchr::memmem::find(bytes, b"\r\n\r\n"))
        .unwrap_or(bytes.len());
    let text = iso_2022_jp(String::from_utf8_lossy(&bytes[start..]));
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let trimmed = line.trim_start();
        let boundary = trimmed.starts_with("--") && !trimmed.contains(' ');
        let part_header =
            trimmed.get(..8).is_some_and(|h| h.eq_ignore_ascii_case("content-")) || trimmed.starts_with("boundary=");
        if !boundary && !part_header {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Decodes text that carries ISO-2022-JP escape sequences; other text is
/// returned as it is.
fn iso_2022_jp(text: Cow<'_, str>) -> Cow<'_, str> {
    if !text.contains('\x1b') || !(text.contains("\x1b$B") || text.contains("\x1b$@")) {
        return text;
    }
    match mail_parser::decoders::charsets::map::charset_decoder(b"iso-2022-jp") {
        Some(decode) => Cow::Owned(decode(text.as_bytes())),
        None => text,
    }
}

/// Whether a message without DSN fields is a bounce at all: sent by a mail
/// system, titled like one, or worded like one. An ordinary message that
/// merely quotes another one is not.
fn looks_like_bounce(message: &Message<'_>, flat: &Flat) -> bool {
    let header = |name: &str| header_text(message, name).map(|v| v.to_lowercase()).unwrap_or_default();
    let from = header("from");
    let subject = header("subject");
    if message.header_raw("x-failed-recipients").is_some() {
        return true;
    }
    let system_senders = [
        "mailer-daemon",
        "postmaster",
        "post_master",
        "mail delivery",
        "maildelivery",
        "mail-daemon",
        "daemon@",
        "root@",
        "bounce",
        "mail administrator",
        "nobody@",
        "mailmaster",
        "noreply",
        "no-reply",
        "mailer@",
    ];
    if system_senders.iter().any(|s| from.contains(s)) {
        return true;
    }
    let bounce_subjects = [
        "undeliver",
        "undelivered",
        "delivery",
        "returned mail",
        "failure",
        "failed",
        "non-delivery",
        "nondelivery",
        "mail system error",
        "rejected",
        "could not",
        "not delivered",
        "error",
        "warning",
        "bounce",
        "unzustellbar",
        "fehlgeschlagen",
        "onbestelbaar",
        "kunne ikke leveres",
        "non remis",
        "delivery status",
        "notification",
        "returned",
        "mail failure",
        "problem",
        "loop alert",
    ];
    if bounce_subjects.iter().any(|s| subject.contains(s)) {
        return true;
    }
    let report = flat.report.to_ascii_lowercase();
    [
        "could not be delivered",
        "permanent error",
        "delivery to the following recipient",
        "this is the mail system",
        "undeliverable",
        "delivery has failed",
        "was not delivered",
        "unable to deliver",
        "giving up",
        "user unknown",
        "mailbox unavailable",
        "smtp error",
    ]
    .iter()
    .any(|p| report.contains(p))
}

fn read_message(bytes: &[u8]) -> Report {
    if bytes.len() > MAX_MESSAGE_BYTES {
        return Report {
            limit: Some(Limit::Size { bytes: bytes.len() }),
            ..Report::default()
        };
    }
    let trimmed = without_original_body(bytes);
    let Some(message) = PARSER.parse(&trimmed[..]) else {
        return Report::default();
    };
    let mut flat = flatten(&message);
    if flat.report.trim().is_empty() && flat.delivery_status.is_empty() {
        // A broken MIME structure (a boundary parameter on an unfolded line)
        // hides every part; the raw body still says what happened.
        flat.report = raw_body(bytes);
    }
    let (mut drafts, named) = drafts(&message, &flat);
    drafts.truncate(MAX_RECIPIENTS);
    let single = drafts.len() == 1;
    let lda = lda_line(&flat.report);
    let cap = limits::diagnostic_cap(bytes.len(), drafts.len());
    let records = drafts
        .into_iter()
        .map(|d| finish(d, &flat, single, lda.as_deref(), cap))
        .collect();
    Report {
        records,
        original: flat.original,
        limit: (named > MAX_RECIPIENTS).then_some(Limit::Recipients { named }),
    }
}

/// The recipients of a message (at most [`MAX_RECIPIENTS`] of them, though
/// a caller truncates again), and how many distinct ones it names.
fn drafts(message: &Message<'_>, flat: &Flat) -> (Vec<Draft>, usize) {
    let is_feedback = message
        .content_type()
        .and_then(|c| c.attribute("report-type"))
        .is_some_and(|t| t.eq_ignore_ascii_case("feedback-report"))
        || !flat.feedback.is_empty();
    if is_feedback {
        return feedback_drafts(flat);
    }
    if (flat.report.contains("\"notificationType\"") || flat.report.contains("\"eventType\""))
        && let Some(drafts) = ses::drafts(&flat.report)
    {
        let named = drafts.len();
        return (drafts, named);
    }
    let dsn_source = format!("{}\n\n{}", flat.delivery_status, flat.report);
    let mut groups = dsn::groups(&dsn_source);
    let forwarded = if groups.is_empty() {
        unquote_forwarded(&flat.report)
    } else {
        None
    };
    let report = forwarded.as_deref().unwrap_or(&flat.report);
    if forwarded.is_some() {
        groups = dsn::groups(report);
    }
    let blocks = text::blocks(report);
    let block_of: HashMap<&str, &text::Block> = blocks.iter().map(|b| (b.address.as_str(), b)).collect();
    let mut drafts: Vec<Draft> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    // Groups that name no address (Exim's delivery to a file): their fields
    // belong to the one recipient the text names, if it names one.
    let mut unnamed: Vec<dsn::DsnGroup> = Vec::new();
    for group in groups {
        let Some(recipient) = group.recipient.as_deref().and_then(dsn::recipient) else {
            unnamed.push(group);
            continue;
        };
        if !seen.insert(recipient.clone()) || drafts.len() >= MAX_RECIPIENTS {
            continue;
        }
        let diagnostic = group
            .diagnostic
            .as_deref()
            .map(dsn::diagnostic_text)
            .unwrap_or_default();
        let block_of = block_of.get(recipient.as_str()).copied();
        let block = block_of.map(|b| fold(&b.text));
        let diagnostic = match block {
            Some(block) if diagnostic.is_empty() || block.contains(&diagnostic) => block,
            Some(block) if !block.is_empty() && codes::find_stage(&block).is_some() => format!("{block} {diagnostic}"),
            _ => diagnostic,
        };
        drafts.push(Draft {
            recipient,
            action: group
                .action
                .map(|a| a.split_whitespace().next().unwrap_or("").to_lowercase()),
            status_field: group.status.as_deref().and_then(codes::find_status),
            diagnostic,
            remote_mta: group.remote_mta.as_deref().and_then(dsn::host),
            kind: MessageKind::Failure,
            feedback_type: None,
            hint: group.vendor_category.as_deref().and_then(crate::rules::vendor_category),
            stage: block_of.and_then(|b| b.stage),
        });
    }
    if !drafts.is_empty() {
        return (drafts, seen.len());
    }
    if is_auto_reply(message) {
        let recipient = first_address(message, "from").or_else(|| first_address(message, "return-path"));
        let drafts: Vec<Draft> = recipient
            .map(|recipient| Draft::new(recipient, MessageKind::AutoReply, fold(&flat.report)))
            .into_iter()
            .collect();
        let named = drafts.len();
        return (drafts, named);
    }
    if !looks_like_bounce(message, flat) {
        return (Vec::new(), 0);
    }
    let own: Vec<String> = ["to", "delivered-to"]
        .iter()
        .filter_map(|h| first_address(message, h))
        .collect();
    let ours = |a: &String| {
        own.contains(a) || flat.original.from.as_ref() == Some(a) || flat.original.return_path.as_ref() == Some(a)
    };
    // A role account named in a "could not deliver to" sentence is the
    // recipient; anywhere else it is who to contact.
    let excluded = |a: &String| text::is_role_account(a) || ours(a);
    let failed_header: Vec<String> = header_text(message, "x-failed-recipients")
        .map(|v| v.split(',').filter_map(dsn::address).collect())
        .unwrap_or_default();
    let candidates: Vec<(String, String, Option<Stage>)> = if !blocks.is_empty() {
        blocks
            .into_iter()
            .map(|b| (b.address, fold(&b.text), b.stage))
            .collect()
    } else {
        let mut addresses = failed_header;
        if addresses.is_empty() {
            addresses = text::sentence_addresses(report)
                .into_iter()
                .filter(|a| !ours(a))
                .collect();
        }
        if addresses.is_empty() {
            addresses = text::bracketed_addresses(report)
                .into_iter()
                .filter(|a| !excluded(a))
                .take(1)
                .collect();
        }
        if addresses.is_empty()
            && let Some(to) = flat.original.to.clone()
        {
            addresses.push(to);
        }
        addresses.into_iter().map(|a| (a, String::new(), None)).collect()
    };
    let only_group = (candidates.len() == 1 && unnamed.len() == 1).then(|| unnamed.remove(0));
    let named = candidates.len();
    let drafts = candidates
        .into_iter()
        .take(MAX_RECIPIENTS)
        .map(|(recipient, diagnostic, stage)| {
            let draft = Draft {
                stage,
                ..Draft::new(recipient, MessageKind::Failure, diagnostic)
            };
            match &only_group {
                Some(group) => Draft {
                    action: group.action.as_deref().map(|a| a.trim().to_lowercase()),
                    status_field: group.status.as_deref().and_then(codes::find_status),
                    ..draft
                },
                None => draft,
            }
        })
        .collect();
    (drafts, named)
}

/// The complained-of recipients of an ARF report, each once, all with the
/// report's words (folded and cut once, not once per recipient).
fn feedback_drafts(flat: &Flat) -> (Vec<Draft>, usize) {
    let mut recipients = Vec::new();
    let mut seen = HashSet::new();
    let mut feedback_type = None;
    for line in flat.feedback.lines() {
        if let Some((name, value)) = line.split_once(':') {
            match name.trim().to_ascii_lowercase().as_str() {
                "original-rcpt-to" => recipients.extend(dsn::address(value).filter(|a| seen.insert(a.clone()))),
                "feedback-type" => feedback_type = Some(value.trim().to_lowercase()),
                _ => {}
            }
        }
    }
    if recipients.is_empty() {
        recipients.extend(flat.original.to.clone());
    }
    if recipients.is_empty() {
        recipients.push("undisclosed-recipients@invalid".to_owned());
    }
    let named = recipients.len();
    let mut words = fold(&flat.report);
    limits::cut(&mut words, MAX_DIAGNOSTIC_BYTES);
    let drafts = recipients
        .into_iter()
        .take(MAX_RECIPIENTS)
        .map(|recipient| Draft {
            feedback_type: feedback_type.clone(),
            ..Draft::new(recipient, MessageKind::Feedback, words.clone())
        })
        .collect();
    (drafts, named)
}

/// A local delivery agent's own line ("mail.local: unknown user: x",
/// dovecot's "was automatically rejected:" followed by the reason) is the real
/// diagnostic when a report quotes one: the SMTP codes around it are the
/// relaying server's, not the mailbox's.
fn lda_line(report: &str) -> Option<String> {
    const AGENTS: &[&str] = &[
        "mail.local: ",
        "procmail: ",
        "maildrop: ",
        "vdelivermail: ",
        "vdeliver: ",
    ];
    const SIEVE: &str = "was automatically rejected:";
    let starts = |line: &str, prefix: &str| line.get(..prefix.len()).is_some_and(|h| h.eq_ignore_ascii_case(prefix));
    let mut lines = report.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if AGENTS.iter().any(|p| starts(line, p)) {
            return Some(line.to_owned());
        }
        let tail = line.len().checked_sub(SIEVE.len()).and_then(|at| line.get(at..));
        if tail.is_some_and(|t| t.eq_ignore_ascii_case(SIEVE)) {
            return lines.find(|l| !l.is_empty()).map(str::to_owned);
        }
    }
    None
}

/// Works out one recipient's codes, stage and verdict. `cap` bounds its
/// diagnostic (see `limits::diagnostic_cap`); the verdict is made from the
/// text that is kept, so what is shown explains it.
fn finish(mut draft: Draft, flat: &Flat, single: bool, lda: Option<&str>, cap: usize) -> Record {
    if draft.kind == MessageKind::Failure
        && let Some(line) = lda
    {
        let record = finish(
            Draft {
                diagnostic: line.to_owned(),
                ..draft
            },
            &Flat::default(),
            false,
            None,
            cap,
        );
        return Record {
            reply_code: None,
            ..record
        };
    }
    limits::cut(&mut draft.diagnostic, cap);
    let mut evidence_text = draft.diagnostic.clone();
    let mut in_text = codes::find_status(&evidence_text);
    let mut first_reply = codes::find_reply(&evidence_text, None);
    if single && in_text.is_none() && first_reply.is_none() && draft.kind == MessageKind::Failure {
        // A lone recipient's error is often stated elsewhere in the report.
        evidence_text = fold(&flat.report);
        in_text = codes::find_status(&evidence_text);
        first_reply = codes::find_reply(&evidence_text, None);
    }
    let (status, reply_code, stage) = if matches!(draft.kind, MessageKind::Failure | MessageKind::Delivered) {
        let status = codes::prefer(draft.status_field, in_text, first_reply);
        let reply = match status {
            Some(s) => codes::find_reply(&evidence_text, Some(s.class())),
            None => first_reply,
        };
        let stage = draft
            .stage
            .or_else(|| codes::find_stage(&draft.diagnostic))
            .or_else(|| if single { codes::find_stage(&flat.report) } else { None });
        (status, reply, stage)
    } else {
        (None, None, None)
    };
    let diagnostic = if draft.diagnostic.is_empty() && draft.kind == MessageKind::Failure {
        let mut text = evidence_text;
        limits::cut(&mut text, cap);
        text
    } else {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Reason;

    const POSTFIX_DSN: &str = "From: MAILER-DAEMON@mx.example.com (Mail Delivery System)\r\n\
To: bounce@news.example.com\r\nSubject: Undelivered Mail Returned to Sender\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\nMIME-Version: 1.0\r\n\r\n\
--B\r\nContent-Type: text/plain\r\n\r\nThis is the mail system at host mx.example.com.\r\n\r\n\
<kari@online.no>: host mx.online.no[192.0.2.1] said: 550 5.1.1 <kari@online.no>:\r\n\
    Recipient address rejected: Mottakeradressen finnes ikke (in reply to RCPT TO command)\r\n\r\n\
--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\n\
Final-Recipient: rfc822; kari@online.no\r\nAction: failed\r\nStatus: 5.1.1\r\n\
Remote-MTA: dns; mx.online.no\r\nDiagnostic-Code: smtp; 550 5.1.1 <kari@online.no>: Recipient address\r\n\
    rejected: Mottakeradressen finnes ikke\r\n\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\n\
Message-ID: <abc123@news.example.com>\r\nFrom: news@news.example.com\r\nTo: kari@online.no\r\n\
X-Campaign-ID: spring-2026\r\nSubject: Vårnyheter\r\n\r\n--B--\r\n";

    #[test]
    fn reads_a_postfix_dsn_with_its_text_block_and_original_headers() {
        let reports = read(POSTFIX_DSN.as_bytes());

        assert_eq!(reports.len(), 1);
        let r = &reports[0].records[0];
        assert_eq!(r.recipient, "kari@online.no");
        assert_eq!(r.status.map(|s| s.to_string()).as_deref(), Some("5.1.1"));
        assert_eq!(r.reply_code.map(ReplyCode::get), Some(550));
        assert_eq!(r.stage, Some(Stage::RcptTo));
        assert_eq!(r.remote_mta.as_deref(), Some("mx.online.no"));
        assert_eq!(r.verdict.reason, Reason::UserUnknown);
        assert_eq!(r.action, "failed");
        let original = &reports[0].original;
        assert_eq!(original.message_id.as_deref(), Some("abc123@news.example.com"));
        assert_eq!(original.campaign.as_deref(), Some("spring-2026"));
    }

    #[test]
    fn an_auto_reply_is_vacation_not_a_bounce() {
        let mail = "From: Sanne Bakker <sanne@ziggo.nl>\nTo: news@example.com\nSubject: Automatisch antwoord: Nieuwsbrief\nAuto-Submitted: auto-replied\n\nIk ben afwezig tot maandag.\n";

        let reports = read(mail.as_bytes());

        let r = &reports[0].records[0];
        assert_eq!(
            (r.recipient.as_str(), r.verdict.reason),
            ("sanne@ziggo.nl", Reason::Vacation)
        );
        assert_eq!(r.verdict.class, crate::BounceClass::None);
    }

    #[test]
    fn local_delivery_agent_lines_are_the_diagnostic() {
        assert_eq!(
            lda_line("The original message...\nmail.local: unknown user: kijitora\n").as_deref(),
            Some("mail.local: unknown user: kijitora")
        );
        assert_eq!(
            lda_line("Your message to <neko> was automatically rejected:\nNot enough disk space\n").as_deref(),
            Some("Not enough disk space")
        );
        assert_eq!(lda_line("host said: 550 user unknown"), None);
    }

    #[test]
    fn mbox_files_split_into_messages() {
        let mbox = b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\nSubject: a\n\nx\nFrom MAILER-DAEMON Thu Jan  1 00:00:01 2026\nSubject: b\n\ny\n";
        assert_eq!(split_mbox(mbox).len(), 2);
        assert_eq!(split_mbox(b"Subject: plain\n\nbody").len(), 1);
    }

    #[test]
    fn the_sending_mtas_own_category_decides_and_role_recipients_are_kept() {
        // PowerMTA says bad-mailbox although 5.2.1 alone would read as filtered.
        let powermta = "From: MAILER-DAEMON@mta.example.net\nSubject: Delivery report\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"R\"\n\n--R\n\
Content-Type: message/delivery-status\n\nReporting-MTA: dns; mta.example.net\n\n\
Final-Recipient: rfc822;anna@example.se\nAction: failed\nStatus: 5.2.1\n\
Diagnostic-Code: smtp;550 5.2.1 <anna@example.se>... User Unknown\n\
X-PowerMTA-BounceCategory: bad-mailbox\n\n--R--\n";
        let dma = "From: MAILER-DAEMON <>\nSubject: Mail delivery failed\n\n\
There was an error delivering your mail to <postmaster@shop.example.org>.\n\n\
DNS lookup failure: host shop.example.org not found\n";

        let powermta = &read(powermta.as_bytes())[0].records;
        let dma = &read(dma.as_bytes())[0].records;

        assert_eq!(powermta[0].verdict.reason, Reason::UserUnknown);
        assert_eq!(dma.len(), 1);
        assert_eq!(dma[0].recipient, "postmaster@shop.example.org");
        assert_eq!(dma[0].verdict.reason, Reason::HostUnknown);
    }

    #[test]
    fn quoted_originals_start_at_a_marker_line() {
        let report = "550 user unknown\n\n----- Original Message -----\nFrom: a@b.nl\n";
        let (start, end) = inline_original(report).expect("a marker line");
        assert_eq!(&report[..start], "550 user unknown\n\n");
        assert!(report[end..].starts_with("From"));
        let exim = "Mailbox unavailable\n------ This is a copy of the message, including all the headers. ------\nMessage-ID: <m1@x.nl>\n";
        let (_, end) = inline_original(exim).expect("Exim's marker line");
        assert!(
            exim[end..].starts_with("Message-ID:"),
            "the headers start on the next line"
        );
        // Markers that need a rule of dashes do not count in prose.
        assert_eq!(inline_original("Returned message was too large\n"), None);
        assert_eq!(inline_original("The forwarded message follows\n"), None);
        assert!(inline_original("Message headers follow:\nTo: x@y.no\n").is_some());
    }

    #[test]
    fn a_dsn_group_for_a_file_delivery_belongs_to_the_address_in_the_text() {
        let mail = "From: Mail Delivery System <Mailer-Daemon@mx.example.net>\nSubject: Mail delivery failed\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"X\"\n\n--X\n\
Content-type: text/plain; charset=us-ascii\n\n\
A message that you sent could not be delivered to one or more of its\n\
recipients. This is a permanent error. The following address(es) failed:\n\n\
  save to /var/spool/mail/e/erik\n    generated by erik@example.se\n\
    mailbox is full: retry timeout exceeded\n\n--X\n\
Content-type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n\
Action: failed\nFinal-Recipient: rfc822;/var/spool/mail/e/erik\nStatus: 5.0.0\n\n--X--\n";

        let records = &read(mail.as_bytes())[0].records;

        assert_eq!(records.len(), 1);
        assert_eq!(records[0].recipient, "erik@example.se");
        assert_eq!(records[0].status.map(|s| s.to_string()).as_deref(), Some("5.0.0"));
        assert_eq!(records[0].verdict.reason, Reason::MailboxFull);
    }

    #[test]
    fn the_attached_originals_body_is_skipped_and_its_headers_kept() {
        let newsletter = "<p>Voorjaarsaanbieding =E2=80=93 alleen deze week</p>\n".repeat(2000);
        let mail = format!(
            "From: MAILER-DAEMON@mx.example.com\nSubject: Undelivered Mail Returned to Sender\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"B1\"\n\n\
--B1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.com\n\n\
Final-Recipient: rfc822; kari@online.no\nAction: failed\nStatus: 5.1.1\n\n\
--B1\nContent-Type: message/rfc822\n\nReceived: from app.example.nl by mta.example.nl\n  with ESMTPS id 8F2A; Mon, 2 Mar 2026 10:00:00 +0100\n\
Message-ID: <abc@news.example.nl>\nX-Campaign-ID: spring-2026\n\
Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n{newsletter}\n\
--B1\nContent-Type: text/plain\n\nA part after the original.\n--B1--\n"
        );

        let cut = without_original_body(mail.as_bytes());
        let reports = read(mail.as_bytes());

        assert!(cut.len() < 1000, "{} bytes left", cut.len());
        let cut = String::from_utf8_lossy(&cut);
        assert!(cut.contains("X-Campaign-ID: spring-2026") && cut.contains("A part after the original."));
        assert!(!cut.contains("Received:") && !cut.contains("with ESMTPS"), "{cut}");
        assert_eq!(reports[0].original.campaign.as_deref(), Some("spring-2026"));
        assert_eq!(reports[0].original.message_id.as_deref(), Some("abc@news.example.nl"));
        assert_eq!(reports[0].records[0].verdict.reason, Reason::UserUnknown);
        // An original of headers only keeps the next part whole.
        let headers_only = "Content-Type: multipart/report; boundary=\"B\"\n\n--B\nContent-Type: message/rfc822\n\n\
Message-ID: <x@y.nl>\n--B\nContent-Type: text/plain\n\nkeep me\n--B--\n";
        assert_eq!(without_original_body(headers_only.as_bytes()).len(), headers_only.len());
        // Without a declared boundary nothing is cut.
        let odd = "Subject: x\n\n--not-a-boundary\nContent-Type: message/rfc822\n\nA: b\n\nbody\n--not-a-boundary\n";
        assert_eq!(without_original_body(odd.as_bytes()).len(), odd.len());
    }

    #[test]
    fn a_forwarded_bounce_with_quoted_lines_is_read() {
        let mail = "From: Lars Berg <lars@example.no>\nTo: bounces@news.example.com\nSubject: Fwd: Returned mail\n\n\
Begin forwarded message:\n\n> From: Mail Delivery Subsystem <MAILER-DAEMON@smtp.example.no>\n\
> Subject: Returned mail: see transcript for details\n>\n\
>    ----- The following addresses had permanent fatal errors -----\n> <ingrid@example.org>\n\
>     (reason: 552 5.2.2 Mailbox full)\n>\n> Final-Recipient: RFC822; ingrid@example.org\n\
> Action: failed\n> Status: 5.2.2\n> Diagnostic-Code: SMTP; 552 5.2.2 Mailbox full\n";

        let records = &read(mail.as_bytes())[0].records;

        assert_eq!(records.len(), 1);
        assert_eq!(records[0].recipient, "ingrid@example.org");
        assert_eq!(records[0].status.map(|s| s.to_string()).as_deref(), Some("5.2.2"));
        assert_eq!(records[0].verdict.reason, Reason::MailboxFull);
    }

    #[test]
    fn iso_2022_jp_without_a_transfer_encoding_is_decoded() {
        let mail = b"From: postmaster@notes.example.co.jp\nSubject: Undeliverable message\n\
Content-Type: text/plain; charset=ISO-2022-JP\n\n------- Failure Reasons --------\n\n\
\x1b$B%G%#%l%/%H%j$N%j%9%H$K$\"$j$^$;$s\x1b(B\nkijitora@u1.example.co.jp\n";

        let records = &read(mail)[0].records;

        assert_eq!(records.len(), 1);
        assert!(
            records[0].diagnostic.contains("ディレクトリのリストにありません"),
            "{}",
            records[0].diagnostic
        );
        assert_eq!(records[0].verdict.reason, Reason::UserUnknown);
    }

    #[test]
    fn a_broken_mime_structure_is_read_from_the_raw_body() {
        // The boundary parameter sits on an unfolded line, as Verizon sends it.
        let mail = "From: post_master@vtext.com\nSubject: Re: Nieuwsbrief\nMIME-Version: 1.0\n\
Content-Type: multipart/mixed; boundary=\"OUT\"\n\n--OUT\nContent-Type: multipart/alternative;\n\
boundary=\"IN\"\n\n--IN\nContent-Type: text/plain\n\nError: Invalid user address\n\
550 - Requested action not taken: no such user here\n  RCPT TO: piet@vtext.com\n\n--IN--\n--OUT--\n";

        let records = &read(mail.as_bytes())[0].records;

        assert_eq!(records.len(), 1);
        assert_eq!(records[0].recipient, "piet@vtext.com");
        assert!(!records[0].diagnostic.contains("--IN"), "{}", records[0].diagnostic);
        assert_eq!(records[0].verdict.reason, Reason::UserUnknown);
    }

    #[test]
    fn garbage_gives_no_records_and_no_panic() {
        for input in [
            &b""[..],
            b"\xff\xfe\x00garbage",
            b"Content-Type: multipart/report; boundary=\n\n--\n--",
        ] {
            let reports = read(input);
            assert!(
                reports
                    .iter()
                    .all(|r| r.records.iter().all(|rec| !rec.recipient.is_empty()))
            );
        }
    }
}
