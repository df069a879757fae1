//! `bouncedesk classify PATH...`: bounce messages in, JSON Lines out.
//!
//! Files, directories (recursively, in sorted order), mbox files and `-` for
//! standard input. Work is cut into batches that are classified on every
//! core and written in input order, so the output is deterministic and
//! memory stays bounded by one batch however large an mbox is.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;

use bounce::message::{self, Report};
use bounce::{BounceClass, MessageKind};
use clap::Args;
use rayon::prelude::*;

use crate::ServerError;
use json_lines::Object;

mod files;
mod json_lines;
use crate::import::messages::{Messages, Unread};
use files::{Input, inputs};

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// Message files, mbox files, folders (read recursively), or `-` for standard input.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Files larger than this many bytes are read message by message (mbox)
    /// instead of whole: memory stays flat however large they are.
    #[arg(long, value_name = "BYTES", default_value_t = STREAM_ABOVE)]
    pub stream_above: u64,
}

/// A unit of work: one file (one message or a small mbox), or one message
/// of a large mbox.
struct Job {
    label: String,
    /// 1-based message index inside a streamed mbox.
    message: Option<usize>,
    bytes: Result<Source, String>,
}

/// Where a job's bytes are: a file is opened and read by the worker that
/// classifies it, so reading runs on every core and the main thread never
/// waits on the disk.
enum Source {
    File(Input),
    Bytes(Vec<u8>),
}

/// What a worker made of a job.
enum Rendered {
    Lines(String),
    /// A file too large to hold: the main thread streams it, in its place.
    Large(String, PathBuf),
}

/// Files larger than this are streamed message by message, unless
/// `--stream-above` says otherwise.
const STREAM_ABOVE: u64 = 32 * 1024 * 1024;
/// A batch is classified in parallel once it holds this many bytes or jobs.
const BATCH_BYTES: usize = 64 * 1024 * 1024;
const BATCH_JOBS: usize = 4096;

/// Jobs waiting to be classified, and where their output goes.
struct Batcher<'w> {
    jobs: Vec<Job>,
    bytes: usize,
    stream_above: u64,
    out: &'w mut dyn Write,
}

impl Batcher<'_> {
    fn push(&mut self, job: Job) -> Result<(), ServerError> {
        if let Ok(Source::Bytes(bytes)) = &job.bytes {
            self.bytes += bytes.len();
        }
        self.jobs.push(job);
        if self.jobs.len() >= BATCH_JOBS || self.bytes >= BATCH_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    /// Classifies the waiting jobs on every core and writes them in order.
    fn flush(&mut self) -> Result<(), ServerError> {
        let stream_above = self.stream_above;
        let rendered: Vec<Rendered> = self.jobs.par_iter().map(|job| render(job, stream_above)).collect();
        self.jobs.clear();
        self.bytes = 0;
        for item in rendered {
            match item {
                Rendered::Lines(lines) => self.out.write_all(lines.as_bytes()).map_err(io_error)?,
                Rendered::Large(label, path) => match std::fs::File::open(&path) {
                    Ok(file) => {
                        let mut inner = Batcher {
                            jobs: Vec::new(),
                            bytes: 0,
                            stream_above,
                            out: &mut *self.out,
                        };
                        stream_mbox(&label, BufReader::new(file), &mut inner)?;
                        inner.flush()?;
                    }
                    Err(e) => self
                        .out
                        .write_all(error_line(&label, None, &e.to_string()).as_bytes())
                        .map_err(io_error)?,
                },
            }
        }
        Ok(())
    }
}

/// Runs the command, writing to standard output.
pub fn run(args: ClassifyArgs) -> Result<(), ServerError> {
    // The patterns are compiled on the workers, the reader's and the
    // classifier's at once, while this thread lists the files.
    rayon::spawn(message::prepare_reader);
    rayon::spawn(message::prepare_classifier);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut batch = Batcher {
        jobs: Vec::new(),
        bytes: 0,
        stream_above: args.stream_above,
        out: &mut out,
    };
    for path in &args.paths {
        for (label, file) in inputs(path) {
            match file {
                Input::Stdin => stream_mbox(&label, std::io::stdin().lock(), &mut batch)?,
                Input::Unreadable(error) => batch.push(Job {
                    label,
                    message: None,
                    bytes: Err(error),
                })?,
                file => batch.push(Job {
                    label,
                    message: None,
                    bytes: Ok(Source::File(file)),
                })?,
            }
        }
    }
    batch.flush()?;
    out.flush().map_err(io_error)
}

