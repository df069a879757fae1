//! Content transfer encodings (RFC 2045 §6.7 quoted-printable, §6.8
//! base64), charsets, and RFC 2047 encoded words: lenient, since bounce
//! texts come from every kind of mail system, and linear in their input.

use std::borrow::Cow;

/// The value of each base64 digit (RFC 2045 table 1), 255 for others.
const BASE64: [u8; 256] = {
    let mut table = [255u8; 256];
    let digits = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut i = 0;
    while i < digits.len() {
        table[digits[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Decodes base64, skipping what is not a base64 digit (line breaks, and
/// the stray characters RFC 2045 says to ignore) and stopping at `=`.
pub(super) fn base64(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    let mut i = 0;
    while i < input.len() {
        // Between groups, four digits in a row (nearly all of a line) are
        // three bytes at once. Only the newest bits of the accumulator are
        // ever written out, so it need not hold the older ones.
        if bits == 0
            && let Some(&[a, b, c, d]) = input.get(i..i + 4)
        {
            let [a, b, c, d] = [a, b, c, d].map(|x| BASE64[usize::from(x)]);
            if (a | b | c | d) < 64 {
                acc = u32::from(a) << 18 | u32::from(b) << 12 | u32::from(c) << 6 | u32::from(d);
                out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]);
                i += 4;
                continue;
            }
        }
        let byte = input[i];
        i += 1;
        if byte == b'=' {
            break;
        }
        let v = BASE64[usize::from(byte)];
        if v == 255 {
            continue;
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes quoted-printable. `=XX` is a byte, `=` at a line's end joins it
/// to the next; an `=` followed by anything else is kept as it is (a
/// mistake of the sender, not a reason to lose the text). In an encoded
/// word (`underscores`) `_` is a space (RFC 2047 §4.2).
pub(super) fn quoted_printable(input: &[u8], underscores: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        // Plain runs are copied whole, up to the next byte that needs care.
        let next = if underscores {
            memchr::memchr2(b'=', b'_', &input[i..])
        } else {
            memchr::memchr(b'=', &input[i..])
        };
        let Some(run) = next else {
            out.extend_from_slice(&input[i..]);
            break;
        };
        out.extend_from_slice(&input[i..i + run]);
        i += run;
        let b = input[i];
        if b == b'=' {
            let rest = &input[i + 1..];
            if let [h, l, ..] = rest
                && let (Some(h), Some(l)) = (hex(*h), hex(*l))
            {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
            // A soft line break: `=`, optional white space, end of line.
            let blank = rest.iter().take_while(|c| **c == b' ' || **c == b'\t').count();
            match rest.get(blank..) {
                Some([b'\r', b'\n', ..]) => {
                    i += 1 + blank + 2;
                    continue;
                }
                Some([b'\n', ..]) => {
                    i += 1 + blank + 1;
                    continue;
                }
                Some([]) => break,
                _ => {}
            }
        }
        out.push(if underscores && b == b'_' { b' ' } else { b });
        i += 1;
    }
    out
}

/// Text in `charset` as UTF-8 (no charset: UTF-8): UTF-8 and ASCII as
/// they are (invalid bytes replaced), other charsets through mail-parser's
/// decoders (the ISO-8859 family, Windows code pages, ISO-2022-JP,
/// Shift_JIS, GB, Big5, EUC-KR, KOI8...); an unknown charset is read as
/// UTF-8.
pub(super) fn charset<'a>(bytes: Cow<'a, [u8]>, charset: Option<&str>) -> Cow<'a, str> {
    let decoder = charset
        .filter(|c| {
            let utf8 = ["utf-8", "us-ascii", "utf8", "ascii"]
                .iter()
                .any(|u| c.eq_ignore_ascii_case(u));
            // Text already UTF-8 needs no decoder.
            let already = utf8 || (ascii_superset(c) && bytes.is_ascii());
            !already
        })
        .and_then(|c| mail_parser::decoders::charsets::map::charset_decoder(c.as_bytes()));
    match (decoder, bytes) {
        (Some(decode), bytes) => Cow::Owned(decode(&bytes)),
        (None, Cow::Borrowed(bytes)) => lossy(bytes),
        (None, Cow::Owned(bytes)) => match String::from_utf8(bytes) {
            Ok(text) => Cow::Owned(text),
            Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
        },
    }
}

/// `String::from_utf8_lossy`, with the validator first: it is far faster
/// than the lossy path's scan, and nearly every report and header value is
/// valid UTF-8 or ASCII.
pub(super) fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Whether a charset is one of the single-byte ones whose lower half is
/// ASCII (ISO 8859-x, the Windows code pages 125x): text in it that holds
/// only ASCII bytes is already UTF-8, with nothing to decode. (Not every
/// charset is: ISO-2022-JP and UTF-7 spell other characters in ASCII.)
fn ascii_superset(charset: &str) -> bool {
    let starts = |prefix: &str| {
        charset
            .get(..prefix.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(prefix))
    };
    starts("iso-8859-") || starts("windows-125") || starts("cp125")
}

/// A header value with its RFC 2047 encoded words (`=?charset?B|Q?text?=`)
/// decoded and white space folded; white space between two encoded words
/// is dropped (RFC 2047 §6.2).
pub(super) fn header_words(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut after_word = false;
    for token in raw.split_whitespace() {
        match encoded_word(token) {
            Some(text) => {
                if !after_word && !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&text);
                after_word = true;
            }
            None => {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(token);
                after_word = false;
            }
        }
    }
    out
}

/// One encoded word, decoded; `None` when `token` is not one. Words glued
/// together without space (`=?..?=?=..?=`) are decoded one after another.
fn encoded_word(token: &str) -> Option<String> {
    let mut rest = token;
    let mut out = String::new();
    while !rest.is_empty() {
        let body = rest.strip_prefix("=?")?;
        let (charset, body) = body.split_once('?')?;
        let (encoding, body) = body.split_once('?')?;
        let end = body.find("?=")?;
        let (text, after) = (&body[..end], &body[end + 2..]);
        // RFC 2231 §5: `charset*language`.
        let charset = charset.split('*').next().unwrap_or(charset);
        let bytes = match encoding {
            "B" | "b" => base64(text.as_bytes()),
            "Q" | "q" => quoted_printable(text.as_bytes(), true),
            _ => return None,
        };
        out.push_str(&self::charset(Cow::Owned(bytes), Some(charset)));
        rest = after;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-digit-at-a-time decoding, the reference for the fast path.
    fn base64_digit_by_digit(input: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let (mut acc, mut bits) = (0u32, 0u32);
        for &b in input {
            if b == b'=' {
                break;
            }
            let v = BASE64[b as usize];
            if v == 255 {
                continue;
            }
            acc = (acc << 6) | u32::from(v);
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
            }
        }
        out
    }

    #[test]
    fn base64_by_groups_decodes_as_digit_by_digit() {
        // Arrange: digits with line breaks, stray characters and padding
        // anywhere, so groups start at every offset.
        const PIECES: &[&str] = &["QUJD", "ZA", "x", "+/9", "\r\n", "\n", " ", "=", "*", "é", "SGVsbG8"];
        let mut random = crate::message::test_pieces::Pieces::seeded(5);
        let inputs: Vec<String> = (0..20_000)
            .map(|n| (0..n % 20).map(|_| random.pick(PIECES)).collect())
            .collect();

        for input in &inputs {
            // Act
            let ours = base64(input.as_bytes());

            // Assert
            assert_eq!(ours, base64_digit_by_digit(input.as_bytes()), "{input:?}");
        }
    }

    #[test]
    fn base64_skips_line_breaks_and_stops_at_padding() {
        assert_eq!(base64(b"SGVs\r\nbG8=\r\n"), b"Hello");
        assert_eq!(base64(b"U3Rhcms="), b"Stark");
    }

    #[test]
    fn quoted_printable_joins_soft_breaks_and_keeps_stray_equals() {
        assert_eq!(
            quoted_printable(b"Gebruiker=20onbe=\r\nkend", false),
            b"Gebruiker onbekend"
        );
        assert_eq!(quoted_printable(b"a=zz b=", false), b"a=zz b");
        assert_eq!(quoted_printable(b"caf=C3=A9_ok", true), "café ok".as_bytes());
    }

    #[test]
    fn encoded_words_in_several_charsets() {
        assert_eq!(
            header_words("=?UTF-8?B?RmVpbG1lbGRpbmc=?= =?UTF-8?Q?_p=C3=A5?= levering"),
            "Feilmelding på levering"
        );
        assert_eq!(
            header_words("=?ISO-8859-1?Q?R=E9ponse_automatique?="),
            "Réponse automatique"
        );
        assert_eq!(header_words("Re:  plain\r\n\tfolded"), "Re: plain folded");
        assert_eq!(header_words("=?x-unknown?Q?a?= b"), "a b");
        assert_eq!(header_words("=?broken"), "=?broken");
    }

    #[test]
    fn ascii_in_a_latin_charset_is_kept_and_the_rest_decoded() {
        // Arrange: the same words in windows-1252, ISO-8859-15 and
        // ISO-2022-JP (whose ASCII bytes spell Japanese).
        let ascii = b"550 5.1.1 User unknown".as_slice();
        let latin = b"Benutzer unbekannt: m\xfcller".as_slice();
        let jis = b"\x1b$B%a!<%k\x1b(B".as_slice();
        // Act
        let kept = charset(Cow::Borrowed(ascii), Some("Windows-1252"));
        let decoded = charset(Cow::Borrowed(latin), Some("iso-8859-15"));
        let japanese = charset(Cow::Borrowed(jis), Some("iso-2022-jp"));
        // Assert
        assert!(matches!(kept, Cow::Borrowed("550 5.1.1 User unknown")));
        assert_eq!(decoded, "Benutzer unbekannt: müller");
        assert_eq!(japanese, "メール");
    }
}
