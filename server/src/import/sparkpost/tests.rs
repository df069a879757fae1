use bounce::delivery::ResultKind;
use chrono::Datelike;

use super::*;
use crate::import::test_support;

/// A webhook body as SparkPost posts it: one batch of several kinds of
/// event (written from SparkPost's event-type documentation).
const BATCH: &str = r#"[
 {"msys":{"message_event":{"type":"bounce","bounce_class":"10","campaign_id":"Herbstaktion 2026","customer_id":"248","delv_method":"esmtp","error_code":"550","event_id":"92356927693813856","injection_time":"2026-11-02T08:00:00.000Z","ip_address":"212.227.15.9","message_id":"0003a1b2c3d4e5f6a704","num_retries":"0","rcpt_meta":{"campaign_id":"1"},"rcpt_tags":["newsletter"],"rcpt_to":"k.schmidt@web.de","raw_rcpt_to":"k.schmidt@web.de","raw_reason":"550 5.1.1 <k.schmidt@web.de>: Benutzer unbekannt","reason":"550 5.1.1 <k.schmidt@web.de>: Benutzer unbekannt","routing_domain":"web.de","timestamp":"1793606409","transmission_id":"30223633711542400"}}},
 {"msys":{"message_event":{"type":"delay","bounce_class":"22","error_code":"452","event_id":"92356927693813857","ip_address":"195.121.65.10","message_id":"0003a1b2c3d4e5f6a703","num_retries":"1","rcpt_to":"lotte@kpnmail.nl","raw_reason":"452 4.2.2 Postvak vol","reason":"452 4.2.2 Postvak vol","timestamp":"1793606407"}}},
 {"msys":{"message_event":{"type":"delivery","campaign_id":"Herbstaktion 2026","event_id":"92356927693813858","ip_address":"148.123.15.70","message_id":"0003a1b2c3d4e5f6a701","rcpt_meta":{"campaign_id":7},"rcpt_to":"ola.nordmann@online.no","timestamp":"1793606405"}}},
 {"msys":{"message_event":{"type":"spam_complaint","event_id":"92356927693813859","fbtype":"abuse","ip_address":"65.55.34.1","message_id":"0003a1b2c3d4e5f6a708","rcpt_to":"anouk.bakker@hotmail.nl","rcpt_tags":["nieuwsbrief"],"report_by":"staff@hotmail.com","report_to":"abuse@sparkpostmail.com","timestamp":"1793610000"}}},
 {"msys":{"message_event":{"type":"out_of_band","bounce_class":"10","event_id":"92356927693813860","message_id":"0003a1b2c3d4e5f6a709","rcpt_to":"sigrid.berg@online.no","raw_reason":"550 5.1.1 Mottakeren finnes ikke","reason":"550 5.1.1 Mottakeren finnes ikke","timestamp":"1793611800"}}},
 {"msys":{"track_event":{"type":"open","event_id":"92356927693813861","message_id":"0003a1b2c3d4e5f6a701","rcpt_to":"ola.nordmann@online.no","timestamp":"1793608200"}}},
 {"msys":{"message_event":{"type":"bounce","bounce_class":"25","error_code":"550","event_id":"92356927693813862","rcpt_to":"piet@gmial.com","raw_reason":"550 5.0.0 [internal] recipient suppressed by customer policy","timestamp":"1793606412"}}}
]"#;

fn items(body: &str) -> Vec<Result<Item, String>> {
    parse(&body.replace('\n', ""))
}

fn results(body: &str) -> Vec<DeliveryResult> {
    test_support::results(items(body))
}

/// One message event with the given fields.
fn message_event(fields: &str) -> String {
    format!(
        r#"[{{"msys":{{"message_event":{{"rcpt_to":"marie.dupont@orange.fr","timestamp":"1793606411",{fields}}}}}}}]"#
    )
}

fn one(fields: &str) -> Result<Item, String> {
    let mut items = parse(&message_event(fields));
    assert_eq!(items.len(), 1);
    items.pop().expect("an item")
}

