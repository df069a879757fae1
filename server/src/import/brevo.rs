//! Brevo (formerly Sendinblue) webhooks: Brevo POSTs one JSON object per
//! event, or a JSON array of them when the webhook is created with
//! `batched`. Read from Brevo's developer documentation, "Transactional
//! webhooks" and "Marketing webhooks", and its help centre article "What is
//! a soft bounce and a hard bounce in email?":
//!
//! | event | here | fields read |
//! |---|---|---|
//! | `delivered` | delivered | |
//! | `deferred` | deferred (Brevo retries) | `reason` (the server's words) |
//! | `hard_bounce` | failed | `reason` |
//! | `soft_bounce` | failed: Brevo reports it once its retries (36 hours of them) are given up; each retry before is a `deferred` | `reason` |
//! | `spam` | complaint | `reason` (marketing: why, e.g. `undesired`) |
//! | `request` (sent), `opened`, `unique_opened`, `click`, `proxy_open`, `unique_proxy_open`, `unsubscribed`, `unsubscribe`, the contact and list events | not a delivery result | |
//! | `blocked`, `invalid_email`, `error` | not a delivery result: Brevo's own refusal or error, no receiving server answered | |
//!
//! Brevo's documentation spells some names in camel case as well
//! (`hardBounce`, `softBounce`), as its webhook settings do; both are read.
//! Any other event is not a delivery result: Brevo documents many events
//! that are none (contacts, lists, coupons, SMS).
//!
//! Every event carries `email`. The time is `ts_event` (Unix seconds, UTC),
//! else `ts_epoch` (documented in milliseconds, though Brevo's own examples
//! carry seconds: told apart by size), else `ts`. Brevo's own marketing
//! example has `ts` an hour ahead of `ts_event`, so it is the last resort;
//! `date` is local time (CET/CEST) and is not read. The event's `id` is the
//! webhook's, the same for every event it sends, so the key is built from
//! the `message-id` (transactional) or `camp_id` (marketing), the address,
//! the event and its time.
//!
//! A campaign is linked by `campaign_id` in the custom header
//! `X-Mailin-custom` (JSON, `{"campaign_id": 7}`, or pairs,
//! `campaign_id=7;...`); the first of `tags` (transactional), else `tag`,
//! else `campaign name` (marketing) is the campaign tag. Brevo's `camp_id`
//! is its own campaign number, not bouncedesk's, and is not a campaign id
//! here.

use bounce::delivery::{DeliveryResult, ResultKind};
use bounce::{EmailAddress, EnhancedStatus, ReplyCode, Stage};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::Item;

/// What tells a Brevo webhook body apart: field names only Brevo uses.
pub const SIGNS: &[&str] = &["\"X-Mailin-custom\"", "\"ts_epoch\"", "\"ts_event\"", "\"camp_id\""];

/// The `source` of the results read here.
pub const SOURCE: &str = "webhook:brevo";

/// `ts_epoch` values at least this large are milliseconds (in seconds it
/// would be the year 5138).
const MILLIS_FROM: u64 = 100_000_000_000;

/// The events of one line: one event object, or a JSON array of them (a
/// batched webhook).
pub fn parse(line: &str) -> Vec<Result<Item, String>> {
    super::json_events(line, "is not a Brevo event object or an array of events", event)
}

fn event(e: &Value, index: Option<usize>) -> Result<Item, String> {
    match e {
        Value::Object(e) => event_object(e, index),
        _ => Err(match index {
            Some(i) => format!("event [{i}] is not an object"),
            None => "is not an event object".into(),
        }),
    }
}

fn event_object(e: &Map<String, Value>, index: Option<usize>) -> Result<Item, String> {
    let at = |field: &str| super::event_field(index, field);
    let text = |field: &str| e.get(field).and_then(Value::as_str).unwrap_or_default();
    let name = match e.get("event") {
        Some(Value::String(name)) => name.as_str(),
        None | Some(Value::Null) => return Err(format!("{} is missing", at("event"))),
        Some(_) => return Err(format!("{} is not text", at("event"))),
    };
    let kind = match name {
        "delivered" => ResultKind::Delivered,
        "deferred" => ResultKind::Deferred,
        "hard_bounce" | "hardBounce" | "soft_bounce" | "softBounce" => ResultKind::Failed,
        "spam" | "complaint" => ResultKind::Complaint,
        "" => return Err(format!("{} is empty", at("event"))),
        _ => return Ok(Item::Other),
    };
    let recipient: EmailAddress = text("email")
        .parse()
        .map_err(|err: bounce::ParseError| format!("{}: {}", at("email"), err.problem))?;
    let when = time(e).map_err(|(field, why)| format!("{} {why}", at(field)))?;
    let reason = text("reason").trim();
    // Some relays put the DSN type before the reply (`smtp; 550 ...`).
    let reply = strip_smtp_type(reason);
    let message_id = text("message-id").trim().trim_matches(['<', '>']).trim();
    let origin = if message_id.is_empty() {
        e.get("camp_id")
            .and_then(id_text)
            .map(|c| format!("camp:{c}"))
            .unwrap_or_default()
    } else {
        message_id.to_owned()
    };
    Ok(Item::Result(Box::new(DeliveryResult {
        reply_code: ReplyCode::leading(reply),
        status: EnhancedStatus::find_in(reply),
        text: reason.to_owned(),
        remote_mta: None,
        // Brevo does not say which command a refusal answered; a delivery
        // was accepted at DATA.
        stage: (kind == ResultKind::Delivered).then_some(Stage::Data),
        kind,
        at: when,
        campaign_id: e.get("X-Mailin-custom").and_then(super::custom_campaign_id),
        campaign_tag: first_text(e.get("tags"))
            .or_else(|| first_text(e.get("tag")))
            .or_else(|| first_text(e.get("campaign name")))
            .map(str::to_owned),
        message_id: (!message_id.is_empty()).then(|| message_id.to_owned()),
        source: SOURCE.into(),
        source_event_id: format!("{origin}:{recipient}:{name}:{}", when.timestamp_millis()),
        recipient,
    })))
}

/// The event's time, or the field that is wrong and why.
fn time(e: &Map<String, Value>) -> Result<DateTime<Utc>, (&'static str, &'static str)> {
    for field in ["ts_event", "ts_epoch", "ts"] {
        let value = match e.get(field) {
            None | Some(Value::Null) => continue,
            Some(v) => v,
        };
        let number = value
            .as_i64()
            .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
            .ok_or((field, "is not a Unix time"))?;
        let when = if field == "ts_epoch" && number.unsigned_abs() >= MILLIS_FROM {
            DateTime::from_timestamp_millis(number)
        } else {
            DateTime::from_timestamp(number, 0)
        };
        return when.ok_or((field, "is out of range"));
    }
    Err(("ts_event", "is missing (and so are `ts_epoch` and `ts`)"))
}

/// `smtp; 550 ...` → `550 ...`; other text as it is.
fn strip_smtp_type(text: &str) -> &str {
    match text.split_once(';') {
        Some((kind, rest)) if kind.trim().eq_ignore_ascii_case("smtp") => rest.trim_start(),
        _ => text,
    }
}

/// A number or numeric text, as text (for keys).
fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        _ => None,
    }
}

/// The first non-empty text of a string or an array of strings.
fn first_text(v: Option<&Value>) -> Option<&str> {
    match v? {
        Value::String(s) => Some(s.trim()).filter(|s| !s.is_empty()),
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::trim)
            .find(|s| !s.is_empty()),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
