//! HTML to text for reports sent only as HTML (AOL's, Microsoft 365's):
//! the words in order, a line break for `<br>` and `</p>`, nothing from
//! `<head>`, `<style>`, `<script>`, `<template>` or comments, entities
//! decoded.
//!
//! The output is exactly that of mail-parser's `html_to_text`, which the
//! reader used before (a test compares the two on generated HTML), but the
//! text between tags is taken a word at a time and hidden sections and
//! comments are skipped with a vector search, where mail-parser walks every
//! byte through its state machine: a 40 kB Microsoft 365 report cost as
//! many instructions as the rest of the reader.

use mail_parser::decoders::html::add_html_token;

/// Where the scan is: the flags the sections set, and the spacing state
/// of the text written so far.
#[derive(Default)]
struct Scan {
    head: bool,
    style: bool,
    script: bool,
    template: bool,
    /// White space came after the last word written.
    after_space: bool,
    /// The last thing written was a line break (or nothing yet).
    new_line: bool,
}

impl Scan {
    fn hidden(&self) -> bool {
        self.head || self.style || self.script || self.template
    }
}

/// How a tag ended.
enum TagEnd {
    /// After the closing `>` (or the `-->` of a comment).
    At(usize),
    /// The input ended inside the tag or comment.
    Open,
}

/// The text of an HTML document.
pub(super) fn html_to_text(html: &str) -> String {
    let input = html.as_bytes();
    let mut out = String::with_capacity(input.len() / 2);
    let mut scan = Scan {
        new_line: true,
        ..Scan::default()
    };
    // The word being read: where it starts (`None` between words).
    let mut word: Option<usize> = None;
    let mut pos = 0;
    while pos < input.len() {
        if scan.hidden() {
            // Nothing but the next tag matters until the section closes.
            let Some(at) = memchr::memchr(b'<', &input[pos..]) else {
                return out;
            };
            pos += at;
        }
        let byte = input[pos];
        match byte {
            b'<' => {
                if let Some(start) = word.take() {
                    add(&mut out, &html[start..pos], scan.after_space);
                    scan.after_space = false;
                }
                match tag(input, pos + 1, &mut scan, &mut out) {
                    TagEnd::At(next) => pos = next,
                    TagEnd::Open => return out,
                }
            }
            b' ' | b'\t' | b'\r' | b'\n' => {
                if let Some(start) = word.take() {
                    add(&mut out, &html[start..pos], scan.after_space && !scan.new_line);
                    scan.new_line = false;
                }
                scan.after_space = true;
                pos += 1;
            }
            // An entity starts a word of its own; `;` ends one, with it.
            b'&' | b';' if word.is_some() => {
                let start = word.take().unwrap_or(pos);
                let end = if byte == b';' { pos + 1 } else { pos };
                add(&mut out, &html[start..end], scan.after_space && !scan.new_line);
                scan.new_line = false;
                scan.after_space = false;
                if byte == b'&' {
                    word = Some(pos);
                }
                pos += 1;
            }
            _ => {
                word.get_or_insert(pos);
                pos += 1;
                // The rest of the word at once.
                while pos < input.len() && !matches!(input[pos], b'<' | b' ' | b'\t' | b'\r' | b'\n' | b'&' | b';') {
                    pos += 1;
                }
            }
        }
    }
    if let Some(start) = word {
        add(&mut out, &html[start..], scan.after_space && !scan.new_line);
    }
    out
}

