//! A MIME reader of just what a bounce report needs (RFC 5322 header
//! fields, RFC 2045 and 2046 parts): the header fields as they were sent,
//! and the parts in document order with their text decoded. No address,
//! date or `Received:` parsing, and nothing copied that is never read: a
//! full MIME parse of every message was the largest share of reading one
//! (docs/performance.md).
//!
//! Every step is a forward scan, so time is linear in the input; nesting
//! stops at [`MAX_DEPTH`] and parts at [`MAX_PARTS`] (what is deeper or
//! later is kept as undecoded text, never dropped silently into a panic).

use std::borrow::Cow;

use super::TrimWs;
use super::decode;

/// Nesting of multiparts and attached messages read; deeper content is
/// kept as text. Real reports nest three or four levels.
pub(super) const MAX_DEPTH: usize = 16;
/// Parts read per message; later ones are skipped. A report has a handful;
/// this only bounds what a crafted message of tiny parts can make us hold.
pub(super) const MAX_PARTS: usize = 1_000;

/// A header field: its name and raw value (folding kept), as sent.
type Field<'a> = (Cow<'a, [u8]>, Cow<'a, [u8]>);

/// A message (or the header block of one): its header fields and parts.
#[derive(Debug, Default)]
pub(super) struct Mail<'a> {
    /// In the order sent.
    headers: Vec<Field<'a>>,
    /// The message's own entity first, then every part in document order
    /// (an attached message is one part, holding its own).
    pub(super) parts: Vec<Part<'a>>,
}

/// One MIME entity: its type (lower-cased) and body.
#[derive(Debug)]
pub(super) struct Part<'a> {
    pub(super) ctype: String,
    pub(super) subtype: String,
    pub(super) body: Body<'a>,
}

/// What a part holds.
#[derive(Debug)]
pub(super) enum Body<'a> {
    /// A multipart: its parts follow it in [`Mail::parts`].
    Container,
    /// `text/*` other than HTML, or a part with no type.
    Text(Leaf<'a>),
    /// `text/html`.
    Html(Leaf<'a>),
    /// `message/rfc822` or `message/global`: the attached message.
    Message(Box<Mail<'a>>),
    /// Anything else (`message/delivery-status`, attachments).
    Other(Leaf<'a>),
}

/// A part's body as sent, decoded only when asked: most parts of a bounce
/// (attachments, the original's text) are never read.
#[derive(Debug)]
pub(super) struct Leaf<'a> {
    raw: Cow<'a, [u8]>,
    encoding: Encoding,
    charset: Option<String>,
}

impl Leaf<'_> {
    /// The bytes with the transfer encoding undone, charset untouched.
    pub(super) fn bytes(&self) -> Cow<'_, [u8]> {
        transfer_decoded(&self.raw, self.encoding)
    }

    /// The text, decoded to UTF-8 from its charset.
    pub(super) fn text(&self) -> Cow<'_, str> {
        decode::charset(self.bytes(), self.charset.as_deref())
    }

    fn into_owned(self) -> Leaf<'static> {
        Leaf {
            raw: Cow::Owned(self.raw.into_owned()),
            encoding: self.encoding,
            charset: self.charset,
        }
    }
}

impl<'a> Mail<'a> {
    /// The first attached message (`message/rfc822` or `message/global`),
    /// in document order.
    pub(super) fn first_attached(&self) -> Option<&Mail<'a>> {
        self.parts.iter().find_map(|part| match &part.body {
            Body::Message(inner) => Some(&**inner),
            _ => None,
        })
    }

    /// The raw value of the last `name` field (as mail-parser's
    /// `header_raw`: a later field overrides), when it is UTF-8.
    pub(super) fn header_raw(&self, name: &str) -> Option<&str> {
        last_field(&self.headers, name.as_bytes()).and_then(|v| std::str::from_utf8(v).ok())
    }

    /// The subject with its encoded words decoded and white space folded.
    pub(super) fn subject(&self) -> Option<String> {
        let raw = last_field(&self.headers, b"subject")?;
        Some(decode::header_words(&decode::lossy(raw)))
    }

    /// A parameter of the message's `Content-Type` (`report-type`...),
    /// unquoted.
    pub(super) fn type_param(&self, name: &str) -> Option<String> {
        let value = self.header_raw("content-type")?;
        params(value)
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    fn into_owned(self) -> Mail<'static> {
        Mail {
            headers: self
                .headers
                .into_iter()
                .map(|(n, v)| (Cow::Owned(n.into_owned()), Cow::Owned(v.into_owned())))
                .collect(),
            parts: self.parts.into_iter().map(Part::into_owned).collect(),
        }
    }
}

