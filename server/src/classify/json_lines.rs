//! The output lines of `classify`, written by hand: serde's serializer was
//! a sixteenth of the whole command's instructions (a call per field, a
//! byte at a time through every diagnostic), and every line has the same
//! few fields. The bytes are the same as `serde_json::to_string` gives
//! (a test compares them on hostile strings).

use std::fmt::Write;

/// One JSON object being written onto the end of `out`.
pub(super) struct Object<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Object<'a> {
    pub(super) fn new(out: &'a mut String) -> Self {
        out.push('{');
        Object { out, first: true }
    }

    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
    }

    /// A string field.
    pub(super) fn str(&mut self, key: &str, value: &str) -> &mut Self {
        self.key(key);
        escaped(self.out, value);
        self
    }

    /// A string field, `null` when absent.
    pub(super) fn opt_str(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        match value {
            Some(value) => self.str(key, value),
            None => {
                self.key(key);
                self.out.push_str("null");
                self
            }
        }
    }

    /// A number field, `null` when absent.
    pub(super) fn opt_num(&mut self, key: &str, value: Option<u64>) -> &mut Self {
        self.key(key);
        match value {
            // Writing to a String cannot fail.
            Some(n) => {
                let _ = write!(self.out, "{n}");
            }
            None => self.out.push_str("null"),
        }
        self
    }

    /// Closes the object and the line.
    pub(super) fn end(&mut self) {
        self.out.push_str("}\n");
    }
}

/// Eight bytes at once: whether any may need an escape (a control
/// character, `"` or `\`). It may say yes for a byte that needs none,
/// never no for one that does.
fn may_need_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS != 0;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS != 0;
    below_space || has_zero(word ^ (ONES * u64::from(b'"'))) || has_zero(word ^ (ONES * u64::from(b'\\')))
}

/// `value` as a JSON string, escaped as serde_json escapes it (RFC 8259
/// §7: the quote, the backslash and control characters; the short forms
/// where JSON has one, `\u00xx` otherwise).
fn escaped(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = value.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push('"');
    let mut plain = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(chunk) = bytes.get(i..i + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            if !may_need_escape(u64::from_le_bytes(word)) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => {
                i += 1;
                continue;
            }
        };
        // Everything before `i` is plain and ends on a character boundary,
        // since the byte at `i` is ASCII.
        out.push_str(&value[plain..i]);
        if short.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(short);
        }
        i += 1;
        plain = i;
    }
    out.push_str(&value[plain..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(value: &str) -> String {
        let mut out = String::new();
        escaped(&mut out, value);
        out
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        // Arrange: every control character, both escapes, multi-byte text,
        // and each at every offset of an eight-byte word.
        let controls: String = (0u8..0x20).map(char::from).collect();
        let mut cases = vec![
            String::new(),
            "550 5.1.1 <kijitora@example.jp>: Recipient address rejected".to_owned(),
            "quote \" and backslash \\ and DEL \u{7f}".to_owned(),
            "Postfach voll – メールボックスがいっぱいです \u{2028}".to_owned(),
            controls,
        ];
        for offset in 0..9 {
            for special in ["\"", "\\", "\n", "\u{1}", "\u{1f}", "é", " "] {
                cases.push(format!("{}{special}{}", "a".repeat(offset), "b".repeat(9)));
            }
        }
        for case in cases {
            // Act
            let got = ours(&case);
            // Assert
            assert_eq!(got, serde_json::to_string(&case).expect("a string encodes"), "{case:?}");
        }
    }

    #[test]
    fn an_object_is_one_line_with_nulls_for_absent_values() {
        let mut out = String::new();
        Object::new(&mut out)
            .str("file", "a\"b.eml")
            .opt_num("message", Some(3))
            .opt_str("stage", None)
            .opt_num("reply_code", None)
            .end();
        assert_eq!(
            out,
            "{\"file\":\"a\\\"b.eml\",\"message\":3,\"stage\":null,\"reply_code\":null}\n"
        );
    }
}
