use bounce::delivery::ResultKind;
use chrono::Datelike;

use super::*;
use crate::import::test_support;

/// A current webhook body as Mailgun posts it, a permanent failure at a
/// German provider (written from Mailgun's event structure).
const FAILED: &str = r#"{"signature":{"timestamp":"1793606404","token":"5f3a9c1e7b2d4a6f8e0c1b3d5f7a9c2e4b6d8f0a1c3e5f7ba1","signature":"9e2f4a6c8b0d1e3f5a7c9b1d3f5e7a9c2b4d6f8e0a1c3e5f7b9d2a4c6e8f6d5e"},"event-data":{"id":"pQ4rT7uV0wX3yZ6aB9cD2e","timestamp":1793606404.123456,"log-level":"error","event":"failed","severity":"permanent","reason":"bounce","delivery-status":{"attempt-no":1,"message":"5.1.1 Benutzer unbekannt","code":550,"enhanced-code":"5.1.1","description":"","mx-host":"mx-ha03.web.de","session-seconds":0.77},"recipient":"k.schmidt@web.de","recipient-domain":"web.de","message":{"headers":{"to":"k.schmidt@web.de","message-id":"<20261102080000.4.A1B2C3@mg.voorbeeldwinkel.nl>","from":"Voorbeeldwinkel <nieuws@mg.voorbeeldwinkel.nl>","subject":"Neu im November"}},"tags":["newsletter-november"],"campaigns":[],"user-variables":{"campaign_id":1}}}"#;

/// A legacy webhook's form body for a hard bounce at a French provider.
const LEGACY_BOUNCE: &str = "Message-Id=%3C20261102090030.13.A1B2C3%40mg.voorbeeldwinkel.nl%3E&code=550&domain=mg.voorbeeldwinkel.nl&error=5.1.1+%3Ccamille.martin%40orange.fr%3E%3A+Destinataire+inconnu&event=bounced&recipient=camille.martin%40orange.fr&campaign_id=1&tag=nieuwsbrief-november&timestamp=1793610030&token=c2b5e8f1a4d7093b6e9f2c5a8d1e4b7f0a3c6e9b2d5f8a1c4e&signature=3d9a1f7c5e2b8d4a6f0c9e3b7d1a5f8c2e6b0d4a9f3c7e1b5d8a2f6c0e4b9d3a";

fn one(line: &str) -> Result<Item, String> {
    let mut items = parse(line);
    assert_eq!(items.len(), 1, "one item from {line}");
    items.pop().expect("an item")
}

fn result(line: &str) -> DeliveryResult {
    match one(line) {
        Ok(Item::Result(r)) => *r,
        other => panic!("not a result: {other:?}"),
    }
}

fn kind(line: &str) -> Option<ResultKind> {
    match one(line) {
        Ok(Item::Result(r)) => Some(r.kind),
        Ok(Item::Other) => None,
        Err(e) => panic!("refused: {e}"),
    }
}

