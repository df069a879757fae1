//! `bouncedesk bench`: how fast the store answers the Errors tab at scale.
//!
//! Timings on a shared 2-core machine are noisy, so every run also measures
//! a baseline (a `SELECT 1` round trip on the same pool) and reports medians.

use std::time::{Duration, Instant};

use bounce::{ErrorFilter, ErrorQuery, PageDirection, PageRequest};
use chrono::{TimeZone, Utc};
use clap::{Args, ValueEnum};
use store::Store;

use crate::ServerError;
use crate::demo::{self, DemoConfig};

mod charts;
mod hostile;
mod import;
mod load;
mod selections;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Benchmark {
    /// First and deep pages of one campaign's Errors tab, with each filter.
    Errors,
    /// The bounce classifier over a corpus of messages held in memory.
    Classify,
    /// Selections counted and exported over a million contacts and ten
    /// million sends, against the bare SQL scan of the failed sends.
    Selections,
    /// Each chart of one campaign with a million events (counted and drawn),
    /// against the bare SQL count of its failed events.
    Charts,
    /// `bouncedesk import` of a Postfix log of `--events` lines, against
    /// reading and parsing it alone.
    Import,
    /// Crafted hostile messages (200,000 DSN groups, one text shared by
    /// hundreds of recipients...) read within the caps, against splitting
    /// the same bytes into lines.
    Hostile,
    /// The real server on loopback under a load generator: the Errors tab,
    /// charts and API at `demo --scale N`, then beside sixteen scanning
    /// searches; against the Errors tab's store call alone.
    Load,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// What to measure.
    #[arg(value_enum)]
    pub benchmark: Benchmark,
    /// Database to fill and measure; a temporary SQLite file when omitted.
    /// Everything in it is deleted first.
    #[arg(long)]
    pub database_url: Option<String>,
    /// errors: events in the one campaign measured; selections: contacts
    /// (each sent every campaign).
    #[arg(long, default_value_t = 1_000_000)]
    pub events: usize,
    /// selections: campaigns sent to the contacts.
    #[arg(long, default_value_t = 10)]
    pub campaigns: usize,
    /// Repetitions per case (the median is reported).
    #[arg(long, default_value_t = 30)]
    pub runs: usize,
    /// classify: the folder of bounce messages to read.
    #[arg(long, default_value = "../shared/corpus/messages")]
    pub corpus: std::path::PathBuf,
    /// classify: how many times the corpus is repeated in memory.
    #[arg(long, default_value_t = 50)]
    pub repeat: usize,
    /// Measure the data already in --database-url (from an earlier run)
    /// instead of deleting it and loading anew.
    #[arg(long, requires = "database_url")]
    pub no_load: bool,
    /// load: the demo data set's scale (20: about a million events).
    #[arg(long, default_value_t = 20)]
    pub scale: u32,
    /// load: seconds each phase runs.
    #[arg(long, default_value_t = 20)]
    pub seconds: u64,
    /// load: clients sending at once (each on its own connection).
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
}

/// Runs a benchmark and prints a Markdown table.
pub async fn run(args: BenchArgs) -> Result<(), ServerError> {
    if let Benchmark::Classify = args.benchmark {
        return classify(&args);
    }
    if let Benchmark::Hostile = args.benchmark {
        return hostile::run(&args);
    }
    if let Benchmark::Selections = args.benchmark {
        return selections::run(&args).await;
    }
    if let Benchmark::Import = args.benchmark {
        return import::run(&args).await;
    }
    if let Benchmark::Load = args.benchmark {
        return load::run(&args).await;
    }
    let (_dir, url, store) = open(&args).await?;
    let campaign = load_one_campaign(&args, &url, &store).await?;
    if let Benchmark::Charts = args.benchmark {
        return charts::run(&args, &store, campaign).await;
    }
    errors(&args, &store, campaign).await
}

/// Fills one campaign with about `--events` events (unless `--no-load`)
/// and returns its id.
async fn load_one_campaign(args: &BenchArgs, url: &str, store: &Store) -> Result<i64, ServerError> {
    let started = Instant::now();
    if !args.no_load {
        store.clear().await?;
        let config = DemoConfig {
            campaigns: 1,
            contacts: args.events,
            seed: 1,
            end: Utc
                .with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
                .single()
                .unwrap_or_else(Utc::now),
            problem_share: Some(1.0),
        };
        demo::load(store, config, |_, _| {}).await?;
    }
    let load_time = started.elapsed();
    let campaign = store
        .campaign_summaries()
        .await?
        .first()
        .map(|c| c.id)
        .ok_or_else(|| ServerError::Usage("the benchmark campaign was not stored".into()))?;
    let events = store.event_count(Some(campaign)).await?;
    if args.no_load {
        println!(
            "backend: {}; {events} events in one campaign (loaded earlier)\n",
            store::redact(url)
        );
    } else {
        println!(
            "backend: {}; {events} events in one campaign, loaded in {:.1} s ({:.0} events/s)\n",
            store::redact(url),
            load_time.as_secs_f64(),
            events as f64 / load_time.as_secs_f64()
        );
    }
    Ok(campaign)
}

