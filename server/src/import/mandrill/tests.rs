use bounce::delivery::ResultKind;
use chrono::Datelike;

use super::*;
use crate::import::test_support::{self, results};

/// The events of one webhook POST (written from Mandrill's "Message Event
/// Webhook Format"): a hard bounce, a deferral retried once, a send, a
/// spam report, a rejection, an open and a sync event.
const BATCH: &str = r#"[
 {"event":"hard_bounce","msg":{"ts":1793606400,"subject":"Neu im November","email":"k.schmidt@web.de","sender":"nieuws@voorbeeldwinkel.nl","tags":["nieuwsbrief-november"],"state":"bounced","metadata":{"campaign_id":"1"},"_id":"5c1f8a3e9b2d4c6a8e0f1b3d5a7c9e24","_version":"q3Vh0rZkP1mYw8bN4cX2sA","bounce_description":"bad_mailbox","bgtools_code":10,"diag":"smtp;550 5.1.1 Benutzer unbekannt"},"_id":"5c1f8a3e9b2d4c6a8e0f1b3d5a7c9e24","ts":1793606409},
 {"event":"deferral","msg":{"ts":1793606400,"email":"femke.visser@xs4all.nl","tags":[],"state":"deferred","metadata":{},"_id":"5c1f8a3e9b2d4c6a8e0f1b3d5a7c9e31","smtp_events":[{"ts":1793606420,"type":"deferred","diag":"421 4.7.0 Te veel verbindingen, probeer het later opnieuw","source_ip":"198.2.132.10","destination_ip":"194.109.24.17","size":0},{"ts":1793610020,"type":"deferred","diag":"451 4.7.1 Greylisted, probeer het later opnieuw","source_ip":"198.2.132.10","destination_ip":"194.109.24.18","size":0}]},"_id":"5c1f8a3e9b2d4c6a8e0f1b3d5a7c9e31","ts":1793610020},
 {"event":"send","msg":{"ts":1793606400,"email":"ola.nordmann@online.no","tags":["nyhetsbrev-november"],"state":"sent","metadata":{"campaign_id":7},"_id":"5c1f8a3e9b2d4c6a8e0f1b3d5a7c9e21","smtp_events":[{"ts":1793606404,"type":"sent","diag":"250 2.0.0 Ok: queued as 4KQ9x12ZbLz5","source_ip":"198.2.132.10","destination_ip":"148.123.15.70","size":24613}]},"_id":"5c1f8a3e9b2d4c6a8e0f1b3d5a7c9e21","ts":1793606404},
 {"event":"spam","msg":{"ts":1793606400,"email":"anouk.bakker@hotmail.nl","tags":["nieuwsbrief-november"],"state":"sent","metadata":{},"_id":"5c1f8a3e9b2d4c6a8e0f1b3d5a7c9e27","smtp_events":[{"ts":1793606413,"type":"sent","diag":"250 2.6.0 Queued mail for delivery","destination_ip":"52.101.68.5","size":24613}]},"_id":"5c1f8a3e9b2d4c6a8e0f1b3d5a7c9e27","ts":1793610000},
 {"event":"reject","msg":{"ts":1793606400,"email":"piet@gmial.com","state":"rejected","_id":"5c1f8a3e9b2d4c6a8e0f1b3d5a7c9e26"},"_id":"5c1f8a3e9b2d4c6a8e0f1b3d5a7c9e26","ts":1793606412},
 {"event":"open","msg":{"ts":1793606400,"email":"ola.nordmann@online.no","_id":"5c1f8a3e9b2d4c6a8e0f1b3d5a7c9e21"},"_id":"5c1f8a3e9b2d4c6a8e0f1b3d5a7c9e21","ip":"84.210.12.7","ts":1793608200},
 {"type":"blacklist","action":"add","reject":{"reason":"hard-bounce","email":"k.schmidt@web.de"},"ts":1793606410}
]"#;

/// A form body as Mandrill posts it: every byte that is not a letter,
/// digit or `-_.` percent-encoded, spaces as `+`.
fn form_encode(json: &str) -> String {
    let mut out = String::from("mandrill_events=");
    for byte in json.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.".contains(&byte) {
            out.push(char::from(byte));
        } else if byte == b' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// One event of the given name with the given `msg` fields.
fn one(event: &str, msg: &str) -> Result<Item, String> {
    let line = format!(
        r#"[{{"event":"{event}","msg":{{"email":"marie.dupont@orange.fr","_id":"abc123",{msg}}},"_id":"abc123","ts":1793620800}}]"#
    );
    let mut items = parse(&line);
    assert_eq!(items.len(), 1);
    items.pop().expect("an item")
}

