//! Whether a refusal names the sending IP as what it refuses: "Mail from
//! 192.0.2.45 refused", "Access denied for 192.0.2.45", "550 5.7.1
//! [192.0.2.45] ...", "IP=192.0.2.45".
//!
//! Sisimai's `blocked` is a refusal of the client's IP address or host name
//! (RFC 3463 gives no separate status: receivers use 5.7.1 or none). A
//! server that refuses our host usually says so by naming our address,
//! whatever words it adds; one that refuses our sender names the sender
//! address instead. An address in the text is not enough on its own: an
//! MTA's log puts the remote host's IP beside its name ("host
//! mx.example.net[198.51.100.7] said:"), so only an IP introduced the way
//! a refusal introduces its subject counts.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

/// The words a refusal puts right before the IP it refuses.
const INTRODUCERS: &[&str] = &[
    "from ",
    "for ",
    "ip ",
    "ip=",
    "ip: ",
    "ip address ",
    "client ",
    "source ",
    "sender ",
    "connecting ",
];

/// Words of refusal, one of which must stand near the IP: a report's text
/// also says where a message came from ("The original message was
/// received at ... from [192.0.2.45]"), which refuses nothing.
const REFUSAL: &[&str] = &[
    "refus",
    "reject",
    "denied",
    "deny",
    "block",
    "listed",
    "banned",
    "not allowed",
    "not permitted",
    "not accepted",
    "access",
    "reputation",
    "spam",
    "policy",
    "abgelehnt",
    "gesperrt",
    "bloqu",
    "rechaz",
    "rifiut",
    "zablok",
    "odrzuc",
    "отклон",
    "заблок",
    "拒",
];

/// How far (bytes) from the IP a refusal word may stand: one reply's clause.
const NEAR: usize = 100;

static REFUSALS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(REFUSAL)
        .unwrap_or_else(|e| panic!("the refusal words are valid patterns: {e}"))
});

/// Builds the automaton now (see `message::prepare`).
pub(crate) fn prepare() {
    LazyLock::force(&REFUSALS);
}

/// True when `text` (lower-cased, white space folded) names an IP address
/// right after one of [`INTRODUCERS`] (in brackets or not), or as the
/// bracketed first word after the reply code and status, as Gmail and
/// Yahoo put it ("550-5.7.1 [192.0.2.45] ..."), with a word of refusal
/// within [`NEAR`] bytes, and not in a "Received: from" trace.
pub(crate) fn named(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Where the refusal words start, found in one pass; each candidate IP
    // looks for one nearby by binary search.
    let mut refusals: Option<Vec<usize>> = None;
    let mut refused_near = |start: usize, end: usize| {
        let found = refusals.get_or_insert_with(|| REFUSALS.find_iter(text).map(|m| m.start()).collect());
        let first = found.partition_point(|&at| at + NEAR < start);
        found.get(first).is_some_and(|&at| at <= end + NEAR)
    };
    let mut at = 0;
    // One forward scan: each candidate start is looked at once, and each
    // check reads a bounded number of bytes around it.
    while at < bytes.len() {
        let Some(offset) = bytes[at..].iter().position(|b| b.is_ascii_digit()) else {
            return false;
        };
        let start = at + offset;
        let ip_len = ip_at(&bytes[start..]);
        if ip_len > 0
            && (introduced(&bytes[..start]) || leads_the_reply(&bytes[..start]))
            && !in_trace(&bytes[..start])
            && refused_near(start, start + ip_len)
        {
            return true;
        }
        // Skip the rest of this run of digits, dots and colons.
        at = start
            + bytes[start..]
                .iter()
                .position(|b| !(b.is_ascii_hexdigit() || matches!(b, b'.' | b':')))
                .unwrap_or(bytes.len() - start);
    }
    false
}

