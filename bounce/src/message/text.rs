//! Plain-text bounces: recipients named on lines of their own, with the
//! error text that follows them.

use std::sync::LazyLock;

use regex::Regex;

use super::codes::re;

const ADDR: &str =
    r#"(?:"[^"\n]+"|[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+)@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*"#;

/// The start of a recipient line; the rest of the line is what follows the
/// match (capturing it would make the capture engine walk the whole line).
static LINE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r#"^[ \t>]*(?:\*\s+|>>>\s+|<<<\s+(?P<code>[2-5]\d\d[ -](?:[2-5]\.\d{{1,3}}\.\d{{1,3}}\s+)?)|[2-5]\d\d[ -](?:[2-5]\.\d{{1,3}}\.\d{{1,3}}\s+)?)?["<]?(?P<addr>{ADDR})[">]?(?:\s+<(?P<alt>{ADDR})>)?"#
    ))
});
static REST: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^(?:\s*$|\s*:|\.\.\.|\s*\.\.\.|\s+on\s|\s*\[|\s*\(|\s*,|\s+\S+.*(?:error_code|invalid|error|unknown|failed|rejected|denied|full|quota|exist))",
    )
});
/// Sendmail's own line about an address: `554 <a@b>... reason`.
static SUMMARY: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*[245]\d\d <?[^\s<>]+@[^\s<>]+>?\.\.\. "));
/// Sendmail's own line about a host: `550 example.org (smtp)... reason`.
static SUMMARY_HOST: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*[245]\d\d [^\s@]+ \(\w+\)\.\.\. "));

/// A transcript line: `Some(Some(reply))` for the remote's `<<< ...`,
/// `Some(None)` for our `>>> ...` or a new "while talking to" section.
fn transcript_line(line: &str) -> Option<Option<&str>> {
    let trimmed = line.trim_start();
    if let Some(reply) = trimmed.strip_prefix("<<<") {
        return Some(Some(reply.trim()));
    }
    let talking = trimmed
        .get(..16)
        .is_some_and(|h| h.eq_ignore_ascii_case("while talking to"));
    (trimmed.starts_with(">>>") || talking || trimmed.starts_with("... while talking to")).then_some(None)
}

static RULE_LINE: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*[-=_*#|]{5,}"));
static SENTENCE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r#"(?i)(?:\bto|\brecipient(?:\(s\))?|\baddress(?:es)?|\bfor|attempts)\s*:?\s*["<]?({ADDR})[">]?"#
    ))
});
static REASON: LazyLock<Regex> = LazyLock::new(|| re(r"\(reason: (.+?)\)(?:\s|$)"));
static BRACKETED: LazyLock<Regex> = LazyLock::new(|| re(&format!(r"<({ADDR})>")));

/// A recipient named in the report's text, with the error text about it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Block {
    pub address: String,
    pub text: String,
}