/// Runs the Errors tab cases on the campaign loaded.
async fn errors(args: &BenchArgs, store: &Store, campaign: i64) -> Result<(), ServerError> {
    let baseline = measure(args.runs, || async { store.ping().await }).await?;
    println!("| case | median | p95 | max |\n|---|---|---|---|");
    print_row("baseline: SELECT 1 round trip", &baseline);

    let cases: [(&str, &[(&str, &str)]); 8] = [
        ("first page, no filter", &[]),
        ("first page, stage = dns", &[("stage", "dns")]),
        ("first page, class = hard", &[("class", "hard")]),
        ("first page, domain = ziggo.nl", &[("domain", "ziggo.nl")]),
        ("first page, code = 5.1", &[("code", "5.1")]),
        ("first page, code = 55", &[("code", "55")]),
        (
            "first page, text contains \"quota\" (matches nothing)",
            &[("q", "quota")],
        ),
        (
            "first page, text contains \"account\" (matches many)",
            &[("q", "account")],
        ),
    ];
    for (name, pairs) in cases {
        let filter = filter_of(pairs)?;
        let timings = measure(args.runs, || store.error_page(campaign, &filter, PageRequest::first())).await?;
        print_row(name, &timings);
    }

    // Walk 200 pages deep, then time the next page: keyset pagination keeps it flat.
    let filter = ErrorFilter::default();
    let mut page = store.error_page(campaign, &filter, PageRequest::first()).await?;
    for _ in 0..200 {
        let Some(cursor) = page.older else { break };
        page = store
            .error_page(
                campaign,
                &filter,
                PageRequest {
                    direction: PageDirection::Older(cursor),
                    limit: 50,
                },
            )
            .await?;
    }
    if let Some(cursor) = page.older {
        let request = PageRequest {
            direction: PageDirection::Older(cursor),
            limit: 50,
        };
        let timings = measure(args.runs, || store.error_page(campaign, &filter, request)).await?;
        print_row("page 202 (10,050 rows deep), no filter", &timings);
    }
    store.close().await;
    Ok(())
}

/// The database a benchmark fills: `--database-url`, or a SQLite file in a
/// temporary folder that lives as long as the returned guard.
pub(crate) async fn open(args: &BenchArgs) -> Result<(tempfile::TempDir, String, Store), ServerError> {
    let dir = tempfile::tempdir().map_err(|e| ServerError::Usage(format!("cannot make a temporary folder: {e}")))?;
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let store = Store::connect(&url).await?;
    Ok((dir, url, store))
}

fn filter_of(pairs: &[(&str, &str)]) -> Result<ErrorFilter, ServerError> {
    let mut q = ErrorQuery::default();
    for (key, value) in pairs {
        let field = match *key {
            "stage" => &mut q.stage,
            "class" => &mut q.class,
            "code" => &mut q.code,
            "domain" => &mut q.domain,
            _ => &mut q.q,
        };
        *field = (*value).to_owned();
    }
    q.parse()
        .map(|(filter, _)| filter)
        .map_err(|e| ServerError::Usage(e.to_string()))
}

pub(crate) async fn measure<T, F, Fut>(runs: usize, mut f: F) -> Result<Vec<Duration>, ServerError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, store::StoreError>>,
{
    f().await?; // warm the cache and the statement cache
    let mut timings = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        f().await?;
        timings.push(start.elapsed());
    }
    timings.sort();
    Ok(timings)
}

pub(crate) fn print_row(name: &str, sorted: &[Duration]) {
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
    println!("| {name} | {} | {} | {} |", ms(at(0.5)), ms(at(0.95)), ms(at(1.0)));
}

/// Classifies the corpus, repeated in memory, on one core and on all cores,
/// and reports messages per second and the peak resident memory.
fn classify(args: &BenchArgs) -> Result<(), ServerError> {
    use rayon::prelude::*;

    let mut files = Vec::new();
    let mut stack = vec![args.corpus.clone()];
    while let Some(dir) = stack.pop() {
        let entries =
            std::fs::read_dir(&dir).map_err(|e| ServerError::Usage(format!("cannot read {}: {e}", dir.display())))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                files.push(bytes);
            }
        }
    }
    let inputs: Vec<&[u8]> = (0..args.repeat.max(1))
        .flat_map(|_| files.iter().map(Vec::as_slice))
        .collect();
    let records = |reports: Vec<Vec<bounce::message::Report>>| -> usize {
        reports.iter().flatten().map(|r| r.records.len()).sum()
    };
    // Warm up: compile the patterns once, outside the timings.
    let _ = bounce::message::read(files.first().map_or(&[][..], Vec::as_slice));

    let start = Instant::now();
    let one = records(inputs.iter().map(|b| bounce::message::read(b)).collect());
    let one_core = start.elapsed();
    let start = Instant::now();
    let all = records(inputs.par_iter().map(|b| bounce::message::read(b)).collect());
    let all_cores = start.elapsed();
    let rate = |d: Duration| inputs.len() as f64 / d.as_secs_f64();
    println!(
        "{} messages ({} files x {}), {} records",
        inputs.len(),
        files.len(),
        args.repeat.max(1),
        all
    );
    println!("| run | time | messages/s |\n|---|---|---|");
    println!("| 1 core | {:.3} s | {:.0} |", one_core.as_secs_f64(), rate(one_core));
    println!(
        "| {} cores (rayon) | {:.3} s | {:.0} |",
        rayon::current_num_threads(),
        all_cores.as_secs_f64(),
        rate(all_cores)
    );
    if let Some(peak) = peak_memory_kib() {
        println!(
            "peak resident memory: {:.1} MiB (corpus held in memory: {:.1} MiB)",
            peak as f64 / 1024.0,
            files.iter().map(Vec::len).sum::<usize>() as f64 / 1_048_576.0
        );
    }
    if one != all {
        return Err(ServerError::Usage("one core and all cores disagree".into()));
    }
    Ok(())
}

/// The process's peak resident set (VmHWM), where Linux reports it.
pub(crate) fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
