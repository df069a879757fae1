//! Amazon SES notifications: raw (`notificationType` from notification
//! topics, `eventType` from configuration-set event publishing) or wrapped
//! in an SNS message (`{"Type": "Notification", "Message": "<the JSON as a
//! string>"}`), one per line. From the SES Developer Guide ("Contents of
//! notifications", "Contents of event data"):
//!
//! | type | here | per recipient |
//! |---|---|---|
//! | `Bounce` (`bounceType` `Permanent` / `Transient` / `Undetermined`) | failed; a transient bounce is a deferral | `emailAddress`, `status`, `diagnosticCode` (`smtp; 550 ...`) |
//! | `Complaint` | complaint | `emailAddress` |
//! | `Delivery` | delivered | the `recipients`, with `smtpResponse` |
//! | `DeliveryDelay` | deferred | `emailAddress`, `status`, `diagnosticCode` |
//! | `Send`, `Open`, `Click`, `Reject`, `Rendering Failure`, `Subscription` | not a delivery result | |
//!
//! The key is the notification's `feedbackId` (bounces, complaints) or the
//! message id, with the recipient. A campaign is linked by the message tag
//! `campaign_id` (SES tags are lists of strings).

use bounce::delivery::{DeliveryResult, ResultKind};
use bounce::{EmailAddress, EnhancedStatus, ReplyCode, Stage};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::Item;

/// What tells SES notifications apart: their type fields and SNS's envelope.
pub const SIGNS: &[&str] = &["\"notificationType\"", "\"eventType\"", "\"TopicArn\""];

/// The results of one notification (one per recipient).
pub fn parse(line: &str) -> Vec<Result<Item, String>> {
    if line.trim().is_empty() {
        return Vec::new();
    }
    let outer: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return vec![Err(format!("is not JSON: {e}"))],
    };
    // SNS wraps the notification as a JSON string in `Message`.
    let notification = match outer.get("Type").and_then(Value::as_str) {
        Some("Notification") => match outer.get("Message").and_then(Value::as_str).map(serde_json::from_str) {
            Some(Ok(inner)) => inner,
            _ => {
                return vec![Err(
                    "`Message` of the SNS notification is not a JSON notification".into()
                )];
            }
        },
        Some("SubscriptionConfirmation" | "UnsubscribeConfirmation") => return vec![Ok(Item::Other)],
        _ => outer,
    };
    notification_results(&notification)
}

