//! Crafted messages of the shapes that once kept the reader busy for
//! minutes or made it write hundreds of megabytes, generated at the sizes
//! that hurt. The property tests (`bounce/tests/hostile.rs`) and `bouncedesk
//! bench hostile` both read them; nothing of megabytes is checked in.

const HEADER: &str = "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\n\
To: bounces@news.example.com\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n";

/// A named shape.
pub struct Shape {
    pub name: &'static str,
    pub bytes: Vec<u8>,
}

/// Every shape, in the order the issue lists them.
pub fn all() -> Vec<Shape> {
    vec![
        Shape {
            name: "200,000 DSN groups",
            bytes: dsn_groups(200_000),
        },
        Shape {
            name: "one address on 150,000 lines",
            bytes: one_address_lines(150_000),
        },
        Shape {
            name: "200,000 distinct recipient lines",
            bytes: distinct_recipient_lines(200_000),
        },
        Shape {
            name: "300,000 bracketed addresses in prose",
            bytes: bracketed_prose(300_000),
        },
        Shape {
            name: "300,000 bare addresses in prose, the same one",
            bytes: bare_prose(300_000),
        },
        Shape {
            name: "local delivery agent line, 500 recipients",
            bytes: lda_line(500, 1_000_000),
        },
        Shape {
            name: "ARF report, 500 recipients",
            bytes: arf(500, 12_000),
        },
        Shape {
            name: "200,000 MIME parts",
            bytes: many_parts(200_000),
        },
        Shape {
            name: "multiparts nested 100,000 deep",
            bytes: nested_multiparts(100_000),
        },
    ]
}

fn plain(body: &str) -> Vec<u8> {
    format!("{HEADER}Content-Type: text/plain\n\n{body}").into_bytes()
}

/// A delivery-status part with `n` recipient groups.
pub fn dsn_groups(n: usize) -> Vec<u8> {
    let mut out = format!(
        "{HEADER}Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n\
         --B\nContent-Type: text/plain\n\nDelivery failed.\n\n--B\nContent-Type: message/delivery-status\n\n\
         Reporting-MTA: dns; mx.example.net\n\n"
    );
    for i in 0..n {
        out.push_str(&format!(
            "Final-Recipient: rfc822; user{i}@example.org\nAction: failed\nStatus: 5.1.1\n\
             Diagnostic-Code: smtp; 550 5.1.1 <user{i}@example.org>: Recipient address rejected\n\n"
        ));
    }
    out.push_str("--B--\n");
    out.into_bytes()
}

/// One address named on `n` lines, each with a different text.
pub fn one_address_lines(n: usize) -> Vec<u8> {
    let body: String = (0..n)
        .map(|i| format!("<same.user@example.org>: host mx.example.org said: 550 5.1.1 mailbox {i:x} unknown\n"))
        .collect();
    plain(&body)
}

/// `n` recipient lines, each a different address.
pub fn distinct_recipient_lines(n: usize) -> Vec<u8> {
    let body: String = (0..n)
        .map(|i| format!("<user{i}@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 User unknown\n"))
        .collect();
    plain(&body)
}

/// `n` bracketed addresses in one sentence.
pub fn bracketed_prose(n: usize) -> Vec<u8> {
    let addresses: Vec<String> = (0..n).map(|i| format!("<p{i}@example.org>")).collect();
    plain(&format!(
        "Your message could not be delivered. The following were named: {}\n",
        addresses.join(" ")
    ))
}

/// One address, unbracketed, `n` times in prose after a word no pattern
/// knows: the reader's last resort reads every one of them to learn that it
/// is the only address.
pub fn bare_prose(n: usize) -> Vec<u8> {
    let body = "niet afgeleverd bij kari@example.org, ".repeat(n);
    plain(&format!("Uw bericht is {body}omdat dit adres niet bestaat.\n"))
}

/// `n` recipient lines and a local delivery agent's line of `len` bytes.
pub fn lda_line(n: usize, len: usize) -> Vec<u8> {
    let mut body: String = (0..n)
        .map(|i| format!("<l{i}@example.org>: host mx.example.org said: 550 5.1.1 unknown user\n"))
        .collect();
    body.push_str("\nmail.local: unknown user: ");
    body.push_str(&"x".repeat(len));
    body.push('\n');
    plain(&body)
}

/// An ARF report naming `n` recipients, its prose `sentences` long.
pub fn arf(n: usize, sentences: usize) -> Vec<u8> {
    let rcpts: String = (0..n)
        .map(|i| format!("Original-Rcpt-To: <a{i}@example.org>\n"))
        .collect();
    format!(
        "From: abuse@isp.example\nTo: fbl@news.example.com\nSubject: FW: complaint\nMIME-Version: 1.0\n\
         Content-Type: multipart/report; report-type=feedback-report; boundary=\"A\"\n\n\
         --A\nContent-Type: text/plain\n\n{}\n--A\nContent-Type: message/feedback-report\n\n\
         Feedback-Type: abuse\nUser-Agent: SomeGenerator/1.0\nVersion: 1\n{rcpts}\n\
         --A\nContent-Type: text/rfc822-headers\n\nFrom: news@news.example.com\nSubject: Nieuws\n\n--A--\n",
        "This is an email abuse report for an email message received from IP 192.0.2.7. ".repeat(sentences)
    )
    .into_bytes()
}

/// A report of `n` tiny parts, each a delivery-status part naming a
/// recipient: the MIME reader's part cap, and a split in one pass.
pub fn many_parts(n: usize) -> Vec<u8> {
    let mut out = format!("{HEADER}Content-Type: multipart/report; report-type=delivery-status; boundary=\"P\"\n\n");
    for i in 0..n {
        out.push_str(&format!(
            "--P\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; m{i}@example.org\nStatus: 5.1.1\n\n"
        ));
    }
    out.push_str("--P--\n");
    out.into_bytes()
}

/// Multiparts nested `depth` deep, each with its own boundary, around one
/// bounce line: the MIME reader's depth cap (no recursion that deep).
pub fn nested_multiparts(depth: usize) -> Vec<u8> {
    let mut out = String::from(HEADER);
    for i in 0..depth {
        out.push_str(&format!("Content-Type: multipart/mixed; boundary=\"n{i}\"\n\n--n{i}\n"));
    }
    out.push_str("Content-Type: text/plain\n\n<deep@example.org>: 550 5.1.1 User unknown\n");
    out.into_bytes()
}

/// A message `bytes` long or longer, past the size cap when asked.
pub fn larger_than(bytes: usize) -> Vec<u8> {
    plain(&"550 5.1.1 <a@example.org> unknown\n".repeat(bytes / 34 + 1))
}
