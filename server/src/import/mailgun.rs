//! Mailgun webhooks and events, in the shapes Mailgun posts or serves them
//! (Mailgun's "Webhooks" and "Events" documentation, its event structure,
//! "Securing Webhooks", and the help centre's "Legacy Webhooks" page):
//!
//! - current webhooks: one JSON object per POST, `{"signature": {"timestamp",
//!   "token", "signature"}, "event-data": {...}}`;
//! - the bare `event-data` object on a line, and a page of the Events API,
//!   `{"items": [...], "paging": {...}}`;
//! - legacy webhooks: an `application/x-www-form-urlencoded` body of fields
//!   (`event=bounced&recipient=...&code=550&error=...`); a line that does not
//!   start with `{` is read as one.
//!
//! | event | here | fields read |
//! |---|---|---|
//! | `delivered` | delivered | `delivery-status`: `code`, `message` (the server's words), `mx-host` |
//! | `failed`, `severity: temporary` | deferred (Mailgun retries) | `delivery-status`: `code`, `message`, `description`, `enhanced-code`, `mx-host` |
//! | `failed`, `severity: permanent` | failed | the same |
//! | `failed`, `reason: old` | failed, whatever the severity | the same |
//! | `failed`, `reason: suppress-bounce`, `suppress-unsubscribe`, `suppress-complaint` | not a delivery result | |
//! | `complained` | complaint | |
//! | `accepted`, `rejected`, `opened`, `clicked`, `unsubscribed`, `stored`, others | not a delivery result | |
//! | legacy `bounced` | failed | `code`, `error` (the server's words), `notification` |
//! | legacy `dropped`, `reason=hardfail` | not a delivery result | |
//! | legacy `dropped`, other reasons (`maxfails`, `old`) | failed | `code`, `description` |
//! | legacy `delivered`, `complained`, `opened`, `clicked`, `unsubscribed` | as the current events | |
//!
//! Every event: `recipient`, `timestamp` (Unix seconds, a float in JSON),
//! `id` (the event's own id; legacy events have none, so the key is built
//! from the Message-ID, recipient, time and event), the Message-ID
//! (`message.headers.message-id`; legacy: `Message-Id`, else the
//! `message-headers` list), the campaign (`user-variables.campaign_id`;
//! legacy: the custom variable posted as its own field `campaign_id`) and
//! the first tag (`tags`; legacy: `tag`) as the campaign tag.
//!
//! Why some events are no results:
//! - `suppress-*` failures (code 605, "Not delivering to previously bounced
//!   address", no session) and legacy `hardfail` drops are Mailgun's own
//!   suppression list: no receiving server answered.
//! - `rejected` is Mailgun refusing the API request: nothing was sent.
//!
//! A `failed` event with `reason: old` is Mailgun giving up (e.g. a domain
//! without MX retried for hours); Mailgun reports that last attempt with
//! severity `temporary` although no retry follows, so it is a failure here.
//!
//! Mailgun splits the server's reply into `code` and `message`; the text
//! joins them again as the server sent them (`550 5.1.1 The email
//! account ...`) unless the message already starts with a code. Mailgun's
//! own codes (605, 498) are no SMTP reply codes and are not kept as one.

use bounce::delivery::{DeliveryResult, ResultKind};
use bounce::{EmailAddress, EnhancedStatus, ReplyCode, Stage};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::bare_id;
use super::{Item, short};

/// Substrings only Mailgun's bodies carry: field names of the current
/// webhooks and the Events API, and the legacy form's `message-headers`.
/// (Not `"delivery-status"`: a DSN's `report-type="delivery-status"` has it.)
pub const SIGNS: &[&str] = &[
    "\"event-data\"",
    "\"user-variables\"",
    "\"recipient-domain\"",
    "message-headers=",
];

/// The `source` of the results read here.
pub const SOURCE: &str = "webhook:mailgun";

/// Why a multipart body is refused (Mailgun's legacy webhooks post one
/// when a bounce carries attachments).
const MULTIPART: &str = "is multipart/form-data, which is not read: post JSON (Mailgun's current webhooks)";

/// The results of one line: a JSON webhook body, a bare event, an Events
/// API page, or (a line that does not start with `{`) a legacy form body.
pub fn parse(line: &str) -> Vec<Result<Item, String>> {
    let line = line.trim();
    if line.is_empty() {
        return Vec::new();
    }
    if line.starts_with('{') {
        json(line)
    } else {
        vec![legacy(&Form::decode(line.as_bytes()))]
    }
}

