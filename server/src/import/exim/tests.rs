use bounce::delivery::ResultKind;
use bounce::{EnhancedStatus, Stage};
use chrono::{TimeZone, Utc};

use super::*;
use crate::import::test_support;

/// The fixture an integration test imports: a queue's worth of main log,
/// written from Exim's "Log files" chapter.
const MAINLOG: &str = include_str!("../../../tests/fixtures/exim/mainlog");

/// The items of `lines`, read in order by one reader.
fn read(lines: &[&str]) -> Vec<Result<Item, String>> {
    let mut reader = Reader::new();
    lines.iter().flat_map(|l| reader.line(l)).collect()
}

/// The one result of the last of `lines` (the earlier ones set the scene).
fn last_result(lines: &[&str]) -> DeliveryResult {
    match read(lines).pop() {
        Some(Ok(Item::Result(r))) => *r,
        other => panic!("not a result: {other:?}\n{lines:?}"),
    }
}

fn results(text: &str) -> Vec<DeliveryResult> {
    let mut reader = Reader::default();
    test_support::results(text.lines().flat_map(|l| reader.line(l)))
}

const ARRIVAL: &str = "2026-11-30 10:00:03 1vQ7aM-000B2e-0a <= bounce+nl@news.example.com \
                       H=app1.news.example.com [10.0.0.12] P=esmtps S=23011 id=<nb-2026-12.2@news.example.com> \
                       T=\"Nieuwsbrief december id=nep\"";

#[test]
fn a_refused_recipient_fails_at_rcpt_to_with_the_servers_words_and_the_arrivals_message_id() {
    let refused = "2026-11-30 10:00:04 1vQ7aM-000B2e-0a ** k.schmidt@web.de R=dnslookup T=remote_smtp \
                   H=mx-ha03.web.de [212.227.17.26] X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=yes: SMTP error \
                   from remote mail server after RCPT TO:<k.schmidt@web.de>: 550 5.1.1 Requested action not taken: \
                   mailbox unavailable / Benutzer unbekannt";

    let r = last_result(&[ARRIVAL, refused]);

    assert_eq!(r.kind, ResultKind::Failed);
    assert_eq!(r.stage, Some(Stage::RcptTo));
    assert_eq!(r.recipient.as_str(), "k.schmidt@web.de");
    assert_eq!(r.reply_code.map(|c| c.get()), Some(550));
    assert_eq!(r.status, "5.1.1".parse::<EnhancedStatus>().ok());
    assert_eq!(
        r.text,
        "550 5.1.1 Requested action not taken: mailbox unavailable / Benutzer unbekannt"
    );
    assert_eq!(r.remote_mta.as_deref(), Some("mx-ha03.web.de"));
    assert_eq!(r.message_id.as_deref(), Some("nb-2026-12.2@news.example.com"));
    assert_eq!(r.source, "exim");
    assert_eq!(r.source_event_id, "1vQ7aM-000B2e-0a:k.schmidt@web.de:**:1796032804000");
    assert_eq!(
        r.at,
        Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 4).single().expect("valid")
    );
}

#[test]
fn the_fixture_reads_as_seventeen_results_and_no_rejects() {
    let mut reader = Reader::new();
    let items: Vec<Result<Item, String>> = MAINLOG.lines().flat_map(|l| reader.line(l)).collect();
    let results = results(MAINLOG);
    let count = |kind: ResultKind| results.iter().filter(|r| r.kind == kind).count();

    assert!(items.iter().all(Result::is_ok), "{items:?}");
    assert_eq!(items.len(), 47);
    assert_eq!(results.len(), 17);
    assert_eq!(count(ResultKind::Delivered), 4);
    assert_eq!(count(ResultKind::Deferred), 5, "the skipped retry is no attempt");
    assert_eq!(count(ResultKind::Failed), 8);
    assert!(
        results.iter().all(|r| r.message_id.is_some()),
        "every message's arrival is in the log"
    );
    let keys: std::collections::HashSet<&str> = results.iter().map(|r| r.source_event_id.as_str()).collect();
    assert_eq!(keys.len(), results.len());
}

#[test]
fn deliveries_take_the_confirmation_and_the_host() {
    let found = results(MAINLOG);
    let sanne = found
        .iter()
        .find(|r| r.recipient.as_str() == "sanne.visser@gmail.com")
        .expect("the second recipient");
    let lotte: Vec<&DeliveryResult> = found
        .iter()
        .filter(|r| r.recipient.as_str() == "lotte.jansen@kpnmail.nl")
        .collect();

    assert_eq!(sanne.kind, ResultKind::Delivered);
    assert_eq!(sanne.stage, Some(Stage::Data));
    assert!(sanne.text.starts_with("250 2.0.0 OK  1796032802"), "{}", sanne.text);
    assert!(!sanne.text.contains('"'));
    assert_eq!(sanne.remote_mta.as_deref(), Some("gmail-smtp-in.l.google.com"));
    assert_eq!(sanne.message_id.as_deref(), Some("nb-2026-12.1@news.example.com"));
    assert_eq!(
        lotte.iter().map(|r| r.kind).collect::<Vec<_>>(),
        [ResultKind::Deferred, ResultKind::Delivered]
    );
    assert_eq!(lotte[0].text, "452 4.2.2 Postvak vol");
}