impl Part<'_> {
    fn into_owned(self) -> Part<'static> {
        Part {
            ctype: self.ctype,
            subtype: self.subtype,
            body: match self.body {
                Body::Container => Body::Container,
                Body::Text(t) => Body::Text(t.into_owned()),
                Body::Html(t) => Body::Html(t.into_owned()),
                Body::Message(m) => Body::Message(Box::new(m.into_owned())),
                Body::Other(b) => Body::Other(b.into_owned()),
            },
        }
    }
}

/// The raw value of the last field named `name` (any case): a later field
/// overrides an earlier one, as in mail-parser's `header_raw`.
fn last_field<'h>(headers: &'h [Field<'_>], name: &[u8]) -> Option<&'h [u8]> {
    headers
        .iter()
        .rev()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| &v[..])
}

/// Reads a whole message.
pub(super) fn parse(bytes: &[u8]) -> Mail<'_> {
    parse_at(bytes, 0)
}

/// Reads only a header block (an original's headers quoted in a report).
pub(super) fn parse_headers(bytes: &[u8]) -> Mail<'_> {
    Mail {
        headers: header_block(bytes).0,
        parts: Vec::new(),
    }
}

fn parse_at(bytes: &[u8], depth: usize) -> Mail<'_> {
    let (headers, body) = header_block(bytes);
    let mut mail = Mail {
        headers,
        parts: Vec::new(),
    };
    let kind = Kind::of(&mail.headers, false);
    entity(&mut mail.parts, kind, body, depth);
    mail
}

