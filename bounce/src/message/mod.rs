//! Reading bounce messages: RFC 3464 delivery status notifications, the
//! plain-text reports MTAs send instead, auto-replies (RFC 3834) and
//! complaint reports (ARF, RFC 5965), into one record per recipient.
//!
//! Parsing is pure: bytes in, records out. MIME is read by `mime`, a
//! reader of only what a report needs; everything after works on the
//! decoded text line by line, because real reports put their fields
//! anywhere (in the delivery-status part, in a text part, in a mangled
//! multipart).

mod codes;
mod decode;
mod drafts;
mod dsn;
mod finish;
mod flatten;
pub mod hostile;
mod html;
mod limits;
mod mime;
mod recipient_line;
mod ses;
#[cfg(test)]
mod test_pieces;
mod text;

use serde::Serialize;

use crate::classifier::{MessageKind, Verdict};
use crate::{EnhancedStatus, ReplyCode, Stage};
use drafts::drafts;
use finish::{finish, lda_line};
use flatten::{flatten, raw_body, without_original_body};
pub use limits::{Limit, MAX_DIAGNOSTIC_BYTES, MAX_MESSAGE_BYTES, MAX_RECIPIENTS};

/// One recipient's result in a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    pub recipient: String,
    pub kind: MessageKind,
    /// The DSN action (`failed`, `delayed`, `delivered`...); empty for
    /// auto-replies and complaints.
    pub action: String,
    pub status: Option<EnhancedStatus>,
    pub reply_code: Option<ReplyCode>,
    pub stage: Option<Stage>,
    /// The remote server's words, white space folded.
    pub diagnostic: String,
    pub remote_mta: Option<String>,
    /// For complaints: the ARF feedback type (`abuse`, `opt-out`...).
    pub feedback_type: Option<String>,
    pub verdict: Verdict,
}

/// Headers of the original message quoted in a report: what links a bounce
/// back to its campaign and contact.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Original {
    pub message_id: Option<String>,
    pub to: Option<String>,
    pub from: Option<String>,
    pub subject: Option<String>,
    /// The envelope sender: with VERP it encodes the recipient.
    pub return_path: Option<String>,
    /// A campaign header (`X-Campaign-ID`, `X-Campaign`, `X-Bouncedesk-Campaign`...).
    pub campaign: Option<String>,
    /// The complaining mailbox as the feedback provider stamped it into
    /// the copy it returns (Hotmail's `X-HmXmrOriginalRecipient`, set only
    /// on mail it delivered, so only complaints carry it).
    pub complainant: Option<String>,
}

/// One message of a file (an mbox holds several), read.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    pub records: Vec<Record>,
    pub original: Original,
    /// The cap this message reached, if any (see [`Limit`]).
    pub limit: Option<Limit>,
}

/// Splits an mbox into its messages (a plain message is one). Lines that
/// start with `From ` begin a new message; the separator line is dropped.
pub fn split_mbox(bytes: &[u8]) -> Vec<&[u8]> {
    if !bytes.starts_with(b"From ") && MBOX_FROM.find(bytes).is_none() {
        return vec![bytes];
    }
    let mut messages = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while at < bytes.len() {
        let line_end = bytes[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |p| at + p + 1);
        if bytes[at..].starts_with(b"From ") {
            if at > start && bytes[start..at].iter().any(|b| !b.is_ascii_whitespace()) {
                messages.push(&bytes[start..at]);
            }
            start = line_end;
        }
        at = line_end;
    }
    if start < bytes.len() && bytes[start..].iter().any(|b| !b.is_ascii_whitespace()) {
        messages.push(&bytes[start..]);
    }
    messages
}

/// Reads every message in `bytes` (a single message or an mbox).
pub fn read(bytes: &[u8]) -> Vec<Report> {
    split_mbox(bytes).into_iter().map(read_message).collect()
}

/// Compiles the reader's and the classifier's patterns and automata now
/// rather than at their first use: a command that reads many messages can
/// do it on one core while it lists its files on another. (Several
/// milliseconds of work; [`read`] does it anyway when it is not done.)
pub fn prepare() {
    crate::classifier::prepare();
    codes::prepare();
    drafts::prepare();
    finish::prepare();
    text::prepare();
}

/// The text with its white space folded: words joined by one space.
/// White space is what `char::is_whitespace` says, as `split_whitespace`
/// would cut; ASCII is tested a byte at a time in tight loops, since whole
/// reports are folded and decoding every char was most of the cost.
pub(crate) fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut at = run(text, 0, true);
    while at < bytes.len() {
        // Words joined by one plain space are already folded: they are
        // copied as one piece, not word by word.
        let start = at;
        loop {
            at = run(text, at, false);
            let single_space =
                bytes.get(at) == Some(&b' ') && at + 1 < bytes.len() && run(text, at + 1, true) == at + 1;
            if !single_space {
                break;
            }
            at += 1;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&text[start..at]);
        at = run(text, at, true);
    }
    out
}

