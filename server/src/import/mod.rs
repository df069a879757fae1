//! `bouncedesk import`: delivery results from MTA logs, ESP webhook
//! bodies, CSV files and bounce mailboxes through the classifier into the
//! store, in batches, with the same follow-up as every source: provider
//! incidents found, then the suppression policies applied. The HTTP routes
//! (`crate::intake`) use the same parsers and the same storing.
//!
//! Input is read line by line with a bound on a line's length (messages
//! with a bound on a message's), so a crafted file cannot take unbounded
//! memory; a line that cannot be read is counted and reported with its
//! number, and the import goes on.

pub mod brevo;
pub mod csv;
pub mod exim;
mod format;
pub mod json;
pub mod kumomta;
mod lines;
pub mod mailbox;
pub mod mailerq;
pub mod mailgun;
pub mod mailjet;
pub mod mandrill;
pub mod messages;
pub mod postfix;
pub mod postmark;
pub mod powermta;
pub mod progress;
mod queue_ids;
pub mod sendgrid;
pub mod ses;
pub mod signature;
pub mod sns;
pub mod sparkpost;
#[cfg(test)]
mod test_support;

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

use bounce::delivery::{self, DeliveryResult};
use bounce::intake::ImportState;
use chrono::{Datelike, Utc};
use clap::Args;
use store::{ImportCounts, Store};

pub use self::format::{Format, LineReader, detect};
pub use self::lines::MAX_LINE;
use self::lines::{BoundedLines, next_line};
use self::progress::{Counted, Counter, Progress, Recording};
use crate::ServerError;
use crate::cli::DatabaseArg;
use crate::error::short;

/// What one piece of input holds.
#[derive(Debug, PartialEq)]
pub enum Item {
    /// A delivery result.
    Result(Box<DeliveryResult>),
    /// Something that is not a delivery result (an open, a click, a queue
    /// manager line): counted, not an error.
    Other,
}

/// Results stored per batch, each in one transaction.
pub const BATCH: usize = 10_000;
/// Rejected pieces of input named (in the summary, an import's row, a
/// refused POST's answer); all are counted.
const SHOWN_REJECTS: usize = 20;

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
    /// Time spent classifying, storing, and in the follow-up (incidents,
    /// policies).
    pub classifying: std::time::Duration,
    pub storing: std::time::Duration,
    pub following_up: std::time::Duration,
    /// Shown as batches are stored, when set.
    pub progress: Option<Progress>,
    /// Recorded in the import's row as batches are stored, when set.
    pub recording: Option<Recording>,
}

impl ImportReport {
    /// What it did so far, as an import's row keeps it; `bytes_read` as
    /// the caller counted.
    pub fn counts(&self, bytes_read: i64) -> ImportCounts {
        let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        ImportCounts {
            bytes_read,
            stored: n(self.stored),
            duplicates: n(self.duplicates),
            unlinked: n(self.unlinked),
            other: n(self.other),
            rejected: n(self.rejected),
            rejects: self.rejects.clone(),
        }
    }

    /// Counts a rejected piece of input; keeps why for the first
    /// [`SHOWN_REJECTS`].
    pub fn reject(&mut self, why: impl std::fmt::Display) {
        self.rejected += 1;
        if self.rejects.len() < SHOWN_REJECTS {
            self.rejects.push(why.to_string());
        }
    }
}