/// Splits a header block off `bytes`: the fields, and the body after the
/// first empty line. A line with no colon is skipped.
fn header_block(bytes: &[u8]) -> (Vec<Field<'_>>, &[u8]) {
    // A part has a few fields, a message some dozens: room for most parts
    // at once, since growing the list a field at a time showed up.
    let mut headers: Vec<Field<'_>> = Vec::with_capacity(8);
    // The current field: name, and where its value starts and ends.
    let mut field: Option<(&[u8], usize, usize)> = None;
    let mut at = 0;
    let mut body = bytes.len();
    while at < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i + 1);
        let line = &bytes[at..end];
        let content = trim_eol(line);
        if content.is_empty() {
            body = end;
            break;
        }
        if content[0] == b' ' || content[0] == b'\t' {
            if let Some((_, _, value_end)) = field.as_mut() {
                *value_end = at + content.len();
            }
        } else {
            if let Some((name, start, value_end)) = field.take() {
                headers.push((Cow::Borrowed(name), Cow::Borrowed(&bytes[start..value_end])));
            }
            if let Some(colon) = memchr::memchr(b':', content) {
                let name = content[..colon].trim_ascii();
                if !name.is_empty() {
                    field = Some((name, at + colon + 1, at + content.len()));
                }
            }
        }
        at = end;
    }
    if let Some((name, start, value_end)) = field {
        headers.push((Cow::Borrowed(name), Cow::Borrowed(&bytes[start..value_end])));
    }
    (headers, &bytes[body.min(bytes.len())..])
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// What an entity's header fields say about its body.
struct Kind {
    ctype: String,
    subtype: String,
    boundary: Option<Vec<u8>>,
    charset: Option<String>,
    encoding: Encoding,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Encoding {
    Identity,
    Base64,
    QuotedPrintable,
}

impl Kind {
    /// Read from an entity's fields; with no `Content-Type`, `text/plain`
    /// (RFC 2045 §5.2), or `message/rfc822` inside a `multipart/digest`
    /// (RFC 2046 §5.1.5).
    fn of(headers: &[Field<'_>], in_digest: bool) -> Kind {
        let field = |name: &[u8]| last_field(headers, name).map(decode::lossy);
        let encoding = match field(b"content-transfer-encoding") {
            Some(e) if e.trim_ws().eq_ignore_ascii_case("base64") => Encoding::Base64,
            Some(e) if e.trim_ws().eq_ignore_ascii_case("quoted-printable") => Encoding::QuotedPrintable,
            _ => Encoding::Identity,
        };
        let (default_type, default_subtype) = if in_digest {
            ("message", "rfc822")
        } else {
            ("text", "plain")
        };
        let Some(value) = field(b"content-type") else {
            return Kind {
                ctype: default_type.into(),
                subtype: default_subtype.into(),
                boundary: None,
                charset: None,
                encoding,
            };
        };
        let full = split_params(&value).next().unwrap_or_default();
        let (ctype, subtype) = match full.split_once('/') {
            Some((ctype, subtype)) => (
                ctype.trim_ws().to_ascii_lowercase(),
                subtype.trim_ws().to_ascii_lowercase(),
            ),
            // A type without a subtype (`text`): what RFC 2045 §5.2 says
            // to assume for a syntax error.
            None if !full.trim_ws().is_empty() => ("text".into(), "plain".into()),
            None => (default_type.into(), default_subtype.into()),
        };
        let mut kind = Kind {
            ctype,
            subtype,
            boundary: None,
            charset: None,
            encoding,
        };
        for (name, value) in params(&value) {
            if name.eq_ignore_ascii_case("boundary") && kind.boundary.is_none() {
                kind.boundary = Some(value.into_bytes());
            } else if name.eq_ignore_ascii_case("charset") && kind.charset.is_none() {
                kind.charset = Some(value);
            }
        }
        kind
    }
}

/// The `;`-separated pieces of a structured field, quotes respected.
fn split_params(value: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(value);
    std::iter::from_fn(move || {
        let text = rest?;
        let mut quoted = false;
        // Where the next byte that counts can be: the byte after a
        // backslash in quotes is escaped, whatever it is.
        let mut next = 0;
        // Bytes, not chars: the marks are ASCII, and a byte of a multi-byte
        // char is never one of them. Only the three marks change anything,
        // so the search jumps from one to the next.
        for i in memchr::memchr3_iter(b'\\', b'"', b';', text.as_bytes()) {
            if i < next {
                continue;
            }
            match text.as_bytes()[i] {
                b'\\' if quoted => next = i + 2,
                b'"' => quoted = !quoted,
                b';' if !quoted => {
                    rest = Some(&text[i + 1..]);
                    return Some(&text[..i]);
                }
                _ => {}
            }
        }
        rest = None;
        Some(text)
    })
}

/// A structured field's `name=value` parameters after its type: names
/// trimmed, values unquoted.
fn params(value: &str) -> impl Iterator<Item = (&str, String)> {
    split_params(value).skip(1).filter_map(|param| {
        let (name, value) = param.split_once('=')?;
        Some((name.trim_ws(), unquote(value.trim_ws())))
    })
}

/// A parameter value without its quotes and backslash escapes.
fn unquote(value: &str) -> String {
    let Some(inner) = value.strip_prefix('"') else {
        return value.to_owned();
    };
    let inner = inner.strip_suffix('"').unwrap_or(inner);
    if memchr::memchr(b'\\', inner.as_bytes()).is_none() {
        // Nearly every quoted value: nothing escaped, copied whole.
        return inner.to_owned();
    }
    let mut out = String::with_capacity(inner.len());
    let mut escaped = false;
    for c in inner.chars() {
        if !escaped && c == '\\' {
            escaped = true;
            continue;
        }
        escaped = false;
        out.push(c);
    }
    out
}

/// Adds an entity (and, for a multipart, its parts) to `parts`.
fn entity<'a>(parts: &mut Vec<Part<'a>>, kind: Kind, body: &'a [u8], depth: usize) {
    if parts.len() >= MAX_PARTS {
        return;
    }
    let Kind {
        ctype,
        subtype,
        boundary,
        charset,
        encoding,
    } = kind;
    if ctype == "multipart" && depth < MAX_DEPTH {
        let pieces = boundary.as_deref().map(|b| split_parts(body, b)).unwrap_or_default();
        if !pieces.is_empty() {
            let digest = subtype == "digest";
            parts.push(Part {
                ctype,
                subtype,
                body: Body::Container,
            });
            for piece in pieces {
                let (headers, inner) = header_block(piece);
                entity(parts, Kind::of(&headers, digest), inner, depth + 1);
            }
            return;
        }
        // No boundary, or none found (a boundary parameter on an unfolded
        // line): the part is kept unread, and when nothing else is text the
        // reader falls back to the raw body, cleaned of MIME lines.
        parts.push(Part {
            ctype,
            subtype,
            body: Body::Other(Leaf {
                raw: Cow::Borrowed(body),
                encoding: Encoding::Identity,
                charset: None,
            }),
        });
        return;
    }
    let leaf = Leaf {
        raw: Cow::Borrowed(body),
        encoding,
        charset,
    };
    let body = match (ctype.as_str(), subtype.as_str()) {
        ("message", "rfc822" | "global") if depth < MAX_DEPTH => Body::Message(Box::new(match leaf.bytes() {
            Cow::Borrowed(_) => parse_at(body, depth + 1),
            Cow::Owned(bytes) => parse_at(&bytes, depth + 1).into_owned(),
        })),
        ("text", "html") => Body::Html(leaf),
        ("text", _) => Body::Text(leaf),
        _ if depth >= MAX_DEPTH => Body::Text(leaf),
        _ => Body::Other(leaf),
    };
    parts.push(Part { ctype, subtype, body });
}

fn transfer_decoded(body: &[u8], encoding: Encoding) -> Cow<'_, [u8]> {
    match encoding {
        Encoding::Identity => Cow::Borrowed(body),
        Encoding::Base64 => Cow::Owned(decode::base64(body)),
        Encoding::QuotedPrintable => Cow::Owned(decode::quoted_printable(body, false)),
    }
}