/// The length of the IPv4 dotted quad or IPv6 address at the start of
/// `bytes` (0 when there is none, or when it continues as a host name).
fn ip_at(bytes: &[u8]) -> usize {
    let run = bytes
        .iter()
        .position(|b| !(b.is_ascii_hexdigit() || matches!(b, b'.' | b':')))
        .unwrap_or(bytes.len());
    if bytes[..run].ends_with(b".") && bytes.get(run).is_some_and(|b| b.is_ascii_alphanumeric()) {
        // "1.2.3.4.bl.example.net": a name that starts with digits.
        return 0;
    }
    let token = bytes[..run].strip_suffix(b".").unwrap_or(&bytes[..run]);
    let Ok(token) = std::str::from_utf8(token) else {
        return 0;
    };
    let v4 = token.split('.').count() == 4
        && token
            .split('.')
            .all(|octet| !octet.is_empty() && octet.len() <= 3 && octet.bytes().all(|b| b.is_ascii_digit()));
    let v6 = token.matches(':').count() >= 2 && token.parse::<std::net::Ipv6Addr>().is_ok();
    if (v4 || v6)
        && !bytes
            .get(token.len())
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'-')
    {
        token.len()
    } else {
        0
    }
}

/// The text before an IP ends with an introducer, then perhaps "[" or "(".
fn introduced(before: &[u8]) -> bool {
    let before = before
        .strip_suffix(b"[")
        .or_else(|| before.strip_suffix(b"("))
        .unwrap_or(before);
    INTRODUCERS.iter().any(|word| {
        before.ends_with(word.as_bytes())
            && !before[..before.len() - word.len()]
                .last()
                .is_some_and(|b| b.is_ascii_alphanumeric())
    })
}

/// A "Received: from [192.0.2.45]" trace line copied into a report.
fn in_trace(before: &[u8]) -> bool {
    let tail = &before[before.len().saturating_sub(24)..];
    memchr::memmem::find(tail, b"received").is_some()
}

/// "550-5.7.1 [" or "421 4.7.0 [": only a reply code and a status before
/// the bracketed IP.
fn leads_the_reply(before: &[u8]) -> bool {
    let Some(before) = before.strip_suffix(b"[") else {
        return false;
    };
    let before = before.strip_suffix(b" ").unwrap_or(before);
    !before.is_empty() && before.len() <= 16 && before.iter().all(|b| b.is_ascii_digit() || b" .-".contains(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_that_introduces_an_ip_names_the_sender_host() {
        // Arrange: the forms receivers use for the client they refuse.
        let named_texts = [
            "550 5.7.1 mail from 192.0.2.45 refused",
            "550 access denied for 192.0.2.45",
            "554 ip=192.0.2.45 - access denied",
            "554 5.7.1 rejected: ip 192.0.2.45 is listed at bl.example.net",
            "421-4.7.0 [192.0.2.45 15] our system has detected a very low reputation",
            "550 5.7.1 [192.0.2.45] message refused",
            "550 connection from [2001:db8::25] refused",
        ];
        for text in named_texts {
            // Act / Assert
            assert!(named(text), "{text}");
        }
    }

    #[test]
    fn an_ip_beside_a_host_name_or_in_a_version_is_not_the_subject() {
        // Arrange: the remote host's own address in a log line, a version
        // number, an address inside a host name, a date.
        let texts = [
            "host mx.example.net[198.51.100.7] said: 550 5.7.1 no thanks",
            "550 5.7.1 rejected by mx 198.51.100.7",
            "from 1.2.3.4.bl.example.net listed",
            "from 1.2.3.4.net listed",
            "550 5.7.1 policy 2.1.0.4 from 2026.11.30",
            "for 12.5 seconds",
            // Where the message came from, and a trace line: no refusal.
            "the original message was received at mon, 30 nov 2026 from [192.0.2.45]",
            "received: from [192.0.2.45] by mx.example.net; rejected later",
        ];
        for text in texts {
            // Act / Assert
            assert!(!named(text), "{text}");
        }
    }

    #[test]
    fn ten_megabytes_of_digits_and_dots_are_read_in_one_pass() {
        // Arrange: a crafted text of near-addresses, and one of addresses
        // with no refusal near them.
        let near_misses = "from 1.2.3 ".repeat(1_000_000);
        let unrefused = "from 1.2.3.4 ".repeat(800_000);
        // Act / Assert: returns (linear) and finds none.
        assert!(!named(&near_misses));
        assert!(!named(&unrefused));
    }
}
