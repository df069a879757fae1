//! `bouncedesk bench hostile`: each crafted message of
//! `bounce::message::hostile` read by the reader, against the bare cost of
//! splitting the same bytes into lines in the same run, with the size of
//! what it yields (as `bouncedesk classify` prints it) beside its input.

use std::time::{Duration, Instant};

use bounce::message;

use super::BenchArgs;
use crate::ServerError;

/// Prints a Markdown table: per shape, seconds per megabyte (median of
/// `--runs`), and output bytes against input bytes.
pub fn run(args: &BenchArgs) -> Result<(), ServerError> {
    println!("| shape | input | baseline: lines | read (median) | per MB | records | output | output / input |");
    println!("|---|---|---|---|---|---|---|---|");
    for shape in message::hostile::all() {
        let bytes = &shape.bytes;
        let mb = bytes.len() as f64 / 1_000_000.0;
        let baseline = median(args.runs, || {
            let text = String::from_utf8_lossy(bytes);
            std::hint::black_box(text.lines().count());
        });
        let mut reports = Vec::new();
        let read = median(args.runs, || reports = message::read(bytes));
        let records: usize = reports.iter().map(|r| r.records.len()).sum();
        let output: usize = reports
            .iter()
            .flat_map(|r| &r.records)
            .map(|r| serde_json::to_string(r).map_or(0, |line| line.len() + 1))
            .sum();
        println!(
            "| {} | {:.1} MB | {:.3} s | {:.3} s | {:.3} s | {} | {:.2} MB | {:.2} |",
            shape.name,
            mb,
            baseline.as_secs_f64(),
            read.as_secs_f64(),
            read.as_secs_f64() / mb,
            records,
            output as f64 / 1_000_000.0,
            output as f64 / bytes.len() as f64
        );
    }
    Ok(())
}

fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs.max(1))
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}