/// The bodies between a multipart's delimiter lines (`--boundary` at the
/// start of a line; `--boundary--` closes). The line break before a
/// delimiter belongs to it (RFC 2046 §5.1.1). Empty when no delimiter is
/// found. One forward search, however many parts.
fn split_parts<'a>(body: &'a [u8], boundary: &[u8]) -> Vec<&'a [u8]> {
    if boundary.is_empty() {
        return Vec::new();
    }
    let mut pieces = Vec::new();
    // Where the current part's body starts (after a delimiter line).
    let mut open: Option<usize> = None;
    let mut from = 0;
    while let Some(i) = next_delimiter(body, from, boundary) {
        from = i + 2 + boundary.len();
        let after = &body[from..];
        let closing = after.starts_with(b"--");
        let rest_ok = closing || after.first().is_none_or(|b| b.is_ascii_whitespace());
        if !rest_ok {
            continue;
        }
        if let Some(start) = open.take() {
            // The CRLF (or LF) before the delimiter ends the part's body.
            let mut end = i;
            if end > start && body[end - 1] == b'\n' {
                end -= 1;
                if end > start && body[end - 1] == b'\r' {
                    end -= 1;
                }
            }
            pieces.push(&body[start..end.max(start)]);
        }
        let line_end = memchr::memchr(b'\n', after).map_or(body.len(), |n| from + n + 1);
        if closing {
            return pieces;
        }
        open = Some(line_end);
        from = line_end;
        if pieces.len() >= MAX_PARTS {
            return pieces;
        }
    }
    // No closing delimiter: the last part runs to the end.
    if let Some(start) = open {
        pieces.push(&body[start..]);
    }
    pieces
}

/// Line breaks followed by two dashes: every delimiter line but one at the
/// very start. Built once: a searcher built for each multipart's own
/// delimiter cost more than the search (a fifth of the MIME reader).
static LINE_DASHES: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\n--"));

