//! Finding the codes and the SMTP stage in a server's text.

use std::sync::LazyLock;

use regex::Regex;

use crate::{EnhancedStatus, ReplyCode, Stage};

pub(crate) fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("static pattern {pattern:?} compiles: {e}"))
}

/// Every enhanced status in `text` that stands on its own (not part of an IP
/// address, a version number or a longer number).
fn statuses(text: &str) -> Vec<EnhancedStatus> {
    // A byte scan from each '.', not a regex: this runs over whole reports
    // several times per message and a pattern without a literal prefix
    // would inspect every byte.
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = memchr::memchr(b'.', &bytes[from..]) {
        let dot = from + offset;
        from = dot + 1;
        let Some(start) = dot.checked_sub(1) else { continue };
        if !matches!(bytes[start], b'2' | b'4' | b'5')
            || !bytes.get(dot + 1).is_some_and(|b| (b'0'..=b'7').contains(b))
            || bytes.get(dot + 2) != Some(&b'.')
        {
            continue;
        }
        let digits = bytes[dot + 3..].iter().take_while(|b| b.is_ascii_digit()).count();
        let end = dot + 3 + digits;
        let before = start.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(end).copied();
        // "5.4.3.2" is an IP address, not a status: a fourth number follows.
        let fourth = after == Some(b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit);
        if (1..=3).contains(&digits)
            && !before.is_some_and(|b| b.is_ascii_digit() || matches!(b, b'.' | b'/' | b'V' | b'v'))
            && !fourth
            && let Ok(status) = text[start..end].parse()
        {
            found.push(status);
            from = end;
        }
    }
    found
}

fn is_vague(s: EnhancedStatus) -> bool {
    (s.subject() == 0 && s.detail() == 0) || (s.class() == 4 && s.subject() == 4 && s.detail() == 7)
}

/// The most telling enhanced status in a server's text: vague ones (`X.0.0`,
/// `4.4.7`) only when nothing better is there.
pub(crate) fn find_status(text: &str) -> Option<EnhancedStatus> {
    let mut found = statuses(text);
    // A transcript's "250 2.1.5 Ok" lines say nothing about the failure.
    if found.iter().any(|s| s.class() != 2) {
        found.retain(|s| s.class() != 2);
    }
    let specific: Vec<EnhancedStatus> = found.iter().copied().filter(|s| !is_vague(*s)).collect();
    let pool = if specific.is_empty() { found } else { specific };
    pool.into_iter()
        .reduce(|a, b| prefer(Some(a), Some(b), None).unwrap_or(a))
}

/// Picks between the status a report states and the one found in the text.
pub(crate) fn prefer(
    field: Option<EnhancedStatus>,
    text: Option<EnhancedStatus>,
    reply: Option<ReplyCode>,
) -> Option<EnhancedStatus> {
    let (field, text) = match (field, text) {
        (None, t) => return t,
        (f, None) => return f,
        (Some(f), Some(t)) => (f, t),
    };
    if f_class_differs(field, text)
        && let Some(reply) = reply
    {
        if reply.class_digit() == field.class() {
            return Some(field);
        }
        if reply.class_digit() == text.class() {
            return Some(text);
        }
    }
    if field == text {
        return Some(field);
    }
    if field.subject() == 0 && field.detail() == 0 {
        return Some(text);
    }
    let vague = |s: EnhancedStatus| s.subject() == 0 || s.detail() == 0;
    if vague(field) && !vague(text) {
        return Some(text);
    }
    if text.subject() == 0 && text.detail() == 0 {
        return Some(field);
    }
    let loose_field = (field.class() == 4 && field.subject() == 4 && field.detail() == 7)
        || (field.class() == 4 && field.subject() == 7 && field.detail() == 0)
        || (field.class() == 5 && field.subject() == 3)
        || (field.subject() == 5 && matches!(field.detail(), 1 | 2 | 4 | 5));
    if loose_field {
        return Some(text);
    }
    if field.class() == 5 && field.subject() == 1 && field.detail() == 1 {
        return if vague(text) || (text.class() == 5 && text.subject() == 5) {
            Some(field)
        } else {
            Some(text)
        };
    }
    if field.class() == 5 && field.subject() == 1 && field.detail() == 3 && text.class() == 5 && text.subject() == 7 {
        return Some(text);
    }
    Some(field)
}