fn notification_results(n: &Value) -> Vec<Result<Item, String>> {
    let kind = n
        .get("notificationType")
        .or_else(|| n.get("eventType"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let (body, list, kind) = match kind {
        "Bounce" => {
            let transient = n.pointer("/bounce/bounceType").and_then(Value::as_str) == Some("Transient");
            let kind = if transient {
                ResultKind::Deferred
            } else {
                ResultKind::Failed
            };
            ("bounce", "bouncedRecipients", kind)
        }
        "Complaint" => ("complaint", "complainedRecipients", ResultKind::Complaint),
        "Delivery" => ("delivery", "recipients", ResultKind::Delivered),
        "DeliveryDelay" => ("deliveryDelay", "delayedRecipients", ResultKind::Deferred),
        "" => return vec![Err("`notificationType` (or `eventType`) is missing".into())],
        _ => return vec![Ok(Item::Other)],
    };
    let Some(section) = n.get(body) else {
        return vec![Err(format!("`{body}` is missing"))];
    };
    let Some(recipients) = section.get(list).and_then(Value::as_array) else {
        return vec![Err(format!("`{body}.{list}` is not a list"))];
    };
    let when = section
        .get("timestamp")
        .and_then(Value::as_str)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc));
    let Some(when) = when else {
        return vec![Err(format!("`{body}.timestamp` is not an RFC 3339 time"))];
    };
    let key = section
        .get("feedbackId")
        .or_else(|| n.pointer("/mail/messageId"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let campaign_id = n.pointer("/mail/tags/campaign_id/0").and_then(super::campaign_id);
    let remote_mta = section
        .get("remoteMtaIp")
        .or_else(|| section.get("reportingMTA"))
        .and_then(Value::as_str)
        .map(|m| m.trim_start_matches("dns;").trim().to_owned());
    recipients
        .iter()
        .enumerate()
        .map(|(i, r)| {
            // A delivery lists bare addresses; the others, objects.
            let address = r
                .as_str()
                .or_else(|| r.get("emailAddress").and_then(Value::as_str))
                .unwrap_or_default();
            let recipient: EmailAddress = address
                .parse()
                .map_err(|e: bounce::ParseError| format!("`{body}.{list}[{i}]`: {}", e.problem))?;
            let words = match kind {
                ResultKind::Delivered => section.get("smtpResponse").and_then(Value::as_str).unwrap_or_default(),
                _ => r.get("diagnosticCode").and_then(Value::as_str).unwrap_or_default(),
            };
            // "smtp; 550 5.1.1 ..." (RFC 3464's diagnostic type first).
            let words = words.split_once(';').map_or(words, |(kind, rest)| {
                if kind.eq_ignore_ascii_case("smtp") {
                    rest.trim()
                } else {
                    words
                }
            });
            let status = r
                .get("status")
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<EnhancedStatus>().ok())
                .or_else(|| EnhancedStatus::find_in(words));
            Ok(Item::Result(Box::new(DeliveryResult {
                reply_code: ReplyCode::leading(words),
                status,
                text: words.to_owned(),
                remote_mta: remote_mta.clone(),
                stage: (kind == ResultKind::Delivered).then_some(Stage::Data),
                kind,
                at: when,
                campaign_id,
                campaign_tag: None,
                message_id: None,
                source: "webhook:ses".into(),
                source_event_id: format!("{key}:{recipient}:{body}"),
                recipient,
            })))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUNCE: &str = r#"{"notificationType":"Bounce","bounce":{"feedbackId":"0100018c-8e1d-4b0e-9a2f-2f1c0e6b1a11-000000","bounceType":"Permanent","bounceSubType":"General","bouncedRecipients":[{"emailAddress":"jan.devries@ziggo.nl","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 <jan.devries@ziggo.nl>: Recipient address rejected: User unknown"}],"timestamp":"2026-11-30T10:00:01.000Z","remoteMtaIp":"212.54.42.8","reportingMTA":"dsn; a8-12.smtp-out.amazonses.com"},"mail":{"timestamp":"2026-11-30T09:59:58.000Z","source":"news@example.com","messageId":"0100018c-8e1d-aaaa","destination":["jan.devries@ziggo.nl"],"tags":{"campaign_id":["7"]}}}"#;

    fn one(line: &str) -> DeliveryResult {
        match parse(line).as_slice() {
            [Ok(Item::Result(r))] => (**r).clone(),
            other => panic!("not one result: {other:?}"),
        }
    }

    #[test]
    fn a_permanent_bounce_is_a_failure_with_the_servers_words() {
        let r = one(BOUNCE);

        assert_eq!(r.kind, ResultKind::Failed);
        assert_eq!(r.reply_code.map(|c| c.get()), Some(550));
        assert_eq!(r.status.map(|s| s.to_string()).as_deref(), Some("5.1.1"));
        assert!(
            r.text.starts_with("550 5.1.1"),
            "the `smtp;` type is dropped: {}",
            r.text
        );
        assert_eq!(r.campaign_id, Some(7));
        assert_eq!(r.remote_mta.as_deref(), Some("212.54.42.8"));
    }

    #[test]
    fn sns_wrapped_notifications_are_unwrapped() {
        let wrapped = serde_json::json!({
            "Type": "Notification",
            "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
            "TopicArn": "arn:aws:sns:eu-west-1:123456789012:ses-bounces",
            "Message": BOUNCE,
            "Timestamp": "2026-11-30T10:00:02.000Z"
        })
        .to_string();

        assert_eq!(one(&wrapped), one(BOUNCE));
        let confirm = r#"{"Type":"SubscriptionConfirmation","SubscribeURL":"https://sns.example/confirm"}"#;
        assert!(matches!(parse(confirm).as_slice(), [Ok(Item::Other)]));
    }

    #[test]
    fn deliveries_delays_complaints_and_transient_bounces() {
        let delivery = r#"{"eventType":"Delivery","mail":{"messageId":"m1"},"delivery":{"timestamp":"2026-11-30T10:00:03.000Z","recipients":["ola@gmail.com","kari@online.no"],"smtpResponse":"250 2.0.0 OK gsmtp","reportingMTA":"a8-12.smtp-out.amazonses.com"}}"#;
        let delay = r#"{"eventType":"DeliveryDelay","mail":{"messageId":"m2"},"deliveryDelay":{"timestamp":"2026-11-30T10:05:00.000Z","delayType":"MailboxFull","delayedRecipients":[{"emailAddress":"marie@orange.fr","status":"4.2.2","diagnosticCode":"smtp; 452 4.2.2 Boite pleine"}]}}"#;
        let complaint = r#"{"notificationType":"Complaint","mail":{"messageId":"m3"},"complaint":{"feedbackId":"f3","timestamp":"2026-11-30T11:00:00.000Z","complainedRecipients":[{"emailAddress":"lotte@kpnmail.nl"}],"complaintFeedbackType":"abuse"}}"#;
        let transient = BOUNCE.replace("\"Permanent\"", "\"Transient\"");

        let delivered = parse(delivery);

        assert_eq!(delivered.len(), 2, "one result per recipient");
        assert_eq!(one(delay).kind, ResultKind::Deferred);
        assert_eq!(one(complaint).kind, ResultKind::Complaint);
        assert_eq!(one(&transient).kind, ResultKind::Deferred);
        let open = r#"{"eventType":"Open","mail":{"messageId":"m4"},"open":{}}"#;
        assert!(matches!(parse(open).as_slice(), [Ok(Item::Other)]));
    }

    #[test]
    fn broken_notifications_say_what_is_wrong() {
        let no_time = BOUNCE.replace("\"timestamp\":\"2026-11-30T10:00:01.000Z\",", "");
        let bad_address = BOUNCE.replace("\"emailAddress\":\"jan.devries@ziggo.nl\"", "\"emailAddress\":\"nope\"");

        assert!(matches!(parse(&no_time).as_slice(), [Err(e)] if e.contains("bounce.timestamp")));
        assert!(matches!(parse(&bad_address).as_slice(), [Err(e)] if e.contains("bouncedRecipients[0]")));
        assert!(matches!(
            parse(r#"{"Type":"Notification","Message":"{oops"}"#).as_slice(),
            [Err(_)]
        ));
        assert!(matches!(parse("{}").as_slice(), [Err(e)] if e.contains("notificationType")));
    }
}
