//! Reads every file under a folder with `bounce::message::read`, REPEAT
//! times, on one thread: the reader alone, for instruction counts
//! (`valgrind --tool=callgrind`), which noisy timings cannot settle.
//!
//! `cargo build --release -p bounce --example read_corpus`, then
//! `valgrind --tool=callgrind target/release/examples/read_corpus DIR 5`.

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: read_corpus DIR [REPEAT]");
        std::process::exit(2);
    };
    let repeat: usize = std::env::args().nth(2).and_then(|n| n.parse().ok()).unwrap_or(1);
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                files.push(bytes);
            }
        }
    }
    let records: usize = (0..repeat)
        .flat_map(|_| files.iter())
        .flat_map(|bytes| bounce::message::read(bytes))
        .map(|report| report.records.len())
        .sum();
    println!("{} files, {records} records", files.len());
}