fn io_error(e: std::io::Error) -> ServerError {
    ServerError::Usage(format!("cannot write the output: {e}"))
}

/// Reads an mbox (or one message, as `classify -` gets it) message by
/// message with the importer's reader (`import::messages`), so memory stays
/// flat: a message over the size cap is measured, never held, and gets an
/// error line naming the cap.
fn stream_mbox(label: &str, reader: impl BufRead, batch: &mut Batcher<'_>) -> Result<(), ServerError> {
    let mut messages = Messages::mbox(reader);
    let mut index = 0;
    while let Some(read) = messages.next_message() {
        index += 1;
        let bytes = match read {
            Ok(bytes) => Ok(Source::Bytes(bytes)),
            Err(Unread::TooLarge { bytes }) => Err(message::Limit::Size { bytes }.to_string()),
            Err(why) => Err(why.to_string()),
        };
        batch.push(Job {
            label: label.into(),
            message: Some(index),
            bytes,
        })?;
    }
    Ok(())
}

/// Classifies one job into its output lines.
fn render(job: &Job, stream_above: u64) -> Rendered {
    let read;
    let bytes: &[u8] = match &job.bytes {
        Ok(Source::Bytes(bytes)) => bytes,
        Ok(Source::File(file)) => match file.read(stream_above) {
            Ok(Some(b)) => {
                read = b;
                &read
            }
            Ok(None) => match file.path() {
                Some(path) => return Rendered::Large(job.label.clone(), path),
                None => return Rendered::Lines(error_line(&job.label, job.message, "not a file")),
            },
            Err(e) => return Rendered::Lines(error_line(&job.label, job.message, &e.to_string())),
        },
        Err(error) => return Rendered::Lines(error_line(&job.label, job.message, error)),
    };
    Rendered::Lines(lines(job, bytes))
}

/// The JSON lines for one message file or mbox message.
fn lines(job: &Job, bytes: &[u8]) -> String {
    let reports: Vec<Report> = message::read(bytes);
    if reports.iter().all(|r| r.records.is_empty()) && !looks_like_mail(bytes) {
        return error_line(&job.label, job.message, "not an email message");
    }
    let many = reports.len() > 1;
    // About half a kilobyte a line: grown once, not field by field.
    let records: usize = reports.iter().map(|r| r.records.len()).sum();
    let mut out = String::with_capacity(512 * records.max(1));
    for (i, report) in reports.iter().enumerate() {
        for r in &report.records {
            let class = match r.verdict.class {
                BounceClass::Hard => "hard",
                BounceClass::None => "none",
                BounceClass::Soft | BounceClass::Undetermined => "soft",
            };
            let message = job.message.or(many.then_some(i + 1));
            let stage = r.stage.map(|s| s.as_str()).or(match r.kind {
                MessageKind::AutoReply => Some("reply"),
                _ => None,
            });
            let mut line = Object::new(&mut out);
            line.str("file", &job.label);
            if let Some(message) = message {
                line.opt_num("message", Some(message as u64));
            }
            line.str("recipient", &r.recipient)
                .str("reason", r.verdict.reason.as_str())
                .str("class", class)
                .opt_str("stage", stage)
                .opt_num("reply_code", r.reply_code.map(|c| u64::from(c.get())))
                .opt_str("status", r.status.map(|s| s.to_string()).as_deref())
                .str("diagnostic", &r.diagnostic)
                .opt_str("remote_mta", r.remote_mta.as_deref())
                .str("action", &r.action)
                .str("category", r.verdict.category.as_str());
            if let Some(feedback_type) = r.feedback_type.as_deref() {
                line.str("feedback_type", feedback_type);
            }
            line.end();
        }
        if let Some(limit) = report.limit {
            out.push_str(&error_line(
                &job.label,
                job.message.or(many.then_some(i + 1)),
                &limit.to_string(),
            ));
        }
    }
    out
}

fn looks_like_mail(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    ["from:", "subject:", "received:", "content-type:", "message-id:"]
        .iter()
        .any(|h| text.contains(h))
}

/// The line that says why a file or message gave no records.
fn error_line(file: &str, message: Option<usize>, error: &str) -> String {
    let mut out = String::new();
    let mut line = Object::new(&mut out);
    line.str("file", file);
    if let Some(message) = message {
        line.opt_num("message", Some(message as u64));
    }
    line.str("error", error).end();
    out
}
