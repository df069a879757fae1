//! Reading bounce messages: RFC 3464 delivery status notifications, the
//! plain-text reports MTAs send instead, auto-replies (RFC 3834) and
//! complaint reports (ARF, RFC 5965), into one record per recipient.
//!
//! Parsing is pure: bytes in, records out. MIME is read by `mime`, a
//! reader of only what a report needs; everything after works on the
//! decoded text line by line, because real reports put their fields
//! anywhere (in the delivery-status part, in a text part, in a mangled
//! multipart).

mod codes;
mod decode;
mod drafts;
mod dsn;
mod finish;
mod flatten;
pub mod hostile;
mod html;
mod limits;
mod mime;
mod recipient_line;
mod ses;
#[cfg(test)]
mod test_pieces;
mod text;

use serde::Serialize;

use crate::classifier::{MessageKind, Verdict};
use crate::{EnhancedStatus, ReplyCode, Stage};
use drafts::drafts;
use finish::{finish, lda_line};
use flatten::{flatten, raw_body, without_original_body};
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
    /// The complaining mailbox as the feedback provider stamped it into
    /// the copy it returns (Hotmail's `X-HmXmrOriginalRecipient`, set only
    /// on mail it delivered, so only complaints carry it).
    pub complainant: Option<String>,
}

/// One message of a file (an mbox holds several), read.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    pub records: Vec<Record>,
    pub original: Original,
    /// The cap this message reached, if any (see [`Limit`]).
    pub limit: Option<Limit>,
}

/// Splits an mbox into its messages (a plain message is one). In an mbox
/// (the bytes open with a `From ` line) every line that starts with `From `
/// begins a new message; in a plain message only a line shaped as an mbox
/// separator does ([`is_mbox_separator`]). The separator line is dropped.
pub fn split_mbox(bytes: &[u8]) -> Vec<&[u8]> {
    let in_mbox = bytes.starts_with(b"From ");
    let separates = |at: usize| {
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |p| at + p);
        is_mbox_separator(&bytes[at..end], false)
    };
    if !in_mbox && !MBOX_FROM.find_iter(bytes).any(|at| separates(at + 1)) {
        return vec![bytes];
    }
    let mut messages = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while at < bytes.len() {
        let line_end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |p| at + p + 1);
        if is_mbox_separator(&bytes[at..line_end], in_mbox) {
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

/// Whether `line` (its line break left on or off) separates two messages.
///
/// In an mbox every line that starts with `From ` does: mbox writers quote
/// a body's own such lines as `>From ` (RFC 4155). A single message is not
/// quoted, and its prose may start a line with the word ("From 1 to 8
/// December I am away", a newsletter's "From all of us..."): there only a
/// line shaped as RFC 4155's separator does, `From`, the envelope sender
/// and a timestamp with a time of day and a year (`From MAILER-DAEMON  Thu
/// Apr 29 23:34:45 2015`), as a report that quotes an mbox excerpt has it.
/// Such a line is short: a longer one is prose, and is not read on.
pub fn is_mbox_separator(line: &[u8], in_mbox: bool) -> bool {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    if in_mbox {
        return true;
    }
    const LONGEST: usize = 200;
    if rest.len() > LONGEST || rest.first().is_none_or(u8::is_ascii_whitespace) {
        return false;
    }
    let sender_end = rest.iter().position(u8::is_ascii_whitespace).unwrap_or(rest.len());
    let stamp = &rest[sender_end..];
    let digit = |i: usize| stamp.get(i).is_some_and(u8::is_ascii_digit);
    // hh:mm:ss, the hour of one digit or two.
    let time = (1..stamp.len()).any(|i| {
        stamp[i] == b':'
            && digit(i - 1)
            && digit(i + 1)
            && digit(i + 2)
            && stamp.get(i + 3) == Some(&b':')
            && digit(i + 4)
            && digit(i + 5)
    });
    // A year of four digits, 19xx or 20xx, standing alone.
    let year = (0..stamp.len().saturating_sub(3)).any(|i| {
        matches!(&stamp[i..i + 2], b"19" | b"20")
            && digit(i + 2)
            && digit(i + 3)
            && !digit(i + 4)
            && (i == 0 || !digit(i - 1))
    });
    time && year
}

/// Reads every message in `bytes` (a single message or an mbox).
pub fn read(bytes: &[u8]) -> Vec<Report> {
    split_mbox(bytes).into_iter().map(read_message).collect()
}

/// Compiles the reader's and the classifier's patterns and automata now
/// rather than at their first use: a command that reads many messages can
/// do it on one core while it lists its files on another. (Several
/// milliseconds of work; [`read`] does it anyway when it is not done.)
pub fn prepare() {
    prepare_reader();
    prepare_classifier();
}

/// The reader's half of [`prepare`]: what a message needs first. A command
/// with cores to spare builds the two halves at once.
pub fn prepare_reader() {
    text::prepare();
    codes::prepare();
    drafts::prepare();
    finish::prepare();
}

/// The classifier's half of [`prepare`]: needed only once a message's
/// recipients are found.
pub fn prepare_classifier() {
    crate::classifier::prepare();
}

/// The text with its white space folded: words joined by one space.
/// White space is what `char::is_whitespace` says, as `split_whitespace`
/// would cut; ASCII is tested a byte at a time in tight loops, since whole
/// reports are folded and decoding every char was most of the cost.
pub(crate) fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut at = run(text, 0, true);
    while at < bytes.len() {
        // Words joined by one plain space are already folded: they are
        // copied as one piece, not word by word.
        let start = at;
        loop {
            at = run(text, at, false);
            let single_space =
                bytes.get(at) == Some(&b' ') && at + 1 < bytes.len() && run(text, at + 1, true) == at + 1;
            if !single_space {
                break;
            }
            at += 1;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&text[start..at]);
        at = run(text, at, true);
    }
    out
}

