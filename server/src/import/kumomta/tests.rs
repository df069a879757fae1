use bounce::delivery::ResultKind;
use bounce::{EnhancedStatus, Stage};
use chrono::{TimeZone, Utc};

use super::*;
use crate::import::test_support;

/// The fixture an integration test imports: records of every kind, written
/// from KumoMTA's Log Record reference.
const LOG: &str = include_str!("../../../tests/fixtures/kumomta/log.jsonl");

fn one(line: &str) -> Result<Item, String> {
    test_support::one(parse(line), line)
}

fn result(line: &str) -> DeliveryResult {
    test_support::result(one(line), line)
}

/// The fixture's line that holds `needle` (and `kind`).
fn fixture(kind: &str, needle: &str) -> &'static str {
    LOG.lines()
        .find(|l| l.contains(&format!("\"type\":\"{kind}\"")) && l.contains(needle))
        .unwrap_or_else(|| panic!("no {kind} record with {needle}"))
}

#[test]
fn a_refused_recipient_is_a_failure_at_rcpt_to_in_the_servers_words() {
    let line = r#"{"type":"Bounce","id":"0b6d3f4a8f3a11f1a4c20242ac120004","sender":"bounce+nl@news.example.com","recipient":"K.Schmidt@web.de","queue":"nieuwsbrief-december:nieuws@web.de","site":"ip-192-0-2-25->mx-ha03.web.de.","size":23011,"response":{"code":550,"enhanced_code":{"class":5,"subject":1,"detail":1},"content":"Requested action not taken: mailbox unavailable / Benutzer unbekannt","command":"RCPT TO:<k.schmidt@web.de>\r\n"},"peer_address":{"name":"mx-ha03.web.de.","addr":"212.227.17.26"},"timestamp":1796032803,"created":1796032802,"num_attempts":1,"bounce_classification":"InvalidRecipient","egress_pool":"nieuwsbrief","egress_source":"ip-192-0-2-25","feedback_report":null,"meta":{"campaign_id":"1","campaign":"nieuwsbrief-december"},"headers":{"Message-ID":"<nb-2026-12.2@news.example.com>"},"delivery_protocol":"ESMTP"}"#;

    let r = result(line);

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
    assert_eq!(r.campaign_id, Some(1));
    assert_eq!(r.campaign_tag.as_deref(), Some("nieuwsbrief-december"));
    assert_eq!(r.message_id.as_deref(), Some("nb-2026-12.2@news.example.com"));
    assert_eq!(r.source, "kumomta");
    assert_eq!(
        r.source_event_id,
        "0b6d3f4a8f3a11f1a4c20242ac120004:Bounce:1796032803:k.schmidt@web.de"
    );
    assert_eq!(
        r.at,
        Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 3).single().expect("valid")
    );
}

#[test]
fn the_fixture_holds_every_kind_and_nothing_is_rejected() {
    let items: Vec<Result<Item, String>> = LOG.lines().flat_map(parse).collect();
    let results: Vec<DeliveryResult> = items
        .iter()
        .filter_map(|i| match i {
            Ok(Item::Result(r)) => Some((**r).clone()),
            _ => None,
        })
        .collect();
    let count = |kind: ResultKind| results.iter().filter(|r| r.kind == kind).count();

    assert!(items.iter().all(Result::is_ok), "{items:?}");
    assert_eq!(items.len(), 15);
    assert_eq!(results.len(), 12, "reception, rejection and a requeue are no results");
    assert_eq!(count(ResultKind::Delivered), 1);
    assert_eq!(count(ResultKind::Deferred), 4);
    assert_eq!(count(ResultKind::Failed), 6);
    assert_eq!(count(ResultKind::Complaint), 1);
    let keys: std::collections::HashSet<&str> = results.iter().map(|r| r.source_event_id.as_str()).collect();
    assert_eq!(keys.len(), results.len(), "every attempt has its own key");
    assert!(results.iter().any(|r| r.campaign_id == Some(1)));
}

