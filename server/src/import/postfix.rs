//! Postfix maillog lines: the delivery agents' (`smtp`, `lmtp`, `local`,
//! `virtual`, `error`) one line per recipient and attempt,
//!
//! `QUEUEID: to=<rcpt>, relay=host[ip]:25, delay=.., dsn=5.1.1, status=bounced (host x said: 550 ... (in reply to RCPT TO command))`
//!
//! under a syslog prefix with a traditional timestamp (`Nov 30 10:00:01`,
//! no year: the caller gives it) or an RFC 3339 one (`maillog_file` and
//! modern syslog daemons). The stage comes from what Postfix says the reply
//! answered (`in reply to RCPT TO command`), or from its own words for
//! failures before any reply (`connect to ...: Connection refused`, `Host or
//! domain name not found`, `refused to talk to me`, `lost connection ...
//! while receiving the initial server greeting`). Source: Postfix's
//! `smtp(8)` and `bounce(5)` manual pages and the texts in its source
//! (`smtp_proto.c`, `smtp_connect.c`).
//!
//! Each line is parsed on its own, in one pass, in time linear in its length.

use bounce::delivery::{DeliveryResult, ResultKind};
use bounce::{EmailAddress, EnhancedStatus, ReplyCode, Stage};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

use super::queue_ids::QueueIds;

/// What tells a Postfix log apart: its daemons' names in the syslog prefix.
pub const SIGNS: &[&str] = &[
    " postfix/smtp[",
    " postfix/lmtp[",
    " postfix/local[",
    " postfix/qmgr[",
    " postfix/cleanup[",
];

/// What one log line holds: a delivery result, or a line that is none
/// (connections, the queue manager, `status=expired` notices without a
/// recipient...).
pub use super::Item as Line;

/// Why a line that looked like a result could not be read.
#[derive(Debug, PartialEq, Eq)]
pub struct LineError(pub String);

/// Where a reply answered a command, from Postfix's "(in reply to X command)".
/// Table, longest first: "end of DATA" before "DATA".
const IN_REPLY_TO: [(&str, Stage); 8] = [
    ("in reply to end of DATA command", Stage::Data),
    ("in reply to DATA command", Stage::Data),
    ("in reply to RCPT TO command", Stage::RcptTo),
    ("in reply to MAIL FROM command", Stage::MailFrom),
    ("in reply to EHLO command", Stage::Helo),
    ("in reply to HELO command", Stage::Helo),
    ("in reply to STARTTLS command", Stage::Helo),
    ("in reply to AUTH command", Stage::Helo),
];

/// Postfix's own words for failures with no reply to a command, and the
/// stage each means (smtp_connect.c, smtp_proto.c).
const OWN_WORDS: [(&str, Stage); 9] = [
    ("Host or domain name not found", Stage::Dns),
    ("Name service error", Stage::Dns),
    ("MX host", Stage::Dns),
    ("connect to ", Stage::Connect),
    ("No route to host", Stage::Connect),
    ("refused to talk to me", Stage::Greeting),
    ("while receiving the initial server greeting", Stage::Greeting),
    ("while performing the EHLO handshake", Stage::Helo),
    ("TLS is required", Stage::Helo),
];

/// Reads a log line by line, tying each result to its message's
/// Message-ID: `cleanup` logs `QUEUEID: message-id=<...>` when a message
/// enters the queue, and the delivery agents' lines name the same queue id.
/// The Message-ID links a result to the send that carried it (and a later
/// bounce to its campaign).
#[derive(Debug, Default)]
pub struct Reader {
    ids: QueueIds,
    year: i32,
}

impl Reader {
    /// A reader dating traditional timestamps in `year`.
    pub fn new(year: i32) -> Self {
        Self {
            ids: QueueIds::default(),
            year,
        }
    }

    /// The item of one line.
    pub fn line(&mut self, line: &str) -> Result<Line, LineError> {
        if let Some((queue_id, message_id)) = message_id_line(line) {
            self.ids.remember(queue_id, message_id);
            return Ok(Line::Other);
        }
        if let Some(queue_id) = line.strip_suffix(": removed").and_then(|l| l.rsplit(' ').next()) {
            self.ids.forget(queue_id);
            return Ok(Line::Other);
        }
        let mut item = parse(line, self.year)?;
        if let Line::Result(result) = &mut item
            && let Some(queue_id) = queue_id_of(line)
        {
            result.message_id = self.ids.get(queue_id).map(str::to_owned);
        }
        Ok(item)
    }
}

/// The longest Message-ID kept: real ones are far shorter, and a longer
/// one is not worth the memory.
const MESSAGE_ID_MAX: usize = 512;