fn f_class_differs(a: EnhancedStatus, b: EnhancedStatus) -> bool {
    a.class() != b.class()
}

const REPLY_5XX: &[u16] = &[
    550, 552, 553, 551, 521, 525, 523, 524, 530, 533, 534, 535, 538, 555, 556, 554, 500, 501, 502, 503, 504,
];
const REPLY_4XX: &[u16] = &[421, 450, 451, 452, 422, 430, 432, 453, 454, 455, 458, 459];
/// Success codes count only when the status says delivered.
const REPLY_2XX: &[u16] = &[250, 251, 252];

/// `X-Unix`, the diagnostic type of a local delivery (Postfix's local and
/// pipe): its numbers are no SMTP reply. The three ways it is written; the
/// searchers are built once.
static X_UNIX: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 3]> =
    std::sync::LazyLock::new(|| [b"X-Unix".as_slice(), b"x-unix", b"X-UNIX"].map(memchr::memmem::Finder::new));

/// The SMTP reply codes in a server's text: the three-digit numbers that
/// stand on their own, found in one pass, so that a recipient's text is
/// scanned once however many classes are asked about.
pub(crate) struct Replies(Vec<u16>);

/// Whether any of eight bytes is an ASCII digit (the "has between" test of
/// Bit Twiddling Hacks, for bytes between `/` and `:`): never no when one
/// is, so a word it rules out holds no digit.
fn may_hold_digit(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = ONES * 0x7f;
    const HIGHS: u64 = ONES * 0x80;
    let low = word & LOW7;
    (ONES * (127 + u64::from(b':')) - low) & !word & (low + ONES * (127 - u64::from(b'/'))) & HIGHS != 0
}

impl Replies {
    pub(crate) fn in_text(text: &str) -> Replies {
        let bytes = text.as_bytes();
        if X_UNIX.iter().any(|finder| finder.find(bytes).is_some()) {
            return Replies(Vec::new());
        }
        let mut present: Vec<u16> = Vec::new();
        let mut i = 0;
        while i + 3 <= bytes.len() {
            // Most bytes are not digits: eight are ruled out at once, then
            // the test of one byte comes first.
            if super::word_at(bytes, i).is_some_and(|word| !may_hold_digit(word)) {
                i += 8;
                continue;
            }
            if !bytes[i].is_ascii_digit() {
                i += 1;
                continue;
            }
            let window = &bytes[i..i + 3];
            if window.iter().all(u8::is_ascii_digit) {
                let clean = |b: Option<&u8>| !b.is_some_and(|b| b.is_ascii_digit() || matches!(b, b'.' | b'/'));
                let before = i.checked_sub(1).and_then(|p| bytes.get(p));
                // "#550 5.1.1" is Exchange's form; "#555;" is a CSS colour.
                let colour = before == Some(&b'#')
                    && !(bytes.get(i + 3) == Some(&b' ') && bytes.get(i + 4).is_some_and(u8::is_ascii_digit));
                if clean(before) && clean(bytes.get(i + 3)) && !colour {
                    present.push(
                        u16::from(window[0] - b'0') * 100
                            + u16::from(window[1] - b'0') * 10
                            + u16::from(window[2] - b'0'),
                    );
                }
                i += 3;
            } else {
                i += 1;
            }
        }
        Replies(present)
    }

