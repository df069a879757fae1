//! Exim's main log (`mainlog`): a line per message arrival and per
//! delivery, attempt or failure of each recipient, told apart by the flag
//! after the message id (Exim's specification, chapter "Log files":
//! "Log line flags", "Logging message reception", "Logging deliveries",
//! "Deferred deliveries", "Delivery failures", "Reducing or increasing what
//! is logged"):
//!
//! | flag | here | fields read |
//! |---|---|---|
//! | `=>`, `->` (another recipient of the same delivery), `>>` (cutthrough) | delivered, at DATA | `H=` (the receiving host), `C="..."` (its `250` confirmation) |
//! | `==` | deferred | `H=`, the error after `: ` |
//! | `**` | failed | `H=`, the error after `: ` |
//! | `<=` | not a result: its `id=` (the Message-ID) is kept for the message's later lines | `id=` |
//! | `Completed` | not a result: the kept Message-ID is let go | |
//! | `*>` (`-N`, no delivery), `(=` (fake reject), `=> discarded`, `=> :blackhole:`, a `==` "retry time not reached" (no attempt made), any other line | not a delivery result | |
//!
//! A line is `DATE TIME [ZONE] [[PID]] EXIMID FLAG ADDRESS FIELDS`: the
//! zone (`+0100`) is there with `log_timezone`, the pid with
//! `log_selector = +pid`, milliseconds with `+millisec`. Without a zone the
//! time is taken as UTC.
//!
//! The address part is the delivered address, then the parent it came from
//! in parentheses (`all_parents`) and the original in angle brackets:
//! `jan@ziggo.nl <info@example.nl>` (an alias or forward: the delivered
//! address `jan@ziggo.nl` is the recipient) or `jan <jan@example.nl>` (a
//! local delivery to a user, pipe or file: the bracketed address is the
//! recipient, as the delivered "address" is none).
//!
//! The stage comes from the command Exim names: `SMTP error from remote
//! mail server after RCPT TO:<x>: 550 ...` (older versions: `from remote
//! mailer after ...: host NAME [IP]: 550 ...`), `after initial connection`
//! (the greeting), `after end of data`, `after pipelined DATA`, `SMTP
//! timeout after ...`, `... closed connection in response to ...`; or from
//! Exim's own words for failures before any reply (`Unrouteable address`,
//! `all relevant MX records point to non-existent hosts`: DNS; `Connection
//! refused`, `Connection timed out`: connect). `text` is the server's reply
//! after the command when there is one, else Exim's own words.
//!
//! The Message-ID is on the `<=` line only: [`Reader`] keeps it by Exim's
//! message id until the message's `Completed` line, for at most
//! [`REMEMBERED`] messages (the oldest arrivals are let go first), so a
//! crafted log cannot make it grow without bound. A cutthrough delivery
//! (`>>`) is logged before its arrival line and so has none. The main log
//! names no campaign: results are linked by Message-ID or by the import's
//! `--campaign`.

use bounce::delivery::{DeliveryResult, ResultKind};
use bounce::{EmailAddress, EnhancedStatus, ReplyCode, Stage};
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};

use super::queue_ids::QueueIds;
use super::{Item, short};

/// Words of Exim's default configuration and log lines that no other
/// format writes: the default router and transport names, and the
/// protocol and size fields of an arrival.
pub const SIGNS: &[&str] = &[
    " R=dnslookup T=remote_smtp",
    " T=remote_smtp ",
    " P=esmtp S=",
    " P=esmtps X=",
];

/// The `source` of every result.
pub const SOURCE: &str = "exim";

pub use super::queue_ids::REMEMBERED;

/// The longest Message-ID kept (RFC 5322 allows 998 characters a line; real
/// ones are far shorter): a longer one is not kept, so the memory held stays
/// bounded whatever the lines' length.
const LONGEST_ID: usize = 512;

/// Exim's own words for failures with no reply to a command, and the stage
/// each means (its routers' and transports' messages). First match wins.
const OWN_WORDS: [(&str, Stage); 12] = [
    ("Unrouteable address", Stage::Dns),
    ("unrouteable mail domain", Stage::Dns),
    ("unknown mail domain", Stage::Dns),
    ("all relevant MX records point to non-existent hosts", Stage::Dns),
    ("host lookup did not complete", Stage::Dns),
    ("lookup of host", Stage::Dns),
    ("Connection refused", Stage::Connect),
    ("Connection timed out", Stage::Connect),
    ("No route to host", Stage::Connect),
    ("Network is unreachable", Stage::Connect),
    ("TLS session", Stage::Helo),
    ("TLS negotiation", Stage::Helo),
];

/// Reads a main log line by line, keeping each message's Message-ID from
/// its arrival to its completion.
#[derive(Debug)]
pub struct Reader {
    /// Exim message id -> Message-ID.
    ids: QueueIds,
}

impl Default for Reader {
    fn default() -> Self {
        Self::new()
    }
}

