use bounce::delivery::ResultKind;
use bounce::{EnhancedStatus, Stage};
use chrono::{TimeZone, Utc};

use super::*;
use crate::import::test_support;

/// A hard bounce as Mailjet posts it (written from Mailjet's Event API
/// guide).
const BOUNCE: &str = r#"{"event":"bounce","time":1796029204,"MessageID":288230387431437118,"Message_GUID":"0b7d4f61-8c2e-4a57-b3f0-2e9d6a1c5b02","email":"Hans.Mueller@web.de","mj_campaign_id":7711,"mj_contact_id":1049,"customcampaign":"nieuwsbrief-november","CustomID":"nl-1049","Payload":"{\"campaign_id\":1}","blocked":true,"hard_bounce":true,"error_related_to":"recipient","error":"user unknown","comment":"550 5.1.1 <hans.mueller@web.de>: Benutzer unbekannt"}"#;

fn one(line: &str) -> Result<Item, String> {
    test_support::one(parse(line), line)
}

fn result(line: &str) -> DeliveryResult {
    test_support::result(one(line), line)
}

#[test]
fn a_hard_bounce_is_a_failure_with_the_servers_words() {
    let r = result(BOUNCE);

    assert_eq!(r.kind, ResultKind::Failed);
    assert_eq!(r.recipient.as_str(), "hans.mueller@web.de");
    assert_eq!(r.text, "550 5.1.1 <hans.mueller@web.de>: Benutzer unbekannt");
    assert_eq!(r.reply_code.map(|c| c.get()), Some(550));
    assert_eq!(r.status, "5.1.1".parse::<EnhancedStatus>().ok());
    assert_eq!(
        r.at,
        Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 4).single().expect("valid")
    );
    assert_eq!(r.campaign_id, Some(1), "from the payload");
    assert_eq!(r.campaign_tag.as_deref(), Some("nieuwsbrief-november"));
    assert_eq!(r.message_id, None, "MessageID is Mailjet's number");
    assert_eq!(r.source, "webhook:mailjet");
    assert_eq!(
        r.source_event_id,
        "0b7d4f61-8c2e-4a57-b3f0-2e9d6a1c5b02:hans.mueller@web.de:bounce:1796029204"
    );
}

#[test]
fn soft_bounces_are_failures_and_greylisting_is_a_deferral() {
    let soft = result(
        &BOUNCE
            .replace("\"hard_bounce\":true", "\"hard_bounce\":false")
            .replace("user unknown", "quota exceeded")
            .replace(
                "550 5.1.1 <hans.mueller@web.de>: Benutzer unbekannt",
                "452 4.2.2 Boîte pleine",
            ),
    );
    let greylisted = result(
        &BOUNCE
            .replace("\"hard_bounce\":true", "\"hard_bounce\":false")
            .replace("\"recipient\"", "\"domain\"")
            .replace("user unknown", "greylisted")
            .replace(
                "550 5.1.1 <hans.mueller@web.de>: Benutzer unbekannt",
                "451 4.7.1 Greylisted, probeer het over 5 minuten opnieuw",
            ),
    );

    assert_eq!(soft.kind, ResultKind::Failed, "reported once Mailjet stops retrying");
    assert_eq!(soft.text, "452 4.2.2 Boîte pleine");
    assert_eq!(soft.status, "4.2.2".parse::<EnhancedStatus>().ok());
    assert_eq!(greylisted.kind, ResultKind::Deferred);
    assert_eq!(greylisted.reply_code.map(|c| c.get()), Some(451));
}

