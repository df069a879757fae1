//! The command line: `serve`, `demo`, `migrate`, `classify`, `select`, `user`,
//! `import`, `token`, `webhook-key`, `campaign`, `bench`.

use std::net::SocketAddr;
use std::path::PathBuf;

use chrono::{DurationRound, TimeDelta, Utc};
use clap::{Args, Parser, Subcommand};
use store::Store;

use crate::demo::{self, DemoConfig};
use crate::{ServerError, bench};

/// bouncedesk: see why campaign mail did not arrive, and clean your lists.
#[derive(Debug, Parser)]
#[command(name = "bouncedesk", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the dashboard. The database is created and migrated on start;
    /// an empty one gets the demo data set unless --no-demo is given.
    Serve(ServeArgs),
    /// (Re)load the demo data set: generates campaigns, contacts, sends and
    /// bounces from a seed into a staging copy, then replaces every row with
    /// it in one transaction (interrupted, it changes nothing).
    Demo(DemoArgs),
    /// Bring the database schema up to date and exit.
    Migrate(DatabaseArg),
    /// Read bounce messages (files, folders, mbox files, `-` for standard
    /// input) and write one JSON line per recipient: reason, class, stage,
    /// codes, the server's words.
    Classify(crate::classify::ClassifyArgs),
    /// Count or export the contacts a selection definition picks (JSON, see
    /// docs/selections.md): `--count`, or `--export csv|jsonl`.
    Select(crate::select::SelectArgs),
    /// Import delivery results (MTA logs, webhook bodies, CSV, bounce
    /// messages) through the classifier; importing the same data again
    /// stores nothing new.
    Import(crate::import::ImportArgs),
    /// Read bounce mailboxes over IMAP with TLS
    /// (`imaps://USER@HOST[:PORT]/FOLDER`): every message imported, then
    /// moved to a folder (never deleted); `--poll SECONDS` keeps reading.
    Mailbox(crate::mailbox::MailboxArgs),
    /// Add, list and change the people who sign in (`user add --role admin
    /// EMAIL` makes the first admin).
    User(crate::users::UserArgs),
    /// Make, list and revoke the API tokens that let other systems post
    /// results (`/api/v1/events`, `/api/v1/webhooks/{format}`).
    Token(crate::admin::TokenArgs),
    /// Store (or --clear) the key an ESP signs its webhooks with: mailgun,
    /// mandrill or sendgrid; for ses, the SNS topics whose signed messages
    /// are accepted. POSTs that are not signed with it are refused.
    WebhookKey(crate::admin::WebhookKeyArgs),
    /// Add campaigns that imported results link to, and set their tags.
    Campaign(crate::admin::CampaignArgs),
    /// Write a consistent copy of a SQLite database to a new file while the
    /// server serves (for PostgreSQL use pg_dump).
    Backup(crate::backup::BackupArgs),
    /// Put a backup in place of the SQLite database (checked first; the
    /// replaced file is kept beside it). Stop the server first.
    Restore(crate::backup::RestoreArgs),
    /// Measure how fast the store answers; see docs/performance.md.
    Bench(bench::BenchArgs),
}

/// Where the data lives.
#[derive(Debug, Args)]
pub struct DatabaseArg {
    /// sqlite://PATH (created when missing) or postgres://USER:PASSWORD@HOST/DB.
    /// Global: it may follow a subcommand's own subcommand (`user add ... --database-url`).
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/bouncedesk.db",
        global = true
    )]
    pub database_url: String,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "BOUNCEDESK_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub database: DatabaseArg,
    /// Do not load demo data into an empty database.
    #[arg(long)]
    pub no_demo: bool,
    /// Folder holding the built front end (pkg/bouncedesk.js, .wasm, .css).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
    /// Host names the dashboard answers to, comma-separated (`name` or
    /// `name:port`; `*` for any, behind a proxy that checks it). Default: the
    /// --addr address and localhost. Requests for other names get 421.
    #[arg(long, env = "BOUNCEDESK_ALLOWED_HOSTS", default_value = "")]
    pub allowed_hosts: String,
    /// `Secure` on the session cookie: `auto` sets it when a TLS proxy says
    /// the request came over HTTPS (`X-Forwarded-Proto: https`).
    #[arg(long, env = "BOUNCEDESK_SECURE_COOKIES", value_enum, default_value = "auto")]
    pub secure_cookies: CookieSecurity,
}