/// Marks a word's first letter, in either case, in a table of first
/// letters: lines whose first byte is unmarked cannot start with any of the
/// table's words, and are passed over with no comparison.
pub(super) const fn mark_initial(table: &mut [bool; 256], word: &str) {
    let first = word.as_bytes()[0];
    table[first.to_ascii_lowercase() as usize] = true;
    table[first.to_ascii_uppercase() as usize] = true;
}

/// The first word of `text`, as `split_whitespace().next()` gives it, found
/// with [`run`]'s byte loops: addresses and hosts are cut from every
/// header and DSN field this way.
pub(super) fn first_word(text: &str) -> Option<&str> {
    let start = run(text, 0, true);
    (start < text.len()).then(|| &text[start..run(text, start, false)])
}

/// `str::trim`, `trim_start` and `trim_end` with the same results (a test
/// compares them on generated texts), for the lines of a report, which are
/// trimmed one by one: ASCII white space at an end is passed byte by byte,
/// and the standard library's trim, which decodes a character at a time,
/// runs only where a non-ASCII character is then at that end.
pub(crate) trait TrimWs {
    fn trim_ws(&self) -> &str;
    fn trim_start_ws(&self) -> &str;
    fn trim_end_ws(&self) -> &str;
}

impl TrimWs for str {
    fn trim_ws(&self) -> &str {
        self.trim_start_ws().trim_end_ws()
    }

    fn trim_start_ws(&self) -> &str {
        let skip = self.bytes().position(|b| !is_ascii_space(b)).unwrap_or(self.len());
        let rest = &self[skip..];
        if rest.as_bytes().first().is_some_and(|&b| !b.is_ascii()) {
            str::trim_start(rest)
        } else {
            rest
        }
    }

    fn trim_end_ws(&self) -> &str {
        let keep = self.bytes().rposition(|b| !is_ascii_space(b)).map_or(0, |at| at + 1);
        let rest = &self[..keep];
        if rest.as_bytes().last().is_some_and(|&b| !b.is_ascii()) {
            str::trim_end(rest)
        } else {
            rest
        }
    }
}

/// The ASCII characters `char::is_whitespace` holds: the space and tab to
/// carriage return (vertical tab and form feed too, which
/// `u8::is_ascii_whitespace` leaves out).
const fn is_ascii_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t'..=b'\r')
}

/// `str::to_lowercase`, with ASCII text (nearly every address and host)
/// lower-cased byte by byte: the same result, without a char's decoding
/// and case table.
pub(super) fn to_lower(text: &str) -> String {
    if text.is_ascii() {
        text.to_ascii_lowercase()
    } else {
        text.to_lowercase()
    }
}

/// Where the run of white space (`space`) or of other chars that starts at
/// `at` ends; `at` is a char boundary and so is the answer.
fn run(text: &str, mut at: usize, space: bool) -> usize {
    let bytes = text.as_bytes();
    if !space {
        // A word's letters eight at a time: eight bytes with none below
        // '!' and none past ASCII hold no white space.
        while word_at(bytes, at).is_some_and(|word| !may_hold_space(word)) {
            at += 8;
        }
    }
    while let Some(&b) = bytes.get(at) {
        if b < 0x80 {
            if matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') != space {
                return at;
            }
            at += 1;
        } else {
            let Some(c) = text[at..].chars().next() else {
                return at;
            };
            if c.is_whitespace() != space {
                return at;
            }
            at += c.len_utf8();
        }
    }
    at
}