#[test]
fn without_the_servers_words_the_error_table_speaks_and_names_the_stage() {
    let no_domain = result(
        r#"{"event":"bounce","time":1796029207,"MessageID":288230387431437121,"email":"piet@zigo.nl","hard_bounce":true,"error_related_to":"domain","error":"invalid domain"}"#,
    );
    let no_host = result(
        r#"{"event":"bounce","time":1796029207,"MessageID":"288230387431437121","email":"piet@zigo.nl","error_related_to":"domain","error":"no mail host"}"#,
    );
    let bare = result(r#"{"event":"bounce","time":1796029207,"email":"piet@zigo.nl"}"#);

    assert_eq!(no_domain.text, "domain: invalid domain");
    assert_eq!(no_domain.stage, Some(Stage::Dns));
    assert_eq!(no_domain.reply_code, None);
    assert_eq!(
        no_domain.source_event_id, "288230387431437121:piet@zigo.nl:bounce:1796029207",
        "the number when there is no GUID"
    );
    assert_eq!(no_host.stage, Some(Stage::Connect));
    assert_eq!(no_host.source_event_id, no_domain.source_event_id, "as text too");
    assert_eq!(bare.text, "");
    assert_eq!(bare.stage, None);
}

#[test]
fn a_sent_event_is_a_delivery_with_the_servers_reply_in_either_form() {
    let new = result(
        r#"{"event":"sent","time":1796029203,"MessageID":288230387431437117,"email":"jan.devries@ziggo.nl","smtp_reply":"250 2.0.0 Ok: queued as 4dKx2V1VbXz9s","Payload":"campaign_id=1;lang=nl"}"#,
    );
    let old = result(
        r#"{"event":"sent","time":1796029210,"MessageID":288230387431437124,"email":"kari.nordmann@online.no","smtp_reply":"sent (250 2.0.0 Ok: queued as 4dKx3C0Hq8z1R)","Payload":""}"#,
    );

    assert_eq!(new.kind, ResultKind::Delivered);
    assert_eq!(new.stage, Some(Stage::Data));
    assert_eq!(new.reply_code.map(|c| c.get()), Some(250));
    assert_eq!(new.campaign_id, Some(1), "payload pairs");
    assert_eq!(new.campaign_tag, None);
    assert_eq!(old.text, "250 2.0.0 Ok: queued as 4dKx3C0Hq8z1R");
    assert_eq!(old.reply_code.map(|c| c.get()), Some(250));
    assert_eq!(old.campaign_id, None);
}

#[test]
fn complaints_count_and_opens_clicks_unsubscribes_and_blocks_do_not() {
    let spam = result(
        r#"{"event":"spam","time":1796036400,"MessageID":288230387431437126,"email":"lotte@hotmail.nl","Payload":{"campaign_id":"1"},"source":"JMRPP"}"#,
    );

    assert_eq!(spam.kind, ResultKind::Complaint);
    assert_eq!(spam.campaign_id, Some(1), "a payload object");
    for event in ["open", "click", "unsub", "blocked"] {
        let line = format!(r#"{{"event":"{event}","email":"not an address"}}"#);

        assert_eq!(one(&line), Ok(Item::Other), "{event}");
    }
}

#[test]
fn a_grouped_body_is_read_event_by_event() {
    let body =
        format!(r#"[{BOUNCE},{{"event":"open","email":"a@b.nl","time":1}},{{"event":"bounce","email":"a@b.nl"}},"x"]"#);

    let items = parse(&body);

    assert_eq!(items.len(), 4);
    assert!(matches!(&items[0], Ok(Item::Result(r)) if r.kind == ResultKind::Failed));
    assert_eq!(items[1], Ok(Item::Other));
    assert!(
        matches!(&items[2], Err(e) if e == "event [2] `time` is missing"),
        "{:?}",
        items[2]
    );
    assert!(matches!(&items[3], Err(e) if e.contains("event [3]")), "{:?}", items[3]);
}

#[test]
fn broken_bodies_say_which_field_is_wrong_and_never_panic() {
    let bad_time = BOUNCE.replace("\"time\":1796029204", "\"time\":\"maandag\"");
    let huge_time = BOUNCE.replace("\"time\":1796029204", "\"time\":-9223372036854775808");
    let float_time = BOUNCE.replace("\"time\":1796029204", "\"time\":1.5e300");
    let bad_address = BOUNCE.replace("Hans.Mueller@web.de", "hans mueller");
    let odd_payload = BOUNCE.replace(r#""Payload":"{\"campaign_id\":1}""#, r#""Payload":[1,2]"#);

    assert!(matches!(one(&bad_time), Err(e) if e == "`time` is not a Unix time"));
    assert!(matches!(one(&huge_time), Err(e) if e.contains("`time` is out of range")));
    assert!(matches!(one(&float_time), Err(e) if e.contains("`time`")));
    assert!(matches!(one(&bad_address), Err(e) if e.starts_with("`email`")));
    assert!(matches!(one(&odd_payload), Ok(Item::Result(r)) if r.campaign_id.is_none()));
    assert!(matches!(one(r#"{"email":"a@b.nl"}"#), Err(e) if e.contains("`event` is missing")));
    assert!(matches!(one(r#"{"event":["sent"]}"#), Err(e) if e.contains("`event` is not text")));
    assert!(matches!(one(r#"{"event":"teleported","email":"a@b.nl"}"#), Err(e) if e.contains("teleported")));
    assert!(matches!(one("{\"event\":"), Err(e) if e.starts_with("is not JSON")));
    assert!(one("true").is_err());
    assert!(parse("").is_empty());
}

#[test]
fn the_fixture_reads_without_rejects() {
    let text = include_str!("../../../tests/fixtures/mailjet/events.jsonl");

    let items: Vec<Result<Item, String>> = text.lines().flat_map(parse).collect();

    assert!(items.iter().all(Result::is_ok), "{items:?}");
    assert_eq!(items.iter().filter(|i| matches!(i, Ok(Item::Other))).count(), 4);
    let results = test_support::results(items);
    let count = |kind| results.iter().filter(|r| r.kind == kind).count();
    assert_eq!(results.len(), 10);
    assert_eq!(count(ResultKind::Delivered), 3);
    assert_eq!(count(ResultKind::Failed), 5);
    assert_eq!(count(ResultKind::Deferred), 1);
    assert_eq!(count(ResultKind::Complaint), 1);
    assert!(results.iter().any(|r| r.campaign_id == Some(1)));
    let mut keys: Vec<&str> = results.iter().map(|r| r.source_event_id.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), results.len(), "every key is unique");
}

#[test]
fn the_signs_find_the_fixture() {
    let text = include_str!("../../../tests/fixtures/mailjet/events.jsonl");

    assert!(SIGNS.iter().any(|s| text.contains(s)));
}