/// Where the run of white space (`space`) or of other chars that starts at
/// `at` ends; `at` is a char boundary and so is the answer.
fn run(text: &str, mut at: usize, space: bool) -> usize {
    let bytes = text.as_bytes();
    while let Some(&b) = bytes.get(at) {
        if b < 0x80 {
            if matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') != space {
                return at;
            }
            at += 1;
        } else {
            let Some(c) = text[at..].chars().next() else {
                return at;
            };
            if c.is_whitespace() != space {
                return at;
            }
            at += c.len_utf8();
        }
    }
    at
}

/// The lines of `text`, cut as `str::lines` cuts them (`\n` or `\r\n`
/// ends a line; a final line break adds no empty line), but found with the
/// memchr crate's vector search: the reader walks every line of a report
/// several times, and the standard library's search for a line break runs
/// a byte at a time.
pub(super) fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let Some(end) = memchr::memchr(b'\n', rest.as_bytes()) else {
            return Some(std::mem::take(&mut rest));
        };
        let line = &rest[..end];
        rest = &rest[end + 1..];
        Some(line.strip_suffix('\r').unwrap_or(line))
    })
}

/// Where an mbox's next message starts; built once.
static MBOX_FROM: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\nFrom "));

fn read_message(bytes: &[u8]) -> Report {
    if bytes.len() > MAX_MESSAGE_BYTES {
        return Report {
            limit: Some(Limit::Size { bytes: bytes.len() }),
            ..Report::default()
        };
    }
    let trimmed = without_original_body(bytes);
    let message = mime::parse(&trimmed);
    let mut flat = flatten(&message);
    if flat.report.trim().is_empty() && flat.delivery_status.is_empty() {
        // A broken MIME structure (a boundary parameter on an unfolded line)
        // hides every part; the raw body still says what happened.
        flat.report = raw_body(bytes);
    }
    let (mut drafts, named) = drafts(&message, &flat);
    drafts.truncate(MAX_RECIPIENTS);
    let single = drafts.len() == 1;
    let lda = lda_line(&flat.report);
    let cap = limits::diagnostic_cap(bytes.len(), drafts.len());
    let records = drafts
        .into_iter()
        .map(|d| finish(d, &flat, single, lda.as_ref(), cap))
        .collect();
    Report {
        records,
        original: flat.original,
        limit: (named > MAX_RECIPIENTS).then_some(Limit::Recipients { named }),
    }
}

#[cfg(test)]
mod tests {
    use super::flatten::inline_original;
    use super::*;
    use crate::Reason;

    const POSTFIX_DSN: &str = "From: MAILER-DAEMON@mx.example.com (Mail Delivery System)\r\n\
To: bounce@news.example.com\r\nSubject: Undelivered Mail Returned to Sender\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\nMIME-Version: 1.0\r\n\r\n\
--B\r\nContent-Type: text/plain\r\n\r\nThis is the mail system at host mx.example.com.\r\n\r\n\
<kari@online.no>: host mx.online.no[192.0.2.1] said: 550 5.1.1 <kari@online.no>:\r\n\
    Recipient address rejected: Mottakeradressen finnes ikke (in reply to RCPT TO command)\r\n\r\n\
--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\n\
Final-Recipient: rfc822; kari@online.no\r\nAction: failed\r\nStatus: 5.1.1\r\n\
Remote-MTA: dns; mx.online.no\r\nDiagnostic-Code: smtp; 550 5.1.1 <kari@online.no>: Recipient address\r\n\
    rejected: Mottakeradressen finnes ikke\r\n\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\n\
Message-ID: <abc123@news.example.com>\r\nFrom: news@news.example.com\r\nTo: kari@online.no\r\n\
X-Campaign-ID: spring-2026\r\nSubject: Vårnyheter\r\n\r\n--B--\r\n";

    #[test]
    fn reads_a_postfix_dsn_with_its_text_block_and_original_headers() {
        let reports = read(POSTFIX_DSN.as_bytes());

        assert_eq!(reports.len(), 1);
        let r = &reports[0].records[0];
        assert_eq!(r.recipient, "kari@online.no");
        assert_eq!(r.status.map(|s| s.to_string()).as_deref(), Some("5.1.1"));
        assert_eq!(r.reply_code.map(ReplyCode::get), Some(550));
        assert_eq!(r.stage, Some(Stage::RcptTo));
        assert_eq!(r.remote_mta.as_deref(), Some("mx.online.no"));
        assert_eq!(r.verdict.reason, Reason::UserUnknown);
        assert_eq!(r.action, "failed");
        let original = &reports[0].original;
        assert_eq!(original.message_id.as_deref(), Some("abc123@news.example.com"));
        assert_eq!(original.campaign.as_deref(), Some("spring-2026"));
    }

