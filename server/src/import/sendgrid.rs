//! SendGrid's Event Webhook: a POST body is a JSON array of events, each
//! with `email`, `timestamp` (Unix seconds), `event`, `sg_event_id` and the
//! fields of its kind (SendGrid's "Event Webhook reference"):
//!
//! | event | here | fields read |
//! |---|---|---|
//! | `delivered` | delivered | `response` (the receiving server's `250 ...`) |
//! | `deferred` | deferred (retried) | `response`, `attempt` |
//! | `bounce` (`type`: `bounce` or `blocked`) | failed | `status` (enhanced), `reason` (the server's words) |
//! | `spamreport` | complaint | |
//! | `processed`, `dropped`, `open`, `click`, `unsubscribe`, `group_unsubscribe`, `group_resubscribe` | not a delivery result | |
//!
//! `dropped` means SendGrid itself never sent the message (its own
//! suppression list): no receiving server answered, so it is not a
//! delivery result here. A campaign is linked by the custom argument
//! `campaign_id` when it holds a bouncedesk campaign id.

use bounce::delivery::{DeliveryResult, ResultKind};
use bounce::{EmailAddress, EnhancedStatus, ReplyCode, Stage};
use chrono::DateTime;
use serde_json::Value;

use super::{Item, short};

/// What tells SendGrid's events apart from other JSON: its own id fields.
pub const SIGNS: &[&str] = &["\"sg_event_id\"", "\"sg_message_id\""];

/// The events of one line: a JSON array of events or one event object.
pub fn parse(line: &str) -> Vec<Result<Item, String>> {
    super::json_events(line, "is not a JSON array of events or an event object", event)
}

fn event(e: &Value, index: Option<usize>) -> Result<Item, String> {
    let at = |field: &str| super::event_field(index, field);
    let text = |field: &str| e.get(field).and_then(Value::as_str).unwrap_or_default();
    let kind = match text("event") {
        "delivered" => ResultKind::Delivered,
        "deferred" => ResultKind::Deferred,
        "bounce" => ResultKind::Failed,
        "spamreport" => ResultKind::Complaint,
        "processed" | "dropped" | "open" | "click" | "unsubscribe" | "group_unsubscribe" | "group_resubscribe" => {
            return Ok(Item::Other);
        }
        "" => return Err(format!("{} is missing", at("event"))),
        other => return Err(format!("{}: `{}` is not a SendGrid event", at("event"), short(other))),
    };
    let recipient: EmailAddress = text("email")
        .parse()
        .map_err(|err: bounce::ParseError| format!("{}: {}", at("email"), err.problem))?;
    let seconds = e
        .get("timestamp")
        .and_then(Value::as_i64)
        .ok_or_else(|| format!("{} is not a Unix time", at("timestamp")))?;
    let when = DateTime::from_timestamp(seconds, 0).ok_or_else(|| format!("{} is out of range", at("timestamp")))?;
    let words = match kind {
        ResultKind::Failed => text("reason"),
        _ => text("response"),
    };
    let status = e
        .get("status")
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<EnhancedStatus>().ok())
        .or_else(|| EnhancedStatus::find_in(words));
    let key = match text("sg_event_id") {
        "" => format!("{}:{}:{seconds}:{}", text("sg_message_id"), recipient, text("event")),
        id => id.to_owned(),
    };
    Ok(Item::Result(Box::new(DeliveryResult {
        reply_code: ReplyCode::leading(words),
        status,
        text: words.to_owned(),
        remote_mta: None,
        // SendGrid reports a refusal during the session as a bounce
        // without saying which command; a delivery was accepted at DATA.
        stage: (kind == ResultKind::Delivered).then_some(Stage::Data),
        kind,
        at: when,
        campaign_id: e.get("campaign_id").and_then(super::campaign_id),
        campaign_tag: None,
        message_id: None,
        source: "webhook:sendgrid".into(),
        source_event_id: key,
        recipient,
    })))
}

#[cfg(test)]
mod tests;