/// The results of one POST body as the HTTP endpoint receives it: JSON
/// (current webhooks) or `application/x-www-form-urlencoded` (legacy
/// ones), told by `content_type`, else by the body's first byte.
pub fn parse_body(body: &[u8], content_type: &str) -> Vec<Result<Item, String>> {
    match encoding(body, content_type) {
        Encoding::Json => match std::str::from_utf8(body) {
            Ok(text) if text.trim().is_empty() => Vec::new(),
            Ok(text) => json(text.trim()),
            Err(_) => vec![Err("is not UTF-8 text".into())],
        },
        Encoding::Form => vec![legacy(&Form::decode(body))],
        Encoding::Multipart => vec![Err(MULTIPART.into())],
    }
}

/// What Mailgun signs, `(timestamp, token, signature)`, from a current
/// webhook's `signature` object or a legacy form's fields of those names,
/// for the caller to check (HMAC-SHA256 of timestamp and token with the
/// webhook signing key, per "Securing Webhooks"). `None` when the body
/// carries no complete signature. The values are returned as posted.
pub fn signed_fields(body: &[u8], content_type: &str) -> Option<(String, String, String)> {
    let (timestamp, token, signature) = match encoding(body, content_type) {
        Encoding::Json => {
            let body: Value = serde_json::from_slice(body).ok()?;
            let signed = body.get("signature")?;
            let field = |name: &str| match signed.get(name)? {
                Value::String(s) => Some(s.clone()),
                // Mailgun documents the timestamp as an int.
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            };
            (field("timestamp")?, field("token")?, field("signature")?)
        }
        Encoding::Form => {
            let form = Form::decode(body);
            let field = |name: &str| form.get(name).to_owned();
            (field("timestamp"), field("token"), field("signature"))
        }
        Encoding::Multipart => return None,
    };
    (!timestamp.is_empty() && !token.is_empty() && !signature.is_empty()).then_some((timestamp, token, signature))
}

/// One event, read from either shape, before it is checked.
struct Event<'a> {
    event: &'a str,
    severity: &'a str,
    reason: &'a str,
    recipient: &'a str,
    at: Option<DateTime<Utc>>,
    code: Option<u16>,
    message: &'a str,
    description: &'a str,
    enhanced: &'a str,
    mx_host: &'a str,
    id: &'a str,
    message_id: Option<String>,
    campaign_id: Option<i64>,
    tag: Option<&'a str>,
}

/// A JSON line or body: a webhook body, an Events API page, or an event.
fn json(text: &str) -> Vec<Result<Item, String>> {
    let body: Value = match serde_json::from_str(text) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => {
            return vec![Err(
                "is not a Mailgun webhook body, event or Events API page (a JSON object)".into(),
            )];
        }
        Err(e) => return vec![Err(format!("is not JSON: {e}"))],
    };
    if let Some(data) = body.get("event-data") {
        return vec![match data {
            Value::Object(_) => json_event(data, &|f: &str| format!("`event-data.{f}`")),
            _ => Err("`event-data` is not an object".into()),
        }];
    }
    if let Some(items) = body.get("items") {
        let Some(items) = items.as_array() else {
            return vec![Err("`items` is not an array".into())];
        };
        return items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Object(_) => json_event(item, &|f: &str| format!("item [{i}] `{f}`")),
                _ => Err(format!("item [{i}] is not an event object")),
            })
            .collect();
    }
    vec![json_event(&body, &|f: &str| format!("`{f}`"))]
}

/// One event object (`event-data`, an Events API item, a bare event).
fn json_event(e: &Value, at: &dyn Fn(&str) -> String) -> Result<Item, String> {
    let status = e.get("delivery-status");
    let status_text = |field: &str| text_of(status.and_then(|s| s.get(field)));
    let tag = e
        .get("tags")
        .and_then(Value::as_array)
        .and_then(|tags| tags.first())
        .and_then(Value::as_str)
        .or_else(|| e.pointer("/campaigns/0/name").and_then(Value::as_str))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let event = Event {
        event: text_of(e.get("event")),
        severity: text_of(e.get("severity")),
        reason: text_of(e.get("reason")),
        recipient: text_of(e.get("recipient")),
        at: e.get("timestamp").and_then(unix_time),
        code: status.and_then(|s| s.get("code")).and_then(small_number),
        message: status_text("message"),
        description: status_text("description"),
        enhanced: status_text("enhanced-code"),
        mx_host: status_text("mx-host"),
        id: text_of(e.get("id")),
        message_id: bare_id(text_of(e.pointer("/message/headers/message-id"))),
        campaign_id: e
            .get("user-variables")
            .and_then(|v| v.get("campaign_id"))
            .and_then(super::campaign_id),
        tag,
    };
    result(&event, at)
}

