//! MailerQ's result queues, saved one JSON object per line (a consumer of
//! the `results`, `success`, `failures` or `retry` queue writing each
//! message it reads). MailerQ publishes the message's JSON as it was sent
//! (`envelope`, `recipient`, the custom properties added to it, `tags`)
//! with a `results` array added: one object per delivery attempt so far,
//! each with `state` (where in the delivery it ended), `result`, `time`,
//! and, when a server answered, `code`, `status` and `description` (the
//! server's words). Source: MailerQ's documentation "Result message
//! queues" (`json-results`, versions 4 and 5) and "JSON specification"
//! (`json-messages`).
//!
//! Every attempt in `results` is one item:
//!
//! | attempt | here | fields read |
//! |---|---|---|
//! | `result` `accepted` (state `message`) | delivered, at DATA | `time`, `code`, `status`, `description`, `mta` |
//! | an error (`error`, `timeout`, `lost`, `invalid`) followed by a later attempt | deferred (it was retried) | the same, the stage from `state` |
//! | the last attempt, an error with `fatal` (set by MailerQ's response patterns) | failed if `fatal` is true, else deferred | |
//! | the last attempt, an error without `fatal` | failed for a 5xx `code` (or 5.x.x `status`, or a DNS error with neither), else deferred: MailerQ republishes it to the retry queue and tries again | |
//! | the last attempt, state `process` with `timeout` | failed: MailerQ gave up (`maxdelivertime` or `maxattempts` passed); it carries the words and stage of the last attempt a server answered, and is not a delivery result when there was none | |
//! | states `process` (otherwise), `storage`, `responsive`, `personalize`, `bind` | not a delivery result: MailerQ's own work on the message, no receiving server involved | |
//!
//! A message with an empty `results` is counted as no delivery result; an
//! object without `results` but with a `result` of its own is read as one
//! attempt. A `result` other than the five MailerQ documents is refused,
//! naming the field (`ok` is taken for `accepted`). The stage is the attempt's
//! `state`: `dns`, `connect`, `intro` (the greeting),
//! `ehlo`/`helo`/`starttls`/`auth*`, `mailfrom`, `rcptto`, `data` and
//! `message` (the message sent, the final dot answered).
//! `code` and `status` (or `extended`) come from their fields, else from
//! the start of `description`. The remote MTA is the attempt's `mta` (the
//! name in the server's greeting), else `to` (its address). `time` is
//! MailerQ's `YYYY-MM-DD HH:MM:SS`, read as UTC; RFC 3339 and Unix
//! seconds are accepted too.
//!
//! The same message is published more than once (to the retry queue after
//! each soft failure, then to the results queue) with the attempts so far
//! each time; an attempt's key (the message's `message-id` or `key`
//! property, else its Message-ID, with the recipient, the attempt's time,
//! state and result) is the same in every copy, so each is stored once.
//!
//! Message-ID: the `Message-ID` header from `extracted.headers` (MailerQ's
//! copy of the MIME headers), the `headers` property, or the `mime` data
//! when kept (`keepmime`); else a custom `messageid` property. Campaign:
//! a custom `campaign_id` property (a bouncedesk campaign id), and the
//! first of `tags` (or `tag`) as the campaign tag.

use bounce::delivery::{DeliveryResult, ResultKind};
use bounce::{EmailAddress, EnhancedStatus, ReplyCode, Stage};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;

use super::bare_id;
use super::{Item, short};

/// What tells MailerQ results apart at the start of an input: its state
/// and result names, written as MailerQ writes JSON (no spaces).
pub const SIGNS: &[&str] = &[
    "\"result\":\"accepted\"",
    "\"state\":\"rcptto\"",
    "\"state\":\"mailfrom\"",
    "\"state\":\"intro\"",
];

/// The `source` of the results read here.
pub const SOURCE: &str = "mailerq";