/// Where the next `--boundary` at the start of a line begins, at or after
/// `from`.
pub(super) fn next_delimiter(body: &[u8], from: usize, boundary: &[u8]) -> Option<usize> {
    let is_delimiter = |i: usize| {
        body.get(i..)
            .is_some_and(|at| at.starts_with(b"--") && at[2..].starts_with(boundary))
    };
    if (from == 0 || body.get(from - 1) == Some(&b'\n')) && is_delimiter(from) {
        return Some(from);
    }
    LINE_DASHES
        .find_iter(body.get(from..)?)
        .map(|j| from + j + 1)
        .find(|&i| is_delimiter(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "From: MAILER-DAEMON@mx.example.nl\r\nSubject: =?UTF-8?Q?Onbestelbaar:_nieuwsbrief?=\r\n\
Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"=_b;1\"\r\n\r\n\
preamble\r\n--=_b;1\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
Le destinataire n'existe pas: caf=E9@example.fr\r\n--=_b;1\r\nContent-Type: message/delivery-status\r\n\r\n\
Final-Recipient: rfc822; cafe@example.fr\r\nStatus: 5.1.1\r\n\r\n--=_b;1\r\nContent-Type: message/rfc822\r\n\r\n\
Message-ID: <m1@news.example.nl>\r\nSubject: Nieuws\r\n\r\nbody\r\n--=_b;1--\r\nepilogue\r\n";

    #[test]
    fn reads_a_report_part_by_part() {
        let mail = parse(REPORT.as_bytes());

        let kinds: Vec<(&str, &str)> = mail
            .parts
            .iter()
            .map(|p| (p.ctype.as_str(), p.subtype.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("multipart", "report"),
                ("text", "plain"),
                ("message", "delivery-status"),
                ("message", "rfc822")
            ]
        );
        assert_eq!(mail.subject().as_deref(), Some("Onbestelbaar: nieuwsbrief"));
        assert!(
            matches!(&mail.parts[1].body, Body::Text(t) if t.text() == "Le destinataire n'existe pas: café@example.fr")
        );
        assert!(matches!(&mail.parts[2].body, Body::Other(b) if b.bytes().ends_with(b"Status: 5.1.1\r\n")));
        let Body::Message(original) = &mail.parts[3].body else {
            panic!("the original is a message");
        };
        assert_eq!(
            original.header_raw("message-id").map(TrimWs::trim_ws),
            Some("<m1@news.example.nl>")
        );
    }

    #[test]
    fn the_last_field_counts_and_folding_is_kept() {
        let mail = parse(b"X-A: one\nX-A: two\n  more\n\nbody");

        assert_eq!(mail.header_raw("x-a"), Some(" two\n  more"));
        assert!(matches!(&mail.parts[0].body, Body::Text(t) if t.text() == "body"));
    }

    #[test]
    fn a_base64_part_and_a_missing_closing_delimiter() {
        let mail = parse(b"Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Transfer-Encoding: base64\n\nU3RhdHVzOiA1LjEuMQ==\n--x\n\ntail");

        assert!(matches!(&mail.parts[1].body, Body::Text(t) if t.text() == "Status: 5.1.1"));
        assert!(matches!(&mail.parts[2].body, Body::Text(t) if t.text() == "tail"));
    }

    #[test]
    fn a_boundary_that_is_a_prefix_of_another_line_is_not_a_delimiter() {
        let mail = parse(b"Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--bb not me\n--b--\n");

        assert_eq!(mail.parts.len(), 2);
        assert!(matches!(&mail.parts[1].body, Body::Text(t) if t.text() == "one\n--bb not me"));
    }

    #[test]
    fn nesting_and_parts_are_bounded() {
        let mut deep = String::new();
        for i in 0..100 {
            deep.push_str(&format!("Content-Type: multipart/mixed; boundary=b{i}\n\n--b{i}\n"));
        }
        deep.push_str("\ninnermost\n");
        let many = format!(
            "Content-Type: multipart/mixed; boundary=p\n\n{}--p--\n",
            "--p\n\nx\n".repeat(5 * MAX_PARTS)
        );

        let deep = parse(deep.as_bytes());
        let many = parse(many.as_bytes());

        assert!(deep.parts.len() <= MAX_DEPTH + 1);
        assert!(many.parts.len() <= MAX_PARTS + 1);
    }

    /// The byte-at-a-time reading `split_params` replaced, kept as the
    /// reference its jumps must agree with.
    fn split_params_byte_by_byte(value: &str) -> Vec<&str> {
        let mut pieces = Vec::new();
        let mut rest = value;
        'pieces: loop {
            let (mut quoted, mut escaped) = (false, false);
            for (i, b) in rest.bytes().enumerate() {
                match b {
                    _ if escaped => escaped = false,
                    b'\\' if quoted => escaped = true,
                    b'"' => quoted = !quoted,
                    b';' if !quoted => {
                        pieces.push(&rest[..i]);
                        rest = &rest[i + 1..];
                        continue 'pieces;
                    }
                    _ => {}
                }
            }
            pieces.push(rest);
            return pieces;
        }
    }

    #[test]
    fn parameters_split_where_the_byte_by_byte_reading_splits() {
        // Arrange: quotes, escapes (of quotes, of semicolons, of
        // backslashes, of a multi-byte char) and separators in every order.
        const PIECES: &[&str] = &[
            "multipart/report",
            ";",
            " ",
            "\"",
            "\\",
            "a",
            "=",
            "é",
            "\t",
            "boundary",
            "日",
        ];
        let mut random = crate::message::test_pieces::Pieces::seeded(7);
        let values: Vec<String> = (0..20_000)
            .map(|n| (0..n % 16).map(|_| random.pick(PIECES)).collect())
            .collect();

        for value in &values {
            // Act
            let ours: Vec<&str> = split_params(value).collect();

            // Assert
            assert_eq!(ours, split_params_byte_by_byte(value), "{value:?}");
        }
    }
}
