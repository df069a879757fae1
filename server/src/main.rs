//! `bouncedesk`: see `bouncedesk --help`.

use clap::Parser;
use server::cli::Cli;
use tracing_subscriber::EnvFilter;

/// mimalloc rather than the system allocator: reading a bounce allocates
/// many small strings, and glibc's malloc and free were a tenth of
/// `bouncedesk classify`'s time. Built without transparent huge pages
/// (the workspace's `no_thp`): a short run touches less than half the
/// fresh memory (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    // `BOUNCEDESK_LOG_FORMAT=json`: one JSON object per line, for a log
    // collector; anything else (or unset) is the readable text form.
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("BOUNCEDESK_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        logs.json().with_current_span(true).init();
    } else {
        logs.init();
    }
    match Cli::parse().run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bouncedesk: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
