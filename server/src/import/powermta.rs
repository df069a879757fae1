//! PowerMTA accounting files (CSV): a header line names the fields each
//! record carries (`type,timeLogged,timeQueued,orig,rcpt,...`, chosen by
//! `record-fields` in PowerMTA's configuration), then one record per
//! recipient and event, its first column the record type. Source:
//! PowerMTA User's Guide, "Accounting records" (the record types and
//! their fields) and "Encoding" (RFC 4180 CSV with a header line; a file
//! holding several record types has the union of their columns, empty
//! where a type has no such field), and its list of bounce categories.
//!
//! | type | here | fields read |
//! |---|---|---|
//! | `d` (delivery) | delivered, at DATA | `rcpt`, `timeLogged`, `dsnStatus`, `dsnDiag` (`smtp;250 ...`), `dsnMta` |
//! | `b` (bounce) | failed | the same, and `bounceCat` for the stage only |
//! | `t` (transient: a failed attempt PowerMTA retries) | deferred | the same |
//! | `rb` (remote bounce: a bounce message received after the message was accepted) | failed, after delivery | the same |
//! | `f` (feedback loop report) | complaint; a `feedbackType` that is no complaint (`not-spam`, `auth-failure`) is not a delivery result | `rcpt`, `timeLogged`, `feedbackType` |
//! | `r` (received), `tq` (transient queue), `rs` (remote status) and any other | not a delivery result | |
//!
//! The text is `dsnDiag` without its diagnostic type (`smtp;`); the
//! enhanced status is the first word of `dsnStatus` (`5.1.1 (bad
//! destination mailbox address)`), else found in the text; the reply code
//! leads the text. The remote MTA is the host of `dsnMta` (`dns;mx.example.com
//! (192.0.2.25)`), else `dlvDestinationIp`. `bounceCat` is PowerMTA's own
//! guess, not the server's words, so it never enters the text; it gives
//! the stage of a failure only when the diagnostic is PowerMTA's own (no
//! server reply, or `[internal]`) and its words name none: `bad-domain`
//! and `routing-errors` the DNS lookup, `no-answer-from-host` the
//! connection. A server's reply carries no stage: PowerMTA does not say
//! which command it answered.
//!
//! Campaign: `jobId` (PowerMTA's job, set by the injecting application)
//! is the campaign tag; a bouncedesk campaign id is read from a column
//! naming `campaign_id` (a message header logged as
//! `header_X-Campaign-ID` or `header_Campaign-Id`, or `campaign_id`).
//! `envId` is not read as a campaign: it is the message's DSN envelope
//! id, which senders set per message. `header_Message-Id` is the
//! Message-ID. PowerMTA has no event id: the key is the record type,
//! `jobId`, Message-ID (else `envId`), recipient and time.
//!
//! Times are PowerMTA's `YYYY-MM-DD HH:MM:SS±hhmm`, Unix seconds (older
//! versions), or RFC 3339; a time without a zone is UTC. A record is read
//! from one line: a quoted cell holding a line break is not supported.

use bounce::delivery::{DeliveryResult, ResultKind};
use bounce::{EmailAddress, EnhancedStatus, ReplyCode, Stage};
use chrono::{DateTime, NaiveDateTime, Utc};

use super::bare_id;
use super::{Item, short};

/// What tells a PowerMTA accounting file apart at the start of an input:
/// its header's field names.
pub const SIGNS: &[&str] = &["type,timeLogged,", "dsnDiag", "bounceCat", "dlvSourceIp"];

/// The `source` of the results read here.
pub const SOURCE: &str = "powermta";

/// PowerMTA's own words in a diagnostic (lower case), and the stage each
/// means; the first found wins ("no MXs ... could be reached" is a
/// connection failure, not a lookup failure).
const OWN_WORDS: [(&str, Stage); 9] = [
    ("could be reached", Stage::Connect),
    ("connection refused", Stage::Connect),
    ("connection timed out", Stage::Connect),
    ("no route to host", Stage::Connect),
    ("network is unreachable", Stage::Connect),
    ("unable to connect", Stage::Connect),
    ("domain lookup failed", Stage::Dns),
    ("no mx or a", Stage::Dns),
    ("host or domain name not found", Stage::Dns),
];

/// Reads an accounting file line by line: a header line (first cell
/// `type`) sets the columns, for the records after it; a file may repeat
/// the header (files joined together), each header replacing the last.
#[derive(Debug, Default)]
pub struct Reader {
    columns: Option<Columns>,
}

/// Where each field read sits in the records (by the last header).
#[derive(Debug, Default)]
struct Columns {
    time: Option<usize>,
    rcpt: Option<usize>,
    dsn_status: Option<usize>,
    dsn_diag: Option<usize>,
    dsn_mta: Option<usize>,
    bounce_cat: Option<usize>,
    destination_ip: Option<usize>,
    job_id: Option<usize>,
    env_id: Option<usize>,
    feedback_type: Option<usize>,
    message_id: Option<usize>,
    campaign_id: Option<usize>,
}