fn result(event: &str, msg: &str) -> DeliveryResult {
    match one(event, msg) {
        Ok(Item::Result(r)) => *r,
        other => panic!("not a result: {other:?}"),
    }
}

#[test]
fn a_form_body_yields_its_delivery_results_and_counts_the_rest() {
    let body = form_encode(&BATCH.replace('\n', ""));

    let items = parse(&body);
    let other = items.iter().filter(|i| matches!(i, Ok(Item::Other))).count();
    let results = results(items);

    assert_eq!(other, 3, "the rejection, the open and the sync event");
    let kinds: Vec<ResultKind> = results.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [
            ResultKind::Failed,
            ResultKind::Deferred,
            ResultKind::Delivered,
            ResultKind::Complaint
        ]
    );
    let bounce = &results[0];
    assert_eq!(bounce.text, "550 5.1.1 Benutzer unbekannt", "without the `smtp;` type");
    assert_eq!(bounce.reply_code.map(|c| c.get()), Some(550));
    assert_eq!(bounce.status.map(|s| s.to_string()).as_deref(), Some("5.1.1"));
    assert_eq!(bounce.campaign_id, Some(1));
    assert_eq!(bounce.campaign_tag.as_deref(), Some("nieuwsbrief-november"));
    assert_eq!(
        bounce.source_event_id,
        "5c1f8a3e9b2d4c6a8e0f1b3d5a7c9e24:k.schmidt@web.de:1793606409:hard_bounce"
    );
    assert_eq!(bounce.at.timestamp(), 1_793_606_409, "the event's time, not the send's");
    assert_eq!(bounce.stage, None);
    assert_eq!(bounce.message_id, None);
    assert_eq!(bounce.source, "webhook:mandrill");
    let deferral = &results[1];
    assert_eq!(
        deferral.text, "451 4.7.1 Greylisted, probeer het later opnieuw",
        "the last attempt"
    );
    assert_eq!(deferral.remote_mta.as_deref(), Some("194.109.24.18"));
    assert_eq!(deferral.campaign_tag, None);
    let send = &results[2];
    assert_eq!(send.stage, Some(Stage::Data));
    assert_eq!(send.text, "250 2.0.0 Ok: queued as 4KQ9x12ZbLz5");
    assert_eq!(send.campaign_id, Some(7));
    assert_eq!(
        results[3].remote_mta, None,
        "a complaint does not come from the receiving server"
    );
    assert_eq!(
        parse(&BATCH.replace('\n', "")),
        parse(&body),
        "the JSON array reads the same"
    );
}

