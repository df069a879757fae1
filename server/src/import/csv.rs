//! Any CSV of delivery results with a header line: the columns are found
//! by their names (below, case and spaces ignored), or named with
//! `--column FIELD=HEADER`. Only the address is required. The separator
//! (`,`, `;` or tab) is read from the header line; a UTF-8 byte order mark
//! is skipped.
//!
//! Without a time column a row gets the time of the import; without a
//! result column every row is a failure (a bounce list); without an id
//! column a row's key is a hash of its cells, so the same file imported
//! again stores nothing new.

use bounce::delivery::{DeliveryResult, ResultKind};
use bounce::{EmailAddress, EnhancedStatus, ReplyCode};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

use super::short;

/// The fields a CSV can give, and the header names that mean each:
/// common names in ESP and MTA exports (English, Dutch, Norwegian, German).
const HEADERS: [(Field, &[&str]); 8] = [
    (
        Field::Email,
        &[
            "email",
            "e-mail",
            "emailaddress",
            "email address",
            "e-mailadres",
            "epost",
            "e-post",
            "recipient",
            "address",
            "to",
            "rcpt",
        ],
    ),
    (
        Field::Time,
        &[
            "time",
            "timestamp",
            "date",
            "datetime",
            "occurred_at",
            "bounced_at",
            "bounce date",
            "event time",
            "datum",
            "tidspunkt",
            "zeit",
        ],
    ),
    (
        Field::Campaign,
        &[
            "campaign",
            "campaign_id",
            "campaign id",
            "campagne",
            "kampanje",
            "mailing",
            "mailing_id",
        ],
    ),
    (
        Field::Code,
        &[
            "code",
            "reply code",
            "reply_code",
            "smtp code",
            "smtp_code",
            "response code",
        ],
    ),
    (
        Field::Status,
        &[
            "status",
            "enhanced status",
            "enhanced_status",
            "dsn",
            "dsn status",
            "status code",
        ],
    ),
    (
        Field::Text,
        &[
            "text",
            "diagnostic",
            "diagnostic code",
            "diagnostic_code",
            "reason",
            "bounce reason",
            "message",
            "description",
            "response",
            "error",
            "melding",
            "foutmelding",
        ],
    ),
    (
        Field::Result,
        &["result", "event", "type", "kind", "bounce type", "bounce_type"],
    ),
    (Field::Id, &["id", "event id", "event_id"]),
];

/// A field of a delivery result a column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Email,
    Time,
    Campaign,
    Code,
    Status,
    Text,
    Result,
    Id,
}

impl Field {
    /// The field by its name in `--column FIELD=HEADER`.
    pub fn named(name: &str) -> Option<Field> {
        Some(match name {
            "email" => Field::Email,
            "time" => Field::Time,
            "campaign" => Field::Campaign,
            "code" => Field::Code,
            "status" => Field::Status,
            "text" => Field::Text,
            "result" => Field::Result,
            "id" => Field::Id,
            _ => return None,
        })
    }
}

/// Which column holds which field.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Columns {
    found: Vec<(Field, usize)>,
}

impl Columns {
    /// Finds the columns in a header; `named` (from `--column`) wins over
    /// the names above. An error names what is missing.
    pub fn detect(header: &[&str], named: &[(Field, String)]) -> Result<Self, String> {
        let norm = |s: &str| s.trim().trim_matches('"').to_lowercase().replace(['_', '-'], " ");
        let cells: Vec<String> = header.iter().map(|h| norm(h)).collect();
        let mut found = Vec::new();
        for (field, header_name) in named {
            let at = cells
                .iter()
                .position(|c| *c == norm(header_name))
                .ok_or_else(|| format!("--column: the header has no column `{header_name}`"))?;
            found.push((*field, at));
        }
        for (field, names) in HEADERS {
            if found.iter().any(|(f, _)| *f == field) {
                continue;
            }
            if let Some(at) = cells.iter().position(|c| names.iter().any(|n| norm(n) == *c)) {
                found.push((field, at));
            }
        }
        if !found.iter().any(|(f, _)| *f == Field::Email) {
            return Err(format!(
                "no column holds the address: name it with --column email=HEADER (the header is: {})",
                header.join(", ").chars().take(200).collect::<String>()
            ));
        }
        Ok(Self { found })
    }