    #[test]
    fn an_auto_reply_is_vacation_not_a_bounce() {
        let mail = "From: Sanne Bakker <sanne@ziggo.nl>\nTo: news@example.com\nSubject: Automatisch antwoord: Nieuwsbrief\nAuto-Submitted: auto-replied\n\nIk ben afwezig tot maandag.\n";

        let reports = read(mail.as_bytes());

        let r = &reports[0].records[0];
        assert_eq!(
            (r.recipient.as_str(), r.verdict.reason),
            ("sanne@ziggo.nl", Reason::Vacation)
        );
        assert_eq!(r.verdict.class, crate::BounceClass::None);
    }

    #[test]
    fn auto_responders_that_name_themselves_in_their_own_headers_are_vacation() {
        // Arrange: replies with no RFC 3834 field and a subject of the
        // person's own choosing; only the responder's header tells.
        let headers = [
            "X-Autorespond: yes",
            "X-Autoresponder: 1",
            "X-Mail-Autoreply: yes",
            "X-AutoGenerated: Reply",
        ];
        let plain =
            "From: Marie <marie@example.fr>\nTo: news@example.com\nSubject: Absence du bureau\n\nJe suis absente.\n";
        for header in headers {
            let mail = plain.replacen("Subject:", &format!("{header}\nSubject:"), 1);

            // Act
            let reports = read(mail.as_bytes());

            // Assert
            let r = &reports[0].records[0];
            assert_eq!(
                (r.recipient.as_str(), r.verdict.reason),
                ("marie@example.fr", Reason::Vacation),
                "{header}"
            );
        }
        // Without such a header the same message is somebody's own mail.
        assert!(read(plain.as_bytes())[0].records.is_empty());
    }

    #[test]
    fn auto_replies_with_encoded_subjects_in_other_languages_are_vacation() {
        // No Auto-Submitted header (as many clients send them): the subject,
        // RFC 2047-encoded as non-ASCII subjects are, is what tells.
        let subjects = [
            "=?UTF-8?Q?R=C3=A9ponse_automatique=C2=A0:_Lettre_d'information?=",
            "=?UTF-8?B?UmVzcHVlc3RhIGF1dG9tw6F0aWNhOiBCb2xldMOtbg==?=",
            "=?UTF-8?B?0JDQstGC0L7QvNCw0YLQuNGH0LXRgdC60LjQuSDQvtGC0LLQtdGCOiDQndC+0LLQvtGB0YLQuA==?=",
            "=?UTF-8?B?6Ieq5YuV5b+c562UOiDjg4vjg6Xjg7zjgrk=?=",
            "Automatische Antwort: Newsletter",
            // Greek, Romanian and Lithuanian Outlook; a plain auto-responder.
            "=?UTF-8?B?zpHPhc+Ez4zOvM6xz4TOtyDOsc+AzqzOvc+EzrfPg863OiDOnc6tzrE=?=",
            "=?UTF-8?Q?R=C4=83spuns_automat:_Noutat=C4=83=C8=9Bi?=",
            "Automatinis atsakymas: Naujienos",
            "AutoReply: Newsletter December",
            // Dutch and Swedish absence notices, Polish word order,
            // Yandex's and Mail.ru's "Автоответ", Japanese "不在通知".
            "Afwezigheidsmelding: Nieuwsbrief",
            "=?UTF-8?B?RnLDpW52YXJvbWVkZGVsYW5kZTogTnloZXRzYnJldg==?=",
            "=?UTF-8?B?T2Rwb3dpZWTFuiBhdXRvbWF0eWN6bmE6IE5ld3NsZXR0ZXI=?=",
            "=?UTF-8?B?0JDQstGC0L7QvtGC0LLQtdGCOiDQndC+0LLQvtGB0YLQuA==?=",
            "=?UTF-8?B?5LiN5Zyo6YCa55+lOiDjg4vjg6Xjg7zjgrk=?=",
        ];
        for subject in subjects {
            let mail = format!(
                "From: Ana Ruiz <ana.ruiz@example.es>\nTo: news@example.com\nSubject: {subject}\n\nEstoy fuera de la oficina.\n"
            );

            let records = &read(mail.as_bytes())[0].records;

            assert_eq!(records.len(), 1, "{subject}");
            assert_eq!(records[0].verdict.reason, Reason::Vacation, "{subject}");
        }
    }

