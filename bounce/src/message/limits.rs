//! What one message may make the reader do and produce. Bounce messages
//! come from strangers: without caps a crafted message of a few megabytes
//! (hundreds of thousands of DSN groups, or one text shared by hundreds of
//! recipients) kept the reader busy for minutes or made it write hundreds
//! of megabytes. Every step of the reader is linear in the message's size;
//! these caps bound what it returns (docs/architecture.md, Classifier;
//! the timings in docs/performance.md).

use std::fmt;

use serde::Serialize;

/// The largest message read: past what most providers accept (Gmail and
/// Outlook.com take 25 to 35 MB with encoding), so only a bounce quoting a
/// very large original whole is refused, and refused whole.
pub const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;

/// The most recipients one message yields. One SMTP transaction may carry
/// as few as 100 recipients (RFC 5321, 4.5.3.1.8) and servers rarely
/// accept more than a few thousand; a campaign sends one recipient per
/// message. The first ones in the message are kept.
pub const MAX_RECIPIENTS: usize = 1_000;

/// The longest diagnostic kept per recipient, in bytes (cut on a character
/// boundary): the longest real replies (Microsoft's, Gmail's multi-line
/// ones) are under 1,000 bytes.
pub const MAX_DIAGNOSTIC_BYTES: usize = 4_096;

/// When several recipients share a text (a complaint report's prose, a
/// local delivery agent's line), each gets at most its share of the
/// message's size, but never less than this.
pub(crate) const MIN_SHARED_BYTES: usize = 256;

/// A cap a message reached. What was read within it is still returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "limit", rename_all = "snake_case")]
pub enum Limit {
    /// Larger than [`MAX_MESSAGE_BYTES`]: nothing of it was read.
    Size { bytes: usize },
    /// More distinct recipients than [`MAX_RECIPIENTS`]: the first ones
    /// were read.
    Recipients { named: usize },
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Size { bytes } => write!(
                f,
                "the message is {bytes} bytes, over the {MAX_MESSAGE_BYTES} a message may have: it was not read"
            ),
            Limit::Recipients { named } => write!(
                f,
                "the message names {named} recipients: only the first {MAX_RECIPIENTS} were read \
                 (at most {MAX_RECIPIENTS} per message)"
            ),
        }
    }
}

/// The per-recipient diagnostic cap of a message of `bytes` bytes with
/// `records` records.
pub(crate) fn diagnostic_cap(bytes: usize, records: usize) -> usize {
    (bytes / records.max(1)).clamp(MIN_SHARED_BYTES, MAX_DIAGNOSTIC_BYTES)
}

/// Cuts `text` to at most `max` bytes, on a character boundary.
pub(crate) fn cut(text: &mut String, max: usize) {
    let kept = head(text, max).len();
    text.truncate(kept);
}

/// The first `max` bytes of `text` at most, on a character boundary: what
/// [`cut`] keeps, without copying the rest first (a text shared by hundreds
/// of recipients is copied once per recipient).
pub(crate) fn head(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut at = max;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    &text[..at]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutting_keeps_whole_characters() {
        let mut text = "Postfach voll: überschritten".to_owned();
        cut(&mut text, 16);
        assert_eq!(text, "Postfach voll: ");
        let mut short = "550 5.1.1".to_owned();
        cut(&mut short, 4_096);
        assert_eq!(short, "550 5.1.1");
    }

    #[test]
    fn shared_text_gets_a_share_of_the_message_within_bounds() {
        assert_eq!(diagnostic_cap(1_000_000, 1), MAX_DIAGNOSTIC_BYTES);
        assert_eq!(diagnostic_cap(1_000_000, 500), 2_000);
        assert_eq!(diagnostic_cap(20_000, 1_000), MIN_SHARED_BYTES);
        assert_eq!(diagnostic_cap(0, 0), MIN_SHARED_BYTES);
    }
}
