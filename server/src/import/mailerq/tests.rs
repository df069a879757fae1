use bounce::delivery::ResultKind;
use chrono::{TimeZone, Utc};

use super::*;

/// The properties of a message as the sender published it (written from
/// MailerQ's "JSON specification" and "Result message queues" pages).
const HEAD: &str = r#""envelope":"bounce+7f3a@news.example.com","recipient":"Jan.deVries@ziggo.nl","message-id":"mq-7f3a91c2","campaign_id":"7","tags":["nieuwsbrief-november","nl"],"extracted":{"from":"news@example.com","subject":"Nieuws in november","headers":{"message-id":"<c7.4f3a@news.example.com>","x-mailer":"bouncedesk"}}"#;

const GREYLISTED: &str = r#"{"state":"rcptto","result":"error","time":"2026-11-30 10:00:01","mta":"mx.ziggo.nl","from":"192.0.2.10","to":"212.54.42.8","messages":1,"code":451,"status":"4.7.1","description":"Greylisted, probeer het over 5 minuten opnieuw"}"#;

const ACCEPTED: &str = r#"{"state":"message","result":"accepted","time":"2026-11-30 10:06:12","mta":"mx.ziggo.nl","from":"192.0.2.10","to":"212.54.42.8","messages":3,"code":250,"status":"2.0.0","dsn":true,"description":"Ok: queued as 4F3A21C0A"}"#;

/// A results queue saved one message per line: deliveries, greylisting,
/// hard and soft refusals, an expiry, DNS and connection failures, and
/// MailerQ refusing a message itself.
const FILE: &str = include_str!("../../../tests/fixtures/mailerq/results.jsonl");

/// A published message: its properties and its attempts so far.
fn line(head: &str, attempts: &[&str]) -> String {
    format!("{{{head},\"results\":[{}]}}", attempts.join(","))
}

fn results(line: &str) -> Vec<DeliveryResult> {
    parse(line)
        .into_iter()
        .map(|item| match item {
            Ok(Item::Result(r)) => *r,
            other => panic!("not a result: {other:?}"),
        })
        .collect()
}

fn one(line: &str) -> DeliveryResult {
    let mut all = results(line);
    assert_eq!(all.len(), 1, "one attempt");
    all.remove(0)
}

#[test]
fn a_greylisted_attempt_is_a_deferral_and_the_accepted_retry_a_delivery() {
    let input = line(HEAD, &[GREYLISTED, ACCEPTED]);

    let results = results(&input);

    let kinds: Vec<ResultKind> = results.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [ResultKind::Deferred, ResultKind::Delivered]);
    let (deferred, delivered) = (&results[0], &results[1]);
    assert_eq!(deferred.stage, Some(Stage::RcptTo));
    assert_eq!(deferred.reply_code.map(|c| c.get()), Some(451));
    assert_eq!(deferred.status.map(|s| s.to_string()).as_deref(), Some("4.7.1"));
    assert_eq!(deferred.text, "Greylisted, probeer het over 5 minuten opnieuw");
    assert_eq!(deferred.remote_mta.as_deref(), Some("mx.ziggo.nl"));
    assert_eq!(
        deferred.at,
        Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 1).single().expect("valid")
    );
    assert_eq!(deferred.recipient.as_str(), "jan.devries@ziggo.nl");
    assert_eq!(delivered.stage, Some(Stage::Data));
    assert_eq!(delivered.reply_code.map(|c| c.get()), Some(250));
    for r in &results {
        assert_eq!(r.campaign_id, Some(7));
        assert_eq!(r.campaign_tag.as_deref(), Some("nieuwsbrief-november"));
        assert_eq!(r.message_id.as_deref(), Some("c7.4f3a@news.example.com"));
        assert_eq!(r.source, "mailerq");
    }
    assert_eq!(
        deferred.source_event_id,
        format!(
            "mq-7f3a91c2:jan.devries@ziggo.nl:{}:rcptto:error",
            deferred.at.timestamp()
        )
    );
    assert_ne!(deferred.source_event_id, delivered.source_event_id);
}

#[test]
fn an_attempt_published_again_with_later_ones_keeps_its_kind_and_key() {
    let retry_queue_copy = line(HEAD, &[GREYLISTED]);
    let results_queue_copy = line(HEAD, &[GREYLISTED, ACCEPTED]);

    let early = one(&retry_queue_copy);
    let late = results(&results_queue_copy);

    assert_eq!(early.kind, ResultKind::Deferred, "a soft error MailerQ will retry");
    assert_eq!(early, late[0]);
}

