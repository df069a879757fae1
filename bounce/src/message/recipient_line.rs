//! The start of a line that names a recipient, read by hand:
//!
//! ```text
//! <kijitora@example.jp>: host mx.example.jp said: ...      (Postfix)
//!   neko@example.jp                                         (Exim)
//! <<< 550 5.1.1 <kees@example.nl>, User Unknown             (a transcript's reply)
//! 550 5.1.1 <kees@example.nl>... User unknown               (Sendmail's own line)
//! * jan@example.nl                                          (bulleted lists)
//! ```
//!
//! It reads exactly what this pattern matches, with the same groups
//! (a test compares the two on generated lines):
//!
//! ```text
//! ^[ \t>]*(?:\*\s+|>>>\s+|<<<\s+(?P<code>[2-5][0-9][0-9][ -](?:[2-5]\.[0-9]{1,3}\.[0-9]{1,3}\s+)?)
//!   |(?P<own>[2-5][0-9][0-9][ -](?:[2-5]\.(?P<subject>[0-9]{1,3})\.[0-9]{1,3}\s+)?))?
//!   ["<]?(?P<addr>ADDR)[">]?(?:\s+<(?P<alt>ADDR)>)?
//! ```
//!
//! The pattern needed the regex engine's capture search on every candidate
//! line, which cost some 5,000 instructions a line: the largest single cost
//! of reading a plain-text bounce. Each step here is one forward scan.

use std::ops::Range;

/// What the start of a recipient line holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LineStart {
    /// Where the recognised start ends: the rest of the line follows.
    pub end: usize,
    /// A transcript's reply code and status before the address
    /// (`<<< 550 5.1.1 `), as written.
    pub code: Option<Range<usize>>,
    /// Sendmail's own code before the address (`550 5.1.1 <a@b>...`).
    pub own: bool,
    /// That own status's subject digit(s) (`1` in `5.1.1`).
    pub subject: Option<Range<usize>>,
    /// The address.
    pub addr: Range<usize>,
    /// A second, bracketed address after the first (`alias@b <box@b>`);
    /// where there is one, the reader takes it.
    pub alt: Option<Range<usize>>,
}

/// Reads the start of `line`, or `None` when it does not name an address
/// there.
pub(super) fn line_start(line: &str) -> Option<LineStart> {
    let b = line.as_bytes();
    let p = b.iter().take_while(|c| matches!(c, b' ' | b'\t' | b'>')).count();
    let plain = |(addr, alt, end)| LineStart {
        end,
        code: None,
        own: false,
        subject: None,
        addr,
        alt,
    };
    // The alternatives in the pattern's order; the first that reaches an
    // address wins, as the regex engine's leftmost-first search decides.
    if b.get(p) == Some(&b'*')
        && let Some(q) = spaces(line, p + 1)
        && let Some(found) = tail(line, q)
    {
        return Some(plain(found));
    }
    if b[p..].starts_with(b"<<<")
        && let Some(q) = spaces(line, p + 3)
    {
        for (after, _) in code(line, q) {
            if let Some((addr, alt, end)) = tail(line, after) {
                return Some(LineStart {
                    end,
                    code: Some(q..after),
                    own: false,
                    subject: None,
                    addr,
                    alt,
                });
            }
        }
    }
    for (after, subject) in code(line, p) {
        if let Some((addr, alt, end)) = tail(line, after) {
            return Some(LineStart {
                end,
                code: None,
                own: true,
                subject,
                addr,
                alt,
            });
        }
    }
    if let Some(found) = tail(line, p) {
        return Some(plain(found));
    }
    // `>>>\s+` can only win when its white space runs on past the leading
    // `[ \t>]*` (a no-break space after `>>> `): the regex engine gives
    // back the `>>>` and its spaces to that alternative.
    let gap = b[..p].iter().rev().take_while(|c| matches!(c, b' ' | b'\t')).count();
    if b[..p - gap].ends_with(b">>>")
        && let Some(q) = spaces(line, p - gap)
        && q > p
    {
        return tail(line, q).map(plain);
    }
    None
}

/// After one or more white space chars (Unicode's, as the pattern's `\s`)
/// from `at`; `None` when there is none.
fn spaces(line: &str, at: usize) -> Option<usize> {
    let rest = line.get(at..)?;
    let width: usize = rest.chars().take_while(|c| c.is_whitespace()).map(char::len_utf8).sum();
    (width > 0).then_some(at + width)
}

