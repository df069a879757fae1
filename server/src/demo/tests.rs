use std::collections::HashSet;

use bounce::Stage;
use chrono::TimeZone;

use super::*;

fn config(seed: u64) -> DemoConfig {
    DemoConfig {
        campaigns: 6,
        contacts: 2_000,
        seed,
        end: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).single().expect("valid"),
        problem_share: None,
    }
}

fn all_batches(config: DemoConfig) -> Vec<CampaignBatch> {
    let n = config.campaigns;
    let mut generator = Generator::new(config);
    (0..n).map(|i| generator.campaign(i, &|_, _| false)).collect()
}

#[test]
fn the_same_seed_gives_the_same_data() {
    let a = all_batches(config(7));
    let b = all_batches(config(7));
    let c = all_batches(config(8));

    let texts = |batches: &[CampaignBatch]| -> Vec<String> {
        batches
            .iter()
            .flat_map(|b| b.events.iter().map(|(_, e)| e.diagnostic.clone()))
            .collect()
    };
    assert_eq!(texts(&a), texts(&b));
    assert_ne!(texts(&a), texts(&c));
}

#[test]
fn failures_cover_every_stage_and_several_languages() {
    let batches = all_batches(DemoConfig {
        campaigns: 20,
        contacts: 5_000,
        ..config(2026)
    });
    let events: Vec<&NewEvent> = batches.iter().flat_map(|b| b.events.iter().map(|(_, e)| e)).collect();

    let stages: HashSet<Stage> = events.iter().map(|e| e.stage).collect();
    assert_eq!(
        stages.len(),
        Stage::ALL.len(),
        "missing stages: {:?}",
        Stage::ALL.iter().filter(|s| !stages.contains(s)).collect::<Vec<_>>()
    );
    for words in ["finnes ikke", "Postfach", "destinataire", "niet", "does not exist"] {
        assert!(
            events.iter().any(|e| e.diagnostic.contains(words)),
            "no reply text containing {words:?}"
        );
    }
    let classes: HashSet<BounceClass> = events.iter().map(|e| e.class).collect();
    assert_eq!(
        classes.len(),
        4,
        "hard, soft, undetermined and none all occur: {classes:?}"
    );
    let reasons: HashSet<bounce::Reason> = events.iter().filter_map(|e| e.reason).collect();
    assert!(reasons.len() >= 12, "a wide spread of reasons: {reasons:?}");
    assert!(
        events
            .iter()
            .any(|e| e.recipient.domain() == "gmial.com" && e.stage == Stage::Dns)
    );
}

#[test]
fn codes_and_reasons_come_from_what_came_back() {
    let batches = all_batches(config(11));
    let mut messages = 0;
    for (_, e) in batches.iter().flat_map(|b| b.events.iter()) {
        if let Some(raw) = &e.raw_message {
            // Read back like an import: the stored fields are the reader's.
            messages += 1;
            assert!(matches!(e.stage, Stage::AfterDelivery | Stage::Reply));
            let report = bounce::message::read(raw).into_iter().next().expect("one message");
            let record = report.records.into_iter().next().expect("one recipient");
            assert_eq!(record.recipient, e.recipient.as_str());
            assert_eq!((e.reply_code, e.status), (record.reply_code, record.status));
            assert_eq!((e.class, e.reason), (record.verdict.class, Some(record.verdict.reason)));
            if e.stage == Stage::AfterDelivery {
                let campaign = report
                    .original
                    .campaign
                    .expect("the original's campaign header is read back");
                assert!(campaign.starts_with("demo-"), "{campaign}");
            }
            continue;
        }
        assert_eq!(e.reply_code, ReplyCode::leading(&e.diagnostic), "{}", e.diagnostic);
        if let Some(found) = EnhancedStatus::find_in(&e.diagnostic) {
            assert_eq!(e.status, Some(found));
        }
        let verdict = bounce::classify(&Evidence {
            kind: MessageKind::Failure,
            stage: Some(e.stage),
            outcome: Some(e.outcome),
            reply_code: e.reply_code,
            status: e.status,
            text: &e.diagnostic,
            ..Evidence::default()
        });
        assert_eq!((e.class, e.reason), (verdict.class, Some(verdict.reason)));
    }
    assert!(
        messages > 20,
        "bounce messages and auto-replies are generated ({messages})"
    );
}

#[test]
fn the_list_grows_and_blocked_sends_are_rejected() {
    let config = DemoConfig {
        campaigns: 6,
        ..config(3)
    };
    let mut generator = Generator::new(config);
    // A sender that refuses every address at a dead mailbox after the first campaign.
    let dead: Vec<bool> = generator.contacts.iter().map(|c| c.profile == Profile::Dead).collect();
    let batches: Vec<CampaignBatch> = (0..6)
        .map(|i| generator.campaign(i, &|contact, _| i > 0 && dead[contact]))
        .collect();

    let recipients = |b: &CampaignBatch| b.sends.iter().filter(|(c, _)| !dead[*c]).count();
    assert!(
        recipients(&batches[5]) > recipients(&batches[0]),
        "new sign-ups join later campaigns"
    );
    for (i, b) in batches.iter().enumerate() {
        let hard = b
            .sends
            .iter()
            .filter(|(_, s)| s.class == Some(BounceClass::Hard))
            .count();
        let rejected = b.sends.iter().filter(|(_, s)| s.outcome == Outcome::Rejected).count();
        assert!(hard > 0, "campaign {i} has fresh hard bounces");
        if i > 0 {
            assert!(rejected > 0);
            assert!(
                b.sends
                    .iter()
                    .filter(|(_, s)| s.outcome == Outcome::Rejected)
                    .all(|(c, s)| dead[*c] && s.class.is_none() && s.attempts == 0)
            );
        }
    }
}

#[test]
fn problem_share_turns_most_sends_into_events() {
    let batches = all_batches(DemoConfig {
        campaigns: 1,
        problem_share: Some(1.0),
        ..config(5)
    });
    let batch = &batches[0];
    assert!(
        batch.event_count() >= batch.sends.len(),
        "every send fails at least once"
    );
}
