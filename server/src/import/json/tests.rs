use bounce::delivery::ResultKind;

use super::*;

fn one(line: &str) -> Result<DeliveryResult, String> {
    match parse(line).into_iter().next() {
        Some(Ok(Item::Result(r))) => Ok(*r),
        Some(Ok(Item::Other)) => Err("other".into()),
        Some(Err(e)) => Err(e),
        None => Err("nothing".into()),
    }
}

#[test]
fn a_failure_in_our_shape_keeps_every_field() {
    let line = r#"{"recipient":"jan@ziggo.nl","time":"2026-11-30T10:00:01+01:00","result":"failed",
        "id":"mta-42-1","stage":"rcpt_to","reply_code":550,"status":"5.1.1",
        "text":"550 5.1.1 <jan@ziggo.nl>: Gebruiker onbekend","remote_mta":"mx.ziggo.nl",
        "campaign_id":7,"campaign_tag":"bf-2026","message_id":"<m1@news.example.nl>","source":"our-mta"}"#;

    let r = one(&line.replace('\n', "")).expect("a result");

    assert_eq!(r.kind, ResultKind::Failed);
    assert_eq!(r.at.to_rfc3339(), "2026-11-30T09:00:01+00:00");
    assert_eq!(r.stage, Some(Stage::RcptTo));
    assert_eq!(r.reply_code.map(|c| c.get()), Some(550));
    assert_eq!(r.status.map(|s| s.to_string()).as_deref(), Some("5.1.1"));
    assert_eq!(r.campaign_id, Some(7));
    assert_eq!(r.campaign_tag.as_deref(), Some("bf-2026"));
    assert_eq!(r.message_id.as_deref(), Some("m1@news.example.nl"));
    assert_eq!(r.source, "api:our-mta");
    assert_eq!(r.source_event_id, "mta-42-1");
}

#[test]
fn codes_come_from_the_text_when_not_given_and_an_array_is_read_whole() {
    let body = r#"[{"recipient":"k.schmidt@web.de","time":"2026-11-30T10:00:01Z","result":"deferred","id":"a",
        "text":"452 4.2.2 Postfach voll"},{"recipient":"ola@online.no","time":"2026-11-30T10:00:02Z",
        "result":"delivered","id":"b"}]"#;

    let items = parse(&body.replace('\n', ""));

    assert_eq!(items.len(), 2);
    let Some(Ok(Item::Result(first))) = items.first() else {
        panic!("a result")
    };
    assert_eq!(first.reply_code.map(|c| c.get()), Some(452));
    assert_eq!(first.status.map(|s| s.to_string()).as_deref(), Some("4.2.2"));
    assert_eq!(first.source, "api");
}

#[test]
fn bad_events_say_which_field_is_wrong() {
    let base = r#""recipient":"jan@ziggo.nl","time":"2026-11-30T10:00:01Z","id":"x""#;
    let cases = [
        (format!(r#"{{{base},"result":"bounced"}}"#), "`result`"),
        (
            format!(r#"{{{base},"result":"failed","campaign_ld":7}}"#),
            "campaign_ld",
        ),
        (format!(r#"{{{base},"result":"failed","stage":"rcpt"}}"#), "`stage`"),
        (
            format!(r#"{{{base},"result":"failed","reply_code":999}}"#),
            "`reply_code`",
        ),
        (format!(r#"{{{base},"result":"failed","status":"9.9"}}"#), "`status`"),
        (format!(r#"{{{base},"result":"failed","source":"a b"}}"#), "`source`"),
        (
            r#"{"recipient":"not an address","time":"2026-11-30T10:00:01Z","id":"x","result":"failed"}"#.into(),
            "`recipient`",
        ),
        (
            r#"{"recipient":"jan@ziggo.nl","time":"yesterday","id":"x","result":"failed"}"#.into(),
            "`time`",
        ),
        (r#"{"recipient":"jan@ziggo.nl"}"#.into(), "missing field"),
    ];

    for (line, named) in cases {
        let why = one(&line).expect_err(&line);
        assert!(why.contains(named), "{line}: {why}");
    }
    assert!(one("[1,").is_err_and(|e| e.contains("not JSON")));
    assert!(one("42").is_err());
}

#[test]
fn an_array_names_the_position_of_a_bad_event() {
    let body =
        r#"[{"recipient":"jan@ziggo.nl","time":"2026-11-30T10:00:01Z","id":"a","result":"failed"},{"recipient":"x"}]"#;

    let items = parse(body);

    assert!(items[0].is_ok());
    assert!(items[1].as_ref().is_err_and(|e| e.starts_with("[1]")));
}