/// Runs `bouncedesk import`.
pub async fn run(args: ImportArgs) -> Result<(), ServerError> {
    let store = Store::connect(&args.database.database_url).await?;
    check_campaign(&store, args.campaign, |id| {
        ServerError::Usage(format!("--campaign {id}: there is no such campaign"))
    })
    .await?;
    let opts = Options {
        format: args.format,
        campaign: args.campaign,
        year: args.year.unwrap_or_else(|| Utc::now().year()),
        columns: named_columns(&args.columns)?,
    };
    let mut report = ImportReport::default();
    let started = std::time::Instant::now();
    for path in &args.paths {
        let name = path.display().to_string();
        let detail = format!("{name} ({})", opts.format.name());
        crate::admin::audit_cli(&store, bounce::account::AuditAction::Import, &detail).await?;
        import_path(&store, path, &name, &opts, &mut report).await?;
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

/// Refuses a campaign id (to link every result to) that names no
/// campaign, before anything is read; `missing` makes the caller's error.
pub async fn check_campaign(
    store: &Store,
    campaign: Option<i64>,
    missing: impl FnOnce(i64) -> ServerError,
) -> Result<(), ServerError> {
    if let Some(id) = campaign
        && store.campaign_summary(id).await?.is_none()
    {
        return Err(missing(id));
    }
    Ok(())
}

/// How to read the inputs of one import.
#[derive(Debug, Clone)]
pub struct Options {
    pub format: Format,
    /// Link every result to this campaign.
    pub campaign: Option<i64>,
    /// The year of syslog timestamps that carry none.
    pub year: i32,
    /// CSV columns named by `--column`.
    pub columns: Vec<(csv::Field, String)>,
}

/// Imports one path (`-` for standard input; a folder is a Maildir),
/// shown as `name`, and records it as an import (progress while it runs,
/// what it did when it ends) for the upload page's history.
pub async fn import_path(
    store: &Store,
    path: &std::path::Path,
    name: &str,
    opts: &Options,
    report: &mut ImportReport,
) -> Result<(), ServerError> {
    let input = |e: std::io::Error| ServerError::Input(format!("{name}: {e}"));
    let counter = Counter::default();
    let is_folder = path.is_dir();
    let (reader, total): (Box<dyn Read + Send>, Option<u64>) = if is_folder {
        if !matches!(opts.format, Format::Auto | Format::Maildir) {
            return Err(ServerError::Usage(format!(
                "{name} is a folder: only --format maildir reads folders"
            )));
        }
        (Box::new(std::io::empty()), None)
    } else if path.as_os_str() == "-" {
        (Box::new(std::io::stdin()), None)
    } else {
        let file = std::fs::File::open(path).map_err(input)?;
        let total = file.metadata().ok().map(|m| m.len());
        (Box::new(file), total)
    };
    // Large enough to see a whole webhook body's first events.
    let mut reader = BufReader::with_capacity(64 * 1024, Counted::new(reader, counter.clone()));
    let format = match opts.format {
        _ if is_folder => Format::Maildir,
        Format::Auto => detect(reader.fill_buf().map_err(input)?),
        format => format,
    };
    eprintln!("{name}: read as {}", format.name());
    let total_bytes = total.and_then(|t| i64::try_from(t).ok());
    let id = store
        .start_import(name, format.name(), opts.campaign, total_bytes, Utc::now())
        .await?;
    let before = report.counts(0);
    report.progress = Some(Progress::new(name, total, counter.clone()));
    report.recording = Some(Recording::new(id, counter.clone()));
    let done = match format {
        Format::Csv => import_csv(store, reader, name, opts.campaign, &opts.columns, report).await,
        Format::Maildir if is_folder => match messages::maildir(path) {
            Ok(messages) => messages::import(store, messages, name, opts.campaign, report).await,
            Err(why) => Err(ServerError::Input(why)),
        },
        Format::Maildir => Err(ServerError::Usage(format!("{name}: --format maildir reads a folder"))),
        Format::Eml | Format::Mbox => {
            messages::import(store, messages::Messages::mbox(reader), name, opts.campaign, report).await
        }
        format => import(store, reader, name, format, opts.year, opts.campaign, report).await,
    };
    if let Some(progress) = report.progress.take() {
        progress.finish();
    }
    report.recording = None;
    let read = i64::try_from(counter.get()).unwrap_or(i64::MAX);
    let counts = report.counts(read).since(&before);
    let end = match &done {
        Ok(()) => (ImportState::Done, None),
        Err(e) => (ImportState::Failed, Some(e.to_string())),
    };
    store
        .record_import(id, &counts, Some((end.0, end.1.as_deref())), Utc::now())
        .await?;
    done
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
    let mut batcher = Batcher::new(campaign);
    let mut buf = Vec::new();
    let mut lines = format.reader(year);
    let place = format!("{name} line");
    while let Some(read) = next_line(&mut reader, &mut buf).map_err(|e| ServerError::Input(format!("{name}: {e}")))? {
        report.lines += 1;
        let items = match read {
            Ok(line) => lines.line(line),
            Err(why) => vec![Err(why)],
        };
        let index = report.lines;
        batcher.take(items, report, &place, index);
        batcher.store_when_full(store, report).await?;
    }
    batcher.finish(store, report).await
}

/// Results on their way to the store, [`BATCH`] at a time (each batch notes
/// the follow-up it calls for, done once the input is read): the one loop of
/// every file import.
pub(crate) struct Batcher {
    batch: Vec<DeliveryResult>,
    campaign: Option<i64>,
}

impl Batcher {
    pub(crate) fn new(campaign: Option<i64>) -> Self {
        Batcher {
            batch: Vec::with_capacity(BATCH),
            campaign,
        }
    }

    /// Sorts the items of one piece of input (`place` `index`: a line, a
    /// message): results batched, other events counted, unreadable ones
    /// rejected.
    pub(crate) fn take(
        &mut self,
        items: Vec<Result<Item, String>>,
        report: &mut ImportReport,
        place: &str,
        index: u64,
    ) {
        for item in items {
            match item {
                Ok(Item::Result(result)) => self.batch.push(*result),
                Ok(Item::Other) => report.other += 1,
                Err(why) => reject(report, place, index, &why),
            }
        }
    }

    /// Adds one result.
    pub(crate) fn push(&mut self, result: DeliveryResult) {
        self.batch.push(result);
    }

    /// Stores the batch once it is full.
    pub(crate) async fn store_when_full(
        &mut self,
        store: &Store,
        report: &mut ImportReport,
    ) -> Result<(), ServerError> {
        if self.batch.len() >= BATCH {
            store_batch(store, &mut self.batch, self.campaign, report).await?;
        }
        Ok(())
    }

    /// Stores what is left, then the follow-up.
    pub(crate) async fn finish(mut self, store: &Store, report: &mut ImportReport) -> Result<(), ServerError> {
        store_batch(store, &mut self.batch, self.campaign, report).await?;
        follow_up(store, report).await
    }
}

/// A bouncedesk campaign id as a source carries it (a custom argument,
/// metadata, a user variable, a tag): a JSON number, or a number in text
/// (quoted once more, as some ESPs send custom values), above zero.
pub fn campaign_id(value: &serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().trim_matches('"').parse().ok(),
        _ => None,
    }
    .filter(|id| *id > 0)
}

/// The events of one line of a JSON-posting ESP: an array of events, each
/// read by `event` with its index, or one event object; `not_events` says
/// what else the line should have been.
pub(crate) fn json_events(
    line: &str,
    not_events: &str,
    event: impl Fn(&serde_json::Value, Option<usize>) -> Result<Item, String>,
) -> Vec<Result<Item, String>> {
    if line.trim().is_empty() {
        return Vec::new();
    }
    match serde_json::from_str::<serde_json::Value>(line) {
        Ok(serde_json::Value::Array(events)) => events.iter().enumerate().map(|(i, e)| event(e, Some(i))).collect(),
        Ok(e @ serde_json::Value::Object(_)) => vec![event(&e, None)],
        Ok(_) => vec![Err(not_events.to_owned())],
        Err(e) => vec![Err(format!("is not JSON: {e}"))],
    }
}

/// Where `field` is, for an error: "event [i] `field`" in a list of events,
/// "`field`" in a lone one.
pub(crate) fn event_field(index: Option<usize>, field: &str) -> String {
    match index {
        Some(i) => format!("event [{i}] `{field}`"),
        None => format!("`{field}`"),
    }
}

/// A Message-ID without its angle brackets; `None` when empty.
pub(crate) fn bare_id(text: &str) -> Option<String> {
    let id = text.trim();
    let id = id.strip_prefix('<').unwrap_or(id);
    let id = id.strip_suffix('>').unwrap_or(id).trim();
    (!id.is_empty()).then(|| id.to_owned())
}

/// `campaign_id` in a custom value an ESP passes through (Brevo's
/// `X-Mailin-custom` header, Mailjet's `Payload`): a JSON object (or one
/// sent as text), or `key=value` / `key:value` pairs separated by `;`, `&`,
/// `,` or `|`.
pub fn custom_campaign_id(custom: &serde_json::Value) -> Option<i64> {
    let text = match custom {
        serde_json::Value::Object(map) => return map.get("campaign_id").and_then(campaign_id),
        serde_json::Value::String(text) => text,
        _ => return None,
    };
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(text) {
        return map.get("campaign_id").and_then(campaign_id);
    }
    text.split([';', '&', ',', '|']).find_map(|pair| {
        let (key, value) = pair.split_once(['=', ':'])?;
        key.trim()
            .trim_matches('"')
            .eq_ignore_ascii_case("campaign_id")
            .then(|| campaign_id(&serde_json::Value::String(value.trim().to_owned())))
            .flatten()
    })
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
        .from_reader(BoundedLines::new(reader));
    let mut record = ::csv::StringRecord::new();
    let mut batcher = Batcher::new(campaign);
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
                    Ok(result) => batcher.push(result),
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
        batcher.store_when_full(store, report).await?;
    }
    batcher.finish(store, report).await
}

