//! Mailjet's Event API (event webhooks): a POST body is one event object,
//! or, with a callback URL of `Version` 2 ("grouping events"), a JSON
//! array of the events of the last second. Every event has `event`, `time`
//! (Unix seconds), `email`, `MessageID`, `mj_campaign_id`,
//! `mj_contact_id`, `customcampaign`, `CustomID` and `Payload`; read from
//! Mailjet's "Event API: real-time notifications" guide and its table
//! "Possible values for errors":
//!
//! | event | here | fields read |
//! |---|---|---|
//! | `sent` | delivered (the receiving server accepted it) | `smtp_reply` (`250 ...`, older bodies `sent (250 ...)`) |
//! | `bounce` | failed, whether `hard_bounce` is true or not; a `greylisted` error a deferral | `comment` / `smtp_reply` (the server's words), else `error_related_to` and `error` |
//! | `spam` | complaint | `source` (the feedback loop) is not read |
//! | `blocked` | not a delivery result: Mailjet's own block (`preblocked`, a duplicate in a campaign), no receiving server answered | |
//! | `open`, `click`, `unsub` | not a delivery result | |
//!
//! A bounce with `hard_bounce` false is a soft bounce that Mailjet reports
//! once it stops retrying, so it is a failure too (the classifier tells hard
//! from soft by the words); only `greylisted`, which the error table says
//! "will be re-attempted", is a deferral. Any other event is refused:
//! Mailjet documents these seven.
//!
//! Mailjet sends no event id: the key is the message (`Message_GUID`, else
//! `MessageID`) with the address, the event and its time. `MessageID` is
//! Mailjet's number, not the message's `Message-ID` header, so no message
//! id is kept. A campaign is linked by `campaign_id` in `Payload` (the
//! `X-MJ-EventPayload` header: JSON, or `key=value` pairs); the
//! `customcampaign` (the `X-Mailjet-Campaign` header) is the campaign tag.
//! `error_related_to: domain` with `invalid domain` failed at the DNS
//! lookup, with `no mail host` at the connection.

use bounce::delivery::{DeliveryResult, ResultKind};
use bounce::{EmailAddress, EnhancedStatus, ReplyCode, Stage};
use chrono::DateTime;
use serde_json::{Map, Value};

use super::{Item, short};

/// What tells a Mailjet event body apart: field names only Mailjet uses.
pub const SIGNS: &[&str] = &[
    "\"mj_campaign_id\"",
    "\"mj_contact_id\"",
    "\"Message_GUID\"",
    "\"mj_message_id\"",
];

/// The `source` of the results read here.
pub const SOURCE: &str = "webhook:mailjet";

/// The events of one line: one event object, or a JSON array of them.
pub fn parse(line: &str) -> Vec<Result<Item, String>> {
    super::json_events(
        line,
        "is not a Mailjet event object or an array of events",
        |e, index| match e {
            Value::Object(e) => event(e, index),
            // Only a list's elements can be anything else.
            _ => Err(format!("event [{}] is not an object", index.unwrap_or_default())),
        },
    )
}

fn event(e: &Map<String, Value>, index: Option<usize>) -> Result<Item, String> {
    let at = |field: &str| super::event_field(index, field);
    let text = |field: &str| e.get(field).and_then(Value::as_str).map_or("", str::trim);
    let name = match e.get("event") {
        Some(Value::String(name)) => name.as_str(),
        None | Some(Value::Null) => return Err(format!("{} is missing", at("event"))),
        Some(_) => return Err(format!("{} is not text", at("event"))),
    };
    let kind = match name {
        "sent" => ResultKind::Delivered,
        "bounce" if text("error").eq_ignore_ascii_case("greylisted") => ResultKind::Deferred,
        "bounce" => ResultKind::Failed,
        "spam" => ResultKind::Complaint,
        "blocked" | "open" | "click" | "unsub" => return Ok(Item::Other),
        "" => return Err(format!("{} is empty", at("event"))),
        other => return Err(format!("{}: `{}` is not a Mailjet event", at("event"), short(other))),
    };
    let recipient: EmailAddress = text("email")
        .parse()
        .map_err(|err: bounce::ParseError| format!("{}: {}", at("email"), err.problem))?;
    let seconds = match e.get("time") {
        Some(v) => v
            .as_i64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            .ok_or_else(|| format!("{} is not a Unix time", at("time")))?,
        None => return Err(format!("{} is missing", at("time"))),
    };
    let when = DateTime::from_timestamp(seconds, 0).ok_or_else(|| format!("{} is out of range", at("time")))?;
    let reply = unwrap_sent(text("smtp_reply"));
    let (related, error) = (text("error_related_to"), text("error"));
    let words = match kind {
        ResultKind::Delivered => reply.to_owned(),
        _ if !text("comment").is_empty() => text("comment").to_owned(),
        _ if !reply.is_empty() => reply.to_owned(),
        _ => match (related, error) {
            ("", error) => error.to_owned(),
            (related, "") => related.to_owned(),
            (related, error) => format!("{related}: {error}"),
        },
    };
    let stage = match (kind, related, error) {
        (ResultKind::Delivered, _, _) => Some(Stage::Data),
        (ResultKind::Failed, "domain", "invalid domain") => Some(Stage::Dns),
        (ResultKind::Failed, "domain", "no mail host") => Some(Stage::Connect),
        _ => None,
    };
    let message = match text("Message_GUID") {
        "" => e
            .get("MessageID")
            .or_else(|| e.get("mj_message_id"))
            .map(|id| match id {
                Value::String(s) => s.trim().to_owned(),
                other => other.to_string(),
            })
            .unwrap_or_default(),
        guid => guid.to_owned(),
    };
    Ok(Item::Result(Box::new(DeliveryResult {
        reply_code: ReplyCode::leading(&words),
        status: EnhancedStatus::find_in(&words),
        text: words,
        remote_mta: None,
        stage,
        kind,
        at: when,
        campaign_id: e.get("Payload").and_then(super::custom_campaign_id),
        campaign_tag: Some(text("customcampaign"))
            .filter(|c| !c.is_empty())
            .map(str::to_owned),
        message_id: None,
        source: SOURCE.into(),
        source_event_id: format!("{message}:{recipient}:{name}:{seconds}"),
        recipient,
    })))
}

/// `sent (250 2.0.0 OK ...)`, as older bodies wrap the reply, → `250 2.0.0 OK ...`.
fn unwrap_sent(reply: &str) -> &str {
    reply
        .strip_prefix("sent (")
        .and_then(|r| r.strip_suffix(')'))
        .map_or(reply, str::trim)
}

#[cfg(test)]
mod tests;
