//! Shared by the corpus tests.

use std::path::PathBuf;

/// The labelled corpus: `BOUNCEDESK_CORPUS`, else `../shared/corpus` beside
/// the clone; `None` (after saying so, which `cargo test` shows with
/// `--nocapture`, as `make test` runs the corpus test) when it is not there, for a clone that does not sit
/// beside our shared folder. The crate folder is read at run time (cargo
/// sets it for tests): a compile-time `env!` path goes stale when the shared
/// target folder serves another clone.
pub fn corpus_dir(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("BOUNCEDESK_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::env::var_os("CARGO_MANIFEST_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("."))
                .join("../../shared/corpus")
        });
    if dir.join("expected.jsonl").is_file() {
        Some(dir)
    } else {
        println!(
            "SKIPPED {test}: no labelled corpus at {} (set BOUNCEDESK_CORPUS to a folder with expected.jsonl and messages/)",
            dir.display()
        );
        None
    }
}