impl Columns {
    fn from_header(cells: &::csv::StringRecord) -> Self {
        let mut c = Columns::default();
        for (i, name) in cells.iter().enumerate() {
            let name = name.trim().to_ascii_lowercase();
            let slot = match name.as_str() {
                "timelogged" => &mut c.time,
                "rcpt" => &mut c.rcpt,
                "dsnstatus" => &mut c.dsn_status,
                "dsndiag" => &mut c.dsn_diag,
                "dsnmta" => &mut c.dsn_mta,
                "bouncecat" => &mut c.bounce_cat,
                "dlvdestinationip" => &mut c.destination_ip,
                "jobid" => &mut c.job_id,
                "envid" => &mut c.env_id,
                "feedbacktype" => &mut c.feedback_type,
                "header_message-id" => &mut c.message_id,
                other if names_campaign_id(other) => &mut c.campaign_id,
                _ => continue,
            };
            // The first column of a name counts.
            if slot.is_none() {
                *slot = Some(i);
            }
        }
        c
    }
}

/// Whether a (lower-case) column name is a campaign id: `campaign_id`,
/// or a logged header `X-Campaign-ID` / `Campaign-Id`.
fn names_campaign_id(name: &str) -> bool {
    let name = name.strip_prefix("header_").unwrap_or(name);
    let name = name.strip_prefix("x-").unwrap_or(name);
    name.len() == "campaign_id".len()
        && name
            .bytes()
            .zip("campaign_id".bytes())
            .all(|(a, b)| a == b || (a == b'-' && b == b'_'))
}

impl Reader {
    /// A reader that has seen no header yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The items of one line: none for a header or an empty line, else the
    /// record's (or why it cannot be read, naming the column).
    pub fn line(&mut self, line: &str) -> Vec<Result<Item, String>> {
        let line = line.trim_start_matches('\u{feff}');
        if line.trim().is_empty() {
            return Vec::new();
        }
        let cells = match cells(line) {
            Ok(cells) => cells,
            Err(why) => return vec![Err(why)],
        };
        let kind = cells.get(0).map(str::trim).unwrap_or_default();
        if kind.eq_ignore_ascii_case("type") {
            let columns = Columns::from_header(&cells);
            let missing: Vec<&str> = [("timeLogged", columns.time), ("rcpt", columns.rcpt)]
                .iter()
                .filter(|(_, at)| at.is_none())
                .map(|(name, _)| *name)
                .collect();
            self.columns = Some(columns);
            return match missing.as_slice() {
                [] => Vec::new(),
                names => vec![Err(format!(
                    "the header has no `{}` column: no record can be read",
                    names.join("`, `")
                ))],
            };
        }
        let Some(columns) = &self.columns else {
            return vec![Err(
                "the header line (`type,timeLogged,...`) is missing before this record".into(),
            )];
        };
        vec![record(columns, &cells)]
    }
}

/// The cells of one CSV line (RFC 4180 quoting).
fn cells(line: &str) -> Result<::csv::StringRecord, String> {
    // Sized to the line: the default 8 KiB buffer, made for every line,
    // would cost more than the line.
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(line.len() + 1)
        .from_reader(line.as_bytes());
    let mut record = ::csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(_) => Ok(record),
        Err(e) => Err(format!("is not a CSV record: {e}")),
    }
}

/// A cell of a record, empty when the header has no such column or the
/// record is shorter.
fn cell(cells: &::csv::StringRecord, at: Option<usize>) -> &str {
    at.and_then(|i| cells.get(i)).map(str::trim).unwrap_or_default()
}

