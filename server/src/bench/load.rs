//! `bouncedesk bench load`: the real server on loopback, driven by a load
//! generator in this process (HTTP/1.1 keep-alive connections, one per
//! worker): the Errors tab with its filters, the charts (SVG and JSON) and
//! the API, at `demo --scale N`. Then the same pages while sixteen searches
//! that must scan run at once. Baseline in the same run: the Errors tab's
//! store call alone, without HTTP or rendering.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bounce::account::Role;
use bounce::{ErrorFilter, PageRequest};
use chrono::Utc;
use http_body_util::BodyExt;
use hyper::Request;
use store::Store;

use super::BenchArgs;
use crate::ServerError;
use crate::demo::{self, DemoConfig};

/// One request of the mix: what it is, and its path.
type Target = (&'static str, String);

/// The light mix a dashboard's users make: pages, filtered pages, charts
/// and the API, over the biggest campaigns.
fn mix(campaigns: &[i64]) -> Vec<Target> {
    let mut targets = Vec::new();
    for id in campaigns {
        targets.push(("errors tab", format!("/campaigns/{id}/errors")));
        targets.push((
            "errors tab, filtered",
            format!("/campaigns/{id}/errors?stage=rcpt_to&class=hard"),
        ));
        targets.push((
            "errors tab, filtered",
            format!("/campaigns/{id}/errors?domain=gmail.com"),
        ));
        targets.push(("errors tab, searched", format!("/campaigns/{id}/errors?q=mailbox")));
        targets.push(("overview", format!("/campaigns/{id}")));
        targets.push(("chart svg", format!("/campaigns/{id}/charts/categories.svg")));
        targets.push(("chart svg", format!("/campaigns/{id}/charts/domains.svg")));
        targets.push(("api chart json", format!("/api/v1/campaigns/{id}/charts/stages")));
    }
    targets
}

/// What one worker saw.
#[derive(Default)]
struct Seen {
    latencies: Vec<(&'static str, Duration)>,
    failures: u64,
}

/// Sends `targets` round-robin over one keep-alive connection until `until`.
async fn worker(
    addr: std::net::SocketAddr,
    cookie: Arc<str>,
    targets: Arc<Vec<Target>>,
    start: usize,
    until: Instant,
) -> Seen {
    let mut seen = Seen::default();
    let Ok(stream) = tokio::net::TcpStream::connect(addr).await else {
        seen.failures += 1;
        return seen;
    };
    let _ = stream.set_nodelay(true);
    let Ok((mut sender, connection)) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await
    else {
        seen.failures += 1;
        return seen;
    };
    tokio::spawn(connection);
    let mut at = start;
    while Instant::now() < until {
        let (kind, path) = &targets[at % targets.len()];
        at += 1;
        let Ok(request) = Request::get(path.as_str())
            .header("host", addr.to_string())
            .header("cookie", &*cookie)
            .body(http_body_util::Empty::<axum::body::Bytes>::new())
        else {
            seen.failures += 1;
            continue;
        };
        let sent = Instant::now();
        match sender.send_request(request).await {
            Ok(response) => {
                let ok = response.status().is_success();
                let body = response.into_body().collect().await;
                if ok && body.is_ok() {
                    seen.latencies.push((kind, sent.elapsed()));
                } else {
                    seen.failures += 1;
                }
            }
            Err(_) => {
                seen.failures += 1;
                break;
            }
        }
    }
    seen
}

/// Runs `workers` workers over `targets` for `time`; returns what they saw.
async fn drive(
    addr: std::net::SocketAddr,
    cookie: &Arc<str>,
    targets: &Arc<Vec<Target>>,
    workers: usize,
    time: Duration,
) -> Seen {
    let until = Instant::now() + time;
    let handles: Vec<_> = (0..workers)
        .map(|w| tokio::spawn(worker(addr, cookie.clone(), targets.clone(), w * 7, until)))
        .collect();
    let mut all = Seen::default();
    for h in handles {
        if let Ok(seen) = h.await {
            all.latencies.extend(seen.latencies);
            all.failures += seen.failures;
        }
    }
    all
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Prints one table row per kind of request, and one for all of them.
fn report(phase: &str, seen: &Seen, time: Duration) {
    let mut kinds: Vec<&'static str> = seen.latencies.iter().map(|(k, _)| *k).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let mut rows: Vec<(String, Vec<Duration>)> = kinds
        .iter()
        .map(|k| {
            let mut d: Vec<Duration> = seen
                .latencies
                .iter()
                .filter(|(kind, _)| kind == k)
                .map(|(_, d)| *d)
                .collect();
            d.sort_unstable();
            ((*k).to_owned(), d)
        })
        .collect();
    let mut all: Vec<Duration> = seen.latencies.iter().map(|(_, d)| *d).collect();
    all.sort_unstable();
    rows.push(("**all**".to_owned(), all));
    for (kind, d) in rows {
        println!(
            "| {phase} | {kind} | {} | {:.0} | {} | {} | {} |",
            d.len(),
            d.len() as f64 / time.as_secs_f64(),
            ms(percentile(&d, 0.5)),
            ms(percentile(&d, 0.99)),
            ms(d.last().copied().unwrap_or_default())
        );
    }
    if seen.failures > 0 {
        println!("| {phase} | failed or refused | {} | | | | |", seen.failures);
    }
}

/// Runs the load benchmark.
pub async fn run(args: &BenchArgs) -> Result<(), ServerError> {
    let (_dir, url, store) = super::open(args).await?;
    if !args.no_load {
        store.clear().await?;
        let started = Instant::now();
        let config = DemoConfig {
            contacts: 30_000 * args.scale as usize,
            ..DemoConfig::standard(Utc::now())
        };
        demo::load(&store, config, |_, _| {}).await?;
        store.analyze().await?;
        println!(
            "demo data at scale {} loaded in {:.0} s",
            args.scale,
            started.elapsed().as_secs_f64()
        );
    }
    let events = store.event_count(None).await?;
    let mut campaigns = store.campaign_summaries().await?;
    campaigns.sort_by_key(|c| std::cmp::Reverse(c.sent));
    let biggest: Vec<i64> = campaigns.iter().take(5).map(|c| c.id).collect();
    let Some(&big) = biggest.first() else {
        return Err(ServerError::Usage("no campaigns to measure".into()));
    };
    println!(
        "backend: {}; {events} events in {} campaigns\n",
        store::redact(&url),
        campaigns.len()
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|source| ServerError::Bind {
            addr: "127.0.0.1:0".into(),
            source,
        })?;
    let addr = listener.local_addr().map_err(ServerError::Serve)?;
    let app = crate::router(store.clone(), crate::leptos_options("target/site", addr));
    tokio::spawn(async move { axum::serve(listener, app).await });
    const BENCH_USER: &str = "bench@bouncedesk.example";
    let user = match store.user(BENCH_USER).await? {
        Some(user) => user,
        None => {
            store
                .add_user(BENCH_USER, Role::Viewer, "bench password, not secret", Utc::now())
                .await?
        }
    };
    let session = store.create_session(user.id, None, Utc::now()).await?;
    let cookie: Arc<str> = format!("{}={}", crate::auth::COOKIE, session.secret).into();
    let time = Duration::from_secs(args.seconds);
    let light = Arc::new(mix(&biggest));

    // Warm up: every target once (the charts are computed on first view and
    // kept), then SQLite's page cache and the connections.
    let once: Vec<Arc<Vec<Target>>> = light.iter().map(|t| Arc::new(vec![t.clone()])).collect();
    for target in &once {
        drive(addr, &cookie, target, 1, Duration::from_millis(1)).await;
    }
    drive(addr, &cookie, &light, 4, Duration::from_secs(3)).await;

    println!("| phase | request | count | per second | p50 | p99 | max |\n|---|---|---|---|---|---|---|");
    let baseline = bare_store(&store, &biggest, args.concurrency, time).await?;
    println!(
        "| baseline | Errors tab store call alone ({} at once) | {} | {:.0} | {} | {} | {} |",
        args.concurrency,
        baseline.len(),
        baseline.len() as f64 / time.as_secs_f64(),
        ms(percentile(&baseline, 0.5)),
        ms(percentile(&baseline, 0.99)),
        ms(baseline.last().copied().unwrap_or_default())
    );
    let seen = drive(addr, &cookie, &light, args.concurrency, time).await;
    report(&format!("{} clients", args.concurrency), &seen, time);

    // Sixteen searches too short for the trigram index, each scanning the
    // biggest campaign, sent again as soon as they answer; the light mix
    // goes on beside them with four clients.
    let heavy: Arc<Vec<Target>> = Arc::new(vec![("short search (scan)", format!("/campaigns/{big}/errors?q=ab"))]);
    let heavy_run = {
        let (cookie, heavy) = (cookie.clone(), heavy.clone());
        tokio::spawn(async move { drive(addr, &cookie, &heavy, 16, time).await })
    };
    let beside = drive(addr, &cookie, &light, 4, time).await;
    let heavy_seen = heavy_run.await.unwrap_or_default();
    report("16 scans running: pages", &beside, time);
    report("16 scans running: scans", &heavy_seen, time);
    Ok(())
}

/// The Errors tab's store call (first page, no filter) alone, `at_once`
/// at a time, round-robin over `campaigns`, for `time`.
async fn bare_store(
    store: &Store,
    campaigns: &[i64],
    at_once: usize,
    time: Duration,
) -> Result<Vec<Duration>, ServerError> {
    let until = Instant::now() + time;
    let handles: Vec<_> = (0..at_once)
        .map(|w| {
            let (store, campaigns) = (store.clone(), campaigns.to_vec());
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut at = w;
                while Instant::now() < until {
                    let id = campaigns[at % campaigns.len()];
                    at += 1;
                    let sent = Instant::now();
                    if store
                        .error_page(id, &ErrorFilter::default(), PageRequest::first())
                        .await
                        .is_ok()
                    {
                        seen.push(sent.elapsed());
                    }
                }
                seen
            })
        })
        .collect();
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.unwrap_or_default());
    }
    all.sort_unstable();
    Ok(all)
}
