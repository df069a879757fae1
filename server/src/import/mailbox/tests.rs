use bounce::delivery::ResultKind;
use bounce::{EnhancedStatus, Stage};
use chrono::{TimeZone, Utc};

use super::*;

const POSTFIX: &[u8] = include_bytes!("../../../tests/fixtures/mailbox/postfix-gebruiker-onbekend.eml");
const EXIM: &[u8] = include_bytes!("../../../tests/fixtures/mailbox/exim-benutzer-unbekannt.eml");
const M365: &[u8] = include_bytes!("../../../tests/fixtures/mailbox/m365-introuvable.eml");
const GMAIL_DELAY: &[u8] = include_bytes!("../../../tests/fixtures/mailbox/gmail-forsinket.eml");
const ARF: &[u8] = include_bytes!("../../../tests/fixtures/mailbox/arf-klacht.eml");
const OUT_OF_OFFICE: &[u8] = include_bytes!("../../../tests/fixtures/mailbox/afwezig.eml");
const MBOX: &[u8] = include_bytes!("../../../tests/fixtures/mailbox/bounces.mbox");

fn results(message: &[u8]) -> Vec<DeliveryResult> {
    items(message)
        .into_iter()
        .map(|item| match item {
            Ok(Item::Result(r)) => *r,
            other => panic!("not a result: {other:?}"),
        })
        .collect()
}

fn one(message: &[u8]) -> DeliveryResult {
    let mut all = results(message);
    assert_eq!(all.len(), 1, "one result");
    all.remove(0)
}

fn utc(d: u32, h: u32, m: u32, s: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, h, m, s).single().expect("valid")
}

/// A minimal Postfix-style DSN for one recipient, with the bounce's own
/// headers in front (`Date:`, `Message-Id:` or none).
fn dsn(own_headers: &str, action: &str, status: &str, diagnostic: &str, campaign: &str) -> String {
    format!(
        "{own_headers}From: MAILER-DAEMON@mta1.news.example.com (Mail Delivery System)\n\
Subject: Undelivered Mail Returned to Sender\n\
To: bounces+kari.nordmann=online.no@news.example.com\n\
MIME-Version: 1.0\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n\
--B\nContent-Type: text/plain; charset=utf-8\n\n\
This is the mail system at host mta1.news.example.com.\n\n\
--B\nContent-Type: message/delivery-status\n\n\
Reporting-MTA: dns; mta1.news.example.com\n\n\
Final-Recipient: rfc822; kari.nordmann@online.no\n\
Action: {action}\nStatus: {status}\nRemote-MTA: dns; mx.online.no\n\
Diagnostic-Code: smtp; {diagnostic}\n\n\
--B\nContent-Type: text/rfc822-headers\n\n\
Return-Path: <bounces+kari.nordmann=online.no@news.example.com>\n\
Message-ID: <20261130090000.1042.nieuwsbrief@news.example.com>\n\
To: kari.nordmann@online.no\nX-Campaign-ID: {campaign}\n\n--B--\n"
    )
}

const OWN: &str = "Date: Mon, 30 Nov 2026 10:05:00 +0100\nMessage-Id: <bounce.1@mta1.news.example.com>\n";

#[test]
fn a_postfix_dsn_is_a_failure_linked_to_its_campaign_and_message() {
    let r = one(POSTFIX);

    assert_eq!(r.kind, ResultKind::Failed);
    assert_eq!(r.recipient.as_str(), "jan.devries@ziggo.nl");
    assert_eq!(r.status, "5.1.1".parse::<EnhancedStatus>().ok());
    assert_eq!(r.reply_code.map(|c| c.get()), Some(550));
    assert_eq!(r.stage, Some(Stage::RcptTo));
    assert!(r.text.contains("Onbekende gebruiker"), "{}", r.text);
    assert_eq!(r.remote_mta.as_deref(), Some("mx.ziggo.nl"));
    assert_eq!(r.at, utc(30, 9, 0, 3), "the bounce's own Date, with its (CET) comment");
    assert_eq!(r.campaign_id, Some(1));
    assert_eq!(r.campaign_tag, None);
    assert_eq!(
        r.message_id.as_deref(),
        Some("20261130090000.1041.nieuwsbrief@news.example.com")
    );
    assert_eq!(r.source, "mailbox");
    assert_eq!(
        r.source_event_id,
        "20261130090003.4dKx3B1XcRz9t@mta1.news.example.com:jan.devries@ziggo.nl"
    );
}