#[test]
fn the_last_attempt_fails_on_a_permanent_reply_and_defers_on_a_transient_one() {
    let german = r#"{"state":"rcptto","result":"error","time":"2026-11-30 10:01:00","mta":"mx00.emig.gmx.net","code":550,"status":"5.1.1","description":"Benutzer unbekannt / user unknown"}"#;
    let norwegian = r#"{"state":"rcptto","result":"error","time":"2026-11-30 10:01:02","mta":"mx.online.no","code":"550","extended":"5.1.1","description":"Mottakeren finnes ikke"}"#;
    let dutch = r#"{"state":"message","result":"error","time":"2026-11-30 10:01:04","to":"195.121.1.40","description":"552 5.2.2 Postvak vol"}"#;
    let french = r#"{"state":"rcptto","result":"error","time":"2026-11-30 10:01:06","mta":"smtp-in.orange.fr","code":452,"status":"4.2.2","description":"Boîte pleine"}"#;

    let german = one(&line(HEAD, &[german]));
    let norwegian = one(&line(HEAD, &[norwegian]));
    let dutch = one(&line(HEAD, &[dutch]));
    let french = one(&line(HEAD, &[french]));

    assert_eq!((german.kind, german.stage), (ResultKind::Failed, Some(Stage::RcptTo)));
    assert_eq!(german.status.map(|s| s.to_string()).as_deref(), Some("5.1.1"));
    assert_eq!(norwegian.kind, ResultKind::Failed);
    assert_eq!(norwegian.reply_code.map(|c| c.get()), Some(550), "a code as text");
    assert_eq!(
        norwegian.status.map(|s| s.to_string()).as_deref(),
        Some("5.1.1"),
        "`extended`"
    );
    assert_eq!((dutch.kind, dutch.stage), (ResultKind::Failed, Some(Stage::Data)));
    assert_eq!(dutch.reply_code.map(|c| c.get()), Some(552), "read from the words");
    assert_eq!(dutch.status.map(|s| s.to_string()).as_deref(), Some("5.2.2"));
    assert_eq!(
        dutch.remote_mta.as_deref(),
        Some("195.121.1.40"),
        "the address without a name"
    );
    assert_eq!(french.kind, ResultKind::Deferred);
    assert_eq!(french.text, "Boîte pleine");
}

#[test]
fn a_response_patterns_fatal_flag_decides_the_last_attempt() {
    let fatal_soft = r#"{"state":"rcptto","result":"error","time":"2026-11-30 10:02:00","code":452,"status":"4.2.2","description":"Boîte pleine","fatal":true}"#;
    let retried_hard = r#"{"state":"rcptto","result":"error","time":"2026-11-30 10:02:01","code":550,"description":"Try again later","fatal":false}"#;

    assert_eq!(one(&line(HEAD, &[fatal_soft])).kind, ResultKind::Failed);
    assert_eq!(one(&line(HEAD, &[retried_hard])).kind, ResultKind::Deferred);
}

#[test]
fn giving_up_is_a_failure_with_the_last_servers_words() {
    let busy = r#"{"state":"intro","result":"error","time":"2026-11-30 10:00:05","mta":"mx.online.no","code":421,"status":"4.7.0","description":"Prøv igjen senere"}"#;
    let later = busy.replace("10:00:05", "11:00:05");
    let expired = r#"{"state":"process","result":"timeout","time":"2026-11-30 14:00:05"}"#;

    let results = results(&line(HEAD, &[busy, later.as_str(), expired]));

    let kinds: Vec<ResultKind> = results.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [ResultKind::Deferred, ResultKind::Deferred, ResultKind::Failed]);
    let gave_up = &results[2];
    assert_eq!(gave_up.stage, Some(Stage::Greeting));
    assert_eq!(gave_up.text, "Prøv igjen senere");
    assert_eq!(gave_up.reply_code.map(|c| c.get()), Some(421));
    assert_eq!(
        gave_up.at,
        Utc.with_ymd_and_hms(2026, 11, 30, 14, 0, 5).single().expect("valid")
    );
    assert!(gave_up.source_event_id.ends_with(":process:timeout"));
}