/// States of MailerQ's own work on a message, before any receiving
/// server is involved.
const LOCAL_STATES: [&str; 5] = ["process", "storage", "responsive", "personalize", "bind"];

/// The results of one published message (one line): one item per
/// delivery attempt.
pub fn parse(line: &str) -> Vec<Result<Item, String>> {
    if line.trim().is_empty() {
        return Vec::new();
    }
    match serde_json::from_str::<Value>(line) {
        Ok(v @ Value::Object(_)) => message(&v),
        Ok(_) => vec![Err("is not a MailerQ result object".into())],
        Err(e) => vec![Err(format!("is not JSON: {e}"))],
    }
}

/// What a server answered in one attempt (or nothing, before a connection).
#[derive(Clone)]
struct Reply<'a> {
    stage: Option<Stage>,
    code: Option<ReplyCode>,
    status: Option<EnhancedStatus>,
    text: &'a str,
    remote_mta: Option<String>,
}

/// One attempt that is a delivery result, before the message's fields are
/// added.
struct Draft<'a> {
    kind: ResultKind,
    at: DateTime<Utc>,
    reply: Reply<'a>,
    /// The attempt's part of the key: time, state and result.
    key: String,
}

fn message(v: &Value) -> Vec<Result<Item, String>> {
    let (attempts, in_array): (Vec<&Value>, bool) = match v.get("results") {
        Some(Value::Array(attempts)) => (attempts.iter().collect(), true),
        Some(_) => return vec![Err("`results` is not an array".into())],
        // Without the array, the object itself may be one attempt.
        None if v.get("result").is_some() => (vec![v], false),
        None => return vec![Err("`results` is missing".into())],
    };
    if attempts.is_empty() {
        return vec![Ok(Item::Other)];
    }
    let prefix = |i: usize| {
        if in_array {
            format!("results[{i}].")
        } else {
            String::new()
        }
    };
    let mut drafts: Vec<Result<Option<Draft>, String>> = Vec::with_capacity(attempts.len());
    let mut answered: Option<Reply> = None;
    for (i, a) in attempts.iter().copied().enumerate() {
        let last = i + 1 == attempts.len();
        let draft = attempt(a, &prefix(i), last, answered.as_ref());
        if let Ok(Some(d)) = &draft {
            answered = Some(d.reply.clone());
        }
        drafts.push(draft);
    }
    if !drafts.iter().any(|d| matches!(d, Ok(Some(_)))) {
        return drafts.into_iter().map(|d| d.map(|_| Item::Other)).collect();
    }
    let recipient = match v.get("recipient") {
        Some(Value::String(r)) => match r.parse::<EmailAddress>() {
            Ok(r) => r,
            Err(e) => return vec![Err(format!("`recipient`: {}", e.problem))],
        },
        Some(_) => return vec![Err("`recipient` is not text".into())],
        None => return vec![Err("`recipient` is missing".into())],
    };
    let message_id = message_id(v);
    let base = ["message-id", "key"]
        .iter()
        .find_map(|name| scalar(v.get(*name)))
        .or_else(|| message_id.clone())
        .unwrap_or_default();
    let campaign_id = v.get("campaign_id").and_then(super::campaign_id);
    let campaign_tag = first_tag(v);
    drafts
        .into_iter()
        .map(|draft| -> Result<Item, String> {
            let Some(d) = draft? else {
                return Ok(Item::Other);
            };
            Ok(Item::Result(Box::new(DeliveryResult {
                recipient: recipient.clone(),
                at: d.at,
                kind: d.kind,
                stage: match d.kind {
                    ResultKind::Delivered => Some(Stage::Data),
                    _ => d.reply.stage,
                },
                reply_code: d.reply.code,
                status: d.reply.status,
                text: d.reply.text.to_owned(),
                remote_mta: d.reply.remote_mta,
                campaign_id,
                campaign_tag: campaign_tag.clone(),
                message_id: message_id.clone(),
                source: SOURCE.into(),
                source_event_id: format!("{base}:{recipient}:{}", d.key),
            })))
        })
        .collect()
}

