//! `bouncedesk bench import`: a Postfix log of `--events` result lines
//! (bounces, deferrals and deliveries at several providers, in their own
//! words) written to a temporary file and imported, against the bare
//! reading and parsing of the same file in the same run.

use std::io::{BufRead, BufReader, Write};
use std::time::Instant;

use store::NewCampaign;

use super::{BenchArgs, open, peak_memory_kib};
use crate::ServerError;
use crate::import::{Format, ImportReport, import, postfix};

/// Real servers' replies, with the stage Postfix names (a few of many).
const REPLIES: [(&str, &str, &str); 6] = [
    (
        "bounced",
        "5.1.1",
        "host mx.ziggo.nl[212.54.42.8] said: 550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)",
    ),
    (
        "deferred",
        "4.2.2",
        "host smtp-in.orange.fr[80.12.242.11] said: 452 4.2.2 Boite du destinataire pleine (in reply to RCPT TO command)",
    ),
    (
        "bounced",
        "5.7.1",
        "host mx.online.no[148.122.161.30] said: 554 5.7.1 Meldingen ble avvist som søppelpost (in reply to end of DATA command)",
    ),
    (
        "deferred",
        "4.7.0",
        "host outlook-com.olc.protection.outlook.com[52.101.68.8] refused to talk to me: 451 4.7.500 Server busy. Please try again later",
    ),
    ("sent", "2.0.0", "250 2.0.0 OK 1764496802 a640c23a62f3a-b7f8 - gsmtp"),
    (
        "bounced",
        "5.4.4",
        "Host or domain name not found. Name service error for name=gmial.com type=MX: Host not found, try again",
    ),
];

/// Writes the log, imports it, and prints a table.
pub async fn run(args: &BenchArgs) -> Result<(), ServerError> {
    let (_dir, url, store) = open(args).await?;
    store.clear().await?;
    let campaign = store
        .insert_campaign(&NewCampaign {
            name: "bench".into(),
            subject: "bench".into(),
            from_domain: "news.example.com".into(),
            sent_at: chrono::Utc::now(),
        })
        .await?;
    let log = tempfile::NamedTempFile::new().map_err(|e| ServerError::Output(e.to_string()))?;
    {
        let mut out = std::io::BufWriter::new(log.as_file());
        for i in 0..args.events {
            let (status, dsn, text) = REPLIES[i % REPLIES.len()];
            let rcpt = format!(
                "contact{}@{}",
                i % (args.events / 3).max(1),
                ["ziggo.nl", "gmail.com", "online.no", "outlook.com", "web.de"][i % 5]
            );
            let (h, m, s) = ((i / 3600) % 24, (i / 60) % 60, i % 60);
            writeln!(
                out,
                "Nov 30 {h:02}:{m:02}:{s:02} mail1 postfix/smtp[{}]: {:X}: to=<{rcpt}>, relay=mx.example.net[192.0.2.1]:25, \
                 delay=1.2, delays=0.1/0/0.5/0.6, dsn={dsn}, status={status} ({})",
                4000 + i % 1000,
                0x4F3A_21C0 + i,
                text.replace("{rcpt}", &rcpt)
            )
            .map_err(|e| ServerError::Output(e.to_string()))?;
        }
    }
    let bytes = std::fs::metadata(log.path()).map(|m| m.len()).unwrap_or(0);

    // Baseline: reading and parsing alone.
    let started = Instant::now();
    let mut parsed = 0u64;
    for line in BufReader::new(log.reopen().map_err(|e| ServerError::Input(e.to_string()))?).lines() {
        let line = line.map_err(|e| ServerError::Input(e.to_string()))?;
        if matches!(postfix::parse(&line, 2026), Ok(postfix::Line::Result(_))) {
            parsed += 1;
        }
    }
    let parse_time = started.elapsed();

    let started = Instant::now();
    let mut report = ImportReport::default();
    let reader = BufReader::new(log.reopen().map_err(|e| ServerError::Input(e.to_string()))?);
    import(
        &store,
        reader,
        "bench",
        Format::Postfix,
        2026,
        Some(campaign),
        &mut report,
    )
    .await?;
    let import_time = started.elapsed();

    println!(
        "backend: {}; {} result lines ({:.1} MB) into one campaign\n",
        store::redact(&url),
        args.events,
        bytes as f64 / 1e6
    );
    println!("| case | time | results/s |\n|---|---|---|");
    let rate = |n: u64, t: std::time::Duration| n as f64 / t.as_secs_f64().max(1e-9);
    println!(
        "| baseline: read and parse | {:.2} s | {:.0} |",
        parse_time.as_secs_f64(),
        rate(parsed, parse_time)
    );
    println!(
        "| import (classify, store, incidents, policies) | {:.2} s | {:.0} |",
        import_time.as_secs_f64(),
        rate(report.stored, import_time)
    );
    println!(
        "\n{} stored, {} rejected; classifying {:.1} s, storing {:.1} s, incidents and policies {:.1} s; peak memory {} MiB",
        report.stored,
        report.rejected,
        report.classifying.as_secs_f64(),
        report.storing.as_secs_f64(),
        report.following_up.as_secs_f64(),
        peak_memory_kib().map_or_else(|| "?".to_owned(), |k| (k / 1024).to_string())
    );
    store.close().await;
    Ok(())
}