    fn get<'r>(&self, field: Field, record: &'r csv::StringRecord) -> &'r str {
        self.found
            .iter()
            .find(|(f, _)| *f == field)
            .and_then(|(_, at)| record.get(*at))
            .map(str::trim)
            .unwrap_or_default()
    }

    /// Whether a column holds `field` (the tests ask).
    #[cfg(test)]
    fn has(&self, field: Field) -> bool {
        self.found.iter().any(|(f, _)| *f == field)
    }
}

/// The separator a header line uses: the most frequent of `;`, `,` and tab.
pub fn separator(header: &str) -> u8 {
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| header.bytes().filter(|b| b == d).count())
        .unwrap_or(b',')
}

/// One row as a delivery result, or why it cannot be one.
pub fn row(columns: &Columns, record: &csv::StringRecord, now: DateTime<Utc>) -> Result<DeliveryResult, String> {
    let recipient: EmailAddress = columns
        .get(Field::Email, record)
        .parse()
        .map_err(|e: bounce::ParseError| format!("email: {}", e.problem))?;
    let at = match columns.get(Field::Time, record) {
        "" => now,
        t => time(t).ok_or_else(|| format!("time: `{}` is not a time such as 2026-11-30 10:00", short(t)))?,
    };
    let kind = match columns.get(Field::Result, record).to_lowercase().as_str() {
        "" | "bounce" | "bounced" | "hard" | "soft" | "hardbounce" | "softbounce" | "failed" | "failure"
        | "blocked" | "error" => ResultKind::Failed,
        "deferred" | "delayed" | "deferral" => ResultKind::Deferred,
        "delivered" | "delivery" | "sent" => ResultKind::Delivered,
        "complaint" | "spam" | "spamreport" | "abuse" => ResultKind::Complaint,
        other => {
            return Err(format!(
                "result: `{}` is not bounce, deferred, delivered or complaint",
                short(other)
            ));
        }
    };
    let text = columns.get(Field::Text, record);
    let code = columns.get(Field::Code, record);
    let campaign = columns.get(Field::Campaign, record);
    let campaign_id = match campaign {
        "" => None,
        c => Some(
            c.parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| format!("campaign: `{}` is not a campaign id", short(c)))?,
        ),
    };
    let key = match columns.get(Field::Id, record) {
        "" => format!("{:016x}", fnv1a(record)),
        id => id.to_owned(),
    };
    Ok(DeliveryResult {
        reply_code: ReplyCode::leading(code).or_else(|| ReplyCode::leading(text)),
        status: columns
            .get(Field::Status, record)
            .parse::<EnhancedStatus>()
            .ok()
            .or_else(|| EnhancedStatus::find_in(text)),
        text: text.to_owned(),
        remote_mta: None,
        stage: None,
        kind,
        at,
        campaign_id,
        campaign_tag: None,
        message_id: None,
        source: "csv".into(),
        source_event_id: key,
        recipient,
    })
}

/// Times as exports write them: RFC 3339, ISO with a space, a date alone,
/// day-first with `-`, `.` or `/` (Dutch, Norwegian, German), Unix seconds.
/// Times without a zone are taken as UTC.
fn time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    if !text.is_empty() && text.len() <= 12 && text.bytes().all(|b| b.is_ascii_digit()) {
        return DateTime::from_timestamp(text.parse().ok()?, 0);
    }
    const FORMATS: [&str; 8] = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%d-%m-%Y %H:%M:%S",
        "%d-%m-%Y %H:%M",
        "%d.%m.%Y %H:%M:%S",
        "%d.%m.%Y %H:%M",
        "%d/%m/%Y %H:%M",
    ];
    FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .or_else(|| {
            ["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(text, f).ok())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .and_then(|t| Utc.from_local_datetime(&t).single())
}

/// A stable 64-bit FNV-1a hash of a row's cells (the standard library's
/// hasher may change between releases; keys must not).
fn fnv1a(record: &csv::StringRecord) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for field in record.iter() {
        for byte in field.bytes().chain([0x1f]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

#[cfg(test)]
mod tests;