#[test]
fn exim_and_microsoft_365_failures_are_read_in_german_and_french() {
    let exim = one(EXIM);
    let m365 = one(M365);

    assert_eq!(exim.kind, ResultKind::Failed);
    assert_eq!(exim.recipient.as_str(), "hans.mueller@t-online.de");
    assert!(exim.text.contains("Benutzer unbekannt"), "{}", exim.text);
    assert_eq!(exim.at, utc(30, 9, 0, 6));
    assert_eq!(
        exim.source_event_id,
        "E1tQm4X-0007Ab-2K@relay2.news.example.com:hans.mueller@t-online.de"
    );
    assert_eq!(m365.kind, ResultKind::Failed);
    assert_eq!(m365.recipient.as_str(), "claire.martin@cabinet-martin.fr");
    assert_eq!(m365.status, "5.1.10".parse::<EnhancedStatus>().ok());
    assert_eq!(m365.at, utc(30, 9, 0, 9));
    assert_eq!(m365.campaign_id, Some(1), "from the attached original");
    assert_eq!(
        m365.message_id.as_deref(),
        Some("20261130090000.1051.nieuwsbrief@news.example.com")
    );
    assert!(
        m365.source_event_id
            .starts_with("2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b@PR3P195MB0712"),
        "a folded Message-ID header: {}",
        m365.source_event_id
    );
}

#[test]
fn a_delay_notice_is_a_deferral_dated_in_utc() {
    let r = one(GMAIL_DELAY);

    assert_eq!(r.kind, ResultKind::Deferred);
    assert_eq!(r.recipient.as_str(), "ola.nordmann@online.no");
    assert_eq!(r.status, "4.2.2".parse::<EnhancedStatus>().ok());
    assert!(r.text.contains("Postkassen er full"), "{}", r.text);
    assert_eq!(r.at, utc(30, 13, 0, 11), "-0800 (PST)");
    assert_eq!(r.campaign_id, Some(1));
}

#[test]
fn a_feedback_report_is_a_complaint_and_an_auto_reply_is_no_result() {
    let complaint = one(ARF);

    assert_eq!(complaint.kind, ResultKind::Complaint);
    assert_eq!(complaint.recipient.as_str(), "lotte@kpnmail.nl");
    assert_eq!(complaint.at, utc(30, 13, 12, 45));
    assert_eq!(complaint.campaign_id, Some(1));
    assert_eq!(complaint.stage, None);
    assert_eq!(
        complaint.source_event_id,
        "fbl.20261130131245.77241@fbl.kpnmail.nl:lotte@kpnmail.nl"
    );
    assert_eq!(items(OUT_OF_OFFICE), vec![Ok(Item::Other)]);
}