/// Counts a rejected piece of input; names the first ones (`place` is
/// `FILE line` or `FILE row`).
fn reject(report: &mut ImportReport, place: &str, at: u64, why: &str) {
    report.reject(format_args!("{place} {at}: {why}"));
}

async fn store_batch(
    store: &Store,
    batch: &mut Vec<DeliveryResult>,
    campaign: Option<i64>,
    report: &mut ImportReport,
) -> Result<(), ServerError> {
    if batch.is_empty() {
        return Ok(());
    }
    let started = std::time::Instant::now();
    let classified: Vec<_> = batch.drain(..).map(delivery::classify).collect();
    report.classifying += started.elapsed();
    let started = std::time::Instant::now();
    let done = store.ingest(&classified, campaign).await?;
    report.storing += started.elapsed();
    report.stored += done.stored;
    report.duplicates += done.duplicates;
    report.unlinked += done.unlinked;
    if let Some(progress) = report.progress.as_mut() {
        progress.update(report.stored);
    }
    if let Some(recording) = report.recording.as_ref()
        && recording.due()
    {
        let (id, read) = (recording.id, recording.bytes_read());
        store.record_import(id, &report.counts(read), None, Utc::now()).await?;
        if let Some(recording) = report.recording.as_mut() {
            recording.recorded();
        }
    }
    Ok(())
}

/// Stores `results` in one transaction (all or nothing), then the
/// follow-up: what an HTTP POST does with its body.
pub async fn store_all(
    store: &Store,
    mut results: Vec<DeliveryResult>,
    campaign: Option<i64>,
    report: &mut ImportReport,
) -> Result<(), ServerError> {
    store_batch(store, &mut results, campaign, report).await?;
    follow_up(store, report).await
}

/// What every source's results lead to: the follow-up their batches noted
/// (incidents, then policies), and any a killed process left noted.
async fn follow_up(store: &Store, report: &mut ImportReport) -> Result<(), ServerError> {
    let started = std::time::Instant::now();
    let done = crate::follow_ups::work_off(store).await?;
    report.incidents += done.incidents;
    report.blocks += done.blocks;
    report.following_up += started.elapsed();
    Ok(())
}