/// A legacy webhook's form fields.
fn legacy(form: &Form) -> Result<Item, String> {
    let field = |name: &str| form.get(name).trim();
    let event = Event {
        event: field("event"),
        severity: "",
        reason: field("reason"),
        recipient: field("recipient"),
        at: unix_seconds(field("timestamp")),
        code: field("code").parse().ok(),
        message: field("error"),
        description: filled(field("description")).unwrap_or_else(|| field("notification")),
        enhanced: "",
        mx_host: "",
        id: "",
        message_id: bare_id(field("Message-Id")).or_else(|| header_message_id(field("message-headers"))),
        campaign_id: field("campaign_id").parse::<i64>().ok().filter(|id| *id > 0),
        tag: filled(field("tag")).or_else(|| filled(field("campaign-name"))),
    };
    result(&event, &|f: &str| format!("`{f}`"))
}

/// The result of one event, or why it is none or cannot be read.
fn result(e: &Event<'_>, at: &dyn Fn(&str) -> String) -> Result<Item, String> {
    let Some(kind) = kind(e, at)? else {
        return Ok(Item::Other);
    };
    let recipient: EmailAddress = e
        .recipient
        .parse()
        .map_err(|err: bounce::ParseError| format!("{}: {}", at("recipient"), err.problem))?;
    let when = e.at.ok_or_else(|| format!("{} is not a Unix time", at("timestamp")))?;
    let words = if e.message.is_empty() { e.description } else { e.message };
    let code = e.code.and_then(|c| ReplyCode::new(c).ok());
    let text = match code {
        Some(code) if !words.is_empty() && ReplyCode::leading(words).is_none() => format!("{code} {words}"),
        _ => words.to_owned(),
    };
    let reply_code = code.or_else(|| ReplyCode::leading(&text));
    let status = e
        .enhanced
        .parse::<EnhancedStatus>()
        .ok()
        .or_else(|| EnhancedStatus::find_in(&text));
    let key = if e.id.is_empty() {
        format!(
            "{}:{recipient}:{}:{}",
            e.message_id.as_deref().unwrap_or_default(),
            when.timestamp(),
            e.event
        )
    } else {
        e.id.to_owned()
    };
    Ok(Item::Result(Box::new(DeliveryResult {
        recipient,
        at: when,
        kind,
        // Mailgun does not say which command a refusal answered; a
        // delivery was accepted at DATA.
        stage: (kind == ResultKind::Delivered).then_some(Stage::Data),
        reply_code,
        status,
        text,
        remote_mta: (!e.mx_host.is_empty()).then(|| e.mx_host.to_owned()),
        campaign_id: e.campaign_id,
        campaign_tag: e.tag.map(str::to_owned),
        message_id: e.message_id.clone(),
        source: SOURCE.into(),
        source_event_id: key,
    })))
}

/// What an event is here: a result of a kind, `None` for no result.
fn kind(e: &Event<'_>, at: &dyn Fn(&str) -> String) -> Result<Option<ResultKind>, String> {
    Ok(Some(match e.event {
        "delivered" => ResultKind::Delivered,
        "complained" => ResultKind::Complaint,
        "failed" if e.reason.starts_with("suppress-") => return Ok(None),
        "failed" if e.reason == "old" => ResultKind::Failed,
        "failed" => match e.severity {
            "temporary" => ResultKind::Deferred,
            "permanent" => ResultKind::Failed,
            "" => {
                return Err(format!(
                    "{} is missing: it says whether Mailgun retries",
                    at("severity")
                ));
            }
            other => {
                return Err(format!(
                    "{}: `{}` is neither `permanent` nor `temporary`",
                    at("severity"),
                    short(other)
                ));
            }
        },
        "bounced" => ResultKind::Failed,
        "dropped" if e.reason == "hardfail" => return Ok(None),
        "dropped" => ResultKind::Failed,
        "" => return Err(format!("{} is missing", at("event"))),
        // Mailgun documents many events that are no delivery results
        // (accepted, rejected, opened, clicked, unsubscribed, stored...).
        _ => return Ok(None),
    }))
}

