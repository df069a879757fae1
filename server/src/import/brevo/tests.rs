use bounce::delivery::ResultKind;
use bounce::{EnhancedStatus, Stage};
use chrono::{TimeZone, Utc};

use super::*;
use crate::import::test_support;

/// A transactional hard bounce as Brevo posts it (written from Brevo's
/// "Transactional webhooks" page).
const HARD_BOUNCE: &str = r#"{"event":"hard_bounce","email":"Jan.deVries@ziggo.nl","id":508211,"date":"2026-11-28 10:00:03","ts":1795856403,"message-id":"<202611281000.41279301836@smtp-relay.mailin.fr>","ts_event":1795856403,"subject":"Nieuwsbrief november","X-Mailin-custom":"campaign_id=1","sending_ip":"185.41.28.109","ts_epoch":1795856403274,"template_id":12,"tags":["nieuwsbrief-november"],"reason":"550 5.1.1 <jan.devries@ziggo.nl>: Recipient address rejected: Onbekende gebruiker","contact_id":1041}"#;

fn one(line: &str) -> Result<Item, String> {
    test_support::one(parse(line), line)
}

fn result(line: &str) -> DeliveryResult {
    test_support::result(one(line), line)
}

#[test]
fn a_hard_bounce_is_a_failure_with_the_servers_words_and_its_campaign() {
    let r = result(HARD_BOUNCE);

    assert_eq!(r.kind, ResultKind::Failed);
    assert_eq!(r.recipient.as_str(), "jan.devries@ziggo.nl");
    assert_eq!(r.reply_code.map(|c| c.get()), Some(550));
    assert_eq!(r.status, "5.1.1".parse::<EnhancedStatus>().ok());
    assert!(r.text.ends_with("Onbekende gebruiker"), "{}", r.text);
    assert_eq!(
        r.at,
        Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 3).single().expect("valid")
    );
    assert_eq!(r.campaign_id, Some(1), "from X-Mailin-custom");
    assert_eq!(r.campaign_tag.as_deref(), Some("nieuwsbrief-november"));
    assert_eq!(
        r.message_id.as_deref(),
        Some("202611281000.41279301836@smtp-relay.mailin.fr")
    );
    assert_eq!(r.source, "webhook:brevo");
    assert_eq!(r.stage, None);
    assert_eq!(
        r.source_event_id,
        "202611281000.41279301836@smtp-relay.mailin.fr:jan.devries@ziggo.nl:hard_bounce:1795856403000"
    );
}

#[test]
fn soft_bounces_end_the_retries_and_deferrals_do_not() {
    let soft = result(&HARD_BOUNCE.replace("\"hard_bounce\"", "\"soft_bounce\"").replace(
        "550 5.1.1 <jan.devries@ziggo.nl>: Recipient address rejected: Onbekende gebruiker",
        "452 4.2.2 <jan.devries@ziggo.nl>: Postvak vol",
    ));
    let deferred = result(&HARD_BOUNCE.replace("\"hard_bounce\"", "\"deferred\"").replace(
        "550 5.1.1 <jan.devries@ziggo.nl>: Recipient address rejected: Onbekende gebruiker",
        "452 4.2.2 Boîte pleine",
    ));
    let camel = result(&HARD_BOUNCE.replace("\"hard_bounce\"", "\"softBounce\""));

    assert_eq!(soft.kind, ResultKind::Failed, "Brevo gave up after 36 hours");
    assert_eq!(soft.status, "4.2.2".parse::<EnhancedStatus>().ok());
    assert_eq!(deferred.kind, ResultKind::Deferred);
    assert_eq!(deferred.text, "452 4.2.2 Boîte pleine");
    assert_eq!(deferred.reply_code.map(|c| c.get()), Some(452));
    assert_eq!(camel.kind, ResultKind::Failed);
    assert_ne!(soft.source_event_id, deferred.source_event_id);
}

#[test]
fn deliveries_are_accepted_at_data_and_complaints_are_complaints() {
    let delivered = result(
        r#"{"event":"delivered","email":"kari.nordmann@online.no","id":508211,"date":"2026-11-28 10:00:04","message-id":"<202611281000.41279301837@smtp-relay.mailin.fr>","X-Mailin-custom":"{\"campaign_id\":1,\"list\":\"klanten\"}","ts_epoch":1795856404512,"tags":["nieuwsbrief-november"]}"#,
    );
    let spam = result(
        r#"{"id":508212,"camp_id":14,"email":"erik.larsen@online.no","campaign name":"Nieuwsbrief november","date_sent":"2026-11-28 10:00:00","date_event":"2026-11-28 15:00:00","event":"spam","reason":"undesired","tag":"","ts_sent":1795856400,"ts_event":1795870800,"ts":1795874400}"#,
    );

    assert_eq!(delivered.kind, ResultKind::Delivered);
    assert_eq!(delivered.stage, Some(Stage::Data));
    assert_eq!(delivered.campaign_id, Some(1), "from X-Mailin-custom as JSON");
    assert_eq!(
        delivered.at.timestamp_millis(),
        1_795_856_404_512,
        "ts_epoch in milliseconds"
    );
    assert_eq!(spam.kind, ResultKind::Complaint);
    assert_eq!(spam.at.timestamp(), 1_795_870_800, "ts_event, not the shifted ts");
    assert_eq!(
        spam.campaign_tag.as_deref(),
        Some("Nieuwsbrief november"),
        "an empty tag is skipped"
    );
    assert_eq!(spam.campaign_id, None, "camp_id is Brevo's own number");
    assert_eq!(spam.message_id, None);
    assert_eq!(spam.source_event_id, "camp:14:erik.larsen@online.no:spam:1795870800000");
}