#[test]
fn deliveries_are_accepted_at_data_by_the_mx() {
    let r = result(fixture("Delivery", "ola.nordmann@gmail.com"));

    assert_eq!(r.kind, ResultKind::Delivered);
    assert_eq!(r.stage, Some(Stage::Data));
    assert!(r.text.starts_with("250 2.0.0 OK"), "{}", r.text);
    assert_eq!(r.remote_mta.as_deref(), Some("gmail-smtp-in.l.google.com"));
    assert_eq!(r.message_id.as_deref(), Some("nb-2026-12.1@news.example.com"));
}

#[test]
fn deferrals_and_failures_in_several_languages_keep_the_servers_words() {
    let cases = [
        (
            "TransientFailure",
            "lotte.jansen@kpnmail.nl",
            ResultKind::Deferred,
            Stage::RcptTo,
            "452 4.2.2 Postvak vol",
        ),
        (
            "TransientFailure",
            "marie.dupont@orange.fr",
            ResultKind::Deferred,
            Stage::RcptTo,
            "452 4.2.2 Boîte pleine / Mailbox full",
        ),
        (
            "Bounce",
            "kari.nordmann@online.no",
            ResultKind::Failed,
            Stage::RcptTo,
            "550 5.1.1 <kari.nordmann@online.no>: Mottakeren finnes ikke",
        ),
        (
            "Bounce",
            "thomas.muller@gmx.de",
            ResultKind::Failed,
            Stage::Data,
            "554 5.7.1 Die Nachricht wurde als Spam eingestuft und abgelehnt",
        ),
    ];
    for (kind, address, result_kind, stage, text) in cases {
        let r = result(fixture(kind, address));

        assert_eq!((r.kind, r.stage), (result_kind, Some(stage)), "{address}");
        assert_eq!(r.text, text);
        assert_eq!(r.reply_code, ReplyCode::leading(text));
    }
}

#[test]
fn kumomtas_own_connection_failures_defer_at_connect_without_a_reply_code() {
    let r = result(fixture("TransientFailure", "piet@bakkerij-devries.nl"));

    assert_eq!(r.kind, ResultKind::Deferred);
    assert_eq!(r.stage, Some(Stage::Connect));
    assert_eq!(r.reply_code, None, "400 is KumoMTA's, not a server's");
    assert!(r.text.starts_with("KumoMTA internal: failed to connect"));
    assert_eq!(r.remote_mta, None);
}

#[test]
fn a_greeting_refusal_quoted_by_kumomta_is_at_the_greeting_with_the_servers_code() {
    let line = r#"{"type":"TransientFailure","id":"a1","recipient":"jan@hotmail.nl","timestamp":1796032900,"response":{"code":400,"enhanced_code":null,"content":"KumoMTA internal: failed to connect to any candidate hosts: connect to 52.101.68.8:25 and read initial banner: 421 4.7.500 Server busy. Please try again later from [192.0.2.25]. (S77719)","command":null}}"#;

    let r = result(line);

    assert_eq!(r.stage, Some(Stage::Greeting));
    assert_eq!(r.reply_code.map(|c| c.get()), Some(421));
    assert_eq!(r.status, "4.7.500".parse::<EnhancedStatus>().ok());
}

#[test]
fn kumomtas_own_queue_moves_are_not_delivery_results() {
    let requeue = fixture("TransientFailure", "returning message to scheduled queue");
    let suspended = r#"{"type":"TransientFailure","id":"b2","recipient":"a@example.nl","timestamp":1796032900,"response":{"code":451,"enhanced_code":{"class":4,"subject":4,"detail":4},"content":"KumoMTA internal: scheduled queue is suspended: onderhoud","command":null}}"#;

    assert_eq!(one(requeue), Ok(Item::Other));
    assert_eq!(one(suspended), Ok(Item::Other));
}