    #[test]
    fn hotmail_complaints_name_the_complainant_in_their_own_stamp() {
        // Arrange: Hotmail's older report (multipart/mixed, the copy
        // stamped with X-HmXmrOriginalRecipient, no report part; the copy
        // was sent to a list address).
        let hotmail = "From: staff@hotmail.com\nTo: fbl@news.example.com\n\
Subject: complaint about message from 192.0.2.45\nMIME-Version: 1.0\n\
Content-Type: multipart/mixed; boundary=\"H\"\n\n--H\nContent-Type: text/plain\n\n\
This is an email abuse report for an email message received from IP 192.0.2.45.\n\n\
--H\nContent-Type: message/rfc822\n\nX-HmXmrOriginalRecipient: <carl@hotmail.com>\n\
From: news@news.example.com\nTo: list@news.example.com\nSubject: Deals\n\nbody\n--H--\n";
        // Act
        let reports = read(hotmail.as_bytes());
        // Assert
        let records = &reports[0].records;
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].recipient, "carl@hotmail.com");
        assert_eq!(records[0].verdict.reason, Reason::Feedback);
        // The same mail without the stamp is somebody's forward, not a report.
        let plain = hotmail.replace("X-HmXmrOriginalRecipient: <carl@hotmail.com>\n", "");
        assert!(
            read(plain.as_bytes())[0]
                .records
                .iter()
                .all(|r| r.verdict.reason != Reason::Feedback)
        );
    }

    #[test]
    fn arf_fields_sent_inline_in_a_text_part_are_a_complaint() {
        // A feedback loop that sends its RFC 5965 fields as plain text.
        let mail = "From: fbl@isp.example.no\nTo: abuse@news.example.com\nSubject: Klage / complaint\n\
Content-Type: text/plain; charset=utf-8\n\n\
En av våre kunder har merket meldingen som søppelpost.\n\n\
Feedback-Type: abuse\nUser-Agent: ISP-FBL/2.1\nVersion: 1\n\
Original-Mail-From: <bounces@news.example.com>\nOriginal-Rcpt-To: <ola.nordmann@example.no>\n\
Arrival-Date: Mon, 30 Nov 2026 10:00:00 +0100\n\n";
        let prose = "From: a@example.no\nTo: b@example.com\nSubject: Re: tilbakemelding\n\n\
Feedback-Type: is a field name I read about.\n";

        let records = &read(mail.as_bytes())[0].records;
        let not_arf = &read(prose.as_bytes())[0].records;

        assert_eq!(records.len(), 1);
        assert_eq!(records[0].recipient, "ola.nordmann@example.no");
        assert_eq!(records[0].verdict.reason, Reason::Feedback);
        assert_eq!(records[0].feedback_type.as_deref(), Some("abuse"));
        assert!(not_arf.is_empty(), "{not_arf:?}");
    }

    #[test]
    fn local_delivery_agent_lines_are_the_diagnostic() {
        assert_eq!(
            lda_line("The original message...\nmail.local: unknown user: kijitora\n"),
            Some(finish::AgentLine {
                text: "mail.local: unknown user: kijitora".into(),
                sieve: false
            })
        );
        assert_eq!(
            lda_line("Your message to <neko> was automatically rejected:\nNot enough disk space\n"),
            Some(finish::AgentLine {
                text: "Not enough disk space".into(),
                sieve: true
            })
        );
        assert_eq!(lda_line("host said: 550 user unknown"), None);
    }

    #[test]
    fn mbox_files_split_into_messages() {
        let mbox = b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\nSubject: a\n\nx\nFrom MAILER-DAEMON Thu Jan  1 00:00:01 2026\nSubject: b\n\ny\n";
        assert_eq!(split_mbox(mbox).len(), 2);
        assert_eq!(split_mbox(b"Subject: plain\n\nbody").len(), 1);
    }

    #[test]
    fn the_sending_mtas_own_category_decides_and_role_recipients_are_kept() {
        // PowerMTA says bad-mailbox although 5.2.1 alone would read as filtered.
        let powermta = "From: MAILER-DAEMON@mta.example.net\nSubject: Delivery report\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"R\"\n\n--R\n\
Content-Type: message/delivery-status\n\nReporting-MTA: dns; mta.example.net\n\n\
Final-Recipient: rfc822;anna@example.se\nAction: failed\nStatus: 5.2.1\n\
Diagnostic-Code: smtp;550 5.2.1 <anna@example.se>... User Unknown\n\
X-PowerMTA-BounceCategory: bad-mailbox\n\n--R--\n";
        let dma = "From: MAILER-DAEMON <>\nSubject: Mail delivery failed\n\n\
There was an error delivering your mail to <postmaster@shop.example.org>.\n\n\
DNS lookup failure: host shop.example.org not found\n";

        let powermta = &read(powermta.as_bytes())[0].records;
        let dma = &read(dma.as_bytes())[0].records;

        assert_eq!(powermta[0].verdict.reason, Reason::UserUnknown);
        assert_eq!(dma.len(), 1);
        assert_eq!(dma[0].recipient, "postmaster@shop.example.org");
        assert_eq!(dma[0].verdict.reason, Reason::HostUnknown);
    }

    #[test]
    fn quoted_originals_start_at_a_marker_line() {
        let report = "550 user unknown\n\n----- Original Message -----\nFrom: a@b.nl\n";
        let (start, end) = inline_original(report).expect("a marker line");
        assert_eq!(&report[..start], "550 user unknown\n\n");
        assert!(report[end..].starts_with("From"));
        let exim = "Mailbox unavailable\n------ This is a copy of the message, including all the headers. ------\nMessage-ID: <m1@x.nl>\n";
        let (_, end) = inline_original(exim).expect("Exim's marker line");
        assert!(
            exim[end..].starts_with("Message-ID:"),
            "the headers start on the next line"
        );
        // Markers that need a rule of dashes do not count in prose.
        assert_eq!(inline_original("Returned message was too large\n"), None);
        assert_eq!(inline_original("The forwarded message follows\n"), None);
        assert!(inline_original("Message headers follow:\nTo: x@y.no\n").is_some());
    }

    #[test]
    fn a_dsn_group_for_a_file_delivery_belongs_to_the_address_in_the_text() {
        let mail = "From: Mail Delivery System <Mailer-Daemon@mx.example.net>\nSubject: Mail delivery failed\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"X\"\n\n--X\n\
Content-type: text/plain; charset=us-ascii\n\n\
A message that you sent could not be delivered to one or more of its\n\
recipients. This is a permanent error. The following address(es) failed:\n\n\
  save to /var/spool/mail/e/erik\n    generated by erik@example.se\n\
    mailbox is full: retry timeout exceeded\n\n--X\n\
Content-type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n\
Action: failed\nFinal-Recipient: rfc822;/var/spool/mail/e/erik\nStatus: 5.0.0\n\n--X--\n";

        let records = &read(mail.as_bytes())[0].records;

        assert_eq!(records.len(), 1);
        assert_eq!(records[0].recipient, "erik@example.se");
        assert_eq!(records[0].status.map(|s| s.to_string()).as_deref(), Some("5.0.0"));
        assert_eq!(records[0].verdict.reason, Reason::MailboxFull);
    }

    #[test]
    fn the_attached_originals_body_is_skipped_and_its_headers_kept() {
        let newsletter = "<p>Voorjaarsaanbieding =E2=80=93 alleen deze week</p>\n".repeat(2000);
        let mail = format!(
            "From: MAILER-DAEMON@mx.example.com\nSubject: Undelivered Mail Returned to Sender\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"B1\"\n\n\
--B1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.com\n\n\
Final-Recipient: rfc822; kari@online.no\nAction: failed\nStatus: 5.1.1\n\n\
--B1\nContent-Type: message/rfc822\n\nReceived: from app.example.nl by mta.example.nl\n  with ESMTPS id 8F2A; Mon, 2 Mar 2026 10:00:00 +0100\n\
Message-ID: <abc@news.example.nl>\nX-Campaign-ID: spring-2026\n\
Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n{newsletter}\n\
--B1\nContent-Type: text/plain\n\nA part after the original.\n--B1--\n"
        );

        let cut = without_original_body(mail.as_bytes());
        let reports = read(mail.as_bytes());

        assert!(cut.len() < 1000, "{} bytes left", cut.len());
        let cut = String::from_utf8_lossy(&cut);
        assert!(cut.contains("X-Campaign-ID: spring-2026") && cut.contains("A part after the original."));
        assert!(!cut.contains("Received:") && !cut.contains("with ESMTPS"), "{cut}");
        assert_eq!(reports[0].original.campaign.as_deref(), Some("spring-2026"));
        assert_eq!(reports[0].original.message_id.as_deref(), Some("abc@news.example.nl"));
        assert_eq!(reports[0].records[0].verdict.reason, Reason::UserUnknown);
        // An original of headers only keeps the next part whole.
        let headers_only = "Content-Type: multipart/report; boundary=\"B\"\n\n--B\nContent-Type: message/rfc822\n\n\
Message-ID: <x@y.nl>\n--B\nContent-Type: text/plain\n\nkeep me\n--B--\n";
        assert_eq!(without_original_body(headers_only.as_bytes()).len(), headers_only.len());
        // Without a declared boundary nothing is cut.
        let odd = "Subject: x\n\n--not-a-boundary\nContent-Type: message/rfc822\n\nA: b\n\nbody\n--not-a-boundary\n";
        assert_eq!(without_original_body(odd.as_bytes()).len(), odd.len());
    }

    #[test]
    fn a_forwarded_bounce_with_quoted_lines_is_read() {
        let mail = "From: Lars Berg <lars@example.no>\nTo: bounces@news.example.com\nSubject: Fwd: Returned mail\n\n\
Begin forwarded message:\n\n> From: Mail Delivery Subsystem <MAILER-DAEMON@smtp.example.no>\n\
> Subject: Returned mail: see transcript for details\n>\n\
>    ----- The following addresses had permanent fatal errors -----\n> <ingrid@example.org>\n\
>     (reason: 552 5.2.2 Mailbox full)\n>\n> Final-Recipient: RFC822; ingrid@example.org\n\
> Action: failed\n> Status: 5.2.2\n> Diagnostic-Code: SMTP; 552 5.2.2 Mailbox full\n";

        let records = &read(mail.as_bytes())[0].records;

        assert_eq!(records.len(), 1);
        assert_eq!(records[0].recipient, "ingrid@example.org");
        assert_eq!(records[0].status.map(|s| s.to_string()).as_deref(), Some("5.2.2"));
        assert_eq!(records[0].verdict.reason, Reason::MailboxFull);
    }

    #[test]
    fn iso_2022_jp_without_a_transfer_encoding_is_decoded() {
        let mail = b"From: postmaster@notes.example.co.jp\nSubject: Undeliverable message\n\
Content-Type: text/plain; charset=ISO-2022-JP\n\n------- Failure Reasons --------\n\n\
\x1b$B%G%#%l%/%H%j$N%j%9%H$K$\"$j$^$;$s\x1b(B\nkijitora@u1.example.co.jp\n";

        let records = &read(mail)[0].records;

        assert_eq!(records.len(), 1);
        assert!(
            records[0].diagnostic.contains("ディレクトリのリストにありません"),
            "{}",
            records[0].diagnostic
        );
        assert_eq!(records[0].verdict.reason, Reason::UserUnknown);
    }

    #[test]
    fn a_broken_mime_structure_is_read_from_the_raw_body() {
        // The boundary parameter sits on an unfolded line, as Verizon sends it.
        let mail = "From: post_master@vtext.com\nSubject: Re: Nieuwsbrief\nMIME-Version: 1.0\n\
Content-Type: multipart/mixed; boundary=\"OUT\"\n\n--OUT\nContent-Type: multipart/alternative;\n\
boundary=\"IN\"\n\n--IN\nContent-Type: text/plain\n\nError: Invalid user address\n\
550 - Requested action not taken: no such user here\n  RCPT TO: piet@vtext.com\n\n--IN--\n--OUT--\n";

        let records = &read(mail.as_bytes())[0].records;

        assert_eq!(records.len(), 1);
        assert_eq!(records[0].recipient, "piet@vtext.com");
        assert!(!records[0].diagnostic.contains("--IN"), "{}", records[0].diagnostic);
        assert_eq!(records[0].verdict.reason, Reason::UserUnknown);
    }

    #[test]
    fn a_short_bounce_naming_the_address_only_in_prose_is_read_in_several_languages() {
        let cases = [
            (
                "Subject: Unzustellbar\n\nIhre Nachricht an lena.fischer@example.de konnte nicht \
                 zugestellt werden:\n552 5.2.2 Postfach voll\n",
                "lena.fischer@example.de",
                Reason::MailboxFull,
            ),
            (
                "Subject: Onbestelbaar\n\nUw bericht aan pieter.jansen@example.nl kon niet worden \
                 afgeleverd.\n550 5.1.1 gebruiker onbekend\n",
                "pieter.jansen@example.nl",
                Reason::UserUnknown,
            ),
            (
                "Subject: Ikke levert\n\nMeldingen til kari.nordmann@example.no kunne ikke leveres.\n\
                 550 5.1.1 Mottakeren finnes ikke\n",
                "kari.nordmann@example.no",
                Reason::UserUnknown,
            ),
            (
                "Subject: Non remis\n\nLe message n'a pu etre remis au destinataire \
                 camille.martin@example.fr.\n550 5.1.1 utilisateur inconnu\n",
                "camille.martin@example.fr",
                Reason::UserUnknown,
            ),
        ];
        for (body, recipient, reason) in cases {
            let message = format!("From: MAILER-DAEMON@mx.example.net\nTo: news@example.com\n{body}");
            let records = &read(message.as_bytes())[0].records;
            assert_eq!(records.len(), 1, "{body}");
            assert_eq!(records[0].recipient, recipient, "{body}");
            assert_eq!(records[0].verdict.reason, reason, "{body}");
        }
    }

    #[test]
    fn a_short_bounce_without_codes_is_read_from_its_words_in_several_languages() {
        // Arrange: reports that give no status or reply code and name the
        // recipient after words no pattern knows ("bij", "a", "do", "per").
        // Words of an unknown address with no stage or status to go by are
        // userunknown or filtered (the classifier's arbitration decides).
        const UNKNOWN: &[Reason] = &[Reason::UserUnknown, Reason::Filtered];
        const FULL: &[Reason] = &[Reason::MailboxFull];
        let cases = [
            (
                "Subject: Onbestelbaar\n\nUw bericht is niet afgeleverd bij jan@example.nl omdat dit adres niet bestaat.\n",
                "jan@example.nl",
                UNKNOWN,
            ),
            (
                "Subject: Mensaje no entregado\n\nNo se pudo entregar el mensaje a pedro@example.es: el usuario no existe.\n",
                "pedro@example.es",
                UNKNOWN,
            ),
            (
                "Subject: Niedostarczona\n\nWiadomość do jan.kowalski@example.pl nie została dostarczona. Adres nie istnieje.\n",
                "jan.kowalski@example.pl",
                UNKNOWN,
            ),
            (
                "Subject: Kunde inte levereras\n\nMeddelandet kunde inte levereras till erik@example.se eftersom brevlådan är full.\n",
                "erik@example.se",
                FULL,
            ),
            (
                "Subject: Mancato recapito\n\nIl messaggio per giulia@example.it non è stato consegnato: casella piena.\n",
                "giulia@example.it",
                FULL,
            ),
            (
                "Subject: Non remis\n\nLe message n'a pas pu être remis au destinataire suivant :\n\n   marie.dupont@example.fr\n   Adresse inconnue\n",
                "marie.dupont@example.fr",
                UNKNOWN,
            ),
            (
                "Subject: Não entregue\n\nA mensagem para ana@example.pt não foi entregue: caixa de correio cheia.\n",
                "ana@example.pt",
                FULL,
            ),
            (
                "Subject: Onbestelbaar: Nieuwsbrief\n\nDe bezorging is mislukt voor deze ontvangers of groepen:\n\n\
                 anouk@example.nl\nHet e-mailadres dat u hebt ingevoerd, is niet gevonden.\n",
                "anouk@example.nl",
                UNKNOWN,
            ),
            (
                "Subject: Unzustellbar: Newsletter\n\nDie Zustellung an diese Empfänger oder Gruppen ist \
                 fehlgeschlagen:\n\nlukas@example.de\nDie eingegebene E-Mail-Adresse wurde nicht gefunden.\n",
                "lukas@example.de",
                UNKNOWN,
            ),
            (
                "Subject: Teslim edilemedi\n\nMesajınız elif@example.com.tr adresine teslim edilemedi: kullanıcı bulunamadı.\n",
                "elif@example.com.tr",
                UNKNOWN,
            ),
            (
                "Subject: Nedoručitelné\n\nDoručení zprávy na adresu petr@example.cz selhalo: schránka neexistuje.\n",
                "petr@example.cz",
                UNKNOWN,
            ),
            (
                "Subject: 配信エラー\n\nメッセージを hanako@example.jp に配信できませんでした。宛先のメールアドレスが見つかりません。\n",
                "hanako@example.jp",
                UNKNOWN,
            ),
            (
                "Subject: 退信\n\n您发送给 wei@example.cn 的邮件无法投递：收件人不存在。\n",
                "wei@example.cn",
                UNKNOWN,
            ),
            (
                "Subject: Delivery failure\n\nMessage delivery to 'lisa@example.com' failed.\nReason: no such user\n",
                "lisa@example.com",
                UNKNOWN,
            ),
        ];
        for (body, recipient, reasons) in cases {
            let message = format!("From: MAILER-DAEMON@mx.example.net\nTo: news@example.com\n{body}");

            // Act
            let records = &read(message.as_bytes())[0].records;

            // Assert
            assert_eq!(records.len(), 1, "{body}");
            assert_eq!(records[0].recipient, recipient, "{body}");
            assert!(
                reasons.contains(&records[0].verdict.reason),
                "{body}: {:?}",
                records[0].verdict.reason
            );
        }
        // Our own address and a role account are never taken for the
        // recipient, and of two addresses in prose neither is.
        let ours = "From: MAILER-DAEMON@mx.example.net\nTo: news@example.com\nSubject: Onbestelbaar\n\n\
                    Uw bericht van news@example.com is niet afgeleverd. Vragen: postmaster@mx.example.net\n";
        let two = "From: MAILER-DAEMON@mx.example.net\nTo: news@example.com\nSubject: Onbestelbaar\n\n\
                   Bericht 20261201.4711@mta.example.com is niet afgeleverd bij jan@example.nl.\n";
        assert!(read(ours.as_bytes())[0].records.is_empty());
        assert!(read(two.as_bytes())[0].records.is_empty());
    }

    #[test]
    fn a_plain_text_delay_warning_is_a_deferral_in_several_languages() {
        // Arrange: warnings without DSN fields, worded as Gmail, Exchange
        // (English, German, French) and a German hosted mail system word
        // them; and a failure for contrast.
        let warnings = [
            "Subject: Delivery Status Notification (Delay)\n\nThere was a temporary problem delivering your \
             message to sofia@example.com. Gmail will retry for 46 more hours. You'll be notified if the \
             delivery fails permanently.\n",
            "Subject: Delivery delayed: Newsletter\n\nDelivery is delayed to these recipients or groups:\n\n\
             sofia@example.com\n",
            "Subject: Übermittlung verzögert: Newsletter\n\nDie Zustellung an diese Empfänger oder Gruppen wird \
             verzögert:\n\nsofia@example.com\n",
            "Subject: Remise différée : Newsletter\n\nLa remise à ces destinataires ou groupes est différée :\n\n\
             sofia@example.com\n",
            "Subject: Warnung: Nachricht noch nicht zugestellt\n\nIhre Nachricht an sofia@example.com konnte \
             bisher nicht zugestellt werden. Sie müssen die Nachricht nicht erneut senden.\n",
        ];
        let failure = "Subject: Undeliverable: Newsletter\n\nDelivery has failed to these recipients or groups:\n\n\
                       sofia@example.com\nThe email address you entered couldn't be found.\n";
        let read_one = |body: &str| {
            let message = format!("From: MAILER-DAEMON@mx.example.net\nTo: news@example.com\n{body}");
            read(message.as_bytes()).remove(0).records.remove(0)
        };

        for body in warnings {
            // Act
            let record = read_one(body);

            // Assert
            assert_eq!(record.recipient, "sofia@example.com", "{body}");
            assert_eq!(record.action, "delayed", "{body}");
            assert_eq!(record.verdict.class, crate::BounceClass::Soft, "{body}");
        }
        let record = read_one(failure);
        assert_ne!(record.action, "delayed");
        assert!(matches!(record.verdict.reason, Reason::UserUnknown | Reason::Filtered));
    }

    #[test]
    fn a_delay_notice_from_a_host_that_names_itself_otherwise_is_a_deferral() {
        // Arrange: senders that are no "mailer-daemon" or "postmaster"
        // (Courier's "<@>", a named host), with delay wording only.
        let notices = [
            "From: \"Courier mail server at mail.example.org\" <@>\nSubject: Mail status\n\n\
             Your message to the following recipients is delayed:\n\n<sofia@example.com>: 421 Try again later\n\n\
             Delivery will be attempted again.\n",
            "From: Mail Server <mail@example.org>\nSubject: Delayed Mail (still being retried)\n\n\
             Delivery to the following recipients has been delayed.\n\n     sofia@example.com\n",
        ];
        for notice in notices {
            let message = format!("To: news@example.com\n{notice}");
            // Act
            let reports = read(message.as_bytes());
            // Assert
            let records = &reports[0].records;
            assert_eq!(records.len(), 1, "{notice}");
            assert_eq!(records[0].recipient, "sofia@example.com");
            assert_eq!(records[0].action, "delayed", "{notice}");
        }
    }

    #[test]
    fn garbage_gives_no_records_and_no_panic() {
        for input in [
            &b""[..],
            b"\xff\xfe\x00garbage",
            b"Content-Type: multipart/report; boundary=\n\n--\n--",
        ] {
            let reports = read(input);
            assert!(
                reports
                    .iter()
                    .all(|r| r.records.iter().all(|rec| !rec.recipient.is_empty()))
            );
        }
    }

    #[test]
    fn lines_are_cut_as_the_standard_library_cuts_them() {
        let texts = [
            "",
            "\n",
            "\r\n",
            "a",
            "a\n",
            "a\r",
            "a\r\nb\r\n\r\nc",
            "\n\nx\r\ry\n",
            "Final-Recipient: rfc822; kari@online.no\r\nStatus: 5.1.1\n\n\r",
            "été\nœuvre\r\n日本語",
        ];
        for text in texts {
            let ours: Vec<&str> = lines(text).collect();

            let standard: Vec<&str> = text.lines().collect();

            assert_eq!(ours, standard, "{text:?}");
        }
    }

    #[test]
    fn fold_cuts_where_split_whitespace_cuts() {
        let texts = [
            "",
            "   ",
            "a",
            " 550  5.1.1\t<jan@example.nl>:\r\n   User unknown ",
            "no\u{a0}break\u{2003}em\u{3000}ideographic\u{85}next\u{b}vt\u{c}ff",
            "été  日本語\n\nмаил",
        ];
        // And generated texts: runs of every kind of white space between words.
        const PIECES: &[&str] = &[
            " ", "  ", "\t", "\n", "\r\n", "\u{a0}", "\u{3000}", "a", "bc", "é", "日本", "x y",
        ];
        let mut random = test_pieces::Pieces::seeded(1);
        let generated: Vec<String> = (0..20_000)
            .map(|n| (0..n % 12).map(|_| random.pick(PIECES)).collect())
            .collect();
        for text in texts.into_iter().chain(generated.iter().map(String::as_str)) {
            let ours = fold(text);

            let standard = text.split_whitespace().collect::<Vec<_>>().join(" ");

            assert_eq!(ours, standard, "{text:?}");
        }
    }
}