#[test]
fn the_mbox_reads_message_by_message() {
    let messages = bounce::message::split_mbox(MBOX);

    let results: Vec<DeliveryResult> = messages.iter().flat_map(|m| results(m)).collect();

    assert_eq!(messages.len(), 5);
    let kinds: Vec<ResultKind> = results.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [
            ResultKind::Failed,
            ResultKind::Delivered,
            ResultKind::Failed,
            ResultKind::Failed,
            ResultKind::Deferred,
        ]
    );
    let expired = &results[0];
    assert_eq!(expired.recipient.as_str(), "info@bakkerij-jansen.nl");
    assert_eq!(
        expired.campaign_tag.as_deref(),
        Some("herfstactie"),
        "a campaign header by name"
    );
    assert_eq!(expired.campaign_id, None);
    assert_eq!(expired.at, utc(30, 7, 14, 2));
    let delivered = &results[1];
    assert_eq!(delivered.recipient.as_str(), "kari.nordmann@online.no");
    assert_eq!(delivered.stage, Some(Stage::Data));
    assert_eq!(delivered.campaign_id, Some(1));
    assert_eq!(results[2].recipient.as_str(), "anna.schmidt@gmx.de");
    assert!(results[2].text.contains("Benutzer unbekannt"));
    assert_eq!(results[3].recipient.as_str(), "per.hansen@online.no");
    assert!(results[3].text.contains("Mottakeren finnes ikke"));
    assert_eq!(results[4].recipient.as_str(), "marie.dupont@orange.fr");
    assert!(results[4].text.contains("Boîte pleine"));
    assert_eq!(results[4].at, utc(30, 13, 0, 15));
}

#[test]
fn every_fixture_reads_without_rejects_and_with_distinct_keys() {
    let mut all = Vec::new();
    for message in [POSTFIX, EXIM, M365, GMAIL_DELAY, ARF, OUT_OF_OFFICE]
        .into_iter()
        .chain(bounce::message::split_mbox(MBOX))
    {
        all.extend(items(message));
    }

    assert!(all.iter().all(Result::is_ok), "{all:?}");
    assert_eq!(all.len(), 11);
    let mut keys: Vec<String> = all
        .into_iter()
        .filter_map(|i| match i {
            Ok(Item::Result(r)) => Some(r.source_event_id),
            _ => None,
        })
        .collect();
    assert_eq!(keys.len(), 10);
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), 10);
}

#[test]
fn a_dsn_that_gave_up_is_a_failure_even_when_its_status_is_temporary() {
    let gave_up = dsn(OWN, "failed", "4.4.7", "Message expired: retry timeout exceeded", "1");
    let warning = dsn(OWN, "delayed", "4.4.7", "Message expired: retry timeout exceeded", "1");

    assert_eq!(one(gave_up.as_bytes()).kind, ResultKind::Failed);
    assert_eq!(one(warning.as_bytes()).kind, ResultKind::Deferred);
}

#[test]
fn delivery_reports_and_not_spam_reports() {
    let relayed = dsn(OWN, "relayed", "2.0.0", "250 2.0.0 Ok: queued as 4dKx4L6WbSz2r", "1");
    let delivered = dsn(OWN, "delivered", "2.0.0", "250 2.0.0 Ok", "1");

    assert_eq!(one(relayed.as_bytes()).kind, ResultKind::Delivered);
    assert_eq!(one(relayed.as_bytes()).stage, Some(Stage::Data));
    assert_eq!(one(delivered.as_bytes()).kind, ResultKind::Delivered);
    let not_spam = String::from_utf8_lossy(ARF).replace("Feedback-Type: abuse", "Feedback-Type: not-spam");
    assert_eq!(items(not_spam.as_bytes()), vec![Ok(Item::Other)]);
}

#[test]
fn the_campaign_header_is_an_id_when_numeric_and_a_tag_otherwise() {
    let tag = one(dsn(OWN, "failed", "5.1.1", "550 5.1.1 Benutzer unbekannt", "herfst-2026").as_bytes());
    let zero = one(dsn(OWN, "failed", "5.1.1", "550 5.1.1 Benutzer unbekannt", "0").as_bytes());

    assert_eq!(
        (tag.campaign_id, tag.campaign_tag.as_deref()),
        (None, Some("herfst-2026"))
    );
    assert_eq!((zero.campaign_id, zero.campaign_tag), (None, None));
}