#[test]
fn a_batch_yields_its_delivery_results_and_counts_the_rest() {
    let items = items(BATCH);
    let results = results(BATCH);

    assert_eq!(items.len(), 7);
    assert_eq!(
        items.iter().filter(|i| matches!(i, Ok(Item::Other))).count(),
        2,
        "the open and SparkPost's own suppression"
    );
    let kinds: Vec<ResultKind> = results.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [
            ResultKind::Failed,
            ResultKind::Deferred,
            ResultKind::Delivered,
            ResultKind::Complaint,
            ResultKind::Failed
        ]
    );
    let bounce = &results[0];
    assert_eq!(bounce.text, "550 5.1.1 <k.schmidt@web.de>: Benutzer unbekannt");
    assert_eq!(bounce.reply_code.map(|c| c.get()), Some(550));
    assert_eq!(bounce.status.map(|s| s.to_string()).as_deref(), Some("5.1.1"));
    assert_eq!(bounce.campaign_id, Some(1), "rcpt_meta's campaign id, as text");
    assert_eq!(
        bounce.campaign_tag.as_deref(),
        Some("Herbstaktion 2026"),
        "SparkPost's campaign name"
    );
    assert_eq!(bounce.remote_mta.as_deref(), Some("212.227.15.9"));
    assert_eq!(bounce.source_event_id, "92356927693813856");
    assert_eq!(bounce.at.timestamp(), 1_793_606_409);
    assert_eq!(bounce.stage, None);
    assert_eq!(
        bounce.message_id, None,
        "SparkPost's message_id is not the Message-ID header"
    );
    assert_eq!(bounce.source, "webhook:sparkpost");
    assert_eq!(results[1].text, "452 4.2.2 Postvak vol");
    assert_eq!(results[2].stage, Some(Stage::Data));
    assert_eq!(results[2].campaign_id, Some(7), "and as a number");
    assert_eq!(
        results[3].campaign_tag.as_deref(),
        Some("nieuwsbrief"),
        "the first tag without a campaign"
    );
    assert_eq!(results[3].remote_mta, None);
    assert_eq!(results[4].stage, Some(Stage::AfterDelivery), "out of band");
    assert_eq!(results[4].text, "550 5.1.1 Mottakeren finnes ikke");
}

