//! Exports of bounced contacts with their return reasons: one row per
//! contact, describing its latest failure, as CSV that Excel opens correctly
//! or as JSON Lines. Formatting only: the caller streams the bytes.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::{BounceClass, EnhancedStatus, ParseError, Reason, ReplyCode, Stage};

/// The columns, in the order every export writes them.
pub const COLUMNS: [&str; 11] = [
    "email",
    "campaign",
    "last_failure_at",
    "stage",
    "reply_code",
    "status",
    "diagnostic",
    "reason",
    "category",
    "class",
    "failures",
];

/// One contact and its latest failure (empty fields when it never failed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportRow {
    pub email: String,
    pub campaign: Option<String>,
    pub last_failure_at: Option<DateTime<Utc>>,
    pub stage: Option<Stage>,
    pub reply_code: Option<ReplyCode>,
    pub status: Option<EnhancedStatus>,
    /// The remote server's own words. Hostile: neutralised in CSV.
    pub diagnostic: Option<String>,
    pub reason: Option<Reason>,
    pub class: Option<BounceClass>,
    /// How many failed sends the contact has.
    pub failures: i64,
}

impl ExportRow {
    fn cells(&self) -> [String; 11] {
        let opt = |v: Option<String>| v.unwrap_or_default();
        [
            self.email.clone(),
            opt(self.campaign.clone()),
            opt(self
                .last_failure_at
                .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))),
            opt(self.stage.map(|s| s.as_str().to_owned())),
            opt(self.reply_code.map(|c| c.to_string())),
            opt(self.status.map(|s| s.to_string())),
            opt(self.diagnostic.clone()),
            opt(self.reason.map(|r| r.as_str().to_owned())),
            opt(self.reason.map(|r| r.category().as_str().to_owned())),
            opt(self.class.map(|c| c.as_str().to_owned())),
            self.failures.to_string(),
        ]
    }
}

/// A contact a selection picked, with its latest failure: one line of the
/// builder's sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectedContact {
    pub contact_id: i64,
    pub row: ExportRow,
}

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportFormat {
    /// CSV for spreadsheets, with the given delimiter (`,` or `;`).
    Csv { delimiter: Delimiter },
    /// One JSON object per line.
    JsonLines,
}

impl ExportFormat {
    /// Parses `csv` / `jsonl` and a delimiter (`,`, `;`, or empty for `,`).
    pub fn parse(format: &str, delimiter: &str) -> Result<Self, ParseError> {
        match format.trim() {
            "csv" => Ok(ExportFormat::Csv {
                delimiter: delimiter.parse()?,
            }),
            "jsonl" | "ndjson" => Ok(ExportFormat::JsonLines),
            other => Err(ParseError::at("format", other, "is not an export format (csv, jsonl)")),
        }
    }

