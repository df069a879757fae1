//! Mandrill (Mailchimp Transactional) webhooks: a POST is form-encoded with
//! one field, `mandrill_events`, a JSON array of events (Mandrill's
//! "Webhook Format", "Message Event Webhook Format" and "How to
//! Authenticate Webhook Requests" articles). A line that starts with `[`
//! is read as that array itself (a single event object, `{`, too); any
//! other line as the form body (`mandrill_events=%5B...`).
//!
//! | `event` | here | fields read |
//! |---|---|---|
//! | `send` | delivered (the receiving server accepted it), stage DATA | the last of `msg.smtp_events` (`diag`, `destination_ip`) |
//! | `deferral` | deferred (Mandrill retries) | the last of `msg.smtp_events`, else `msg.diag` |
//! | `hard_bounce` | failed | `msg.diag` (the server's words), else the last SMTP event's, else `msg.bounce_description` |
//! | `soft_bounce` | failed: Mandrill gave up (it does not retry a bounce) | the same |
//! | `spam` | complaint | |
//! | `reject` | not a delivery result: Mandrill's own rejection list, no receiving server was asked | |
//! | `open`, `click`, `unsub`, `inbound` | not a delivery result | |
//! | sync events (`type`: `blacklist`, `whitelist`; no `event`) | not a delivery result | |
//!
//! Every message event: `ts` (the event's Unix time; `msg.ts` is the
//! send's), `msg.email` (the recipient), `msg.metadata.campaign_id` (a
//! bouncedesk campaign), `msg.tags` (the first is the campaign tag).
//! Mandrill's `_id` names the message to one recipient, not the event (a
//! message deferred twice has two events with one `_id`), so the key is
//! that id with the recipient, time and event. Mandrill's message events
//! carry no Message-ID header.
//!
//! A `diag` reads `smtp;550 5.1.1 ...` (RFC 3464's diagnostic type first);
//! the text is what follows `smtp;`. The stage is read from the text only
//! where no reply code says a server answered: Mandrill's words for a
//! failed DNS lookup or connection (and `bounce_description:
//! invalid_domain`); otherwise it is unknown.

use bounce::delivery::{DeliveryResult, ResultKind};
use bounce::{EmailAddress, EnhancedStatus, ReplyCode, Stage};
use chrono::DateTime;
use serde_json::Value;

use super::mailgun::{Encoding, encoding, form_bytes, text_of};
use super::{Item, short};

/// Substrings only Mandrill's bodies carry: the form field and message
/// event field names.
pub const SIGNS: &[&str] = &["mandrill_events=", "\"smtp_events\"", "\"bounce_description\""];

/// The `source` of the results read here.
pub const SOURCE: &str = "webhook:mandrill";

/// The form field that holds the events.
const FIELD: &str = "mandrill_events";

/// Words, in lower case, for failures before any server answered, and the
/// stage each means; read only from a text without a reply code.
const OWN_WORDS: [(&str, Stage); 8] = [
    ("host or domain name not found", Stage::Dns),
    ("name service error", Stage::Dns),
    ("no mx", Stage::Dns),
    ("domain not found", Stage::Dns),
    ("connection refused", Stage::Connect),
    ("connection timed out", Stage::Connect),
    ("no route to host", Stage::Connect),
    ("network is unreachable", Stage::Connect),
];

/// The events of one line: the JSON array, or the form body.
pub fn parse(line: &str) -> Vec<Result<Item, String>> {
    let line = line.trim();
    if line.is_empty() {
        return Vec::new();
    }
    if line.starts_with('[') || line.starts_with('{') {
        events(line, "")
    } else {
        form(line.as_bytes())
    }
}

/// The events of one POST body as the HTTP endpoint receives it: the form
/// Mandrill posts, or (by `content_type` or its first byte) the JSON array.
pub fn parse_body(body: &[u8], content_type: &str) -> Vec<Result<Item, String>> {
    match encoding(body, content_type) {
        Encoding::Json => match std::str::from_utf8(body) {
            Ok(text) => parse(text),
            Err(_) => vec![Err("is not UTF-8 text".into())],
        },
        Encoding::Form => form(body),
        Encoding::Multipart => vec![Err("is multipart/form-data: Mandrill posts a urlencoded form".into())],
    }
}

/// The string Mandrill signs for a POST to `url`: the URL exactly as
/// configured in Mandrill, then each POST field's name and value, sorted
/// by name, without separators (its HMAC-SHA1 with the webhook key,
/// base64-encoded, is `X-Mandrill-Signature`). `None` when the body is not
/// a form of UTF-8 text or names a field twice (which Mandrill never
/// posts, and which readers of forms disagree on).
pub fn signature_base(url: &str, body: &[u8]) -> Option<String> {
    let mut fields = form_bytes(body)
        .into_iter()
        .map(|(name, value)| Some((String::from_utf8(name).ok()?, String::from_utf8(value).ok()?)))
        .collect::<Option<Vec<_>>>()?;
    fields.sort_by(|a, b| a.0.cmp(&b.0));
    if fields.windows(2).any(|pair| matches!(pair, [a, b] if a.0 == b.0)) {
        return None;
    }
    let mut base = String::with_capacity(url.len() + body.len());
    base.push_str(url);
    for (name, value) in &fields {
        base.push_str(name);
        base.push_str(value);
    }
    Some(base)
}

