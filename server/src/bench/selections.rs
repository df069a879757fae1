//! `bouncedesk bench selections`: selections over a million contacts and
//! ten million sends, and a streamed export, against the bare SQL scan of
//! the failed sends in the same run.

use std::time::Instant;

use bounce::selection::Definition;
use bounce::{BounceClass, EnhancedStatus, Outcome, Reason, ReplyCode, Stage};
use chrono::{Duration, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use store::{NewCampaign, NewContact, NewSend, SendFailure, Store};

use super::{BenchArgs, measure, peak_memory_kib, print_row};
use crate::ServerError;

/// What the contacts are like: a realistic list has a few per cent of dead
/// and full mailboxes; the rest bounce now and then.
fn result(rng: &mut ChaCha8Rng, profile: f64) -> (Outcome, Option<(BounceClass, SendFailure)>) {
    let failure = |class, stage, reply: u16, status: &str, text: &str, reason| {
        Some((
            class,
            SendFailure {
                stage,
                reply_code: ReplyCode::new(reply).ok(),
                status: status.parse::<EnhancedStatus>().ok(),
                diagnostic: text.to_owned(),
                reason: Some(reason),
            },
        ))
    };
    let roll: f64 = rng.random();
    let hard = || {
        failure(
            BounceClass::Hard,
            Stage::RcptTo,
            550,
            "5.1.1",
            "550 5.1.1 The email account that you tried to reach does not exist.",
            Reason::UserUnknown,
        )
    };
    let soft = || {
        failure(
            BounceClass::Soft,
            Stage::RcptTo,
            452,
            "4.2.2",
            "452 4.2.2 Mailbox vol / quota overschreden",
            Reason::MailboxFull,
        )
    };
    match profile {
        p if p < 0.03 => (Outcome::Error, hard()),
        p if p < 0.05 && roll < 0.7 => (Outcome::Error, soft()),
        _ if roll < 0.01 => (Outcome::Error, soft()),
        _ if roll < 0.012 => (Outcome::Error, hard()),
        _ => (Outcome::Accepted, None),
    }
}

async fn load(store: &Store, contacts: usize, campaigns: usize) -> Result<(), ServerError> {
    store.clear().await?;
    let start = Utc
        .with_ymd_and_hms(2026, 5, 1, 9, 0, 0)
        .single()
        .unwrap_or_else(Utc::now);
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let list: Vec<NewContact> = (0..contacts)
        .map(|i| {
            let domain = ["gmail.com", "ziggo.nl", "online.no", "gmx.de", "orange.fr"][i % 5];
            Ok(NewContact {
                email: format!("lid{i}@{domain}").parse()?,
                created_at: start,
            })
        })
        .collect::<Result<_, bounce::ParseError>>()?;
    let profiles: Vec<f64> = (0..contacts).map(|_| rng.random()).collect();
    let mut ids = Vec::with_capacity(contacts);
    for chunk in list.chunks(50_000) {
        let by_email = store.upsert_contacts(chunk).await?;
        ids.extend(chunk.iter().map(|c| by_email.get(&c.email).copied().unwrap_or(0)));
    }
    for c in 0..campaigns {
        let sent_at = start + Duration::days(14 * c as i64);
        let campaign = store
            .insert_campaign(&NewCampaign {
                name: format!("Nieuwsbrief {c}"),
                subject: "Nieuws".into(),
                from_domain: "news.example.nl".into(),
                sent_at,
            })
            .await?;
        for block in (0..contacts).collect::<Vec<_>>().chunks(50_000) {
            let sends: Vec<NewSend> = block
                .iter()
                .map(|&i| {
                    let (outcome, failed) = result(&mut rng, profiles[i]);
                    let (class, failure) = failed.unzip();
                    NewSend {
                        message_id: None,
                        campaign_id: campaign,
                        contact_id: ids[i],
                        outcome,
                        class,
                        attempts: 1,
                        updated_at: sent_at + Duration::minutes(5),
                        failure,
                    }
                })
                .collect();
            store.upsert_sends(&sends).await?;
        }
        eprintln!("  campaign {}/{campaigns} loaded", c + 1);
    }
    store.analyze().await?;
    Ok(())
}

/// Runs the benchmark and prints a Markdown table.
pub async fn run(args: &BenchArgs) -> Result<(), ServerError> {
    let (_dir, url, store) = super::open(args).await?;
    if !args.no_load {
        let started = Instant::now();
        load(&store, args.events, args.campaigns).await?;
        eprintln!("loaded in {:.1} s", started.elapsed().as_secs_f64());
    }
    let contacts = store.contact_count().await?;
    println!(
        "backend: {}; {contacts} contacts, {} campaigns\n",
        store::redact(&url),
        store.campaign_count().await?
    );
    println!("| case | rows | median | p95 | max |\n|---|---|---|---|---|");
    let now = Utc::now();
    let failed = store.count_failed_sends().await?;
    let baseline = measure(args.runs, || store.count_failed_sends()).await?;
    print_row(
        &format!("baseline: bare SQL, COUNT(*) of failed sends | {failed}"),
        &baseline,
    );
    let cases = [
        (
            "3 consecutive hard bounces",
            r#"{"consecutive": {"class": "hard", "at_least": 3}}"#,
        ),
        (
            "soft-bounced 3 times since a date",
            r#"{"bounced": {"class": "soft", "at_least": 3, "since": "2026-06-01"}}"#,
        ),
        (
            "any failure, last 3 campaigns, code 5.1",
            r#"{"bounced": {"last_campaigns": 3, "code": "5.1"}}"#,
        ),
        (
            "active AND NOT 3 hard in a row AND domain",
            r#"{"all": [{"status": "active"}, {"not": {"consecutive": {"class": "hard", "at_least": 3}}}, {"domain": "ziggo.nl"}]}"#,
        ),
        (
            "no error in the last 2 campaigns",
            r#"{"no_error": {"last_campaigns": 2}}"#,
        ),
    ];
    for (name, text) in cases {
        let def = Definition::parse(text)?;
        let count = store.count_selection(&def, now).await?;
        let timings = measure(args.runs, || store.count_selection(&def, now)).await?;
        print_row(&format!("{name} | {count}"), &timings);
    }

    // The campaigns list: kept totals against counting the sends (what every
    // page showing totals did before they were kept).
    let kept = measure(args.runs, || store.campaign_summaries()).await?;
    print_row("campaigns list, kept totals | all campaigns", &kept);
    let recount = measure(args.runs.min(5), || store.recount_campaign_summaries()).await?;
    print_row("campaigns list, counted from the sends | all campaigns", &recount);

    // A streamed export of every contact: rows per second and peak memory.
    let def = Definition::parse(r#"{"not": {"suppressed": {}}}"#)?;
    let before = peak_memory_kib();
    let started = Instant::now();
    let mut sink = std::io::sink();
    let rows = crate::select::export(
        &store,
        &def,
        bounce::export::ExportFormat::Csv {
            delimiter: bounce::export::Delimiter::Semicolon,
        },
        now,
        &mut sink,
    )
    .await?;
    let took = started.elapsed().as_secs_f64();
    println!(
        "\nexport (CSV) of {rows} contacts: {took:.1} s ({:.0} rows/s); peak resident memory {} MiB before, {} MiB after",
        rows as f64 / took,
        before.map_or("?".into(), |k| format!("{:.0}", k as f64 / 1024.0)),
        peak_memory_kib().map_or("?".into(), |k| format!("{:.0}", k as f64 / 1024.0)),
    );
    store.close().await;
    Ok(())
}
