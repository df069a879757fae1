//! bouncedesk's own shape for delivery results, for systems with no format
//! of their own (a script over an MTA's database, another ESP): what
//! `POST /api/v1/events` takes and `bouncedesk import --format json`
//! reads. One JSON object per result; a line (or a request body) holds one
//! object or an array of them. Documented with examples in
//! `docs/import.md`; the OpenAPI document describes it as `Event`.
//!
//! Unknown fields are refused, naming them: a misspelt `campaign_ld` would
//! otherwise leave results unlinked without a word.

use bounce::delivery::{DeliveryResult, ResultKind};
use bounce::{EmailAddress, EnhancedStatus, ReplyCode, Stage};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::bare_id;
use super::{Item, short};

/// The longest text field accepted (a remote server's reply is at most a
/// few kilobytes).
const TEXT_MAX: usize = 16 * 1024;

/// One result in bouncedesk's shape.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::ToSchema)]
pub struct Event {
    /// The recipient address.
    pub recipient: String,
    /// When it happened, RFC 3339 (`2026-11-30T10:00:01Z`).
    pub time: String,
    /// `delivered`, `deferred` (will be retried), `failed` or `complaint`.
    pub result: String,
    /// The sender's own unique key for this result: sending it again
    /// stores nothing new.
    pub id: String,
    /// Where delivery stopped, as bouncedesk names stages (`dns`,
    /// `connect`, `greeting`, `helo`, `mail_from`, `rcpt_to`, `data`,
    /// `after_delivery`).
    #[serde(default)]
    pub stage: Option<String>,
    /// The SMTP reply code (`550`).
    #[serde(default)]
    pub reply_code: Option<u16>,
    /// The enhanced status code (`5.1.1`).
    #[serde(default)]
    pub status: Option<String>,
    /// The remote server's own words.
    #[serde(default)]
    pub text: String,
    /// The host that answered.
    #[serde(default)]
    pub remote_mta: Option<String>,
    /// A bouncedesk campaign id.
    #[serde(default)]
    pub campaign_id: Option<i64>,
    /// The tag the campaign is known by.
    #[serde(default)]
    pub campaign_tag: Option<String>,
    /// The Message-ID of the message the result is about.
    #[serde(default)]
    pub message_id: Option<String>,
    /// The sending system's name, stored as `api:NAME` (`api` without).
    #[serde(default)]
    pub source: Option<String>,
}

/// The results of one line (or body): an object, or an array of objects.
pub fn parse(line: &str) -> Vec<Result<Item, String>> {
    if line.trim().is_empty() {
        return Vec::new();
    }
    match serde_json::from_str::<Value>(line) {
        Ok(Value::Array(events)) => events
            .into_iter()
            .enumerate()
            .map(|(i, e)| event(e).map_err(|why| format!("[{i}] {why}")))
            .collect(),
        Ok(e @ Value::Object(_)) => vec![event(e)],
        Ok(_) => vec![Err("is not a JSON object or an array of objects".into())],
        Err(e) => vec![Err(format!("is not JSON: {e}"))],
    }
}

fn event(value: Value) -> Result<Item, String> {
    let e: Event = serde_json::from_value(value).map_err(|e| e.to_string())?;
    let kind = match e.result.as_str() {
        "delivered" => ResultKind::Delivered,
        "deferred" => ResultKind::Deferred,
        "failed" => ResultKind::Failed,
        "complaint" => ResultKind::Complaint,
        other => {
            return Err(format!(
                "`result`: `{}` is not delivered, deferred, failed or complaint",
                short(other)
            ));
        }
    };
    let recipient: EmailAddress = e
        .recipient
        .parse()
        .map_err(|err: bounce::ParseError| format!("`recipient`: {}", err.problem))?;
    let at = DateTime::parse_from_rfc3339(&e.time)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("`time`: `{}` is not an RFC 3339 time", short(&e.time)))?;
    if e.id.trim().is_empty() || e.id.len() > 500 {
        return Err("`id`: give the result a unique key of 1 to 500 bytes".into());
    }
    for (field, text) in [("text", Some(&e.text)), ("remote_mta", e.remote_mta.as_ref())] {
        if text.is_some_and(|t| t.len() > TEXT_MAX) {
            return Err(format!("`{field}` is longer than {TEXT_MAX} bytes"));
        }
    }
    let stage = e
        .stage
        .as_deref()
        .map(str::parse::<Stage>)
        .transpose()
        .map_err(|err| format!("`stage`: {err}"))?;
    let reply_code = match e.reply_code {
        Some(code) => Some(ReplyCode::new(code).map_err(|err| format!("`reply_code`: {err}"))?),
        None => ReplyCode::leading(&e.text),
    };
    let status = match e.status.as_deref() {
        Some(s) => Some(s.parse::<EnhancedStatus>().map_err(|err| format!("`status`: {err}"))?),
        None => EnhancedStatus::find_in(&e.text),
    };
    let source = match e.source.as_deref().map(str::trim) {
        None | Some("") => "api".to_owned(),
        Some(name) if name.len() <= 40 && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) => {
            format!("api:{name}")
        }
        Some(name) => {
            return Err(format!(
                "`source`: `{}` is not a name of letters, digits, - _ .",
                short(name)
            ));
        }
    };
    Ok(Item::Result(Box::new(DeliveryResult {
        recipient,
        at,
        kind,
        stage,
        reply_code,
        status,
        text: e.text,
        remote_mta: e.remote_mta,
        campaign_id: e.campaign_id.filter(|id| *id > 0),
        campaign_tag: e.campaign_tag.filter(|t| !t.trim().is_empty()),
        message_id: e.message_id.as_deref().and_then(bare_id),
        source,
        source_event_id: e.id,
    })))
}

#[cfg(test)]
mod tests;
