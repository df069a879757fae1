use bounce::delivery::ResultKind;

use super::*;
use crate::import::test_support;

/// A webhook body as SendGrid posts it: one batch, several kinds of event
/// (written from SendGrid's Event Webhook reference).
const BODY: &str = r#"[
 {"email":"jan.devries@ziggo.nl","timestamp":1764496801,"event":"bounce","type":"bounce","status":"5.1.1","reason":"550 5.1.1 <jan.devries@ziggo.nl>: Recipient address rejected: User unknown","bounce_classification":"Invalid Address","sg_event_id":"ZGVsaXZlcmVkLTAtMjk","sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0","smtp-id":"<14c5d75ce93.dfd.64b469@ismtpd-555>","campaign_id":"7"},
 {"email":"k.schmidt@web.de","timestamp":1764496802,"event":"bounce","type":"blocked","status":"5.7.1","reason":"554 5.7.1 Service unavailable; Client host [167.89.0.1] blocked using Spamhaus","sg_event_id":"YmxvY2tlZC0xLTI5","sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.1"},
 {"email":"marie.dupont@orange.fr","timestamp":1764496803,"event":"deferred","response":"452 4.2.2 Boite du destinataire pleine","attempt":"3","sg_event_id":"ZGVmZXJyZWQtMi0yOQ"},
 {"email":"ola.nordmann@gmail.com","timestamp":1764496804,"event":"delivered","response":"250 2.0.0 OK 1764496804 gsmtp","sg_event_id":"ZGVsaXZlcmVkLTMtMjk","campaign_id":7},
 {"email":"lotte@kpnmail.nl","timestamp":1764496805,"event":"spamreport","sg_event_id":"c3BhbXJlcG9ydC00LTI5"},
 {"email":"lotte@kpnmail.nl","timestamp":1764496806,"event":"open","sg_event_id":"b3Blbi01LTI5","useragent":"Mozilla/5.0"},
 {"email":"piet@gmial.com","timestamp":1764496807,"event":"dropped","reason":"Bounced Address","sg_event_id":"ZHJvcHBlZC02LTI5"}
]"#;

fn results(body: &str) -> Vec<DeliveryResult> {
    test_support::results(parse(&body.replace('\n', "")))
}

#[test]
fn a_batch_yields_its_delivery_results_and_counts_the_rest() {
    let items = parse(&BODY.replace('\n', ""));
    let results = results(BODY);

    assert_eq!(items.len(), 7);
    assert_eq!(
        items.iter().filter(|i| matches!(i, Ok(Item::Other))).count(),
        2,
        "open and dropped"
    );
    let kinds: Vec<ResultKind> = results.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [
            ResultKind::Failed,
            ResultKind::Failed,
            ResultKind::Deferred,
            ResultKind::Delivered,
            ResultKind::Complaint
        ]
    );
    let bounce = &results[0];
    assert_eq!(bounce.status.map(|s| s.to_string()).as_deref(), Some("5.1.1"));
    assert_eq!(bounce.reply_code.map(|c| c.get()), Some(550));
    assert!(bounce.text.contains("User unknown"));
    assert_eq!(bounce.campaign_id, Some(7), "the custom argument as text");
    assert_eq!(results[3].campaign_id, Some(7), "and as a number");
    assert_eq!(bounce.source_event_id, "ZGVsaXZlcmVkLTAtMjk");
    assert_eq!(bounce.at.timestamp(), 1_764_496_801);
}

#[test]
fn one_event_per_line_is_read_too() {
    let line =
        r#"{"email":"a@example.nl","timestamp":1764496801,"event":"delivered","response":"250 ok","sg_event_id":"x"}"#;

    let items = parse(line);

    assert!(matches!(items.as_slice(), [Ok(Item::Result(r))] if r.kind == ResultKind::Delivered));
}

#[test]
fn bad_events_are_refused_by_position_and_field_and_the_rest_is_read() {
    let body = r#"[{"email":"not-an-address","timestamp":1,"event":"bounce"},
        {"email":"a@example.nl","event":"bounce"},
        {"email":"a@example.nl","timestamp":1,"event":"teleported"},
        {"email":"a@example.nl","timestamp":1764496801,"event":"bounce","reason":"550 no","sg_event_id":"ok"}]"#
        .replace('\n', "");

    let items = parse(&body);

    assert!(matches!(&items[0], Err(e) if e.starts_with("event [0] `email`")));
    assert!(matches!(&items[1], Err(e) if e.contains("`timestamp`")));
    assert!(matches!(&items[2], Err(e) if e.contains("teleported")));
    assert!(matches!(&items[3], Ok(Item::Result(_))));
    assert!(matches!(parse("{not json").as_slice(), [Err(e)] if e.starts_with("is not JSON")));
    assert!(matches!(parse("42").as_slice(), [Err(_)]));
}
