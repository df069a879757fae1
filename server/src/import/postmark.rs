//! Postmark webhooks: one JSON object per POST, told apart by
//! `RecordType` (Postmark's "Webhooks" documentation):
//!
//! | RecordType | here | fields read |
//! |---|---|---|
//! | `Bounce` | failed; the `Type`s Postmark calls transient (`Transient`, `SoftBounce`, `DnsError`, `AutoResponder` aside) a deferral | `Email`, `BouncedAt`, `Details` (the server's words), `Description`, `ID` |
//! | `SpamComplaint` | complaint | `Email`, `BouncedAt`, `ID` |
//! | `Delivery` | delivered | `Recipient`, `DeliveredAt`, `Details` |
//! | `Open`, `Click`, `SubscriptionChange` | not a delivery result | |
//!
//! An `AutoResponder` "bounce" is an out-of-office reply, not a failure. A
//! campaign is linked by the metadata field `campaign_id`.

use bounce::delivery::{DeliveryResult, ResultKind};
use bounce::{EmailAddress, EnhancedStatus, ReplyCode, Stage};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::Item;

/// What tells Postmark's webhooks apart: its `RecordType` field.
pub const SIGNS: &[&str] = &["\"RecordType\""];

/// Bounce types Postmark reports for failures that are retried or pass.
const TRANSIENT: [&str; 3] = ["Transient", "SoftBounce", "DnsError"];
/// Bounce types that are no delivery failure at all.
const NOT_FAILURES: [&str; 4] = ["AutoResponder", "Subscribe", "Unsubscribe", "OpenRelayTest"];

/// The result of one webhook body (one line).
pub fn parse(line: &str) -> Vec<Result<Item, String>> {
    if line.trim().is_empty() {
        return Vec::new();
    }
    match serde_json::from_str::<Value>(line) {
        Ok(v @ Value::Object(_)) => vec![record(&v)],
        Ok(_) => vec![Err("is not a Postmark webhook object".into())],
        Err(e) => vec![Err(format!("is not JSON: {e}"))],
    }
}

fn record(v: &Value) -> Result<Item, String> {
    let text = |field: &str| v.get(field).and_then(Value::as_str).unwrap_or_default();
    let (kind, address, time_field) = match text("RecordType") {
        "Bounce" if NOT_FAILURES.contains(&text("Type")) => return Ok(Item::Other),
        "Bounce" if TRANSIENT.contains(&text("Type")) => (ResultKind::Deferred, "Email", "BouncedAt"),
        "Bounce" => (ResultKind::Failed, "Email", "BouncedAt"),
        "SpamComplaint" => (ResultKind::Complaint, "Email", "BouncedAt"),
        "Delivery" => (ResultKind::Delivered, "Recipient", "DeliveredAt"),
        "" => return Err("`RecordType` is missing".into()),
        _ => return Ok(Item::Other),
    };
    let recipient: EmailAddress = text(address)
        .parse()
        .map_err(|e: bounce::ParseError| format!("`{address}`: {}", e.problem))?;
    let at = DateTime::parse_from_rfc3339(text(time_field))
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("`{time_field}` is not an RFC 3339 time"))?;
    // The server's own words when Postmark has them, else its description.
    let words = match text("Details") {
        "" => text("Description"),
        details => details,
    };
    let id = match v.get("ID") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => text("MessageID").to_owned(),
    };
    Ok(Item::Result(Box::new(DeliveryResult {
        reply_code: ReplyCode::leading(words),
        status: EnhancedStatus::find_in(words),
        text: words.to_owned(),
        remote_mta: None,
        stage: (kind == ResultKind::Delivered).then_some(Stage::Data),
        kind,
        at,
        campaign_id: v.pointer("/Metadata/campaign_id").and_then(super::campaign_id),
        campaign_tag: None,
        message_id: None,
        source: "webhook:postmark".into(),
        source_event_id: format!("{}:{id}:{recipient}", text("RecordType")),
        recipient,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUNCE: &str = r#"{"RecordType":"Bounce","MessageStream":"broadcast","ID":4323372036,"Type":"HardBounce","TypeCode":1,"Name":"Hard bounce","Tag":"nieuwsbrief","MessageID":"883953f4-6105-42a2-a16a-77a8eac79483","Metadata":{"campaign_id":"7"},"ServerID":23,"Description":"The server was unable to deliver your message (ex: unknown user, mailbox not found).","Details":"smtp;550 5.1.1 The email account that you tried to reach does not exist.","Email":"jan.devries@gmail.com","From":"news@example.com","BouncedAt":"2026-11-30T10:00:01Z","DumpAvailable":true,"Inactive":true,"CanActivate":true,"Subject":"Nieuws"}"#;

    fn one(line: &str) -> Result<Item, String> {
        parse(line).into_iter().next().expect("one item")
    }

    #[test]
    fn a_hard_bounce_is_a_failure_with_its_metadata_campaign() {
        let Ok(Item::Result(r)) = one(BOUNCE) else {
            panic!("a result")
        };

        assert_eq!(r.kind, ResultKind::Failed);
        assert_eq!(r.campaign_id, Some(7));
        assert_eq!(r.status.map(|s| s.to_string()).as_deref(), Some("5.1.1"));
        assert_eq!(r.source_event_id, "Bounce:4323372036:jan.devries@gmail.com");
    }

    #[test]
    fn soft_bounces_defer_and_auto_replies_are_no_failures() {
        let soft = BOUNCE.replace("\"HardBounce\"", "\"SoftBounce\"");
        let auto = BOUNCE.replace("\"HardBounce\"", "\"AutoResponder\"");
        let delivery = r#"{"RecordType":"Delivery","ServerID":23,"MessageID":"883953f4","Recipient":"kari@online.no","Tag":"","DeliveredAt":"2026-11-30T10:00:02Z","Details":"Test delivery webhook details","Metadata":{}}"#;
        let complaint = r#"{"RecordType":"SpamComplaint","ID":42,"Type":"SpamComplaint","Email":"lotte@kpnmail.nl","BouncedAt":"2026-11-30T11:00:00Z"}"#;

        assert!(matches!(one(&soft), Ok(Item::Result(r)) if r.kind == ResultKind::Deferred));
        assert_eq!(one(&auto), Ok(Item::Other));
        assert!(matches!(one(delivery), Ok(Item::Result(r)) if r.kind == ResultKind::Delivered));
        assert!(matches!(one(complaint), Ok(Item::Result(r)) if r.kind == ResultKind::Complaint));
        assert_eq!(one(r#"{"RecordType":"Open","Recipient":"a@b.nl"}"#), Ok(Item::Other));
    }

    #[test]
    fn broken_bodies_say_what_is_wrong() {
        let no_time = BOUNCE.replace("\"BouncedAt\":\"2026-11-30T10:00:01Z\",", "");
        let bad_address = BOUNCE.replace("jan.devries@gmail.com", "nobody");

        assert!(matches!(one(&no_time), Err(e) if e.contains("BouncedAt")));
        assert!(matches!(one(&bad_address), Err(e) if e.contains("`Email`")));
        assert!(one("[]").is_err());
        assert!(matches!(one("{}"), Err(e) if e.contains("RecordType")));
    }
}