#[test]
fn dns_and_connection_failures_take_their_stage_without_a_reply() {
    let no_domain = r#"{"state":"dns","result":"error","time":"2026-11-30 10:03:00"}"#;
    let no_answer = r#"{"state":"connect","result":"timeout","time":"2026-11-30 10:03:30","to":"203.0.113.25"}"#;
    let tls = r#"{"state":"starttls","result":"error","time":"2026-11-30 10:03:40","code":454,"description":"TLS niet beschikbaar"}"#;

    let no_domain = one(&line(HEAD, &[no_domain]));
    let no_answer = one(&line(HEAD, &[no_answer]));
    let tls = one(&line(HEAD, &[tls]));

    assert_eq!(
        (no_domain.kind, no_domain.stage),
        (ResultKind::Failed, Some(Stage::Dns))
    );
    assert_eq!(no_domain.reply_code, None);
    assert_eq!(
        (no_answer.kind, no_answer.stage),
        (ResultKind::Deferred, Some(Stage::Connect))
    );
    assert_eq!(tls.stage, Some(Stage::Helo));
}

#[test]
fn mailerqs_own_work_is_no_delivery_result() {
    let invalid = r#"{"recipient":"geen-adres","results":[{"state":"process","result":"invalid","time":"2026-11-30 10:04:00","description":"recipient is not parsable"}]}"#;
    let no_ip = line(
        HEAD,
        &[r#"{"state":"bind","result":"error","time":"2026-11-30 10:04:01"}"#],
    );
    let expired_unsent = line(
        HEAD,
        &[r#"{"state":"process","result":"timeout","time":"2026-11-30 10:04:02"}"#],
    );
    let none_yet = line(HEAD, &[]);

    assert_eq!(parse(invalid), [Ok(Item::Other)]);
    assert_eq!(parse(&no_ip), [Ok(Item::Other)]);
    assert_eq!(parse(&expired_unsent), [Ok(Item::Other)]);
    assert_eq!(parse(&none_yet), [Ok(Item::Other)]);
    assert!(parse("   ").is_empty());
}

#[test]
fn the_message_id_is_found_in_headers_mime_or_a_property() {
    let head = |extra: &str| format!(r#""recipient":"ola.nordmann@gmail.com","tag":"kampanje-uke-48",{extra}"#);
    let in_headers = line(
        &head(r#""headers":{"Message-ID":"<a1@news.example.com>"}"#),
        &[ACCEPTED],
    );
    let in_mime = line(
        &head(
            r#""mime":"From: news@example.com\r\nMessage-Id:\r\n <b2@news.example.com>\r\nSubject: Hei\r\n\r\nMessage-ID: <not-this@body>""#,
        ),
        &[ACCEPTED],
    );
    let property = line(&head(r#""messageid":"c3@news.example.com""#), &[ACCEPTED]);
    let none = line(
        &head(r#""mime":"Subject: Hei\r\n\r\nMessage-ID: <x@body>""#),
        &[ACCEPTED],
    );

    assert_eq!(one(&in_headers).message_id.as_deref(), Some("a1@news.example.com"));
    assert_eq!(
        one(&in_mime).message_id.as_deref(),
        Some("b2@news.example.com"),
        "a folded header"
    );
    assert_eq!(one(&property).message_id.as_deref(), Some("c3@news.example.com"));
    assert_eq!(one(&none).message_id, None, "the body is not read");
    let tagged = one(&property);
    assert_eq!(tagged.campaign_tag.as_deref(), Some("kampanje-uke-48"));
    assert_eq!(tagged.campaign_id, None);
    assert!(
        tagged
            .source_event_id
            .starts_with("c3@news.example.com:ola.nordmann@gmail.com:"),
        "keyed by the Message-ID without a MailerQ id"
    );
}

#[test]
fn one_object_without_a_results_array_is_one_attempt() {
    let flat = r#"{"recipient":"kari@online.no","state":"rcptto","result":"error","time":"2026-11-30T10:05:00Z","code":550,"status":"5.1.1","description":"Mottakeren finnes ikke","campaign_id":1}"#;

    let r = one(flat);

    assert_eq!((r.kind, r.stage), (ResultKind::Failed, Some(Stage::RcptTo)));
    assert_eq!(r.campaign_id, Some(1));
}

#[test]
fn broken_messages_say_which_field_is_wrong() {
    let bad_attempt = |attempt: &str| {
        parse(&line(HEAD, &[attempt]))
            .into_iter()
            .next()
            .expect("one item")
            .expect_err("refused")
    };
    let bad_recipient = line(
        r#""recipient":"niemand","envelope":"x@example.com""#,
        &[GREYLISTED, ACCEPTED],
    );

    assert!(
        parse("{not json")
            .first()
            .is_some_and(|e| e.as_ref().is_err_and(|e| e.starts_with("is not JSON")))
    );
    assert!(matches!(parse("[1,2]").as_slice(), [Err(_)]));
    assert!(
        matches!(parse(r#"{"recipient":"a@b.nl","results":"none"}"#).as_slice(), [Err(e)] if e.contains("`results` is not an array"))
    );
    assert!(matches!(parse(r#"{"recipient":"a@b.nl"}"#).as_slice(), [Err(e)] if e.contains("`results` is missing")));
    assert!(matches!(parse(&bad_recipient).as_slice(), [Err(e)] if e.starts_with("`recipient`")));
    assert!(bad_attempt("42").contains("`results[0]` is not an object"));
    assert!(
        bad_attempt(r#"{"result":"error","time":"2026-11-30 10:00:00"}"#).contains("`results[0].state` is missing")
    );
    let unknown = bad_attempt(r#"{"state":"rcptto","result":"bounced","time":"2026-11-30 10:00:00"}"#);
    assert!(
        unknown.contains("`results[0].result`") && unknown.contains("bounced"),
        "{unknown}"
    );
    assert!(
        bad_attempt(r#"{"state":"rcptto","result":"error","time":"gisteren"}"#)
            .contains("`results[0].time` is not a time")
    );
    assert!(bad_attempt(r#"{"state":"rcptto","result":"error"}"#).contains("`results[0].time` is missing"));
    assert!(
        bad_attempt(r#"{"state":"rcptto","result":"error","time":"2026-11-30 10:00:00","code":[550]}"#)
            .contains("`results[0].code` is not a number")
    );
    assert!(
        bad_attempt(r#"{"state":"rcptto","result":"error","time":"2026-11-30 10:00:00","description":550}"#)
            .contains("`results[0].description` is not text")
    );
}

#[test]
fn one_bad_attempt_does_not_hide_the_others_and_hostile_input_does_not_panic() {
    let mixed = line(
        HEAD,
        &[
            GREYLISTED,
            r#"{"state":"rcptto","result":"error","time":null}"#,
            ACCEPTED,
        ],
    );
    let deep = "[".repeat(100_000);
    let odd_code = line(
        HEAD,
        &[r#"{"state":"rcptto","result":"error","time":"2026-11-30 10:00:00","code":99999999999,"description":"ø"}"#],
    );

    let items = parse(&mixed);

    assert!(matches!(&items[0], Ok(Item::Result(r)) if r.kind == ResultKind::Deferred));
    assert!(matches!(&items[1], Err(e) if e.contains("`results[1].time`")));
    assert!(matches!(&items[2], Ok(Item::Result(r)) if r.kind == ResultKind::Delivered));
    assert!(matches!(parse(&deep).as_slice(), [Err(_)]));
    let odd = one(&odd_code);
    assert_eq!(odd.reply_code, None, "a code outside the SMTP range is none");
    assert_eq!(odd.kind, ResultKind::Deferred);
}

#[test]
fn a_saved_results_queue_yields_every_attempt_once() {
    let items: Vec<Result<Item, String>> = FILE.lines().flat_map(parse).collect();

    assert!(items.iter().all(Result::is_ok), "{items:?}");
    let results: Vec<&DeliveryResult> = items
        .iter()
        .filter_map(|i| match i {
            Ok(Item::Result(r)) => Some(&**r),
            _ => None,
        })
        .collect();
    let count = |kind: ResultKind| results.iter().filter(|r| r.kind == kind).count();
    assert_eq!(items.len() - results.len(), 1, "MailerQ refusing an address itself");
    assert_eq!(count(ResultKind::Delivered), 3);
    assert_eq!(count(ResultKind::Deferred), 5);
    assert_eq!(count(ResultKind::Failed), 7);
    let keys: std::collections::HashSet<&str> = results.iter().map(|r| r.source_event_id.as_str()).collect();
    assert_eq!(keys.len(), 14, "the greylisting published twice has one key");
    assert!(results.iter().any(|r| r.campaign_id == Some(1)));
    assert!(SIGNS.iter().any(|sign| FILE.contains(sign)));
}