/// A JSON string, trimmed; empty when absent or of another type.
pub(super) fn text_of(v: Option<&Value>) -> &str {
    v.and_then(Value::as_str).unwrap_or_default().trim()
}

/// A small number given as a JSON number or a numeric string.
fn small_number(v: &Value) -> Option<u16> {
    match v {
        Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Text when there is any.
fn filled(text: &str) -> Option<&str> {
    (!text.is_empty()).then_some(text)
}

/// A Unix time in seconds (Mailgun's float, or an integer), as a number
/// or as text.
fn unix_time(v: &Value) -> Option<DateTime<Utc>> {
    match v {
        Value::Number(n) => n.as_f64().and_then(from_seconds),
        Value::String(s) => unix_seconds(s),
        _ => None,
    }
}

fn unix_seconds(text: &str) -> Option<DateTime<Utc>> {
    text.trim().parse::<f64>().ok().and_then(from_seconds)
}

fn from_seconds(seconds: f64) -> Option<DateTime<Utc>> {
    if !seconds.is_finite() {
        return None;
    }
    // Microseconds: what Mailgun's float carries and an f64 holds exactly
    // for present-day times. `as` saturates; out of range gives `None`.
    DateTime::from_timestamp_micros((seconds * 1e6).round() as i64)
}

/// The Message-ID in a legacy webhook's `message-headers`: a JSON list of
/// `[name, value]` pairs.
fn header_message_id(headers: &str) -> Option<String> {
    if headers.is_empty() {
        return None;
    }
    let headers: Value = serde_json::from_str(headers).ok()?;
    headers.as_array()?.iter().find_map(|pair| {
        let name = pair.get(0)?.as_str()?;
        if !name.eq_ignore_ascii_case("message-id") {
            return None;
        }
        bare_id(pair.get(1)?.as_str()?)
    })
}

/// How a POST body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Json,
    Form,
    Multipart,
}

/// A body's encoding by its `Content-Type`; when that names neither JSON
/// nor a form, by its first byte (`{` or `[` JSON, else a form).
pub(crate) fn encoding(body: &[u8], content_type: &str) -> Encoding {
    let media = content_type.split(';').next().unwrap_or_default().trim();
    if media.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        return Encoding::Form;
    }
    if media.eq_ignore_ascii_case("multipart/form-data") {
        return Encoding::Multipart;
    }
    // `application/json`, `text/json`, `application/...+json`.
    if media.to_ascii_lowercase().ends_with("json") {
        return Encoding::Json;
    }
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{' | b'[') => Encoding::Json,
        _ => Encoding::Form,
    }
}

/// A decoded form body: its fields in body order, as text (bytes that are
/// not UTF-8 replaced); a name may repeat.
#[derive(Debug, Default)]
pub(crate) struct Form(Vec<(String, String)>);

impl Form {
    pub(crate) fn decode(body: &[u8]) -> Self {
        Self(
            form_bytes(body)
                .into_iter()
                .map(|(name, value)| (lossy(name), lossy(value)))
                .collect(),
        )
    }

    /// The first value of a field; empty when absent.
    pub(crate) fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(field, _)| field == name)
            .map_or("", |(_, value)| value.as_str())
    }
}

fn lossy(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The fields of an `application/x-www-form-urlencoded` body, decoded as
/// the WHATWG URL standard's parser does: split at `&` (empty pieces
/// skipped), name and value at the first `=`, `+` a space, `%XX` a byte, a
/// `%` without two hex digits kept as is. One pass; it cannot fail.
pub(crate) fn form_bytes(body: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    body.split(|b| *b == b'&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (name, value) = match piece.iter().position(|b| *b == b'=') {
                Some(at) => (
                    piece.get(..at).unwrap_or_default(),
                    piece.get(at + 1..).unwrap_or_default(),
                ),
                None => (piece, &b""[..]),
            };
            (percent_decode(name), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some((&byte, tail)) = rest.split_first() {
        rest = tail;
        match byte {
            b'+' => out.push(b' '),
            b'%' => match (tail.first().and_then(hex), tail.get(1).and_then(hex)) {
                (Some(high), Some(low)) => {
                    out.push((high << 4) | low);
                    rest = tail.get(2..).unwrap_or_default();
                }
                _ => out.push(b'%'),
            },
            other => out.push(other),
        }
    }
    out
}

fn hex(byte: &u8) -> Option<u8> {
    match *byte {
        b @ b'0'..=b'9' => Some(b - b'0'),
        b @ b'a'..=b'f' => Some(b - b'a' + 10),
        b @ b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