/// A reply code at `at` (`550 ` or `550-`), then the places an address may
/// start: after a following status and its white space (`5.1.1 `, with the
/// status's subject), then right after the code. Empty when there is no
/// code.
fn code(line: &str, at: usize) -> Vec<(usize, Option<Range<usize>>)> {
    let b = line.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let code_ok = matches!(b.get(at), Some(b'2'..=b'5'))
        && digit(at + 1)
        && digit(at + 2)
        && matches!(b.get(at + 3), Some(b' ' | b'-'));
    if !code_ok {
        return Vec::new();
    }
    let after_code = at + 4;
    let mut places = Vec::with_capacity(2);
    if let Some((end, subject)) = status(line, after_code) {
        places.push((end, Some(subject)));
    }
    places.push((after_code, None));
    places
}

/// `[2-5]\.[0-9]{1,3}\.[0-9]{1,3}\s+` at `at`: where it ends, and the
/// subject's digits.
fn status(line: &str, at: usize) -> Option<(usize, Range<usize>)> {
    let b = line.as_bytes();
    if !matches!(b.get(at), Some(b'2'..=b'5')) || b.get(at + 1) != Some(&b'.') {
        return None;
    }
    // `[0-9]{1,3}` followed by something that is not a digit only matches
    // the whole run of digits, and only when it is at most three long.
    let digits = |from: usize| {
        let n = b[from.min(b.len())..].iter().take_while(|c| c.is_ascii_digit()).count();
        (1..=3).contains(&n).then_some(from + n)
    };
    let subject_end = digits(at + 2)?;
    if b.get(subject_end) != Some(&b'.') {
        return None;
    }
    let detail_end = digits(subject_end + 1)?;
    Some((spaces(line, detail_end)?, at + 2..subject_end))
}

/// `["<]?ADDR[">]?(?:\s+<ADDR>)?` at `at`: the address, the second one,
/// and where it all ends.
fn tail(line: &str, at: usize) -> Option<(Range<usize>, Option<Range<usize>>, usize)> {
    let b = line.as_bytes();
    let addr = match b.get(at) {
        // The opening mark is taken when an address follows it; a quote
        // may instead open a quoted local part (`"jan de vries"@b`).
        Some(b'"' | b'<') => address(b, at + 1)
            .map(|end| at + 1..end)
            .or_else(|| address(b, at).map(|end| at..end)),
        _ => address(b, at).map(|end| at..end),
    }?;
    let mut end = addr.end;
    if matches!(b.get(end), Some(b'"' | b'>')) {
        end += 1;
    }
    let alt = spaces(line, end)
        .filter(|&open| b.get(open) == Some(&b'<'))
        .and_then(|open| address(b, open + 1).map(|close| open + 1..close))
        .filter(|alt| b.get(alt.end) == Some(&b'>'));
    if let Some(alt) = &alt {
        end = alt.end + 1;
    }
    Some((addr, alt, end))
}

/// The pattern's address at `at`: a quoted or plain local part, `@`, a
/// domain; where it ends.
fn address(b: &[u8], at: usize) -> Option<usize> {
    let local_end = if b.get(at) == Some(&b'"') {
        let close = at + 1 + memchr::memchr2(b'"', b'\n', b.get(at + 1..)?)?;
        (b[close] == b'"' && close > at + 1).then_some(close + 1)?
    } else {
        let n = b.get(at..)?.iter().take_while(|&&c| is_local(c)).count();
        (n > 0).then_some(at + n)?
    };
    if b.get(local_end) != Some(&b'@') {
        return None;
    }
    domain(b, local_end + 1)
}

/// `[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*` at `at`.
fn domain(b: &[u8], at: usize) -> Option<usize> {
    let label = |c: &u8| c.is_ascii_alphanumeric() || *c == b'-';
    if !b.get(at).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    // The first label ends at its last letter or digit.
    let run = b[at..].iter().take_while(|c| label(c)).count();
    let mut end = at
        + b[at..at + run]
            .iter()
            .rposition(u8::is_ascii_alphanumeric)
            .map_or(1, |i| i + 1);
    while b.get(end) == Some(&b'.') {
        let n = b[end + 1..].iter().take_while(|c| label(c)).count();
        if n == 0 {
            break;
        }
        end += 1 + n;
    }
    Some(end)
}

