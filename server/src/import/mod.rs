//! `bouncedesk import`: delivery results from files (MTA logs so far:
//! Postfix) through the classifier into the store, in batches, with the
//! same follow-up as every source: provider incidents found, then the
//! suppression policies applied.
//!
//! Input is read line by line with a bound on a line's length, so a
//! crafted file cannot take unbounded memory; a line that cannot be read is
//! counted and reported with its number, and the import goes on.

pub mod csv;
pub mod postfix;
pub mod postmark;
pub mod sendgrid;
pub mod ses;

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

use bounce::delivery::{self, DeliveryResult};
use chrono::{Datelike, Utc};
use clap::{Args, ValueEnum};
use store::{Ingested, Store};

use crate::ServerError;
use crate::cli::DatabaseArg;

/// What one piece of input holds.
#[derive(Debug, PartialEq)]
pub enum Item {
    /// A delivery result.
    Result(Box<DeliveryResult>),
    /// Something that is not a delivery result (an open, a click, a queue
    /// manager line): counted, not an error.
    Other,
}

/// Results stored per batch (one set of statements each).
const BATCH: usize = 2_000;
/// The longest line read (a webhook body is one line of JSON); a longer one
/// is rejected and skipped.
pub const MAX_LINE: usize = 16 << 20;
/// Rejected lines named in the summary (all are counted).
const SHOWN_REJECTS: usize = 20;

/// The input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Told from the start of each input (see [`detect`]).
    Auto,
    /// Postfix maillog (`status=sent|deferred|bounced|expired` lines).
    Postfix,
    /// SendGrid Event Webhook bodies: a JSON array of events per line (or
    /// one event object per line).
    Sendgrid,
    /// Amazon SES notifications, raw or wrapped by SNS, one per line.
    Ses,
    /// Postmark webhook bodies, one per line.
    Postmark,
    /// Any CSV with a header line (columns found by name or `--column`).
    Csv,
}

impl Format {
    /// The items of one line of input; an item that cannot be read says why.
    fn read(self, line: &str, year: i32) -> Vec<Result<Item, String>> {
        match self {
            Format::Postfix => vec![postfix::parse(line, year).map_err(|e| e.0)],
            Format::Sendgrid => sendgrid::parse(line),
            Format::Auto => vec![Err("the format was not told apart".into())],
            Format::Ses => ses::parse(line),
            Format::Postmark => postmark::parse(line),
            // Read by records, not lines (see `import_csv`).
            Format::Csv => vec![Err("CSV is read by records".into())],
        }
    }
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The format of the input; `auto` tells it from each input's start.
    #[arg(long, value_enum, default_value = "auto")]
    pub format: Format,
    /// Link every result to this campaign (by its id).
    #[arg(long)]
    pub campaign: Option<i64>,
    /// The year of syslog timestamps that carry none (`Nov 30 10:00:01`);
    /// this year when absent.
    #[arg(long)]
    pub year: Option<i32>,
    /// CSV: which header holds a field, as `FIELD=HEADER` (fields: email,
    /// time, campaign, code, status, text, result, id); the others are
    /// found by their usual names.
    #[arg(long = "column", value_name = "FIELD=HEADER")]
    pub columns: Vec<String>,
    /// Files to read; `-` for standard input.
    #[arg(required = true, value_name = "PATH|-")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub database: DatabaseArg,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub lines: u64,
    pub stored: u64,
    pub duplicates: u64,
    pub unlinked: u64,
    /// Lines that are not delivery results (counted, not errors).
    pub other: u64,
    pub rejected: u64,
    /// The first rejected lines: file, line number, why.
    pub rejects: Vec<String>,
    pub incidents: usize,
    pub blocks: usize,
    /// Time spent classifying and storing, and in the follow-up
    /// (incidents, policies).
    pub storing: std::time::Duration,
    pub following_up: std::time::Duration,
}