#[test]
fn the_bounce_class_settles_dns_failures_and_what_is_no_failure() {
    let dns = one(
        r#""type":"bounce","bounce_class":21,"error_code":"554","event_id":"1","raw_reason":"554 5.4.7 [internal] message timeout (last transfail: 451 4.4.4 [internal] no MX or A for domain orange-typo.fr)""#,
    );
    let soft = one(
        r#""type":"bounce","bounce_class":"22","error_code":"552","event_id":"2","raw_reason":"552 5.2.2 Boîte pleine""#,
    );
    let timeout = one(
        r#""type":"bounce","bounce_class":"24","event_id":"3","raw_reason":"554 5.4.7 [internal] message timeout""#,
    );

    assert!(matches!(&dns, Ok(Item::Result(r)) if r.stage == Some(Stage::Dns) && r.kind == ResultKind::Failed));
    assert!(
        matches!(&soft, Ok(Item::Result(r)) if r.kind == ResultKind::Failed && r.text == "552 5.2.2 Boîte pleine"),
        "a bounce is final, whatever its class"
    );
    assert!(matches!(&timeout, Ok(Item::Result(r)) if r.stage.is_none()));
    for class in ["25", "26", "60", "80", "90", "100"] {
        let fields = format!(r#""type":"out_of_band","bounce_class":"{class}","raw_reason":"x""#);
        assert_eq!(one(&fields), Ok(Item::Other), "class {class}");
    }
}

#[test]
fn the_raw_reason_is_preferred_to_the_redacted_one() {
    let both = one(
        r#""type":"bounce","bounce_class":"51","raw_reason":"554 5.7.1 Service unavailable; Client host [192.174.89.12] blocked","reason":"554 5.7.1 Service unavailable; Client host [a.b.c.d] blocked""#,
    );
    let redacted_only = one(r#""type":"delay","reason":"421 4.7.0 [a.b.c.d] Verbindung abgelehnt""#);

    assert!(matches!(&both, Ok(Item::Result(r)) if r.text.contains("192.174.89.12")));
    assert!(
        matches!(&redacted_only, Ok(Item::Result(r)) if r.kind == ResultKind::Deferred && r.reply_code.map(|c| c.get()) == Some(421))
    );
}

#[test]
fn events_without_an_id_get_a_key_from_message_recipient_time_and_type() {
    let r = one(r#""type":"delivery","message_id":"0003a1b2c3d4e5f6a706""#);

    assert!(
        matches!(&r, Ok(Item::Result(r)) if r.source_event_id == "0003a1b2c3d4e5f6a706:marie.dupont@orange.fr:1793606411:delivery")
    );
}

#[test]
fn other_events_and_the_test_ping_are_counted_not_refused() {
    let body = r#"[{"msys":{}},
        {"msys":{"track_event":{"type":"click"}}},
        {"msys":{"unsubscribe_event":{"type":"link_unsubscribe"}}},
        {"msys":{"relay_event":{"type":"relay_delivery"}}},
        {"msys":{"gen_event":{"type":"generation_failure"}}},
        {"msys":{"message_event":{"type":"injection","rcpt_to":"a@b.nl"}}},
        {"msys":{"message_event":{"type":"policy_rejection"}}}]"#;

    let items = items(body);

    assert_eq!(items.len(), 7);
    assert!(items.iter().all(|i| matches!(i, Ok(Item::Other))), "{items:?}");
}

#[test]
fn bodies_are_json_whatever_the_content_type_says_but_forms_are_refused() {
    let json = parse_body(message_event(r#""type":"delivery""#).as_bytes(), "application/json");
    let form = parse_body(b"a=b", "application/x-www-form-urlencoded");
    let not_text = parse_body(b"[\xff]", "application/json");

    assert!(matches!(json.as_slice(), [Ok(Item::Result(_))]));
    assert!(matches!(form.as_slice(), [Err(e)] if e.contains("SparkPost posts JSON")));
    assert!(matches!(not_text.as_slice(), [Err(e)] if e.contains("UTF-8")));
}

#[test]
fn bad_events_are_refused_by_position_and_field_and_the_rest_is_read() {
    let body = r#"[{"msys":{"message_event":{"type":"bounce","rcpt_to":42,"timestamp":"1793606411"}}},
        {"msys":{"message_event":{"type":"bounce","rcpt_to":"a@example.nl","timestamp":"soon"}}},
        {"msys":{"message_event":{"rcpt_to":"a@example.nl","timestamp":"1793606411"}}},
        {"msys":{"message_event":[]}},
        {"msys":5},
        {"nope":{}},
        7,
        {"msys":{"message_event":{"type":"bounce","rcpt_to":"a@example.nl","timestamp":"2026-11-02T08:00:11Z","raw_reason":"550 no"}}}]"#;

    let items = items(body);

    assert_eq!(items.len(), 8);
    assert!(matches!(&items[0], Err(e) if e.starts_with("event [0] `rcpt_to`")));
    assert!(matches!(&items[1], Err(e) if e.starts_with("event [1] `timestamp`")));
    assert!(matches!(&items[2], Err(e) if e == "event [2] `type` is missing"));
    assert!(matches!(&items[3], Err(e) if e.contains("`msys.message_event`")));
    assert!(matches!(&items[4], Err(e) if e == "event [4] `msys` is not an object"));
    assert!(matches!(&items[5], Err(e) if e == "event [5] `msys` is missing"));
    assert!(matches!(&items[6], Err(e) if e == "event [6] `msys` is missing"));
    assert!(
        matches!(&items[7], Ok(Item::Result(r)) if r.at.timestamp() == 1_793_606_411),
        "an RFC 3339 time"
    );
    assert!(matches!(parse("[{oops").as_slice(), [Err(e)] if e.starts_with("is not JSON")));
    assert!(matches!(parse("\"text\"").as_slice(), [Err(_)]));
    assert!(parse("").is_empty());
    assert!(parse("[]").is_empty());
}

#[test]
fn the_fixture_reads_without_a_refusal() {
    let text = test_support::fixture("sparkpost/batches.jsonl");

    let items = test_support::every_item(&text, parse);

    let results = test_support::result_refs(&items);
    let count = |kind: ResultKind| results.iter().filter(|r| r.kind == kind).count();
    assert_eq!(items.len(), 16);
    assert_eq!(results.len(), 9);
    assert_eq!(count(ResultKind::Delivered), 2);
    assert_eq!(count(ResultKind::Failed), 4);
    assert_eq!(count(ResultKind::Deferred), 2);
    assert_eq!(count(ResultKind::Complaint), 1);
    assert!(results.iter().any(|r| r.campaign_id == Some(1)));
    assert!(results.iter().any(|r| r.stage == Some(Stage::Dns)));
    assert!(results.iter().all(|r| r.at.year() == 2026 && r.at.month() == 11));
    assert!(SIGNS.iter().any(|sign| text.contains(*sign)));
}
