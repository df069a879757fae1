//! KumoMTA's log records: one JSON object per line (its local log files;
//! a log hook may post them as a JSON array, which is read too), told apart
//! by `type` (KumoMTA's "Log Record" reference, `reference/log_record`, and
//! the `log_oob` / `log_arf` listener options for OOB and Feedback records):
//!
//! | `type` | here | fields read |
//! |---|---|---|
//! | `Delivery` | delivered, at DATA | `response`, `peer_address.name` |
//! | `TransientFailure` | deferred | `response` (`code`, `enhanced_code`, `content`, `command`), `peer_address.name` |
//! | `Bounce` | failed | as `TransientFailure` |
//! | `Expiration` | failed: KumoMTA gave up retrying | `response.content` (KumoMTA's words), `response.enhanced_code` (`5.4.7`) |
//! | `AdminBounce` | failed: an operator bounced the queue | `response.content` (KumoMTA's words) |
//! | `OOB` | failed after delivery: a bounce report received later | `response`, `peer_address.name` (the reporting MTA) |
//! | `Feedback` | complaint | `feedback_report` (`supplemental_trace.recipient` or `original_rcpto_to`; `original_message` for the Message-ID) |
//! | `Reception`, `Rejection`, `Delay`, `AdminRebind`, `DeferredInjectionRebind` and any other | not a delivery result | |
//!
//! Every result reads `recipient`, `timestamp` (Unix seconds), `id`, the
//! captured `headers` (`Message-ID`) and `meta` (`campaign_id`, and
//! `campaign` as the campaign tag; else the campaign part of an outgoing
//! record's `queue`, `campaign:tenant@domain`). KumoMTA's own
//! `bounce_classification` is not read: bouncedesk classifies the reply
//! itself.
//!
//! The stage comes from `response.command`, the command the reply answered
//! (`RCPT TO:<x>`, `.` for the end of the data). A response KumoMTA wrote
//! itself (`KumoMTA internal: ...`) carries no command: its words tell a
//! connection or DNS failure, and its code (400) is no server's, so it is
//! not taken as a reply code. KumoMTA's own deferrals that are no delivery
//! attempt at all (a suspended or throttled queue, a message put back in
//! the scheduled queue) are not delivery results: no receiving server was
//! tried, and counting them against the address would be wrong.
//!
//! A Feedback record's own `recipient` is the feedback loop mailbox the
//! report was sent to, not the complaining subscriber, and its `meta` and
//! `headers` are the report's: the subscriber comes from the report (the
//! decoded `X-KumoRef` trace KumoMTA adds to what it sends, else the
//! report's `Original-Rcpt-To`), the campaign from the trace's meta fields.

use bounce::delivery::{DeliveryResult, ResultKind};
use bounce::{EmailAddress, EnhancedStatus, ReplyCode, Stage};
use chrono::DateTime;
use serde_json::Value;

use super::bare_id;
use super::{Item, short};

/// Field names and record types only KumoMTA's log records use.
pub const SIGNS: &[&str] = &[
    "\"egress_pool\"",
    "\"egress_source\"",
    "\"reception_protocol\"",
    "\"TransientFailure\"",
];

/// The `source` of every result.
pub const SOURCE: &str = "kumomta";

/// How KumoMTA starts a response it made up itself.
const INTERNAL: &str = "KumoMTA internal";

/// KumoMTA's own words (lower case) for an attempt that did not get as far
/// as a reply to a command, and the stage each means; `None`: an attempt
/// that failed at a step the words do not tell. First match wins.
const OWN_WORDS: [(&str, Option<Stage>); 11] = [
    ("failed to resolve", Some(Stage::Dns)),
    ("nxdomain", Some(Stage::Dns)),
    ("null mx", Some(Stage::Dns)),
    ("no mx", Some(Stage::Dns)),
    ("mx lookup", Some(Stage::Dns)),
    ("failed to connect", Some(Stage::Connect)),
    ("connection refused", Some(Stage::Connect)),
    ("no route to host", Some(Stage::Connect)),
    ("network is unreachable", Some(Stage::Connect)),
    ("connection reset", None),
    ("timed out", None),
];