/// The eight bytes from `at` as one word, for tests of eight bytes at once;
/// `None` when fewer are left.
pub(super) fn word_at(bytes: &[u8], at: usize) -> Option<u64> {
    let mut word = [0u8; 8];
    word.copy_from_slice(bytes.get(at..at.checked_add(8)?)?);
    Some(u64::from_le_bytes(word))
}

/// Whether any of eight bytes may be white space: one below `!` (the ASCII
/// white space and controls) or one past ASCII (a multi-byte char, which
/// may be Unicode white space). Never no when one is.
fn may_hold_space(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = ONES * 0x80;
    (word.wrapping_sub(ONES * u64::from(b'!')) | word) & HIGHS != 0
}

/// The lines of `text`, cut as `str::lines` cuts them (`\n` or `\r\n`
/// ends a line; a final line break adds no empty line), but found with the
/// memchr crate's vector search: the reader walks every line of a report
/// several times, and the standard library's search for a line break runs
/// a byte at a time.
pub(super) fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let Some(end) = memchr::memchr(b'\n', rest.as_bytes()) else {
            return Some(std::mem::take(&mut rest));
        };
        let line = &rest[..end];
        rest = &rest[end + 1..];
        Some(line.strip_suffix('\r').unwrap_or(line))
    })
}

/// Where an mbox's next message starts; built once.
static MBOX_FROM: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\nFrom "));

fn read_message(bytes: &[u8]) -> Report {
    if bytes.len() > MAX_MESSAGE_BYTES {
        return Report {
            limit: Some(Limit::Size { bytes: bytes.len() }),
            ..Report::default()
        };
    }
    let trimmed = without_original_body(bytes);
    let message = mime::parse(&trimmed);
    let mut flat = flatten(&message);
    if forwards_a_bounce(&message, &flat) {
        // Somebody forwarded a bounce as an attachment: the attached
        // message is the report (read whole, once: no deeper forward).
        let whole = mime::parse(bytes);
        if let Some(inner) = whole.first_attached() {
            return read_mail(inner, bytes.len(), flatten(inner));
        }
    }
    if flat.report.trim_ws().is_empty() && flat.delivery_status.is_empty() {
        // A broken MIME structure (a boundary parameter on an unfolded line)
        // hides every part; the raw body still says what happened.
        flat.report = raw_body(bytes);
    }
    read_mail(&message, bytes.len(), flat)
}

/// A person's forward ("Fwd:", "WG:", "TR:" ...) with no report of its
/// own, whose attached message is a delivery report (multipart/report, or
/// from a mailer-daemon or postmaster): a bounce forwarded as an
/// attachment, as people send them to support. An attached newsletter
/// from "noreply@" is not one.
fn forwards_a_bounce(message: &mime::Mail<'_>, flat: &flatten::Flat) -> bool {
    if !flat.delivery_status.is_empty() || !flat.feedback.is_empty() {
        return false;
    }
    // The cheap tests first: most messages attach no report at all, and
    // only then is the subject decoded.
    let Some(inner) = message.first_attached() else {
        return false;
    };
    let is_report = inner
        .parts
        .first()
        .is_some_and(|part| part.ctype == "multipart" && part.subtype == "report");
    let from = flat.original.from.as_deref().unwrap_or_default();
    (is_report || from.contains("mailer-daemon") || from.contains("postmaster")) && drafts::is_forward(message)
}

/// The records of a parsed message, from its flattened text.
fn read_mail(message: &mime::Mail<'_>, size: usize, flat: flatten::Flat) -> Report {
    let (mut drafts, named) = drafts(message, &flat);
    drafts.truncate(MAX_RECIPIENTS);
    let single = drafts.len() == 1;
    let lda = lda_line(&flat.report);
    let cap = limits::diagnostic_cap(size, drafts.len());
    let records = drafts
        .into_iter()
        .map(|d| finish(d, &flat, single, lda.as_ref(), cap))
        .collect();
    Report {
        records,
        original: flat.original,
        limit: (named > MAX_RECIPIENTS).then_some(Limit::Recipients { named }),
    }
}

#[cfg(test)]
mod tests;
