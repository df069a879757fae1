use chrono::TimeZone;

use super::*;

fn day(n: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 10, 0, 0).single().expect("valid") + Duration::days(n)
}

fn failed(n: i64, class: BounceClass, reason: Reason) -> SendFact {
    SendFact {
        at: day(n),
        outcome: Outcome::Error,
        class: Some(class),
        reason: Some(reason),
        in_incident: false,
    }
}

fn hard(n: i64) -> SendFact {
    failed(n, BounceClass::Hard, Reason::UserUnknown)
}

fn soft(n: i64) -> SendFact {
    failed(n, BounceClass::Soft, Reason::MailboxFull)
}

fn delivered(n: i64) -> SendFact {
    SendFact {
        at: day(n),
        outcome: Outcome::Accepted,
        class: None,
        reason: None,
        in_incident: false,
    }
}

fn rejected(n: i64) -> SendFact {
    SendFact {
        at: day(n),
        outcome: Outcome::Rejected,
        class: None,
        reason: None,
        in_incident: false,
    }
}

fn decide(history: &[SendFact]) -> Option<Rule> {
    evaluate(&Policy::default(), history, None).map(|d| d.rule)
}

#[test]
fn one_hard_bounce_blocks_for_seven_days() {
    let d = evaluate(&Policy::default(), &[delivered(0), hard(10)], None).expect("a block");

    assert_eq!(d.rule, Rule::HardBounce);
    assert_eq!(d.expires_at, Some(day(17)));
}

#[test]
fn three_hard_bounces_in_a_row_retain_the_contact_and_a_delivery_breaks_the_run() {
    assert_eq!(decide(&[hard(0), hard(10), hard(20)]), Some(Rule::ConsecutiveHard));
    assert_eq!(
        decide(&[hard(0), delivered(10), hard(20), hard(30)]),
        Some(Rule::HardBounce)
    );
}

#[test]
fn sends_refused_by_suppression_are_not_attempts() {
    assert_eq!(
        decide(&[hard(0), rejected(5), hard(10), rejected(12), hard(20)]),
        Some(Rule::ConsecutiveHard)
    );
}

#[test]
fn three_soft_bounces_within_thirty_days_mark_the_contact_bounced() {
    assert_eq!(decide(&[soft(0), soft(10), soft(20)]), Some(Rule::RepeatedSoft));
    // Spread over more than 30 days: the first has left the window.
    assert_eq!(decide(&[soft(0), soft(20), soft(40)]), None);
    // A good delivery resets the count.
    assert_eq!(decide(&[soft(0), soft(5), delivered(8), soft(10)]), None);
}

#[test]
fn blocks_of_our_own_sending_never_count_against_the_address() {
    let blocklisted = |n| failed(n, BounceClass::Soft, Reason::Blocked);
    let spam = |n| failed(n, BounceClass::Soft, Reason::SpamDetected);
    let rate = |n| failed(n, BounceClass::Soft, Reason::Speeding);

    assert_eq!(decide(&[blocklisted(0), spam(1), rate(2), blocklisted(3)]), None);
    // Nor do they break a run of the address's own hard bounces.
    assert_eq!(
        decide(&[hard(0), blocklisted(5), hard(10), hard(20)]),
        Some(Rule::ConsecutiveHard)
    );
}

#[test]
fn a_complaint_blocks_for_good_whatever_the_history() {
    let d = evaluate(&Policy::default(), &[delivered(0)], Some(day(1))).expect("a block");

    assert_eq!((d.rule, d.expires_at), (Rule::Complaint, None));
    assert_eq!(d.rule.status(), ContactStatus::Complained);
}

#[test]
fn rules_switched_off_do_nothing() {
    let off = Policy {
        hard_block_days: 0,
        soft_limit: 0,
        soft_window_days: 30,
        consecutive_hard: 0,
    };

    assert_eq!(evaluate(&off, &[hard(0), hard(1), hard(2), soft(3)], None), None);
}

#[test]
fn settings_out_of_range_name_the_field() {
    let e = Policy {
        soft_limit: 500,
        ..Policy::default()
    }
    .checked()
    .expect_err("refused");

    assert_eq!(e.field, "soft_limit");
    assert!(Policy::default().checked().is_ok());
}

#[test]
fn stronger_blocks_rank_above_weaker_ones() {
    let mut ranks: Vec<u8> = Rule::ALL.iter().map(|r| r.rank()).collect();
    ranks.dedup();
    assert_eq!(ranks.len(), Rule::ALL.len());
    assert!(Rule::Complaint.rank() > Rule::HardBounce.rank());
}

#[test]
fn failures_in_a_provider_incident_never_count_against_the_address() {
    let in_incident = |n| SendFact {
        in_incident: true,
        ..failed(n, BounceClass::Soft, Reason::MailboxFull)
    };
    let hard_in_incident = |n| SendFact {
        in_incident: true,
        ..hard(n)
    };

    let softs = decide(&[in_incident(1), in_incident(2), in_incident(3)]);
    let hards = decide(&[hard(1), hard_in_incident(2), hard(3)]);
    let outside = decide(&[soft(1), soft(2), soft(3)]);

    assert_eq!(softs, None);
    assert_eq!(
        hards,
        Some(Rule::HardBounce),
        "the run of hard bounces is not made by an incident"
    );
    assert_eq!(outside, Some(Rule::RepeatedSoft));
}