/// The record types read as results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Record {
    Delivery,
    TransientFailure,
    Bounce,
    Expiration,
    AdminBounce,
    Oob,
    Feedback,
}

/// The records of one line: a JSON object, or an array of them.
pub fn parse(line: &str) -> Vec<Result<Item, String>> {
    if line.trim().is_empty() {
        return Vec::new();
    }
    match serde_json::from_str::<Value>(line) {
        Ok(Value::Array(records)) => records
            .iter()
            .enumerate()
            .map(|(i, r)| record(r, &format!("record [{i}] ")))
            .collect(),
        Ok(r @ Value::Object(_)) => vec![record(&r, "")],
        Ok(_) => vec![Err("is not a KumoMTA log record (a JSON object)".into())],
        Err(e) => vec![Err(format!("is not JSON: {e}"))],
    }
}

/// A string field that may be absent or null; any other type is an error.
fn optional_text<'v>(v: Option<&'v Value>, name: &str) -> Result<Option<&'v str>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(format!("{name} is not a string")),
    }
}

fn record(r: &Value, place: &str) -> Result<Item, String> {
    let field = |name: &str| format!("{place}`{name}`");
    let Some(type_name) = optional_text(r.get("type"), &field("type"))? else {
        return Err(format!("{} is missing", field("type")));
    };
    let kind = match type_name {
        "Delivery" => Record::Delivery,
        "TransientFailure" => Record::TransientFailure,
        "Bounce" => Record::Bounce,
        "Expiration" => Record::Expiration,
        "AdminBounce" => Record::AdminBounce,
        "OOB" => Record::Oob,
        "Feedback" => Record::Feedback,
        // Reception, Rejection, Delay, the rebinds, and types added later.
        _ => return Ok(Item::Other),
    };
    let report = r.get("feedback_report").filter(|v| v.is_object());
    let address = match (kind, report) {
        (Record::Feedback, Some(report)) => complainant(report).ok_or_else(|| {
            format!(
                "{} names no subscriber (`supplemental_trace.recipient`, `original_rcpto_to`)",
                field("feedback_report")
            )
        })?,
        (Record::Feedback, None) => return Err(format!("{} is missing", field("feedback_report"))),
        _ => optional_text(r.get("recipient"), &field("recipient"))?
            .ok_or_else(|| format!("{} is missing", field("recipient")))?,
    };
    let address_field = if kind == Record::Feedback {
        "feedback_report"
    } else {
        "recipient"
    };
    let recipient: EmailAddress = address
        .parse()
        .map_err(|e: bounce::ParseError| format!("{}: `{}` {}", field(address_field), short(address), e.problem))?;
    let seconds = r
        .get("timestamp")
        .and_then(Value::as_i64)
        .ok_or_else(|| format!("{} is not a Unix time", field("timestamp")))?;
    let at = DateTime::from_timestamp(seconds, 0).ok_or_else(|| format!("{} is out of range", field("timestamp")))?;
    let id = optional_text(r.get("id"), &field("id"))?
        .filter(|id| !id.is_empty())
        .ok_or_else(|| format!("{} is missing", field("id")))?;

    let response = match r.get("response") {
        None | Some(Value::Null) => None,
        Some(v @ Value::Object(_)) => Some(v),
        Some(_) => return Err(format!("{} is not an object", field("response"))),
    };
    let part = |name: &str| response.and_then(|v| v.get(name));
    let content = optional_text(part("content"), &field("response.content"))?.unwrap_or_default();
    let command = optional_text(part("command"), &field("response.command"))?;
    let code = match part("code") {
        None | Some(Value::Null) => None,
        Some(c) => Some(
            c.as_u64()
                .and_then(|c| u16::try_from(c).ok())
                .ok_or_else(|| format!("{} is not an SMTP code", field("response.code")))?,
        ),
    };
    let enhanced = match part("enhanced_code") {
        None | Some(Value::Null) => None,
        Some(e) => Some(enhanced_status(e).ok_or_else(|| {
            format!(
                "{} is not a class.subject.detail status",
                field("response.enhanced_code")
            )
        })?),
    };

    let internal = content.starts_with(INTERNAL);
    let (result, stage, reply_code, status, text) = match kind {
        Record::Delivery => (
            ResultKind::Delivered,
            Some(Stage::Data),
            code.and_then(|c| ReplyCode::new(c).ok()),
            enhanced.or_else(|| EnhancedStatus::find_in(content)),
            server_words(code, enhanced, content),
        ),
        Record::TransientFailure | Record::Bounce => {
            let result = if kind == Record::Bounce {
                ResultKind::Failed
            } else {
                ResultKind::Deferred
            };
            if internal {
                match own_failure(content) {
                    // The server's reply when KumoMTA quotes one (a
                    // refused greeting), else none: KumoMTA's code is its own.
                    Some((stage, reply)) => (
                        result,
                        stage,
                        reply.and_then(ReplyCode::leading),
                        reply.and_then(EnhancedStatus::find_in),
                        content.to_owned(),
                    ),
                    None if result == ResultKind::Deferred => return Ok(Item::Other),
                    None => (result, None, None, None, content.to_owned()),
                }
            } else {
                (
                    result,
                    command.and_then(Stage::from_smtp_command),
                    code.and_then(|c| ReplyCode::new(c).ok()),
                    enhanced.or_else(|| EnhancedStatus::find_in(content)),
                    server_words(code, enhanced, content),
                )
            }
        }
        // X.4.7 is "delivery time expired": what happened, whoever says it.
        Record::Expiration => (ResultKind::Failed, None, None, enhanced, content.to_owned()),
        // Its 5.7.1 would read as a policy refusal by the receiving server.
        Record::AdminBounce => (ResultKind::Failed, None, None, None, content.to_owned()),
        Record::Oob => {
            // Without a diagnostic KumoMTA fills in 550 itself.
            let code = code.filter(|_| !content.is_empty());
            (
                ResultKind::Failed,
                Some(Stage::AfterDelivery),
                code.and_then(|c| ReplyCode::new(c).ok()),
                enhanced.or_else(|| EnhancedStatus::find_in(content)),
                server_words(code, enhanced.filter(|_| !content.is_empty()), content),
            )
        }
        Record::Feedback => (ResultKind::Complaint, None, None, None, String::new()),
    };

    let remote_mta = match kind {
        Record::Delivery | Record::TransientFailure | Record::Bounce | Record::Oob => peer(r),
        _ => None,
    };
    // The subscriber's campaign is in the report's trace, not in the
    // meta of the report message itself.
    let trace = report.and_then(|f| f.get("supplemental_trace"));
    let meta = r.get("meta");
    let places: Vec<Option<&Value>> = if kind == Record::Feedback {
        vec![trace, trace.and_then(|t| t.get("extra")), meta]
    } else {
        vec![meta]
    };
    let campaign_id = places
        .iter()
        .copied()
        .find_map(|p| p.and_then(|p| p.get("campaign_id")).and_then(super::campaign_id));
    let campaign_tag = places
        .iter()
        .copied()
        .find_map(|p| nonempty(p.and_then(|p| p.get("campaign"))))
        .or_else(|| match kind {
            // OOB and Feedback records name the queue of the report received.
            Record::Oob | Record::Feedback => None,
            _ => r.get("queue").and_then(Value::as_str).and_then(queue_campaign),
        });
    let message_id = match kind {
        Record::Feedback => report.and_then(original_message_id),
        _ => header_message_id(r),
    };

    // A message id repeats over its attempts: the type and time tell
    // them apart, the recipient the subscribers of one bounce report.
    let source_event_id = format!("{id}:{type_name}:{seconds}:{recipient}");
    Ok(Item::Result(Box::new(DeliveryResult {
        recipient,
        at,
        kind: result,
        stage,
        reply_code,
        status,
        text,
        remote_mta,
        campaign_id,
        campaign_tag,
        message_id,
        source: SOURCE.into(),
        source_event_id,
    })))
}