/// When the session cookie is marked `Secure`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CookieSecurity {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub database: DatabaseArg,
    /// Number of campaigns, spread over six months.
    #[arg(long, default_value_t = 20)]
    pub campaigns: usize,
    /// Number of contacts (before --scale).
    #[arg(long, default_value_t = 30_000)]
    pub contacts: usize,
    /// Seed: the same seed gives the same data (for a given day).
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Multiply the contacts (and so sends and events) by this factor;
    /// 30 gives about a million events.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub scale: u32,
    /// Keep what is stored and send one more campaign to the same list (give
    /// the --contacts and --seed it was loaded with): suppressed addresses
    /// are refused and counted as rejected, as a real send would.
    #[arg(long)]
    pub add_campaign: bool,
}

impl Cli {
    /// Runs the command.
    pub async fn run(self) -> Result<(), ServerError> {
        match self.command {
            Command::Serve(args) => serve(args).await,
            Command::Demo(args) => {
                let store = Store::connect(&args.database.database_url).await?;
                let config = DemoConfig {
                    campaigns: args.campaigns,
                    contacts: args.contacts.saturating_mul(args.scale as usize),
                    seed: args.seed,
                    end: today(),
                    problem_share: None,
                };
                if args.add_campaign {
                    let report = demo::add_campaign(&store, config).await?;
                    eprintln!(
                        "one campaign added: {} sends, {} events, {} blocks recorded",
                        report.sends, report.events, report.suppressions
                    );
                    return Ok(());
                }
                let staging = store.staging().await?;
                load_demo(staging.store(), config).await?;
                Ok(store.replace_with_demo(staging).await?)
            }
            Command::Migrate(args) => {
                Store::connect(&args.database_url).await?;
                println!("{}: schema is up to date", store::redact(&args.database_url));
                Ok(())
            }
            Command::Classify(args) => crate::classify::run(args),
            Command::Select(args) => crate::select::run(args).await,
            Command::Import(args) => crate::import::run(args).await,
            Command::Mailbox(args) => crate::mailbox::run(args).await,
            Command::User(args) => crate::users::run(args).await,
            Command::Token(args) => crate::admin::token(args).await,
            Command::WebhookKey(args) => crate::admin::webhook_key(args).await,
            Command::Campaign(args) => crate::admin::campaign(args).await,
            Command::Backup(args) => crate::backup::backup(args).await,
            Command::Restore(args) => crate::backup::restore(args).await,
            Command::Bench(args) => bench::run(args).await,
        }
    }
}

/// Midnight today, UTC: demo dates are stable through the day.
fn today() -> chrono::DateTime<Utc> {
    let now = Utc::now();
    now.duration_trunc(TimeDelta::days(1)).unwrap_or(now)
}

async fn load_demo(store: &Store, config: DemoConfig) -> Result<(), ServerError> {
    let campaigns = config.campaigns;
    let started = std::time::Instant::now();
    eprintln!(
        "loading demo data: {campaigns} campaigns, {} contacts (seed {})",
        config.contacts, config.seed
    );
    // Drawn only on a terminal; logs and CI get the summary line alone.
    let bar = indicatif::ProgressBar::new(campaigns as u64).with_style(
        indicatif::ProgressStyle::with_template("  {bar:30} {pos}/{len} campaigns  {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let report = demo::load(store, config, |_, report| {
        bar.inc(1);
        bar.set_message(format!("{} sends, {} events", report.sends, report.events));
    })
    .await?;
    bar.finish_and_clear();
    eprintln!(
        "demo data loaded in {:.1} s: {} campaigns, {} contacts, {} sends, {} events, {} suppressed, {} unsubscribed, {} provider incidents",
        started.elapsed().as_secs_f64(),
        report.campaigns,
        report.contacts,
        report.sends,
        report.events,
        report.suppressions,
        report.unsubscribes,
        report.incidents
    );
    Ok(())
}

