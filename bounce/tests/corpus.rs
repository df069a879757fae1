//! Golden test: the labelled bounce corpus in `../shared/corpus` (real
//! messages, labels from Sisimai). Prints the agreement and fails when it
//! drops below the level reached so far, so rules only ever get better.
//!
//! Sisimai invents "pseudo" statuses (`5.0.9xx`) from the reason when a
//! message states none; a message-reading parser cannot find those, so an
//! expected pseudo status counts as matched when no status was found.

mod common;

use std::collections::HashMap;

use common::corpus_dir;

use bounce::message;
use bounce::{BounceClass, Reason};

#[derive(serde::Deserialize)]
struct Expected {
    file: String,
    message: usize,
    recipient: String,
    reason: String,
    replycode: String,
    deliverystatus: String,
    hardbounce: bool,
}

/// Sisimai names an undisclosed complaint recipient with its own placeholder;
/// we use ours.
fn same_recipient(ours: &str, expected: &str) -> bool {
    ours.eq_ignore_ascii_case(expected)
        || (expected == "undisclosed-recipient-in-headers@libsisimai.org.invalid"
            && ours == "undisclosed-recipients@invalid")
}

fn is_pseudo(status: &str) -> bool {
    let parts: Vec<&str> = status.split('.').collect();
    parts.len() == 3 && parts[1] == "0" && parts[2].len() == 3 && parts[2].starts_with('9')
}

#[test]
fn corpus_agreement() {
    let dir = corpus_dir();
    let expected_path = dir.join("expected.jsonl");
    let lines = std::fs::read_to_string(&expected_path).unwrap_or_else(|e| {
        panic!(
            "the corpus must sit beside the clone ({}): {e}",
            expected_path.display()
        )
    });
    let expected: Vec<Expected> = lines
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("expected.jsonl line does not parse: {e}")))
        .collect();

    let mut reports: HashMap<String, Vec<message::Report>> = HashMap::new();
    for e in &expected {
        reports.entry(e.file.clone()).or_insert_with(|| {
            let bytes = std::fs::read(dir.join(&e.file)).unwrap_or_else(|err| panic!("{}: {err}", e.file));
            message::read(&bytes)
        });
    }
    let not_bounce = std::fs::read(dir.join("messages/not-bounce/is-not-bounce-02.eml")).unwrap_or_default();
    let spurious = message::read(&not_bounce)
        .iter()
        .map(|r| r.records.len())
        .sum::<usize>();

    let (mut found, mut reason, mut reply, mut status, mut class) = (0, 0, 0, 0, 0);
    let mut misses: HashMap<String, Vec<String>> = HashMap::new();
    for e in &expected {
        let record = reports[&e.file].get(e.message - 1).and_then(|r| {
            r.records
                .iter()
                .find(|rec| same_recipient(&rec.recipient, &e.recipient))
        });
        let Some(record) = record else {
            misses
                .entry("recipient".into())
                .or_default()
                .push(format!("{} {}", e.file, e.recipient));
            continue;
        };
        found += 1;
        if record.verdict.reason.as_str() == e.reason {
            reason += 1;
        } else {
            misses
                .entry(format!("{} -> {}", e.reason, record.verdict.reason))
                .or_default()
                .push(e.file.clone());
        }
        let our_reply = record.reply_code.map(|c| c.to_string()).unwrap_or_default();
        if our_reply == e.replycode {
            reply += 1;
        } else {
            misses
                .entry("reply code".into())
                .or_default()
                .push(format!("{} want {:?} got {our_reply:?}", e.file, e.replycode));
        }
        let our_status = record.status.map(|s| s.to_string()).unwrap_or_default();
        let status_ok = if is_pseudo(&e.deliverystatus) {
            our_status.is_empty()
        } else {
            our_status == e.deliverystatus
        };
        if status_ok {
            status += 1;
        } else {
            misses
                .entry("status".into())
                .or_default()
                .push(format!("{} want {:?} got {our_status:?}", e.file, e.deliverystatus));
        }
        let expected_class = match e.reason.parse::<Reason>() {
            Ok(Reason::Delivered | Reason::Feedback | Reason::Vacation) => BounceClass::None,
            _ if e.hardbounce => BounceClass::Hard,
            _ => BounceClass::Soft,
        };
        let our_class = match record.verdict.class {
            BounceClass::Undetermined => BounceClass::Soft,
            other => other,
        };
        if our_class == expected_class {
            class += 1;
        }
    }

    let total = expected.len();
    let pct = |n: usize| 100.0 * n as f64 / total as f64;
    println!("corpus: {total} expected records in {} files", reports.len());
    println!("  recipient found     {found:4} ({:.1} %)", pct(found));
    println!("  reason agrees       {reason:4} ({:.1} %)", pct(reason));
    println!("  hard/soft agrees    {class:4} ({:.1} %)", pct(class));
    println!("  reply code agrees   {reply:4} ({:.1} %)", pct(reply));
    println!("  status agrees       {status:4} ({:.1} %)", pct(status));
    println!("  records from the not-bounce sample: {spurious}");
    let mut keys: Vec<_> = misses.iter().collect();
    keys.sort_by_key(|(k, v)| (std::cmp::Reverse(v.len()), (*k).clone()));
    for (key, files) in keys.iter().take(40) {
        println!(
            "  miss {key}: {} e.g. {}",
            files.len(),
            files.iter().take(12).cloned().collect::<Vec<_>>().join(", ")
        );
    }

    // The floor only rises: raise these as the rules improve.
    assert!(
        pct(found) >= FLOOR_FOUND,
        "recipients found fell to {:.1} %",
        pct(found)
    );
    assert!(
        pct(reason) >= FLOOR_REASON,
        "reason agreement fell to {:.1} %",
        pct(reason)
    );
    assert!(
        pct(reply) >= FLOOR_REPLY,
        "reply code agreement fell to {:.1} %",
        pct(reply)
    );
    assert!(
        pct(status) >= FLOOR_STATUS,
        "status agreement fell to {:.1} %",
        pct(status)
    );
    assert!(spurious == 0, "the not-bounce sample produced records");
}

const FLOOR_FOUND: f64 = 99.5;
const FLOOR_REASON: f64 = 96.3;
const FLOOR_REPLY: f64 = 99.0;
const FLOOR_STATUS: f64 = 98.3;