/// `{"class": 5, "subject": 1, "detail": 1}` as a status.
fn enhanced_status(e: &Value) -> Option<EnhancedStatus> {
    let number = |name: &str| e.get(name).and_then(Value::as_u64);
    let class = u8::try_from(number("class")?).ok()?;
    let subject = u16::try_from(number("subject")?).ok()?;
    let detail = u16::try_from(number("detail")?).ok()?;
    EnhancedStatus::new(class, subject, detail).ok()
}

/// The reply as the server wrote it: KumoMTA splits the code and the
/// enhanced status off the rest.
fn server_words(code: Option<u16>, status: Option<EnhancedStatus>, content: &str) -> String {
    let mut words = String::with_capacity(content.len() + 10);
    if let Some(code) = code {
        words.push_str(&code.to_string());
    }
    if let Some(status) = status {
        if !words.is_empty() {
            words.push(' ');
        }
        words.push_str(&status.to_string());
    }
    if !content.is_empty() {
        if !words.is_empty() {
            words.push(' ');
        }
        words.push_str(content);
    }
    words
}

/// What KumoMTA's own words tell of a failed attempt: its stage, and the
/// server's reply when the words quote one (a greeting that refused us).
/// `None` when they tell of no attempt to reach a server.
fn own_failure(content: &str) -> Option<(Option<Stage>, Option<&str>)> {
    if let Some((_, banner)) = content.split_once("initial banner: ")
        && ReplyCode::leading(banner).is_some()
    {
        return Some((Some(Stage::Greeting), Some(banner)));
    }
    let lower = content.to_ascii_lowercase();
    OWN_WORDS
        .iter()
        .find(|(words, _)| lower.contains(words))
        .map(|(_, stage)| (*stage, None))
}