#[test]
fn expirations_and_admin_bounces_fail_in_kumomtas_own_words() {
    let expired = result(fixture("Expiration", "marie.dupont@orange.fr"));
    let admin = result(fixture("AdminBounce", "info@gesloten-winkel.nl"));

    assert_eq!(expired.kind, ResultKind::Failed);
    assert_eq!(expired.reply_code, None);
    assert_eq!(expired.status, "5.4.7".parse::<EnhancedStatus>().ok());
    assert!(expired.text.starts_with("Next delivery time would be at"));
    assert_eq!(expired.stage, None);
    assert_eq!(admin.kind, ResultKind::Failed);
    assert_eq!(
        (admin.reply_code, admin.status),
        (None, None),
        "its 5.7.1 is no policy refusal"
    );
    assert_eq!(admin.text, "Administrator bounced with reason: domein opgeheven");
}

#[test]
fn an_out_of_band_bounce_fails_after_delivery_and_takes_no_campaign_from_its_own_queue() {
    let r = result(fixture("OOB", "emma.de.smet@skynet.be"));

    assert_eq!(r.kind, ResultKind::Failed);
    assert_eq!(r.stage, Some(Stage::AfterDelivery));
    assert_eq!(
        r.text,
        "550 5.1.1 <emma.de.smet@skynet.be>: Recipient address rejected: Onbekende gebruiker"
    );
    assert_eq!(r.remote_mta.as_deref(), Some("relay.skynet.be"));
    assert_eq!((r.campaign_id, r.campaign_tag), (None, None));
}

#[test]
fn an_oob_report_without_a_diagnostic_has_no_made_up_code() {
    let line = r#"{"type":"OOB","id":"c3","recipient":"a@example.nl","timestamp":1796032900,"response":{"code":550,"enhanced_code":{"class":5,"subject":2,"detail":1},"content":"","command":null}}"#;

    let r = result(line);

    assert_eq!(r.reply_code, None);
    assert_eq!(r.status, "5.2.1".parse::<EnhancedStatus>().ok());
    assert_eq!(r.text, "");
}

#[test]
fn a_complaint_is_about_the_subscriber_in_the_report_not_the_feedback_mailbox() {
    let r = result(fixture("Feedback", "fbl@news.example.com"));

    assert_eq!(r.kind, ResultKind::Complaint);
    assert_eq!(r.recipient.as_str(), "ola.nordmann@gmail.com");
    assert_eq!(r.campaign_id, Some(1), "from the trace header's meta");
    assert_eq!(r.campaign_tag.as_deref(), Some("nieuwsbrief-december"));
    assert_eq!(r.message_id.as_deref(), Some("nb-2026-12.1@news.example.com"));
}

#[test]
fn a_complaint_without_a_trace_takes_the_reports_original_recipient() {
    let line = r#"{"type":"Feedback","id":"d4","recipient":"fbl@news.example.com","timestamp":1796042705,"feedback_report":{"feedback_type":"abuse","original_rcpto_to":["<Jan.Jansen@Ziggo.nl>"],"original_message":null},"meta":{},"headers":{"Message-ID":"<report-1@fbl.ziggo.nl>"}}"#;

    let r = result(line);

    assert_eq!(r.recipient.as_str(), "jan.jansen@ziggo.nl");
    assert_eq!(r.message_id, None, "the report's own Message-ID is not the original's");
}