#[test]
fn ts_epoch_in_seconds_and_a_bare_ts_are_read_too() {
    let seconds = result(r#"{"event":"delivered","email":"a@example.nl","ts_epoch":1795856404}"#);
    let bare = result(r#"{"event":"delivered","email":"a@example.nl","ts":"1795856404"}"#);

    assert_eq!(seconds.at.timestamp(), 1_795_856_404);
    assert_eq!(bare.at.timestamp(), 1_795_856_404);
}

#[test]
fn opens_clicks_and_brevos_own_refusals_are_not_delivery_results() {
    for event in [
        "request",
        "opened",
        "unique_opened",
        "click",
        "proxy_open",
        "unique_proxy_open",
        "unsubscribed",
        "blocked",
        "invalid_email",
        "error",
        "list_addition",
    ] {
        // Other events need neither a readable address nor a time.
        let line = format!(r#"{{"event":"{event}","email":"klaas@kpnmail"}}"#);

        assert_eq!(one(&line), Ok(Item::Other), "{event}");
    }
}

#[test]
fn campaign_ids_in_the_custom_header_take_several_shapes() {
    let with = |custom: &str| {
        let line = format!(
            r#"{{"event":"delivered","email":"a@example.nl","ts_event":1795856404,"X-Mailin-custom":{custom}}}"#
        );
        result(&line).campaign_id
    };

    assert_eq!(with(r#""campaign_id=7""#), Some(7));
    assert_eq!(with(r#""lang=nl;campaign_id = 7""#), Some(7));
    assert_eq!(with(r#""campaign_id:1|lang=nl""#), Some(1));
    assert_eq!(with(r#""{\"campaign_id\":\"7\"}""#), Some(7));
    assert_eq!(with(r#"{"campaign_id":7}"#), Some(7));
    assert_eq!(with(r#""campaign_id=0""#), None, "not a campaign id");
    assert_eq!(with(r#""campaign_id=abc""#), None);
    assert_eq!(with(r#""some_custom_header""#), None);
    assert_eq!(with("42"), None);
}

#[test]
fn a_batched_body_is_read_event_by_event() {
    let body = format!(r#"[{HARD_BOUNCE},{{"event":"opened","email":"a@b.nl"}},{{"event":"delivered"}},7]"#);

    let items = parse(&body);

    assert_eq!(items.len(), 4);
    assert!(matches!(&items[0], Ok(Item::Result(r)) if r.kind == ResultKind::Failed));
    assert_eq!(items[1], Ok(Item::Other));
    assert!(
        matches!(&items[2], Err(e) if e.starts_with("event [2] `email`")),
        "{:?}",
        items[2]
    );
    assert!(matches!(&items[3], Err(e) if e.contains("event [3]")), "{:?}", items[3]);
}

#[test]
fn broken_bodies_say_which_field_is_wrong_and_never_panic() {
    let no_time = r#"{"event":"hard_bounce","email":"a@b.nl","reason":"550 5.1.1 Benutzer unbekannt"}"#;
    let bad_time = r#"{"event":"hard_bounce","email":"a@b.nl","ts_event":"gisteren"}"#;
    let huge_time = r#"{"event":"hard_bounce","email":"a@b.nl","ts_event":9223372036854775807}"#;
    let min_epoch = r#"{"event":"hard_bounce","email":"a@b.nl","ts_epoch":-9223372036854775808}"#;
    let bad_address = HARD_BOUNCE.replace("Jan.deVries@ziggo.nl", "jan.devries");

    assert!(matches!(one(no_time), Err(e) if e.contains("`ts_event`")));
    assert!(matches!(one(bad_time), Err(e) if e.contains("`ts_event` is not a Unix time")));
    assert!(matches!(one(huge_time), Err(e) if e.contains("out of range")));
    assert!(matches!(one(min_epoch), Err(e) if e.contains("`ts_epoch`")));
    assert!(matches!(one(&bad_address), Err(e) if e.starts_with("`email`")));
    assert!(matches!(one(r#"{"email":"a@b.nl"}"#), Err(e) if e.contains("`event` is missing")));
    assert!(matches!(one(r#"{"event":5,"email":"a@b.nl"}"#), Err(e) if e.contains("`event` is not text")));
    assert!(matches!(one(r#"{"event":"","email":"a@b.nl"}"#), Err(e) if e.contains("`event`")));
    assert!(matches!(one("{not json"), Err(e) if e.starts_with("is not JSON")));
    assert!(one("\"hard_bounce\"").is_err());
    assert!(one("null").is_err());
    assert!(parse("   ").is_empty());
}

#[test]
fn the_fixture_reads_without_rejects() {
    let text = include_str!("../../../tests/fixtures/brevo/events.jsonl");

    let items: Vec<Result<Item, String>> = text.lines().flat_map(parse).collect();

    assert!(items.iter().all(Result::is_ok), "{items:?}");
    let results = test_support::results(items);
    let count = |kind| results.iter().filter(|r| r.kind == kind).count();
    assert_eq!(results.len(), 11);
    assert_eq!(count(ResultKind::Failed), 4);
    assert_eq!(count(ResultKind::Deferred), 2);
    assert_eq!(count(ResultKind::Delivered), 3);
    assert_eq!(count(ResultKind::Complaint), 2);
    assert!(results.iter().any(|r| r.campaign_id == Some(1)));
    let mut keys: Vec<&str> = results.iter().map(|r| r.source_event_id.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), results.len(), "every key is unique");
}

#[test]
fn the_signs_find_the_fixture() {
    let text = include_str!("../../../tests/fixtures/brevo/events.jsonl");

    assert!(SIGNS.iter().any(|s| text.contains(s)));
}