/// The receiving (or reporting) server: its MX name, else its address.
fn peer(r: &Value) -> Option<String> {
    let peer = r.get("peer_address")?;
    let name = peer
        .get("name")
        .and_then(Value::as_str)
        .map(|n| n.trim().trim_end_matches('.'))
        .filter(|n| !n.is_empty());
    match name {
        Some(name) => Some(name.to_owned()),
        None => nonempty(peer.get("addr")),
    }
}

/// The subscriber a feedback report is about.
fn complainant(report: &Value) -> Option<&str> {
    report
        .pointer("/supplemental_trace/recipient")
        .and_then(Value::as_str)
        .or_else(|| {
            report
                .get("original_rcpto_to")?
                .as_array()?
                .iter()
                .find_map(Value::as_str)
        })
}

fn nonempty(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The campaign of a queue named `campaign:tenant@domain` (the routing
/// domain after `!` aside); a domain literal's colons are no campaign.
fn queue_campaign(queue: &str) -> Option<String> {
    let queue = queue.split('!').next().unwrap_or(queue);
    let (campaign, rest) = queue.split_once(':')?;
    (!campaign.is_empty() && !rest.is_empty() && !campaign.contains(['[', '@', ' '])).then(|| campaign.to_owned())
}

/// The Message-ID among the captured headers (a name matched in any case;
/// a header logged more than once is a list).
fn header_message_id(r: &Value) -> Option<String> {
    let headers = r.get("headers")?.as_object()?;
    let (_, value) = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("message-id"))?;
    let text = match value {
        Value::String(s) => s.as_str(),
        Value::Array(values) => values.iter().find_map(Value::as_str)?,
        _ => return None,
    };
    bare_id(text)
}

/// The Message-ID in the header of the message a feedback report quotes.
fn original_message_id(report: &Value) -> Option<String> {
    let message = report.get("original_message")?.as_str()?;
    message
        .lines()
        .take_while(|line| !line.trim().is_empty())
        .filter(|line| !line.starts_with([' ', '\t']))
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim().eq_ignore_ascii_case("message-id").then_some(value)
        })
        .and_then(bare_id)
}

#[cfg(test)]
mod tests;