#[test]
fn other_record_types_are_counted_not_rejected() {
    for kind in ["Reception", "Rejection", "Delay", "AdminRebind", "SomethingNew"] {
        let line = format!(r#"{{"type":"{kind}","id":"e5","recipient":"a@example.nl","timestamp":1796032900}}"#);

        assert_eq!(one(&line), Ok(Item::Other), "{kind}");
    }
}

#[test]
fn an_array_of_records_is_read_record_by_record() {
    let body = format!(
        "[{},{}]",
        fixture("Delivery", "ola.nordmann@gmail.com"),
        r#"{"type":"Bounce","id":"f6","recipient":"nobody","timestamp":1796032900}"#
    );

    let items = parse(&body);

    assert!(matches!(&items[0], Ok(Item::Result(r)) if r.kind == ResultKind::Delivered));
    assert!(
        matches!(&items[1], Err(e) if e.starts_with("record [1] `recipient`")),
        "{items:?}"
    );
}

#[test]
fn broken_records_say_which_field_is_wrong() {
    let base = r#"{"type":"Bounce","id":"g7","recipient":"a@example.nl","timestamp":1796032900,"response":{"code":550,"content":"no","command":"RCPT TO:<a@example.nl>"}}"#;
    let cases = [
        ("{not json".to_owned(), "is not JSON"),
        ("42".to_owned(), "JSON object"),
        ("{}".to_owned(), "`type` is missing"),
        (base.replace(r#""type":"Bounce""#, r#""type":7"#), "`type` is not a string"),
        (base.replace(r#""recipient":"a@example.nl","#, ""), "`recipient` is missing"),
        (base.replace(r#""recipient":"a@example.nl""#, r#""recipient":["a@example.nl"]"#), "`recipient` is not a string"),
        (base.replace("1796032900", r#""gisteren""#), "`timestamp`"),
        (base.replace(r#""id":"g7","#, ""), "`id` is missing"),
        (base.replace(r#""code":550"#, r#""code":"550""#), "`response.code`"),
        (base.replace(r#""code":550"#, r#""code":550,"enhanced_code":{"class":"x"}"#), "`response.enhanced_code`"),
        (base.replace(r#""content":"no""#, r#""content":{"x":1}"#), "`response.content`"),
        (r#"{"type":"Bounce","id":"g7","recipient":"a@example.nl","timestamp":1,"response":"550 no"}"#.to_owned(), "`response` is not an object"),
        (r#"{"type":"Feedback","id":"h8","recipient":"fbl@x.nl","timestamp":1}"#.to_owned(), "`feedback_report` is missing"),
        (
            r#"{"type":"Feedback","id":"h8","recipient":"fbl@x.nl","timestamp":1,"feedback_report":{"original_rcpto_to":[]}}"#.to_owned(),
            "`feedback_report` names no subscriber",
        ),
    ];
    for (line, expected) in cases {
        let item = one(&line);

        assert!(matches!(&item, Err(e) if e.contains(expected)), "{line}: {item:?}");
    }
    assert!(one(base).is_ok(), "the base record is fine");
}

#[test]
fn the_campaign_tag_falls_back_to_the_queue_name_but_not_to_a_domain_literal() {
    assert_eq!(
        queue_campaign("nieuwsbrief:nieuws@ziggo.nl").as_deref(),
        Some("nieuwsbrief")
    );
    assert_eq!(
        queue_campaign("black-friday:@gmail.com!relay.example").as_deref(),
        Some("black-friday")
    );
    assert_eq!(queue_campaign("nieuws@ziggo.nl"), None);
    assert_eq!(queue_campaign("[IPv6:2001:db8::1]"), None);
    assert_eq!(queue_campaign("tenant@[IPv6:2001:db8::1]"), None);
}

#[test]
fn a_huge_hostile_record_is_read_in_one_pass_without_panicking() {
    let content = "KumoMTA internal: ".to_owned() + &"ø initial banner: x".repeat(200_000);
    let record = |code: Value, enhanced: Value| {
        serde_json::json!({
            "type": "Bounce", "id": "i9", "recipient": "a@example.nl", "timestamp": 1796032900,
            "response": {"code": code, "enhanced_code": enhanced, "content": content},
        })
        .to_string()
    };
    let bad_status = record(
        550.into(),
        serde_json::json!({"class": 9, "subject": 70000, "detail": 1}),
    );
    let huge_code = record(99_999_999_999_u64.into(), Value::Null);
    let fine = record(400.into(), Value::Null);

    assert!(matches!(one(&bad_status), Err(e) if e.contains("`response.enhanced_code`")));
    assert!(matches!(one(&huge_code), Err(e) if e.contains("`response.code`")));
    assert!(matches!(one(&fine), Ok(Item::Result(r)) if r.reply_code.is_none() && r.stage.is_none()));
}