impl Reader {
    /// A reader that has seen no line yet.
    pub fn new() -> Self {
        Self::with_cap(REMEMBERED)
    }

    fn with_cap(cap: usize) -> Self {
        Self {
            ids: QueueIds::with_cap(cap),
        }
    }

    /// The items of one line (none for a blank one).
    pub fn line(&mut self, line: &str) -> Vec<Result<Item, String>> {
        if line.trim().is_empty() {
            return Vec::new();
        }
        vec![self.read(line)]
    }

    fn read(&mut self, line: &str) -> Result<Item, String> {
        let Some((at, exim_id, rest)) = head(line) else {
            return Ok(Item::Other);
        };
        let (flag, rest) = word(rest);
        let kind = match flag {
            "=>" | "->" | ">>" => ResultKind::Delivered,
            "==" => ResultKind::Deferred,
            "**" => ResultKind::Failed,
            "<=" => {
                if let Some(id) = header_id(rest) {
                    self.ids.remember(exim_id, id);
                }
                return Ok(Item::Other);
            }
            "Completed" => {
                self.ids.forget(exim_id);
                return Ok(Item::Other);
            }
            _ => return Ok(Item::Other),
        };
        let (first, rest) = word(rest);
        if first == "discarded" || first.starts_with(":blackhole:") {
            return Ok(Item::Other);
        }
        let (delivered, original, rest, colon) = addresses(first, rest);
        if kind == ResultKind::Deferred && rest.contains("retry time not reached") {
            // Skipped: no attempt was made.
            return Ok(Item::Other);
        }
        // A local delivery's "address" is a user, pipe or file: the
        // original address in brackets is then the recipient.
        let recipient: EmailAddress = match (delivered.parse::<EmailAddress>(), original) {
            (Ok(address), _) => address,
            (Err(e), None) => return Err(format!("recipient: `{}` {}", short(delivered), e.problem)),
            (Err(_), Some(original)) => original
                .parse()
                .map_err(|e: bounce::ParseError| format!("recipient: `{}` {}", short(original), e.problem))?,
        };
        let (stage, text, remote_mta) = match kind {
            ResultKind::Delivered => {
                let fields = rest.find(" C=\"").map_or(rest, |at| &rest[..at]);
                (Some(Stage::Data), confirmation(rest), host(fields))
            }
            _ => {
                // An unrouteable address ends its address part with `:`.
                let (fields, detail) = if colon {
                    ("", rest.trim())
                } else {
                    rest.split_once(": ").unwrap_or((rest, ""))
                };
                let error = failure(detail.trim());
                (error.stage, error.text, host(fields).or(error.host))
            }
        };
        Ok(Item::Result(Box::new(DeliveryResult {
            reply_code: ReplyCode::leading(text),
            status: EnhancedStatus::find_in(text),
            text: text.to_owned(),
            remote_mta,
            stage,
            kind,
            at,
            campaign_id: None,
            campaign_tag: None,
            message_id: self.ids.get(exim_id).map(str::to_owned),
            source: SOURCE.into(),
            // The same line read again has the same key: stored once.
            source_event_id: format!("{exim_id}:{recipient}:{flag}:{}", at.timestamp_millis()),
            recipient,
        })))
    }
}

/// The first word and the rest after one space.
fn word(text: &str) -> (&str, &str) {
    text.split_once(' ').unwrap_or((text, ""))
}

/// A line's time, Exim message id and what follows it; `None` for a line
/// that is no message's (connections, queue runs) or no Exim line at all.
fn head(line: &str) -> Option<(DateTime<Utc>, &str, &str)> {
    let (date, rest) = word(line);
    let (time, mut rest) = word(rest);
    if date.len() != 10 || !(8..=15).contains(&time.len()) {
        return None;
    }
    let mut zone = None;
    let (next, after) = word(rest);
    if let Some(offset) = offset(next) {
        zone = Some(offset);
        rest = after;
    }
    let (next, after) = word(rest);
    if next.len() > 2
        && let Some(pid) = next.strip_prefix('[').and_then(|p| p.strip_suffix(']'))
        && pid.bytes().all(|b| b.is_ascii_digit())
    {
        rest = after;
    }
    let (exim_id, rest) = word(rest);
    if !is_message_id(exim_id) {
        return None;
    }
    let naive = NaiveDateTime::parse_from_str(&format!("{date} {time}"), "%Y-%m-%d %H:%M:%S%.f").ok()?;
    let at = match zone {
        Some(zone) => zone.from_local_datetime(&naive).single()?.with_timezone(&Utc),
        None => Utc.from_utc_datetime(&naive),
    };
    Some((at, exim_id, rest))
}