    /// The most telling known failure code present (of `class`, the
    /// enhanced status's, when given).
    pub(crate) fn pick(&self, class: Option<u8>) -> Option<ReplyCode> {
        if self.0.is_empty() {
            return None;
        }
        let lists: &[&[u16]] = match class {
            Some(5) => &[REPLY_5XX],
            Some(4) => &[REPLY_4XX],
            Some(2) => &[REPLY_2XX],
            Some(_) => &[],
            None => &[REPLY_5XX, REPLY_4XX],
        };
        lists
            .iter()
            .flat_map(|list| list.iter())
            .find(|code| self.0.contains(code))
            .and_then(|&code| ReplyCode::new(code).ok())
    }
}

/// Phrases MTAs use to say which command a reply answered.
const COMMAND_PHRASES: &[(&str, Stage)] = &[
    ("does not like recipient", Stage::RcptTo),
    ("after rcpt", Stage::RcptTo),
    ("in reply to rcpt to command", Stage::RcptTo),
    ("sender was rejected", Stage::MailFrom),
    ("in reply to mail from command", Stage::MailFrom),
    ("after mail from", Stage::MailFrom),
    ("failed after i sent the message", Stage::Data),
    ("after end of data", Stage::Data),
    ("in reply to end of data command", Stage::Data),
    ("in reply to data command", Stage::Data),
    ("after data", Stage::Data),
    ("final data", Stage::Data),
    ("greeting failed", Stage::Helo),
    ("my name was rejected", Stage::Helo),
    ("refused to talk to me", Stage::Helo),
    ("in reply to ehlo command", Stage::Helo),
    ("in reply to helo command", Stage::Helo),
    ("after ehlo", Stage::Helo),
    ("after helo", Stage::Helo),
];

static PHRASES: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostFirst)
        .build(COMMAND_PHRASES.iter().map(|(p, _)| p))
        .unwrap_or_else(|e| panic!("the command phrases are valid patterns: {e}"))
});

/// SMTP commands as a transcript shows them.
const COMMANDS: &[&str] = &["helo", "ehlo", "starttls", "mail f", "rcpt", "data", "quit"];

static TOKENS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    // Leftmost-first lets the search use its vector prefilter; no command
    // is part of another, so the matches are those of the standard search.
    aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostFirst)
        .build(COMMANDS)
        .unwrap_or_else(|e| panic!("the SMTP commands are valid patterns: {e}"))
});

/// The stage a reply belongs to, from a transcript or the MTA's wording.
pub(crate) fn find_stage(text: &str) -> Option<Stage> {
    // Case-sensitive automata over a lower-cased copy: much faster than
    // case-insensitive ones, and ASCII lower-casing keeps the offsets.
    let lower = text.to_ascii_lowercase();
    let text = lower.as_str();
    // The phrase listed first wins when several occur, as in the table.
    if let Some(index) = PHRASES.find_iter(text).map(|m| m.pattern().as_usize()).min() {
        return Some(COMMAND_PHRASES[index].1);
    }
    // The command latest in delivery order wins (RCPT over MAIL...): `Stage`
    // already knows which stage a command belongs to, and orders them so.
    let bytes = text.as_bytes();
    let word_byte = |b: &u8| b.is_ascii_alphanumeric() || *b == b'@';
    TOKENS
        .find_iter(text)
        .filter(|m| {
            !m.start()
                .checked_sub(1)
                .and_then(|i| bytes.get(i))
                .is_some_and(word_byte)
                && !bytes.get(m.end()).is_some_and(word_byte)
        })
        .filter_map(|m| Stage::from_smtp_command(&text[m.range()]))
        .max()
        .or_else(|| REFUSED_GREETING.is_match(text).then_some(Stage::Greeting))
}

/// A Sendmail transcript whose first line after "while talking to" is the
/// server's reply (`<<<`), with no command of ours before it: the greeting.
/// Matched against the lower-cased text.
static REFUSED_GREETING: LazyLock<Regex> = LazyLock::new(|| re(r"while talking to [^\s:]+:\s*<<<"));