/// Runs `bouncedesk import`.
pub async fn run(args: ImportArgs) -> Result<(), ServerError> {
    let store = Store::connect(&args.database.database_url).await?;
    if let Some(id) = args.campaign
        && store.campaign_summary(id).await?.is_none()
    {
        return Err(ServerError::Usage(format!(
            "--campaign {id}: there is no such campaign"
        )));
    }
    let year = args.year.unwrap_or_else(|| Utc::now().year());
    let named = named_columns(&args.columns)?;
    let mut report = ImportReport::default();
    let started = std::time::Instant::now();
    for path in &args.paths {
        let name = path.display().to_string();
        let reader: Box<dyn Read> = if name == "-" {
            Box::new(std::io::stdin())
        } else {
            Box::new(std::fs::File::open(path).map_err(|e| ServerError::Input(format!("{name}: {e}")))?)
        };
        // Large enough to see a whole webhook body's first events.
        let mut reader = BufReader::with_capacity(64 * 1024, reader);
        let format = match args.format {
            Format::Auto => {
                let start = reader
                    .fill_buf()
                    .map_err(|e| ServerError::Input(format!("{name}: {e}")))?;
                let format = detect(start);
                eprintln!(
                    "{name}: read as {}",
                    format
                        .to_possible_value()
                        .map_or("?".to_owned(), |v| v.get_name().to_owned())
                );
                format
            }
            format => format,
        };
        if format == Format::Csv {
            import_csv(&store, reader, &name, args.campaign, &named, &mut report).await?;
        } else {
            import(&store, reader, &name, format, year, args.campaign, &mut report).await?;
        }
    }
    eprintln!(
        "{} lines in {:.1} s: {} events stored, {} already stored, {} without a campaign, \
         {} not delivery results, {} rejected; {} provider incidents, {} blocks recorded",
        report.lines,
        started.elapsed().as_secs_f64(),
        report.stored,
        report.duplicates,
        report.unlinked,
        report.other,
        report.rejected,
        report.incidents,
        report.blocks
    );
    for reject in &report.rejects {
        eprintln!("  rejected: {reject}");
    }
    Ok(())
}

/// Imports one input into the store, adding to `report`.
pub async fn import(
    store: &Store,
    mut reader: impl BufRead,
    name: &str,
    format: Format,
    year: i32,
    campaign: Option<i64>,
    report: &mut ImportReport,
) -> Result<(), ServerError> {
    let mut batch: Vec<DeliveryResult> = Vec::with_capacity(BATCH);
    let mut touched = Ingested::default();
    let mut buf = Vec::new();
    while let Some(read) = next_line(&mut reader, &mut buf).map_err(|e| ServerError::Input(format!("{name}: {e}")))? {
        report.lines += 1;
        let items = match read {
            Ok(line) => format.read(line, year),
            Err(why) => vec![Err(why)],
        };
        for item in items {
            match item {
                Ok(Item::Result(result)) => batch.push(*result),
                Ok(Item::Other) => report.other += 1,
                Err(why) => reject(report, &format!("{name} line"), report.lines, &why),
            }
        }
        if batch.len() >= BATCH {
            store_batch(store, &mut batch, campaign, report, &mut touched).await?;
        }
    }
    store_batch(store, &mut batch, campaign, report, &mut touched).await?;
    follow_up(store, &touched, report).await
}

/// A value from outside cut for an error message.
fn short(text: &str) -> String {
    text.chars().take(40).collect()
}

/// What tells the formats apart at the start of an input, in order: the
/// webhooks by their fields' names (SendGrid's `sg_event_id`, SES's
/// `notificationType` / `eventType` / SNS's `TopicArn`, Postmark's
/// `RecordType`), Postfix by its
/// daemons' names; anything else is read as CSV (whose header must then
/// name an address column, or the import says so).
const SIGNS: [(Format, &[&str]); 4] = [
    (Format::Sendgrid, &["\"sg_event_id\"", "\"sg_message_id\""]),
    (Format::Ses, &["\"notificationType\"", "\"eventType\"", "\"TopicArn\""]),
    (Format::Postmark, &["\"RecordType\""]),
    (
        Format::Postfix,
        &[
            " postfix/smtp[",
            " postfix/lmtp[",
            " postfix/local[",
            " postfix/qmgr[",
            " postfix/cleanup[",
        ],
    ),
];

/// The format of an input, from its first bytes.
pub fn detect(start: &[u8]) -> Format {
    let text = String::from_utf8_lossy(start);
    SIGNS
        .iter()
        .find(|(_, signs)| signs.iter().any(|s| text.contains(s)))
        .map_or(Format::Csv, |(format, _)| *format)
}