/// Writes a word, decoding it when it is an entity (`&amp;`, `&#233;`).
fn add(out: &mut String, word: &str, space: bool) {
    if word.starts_with('&') && word.ends_with(';') {
        add_html_token(out, word.as_bytes(), space);
    } else {
        if space {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// Reads a tag from just after its `<`: its name sets the section flags or
/// writes a line break. A `<` inside starts the tag again; `<!--` opens a
/// comment, which ends at `-->`.
fn tag(input: &[u8], mut pos: usize, scan: &mut Scan, out: &mut String) -> TagEnd {
    // Words in the tag so far, where the first starts and ends, and
    // whether a `/` came before the first.
    let mut words = 0;
    let (mut start, mut end) = (0, 0);
    let mut in_word = false;
    let mut closing = false;
    while pos < input.len() {
        match input[pos] {
            b'<' => {
                words = 0;
                in_word = false;
                closing = false;
            }
            b'>' => {
                if words == 1 {
                    name(&input[start..=end], closing, scan, out);
                }
                return TagEnd::At(pos + 1);
            }
            b'/' => closing |= words == 0,
            b'!' if words == 0 && input.get(pos + 1..pos + 3) == Some(b"--") => return comment(input, pos + 1),
            b' ' | b'\t' | b'\r' | b'\n' => in_word = false,
            _ => {
                if !in_word {
                    in_word = true;
                    words += 1;
                    start = pos;
                }
                end = pos;
                if words > 1 {
                    // Attributes: only the tag's end (or a new tag) matters now.
                    match memchr::memchr2(b'>', b'<', &input[pos..]) {
                        Some(at) => {
                            pos += at;
                            continue;
                        }
                        None => return TagEnd::Open,
                    }
                }
            }
        }
        pos += 1;
    }
    TagEnd::Open
}

/// What a tag's name does.
fn name(name: &[u8], closing: bool, scan: &mut Scan, out: &mut String) {
    let is = |n: &[u8]| name.eq_ignore_ascii_case(n);
    if is(b"br") || (is(b"p") && closing) {
        out.push('\n');
        scan.after_space = false;
        scan.new_line = true;
    } else if is(b"head") {
        scan.head = !closing;
    } else if is(b"style") {
        scan.style = !closing;
    } else if is(b"script") {
        scan.script = !closing;
    } else if is(b"template") {
        scan.template = !closing;
    }
}

/// Skips a comment from its first `-`: it ends at a `>` after exactly two
/// dashes (`--->` does not end it, as in mail-parser).
fn comment(input: &[u8], from: usize) -> TagEnd {
    let mut pos = from;
    while let Some(at) = memchr::memchr(b'>', &input[pos..]) {
        let close = pos + at;
        let dashes = input[from..close].iter().rev().take_while(|&&b| b == b'-').count();
        if dashes == 2 {
            return TagEnd::At(close + 1);
        }
        pos = close + 1;
    }
    TagEnd::Open
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::test_pieces::Pieces;

    /// Random HTML from pieces that steer every branch: tags that switch
    /// sections, comments with odd dash runs, entities, broken tags.
    fn generated(seed: u64, pieces: usize) -> String {
        const PIECES: &[&str] = &[
            "<",
            ">",
            "/",
            "!",
            "--",
            "-",
            "<!--",
            "-->",
            "--->",
            "&amp;",
            "&#233;",
            "&#x41;",
            "&bogus;",
            "&",
            ";",
            " ",
            "\t",
            "\r\n",
            "\n",
            "br",
            "p",
            "</p>",
            "<br/>",
            "<p>",
            "<head>",
            "</head>",
            "<style>",
            "</style>",
            "<script>",
            "</script>",
            "<template>",
            "</template>",
            "<BR>",
            "<a href=\"x/y\">",
            "</a>",
            "mailbox",
            "full",
            "é",
            "日本",
            "550",
            "5.1.1",
            "<<",
            ">>",
        ];
        let mut random = Pieces::seeded(seed);
        (0..pieces).map(|_| random.pick(PIECES)).collect()
    }

    #[test]
    fn writes_what_mail_parser_writes() {
        let real = "<html><head><style>p { color: red }</style></head><body>\
            <p>Delivery has failed to these recipients or groups:</p>\
            <p><a href=\"mailto:jan@example.nl\">jan@example.nl</a><br>\
            The email address you entered couldn&#39;t be found &amp; so on.</p>\
            <!-- a comment --><script>var x = 1 < 2;</script>Diagnostic&nbsp;information</body></html>";
        let mut inputs = vec![real.to_owned()];
        inputs.extend((0..20_000).map(|seed| generated(seed, 1 + seed as usize % 40)));
        for html in inputs {
            let ours = html_to_text(&html);

            let theirs = mail_parser::decoders::html::html_to_text(&html);

            assert_eq!(ours, theirs, "{html:?}");
        }
    }

    #[test]
    fn a_long_document_is_read_in_one_pass() {
        // Arrange: 2 MB of words, tags, a style section and comments.
        let block = "<p>mailbox full &amp; over quota</p><style>.x{}</style><!-- c -->\n";
        let html = block.repeat(2 * 1024 * 1024 / block.len());

        // Act
        let text = html_to_text(&html);

        // Assert
        assert_eq!(
            text.matches("mailbox full & over quota").count(),
            html.matches("<p>").count()
        );
    }
}