/// `+0100` or `-0500` (`log_timezone`).
fn offset(word: &str) -> Option<FixedOffset> {
    let bytes = word.as_bytes();
    if bytes.len() != 5 || !bytes[1..].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sign = match bytes[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digit = |i: usize| i32::from(bytes[i] - b'0');
    let seconds = (digit(1) * 10 + digit(2)) * 3600 + (digit(3) * 10 + digit(4)) * 60;
    FixedOffset::east_opt(sign * seconds)
}

/// Exim's message id: three letter-and-digit parts joined by `-`
/// (`1vQxyz-000Abc-1x`, and the longer form of Exim 4.97).
fn is_message_id(word: &str) -> bool {
    word.len() <= 32
        && word.split('-').count() == 3
        && word
            .split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The `id=` (Message-ID) of an arrival line, without angle brackets.
fn header_id(fields: &str) -> Option<&str> {
    let at = fields.find(" id=")?;
    let (id, _) = word(&fields[at + " id=".len()..]);
    let id = id.strip_prefix('<').unwrap_or(id);
    let id = id.strip_suffix('>').unwrap_or(id);
    (!id.is_empty() && id.len() <= LONGEST_ID).then_some(id)
}

/// The address part after a flag: the delivered address (`first`), then
/// `(parent)` words and an `<original>`; it ends at the first other word,
/// or at a word ending in `:` (an error follows). Returns the delivered
/// address, the original, the rest, and whether a `:` ended the part.
fn addresses<'l>(first: &'l str, mut rest: &'l str) -> (&'l str, Option<&'l str>, &'l str, bool) {
    let mut colon = first.ends_with(':');
    let delivered = first.strip_suffix(':').unwrap_or(first);
    let mut original = None;
    while !colon {
        let (next, after) = word(rest);
        if !(next.starts_with('(') || next.starts_with('<')) {
            break;
        }
        let bare = next.strip_suffix(':');
        colon = bare.is_some();
        let bare = bare.unwrap_or(next);
        if bare.starts_with('<') {
            original = Some(bare);
        }
        rest = after;
    }
    (delivered, original, rest, colon)
}

/// The receiving host named by `H=name [ip]` (or `H=[ip]`).
fn host(fields: &str) -> Option<String> {
    let at = if fields.starts_with("H=") {
        0
    } else {
        fields.find(" H=")? + 1
    };
    let (name, _) = word(&fields[at + "H=".len()..]);
    let name = name.trim_end_matches(':');
    let name = match name.strip_prefix('[') {
        Some(literal) => literal.split(']').next().unwrap_or_default(),
        None => name,
    };
    (!name.is_empty()).then(|| name.to_owned())
}

/// The receiving server's confirmation, `C="250 2.0.0 OK ..."`.
fn confirmation(fields: &str) -> &str {
    let Some(at) = fields.find(" C=\"") else {
        return "";
    };
    let value = &fields[at + " C=\"".len()..];
    let mut escaped = false;
    for (i, byte) in value.bytes().enumerate() {
        match byte {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'"' => return &value[..i],
            _ => {}
        }
    }
    value
}

/// What a deferral or failure says.
struct Failure<'l> {
    stage: Option<Stage>,
    /// The server's reply, or Exim's own words when there is none.
    text: &'l str,
    /// The host an older Exim names inside the error (`host NAME [IP]:`).
    host: Option<String>,
}

/// Reads the error of a `==` or `**` line.
fn failure(detail: &str) -> Failure<'_> {
    if let Some(at) = detail.find("SMTP error from remote mail")
        && let Some((_, command_and_reply)) = detail[at..].split_once(" after ")
    {
        let (command, reply) = command_and_reply.split_once(": ").unwrap_or((command_and_reply, ""));
        // Exim before 4.80 names the host between the command and the reply.
        let (host, reply) = match reply.strip_prefix("host ").and_then(|r| r.split_once("]: ")) {
            Some((host, reply)) => (Some(word(host).0).filter(|h| !h.is_empty()).map(str::to_owned), reply),
            None => (None, reply),
        };
        return Failure {
            stage: command_stage(command),
            text: reply.trim(),
            host,
        };
    }
    let named = ["SMTP timeout after ", " in response to "]
        .iter()
        .find_map(|marker| detail.split_once(marker).map(|(_, command)| command_stage(command)));
    let stage = match named {
        Some(stage) => stage,
        None => OWN_WORDS
            .iter()
            .find(|(words, _)| detail.contains(words))
            .map(|(_, stage)| *stage),
    };
    Failure {
        stage,
        text: detail,
        host: None,
    }
}

/// The stage of the command Exim names (`pipelined RCPT TO:<x>`, `end of
/// data`, `initial connection`).
fn command_stage(command: &str) -> Option<Stage> {
    let command = command.trim_start();
    let command = command.strip_prefix("pipelined ").unwrap_or(command);
    if command.starts_with("initial connection") {
        Some(Stage::Greeting)
    } else if command.starts_with("end of data") || command.starts_with("sending data block") {
        Some(Stage::Data)
    } else {
        Stage::from_smtp_command(word(command).0)
    }
}

#[cfg(test)]
mod tests;
