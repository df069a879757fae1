//! A parsed message flattened into the texts the reader works on: the
//! report's words, the delivery-status fields, the complaint fields and the
//! returned original's headers; and the byte-level cuts made before MIME
//! parsing (the original's body, headers nobody reads).

use std::borrow::Cow;
use std::sync::LazyLock;

use super::TrimWs;
use super::decode;
use super::mime::{self, Body, Mail};
use super::{Original, dsn};

/// Everything the report part of a message says, flattened.
#[derive(Default)]
pub(super) struct Flat {
    pub(super) report: String,
    pub(super) delivery_status: String,
    pub(super) feedback: String,
    pub(super) original: Original,
    pub(super) original_seen: bool,
}

/// Lines that introduce a quoted original message inside a report's text;
/// `true` when the line must start with dashes ("----- Original Message").
pub(super) const ORIGINAL_MARKERS: &[(&str, bool)] = &[
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

/// The first letters of the [`ORIGINAL_MARKERS`], in either case: most
/// lines of a report start with none of them, and need no comparison.
static MARKER_INITIALS: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < ORIGINAL_MARKERS.len() {
        super::mark_initial(&mut table, ORIGINAL_MARKERS[i].0);
        i += 1;
    }
    table
};

/// Where a quoted original begins in `report`: the start of the marker's
/// line and the end of that line (the rest of a marker line is words and
/// dashes, as in Exim's `------ This is a copy of the message, including
/// all the headers. ------`; the headers start on the next line). A marker
/// counts only at the start of a line (after white space and dashes);
/// checking line starts is far cheaper than searching the whole text.
pub(super) fn inline_original(report: &str) -> Option<(usize, usize)> {
    let bytes = report.as_bytes();
    let mut line_start = 0;
    while line_start < bytes.len() {
        // Lines cut with memchr: the string searcher's per-line set-up cost
        // more than the line.
        let line_end = memchr::memchr(b'\n', &bytes[line_start..]).map_or(bytes.len(), |i| line_start + i + 1);
        let line = &report[line_start..line_end];
        let lead = line.len() - line.trim_start_matches([' ', '\t', '-']).len();
        let rest = &line[lead..];
        let marker_initial = rest
            .as_bytes()
            .first()
            .is_some_and(|&b| MARKER_INITIALS[usize::from(b)]);
        if marker_initial {
            let dashed = line[..lead].contains('-');
            let found = ORIGINAL_MARKERS.iter().any(|(marker, needs_dash)| {
                rest.get(..marker.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(marker))
                    && (dashed || !needs_dash)
            });
            if found {
                return Some((line_start, line_end));
            }
        }
        line_start = line_end;
    }
    None
}

pub(super) fn header_text(message: &Mail<'_>, name: &str) -> Option<String> {
    message.header_raw(name).map(super::fold)
}

