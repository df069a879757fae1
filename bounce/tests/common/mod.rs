//! Shared by the corpus tests.

use std::path::PathBuf;

/// The labelled corpus: `BOUNCEDESK_CORPUS`, else `../shared/corpus` beside
/// the clone. The crate folder is read at run time (cargo sets it for
/// tests): a compile-time `env!` path goes stale when the shared target
/// folder serves another clone.
pub fn corpus_dir() -> PathBuf {
    std::env::var_os("BOUNCEDESK_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::env::var_os("CARGO_MANIFEST_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("."))
                .join("../../shared/corpus")
        })
}