/// Timed work in the server's background, once a minute: blocks whose time
/// is up (a hard bounce's 7 days) are released, and follow-up work a killed
/// import left noted is done (`follow_ups`). Several servers on one
/// PostgreSQL database each claim lapsed blocks with SKIP LOCKED, so each is
/// released once; a failed round is logged and tried again next minute.
async fn background_rounds(store: Store) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        every.tick().await;
        loop {
            match store.release_expired(Utc::now(), 1_000).await {
                Ok(released) if released.is_empty() => break,
                Ok(released) => tracing::info!(count = released.len(), "released lapsed blocks"),
                Err(e) => {
                    tracing::warn!(error = %e, "releasing lapsed blocks failed; trying again in a minute");
                    break;
                }
            }
        }
        match crate::follow_ups::work_off(&store).await {
            Ok(done) if done == crate::follow_ups::Done::default() => {}
            Ok(done) => tracing::info!(
                incidents = done.incidents,
                blocks = done.blocks,
                "did noted follow-up work"
            ),
            Err(e) => tracing::warn!(error = %e, "noted follow-up work failed; trying again in a minute"),
        }
    }
}

async fn serve(args: ServeArgs) -> Result<(), ServerError> {
    let store = Store::connect(&args.database.database_url).await?;
    if !args.no_demo
        && let store::DemoClaim::Load(claim) = store.claim_demo_load().await?
    {
        let staging = store.staging().await?;
        load_demo(staging.store(), DemoConfig::standard(today())).await?;
        if !store.finish_demo_load(claim, staging).await? {
            tracing::info!("another server finished loading the demo data first; its copy stays");
        }
    }
    let demo_login = if args.no_demo {
        None
    } else {
        match crate::users::ensure_demo_login(&store).await {
            Ok(login) => login,
            // Another server starting on the same database made it first.
            Err(ServerError::Store(store::StoreError::Invalid(_))) => None,
            Err(e) => return Err(e),
        }
    };
    if store.user_count().await? == 0 {
        tracing::warn!("nobody can sign in yet: make an admin with `bouncedesk user add --role admin EMAIL`");
    }
    let site_root = args.site_root.to_string_lossy().into_owned();
    if !args.site_root.join("pkg").join("bouncedesk.wasm").exists() {
        tracing::warn!(
            "{site_root}/pkg/bouncedesk.wasm is missing: pages will render but not hydrate (build with `make build`)"
        );
    }
    tokio::spawn(background_rounds(store.clone()));
    let settings = crate::HttpSettings {
        allowed_hosts: crate::guards::AllowedHosts::new(&args.allowed_hosts, args.addr),
        secure_cookies: match args.secure_cookies {
            CookieSecurity::Auto => None,
            CookieSecurity::Always => Some(true),
            CookieSecurity::Never => Some(false),
        },
        ..crate::HttpSettings::local(args.addr)
    };
    let renders = settings.renders.clone();
    let app = crate::router_with(store.clone(), crate::leptos_options(&site_root, args.addr), settings);
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|source| ServerError::Bind {
            addr: args.addr.to_string(),
            source,
        })?;
    println!(
        "bouncedesk is running at http://{} (database: {})",
        args.addr,
        store::redact(&args.database.database_url)
    );
    if let Some((email, password)) = demo_login {
        println!(
            "sign in as {email} with the password {password} (an admin; shown once, change it on the Account page)"
        );
    }
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(crate::shutdown::requested())
        .await
        .map_err(ServerError::Serve)?;
    // Renders whose visitor left are still running: let them end (each is
    // bounded by the query deadline) rather than drop them half-way.
    if !renders.finished(crate::router::REQUEST_TIMEOUT).await {
        tracing::warn!(left = renders.running(), "renders still running at exit");
    }
    store.close().await;
    Ok(())
}