#[test]
fn stages_come_from_the_command_exim_names_or_its_own_words() {
    let cases = [
        (
            "** kari.nordmann@online.no",
            Stage::RcptTo,
            "550 5.1.1 <kari.nordmann@online.no>: Mottakeren finnes ikke",
        ),
        (
            "** thomas.muller@gmx.de",
            Stage::Data,
            "554 5.7.1 Die Nachricht wurde als Spam eingestuft und abgelehnt",
        ),
        (
            "== emma.de.smet@outlook.com",
            Stage::Greeting,
            "421 4.7.500 Server busy.",
        ),
        (
            "== marie.dupont@orange.fr",
            Stage::RcptTo,
            "452 4.2.2 Boîte pleine / Mailbox full",
        ),
        ("** piet@gmial.com", Stage::Dns, "Unrouteable address"),
        (
            "** info@oud-domein.nl",
            Stage::Dns,
            "all relevant MX records point to non-existent hosts",
        ),
        ("== info@bakkerij-devries.nl", Stage::Connect, "Connection timed out"),
    ];
    let mut reader = Reader::new();
    let all: Vec<(String, DeliveryResult)> = MAINLOG
        .lines()
        .flat_map(|l| reader.line(l).into_iter().map(move |i| (l.to_owned(), i)))
        .filter_map(|(l, i)| match i {
            Ok(Item::Result(r)) => Some((l, *r)),
            _ => None,
        })
        .collect();
    for (needle, stage, text) in cases {
        let (_, r) = all
            .iter()
            .find(|(l, _)| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle}"));

        assert_eq!(r.stage, Some(stage), "{needle}");
        assert!(r.text.starts_with(text), "{needle}: {}", r.text);
    }
}

#[test]
fn an_unrouteable_address_has_no_host_and_a_connect_failure_names_it() {
    let found = results(MAINLOG);
    let piet = found
        .iter()
        .find(|r| r.recipient.as_str() == "piet@gmial.com")
        .expect("piet");
    let bakker = found
        .iter()
        .find(|r| r.kind == ResultKind::Deferred && r.recipient.as_str() == "info@bakkerij-devries.nl")
        .expect("bakkerij");

    assert_eq!(
        (piet.kind, piet.remote_mta.as_deref(), piet.reply_code),
        (ResultKind::Failed, None, None)
    );
    assert_eq!(bakker.remote_mta.as_deref(), Some("mail.bakkerij-devries.nl"));
}

#[test]
fn older_exims_name_the_host_inside_the_error() {
    let line = "2026-11-30 10:02:17 1vQ7bA-000B30-2x ** ace400@pb.example R=dnslookup T=remote_smtp: SMTP error \
                from remote mailer after pipelined RCPT TO:<ace400@pb.example>: host pbmail3.py.example \
                [192.168.63.111]: 553 5.3.0 <ace400@pb.example>...Addressee unknown";

    let r = last_result(&[line]);

    assert_eq!(r.stage, Some(Stage::RcptTo));
    assert_eq!(r.text, "553 5.3.0 <ace400@pb.example>...Addressee unknown");
    assert_eq!(r.remote_mta.as_deref(), Some("pbmail3.py.example"));
    assert_eq!(r.message_id, None, "its arrival is not in this log");
}

#[test]
fn zones_pids_and_milliseconds_are_read() {
    let line = "2026-11-30 11:00:01.250 +0100 [24431] 1vQ7aK-000B2c-3F => ola@gmail.com R=dnslookup \
                T=remote_smtp H=[142.250.102.27]:25 C=\"250 2.0.0 OK \\\"quoted\\\" gsmtp\" QT=1s DT=0.4s";

    let r = last_result(&[line]);

    assert_eq!(
        r.at,
        Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 1).single().expect("valid") + chrono::Duration::milliseconds(250)
    );
    assert_eq!(r.remote_mta.as_deref(), Some("142.250.102.27"));
    assert_eq!(r.text, "250 2.0.0 OK \\\"quoted\\\" gsmtp");
}

#[test]
fn aliases_keep_the_delivered_address_and_local_deliveries_the_original() {
    let alias = "2026-11-30 10:05:00 1vQ7bB-000B31-3y => jan.devries@ziggo.nl (info@example.nl) <contact@example.nl> \
                 R=dnslookup T=remote_smtp H=mx.ziggo.nl [212.54.42.8] C=\"250 2.0.0 Ok\"";
    let local = "2026-11-30 10:05:01 1vQ7bC-000B32-4z => bounce+nl <bounce+nl@news.example.com> R=localuser \
                 T=local_delivery";
    let pipe = "2026-11-30 10:05:02 1vQ7bD-000B33-5a => |/usr/local/bin/verwerk <verwerk@news.example.com> \
                R=pipe_router T=address_pipe";

    let alias = last_result(&[alias]);
    let local = last_result(&[local]);
    let pipe = last_result(&[pipe]);

    assert_eq!(alias.recipient.as_str(), "jan.devries@ziggo.nl");
    assert_eq!(local.recipient.as_str(), "bounce+nl@news.example.com");
    assert_eq!((local.kind, local.remote_mta.as_deref()), (ResultKind::Delivered, None));
    assert_eq!(pipe.recipient.as_str(), "verwerk@news.example.com");
}

