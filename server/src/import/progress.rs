//! How far an import has come: a progress bar with rate and ETA on a
//! terminal (indicatif), a plain log line every few seconds otherwise (a
//! cron job's log, CI), so neither a person nor a log is left guessing.

use std::io::{IsTerminal, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How often a plain line is written when not on a terminal.
const LOG_EVERY: Duration = Duration::from_secs(10);

/// The bytes read so far, shared between the reader and the display.
#[derive(Debug, Clone, Default)]
pub struct Counter(Arc<AtomicU64>);

/// A reader that counts what it reads.
pub struct Counted<R> {
    inner: R,
    counter: Counter,
}

impl Counter {
    /// The bytes read so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// How often an import's row is brought up to date while it runs.
const RECORD_EVERY: Duration = Duration::from_secs(1);

/// An import's row, brought up to date as batches are stored.
#[derive(Debug)]
pub struct Recording {
    pub id: i64,
    counter: Counter,
    last: Option<Instant>,
}

impl Recording {
    pub fn new(id: i64, counter: Counter) -> Self {
        Self {
            id,
            counter,
            last: None,
        }
    }

    /// Whether the row is due for an update.
    pub fn due(&self) -> bool {
        self.last.is_none_or(|at| at.elapsed() >= RECORD_EVERY)
    }

    /// Notes that the row was updated now.
    pub fn recorded(&mut self) {
        self.last = Some(Instant::now());
    }

    /// The bytes read so far, as the row keeps them.
    pub fn bytes_read(&self) -> i64 {
        i64::try_from(self.counter.get()).unwrap_or(i64::MAX)
    }
}

impl<R> Counted<R> {
    pub fn new(inner: R, counter: Counter) -> Self {
        Self { inner, counter }
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.0.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The display of one input's progress.
#[derive(Debug)]
pub struct Progress {
    name: String,
    counter: Counter,
    total: Option<u64>,
    bar: Option<indicatif::ProgressBar>,
    started: Instant,
    logged: Instant,
}

impl Progress {
    /// Progress over an input of `total` bytes (unknown for a pipe).
    pub fn new(name: &str, total: Option<u64>, counter: Counter) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let style = match total {
                Some(_) => "  {bar:30} {bytes}/{total_bytes} {bytes_per_sec}, {eta} left  {msg}",
                None => "  {spinner} {bytes} {bytes_per_sec}  {msg}",
            };
            let bar = total.map_or_else(indicatif::ProgressBar::new_spinner, indicatif::ProgressBar::new);
            bar.set_style(
                indicatif::ProgressStyle::with_template(style)
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        Self {
            name: name.to_owned(),
            counter,
            total,
            bar,
            started: Instant::now(),
            logged: Instant::now(),
        }
    }

    /// Shows where the import stands; `stored` events so far.
    pub fn update(&mut self, stored: u64) {
        let read = self.counter.0.load(Ordering::Relaxed);
        let rate = stored as f64 / self.started.elapsed().as_secs_f64().max(0.001);
        match &self.bar {
            Some(bar) => {
                bar.set_position(read);
                bar.set_message(format!("{stored} events stored, {rate:.0}/s"));
            }
            None if self.logged.elapsed() >= LOG_EVERY => {
                self.logged = Instant::now();
                let of = self
                    .total
                    .map(|t| format!(" of {} MB ({:.0} %)", t >> 20, read as f64 * 100.0 / t.max(1) as f64))
                    .unwrap_or_default();
                eprintln!(
                    "{}: {} MB read{of}, {stored} events stored, {rate:.0}/s",
                    self.name,
                    read >> 20
                );
            }
            None => {}
        }
    }

    /// Takes the bar off the terminal.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}