/// `--column FIELD=HEADER` options, checked.
fn named_columns(options: &[String]) -> Result<Vec<(csv::Field, String)>, ServerError> {
    options
        .iter()
        .map(|o| {
            let (field, header) = o
                .split_once('=')
                .ok_or_else(|| ServerError::Usage(format!("--column {o}: write FIELD=HEADER")))?;
            let field = csv::Field::named(field.trim()).ok_or_else(|| {
                ServerError::Usage(format!(
                    "--column {o}: `{field}` is not email, time, campaign, code, status, text, result or id"
                ))
            })?;
            Ok((field, header.to_owned()))
        })
        .collect()
}

/// Imports one CSV input: the header line, then record by record (a
/// quoted cell may span lines; no line may pass [`MAX_LINE`]).
pub async fn import_csv(
    store: &Store,
    mut reader: impl BufRead,
    name: &str,
    campaign: Option<i64>,
    named: &[(csv::Field, String)],
    report: &mut ImportReport,
) -> Result<(), ServerError> {
    let mut buf = Vec::new();
    let header = match next_line(&mut reader, &mut buf).map_err(|e| ServerError::Input(format!("{name}: {e}")))? {
        None => return Ok(()),
        Some(Err(why)) => return Err(ServerError::Input(format!("{name} line 1: {why}"))),
        Some(Ok(header)) => header.trim_start_matches('\u{feff}').to_owned(),
    };
    report.lines += 1;
    let separator = csv::separator(&header);
    let cells: Vec<String> = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(separator)
        .from_reader(header.as_bytes())
        .records()
        .next()
        .and_then(Result::ok)
        .map(|r| r.iter().map(str::to_owned).collect())
        .unwrap_or_default();
    let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
    let columns = csv::Columns::detect(&cells, named).map_err(|e| ServerError::Usage(format!("{name}: {e}")))?;
    let mut records = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(separator)
        .flexible(true)
        .from_reader(BoundedLines { inner: reader, run: 0 });
    let mut record = ::csv::StringRecord::new();
    let mut batch = Vec::with_capacity(BATCH);
    let mut touched = Ingested::default();
    let now = Utc::now();
    // Rows, not lines, are counted (a quoted cell may span lines); the
    // header is row 1.
    let mut row = 1;
    loop {
        row += 1;
        match records.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                report.lines += 1;
                match csv::row(&columns, &record, now) {
                    Ok(result) => batch.push(result),
                    Err(why) => reject(report, &format!("{name} row"), row, &why),
                }
            }
            Err(e) => match e.kind() {
                ::csv::ErrorKind::Io(io) => return Err(ServerError::Input(format!("{name} row {row}: {io}"))),
                _ => {
                    report.lines += 1;
                    reject(report, &format!("{name} row"), row, &e.to_string());
                }
            },
        }
        if batch.len() >= BATCH {
            store_batch(store, &mut batch, campaign, report, &mut touched).await?;
        }
    }
    store_batch(store, &mut batch, campaign, report, &mut touched).await?;
    follow_up(store, &touched, report).await
}

/// Counts a rejected piece of input; names the first ones (`place` is
/// `FILE line` or `FILE row`).
fn reject(report: &mut ImportReport, place: &str, at: u64, why: &str) {
    report.rejected += 1;
    if report.rejects.len() < SHOWN_REJECTS {
        report.rejects.push(format!("{place} {at}: {why}"));
    }
}

/// A reader that fails once a line grows past [`MAX_LINE`] bytes, so a CSV
/// record (which the csv crate holds whole) stays bounded.
struct BoundedLines<R> {
    inner: R,
    run: usize,
}

impl<R: Read> Read for BoundedLines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for byte in &buf[..n] {
            self.run = if *byte == b'\n' { 0 } else { self.run + 1 };
            if self.run > MAX_LINE {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("a line is longer than {MAX_LINE} bytes"),
                ));
            }
        }
        Ok(n)
    }
}

async fn store_batch(
    store: &Store,
    batch: &mut Vec<DeliveryResult>,
    campaign: Option<i64>,
    report: &mut ImportReport,
    touched: &mut Ingested,
) -> Result<(), ServerError> {
    if batch.is_empty() {
        return Ok(());
    }
    let started = std::time::Instant::now();
    let classified: Vec<_> = batch.drain(..).map(delivery::classify).collect();
    let done = store.ingest(&classified, campaign).await?;
    report.storing += started.elapsed();
    report.stored += done.stored;
    report.duplicates += done.duplicates;
    report.unlinked += done.unlinked;
    touched.campaigns.extend(done.campaigns);
    touched.contacts.extend(done.contacts);
    Ok(())
}