    /// The media type to send it with.
    pub const fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv { .. } => "text/csv; charset=utf-8",
            ExportFormat::JsonLines => "application/x-ndjson",
        }
    }

    /// The file name ending.
    pub const fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv { .. } => "csv",
            ExportFormat::JsonLines => "jsonl",
        }
    }

    /// What goes before the first row: for CSV the byte-order mark (without
    /// it Excel reads UTF-8 as the local code page and mangles ø, é, 日本)
    /// and the header line.
    pub fn header(self) -> Vec<u8> {
        self.header_for(&COLUMNS)
    }

    /// The header for any list of columns (the suppression list's export too).
    pub fn header_for(self, columns: &[&str]) -> Vec<u8> {
        match self {
            ExportFormat::Csv { delimiter } => {
                let mut out = "\u{feff}".as_bytes().to_vec();
                push_csv_line(&mut out, columns.iter().map(|c| (*c).to_owned()), delimiter.as_char());
                out
            }
            ExportFormat::JsonLines => Vec::new(),
        }
    }

    /// Appends one contact's row.
    pub fn write_row(self, row: &ExportRow, out: &mut Vec<u8>) {
        // CSV needs the text alone: no JSON values built for each cell.
        if let ExportFormat::Csv { delimiter } = self {
            return push_csv_line(
                out,
                row.cells().into_iter().map(|c| neutralise(&c)),
                delimiter.as_char(),
            );
        }
        let values = COLUMNS.iter().zip(row.cells()).map(|(name, cell)| {
            let json = match *name {
                "failures" => serde_json::Value::from(row.failures),
                "reply_code" => row.reply_code.map_or(serde_json::Value::Null, |c| c.get().into()),
                _ if cell.is_empty() && *name != "email" => serde_json::Value::Null,
                _ => serde_json::Value::from(cell.clone()),
            };
            (cell, json)
        });
        self.write_cells(&COLUMNS, values, out);
    }

    /// Appends one record of text cells (neutralised in CSV) with the JSON
    /// value of each for JSON Lines, in the order of `columns`.
    pub fn write_cells(
        self,
        columns: &[&str],
        cells: impl Iterator<Item = (String, serde_json::Value)>,
        out: &mut Vec<u8>,
    ) {
        match self {
            ExportFormat::Csv { delimiter } => {
                push_csv_line(out, cells.map(|(text, _)| neutralise(&text)), delimiter.as_char())
            }
            ExportFormat::JsonLines => {
                // Written by hand so the keys keep the column order whatever
                // serde_json's map features; serde_json escapes control
                // characters and line breaks, so a diagnostic never splits a line.
                out.push(b'{');
                for (i, (name, (_, value))) in columns.iter().zip(cells).enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(format!("\"{name}\":{value}").as_bytes());
                }
                out.push(b'}');
                out.push(b'\n');
            }
        }
    }
}

/// The columns of the suppression list's export.
pub const SUPPRESSION_COLUMNS: [&str; 6] = ["email", "reason", "source", "rule", "created_at", "expires_at"];

/// One suppression as export cells (text, JSON value).
pub fn suppression_cells(row: &crate::contact::SuppressionRow) -> impl Iterator<Item = (String, serde_json::Value)> {
    let time = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let text = |v: Option<String>| match v {
        Some(v) => (v.clone(), serde_json::Value::from(v)),
        None => (String::new(), serde_json::Value::Null),
    };
    [
        text(Some(row.email.clone())),
        text(Some(row.reason.clone())),
        text(Some(row.source.clone())),
        text(row.rule.clone()),
        text(Some(time(row.created_at))),
        text(row.expires_at.map(time)),
    ]
    .into_iter()
}

/// The CSV field separator: `,` by default, `;` where Excel's locale uses a
/// decimal comma (the Netherlands, Norway, Germany, France).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Delimiter {
    #[default]
    Comma,
    Semicolon,
}

impl Delimiter {
    /// The character.
    pub const fn as_char(self) -> char {
        match self {
            Delimiter::Comma => ',',
            Delimiter::Semicolon => ';',
        }
    }
}

impl FromStr for Delimiter {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "" | "," | "comma" => Ok(Delimiter::Comma),
            ";" | "semicolon" => Ok(Delimiter::Semicolon),
            other => Err(ParseError::at("delimiter", other, "is not `,` or `;`")),
        }
    }
}

impl fmt::Display for Delimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_char())
    }
}

/// Makes a cell safe to open in a spreadsheet: text that begins with `=`,
/// `+`, `-`, `@`, a tab or a carriage return would be read as a formula
/// (OWASP "CSV injection"), so it gets a leading apostrophe, which Excel and
/// LibreOffice show as text. A remote server's words are the attacker's to
/// choose: `550 =HYPERLINK("http://evil", "click")` is a valid reply.
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

/// Writes one CSV record (RFC 4180 quoting, CRLF line end). A field is
/// quoted when it holds the delimiter, a quote, CR or LF; quotes inside are doubled.
fn push_csv_line(out: &mut Vec<u8>, cells: impl Iterator<Item = String>, delimiter: char) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.extend_from_slice(delimiter.to_string().as_bytes());
        }
        if cell.contains([delimiter, '"', '\r', '\n']) {
            out.push(b'"');
            out.extend_from_slice(cell.replace('"', "\"\"").as_bytes());
            out.push(b'"');
        } else {
            out.extend_from_slice(cell.as_bytes());
        }
    }
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests;