/// One attempt: a delivery result, `None` for MailerQ's own work, or why
/// it cannot be read. `answered` is the last earlier attempt a server
/// answered (what an expiry is about).
fn attempt<'a>(a: &'a Value, p: &str, last: bool, answered: Option<&Reply<'a>>) -> Result<Option<Draft<'a>>, String> {
    if !a.is_object() {
        return Err(format!("`{}` is not an object", p.trim_end_matches('.')));
    }
    let state = required(a, "state", p)?;
    let result = required(a, "result", p)?;
    let accepted = match result {
        "accepted" | "ok" => true,
        "error" | "timeout" | "lost" | "invalid" => false,
        other => {
            return Err(format!(
                "`{p}result`: `{}` is not accepted, error, timeout, lost or invalid",
                short(other)
            ));
        }
    };
    let key = |at: DateTime<Utc>| format!("{}:{state}:{result}", at.timestamp());
    if LOCAL_STATES.contains(&state) {
        // Given up: the failure is what the last answering server said.
        if state == "process"
            && result == "timeout"
            && last
            && let Some(reply) = answered
        {
            let at = time(a, p)?;
            return Ok(Some(Draft {
                kind: ResultKind::Failed,
                at,
                reply: reply.clone(),
                key: key(at),
            }));
        }
        return Ok(None);
    }
    let at = time(a, p)?;
    let text = optional(a, "description", p)?;
    let status = match optional(a, "status", p)? {
        "" => optional(a, "extended", p)?,
        status => status,
    };
    let reply = Reply {
        stage: stage(state),
        code: code(a, p)?.or_else(|| ReplyCode::leading(text)),
        status: status
            .trim()
            .parse::<EnhancedStatus>()
            .ok()
            .or_else(|| EnhancedStatus::find_in(text)),
        text,
        remote_mta: match optional(a, "mta", p)? {
            "" => optional(a, "to", p)?,
            mta => mta,
        }
        .split_whitespace()
        .next()
        .map(str::to_owned),
    };
    let kind = if accepted {
        ResultKind::Delivered
    } else if !last {
        ResultKind::Deferred
    } else {
        final_kind(a, state, result, &reply)
    };
    Ok(Some(Draft {
        kind,
        at,
        reply,
        key: key(at),
    }))
}

/// Whether the last attempt's error ended the delivery: MailerQ's `fatal`
/// when a response pattern set it, else what MailerQ reasons from the
/// reply (5xx permanent, the rest retried).
fn final_kind(a: &Value, state: &str, result: &str, reply: &Reply) -> ResultKind {
    if let Some(fatal) = a.get("fatal").and_then(Value::as_bool) {
        return if fatal {
            ResultKind::Failed
        } else {
            ResultKind::Deferred
        };
    }
    let class = reply
        .code
        .map(ReplyCode::class_digit)
        .or_else(|| reply.status.map(EnhancedStatus::class));
    match class {
        Some(5) => ResultKind::Failed,
        Some(_) => ResultKind::Deferred,
        // "domain does not exist / no ip addresses available for accepting mail"
        None if state == "dns" && result == "error" => ResultKind::Failed,
        None => ResultKind::Deferred,
    }
}

/// The stage a MailerQ state names.
fn stage(state: &str) -> Option<Stage> {
    Some(match state {
        "dns" => Stage::Dns,
        "connect" => Stage::Connect,
        "intro" => Stage::Greeting,
        "ehlo" | "helo" | "starttls" => Stage::Helo,
        s if s.starts_with("auth") => Stage::Helo,
        "mailfrom" => Stage::MailFrom,
        "rcptto" => Stage::RcptTo,
        "data" | "message" => Stage::Data,
        other => return Stage::from_smtp_command(other),
    })
}

