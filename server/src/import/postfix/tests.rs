use bounce::delivery::ResultKind;
use bounce::{EnhancedStatus, Stage};
use chrono::{TimeZone, Utc};

use super::*;

fn result(line: &str) -> DeliveryResult {
    match parse(line, 2026) {
        Ok(Line::Result(r)) => *r,
        other => panic!("not a result: {other:?}\n{line}"),
    }
}

#[test]
fn a_refused_recipient_is_a_failure_at_rcpt_to_with_the_servers_words() {
    let line = "Nov 30 10:00:01 mail1 postfix/smtp[4211]: 4F3A21C0A: to=<jan.devries@ziggo.nl>, \
                relay=mx.ziggo.nl[212.54.42.8]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.1.1, \
                status=bounced (host mx.ziggo.nl[212.54.42.8] said: 550 5.1.1 <jan.devries@ziggo.nl>: \
                Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command))";

    let r = result(line);

    assert_eq!(r.kind, ResultKind::Failed);
    assert_eq!(r.stage, Some(Stage::RcptTo));
    assert_eq!(r.recipient.as_str(), "jan.devries@ziggo.nl");
    assert_eq!(r.reply_code.map(|c| c.get()), Some(550));
    assert_eq!(r.status, "5.1.1".parse::<EnhancedStatus>().ok());
    assert!(
        r.text
            .starts_with("550 5.1.1 <jan.devries@ziggo.nl>: Recipient address rejected")
    );
    assert!(!r.text.contains("in reply to"));
    assert_eq!(r.remote_mta.as_deref(), Some("mx.ziggo.nl"));
    assert_eq!(
        r.at,
        Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 1).single().expect("valid")
    );
}

#[test]
fn rfc3339_timestamps_and_end_of_data_replies_in_norwegian() {
    let line = "2026-10-06T08:15:42.318221+02:00 mx-out postfix/smtp[918]: 9B2C14E07F: to=<kari@online.no>, \
                relay=mx.online.no[148.122.161.30]:25, delay=3, delays=0.1/0/1.2/1.7, dsn=5.7.1, status=bounced \
                (host mx.online.no[148.122.161.30] said: 554 5.7.1 Meldingen ble avvist som søppelpost \
                (in reply to end of DATA command))";

    let r = result(line);

    assert_eq!(r.stage, Some(Stage::Data));
    assert_eq!(
        r.at,
        Utc.with_ymd_and_hms(2026, 10, 6, 6, 15, 42).single().expect("valid") + chrono::Duration::microseconds(318_221)
    );
    assert_eq!(r.text, "554 5.7.1 Meldingen ble avvist som søppelpost");
}

#[test]
fn failures_before_any_reply_take_their_stage_from_postfixs_words() {
    let cases = [
        (
            "Nov 30 10:02:11 mail1 postfix/smtp[4300]: 6D1E21C0B: to=<piet@gmial.com>, relay=none, delay=0.3, \
             delays=0.1/0/0.2/0, dsn=5.4.4, status=bounced (Host or domain name not found. Name service error \
             for name=gmial.com type=MX: Host not found, try again)",
            Stage::Dns,
            ResultKind::Failed,
        ),
        (
            "Nov 30 10:03:00 mail1 postfix/smtp[4301]: 7E2F31C0C: to=<a@example.de>, relay=none, delay=30, \
             delays=0.1/0/30/0, dsn=4.4.1, status=deferred (connect to mx.example.de[192.0.2.7]:25: Connection timed out)",
            Stage::Connect,
            ResultKind::Deferred,
        ),
        (
            "Nov 30 10:04:00 mail1 postfix/smtp[4302]: 8F3041C0D: to=<b@outlook.com>, relay=none, delay=1, \
             delays=0.1/0/0.9/0, dsn=4.7.0, status=deferred (host outlook-com.olc.protection.outlook.com[52.101.68.8] \
             refused to talk to me: 451 4.7.500 Server busy. Please try again later from [192.0.2.25]. (S77719))",
            Stage::Greeting,
            ResultKind::Deferred,
        ),
    ];
    for (line, stage, kind) in cases {
        let r = result(line);
        assert_eq!((r.stage, r.kind), (Some(stage), kind), "{line}");
    }
}