#[test]
fn soft_bounces_fail_and_the_stage_comes_from_words_without_a_reply() {
    let full = result(
        "soft_bounce",
        r#""bounce_description":"mailbox_full","diag":"smtp;552 5.2.2 Boîte pleine""#,
    );
    let no_domain = result("soft_bounce", r#""bounce_description":"invalid_domain","diag":"""#);
    let refused = result(
        "hard_bounce",
        r#""bounce_description":"general","diag":"Connection refused by mx.orange.fr""#,
    );
    let answered = result(
        "hard_bounce",
        r#""diag":"smtp;550 5.1.2 Host or domain name not found""#,
    );

    assert_eq!(full.kind, ResultKind::Failed, "Mandrill gave up");
    assert_eq!(full.text, "552 5.2.2 Boîte pleine");
    assert_eq!(full.stage, None);
    assert_eq!(no_domain.stage, Some(Stage::Dns));
    assert_eq!(
        no_domain.text, "invalid_domain",
        "Mandrill's description when there is no diagnostic"
    );
    assert_eq!(refused.stage, Some(Stage::Connect));
    assert_eq!(answered.stage, None, "a server answered with a reply code");
}

#[test]
fn each_deferral_of_one_message_has_its_own_key() {
    let first = form_encode(
        r#"[{"event":"deferral","msg":{"email":"lotte@kpnmail.nl","_id":"m1","smtp_events":[{"type":"deferred","diag":"452 4.2.2 Postvak vol"}]},"_id":"m1","ts":1793606407}]"#,
    );
    let second = first.replace("1793606407", "1793610007");

    let keys: Vec<String> = results(parse(&first))
        .into_iter()
        .chain(results(parse(&second)))
        .map(|r| r.source_event_id)
        .collect();

    assert_eq!(
        keys,
        [
            "m1:lotte@kpnmail.nl:1793606407:deferral",
            "m1:lotte@kpnmail.nl:1793610007:deferral"
        ]
    );
}

#[test]
fn bodies_are_read_as_posted() {
    let body = form_encode(&BATCH.replace('\n', ""));

    let form = parse_body(body.as_bytes(), "application/x-www-form-urlencoded");
    let json = parse_body(BATCH.as_bytes(), "application/json");
    let test_post = parse_body(b"mandrill_events=%5B%5D", "application/x-www-form-urlencoded");
    let multipart = parse_body(b"--x", "multipart/form-data; boundary=x");

    assert_eq!(form.len(), 7);
    assert_eq!(form, json);
    assert!(test_post.is_empty(), "the test POST Mandrill sends to a new webhook");
    assert!(matches!(multipart.as_slice(), [Err(e)] if e.contains("multipart")));
    assert!(matches!(parse_body(b"[\xff]", "application/json").as_slice(), [Err(e)] if e.contains("UTF-8")));
}

#[test]
fn the_signed_string_is_the_url_and_the_sorted_fields() {
    let url = "https://bouncedesk.example.nl/webhooks/mandrill?source=transactional";

    let events = signature_base(url, b"mandrill_events=%5B%7B%22event%22%3A%22send%22%7D%5D");
    let sorted = signature_base(url, b"zeta=2+3&alpha=1");

    assert_eq!(
        events.as_deref(),
        Some(
            "https://bouncedesk.example.nl/webhooks/mandrill?source=transactionalmandrill_events[{\"event\":\"send\"}]"
        )
    );
    assert_eq!(
        sorted.as_deref(),
        Some("https://bouncedesk.example.nl/webhooks/mandrill?source=transactionalalpha1zeta2 3")
    );
    assert_eq!(signature_base(url, b"a=1&a=2"), None, "a field named twice");
    assert_eq!(signature_base(url, b"a=%FF"), None, "not UTF-8");
    assert_eq!(signature_base(url, b"").as_deref(), Some(url));
}

#[test]
fn broken_input_is_refused_with_the_field_named_never_a_panic() {
    let no_msg = r#"[{"event":"send","_id":"x","ts":1793606400}]"#;
    let bad_email = r#"[{"event":"send","msg":{"email":42},"ts":1793606400}]"#;
    let bad_time = r#"[{"event":"send","msg":{"email":"a@b.nl"},"ts":"soon"}]"#;
    let far_time = r#"[{"event":"send","msg":{"email":"a@b.nl"},"ts":9223372036854775807}]"#;

    assert!(
        matches!(parse("mandrill_events=%5Bnot+json").as_slice(), [Err(e)] if e.starts_with("`mandrill_events` is not JSON"))
    );
    assert!(matches!(parse("foo=bar").as_slice(), [Err(e)] if e == "has no `mandrill_events` field"));
    assert!(matches!(parse("mandrill_events=%FF").as_slice(), [Err(e)] if e.contains("UTF-8")));
    assert!(matches!(parse("mandrill_events=42").as_slice(), [Err(e)] if e.contains("not a JSON array")));
    assert!(matches!(parse(r#"[{"event":"teleport"}]"#).as_slice(), [Err(e)] if e.contains("teleport")));
    assert!(matches!(parse("[1]").as_slice(), [Err(e)] if e == "event [0] `event` is missing"));
    assert!(matches!(parse(no_msg).as_slice(), [Err(e)] if e.starts_with("event [0] `msg`")));
    assert!(matches!(parse(bad_email).as_slice(), [Err(e)] if e.starts_with("event [0] `msg.email`")));
    assert!(matches!(parse(bad_time).as_slice(), [Err(e)] if e.starts_with("event [0] `ts`")));
    assert!(matches!(parse(far_time).as_slice(), [Err(e)] if e.contains("out of range")));
    assert!(matches!(parse(r#"{"event":"send"}"#).as_slice(), [Err(e)] if e.starts_with("`msg`")));
    assert!(parse("").is_empty());
    assert!(parse("[]").is_empty());
}

#[test]
fn the_fixture_reads_without_a_refusal() {
    let text = test_support::fixture("mandrill/events.form");

    let items = test_support::every_item(&text, parse);

    let results = test_support::result_refs(&items);
    let count = |kind: ResultKind| results.iter().filter(|r| r.kind == kind).count();
    assert_eq!(items.len(), 15);
    assert_eq!(results.len(), 10);
    assert_eq!(count(ResultKind::Delivered), 2);
    assert_eq!(count(ResultKind::Failed), 5);
    assert_eq!(count(ResultKind::Deferred), 2);
    assert_eq!(count(ResultKind::Complaint), 1);
    assert!(results.iter().any(|r| r.campaign_id == Some(1)));
    assert!(results.iter().any(|r| r.stage == Some(Stage::Dns)));
    assert!(results.iter().all(|r| r.at.year() == 2026 && r.at.month() == 11));
    assert!(SIGNS.iter().any(|sign| text.contains(*sign)));
}