/// A form body: the events in its `mandrill_events` field.
fn form(body: &[u8]) -> Vec<Result<Item, String>> {
    let Some((_, value)) = form_bytes(body).into_iter().find(|(name, _)| name == FIELD.as_bytes()) else {
        return vec![Err(format!("has no `{FIELD}` field"))];
    };
    match String::from_utf8(value) {
        Ok(text) if text.trim().is_empty() => Vec::new(),
        Ok(text) => events(text.trim(), FIELD),
        Err(_) => vec![Err(format!("`{FIELD}` is not UTF-8 text"))],
    }
}

/// The events of a JSON array (or one event object); `field` names where
/// the JSON came from, for errors.
fn events(text: &str, field: &str) -> Vec<Result<Item, String>> {
    let within = if field.is_empty() {
        String::new()
    } else {
        format!("`{field}` ")
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(list)) => list.iter().enumerate().map(|(i, e)| event(e, Some(i))).collect(),
        Ok(e @ Value::Object(_)) => vec![event(&e, None)],
        Ok(_) => vec![Err(format!("{within}is not a JSON array of Mandrill events"))],
        Err(e) => vec![Err(format!("{within}is not JSON: {e}"))],
    }
}

fn event(e: &Value, index: Option<usize>) -> Result<Item, String> {
    let at = |field: &str| super::event_field(index, field);
    let name = text_of(e.get("event"));
    let kind = match name {
        "send" => ResultKind::Delivered,
        "deferral" => ResultKind::Deferred,
        "hard_bounce" | "soft_bounce" => ResultKind::Failed,
        "spam" => ResultKind::Complaint,
        "reject" | "open" | "click" | "unsub" | "inbound" => return Ok(Item::Other),
        // Sync events say what changed on a list in `type`.
        "" if e.get("type").is_some() => return Ok(Item::Other),
        "" => return Err(format!("{} is missing", at("event"))),
        other => {
            return Err(format!("{}: `{}` is not a Mandrill event", at("event"), short(other)));
        }
    };
    let Some(msg) = e.get("msg").filter(|m| m.is_object()) else {
        return Err(format!("{} is missing or not an object", at("msg")));
    };
    let recipient: EmailAddress = text_of(msg.get("email"))
        .parse()
        .map_err(|err: bounce::ParseError| format!("{}: {}", at("msg.email"), err.problem))?;
    let seconds = e
        .get("ts")
        .and_then(|ts| ts.as_i64().or_else(|| ts.as_str().and_then(|s| s.trim().parse().ok())))
        .ok_or_else(|| format!("{} is not a Unix time", at("ts")))?;
    let when = DateTime::from_timestamp(seconds, 0).ok_or_else(|| format!("{} is out of range", at("ts")))?;
    let last_smtp = msg
        .get("smtp_events")
        .and_then(Value::as_array)
        .and_then(|list| list.last());
    let smtp_diag = text_of(last_smtp.and_then(|s| s.get("diag")));
    let diag = text_of(msg.get("diag"));
    let description = text_of(msg.get("bounce_description"));
    let words = match kind {
        ResultKind::Failed => first_filled(&[diag, smtp_diag, description]),
        ResultKind::Deferred => first_filled(&[smtp_diag, diag]),
        ResultKind::Delivered => smtp_diag,
        ResultKind::Complaint => "",
    };
    let words = without_diagnostic_type(words);
    let reply_code = ReplyCode::leading(words);
    let stage = match kind {
        ResultKind::Delivered => Some(Stage::Data),
        ResultKind::Complaint => None,
        _ if reply_code.is_some() => None,
        _ if description == "invalid_domain" => Some(Stage::Dns),
        _ => own_words_stage(words),
    };
    let id = match text_of(e.get("_id")) {
        "" => text_of(msg.get("_id")),
        id => id,
    };
    Ok(Item::Result(Box::new(DeliveryResult {
        source_event_id: format!("{id}:{recipient}:{seconds}:{name}"),
        recipient,
        at: when,
        kind,
        stage,
        reply_code,
        status: EnhancedStatus::find_in(words),
        text: words.to_owned(),
        remote_mta: Some(text_of(last_smtp.and_then(|s| s.get("destination_ip"))))
            .filter(|ip| !ip.is_empty() && kind != ResultKind::Complaint)
            .map(str::to_owned),
        campaign_id: msg.pointer("/metadata/campaign_id").and_then(super::campaign_id),
        campaign_tag: msg
            .get("tags")
            .and_then(Value::as_array)
            .and_then(|tags| tags.first())
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|tag| !tag.is_empty())
            .map(str::to_owned),
        message_id: None,
        source: SOURCE.into(),
    })))
}

/// The first text that is not empty; empty when none is.
fn first_filled<'a>(texts: &[&'a str]) -> &'a str {
    texts.iter().copied().find(|t| !t.is_empty()).unwrap_or_default()
}

/// A DSN diagnostic without its type: `smtp;550 5.1.1 ...` is `550 5.1.1 ...`.
fn without_diagnostic_type(text: &str) -> &str {
    match text.split_once(';') {
        Some((kind, rest)) if kind.trim().eq_ignore_ascii_case("smtp") => rest.trim(),
        _ => text,
    }
}

/// The stage Mandrill's own words name for a failure before any reply.
fn own_words_stage(text: &str) -> Option<Stage> {
    let lower = text.to_ascii_lowercase();
    OWN_WORDS
        .iter()
        .find(|(words, _)| lower.contains(*words))
        .map(|(_, stage)| *stage)
}

#[cfg(test)]
mod tests;
