//! SparkPost event webhooks: a POST body is a JSON array of events, each
//! `{"msys": {"<class>": {...}}}` with one class key (SparkPost's "Webhooks"
//! and "Events" API reference, its event-type documentation and its
//! support article "Bounce Classification Codes"):
//!
//! | class / `type` | here | fields read |
//! |---|---|---|
//! | `message_event` / `delivery` | delivered, stage DATA | `ip_address` (the receiving host) |
//! | `message_event` / `bounce` | failed (see the classes below) | `raw_reason` (else `reason`), `error_code`, `bounce_class`, `ip_address` |
//! | `message_event` / `out_of_band` | failed, stage after delivery | the same |
//! | `message_event` / `delay` | deferred (SparkPost retries) | the same |
//! | `message_event` / `spam_complaint` | complaint | |
//! | `message_event` / `injection`, `policy_rejection`, `generation_failure`, `generation_rejection`, `sms_status`, others | not a delivery result | |
//! | `track_event` (`open`, `initial_open`, `click`, `amp_*`), `unsubscribe_event`, `relay_event`, `gen_event`, `ab_test_event`, `ingest_event` | not a delivery result | |
//! | an empty `msys` (what SparkPost posts to check a new webhook) | not a delivery result | |
//!
//! Every message event: `rcpt_to`, `timestamp` (Unix seconds as a string),
//! `event_id` (the key), `campaign_id` (SparkPost's campaign *name*: the
//! campaign tag; else the first of `rcpt_tags`), and `rcpt_meta.campaign_id`
//! (a bouncedesk campaign id; a numeric `campaign_id` counts as one too).
//! SparkPost's `message_id` is its own id, not the message's Message-ID
//! header, so it only goes into the key built when an event has no
//! `event_id`.
//!
//! `raw_reason` is the server's words as received; SparkPost's `reason` is
//! the same text with details such as IP addresses redacted, read only
//! when there is no `raw_reason`.
//!
//! A `bounce` is final: SparkPost gave up (a refusal, or its retry period
//! ran out after `delay`s, per its article "Understanding Delays and
//! Bounces"). The class says what kind of bounce it was, not whether
//! SparkPost retries, so its "soft" classes are failures here too and the
//! classifier judges them by the text. The class is read only where it
//! settles something the text does not:
//!
//! | `bounce_class` | SparkPost's name (category) | here | why |
//! |---|---|---|---|
//! | 1 | Undetermined (Undetermined) | failed | |
//! | 10 | Invalid Recipient (Hard) | failed | |
//! | 20 | Soft Bounce (Soft) | failed | |
//! | 21 | DNS Failure (Soft) | failed, stage DNS | the lookup of the domain failed: no server was reached |
//! | 22 | Mailbox Full (Soft) | failed | |
//! | 23 | Too Large (Soft) | failed | the text tells the command (SIZE at MAIL FROM, or the end of DATA) when it does |
//! | 24 | Timeout (Soft) | failed, stage unknown | SparkPost's "message timeout" is its retry period running out; the last temporary failure it quotes may have come at any stage |
//! | 25 | Admin Failure (Admin) | not a delivery result | SparkPost's own policies (its suppression list): no receiving server answered |
//! | 26 | Smart Send Suppression (Admin) | not a delivery result | the same (in later versions of the table) |
//! | 30 | Generic Bounce: No RCPT (Hard) | failed | |
//! | 40 | Generic Bounce (Soft) | failed | |
//! | 50–54 | Mail Block, Spam Block, Spam Content, Prohibited Attachment, Relaying Denied (Block) | failed | |
//! | 60 | Auto-Reply (Soft) | not a delivery result | an out-of-office reply, not a failure |
//! | 70 | Transient Failure (Soft) | failed | |
//! | 80 | Subscribe (Admin) | not a delivery result | a subscribe request by mail |
//! | 90 | Unsubscribe (Hard) | not a delivery result | an unsubscribe request by mail |
//! | 100 | Challenge-Response (Soft) | not a delivery result | a challenge-response probe |

use bounce::delivery::{DeliveryResult, ResultKind};
use bounce::{EmailAddress, EnhancedStatus, ReplyCode, Stage};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Item, short};

/// Substrings only SparkPost's bodies carry: the `msys` wrapper and its
/// field names.
pub const SIGNS: &[&str] = &["\"msys\"", "\"message_event\"", "\"track_event\"", "\"bounce_class\""];

/// The `source` of the results read here.
pub const SOURCE: &str = "webhook:sparkpost";

/// Bounce classes that are no delivery failure (see the module's table).
const NOT_FAILURES: [u64; 6] = [25, 26, 60, 80, 90, 100];
/// The bounce class of a DNS failure.
const DNS_FAILURE: u64 = 21;

/// The events of one line: a webhook body (a JSON array of events) or one
/// event object.
pub fn parse(line: &str) -> Vec<Result<Item, String>> {
    super::json_events(line, "is not a JSON array of SparkPost events", event)
}