/// A char of an unquoted local part, as the pattern lists them (RFC 5322's
/// `atext` and the dot).
fn is_local(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::codes::re;
    use crate::message::test_pieces::Pieces;
    use crate::message::text::ADDR;

    /// The pattern this module reads by hand, as the regex engine runs it.
    fn oracle(line: &str) -> Option<LineStart> {
        static PATTERN: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            re(&format!(
                r#"^[ \t>]*(?:\*\s+|>>>\s+|<<<\s+(?P<code>[2-5][0-9][0-9][ -](?:[2-5]\.[0-9]{{1,3}}\.[0-9]{{1,3}}\s+)?)|(?P<own>[2-5][0-9][0-9][ -](?:[2-5]\.(?P<subject>[0-9]{{1,3}})\.[0-9]{{1,3}}\s+)?))?["<]?(?P<addr>{ADDR})[">]?(?:\s+<(?P<alt>{ADDR})>)?"#
            ))
        });
        let caps = PATTERN.captures(line)?;
        Some(LineStart {
            end: caps.get(0)?.end(),
            code: caps.name("code").map(|m| m.range()),
            own: caps.name("own").is_some(),
            subject: caps.name("subject").map(|m| m.range()),
            addr: caps.name("addr")?.range(),
            alt: caps.name("alt").map(|m| m.range()),
        })
    }

    /// Lines built slot by slot (lead, marker, code, status, address,
    /// second address, rest), each slot drawn from valid pieces, near
    /// misses and nothing, so every branch and group is reached.
    fn generated(seed: u64) -> String {
        const SLOTS: &[&[&str]] = &[
            &["", " ", "\t", ">", "> >", "  >>"],
            &["", "*", ">>>", "<<<", "<<", "* ", "**"],
            &["", " ", "\t", "\u{a0}", "\u{c}", "  \u{3000}"],
            &[
                "", "550", "250-", "421 ", "550 ", "550-", "650 ", "55 ", "5500 ", "٥٥٠ ",
            ],
            &[
                "",
                "5.1.1 ",
                "4.2.22\t",
                "5.1234.1 ",
                "2.0.0\u{a0}",
                "5.1.1",
                "5.1.",
                "6.1.1 ",
                "5..1 ",
            ],
            &["", "<", "\"", "<\"", "\"\""],
            &[
                "",
                "jan",
                "kari.nordmann",
                "\"jan de vries\"",
                "\"\"",
                "x*y",
                "@",
                "550",
                "5.1.1",
                "日本",
            ],
            &["", "@", "@@"],
            &[
                "",
                "example.org",
                "mx-1.example.no",
                "a-",
                "a--b.",
                "-x",
                "b.c-",
                "x.",
                "日本",
            ],
            &["", ">", "\"", ">>", "..."],
            &["", " ", "\t", "\u{a0}"],
            &["", "<a@b.c>", "<jan@example.nl", "<\"q r\"@x>", "<@x>"],
            &["", ": host mx said", "... User unknown", ", User Unknown", " ", "@x.y"],
        ];
        let mut random = Pieces::seeded(seed);
        SLOTS.iter().map(|slot| random.pick(slot)).collect()
    }

    #[test]
    fn reads_what_the_pattern_matches_with_the_same_groups() {
        let real = [
            "<kijitora@example.jp>: host mx.example.jp[192.0.2.22] said: 550 5.1.1",
            "  neko@example.jp",
            "<<< 550 5.1.1 <kees@example.nl>, User Unknown",
            "550 5.1.1 <kees@example.nl>... User unknown",
            "554 <anna@example.edu>... Remote protocol error",
            "* jan@example.nl",
            ">>> \u{a0}ola@example.no",
            "\"Jan de Vries\" <jan@example.nl>",
            "\"jan de vries\"@example.nl: mailbox full",
            "kijitora@example.jp 様 お問い合わせ",
        ];
        let lines = real.iter().map(|l| l.to_string()).chain((0..200_000).map(generated));
        // How often each group was read: the comparison covers them all.
        let mut seen = [0usize; 4];
        for line in lines {
            let ours = line_start(&line);

            let theirs = oracle(&line);

            assert_eq!(ours, theirs, "{line:?}");
            if let Some(found) = ours {
                seen[0] += usize::from(found.code.is_some());
                seen[1] += usize::from(found.own);
                seen[2] += usize::from(found.subject.is_some());
                seen[3] += usize::from(found.alt.is_some());
            }
        }
        assert!(seen.iter().all(|&n| n >= 100), "{seen:?}");
    }

    #[test]
    fn a_long_line_is_read_in_one_pass() {
        // Arrange: a 1 MB local part and a 1 MB domain of dashes.
        let line = format!("<<< 550 {}@a{}", "x".repeat(1 << 20), "-".repeat(1 << 20));

        // Act
        let found = line_start(&line);

        // Assert
        assert_eq!(found.map(|f| f.addr.len()), Some((1 << 20) + 2));
    }
}