/// A cheap test that lets through every line [`LINE`] can match: the address
/// is within the first three words (after `*`, `>>>`, a reply code and a
/// status). Most report lines fail it, so the pattern engine rarely runs.
fn may_name_recipient(line: &str) -> bool {
    line.contains('@')
        && line
            .trim_start_matches([' ', '\t', '>', '<', '*'])
            .split_whitespace()
            .take(3)
            .any(|word| word.contains('@') || word.starts_with('"') || word.starts_with("<\""))
        && LINE.is_match(line)
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Recipients on lines of their own (`<x@y>: host ... said: 550 ...`,
/// Exim's indented address followed by the SMTP error, qmail's `<x@y>:`).
pub(crate) fn blocks(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks: Vec<Block> = Vec::new();
    // In a Sendmail transcript the remote server's reply ("<<< 550 ...")
    // comes before Sendmail's own line naming the address.
    let mut last_reply: Option<&str> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(transcript) = transcript_line(line) {
            last_reply = transcript;
        }
        let Some(caps) = may_name_recipient(line).then(|| LINE.captures(line)).flatten() else {
            i += 1;
            continue;
        };
        let rest = caps.get(0).map_or("", |m| &line[m.end()..]);
        if !REST.is_match(rest) {
            i += 1;
            continue;
        }
        let address = caps
            .name("alt")
            .or_else(|| caps.name("addr"))
            .map_or("", |m| m.as_str());
        let address = address.trim_matches('"').to_owned();
        let own_indent = indent(line);
        // A transcript's "<<< 550 <a@b>, User Unknown" is the remote
        // server's own reply: its code belongs to the error text. (Sendmail's
        // summary "550 5.1.1 <a@b>... User unknown" is Sendmail's reading.)
        let code = caps
            .name("code")
            .map_or("", |m| m.as_str().trim_end_matches('-').trim());
        let rest = rest.trim_start_matches([':', '.', ',', ' ']).trim();
        let mut body = vec![if code.is_empty() {
            rest.to_owned()
        } else {
            format!("{code} {rest}")
        }];
        if code.is_empty()
            && SUMMARY.is_match(line)
            && let Some(reply) = last_reply.take()
        {
            body[0] = format!("{}: {reply}", body[0]);
        }
        let mut j = i + 1;
        while j < lines.len() {
            let next = lines[j];
            if transcript_line(next).is_some() || SUMMARY_HOST.is_match(next) {
                break;
            }
            if next.trim().is_empty() {
                // A blank line ends the block unless the next paragraph is indented more.
                let continues = lines
                    .get(j + 1)
                    .is_some_and(|l| !l.trim().is_empty() && indent(l) > own_indent);
                if !continues {
                    break;
                }
                j += 1;
                continue;
            }
            if RULE_LINE.is_match(next) {
                break;
            }
            if indent(next) <= own_indent
                && may_name_recipient(next)
                && LINE
                    .captures(next)
                    .is_some_and(|c| REST.is_match(c.get(0).map_or("", |m| &next[m.end()..])))
            {
                break;
            }
            body.push(next.trim().to_owned());
            j += 1;
        }
        let joined = body.into_iter().filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
        // Sendmail appends its own summary ("... User unknown") to every
        // failed address; the server's words are in "(reason: ...)".
        let joined = match REASON.captures(&joined) {
            Some(c) => c.get(1).map_or(joined.clone(), |m| m.as_str().trim().to_owned()),
            None => joined,
        };
        let lower = address.to_lowercase();
        match blocks.iter_mut().find(|b| b.address == lower) {
            Some(existing) => {
                if !joined.is_empty() && !existing.text.contains(&joined) {
                    existing.text = format!("{} {joined}", existing.text).trim().to_owned();
                }
            }
            None => blocks.push(Block {
                address: lower,
                text: joined,
            }),
        }
        i = j.max(i + 1);
    }
    blocks
}

/// Addresses named in prose: "delivering your mail to <x@y>", "Could not be
/// delivered to: <x@y>".
pub(crate) fn sentence_addresses(text: &str) -> Vec<String> {
    unique(
        SENTENCE
            .captures_iter(text)
            .filter_map(|c| c.get(1).map(|m| m.as_str().to_lowercase())),
    )
}

/// Every `<address>` in the text.
pub(crate) fn bracketed_addresses(text: &str) -> Vec<String> {
    unique(
        BRACKETED
            .captures_iter(text)
            .filter_map(|c| c.get(1).map(|m| m.as_str().to_lowercase())),
    )
}

fn unique(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// Role accounts that reports name for contact, never as the failed recipient.
pub(crate) fn is_role_account(address: &str) -> bool {
    let local = address.split('@').next().unwrap_or("");
    matches!(
        local,
        "postmaster"
            | "mailer-daemon"
            | "abuse"
            | "support"
            | "help"
            | "info"
            | "admin"
            | "webmaster"
            | "noreply"
            | "no-reply"
            | "root"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postfix_and_exim_and_qmail_lines() {
        let postfix = "<kijitora@example.jp>: host mx.example.jp[192.0.2.22] said: 550 5.1.1\n    <kijitora@example.jp>... User Unknown (in reply to RCPT TO command)\n";
        let exim = "  neko@example.jp\n    SMTP error from remote mail server after RCPT TO:<neko@example.jp>:\n    host mx.example.jp [192.0.2.1]: 550 5.1.1 unknown\n\n------ This is a copy";
        let qmail = "<userunknown@example.jp>:\n192.0.2.153 does not like recipient.\nRemote host said: 550 5.1.1 <userunknown@example.jp>... User Unknown\nGiving up on 192.0.2.153.\n";

        let p = blocks(postfix);
        let e = blocks(exim);
        let q = blocks(qmail);

        assert_eq!(p.len(), 1);
        assert!(p[0].text.contains("in reply to RCPT TO command"), "{}", p[0].text);
        assert_eq!(e[0].address, "neko@example.jp");
        assert!(e[0].text.contains("550 5.1.1 unknown"));
        assert!(q[0].text.contains("does not like recipient"));
    }

    #[test]
    fn sendmail_transcripts_pair_the_remote_reply_with_the_address() {
        let transcript = "While talking to example.edu:\n>>> DATA\n\
<<< 550 You cannot send E-Mail to yourself\n\
554 <anna@example.edu>... Remote protocol error: Connection reset by peer\n\
550 example.org (smtp)... 550 Host unknown\n\
554 <piet@example.org>... 550 Host unknown (Authoritative answer from name server)\n\
While talking to mail.example.nl:\n>>> RCPT To:<kees@example.nl>\n\
<<< 550 <kees@example.nl>, User Unknown\n550 <kees@example.nl>... User unknown\n";

        let b = blocks(transcript);

        let text = |a: &str| {
            b.iter()
                .find(|b| b.address == a)
                .map(|b| b.text.clone())
                .unwrap_or_default()
        };
        assert_eq!(
            text("anna@example.edu"),
            "Remote protocol error: Connection reset by peer: 550 You cannot send E-Mail to yourself"
        );
        assert!(!text("anna@example.edu").contains("Host unknown"));
        assert_eq!(
            text("piet@example.org"),
            "550 Host unknown (Authoritative answer from name server)"
        );
        assert!(
            text("kees@example.nl").starts_with("550 User Unknown"),
            "{}",
            text("kees@example.nl")
        );
    }

    #[test]
    fn prose_does_not_start_a_block() {
        assert!(blocks("kijitora@example.jp 様 お問い合わせ").is_empty());
        assert_eq!(
            sentence_addresses("There was an error delivering your mail to <A@b.jp>."),
            vec!["a@b.jp"]
        );
    }
}