#[test]
fn without_a_message_id_the_key_is_a_hash_of_the_message_and_recipient() {
    let message = dsn(
        "Date: Mon, 30 Nov 2026 10:05:00 +0100\n",
        "failed",
        "5.2.2",
        "552 5.2.2 Postvak vol",
        "1",
    );
    let other = message.replace("Postvak vol", "Postvak vol (quota)");

    let key = one(message.as_bytes()).source_event_id;

    assert_eq!(key.len(), 16);
    assert!(key.bytes().all(|b| b.is_ascii_hexdigit()), "{key}");
    assert_eq!(one(message.as_bytes()).source_event_id, key, "stable");
    assert_ne!(one(other.as_bytes()).source_event_id, key);
}

#[test]
fn the_date_header_is_required_and_must_be_a_date() {
    let none = dsn(
        "Message-Id: <b.1@mta1.news.example.com>\n",
        "failed",
        "5.1.1",
        "550 5.1.1 unknown",
        "1",
    );
    let bad = dsn(
        "Date: gisteren om tien uur\n",
        "failed",
        "5.1.1",
        "550 5.1.1 unknown",
        "1",
    );

    assert_eq!(
        items(none.as_bytes()),
        vec![Err("the message has no Date header".to_owned())]
    );
    assert!(matches!(items(bad.as_bytes()).as_slice(), [Err(e)] if e.contains("is not an RFC 2822 date")));
}

#[test]
fn a_redacted_complaint_gets_its_recipient_from_the_verp_return_path() {
    let report = |return_path: &str| {
        format!(
            "From: Feedback Loop <fbl@fbl.example.net>\nDate: Mon, 30 Nov 2026 15:00:00 +0100\n\
Message-ID: <fbl.1@fbl.example.net>\nSubject: Abuse report\nMIME-Version: 1.0\n\
Content-Type: multipart/report; report-type=feedback-report; boundary=\"F\"\n\n\
--F\nContent-Type: text/plain\n\nThis is an email abuse report.\n\n\
--F\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: ExampleFBL/1.0\nVersion: 1\n\n\
--F\nContent-Type: text/rfc822-headers\n\n\
Return-Path: <{return_path}>\nMessage-ID: <20261130090000.1054.nieuwsbrief@news.example.com>\n\
To: undisclosed-recipients:;\nX-Campaign-ID: 1\n\n--F--\n"
        )
    };

    let verp = one(report("bounces+erik.larsen=online.no@news.example.com").as_bytes());
    let plain = items(report("bounces@news.example.com").as_bytes());

    assert_eq!(verp.kind, ResultKind::Complaint);
    assert_eq!(verp.recipient.as_str(), "erik.larsen@online.no");
    assert_eq!(verp.source_event_id, "fbl.1@fbl.example.net:erik.larsen@online.no");
    assert!(
        matches!(plain.as_slice(), [Err(e)] if e.contains("names no recipient")),
        "{plain:?}"
    );
}

#[test]
fn a_line_starting_with_from_does_not_split_one_message() {
    let message = dsn(OWN, "failed", "5.1.1", "550 5.1.1 Mottakeren finnes ikke", "1").replace(
        "This is the mail system at host mta1.news.example.com.\n",
        "This is the mail system at host mta1.news.example.com.\nFrom here on the report follows.\n",
    );
    let with_mbox_line = format!("From MAILER-DAEMON Mon Nov 30 09:05:00 2026\n{message}");

    assert_eq!(one(message.as_bytes()).kind, ResultKind::Failed);
    assert_eq!(
        one(with_mbox_line.as_bytes()).at,
        utc(30, 9, 5, 0),
        "the From_ line is no header"
    );
}

#[test]
fn messages_that_are_no_bounce_and_garbage_are_no_results() {
    let question = b"From: Piet Jansen <piet@kpnmail.nl>\nTo: nieuws@news.example.com\n\
Date: Mon, 30 Nov 2026 11:00:00 +0100\nSubject: Vraag over mijn bestelling\n\n\
Hallo, wanneer wordt mijn bestelling geleverd?\n";

    assert_eq!(items(question), vec![Ok(Item::Other)]);
    for garbage in [
        &b""[..],
        b"\xff\xfe\x00\x01",
        b"Content-Type: multipart/report; boundary=\n\n--\n--",
        b"Date:\n\n",
        b"From \nFrom \n\nFrom ",
    ] {
        let got = items(garbage);

        assert!(!got.is_empty());
        assert!(got.iter().all(|i| !matches!(i, Ok(Item::Result(_)))), "{got:?}");
    }
}