#[test]
fn lines_that_are_no_delivery_results_are_counted_as_other() {
    let lines = [
        "2026-11-30 10:00:00 Start queue run: pid=24410",
        "2026-11-30 10:00:00 SMTP connection from [203.0.113.9]:51234 lost D=12s",
        "2026-11-30 10:00:04 1vQ7aO-000B2g-1b <= <> R=1vQ7aM-000B2e-0a U=Debian-exim P=local S=2411",
        "2026-11-30 10:00:04 1vQ7aM-000B2e-0a Completed",
        "2026-11-30 10:00:05 1vQ7aN-000B2f-1c *> fake@example.nl R=dnslookup T=remote_smtp",
        "2026-11-30 10:00:05 1vQ7aN-000B2f-1c => discarded <low.club@bridge.example> R=userforward",
        "2026-11-30 10:00:05 1vQ7aN-000B2f-1c => :blackhole: <hole@nowhere.example> R=blackhole_router",
        "2026-11-30 10:15:00 1vQ7aR-000B2j-4d == lotte.jansen@kpnmail.nl R=dnslookup T=remote_smtp defer (-53): \
         retry time not reached for any host for 'kpnmail.nl'",
        "2026-11-30 10:15:00 1vQ7aR-000B2j-4d == lotte.jansen@kpnmail.nl <lotte.jansen@kpnmail.nl>: retry time not reached",
        "Nov 30 10:00:00 mail1 sshd[90]: Accepted publickey for root",
        "geen logregel",
    ];

    for line in lines {
        assert_eq!(read(&[line]), [Ok(Item::Other)], "{line}");
    }
    assert!(read(&["", "   "]).is_empty());
}

#[test]
fn a_completed_message_lets_its_message_id_go() {
    let completed = "2026-11-30 10:00:04 1vQ7aM-000B2e-0a Completed";
    let late = "2026-11-30 10:00:05 1vQ7aM-000B2e-0a ** x@example.nl: Unrouteable address";

    let r = last_result(&[ARRIVAL, completed, late]);

    assert_eq!(r.message_id, None);
}

#[test]
fn the_message_ids_kept_are_bounded_and_the_oldest_go_first() {
    let mut reader = Reader::with_cap(3);
    for n in 0..10 {
        reader.line(&format!(
            "2026-11-30 10:00:00 1vQ7a{n}-000B2e-0a <= a@news.example.com P=local S=1 id=m{n}@news.example.com"
        ));
    }
    // A crafted arrival with a huge Message-ID is not kept at all.
    reader.line(&format!(
        "2026-11-30 10:00:00 1vQ7azz-000B2e-0a <= a@news.example.com P=local S=1 id={}@x.nl",
        "x".repeat(100_000)
    ));
    let failed_line = |n: &str| format!("2026-11-30 10:00:01 1vQ7a{n}-000B2e-0a ** x@example.nl: Unrouteable address");
    let id_of = |reader: &mut Reader, n: &str| match reader.line(&failed_line(n)).pop() {
        Some(Ok(Item::Result(r))) => r.message_id.clone(),
        other => panic!("{other:?}"),
    };

    assert!(reader.ids.held() <= 3);
    assert_eq!(id_of(&mut reader, "9").as_deref(), Some("m9@news.example.com"));
    assert_eq!(id_of(&mut reader, "7").as_deref(), Some("m7@news.example.com"));
    assert_eq!(id_of(&mut reader, "6"), None, "let go");
    assert_eq!(id_of(&mut reader, "zz"), None);
}

#[test]
fn broken_result_lines_say_what_is_wrong() {
    let no_address = "2026-11-30 10:00:04 1vQ7aM-000B2e-0a ** nobody R=dnslookup: Unrouteable address";
    let bad_original = "2026-11-30 10:00:04 1vQ7aM-000B2e-0a => /var/mail/x <not an address> R=x T=y";
    let bad_time = "2026-13-45 10:00:04 1vQ7aM-000B2e-0a ** a@example.nl: Unrouteable address";

    assert!(matches!(read(&[no_address]).as_slice(), [Err(e)] if e.starts_with("recipient: `nobody`")));
    assert!(matches!(read(&[bad_original]).as_slice(), [Err(e)] if e.starts_with("recipient:")));
    assert_eq!(read(&[bad_time]), [Ok(Item::Other)], "not an Exim line");
}

#[test]
fn a_crafted_long_line_is_read_in_one_pass() {
    let mut line = String::from("2026-11-30 10:00:04 1vQ7aM-000B2e-0a ** a@example.nl ");
    line.push_str(&"(ø) ".repeat(300_000));
    line.push_str("R=x: ");
    line.push_str(&"SMTP error from remote mail in response to  after : host ]: ".repeat(100_000));

    let items = read(&[line.as_str()]);

    assert!(matches!(items.as_slice(), [Ok(Item::Result(_))]));
}