/// `QUEUEID: message-id=<ID>` from `cleanup`: the queue id and the ID
/// without its angle brackets.
fn message_id_line(line: &str) -> Option<(&str, &str)> {
    let (prefix, rest) = line.split_once(": message-id=")?;
    if !prefix.contains("/cleanup[") {
        return None;
    }
    let queue_id = prefix.rsplit(' ').next()?;
    let id = rest.trim().trim_start_matches('<').trim_end_matches('>');
    (!id.is_empty() && id.len() <= MESSAGE_ID_MAX).then_some((queue_id, id))
}

/// The queue id of a delivery agent's line (`... postfix/smtp[1]: QUEUEID: to=<`).
fn queue_id_of(line: &str) -> Option<&str> {
    line.split_once(": to=<")
        .and_then(|(prefix, _)| prefix.rsplit(' ').next())
}

/// Reads one line on its own (no Message-ID: see [`Reader`]). `year`
/// dates traditional syslog timestamps.
pub fn parse(line: &str, year: i32) -> Result<Line, LineError> {
    let Some((prefix, rest)) = line.split_once(": to=<") else {
        return Ok(Line::Other);
    };
    if !(prefix.contains("postfix") || prefix.contains("/smtp[") || prefix.contains("/lmtp[")) {
        return Ok(Line::Other);
    }
    let queue_id = prefix.rsplit(' ').next().unwrap_or_default();
    let (recipient, fields) = rest
        .split_once('>')
        .ok_or_else(|| LineError("the recipient has no closing `>`".into()))?;
    let recipient: EmailAddress = recipient
        .parse()
        .map_err(|e: bounce::ParseError| LineError(format!("recipient: {e}")))?;
    let status_at = fields
        .find(", status=")
        .ok_or_else(|| LineError("no `status=` field".into()))?;
    let after = &fields[status_at + ", status=".len()..];
    let (status, detail) = match after.split_once(' ') {
        Some((status, detail)) => (status, detail.trim()),
        None => (after.trim(), ""),
    };
    let kind = match status {
        "sent" => ResultKind::Delivered,
        "deferred" => ResultKind::Deferred,
        "bounced" | "expired" | "undeliverable" => ResultKind::Failed,
        other => {
            return Err(LineError(format!(
                "status `{other}` is not sent, deferred, bounced or expired"
            )));
        }
    };
    let field = |name: &str| {
        fields[..status_at]
            .split(", ")
            .find_map(|f| f.strip_prefix(name))
            .map(str::to_owned)
    };
    let dsn = field("dsn=").and_then(|d| d.parse::<EnhancedStatus>().ok());
    let relay = field("relay=")
        .map(|r| r.split('[').next().unwrap_or_default().to_owned())
        .filter(|r| !r.is_empty() && r != "none");
    let detail = detail
        .strip_prefix('(')
        .and_then(|d| d.strip_suffix(')'))
        .unwrap_or(detail);
    let text = match detail.find(" said: ") {
        Some(at) => {
            let said = &detail[at + " said: ".len()..];
            said.rfind(" (in reply to ").map_or(said, |end| &said[..end])
        }
        None => detail,
    };
    let stage = match kind {
        ResultKind::Delivered => Some(Stage::Data),
        _ => IN_REPLY_TO
            .iter()
            .chain(OWN_WORDS.iter())
            .find(|(words, _)| detail.contains(words))
            .map(|(_, stage)| *stage),
    };
    let at = timestamp(prefix, year).ok_or_else(|| LineError("the line has no readable time".into()))?;
    Ok(Line::Result(Box::new(DeliveryResult {
        reply_code: ReplyCode::leading(text),
        status: EnhancedStatus::find_in(text).or(dsn),
        text: text.to_owned(),
        remote_mta: relay,
        stage,
        kind,
        at,
        campaign_id: None,
        campaign_tag: None,
        message_id: None,
        source: "postfix".into(),
        // The same line read again (a re-import, an overlapping log) has
        // the same key: it is stored once.
        source_event_id: format!("{queue_id}:{recipient}:{}:{status}", at.timestamp_micros()),
        recipient,
    })))
}

/// The line's time: RFC 3339 as the first word, or `Mon DD HH:MM:SS` (UTC,
/// in `year`).
fn timestamp(prefix: &str, year: i32) -> Option<DateTime<Utc>> {
    let first = prefix.split(' ').next()?;
    if let Ok(t) = DateTime::parse_from_rfc3339(first) {
        return Some(t.with_timezone(&Utc));
    }
    let words: Vec<&str> = prefix.split_whitespace().take(3).collect();
    let [month, day, time] = words.as_slice() else {
        return None;
    };
    let text = format!("{year} {month} {day} {time}");
    NaiveDateTime::parse_from_str(&text, "%Y %b %d %H:%M:%S")
        .ok()
        .and_then(|t| Utc.from_local_datetime(&t).single())
}

#[cfg(test)]
mod tests;