fn record(c: &Columns, cells: &::csv::StringRecord) -> Result<Item, String> {
    let cell = move |at: Option<usize>| cell(cells, at);
    let kind_cell = cells.get(0).map(str::trim).unwrap_or_default();
    let (kind, code) = match kind_cell {
        "d" | "delivery" => (ResultKind::Delivered, "d"),
        "b" | "bounce" => (ResultKind::Failed, "b"),
        "t" | "transient" => (ResultKind::Deferred, "t"),
        "rb" | "remote-bounce" => (ResultKind::Failed, "rb"),
        "f" | "feedback-loop" => match cell(c.feedback_type).to_ascii_lowercase().as_str() {
            "" | "abuse" | "fraud" | "virus" | "other" => (ResultKind::Complaint, "f"),
            _ => return Ok(Item::Other),
        },
        "" => return Err("column `type` is empty".into()),
        // Receipts, queue notices, remote status reports: no delivery result.
        _ => return Ok(Item::Other),
    };
    let rcpt = required(c.rcpt, "rcpt", cells)?;
    let recipient: EmailAddress = without_type(rcpt)
        .parse()
        .map_err(|e: bounce::ParseError| format!("column `rcpt`: {}", e.problem))?;
    let logged = required(c.time, "timeLogged", cells)?;
    let at = time(logged).ok_or_else(|| format!("column `timeLogged`: `{}` is not a time", short(logged)))?;
    let text = without_type(cell(c.dsn_diag));
    let status = cell(c.dsn_status)
        .split_whitespace()
        .next()
        .and_then(|s| s.parse::<EnhancedStatus>().ok())
        .or_else(|| EnhancedStatus::find_in(text));
    let remote_mta = without_type(cell(c.dsn_mta))
        .split_whitespace()
        .next()
        .map(|host| host.trim_matches(|c: char| c == '[' || c == ']'))
        .filter(|host| !host.is_empty())
        .or_else(|| Some(cell(c.destination_ip)).filter(|ip| !ip.is_empty()))
        .map(str::to_owned);
    let stage = match (kind, code) {
        (ResultKind::Delivered, _) => Some(Stage::Data),
        (_, "rb") => Some(Stage::AfterDelivery),
        (ResultKind::Complaint, _) => None,
        _ => failure_stage(text, cell(c.bounce_cat)),
    };
    let message_id = bare_id(cell(c.message_id));
    let id = message_id.clone().unwrap_or_else(|| cell(c.env_id).to_owned());
    let job = cell(c.job_id);
    let campaign_id = cell(c.campaign_id).parse::<i64>().ok().filter(|id| *id > 0);
    Ok(Item::Result(Box::new(DeliveryResult {
        reply_code: ReplyCode::leading(text),
        status,
        text: text.to_owned(),
        remote_mta,
        stage,
        kind,
        at,
        campaign_id,
        campaign_tag: Some(job).filter(|j| !j.is_empty()).map(str::to_owned),
        message_id,
        source: SOURCE.into(),
        source_event_id: format!("{code}:{job}:{id}:{recipient}:{}", at.timestamp()),
        recipient,
    })))
}

/// A cell that must be there and not empty, or why not (naming the column).
fn required<'r>(at: Option<usize>, name: &str, cells: &'r ::csv::StringRecord) -> Result<&'r str, String> {
    let Some(at) = at else {
        return Err(format!("the header has no `{name}` column"));
    };
    match cells.get(at).map(str::trim) {
        Some(value) if !value.is_empty() => Ok(value),
        _ => Err(format!("column `{name}` is empty")),
    }
}

/// Where a failure happened, from PowerMTA's own diagnostic: its words,
/// else its bounce category. `None` for a server's reply.
fn failure_stage(text: &str, bounce_cat: &str) -> Option<Stage> {
    let own = text.contains("[internal]") || ReplyCode::leading(text).is_none();
    if !own {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    OWN_WORDS
        .iter()
        .find(|(words, _)| lower.contains(words))
        .map(|(_, stage)| *stage)
        .or(match bounce_cat {
            "bad-domain" | "routing-errors" => Some(Stage::Dns),
            "no-answer-from-host" => Some(Stage::Connect),
            _ => None,
        })
}

/// A DSN field without its type (`smtp;550 ...`, `dns;mx.example.com`,
/// `rfc822;a@b.example`, `x-...;`): a text with another word before a
/// `;` is kept whole.
fn without_type(value: &str) -> &str {
    match value.split_once(';') {
        Some((kind, rest))
            if ["smtp", "dns", "rfc822", "utf-8"]
                .iter()
                .any(|known| kind.trim().eq_ignore_ascii_case(known))
                || (kind.get(..2).is_some_and(|x| x.eq_ignore_ascii_case("x-")) && !kind.contains(' ')) =>
        {
            rest.trim()
        }
        _ => value,
    }
}

/// `timeLogged`: `YYYY-MM-DD HH:MM:SS±hhmm`, Unix seconds, RFC 3339, or
/// `YYYY-MM-DD HH:MM:SS` (UTC).
fn time(value: &str) -> Option<DateTime<Utc>> {
    if !value.is_empty() && value.len() <= 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse().ok().and_then(|s| DateTime::from_timestamp(s, 0));
    }
    DateTime::parse_from_str(value, "%Y-%m-%d %H:%M:%S%z")
        .or_else(|_| DateTime::parse_from_str(value, "%Y-%m-%d %H:%M:%S %z"))
        .or_else(|_| DateTime::parse_from_rfc3339(value))
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(value, "%Y-%m-%d %H:%M:%S")
                .ok()
                .map(|t| t.and_utc())
        })
}

#[cfg(test)]
mod tests;