pub(super) fn first_address(message: &Mail<'_>, name: &str) -> Option<String> {
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
pub(super) const CAMPAIGN_HEADERS: &[&str] = &[
    "x-bouncedesk-campaign",
    "x-campaign-id",
    "x-campaign",
    "x-mailgun-campaign-id",
    "x-job",
];

/// The original's headers that [`original_of`] reads.
pub(super) const ORIGINAL_HEADERS: &[&str] = &[
    "message-id",
    "to",
    "from",
    "subject",
    "return-path",
    "x-hmxmroriginalrecipient",
];

pub(super) fn original_of(message: &Mail<'_>) -> Original {
    let campaign = CAMPAIGN_HEADERS.iter().find_map(|h| header_text(message, h));
    Original {
        message_id: header_text(message, "message-id").map(|m| m.trim_matches(['<', '>']).to_owned()),
        to: first_address(message, "to"),
        from: first_address(message, "from"),
        subject: message.subject(),
        return_path: first_address(message, "return-path"),
        campaign,
        complainant: first_address(message, "x-hmxmroriginalrecipient"),
    }
}

pub(super) fn flatten(message: &Mail<'_>) -> Flat {
    let mut flat = Flat::default();
    let mut html = Vec::new();
    for part in &message.parts {
        let (ctype, subtype) = (part.ctype.as_str(), part.subtype.as_str());
        match &part.body {
            Body::Container => {}
            Body::Message(inner) => {
                if !flat.original_seen {
                    flat.original = original_of(inner);
                    flat.original_seen = true;
                }
            }
            Body::Other(leaf) => {
                // Only report parts are text; attachments are never decoded.
                let decoded = || iso_2022_jp(decode::charset(leaf.bytes(), None));
                match (ctype, subtype) {
                    ("message", "delivery-status" | "global-delivery-status") => {
                        flat.delivery_status.push_str(&decoded());
                        flat.delivery_status.push_str("\n\n");
                    }
                    ("message", "feedback-report") => flat.feedback.push_str(&decoded()),
                    ("message", "rfc822-headers" | "partial") => take_original_headers(&mut flat, &decoded()),
                    _ => {}
                }
            }
            Body::Text(leaf) => {
                // 7-bit ISO-2022-JP arrives undecoded (it is valid ASCII):
                // Japanese servers and Lotus Notes send it without a
                // transfer encoding.
                match subtype {
                    "rfc822-headers" | "rfc822-header" => take_original_headers(&mut flat, &iso_2022_jp(leaf.text())),
                    _ if !flat.original_seen => {
                        flat.report.push_str(&iso_2022_jp(leaf.text()));
                        flat.report.push('\n');
                    }
                    _ => {}
                }
            }
            Body::Html(leaf) if !flat.original_seen => html.push(leaf),
            Body::Html(_) => {}
        }
    }
    if flat.report.trim_ws().is_empty() && !html.is_empty() {
        // Decoded only now: a report with a text part never needs its HTML.
        let html: String = html.iter().map(|leaf| leaf.text()).collect();
        flat.report = super::html::html_to_text(&html);
    }
    if flat.feedback.is_empty() && flat.delivery_status.is_empty() {
        // ARF fields sent inline, in a text part (some feedback loops and
        // every forwarded report): RFC 5965's required fields, together,
        // at line starts, say it is a complaint report.
        flat.feedback = inline_feedback(&flat.report);
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

pub(super) fn take_original_headers(flat: &mut Flat, text: &str) {
    if flat.original_seen {
        return;
    }
    let mut read = Vec::with_capacity(1024);
    keep_read_headers(text.trim_start_ws().as_bytes(), &mut read);
    read.extend_from_slice(b"\n");
    let original = original_of(&mime::parse_headers(&read));
    if original != Original::default() {
        flat.original = original;
        flat.original_seen = true;
    }
}

/// The end of both spellings of `rfc822`, and `global`, searched for as
/// bytes; built once (building a searcher costs more than a short search).
static RFC822_END: LazyLock<memchr::memmem::Finder<'static>> = LazyLock::new(|| memchr::memmem::Finder::new(b"822"));
static GLOBAL: LazyLock<memchr::memmem::Finder<'static>> = LazyLock::new(|| memchr::memmem::Finder::new(b"global"));

/// Where an attached message's content type (`message/rfc822`, or RFC 6532's
/// `message/global`) is named: `(start, end)` of the type. A plain byte
/// search for the subtype, then a look back; `message/` in any case. The
/// first `rfc822` wins, then the first `RFC822` (both found in one pass),
/// then the first `global`.
pub(super) fn attached_message_type(bytes: &[u8]) -> Option<(usize, usize)> {
    let typed = |start: usize, subtype: &[u8]| {
        let type_start = start.checked_sub(8)?;
        (bytes[start..].starts_with(subtype) && bytes[type_start..start].eq_ignore_ascii_case(b"message/"))
            .then_some((type_start, start + subtype.len()))
    };
    let mut upper = None;
    for at in RFC822_END.find_iter(bytes) {
        let Some(start) = at.checked_sub(3) else { continue };
        if let Some(found) = typed(start, b"rfc822") {
            return Some(found);
        }
        upper = upper.or_else(|| typed(start, b"RFC822"));
    }
    upper.or_else(|| GLOBAL.find_iter(bytes).find_map(|at| typed(at, b"global")))
}

static BOUNDARY_PARAMETER: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(b"boundary="));

/// Where the first blank line at or after `from` ends (LF or CRLF): one
/// pass over the line breaks, however the message ends its lines.
fn blank_line_end(bytes: &[u8], from: usize) -> Option<usize> {
    memchr::memchr_iter(b'\n', bytes.get(from..)?).find_map(|i| {
        let after = &bytes[from + i + 1..];
        if after.starts_with(b"\n") {
            Some(from + i + 2)
        } else if after.starts_with(b"\r\n") {
            Some(from + i + 3)
        } else {
            None
        }
    })
}

/// The message with the body of its attached original cut out, headers
/// kept. mail-parser parses an attached message completely (every part
/// split and decoded) although only its headers are read here; for the
/// bounce of a newsletter that is most of the work. Anything unexpected
/// leaves the bytes as they are.
pub(super) fn without_original_body(bytes: &[u8]) -> Cow<'_, [u8]> {
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
    let boundary = &delimiter[2..];
    let declared = BOUNDARY_PARAMETER.find_iter(&bytes[..line_start]).any(|at| {
        let value = &bytes[at + b"boundary=".len()..line_start];
        value.strip_prefix(b"\"").unwrap_or(value).starts_with(boundary)
    });
    // The part ends at the next delimiter; an original with no body (no
    // blank line before that) has nothing to cut.
    let Some(body_end) = mime::next_delimiter(bytes, type_end, boundary).map(|i| i - 1) else {
        return Cow::Borrowed(bytes);
    };
    let Some(nested_start) = blank_line_end(bytes, type_end) else {
        return Cow::Borrowed(bytes);
    };
    let Some(body_start) = blank_line_end(bytes, nested_start) else {
        return Cow::Borrowed(bytes);
    };
    if !declared || body_start >= body_end {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(nested_start + 1024 + (bytes.len() - body_end));
    out.extend_from_slice(&bytes[..nested_start]);
    keep_read_headers(&bytes[nested_start..body_start], &mut out);
    out.extend_from_slice(b"\n");
    out.extend_from_slice(&bytes[body_end..]);
    Cow::Owned(out)
}

/// The lengths of the names [`keep_read_headers`] keeps, one bit each (a
/// name of 64 bytes or more would not build): most header lines
/// (`Received`, signatures) are ruled out by the length of their name,
/// before any of the names is compared.
const KEPT_NAME_LENGTHS: u64 = {
    let lists = [ORIGINAL_HEADERS, CAMPAIGN_HEADERS];
    let mut bits = 0u64;
    let mut list = 0;
    while list < lists.len() {
        let mut i = 0;
        while i < lists[list].len() {
            bits |= 1 << lists[list][i].len();
            i += 1;
        }
        list += 1;
    }
    bits
};

/// Copies, of an original's header block, only the fields [`original_of`]
/// reads, with their continuation lines: Received chains and signatures are
/// most of a header block and nothing here reads them.
pub(super) fn keep_read_headers(block: &[u8], out: &mut Vec<u8>) {
    let mut keep = false;
    let mut at = 0;
    // Lines and colons found with memchr: a Received chain or a signature
    // is kilobytes of header lines, and each is looked at once.
    while at < block.len() {
        let end = memchr::memchr(b'\n', &block[at..]).map_or(block.len(), |i| at + i + 1);
        let line = &block[at..end];
        at = end;
        if line.iter().all(u8::is_ascii_whitespace) {
            break;
        }
        let continued = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        if !continued {
            keep = memchr::memchr(b':', line).is_some_and(|colon| {
                let name = &line[..colon];
                name.len() < 64
                    && KEPT_NAME_LENGTHS & (1 << name.len()) != 0
                    && ORIGINAL_HEADERS
                        .iter()
                        .chain(CAMPAIGN_HEADERS)
                        .any(|h| name.eq_ignore_ascii_case(h.as_bytes()))
            });
        }
        if keep {
            out.extend_from_slice(line);
        }
    }
}

/// The text after the header block, without MIME boundaries and part
/// headers.
pub(super) fn raw_body(bytes: &[u8]) -> String {
    let start = memchr::memmem::find(bytes, b"\n\n")
        .or_else(|| memchr::memmem::find(bytes, b"\r\n\r\n"))
        .unwrap_or(bytes.len());
    let text = iso_2022_jp(decode::lossy(&bytes[start..]));
    let mut out = String::with_capacity(text.len());
    for line in super::lines(&text) {
        let trimmed = line.trim_start_ws();
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
pub(super) fn iso_2022_jp(text: Cow<'_, str>) -> Cow<'_, str> {
    if memchr::memchr(0x1b, text.as_bytes()).is_none() || !(text.contains("\x1b$B") || text.contains("\x1b$@")) {
        return text;
    }
    match mail_parser::decoders::charsets::map::charset_decoder(b"iso-2022-jp") {
        Some(decode) => Cow::Owned(decode(text.as_bytes())),
        None => text,
    }
}

/// The ARF fields of a report sent inline: the lines from the first
/// `Feedback-Type:` on, when `User-Agent:` and `Version:` (the other fields
/// RFC 5965 requires) are there too; empty otherwise.
pub(super) fn inline_feedback(report: &str) -> String {
    let field = |line: &str, name: &str| line.get(..name.len()).is_some_and(|h| h.eq_ignore_ascii_case(name));
    let fields: Vec<&str> = super::lines(report)
        .map(TrimWs::trim_start_ws)
        .skip_while(|l| !field(l, "feedback-type:"))
        .take_while(|l| !l.is_empty())
        .collect();
    let has = |name: &str| fields.iter().any(|l| field(l, name));
    if has("user-agent:") && has("version:") {
        fields.join("\n")
    } else {
        String::new()
    }
}