#[test]
fn deliveries_are_results_and_other_lines_are_not() {
    let sent = result(
        "Nov 30 10:00:02 mail1 postfix/smtp[4211]: 5A1B21C0A: to=<ola@gmail.com>, relay=gmail-smtp-in.l.google.com\
         [142.250.102.27]:25, delay=0.9, delays=0.1/0/0.3/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK  1764496802 \
         a640c23a62f3a-b7f8 - gsmtp)",
    );
    let others = [
        "Nov 30 10:00:00 mail1 postfix/qmgr[880]: 4F3A21C0A: from=<bounce@news.example.com>, size=23011, nrcpt=1 (queue active)",
        "Nov 30 10:00:00 mail1 postfix/cleanup[4210]: 4F3A21C0A: message-id=<c7.1@news.example.com>",
        "Nov 30 10:00:03 mail1 postfix/qmgr[880]: 4F3A21C0A: removed",
        "Nov 30 10:00:03 mail1 sshd[90]: Accepted publickey for root",
        "",
    ];

    assert_eq!(sent.kind, ResultKind::Delivered);
    assert_eq!(sent.stage, Some(Stage::Data));
    for line in others {
        assert_eq!(parse(line, 2026), Ok(Line::Other), "{line}");
    }
}

#[test]
fn broken_result_lines_say_what_is_wrong() {
    let no_status = "Nov 30 10:00:01 mail1 postfix/smtp[1]: 4F3A: to=<jan@ziggo.nl>, relay=none, dsn=5.1.1";
    let bad_address = "Nov 30 10:00:01 mail1 postfix/smtp[1]: 4F3A: to=<not an address>, status=bounced (x)";
    let odd_status = "Nov 30 10:00:01 mail1 postfix/smtp[1]: 4F3A: to=<jan@ziggo.nl>, status=frobbed (x)";

    assert!(matches!(parse(no_status, 2026), Err(LineError(e)) if e.contains("status=")));
    assert!(matches!(parse(bad_address, 2026), Err(LineError(e)) if e.starts_with("recipient")));
    assert!(matches!(parse(odd_status, 2026), Err(LineError(e)) if e.contains("frobbed")));
}

#[test]
fn a_crafted_ten_megabyte_line_is_read_in_one_pass() {
    let mut line =
        String::from("Nov 30 10:00:01 mail1 postfix/smtp[1]: 4F3A: to=<jan@ziggo.nl>, relay=x, status=bounced (");
    line.push_str(&"in reply to (said: ".repeat(500_000));
    line.push(')');

    let parsed = parse(&line, 2026);

    assert!(matches!(parsed, Ok(Line::Result(_))));
}

#[test]
fn a_result_carries_the_message_id_cleanup_logged_for_its_queue_id() {
    let log = [
        "Nov 30 10:00:00 mail1 postfix/cleanup[4210]: 4F3A21C0A: message-id=<c7.4f3a@news.example.com>",
        "Nov 30 10:00:01 mail1 postfix/smtp[4211]: 4F3A21C0A: to=<jan.devries@ziggo.nl>, relay=mx.ziggo.nl[212.54.42.8]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.1.1, status=bounced (host mx.ziggo.nl[212.54.42.8] said: 550 5.1.1 Gebruiker onbekend (in reply to RCPT TO command))",
        "Nov 30 10:00:01 mail1 postfix/qmgr[880]: 4F3A21C0A: removed",
        "Nov 30 10:00:02 mail1 postfix/smtp[4211]: 4F3A21C0A: to=<ola@online.no>, relay=mx.online.no[148.122.161.30]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
    ];
    let mut reader = Reader::new(2026);

    let items: Vec<Option<String>> = log
        .iter()
        .map(|line| match reader.line(line) {
            Ok(Line::Result(r)) => r.message_id,
            _ => None,
        })
        .collect();

    assert_eq!(items[1].as_deref(), Some("c7.4f3a@news.example.com"));
    assert_eq!(items[3], None, "the message left the queue: its id is forgotten");
}