/// The events of one POST body as the HTTP endpoint receives it. SparkPost
/// posts JSON only; a form body is refused.
pub fn parse_body(body: &[u8], content_type: &str) -> Vec<Result<Item, String>> {
    let media = content_type.split(';').next().unwrap_or_default().trim();
    if media.eq_ignore_ascii_case("application/x-www-form-urlencoded")
        || media.eq_ignore_ascii_case("multipart/form-data")
    {
        return vec![Err(format!("is {}: SparkPost posts JSON", short(media)))];
    }
    match std::str::from_utf8(body) {
        Ok(text) => parse(text),
        Err(_) => vec![Err("is not UTF-8 text".into())],
    }
}

/// One element of a batch: `{"msys": {...}}`.
fn event(e: &Value, index: Option<usize>) -> Result<Item, String> {
    let at = |field: &str| super::event_field(index, field);
    let Some(msys) = e.get("msys") else {
        return Err(format!("{} is missing", at("msys")));
    };
    if !msys.is_object() {
        return Err(format!("{} is not an object", at("msys")));
    }
    match msys.get("message_event") {
        Some(m @ Value::Object(_)) => message_event(m, &at),
        Some(_) => Err(format!("{} is not an object", at("msys.message_event"))),
        // Engagement, unsubscribe, relay, generation, A/B test and ingest
        // events, and the empty test ping.
        None => Ok(Item::Other),
    }
}

fn message_event(m: &Value, at: &dyn Fn(&str) -> String) -> Result<Item, String> {
    let text = |field: &str| m.get(field).and_then(Value::as_str).unwrap_or_default().trim();
    let class = m.get("bounce_class").and_then(number);
    let event_type = text("type");
    let kind = match event_type {
        "delivery" => ResultKind::Delivered,
        "bounce" | "out_of_band" if class.is_some_and(|c| NOT_FAILURES.contains(&c)) => return Ok(Item::Other),
        "bounce" | "out_of_band" => ResultKind::Failed,
        "delay" => ResultKind::Deferred,
        "spam_complaint" => ResultKind::Complaint,
        "" => return Err(format!("{} is missing", at("type"))),
        // SparkPost documents many message events that are no delivery
        // results (injection, policy_rejection, generation_failure...).
        _ => return Ok(Item::Other),
    };
    let recipient: EmailAddress = text("rcpt_to")
        .parse()
        .map_err(|err: bounce::ParseError| format!("{}: {}", at("rcpt_to"), err.problem))?;
    let when = m
        .get("timestamp")
        .and_then(time)
        .ok_or_else(|| format!("{} is not a Unix time", at("timestamp")))?;
    let words = match text("raw_reason") {
        "" => text("reason"),
        raw => raw,
    };
    let reply_code = m
        .get("error_code")
        .and_then(number)
        .and_then(|c| u16::try_from(c).ok())
        .and_then(|c| ReplyCode::new(c).ok())
        .or_else(|| ReplyCode::leading(words));
    let stage = match kind {
        ResultKind::Delivered => Some(Stage::Data),
        _ if event_type == "out_of_band" => Some(Stage::AfterDelivery),
        ResultKind::Failed | ResultKind::Deferred if class == Some(DNS_FAILURE) => Some(Stage::Dns),
        _ => None,
    };
    let campaign_id = m
        .pointer("/rcpt_meta/campaign_id")
        .and_then(super::campaign_id)
        .or_else(|| m.get("campaign_id").and_then(super::campaign_id));
    let campaign_tag = filled(text("campaign_id"))
        .or_else(|| {
            m.get("rcpt_tags")
                .and_then(Value::as_array)
                .and_then(|tags| tags.first())
                .and_then(Value::as_str)
                .map(str::trim)
                .and_then(filled)
        })
        .map(str::to_owned);
    let key = match m.get("event_id") {
        Some(Value::String(id)) if !id.trim().is_empty() => id.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        _ => format!("{}:{recipient}:{}:{event_type}", text("message_id"), when.timestamp()),
    };
    Ok(Item::Result(Box::new(DeliveryResult {
        recipient,
        at: when,
        kind,
        stage,
        reply_code,
        status: EnhancedStatus::find_in(words),
        text: words.to_owned(),
        // The host SparkPost delivered to; a complaint comes from elsewhere.
        remote_mta: filled(text("ip_address"))
            .filter(|_| kind != ResultKind::Complaint)
            .map(str::to_owned),
        campaign_id,
        campaign_tag,
        message_id: None,
        source: SOURCE.into(),
        source_event_id: key,
    })))
}

/// A Unix time in seconds as SparkPost writes it (a string of digits), as
/// a number, or an RFC 3339 time (as the Events API writes some).
fn time(v: &Value) -> Option<DateTime<Utc>> {
    match v {
        Value::Number(n) => n.as_i64().and_then(|s| DateTime::from_timestamp(s, 0)),
        Value::String(s) => {
            let s = s.trim();
            match s.parse::<i64>() {
                Ok(seconds) => DateTime::from_timestamp(seconds, 0),
                Err(_) => DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc)),
            }
        }
        _ => None,
    }
}

/// A number given as a JSON number or a numeric string (SparkPost writes
/// most numbers as strings).
fn number(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Text when there is any.
fn filled(text: &str) -> Option<&str> {
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests;