#[test]
fn verp_addresses_decode_in_postfixs_encoding_only() {
    let decode = |a: &str| verp(a).map(|e| e.as_str().to_owned());

    assert_eq!(
        decode("bounces+jan.devries=ziggo.nl@news.example.com").as_deref(),
        Some("jan.devries@ziggo.nl")
    );
    assert_eq!(
        decode("b+jan+nieuws=ziggo.nl@x.nl").as_deref(),
        Some("jan+nieuws@ziggo.nl")
    );
    assert_eq!(decode("bounces@news.example.com"), None);
    assert_eq!(decode("+jan=ziggo.nl@x.nl"), None);
    assert_eq!(decode("b+jan=@x.nl"), None);
    assert_eq!(decode("b+=ziggo.nl@x.nl"), None);
    assert_eq!(decode("b+jan=ziggo@x.nl"), None, "not an address");
}

#[test]
fn headers_are_read_from_the_header_block_only_and_unfolded() {
    let message = b"From MAILER-DAEMON Mon Nov 30 09:00:00 2026\r\nSubject: a\r\nMessage-ID:\r\n <x@y.nl>\r\n\
X-Other: 1\r\n\r\nDate: Mon, 30 Nov 2026 10:00:00 +0100\r\n";

    assert_eq!(header(message, "message-id").as_deref(), Some("<x@y.nl>"));
    assert_eq!(header(message, "subject").as_deref(), Some("a"));
    assert_eq!(header(message, "date"), None, "a Date in the body is not the message's");
    assert_eq!(bracketed("Jan <jan@ziggo.nl>").as_deref(), Some("jan@ziggo.nl"));
    assert_eq!(
        bracketed("jan@ziggo.nl, piet@ziggo.nl").as_deref(),
        Some("jan@ziggo.nl")
    );
    assert_eq!(bracketed("  "), None);
}

#[test]
fn dates_with_comments_odd_day_names_and_zones_are_read() {
    assert_eq!(rfc2822("Mon, 30 Nov 2026 10:00:03 +0100 (CET)"), Some(utc(30, 9, 0, 3)));
    assert_eq!(
        rfc2822("Tue, 30 Nov 2026 10:00:03 +0100"),
        Some(utc(30, 9, 0, 3)),
        "wrong day name"
    );
    assert_eq!(rfc2822("30 Nov 2026 01:00:03\n\t-0800"), Some(utc(30, 9, 0, 3)));
    assert_eq!(rfc2822("Mon, 30 Nov 2026 09:00:03 GMT"), Some(utc(30, 9, 0, 3)));
    assert_eq!(rfc2822("maandag 30 november"), None);
    assert_eq!(rfc2822(&"9".repeat(10_000)), None);
}

#[test]
fn the_give_up_test_and_the_hash() {
    assert!(gave_up(b"Action: failed\nStatus: 4.4.7\n"));
    assert!(gave_up(b"  action: Expired\n"));
    assert!(!gave_up(b"Action: failed\n\nAction: delayed\n"));
    assert!(!gave_up(b"no fields at all"));
    assert!(!gave_up(b"Action:"));
    assert_eq!(fnv1a(&[]), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a(&[b"a"]), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(fnv1a(&[b"a", b"b"]), fnv1a(&[b"ab"]));
}

#[test]
fn the_signs_find_the_fixtures() {
    for fixture in [POSTFIX, EXIM, M365, GMAIL_DELAY, ARF, MBOX] {
        let text = String::from_utf8_lossy(fixture);

        assert!(
            SIGNS.iter().any(|s| text.contains(s)),
            "{}",
            text.lines().next().unwrap_or("")
        );
    }
}