/// A bare event with the given middle part.
fn event(fields: &str) -> String {
    format!(r#"{{"id":"ev1","timestamp":1793606410.5,"recipient":"lotte@kpnmail.nl",{fields}}}"#)
}

#[test]
fn a_permanent_failure_joins_code_and_message_and_reads_its_campaign() {
    let r = result(FAILED);

    assert_eq!(r.kind, ResultKind::Failed);
    assert_eq!(r.text, "550 5.1.1 Benutzer unbekannt");
    assert_eq!(r.reply_code.map(|c| c.get()), Some(550));
    assert_eq!(r.status.map(|s| s.to_string()).as_deref(), Some("5.1.1"));
    assert_eq!(r.remote_mta.as_deref(), Some("mx-ha03.web.de"));
    assert_eq!(r.campaign_id, Some(1));
    assert_eq!(r.campaign_tag.as_deref(), Some("newsletter-november"));
    assert_eq!(
        r.message_id.as_deref(),
        Some("20261102080000.4.A1B2C3@mg.voorbeeldwinkel.nl"),
        "without angle brackets"
    );
    assert_eq!(r.source_event_id, "pQ4rT7uV0wX3yZ6aB9cD2e");
    assert_eq!(r.at.timestamp_micros(), 1_793_606_404_123_456);
    assert_eq!(r.stage, None, "Mailgun does not say which command");
    assert_eq!(r.source, "webhook:mailgun");
    assert_eq!(r.recipient.as_str(), "k.schmidt@web.de");
}

#[test]
fn temporary_failures_defer_unless_mailgun_gave_up() {
    let full = FAILED
        .replace("\"permanent\"", "\"temporary\"")
        .replace("5.1.1 Benutzer unbekannt", "4.2.2 Postvak vol")
        .replace("\"code\":550", "\"code\":452")
        .replace("\"enhanced-code\":\"5.1.1\"", "\"enhanced-code\":\"4.2.2\"");
    let old = event(
        r#""event":"failed","severity":"temporary","reason":"old","delivery-status":{"attempt-no":9,"message":"","code":498,"description":"No MX for telenr.no","session-seconds":0}"#,
    );

    let deferred = result(&full);
    let given_up = result(&old);

    assert_eq!(deferred.kind, ResultKind::Deferred);
    assert_eq!(deferred.text, "452 4.2.2 Postvak vol");
    assert_eq!(deferred.status.map(|s| s.to_string()).as_deref(), Some("4.2.2"));
    assert_eq!(given_up.kind, ResultKind::Failed);
    assert_eq!(
        given_up.text, "No MX for telenr.no",
        "the description when there is no message"
    );
    assert_eq!(given_up.reply_code, None, "498 is Mailgun's code, not an SMTP reply");
}

#[test]
fn deliveries_and_complaints_are_results_and_the_rest_is_counted() {
    let delivered = event(
        r#""event":"delivered","delivery-status":{"tls":true,"mx-host":"smtp-in.orange.fr","code":250,"message":"2.0.0 Ok: queued as 4KQ9x12ZbLz5","description":"","attempt-no":1}"#,
    );
    let complained = event(r#""event":"complained","tags":[],"user-variables":{"campaign_id":"12"}"#);
    let suppressed = event(
        r#""event":"failed","severity":"permanent","reason":"suppress-bounce","delivery-status":{"code":605,"message":"","description":"Not delivering to previously bounced address"}"#,
    );

    let d = result(&delivered);
    let c = result(&complained);

    assert_eq!(d.kind, ResultKind::Delivered);
    assert_eq!(d.stage, Some(Stage::Data));
    assert_eq!(d.text, "250 2.0.0 Ok: queued as 4KQ9x12ZbLz5");
    assert_eq!(c.kind, ResultKind::Complaint);
    assert_eq!(c.text, "");
    assert_eq!(c.campaign_id, Some(12), "a campaign id given as text");
    assert_eq!(kind(&suppressed), None, "Mailgun's own suppression list answered");
    for other in [
        "opened",
        "clicked",
        "unsubscribed",
        "accepted",
        "rejected",
        "stored",
        "teleported",
    ] {
        assert_eq!(kind(&event(&format!(r#""event":"{other}""#))), None, "{other}");
    }
}

#[test]
fn a_bare_event_and_an_events_api_page_are_read() {
    let bare = event(
        r#""event":"failed","severity":"permanent","delivery-status":{"code":550,"message":"5.1.1 Mottakeren finnes ikke","mx-host":"mx.online.no"}"#,
    )
    .replace("lotte@kpnmail.nl", "sigrid.berg@online.no");
    let page = format!(
        r#"{{"items":[{},42,{{"event":"delivered","timestamp":1793606411}}],"paging":{{}}}}"#,
        event(r#""event":"delivered","delivery-status":{"code":250,"message":"OK"}"#)
    );

    let r = result(&bare);
    let items = parse(&page);

    assert_eq!(r.text, "550 5.1.1 Mottakeren finnes ikke");
    assert_eq!(r.recipient.as_str(), "sigrid.berg@online.no");
    assert_eq!(items.len(), 3);
    assert!(matches!(&items[0], Ok(Item::Result(r)) if r.text == "250 OK"));
    assert!(matches!(&items[1], Err(e) if e == "item [1] is not an event object"));
    assert!(
        matches!(&items[2], Err(e) if e.starts_with("item [2] `recipient`")),
        "{items:?}"
    );
}

#[test]
fn legacy_form_bodies_are_read_field_by_field() {
    let r = result(LEGACY_BOUNCE);
    let from_headers = result(
        "event=bounced&recipient=jan%40ziggo.nl&code=550&error=5.1.1+User+unknown&timestamp=1793610040\
         &message-headers=%5B%5B%22To%22%2C%22jan%40ziggo.nl%22%5D%2C%5B%22Message-Id%22%2C%22%3Cabc.1%40mg.voorbeeldwinkel.nl%3E%22%5D%5D",
    );
    let hardfail = "event=dropped&reason=hardfail&code=605&description=Not+delivering+to+previously+bounced+address\
                    &recipient=piet%40gmial.com&timestamp=1793610031";
    let maxfails = "event=dropped&reason=maxfails&code=552&description=552+5.2.2+Postvak+vol\
                    &recipient=lotte%40kpnmail.nl&timestamp=1793610032";

    assert_eq!(r.kind, ResultKind::Failed);
    assert_eq!(r.text, "550 5.1.1 <camille.martin@orange.fr>: Destinataire inconnu");
    assert_eq!(r.status.map(|s| s.to_string()).as_deref(), Some("5.1.1"));
    assert_eq!(r.campaign_id, Some(1));
    assert_eq!(r.campaign_tag.as_deref(), Some("nieuwsbrief-november"));
    assert_eq!(
        r.source_event_id, "20261102090030.13.A1B2C3@mg.voorbeeldwinkel.nl:camille.martin@orange.fr:1793610030:bounced",
        "legacy events have no id: a key of message, recipient, time and event"
    );
    assert_eq!(from_headers.message_id.as_deref(), Some("abc.1@mg.voorbeeldwinkel.nl"));
    assert_eq!(kind(hardfail), None, "Mailgun's own suppression");
    let dropped = result(maxfails);
    assert_eq!(dropped.kind, ResultKind::Failed, "retries given up");
    assert_eq!(
        dropped.text, "552 5.2.2 Postvak vol",
        "the text already starts with its code"
    );
    assert_eq!(kind("event=opened&recipient=a%40b.nl&timestamp=1793610033"), None);
}

#[test]
fn the_signed_fields_come_from_either_shape() {
    let numeric = FAILED.replace("\"timestamp\":\"1793606404\"", "\"timestamp\":1793606404");

    let json = signed_fields(FAILED.as_bytes(), "application/json");
    let form = signed_fields(LEGACY_BOUNCE.as_bytes(), "application/x-www-form-urlencoded");

    assert_eq!(
        json,
        Some((
            "1793606404".to_owned(),
            "5f3a9c1e7b2d4a6f8e0c1b3d5f7a9c2e4b6d8f0a1c3e5f7ba1".to_owned(),
            "9e2f4a6c8b0d1e3f5a7c9b1d3f5e7a9c2b4d6f8e0a1c3e5f7b9d2a4c6e8f6d5e".to_owned()
        ))
    );
    assert_eq!(
        signed_fields(numeric.as_bytes(), "").map(|f| f.0).as_deref(),
        Some("1793606404")
    );
    assert_eq!(
        form.map(|f| f.1).as_deref(),
        Some("c2b5e8f1a4d7093b6e9f2c5a8d1e4b7f0a3c6e9b2d5f8a1c4e")
    );
    assert_eq!(
        signed_fields(event(r#""event":"opened""#).as_bytes(), "application/json"),
        None
    );
    assert_eq!(
        signed_fields(b"event=opened&token=x", "application/x-www-form-urlencoded"),
        None
    );
    assert_eq!(signed_fields(b"{oops", "application/json"), None);
    assert_eq!(
        signed_fields(LEGACY_BOUNCE.as_bytes(), "multipart/form-data; boundary=x"),
        None
    );
}

#[test]
fn bodies_are_read_by_their_content_type() {
    let json = parse_body(FAILED.as_bytes(), "application/json; charset=utf-8");
    let form = parse_body(LEGACY_BOUNCE.as_bytes(), "application/x-www-form-urlencoded");
    let sniffed = parse_body(FAILED.as_bytes(), "");
    let multipart = parse_body(b"--x\r\n", "multipart/form-data; boundary=x");
    let not_text = parse_body(b"{\"event\":\"\xff\"}", "application/json");

    assert!(matches!(json.as_slice(), [Ok(Item::Result(r))] if r.kind == ResultKind::Failed));
    assert!(matches!(form.as_slice(), [Ok(Item::Result(r))] if r.kind == ResultKind::Failed));
    assert_eq!(sniffed, json);
    assert!(matches!(multipart.as_slice(), [Err(e)] if e.contains("multipart")));
    assert!(matches!(not_text.as_slice(), [Err(e)] if e.contains("UTF-8")));
    assert!(parse_body(b"  ", "application/json").is_empty());
}

#[test]
fn form_fields_are_decoded_leniently_in_one_pass() {
    let fields = form_bytes(b"a=1+2&b=%C3%A9t%C3%A9&c=%zz%4&d&=e&&f=%&g=%4a%4A");
    let big = "%".repeat(200_000);

    let text: Vec<(String, String)> = fields
        .into_iter()
        .map(|(k, v)| {
            (
                String::from_utf8(k).expect("utf-8"),
                String::from_utf8(v).expect("utf-8"),
            )
        })
        .collect();

    let expected = [
        ("a", "1 2"),
        ("b", "été"),
        ("c", "%zz%4"),
        ("d", ""),
        ("", "e"),
        ("f", "%"),
        ("g", "JJ"),
    ];
    assert_eq!(text, expected.map(|(k, v)| (k.to_owned(), v.to_owned())).to_vec());
    assert_eq!(
        Form::decode(b"x=%FF").get("x"),
        "\u{fffd}",
        "bytes that are not UTF-8 are replaced"
    );
    assert_eq!(form_bytes(big.as_bytes()).first().map(|(k, _)| k.len()), Some(200_000));
}

#[test]
fn broken_input_is_refused_with_the_field_named_never_a_panic() {
    let wrong_type = event(r#""event":"delivered""#).replace("\"lotte@kpnmail.nl\"", "42");
    let no_time = r#"{"event-data":{"event":"delivered","recipient":"a@b.nl"}}"#;
    let far = event(r#""event":"delivered""#).replace("1793606410.5", "1e300");
    let no_severity = event(r#""event":"failed""#);
    let odd_severity = event(r#""event":"failed","severity":"sometimes""#);

    assert!(matches!(one("{oops"), Err(e) if e.starts_with("is not JSON")));
    assert!(matches!(one(r#"{"event-data":5}"#), Err(e) if e.contains("`event-data`")));
    assert!(matches!(one(r#"{"items":{}}"#), Err(e) if e.contains("`items`")));
    assert!(matches!(one(&wrong_type), Err(e) if e.starts_with("`recipient`")));
    assert!(matches!(one(no_time), Err(e) if e.contains("`event-data.timestamp`")));
    assert!(matches!(one(&far), Err(e) if e.contains("`timestamp`")));
    assert!(matches!(one(&no_severity), Err(e) if e.contains("`severity` is missing")));
    assert!(matches!(one(&odd_severity), Err(e) if e.contains("sometimes")));
    assert!(matches!(one("{}"), Err(e) if e == "`event` is missing"));
    assert!(
        matches!(one("[1,2]"), Err(e) if e == "`event` is missing"),
        "read as a form"
    );
    assert!(one("%%%&&&===").is_err());
    assert!(parse("   ").is_empty());
}

#[test]
fn the_fixture_reads_without_a_refusal() {
    let text = test_support::fixture("mailgun/events.jsonl");

    let items = test_support::every_item(&text, parse);

    let results = test_support::result_refs(&items);
    let count = |kind: ResultKind| results.iter().filter(|r| r.kind == kind).count();
    assert_eq!(items.len(), 17);
    assert_eq!(results.len(), 13);
    assert_eq!(count(ResultKind::Delivered), 4);
    assert_eq!(count(ResultKind::Failed), 6);
    assert_eq!(count(ResultKind::Deferred), 2);
    assert_eq!(count(ResultKind::Complaint), 1);
    assert!(results.iter().any(|r| r.campaign_id == Some(1)));
    assert!(results.iter().all(|r| r.at.year() == 2026 && r.at.month() == 11));
    assert!(SIGNS.iter().any(|sign| text.contains(*sign)));
}