/// Builds this module's automata and patterns now (see `message::prepare`).
pub(super) fn prepare() {
    LazyLock::force(&PHRASES);
    LazyLock::force(&TOKENS);
    LazyLock::force(&REFUSED_GREETING);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find_reply(text: &str, class: Option<u8>) -> Option<ReplyCode> {
        Replies::in_text(text).pick(class)
    }

    fn st(s: &str) -> Option<EnhancedStatus> {
        Some(s.parse().expect("valid"))
    }

    #[test]
    fn statuses_skip_addresses_and_versions() {
        assert_eq!(find_status("host 192.0.2.5 said: 550 5.1.1 unknown"), st("5.1.1"));
        assert_eq!(find_status("Postfix 3.4.10 said nothing"), None);
        assert_eq!(find_status("connect to 5.4.3.2 failed"), None);
        assert_eq!(
            find_status("Out: 250 2.1.5 Ok Out: 451 4.3.0 Error: queue file write error"),
            st("4.3.0")
        );
        assert_eq!(find_status("450 4.0.0 busy; later 550 5.7.1 refused"), st("5.7.1"));
    }

    #[test]
    fn the_more_specific_status_wins() {
        assert_eq!(prefer(st("5.0.0"), st("5.7.1"), None), st("5.7.1"));
        assert_eq!(prefer(st("5.1.1"), st("5.0.0"), None), st("5.1.1"));
        assert_eq!(prefer(st("4.4.7"), st("4.2.2"), None), st("4.2.2"));
        assert_eq!(prefer(st("4.5.0"), st("5.5.0"), ReplyCode::new(550).ok()), st("5.5.0"));
        assert_eq!(prefer(None, st("5.2.2"), None), st("5.2.2"));
    }

    #[test]
    fn reply_codes_stand_alone() {
        assert_eq!(
            find_reply("host said: 550-5.1.1 no", None).map(ReplyCode::get),
            Some(550)
        );
        assert_eq!(find_reply("see 192.0.2.550 and 15501", None), None);
        assert_eq!(find_reply("452 4.2.2 full", Some(4)).map(ReplyCode::get), Some(452));
        assert_eq!(find_reply("452 4.2.2 full", Some(5)), None);
        assert_eq!(
            find_reply("250 2.6.0 Message received", Some(2)).map(ReplyCode::get),
            Some(250)
        );
        assert_eq!(find_reply("250 2.6.0 Message received", None), None);
        assert_eq!(find_reply("X-Unix; 550", None), None);
        assert_eq!(find_reply("color: #555 !important", None), None);
        assert_eq!(
            find_reply("#550 5.1.1 RESOLVER.ADR.RecipNotFound", None).map(ReplyCode::get),
            Some(550)
        );
    }

    #[test]
    fn stages_come_from_wording_and_transcripts() {
        assert_eq!(
            find_stage("550 5.1.1 User unknown (in reply to RCPT TO command)"),
            Some(Stage::RcptTo)
        );
        assert_eq!(
            find_stage("... while talking to mx03.example.org.:\n<<< 554 IP=192.0.2.254 - A problem occurred."),
            Some(Stage::Greeting)
        );
        assert_eq!(
            find_stage("SMTP error from remote mail server after end of data:"),
            Some(Stage::Data)
        );
        assert_eq!(
            find_stage(">>> MAIL From:<a@b.c>\n<<< 553 no\n>>> RCPT To:<x@y.z>"),
            Some(Stage::RcptTo)
        );
        assert_eq!(find_stage("mailbox full"), None);
    }

    #[test]
    fn a_word_is_ruled_out_only_when_it_holds_no_digit() {
        // Every byte value at every position of a word of otherwise plain
        // letters, and next to the digits' neighbours '/' and ':'.
        for fill in [b'a', b'/', b':', 0xff] {
            for at in 0..8 {
                for b in 0..=255u8 {
                    let mut word = [fill; 8];
                    word[at] = b;
                    let holds = word.iter().any(u8::is_ascii_digit);
                    let said = may_hold_digit(u64::from_le_bytes(word));
                    assert!(said || !holds, "{word:?}");
                    if fill != 0xff {
                        assert_eq!(said, holds, "{word:?}");
                    }
                }
            }
        }
    }
}