/// A text field that must be there.
fn required<'a>(a: &'a Value, name: &str, p: &str) -> Result<&'a str, String> {
    match optional(a, name, p)? {
        "" => Err(format!("`{p}{name}` is missing")),
        text => Ok(text),
    }
}

/// A text field, empty when absent.
fn optional<'a>(a: &'a Value, name: &str, p: &str) -> Result<&'a str, String> {
    match a.get(name) {
        None | Some(Value::Null) => Ok(""),
        Some(Value::String(s)) => Ok(s.trim()),
        Some(_) => Err(format!("`{p}{name}` is not text")),
    }
}

/// The reply code field: a number or numeric text; one MailerQ made up
/// outside the SMTP range is no reply code.
fn code(a: &Value, p: &str) -> Result<Option<ReplyCode>, String> {
    let number = match a.get("code") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        Some(_) => return Err(format!("`{p}code` is not a number")),
    };
    Ok(number
        .and_then(|n| u16::try_from(n).ok())
        .and_then(|n| ReplyCode::new(n).ok()))
}

/// The attempt's `time`: MailerQ's `YYYY-MM-DD HH:MM:SS` (UTC), RFC 3339,
/// or Unix seconds.
fn time(a: &Value, p: &str) -> Result<DateTime<Utc>, String> {
    let at = match a.get("time") {
        Some(Value::String(s)) => {
            let s = s.trim();
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .ok()
                .or_else(|| {
                    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
                        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S"))
                        .ok()
                        .map(|t| t.and_utc())
                })
        }
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite() && f.abs() < 1e12).map(|f| f as i64))
            .and_then(|s| DateTime::from_timestamp(s, 0)),
        None | Some(Value::Null) => return Err(format!("`{p}time` is missing")),
        Some(_) => None,
    };
    at.ok_or_else(|| format!("`{p}time` is not a time"))
}

/// A property that identifies the message: text or a number.
fn scalar(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The first tag: `tags` (a list, or one text), else `tag`.
fn first_tag(v: &Value) -> Option<String> {
    let tag = match v.get("tags") {
        Some(Value::Array(tags)) => tags
            .iter()
            .filter_map(Value::as_str)
            .map(str::trim)
            .find(|t| !t.is_empty()),
        Some(Value::String(tag)) => Some(tag.trim()).filter(|t| !t.is_empty()),
        _ => None,
    };
    tag.or_else(|| {
        v.get("tag")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
    })
    .map(str::to_owned)
}

/// The Message-ID, without angle brackets.
fn message_id(v: &Value) -> Option<String> {
    header(v.pointer("/extracted/headers"))
        .or_else(|| header(v.get("headers")))
        .or_else(|| v.get("mime").and_then(Value::as_str).and_then(mime_message_id))
        .or_else(|| v.get("messageid").and_then(Value::as_str))
        .and_then(bare_id)
}

/// `Message-ID` from an object of headers (names in any case; a value may
/// be a list of values).
fn header(headers: Option<&Value>) -> Option<&str> {
    let (_, value) = headers?
        .as_object()?
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("message-id"))?;
    match value {
        Value::String(s) => Some(s.as_str()),
        Value::Array(values) => values.first().and_then(Value::as_str),
        _ => None,
    }
}

/// `Message-ID` from the header block of MIME data (a folded value on the
/// next line too); the body is not read.
fn mime_message_id(mime: &str) -> Option<&str> {
    const NAME: &str = "message-id:";
    let mut lines = mime.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    while let Some(line) = lines.next() {
        if line.is_empty() {
            return None;
        }
        if line.get(..NAME.len()).is_some_and(|n| n.eq_ignore_ascii_case(NAME)) {
            let value = line.get(NAME.len()..).unwrap_or_default().trim();
            if !value.is_empty() {
                return Some(value);
            }
            return lines
                .next()
                .filter(|l| l.starts_with([' ', '\t']))
                .map(str::trim)
                .filter(|l| !l.is_empty());
        }
    }
    None
}

#[cfg(test)]
mod tests;