/// What every source's results lead to: incidents found in the campaigns
/// they touched, then the policies applied to the contacts they touched.
async fn follow_up(store: &Store, touched: &Ingested, report: &mut ImportReport) -> Result<(), ServerError> {
    let started = std::time::Instant::now();
    for campaign in &touched.campaigns {
        report.incidents += store
            .detect_incidents(*campaign, &bounce::incident::IncidentRule::default())
            .await?
            .len();
    }
    let contacts: Vec<i64> = touched.contacts.iter().copied().collect();
    if !contacts.is_empty() {
        let policy = store.policy().await?;
        report.blocks += store.apply_policies(&policy, &contacts, Utc::now()).await?;
    }
    report.following_up += started.elapsed();
    Ok(())
}

/// The next line (without its end), or why it cannot be read: not UTF-8,
/// or longer than [`MAX_LINE`] (the rest of it is skipped unread into
/// memory). `None` at the end of the input.
fn next_line<'b>(reader: &mut impl BufRead, buf: &'b mut Vec<u8>) -> std::io::Result<Option<Result<&'b str, String>>> {
    buf.clear();
    let read = reader.by_ref().take(MAX_LINE as u64 + 1).read_until(b'\n', buf)?;
    if read == 0 {
        return Ok(None);
    }
    if buf.len() > MAX_LINE && buf.last() != Some(&b'\n') {
        // Skip to the end of this line in bounded steps.
        let mut skip = Vec::new();
        loop {
            skip.clear();
            let n = reader.by_ref().take(64 * 1024).read_until(b'\n', &mut skip)?;
            if n == 0 || skip.last() == Some(&b'\n') {
                break;
            }
        }
        return Ok(Some(Err(format!("longer than {MAX_LINE} bytes"))));
    }
    while matches!(buf.last(), Some(b'\n' | b'\r')) {
        buf.pop();
    }
    Ok(Some(
        std::str::from_utf8(buf).map_err(|_| "is not UTF-8 text".to_owned()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_refused_without_reading_them_whole_and_the_next_is_read() {
        let mut input = vec![b'x'; MAX_LINE * 3];
        input.extend_from_slice(b"\nnext line\r\n");
        let mut reader = BufReader::new(input.as_slice());
        let mut buf = Vec::new();

        let first = next_line(&mut reader, &mut buf)
            .expect("read")
            .expect("a line")
            .map(str::to_owned);
        let second = next_line(&mut reader, &mut buf)
            .expect("read")
            .expect("a line")
            .map(str::to_owned);
        let end = next_line(&mut reader, &mut buf).expect("read").is_none();

        assert!(first.is_err_and(|e| e.contains("longer than")));
        assert_eq!(second.as_deref(), Ok("next line"));
        assert!(end);
        assert!(buf.capacity() <= MAX_LINE * 2 + 1, "the long line was not held whole");
    }

    #[test]
    fn formats_are_told_apart_by_their_start() {
        let fixture = |path: &str| std::fs::read(format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR")));

        assert_eq!(detect(&fixture("postfix/maillog").expect("fixture")), Format::Postfix);
        assert_eq!(
            detect(&fixture("sendgrid/events.ndjson").expect("fixture")),
            Format::Sendgrid
        );
        assert_eq!(detect(&fixture("csv/bounces.csv").expect("fixture")), Format::Csv);
        assert_eq!(
            detect(br#"{"Type":"Notification","TopicArn":"arn:aws:sns:eu-west-1:1:x","Message":"{}"}"#),
            Format::Ses
        );
        assert_eq!(detect(b""), Format::Csv);
    }

    #[test]
    fn bytes_that_are_not_text_are_refused_by_line() {
        let mut reader = BufReader::new(&b"ok\n\xff\xfe\n"[..]);
        let mut buf = Vec::new();

        let first = next_line(&mut reader, &mut buf)
            .expect("read")
            .expect("line")
            .map(str::to_owned);
        let second = next_line(&mut reader, &mut buf)
            .expect("read")
            .expect("line")
            .map(str::to_owned);

        assert_eq!(first.as_deref(), Ok("ok"));
        assert!(second.is_err());
    }
}
