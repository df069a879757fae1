//! Generated hostile messages (`bounce::message::hostile`): the shapes that
//! once kept the reader busy for minutes (quadratic de-duplication, text
//! merging, address collection) or made it write hundreds of megabytes
//! (one text copied into every recipient's record), at the sizes that hurt.
//! Each must come back within the caps of `bounce::message`, its records
//! under ten times the message. Speed is measured by `bouncedesk bench
//! hostile` (docs/performance.md), not timed here; a quadratic step would
//! still make this test run for many minutes.

use bounce::message::{self, Limit, MAX_DIAGNOSTIC_BYTES, MAX_RECIPIENTS, Report, hostile};

/// Reads `input` and checks what every hostile shape must give: at most
/// the cap of recipients, each diagnostic within its cap, and all records
/// together (as `bouncedesk classify` prints them, about 300 bytes of
/// fields each) under ten times the input.
fn read_within_caps(input: &[u8]) -> Report {
    let mut reports = message::read(input);
    assert_eq!(reports.len(), 1, "one message");
    let report = reports.remove(0);
    assert!(
        report.records.len() <= MAX_RECIPIENTS,
        "{} records",
        report.records.len()
    );
    let output: usize = report
        .records
        .iter()
        .map(|r| r.diagnostic.len() + r.recipient.len() + 300)
        .sum();
    assert!(
        output < 10 * input.len(),
        "{output} bytes of records from {} bytes",
        input.len()
    );
    for r in &report.records {
        assert!(
            r.diagnostic.len() <= MAX_DIAGNOSTIC_BYTES,
            "a diagnostic of {} bytes",
            r.diagnostic.len()
        );
    }
    report
}

#[test]
fn two_hundred_thousand_dsn_groups_give_the_first_thousand_and_name_the_cap() {
    let input = hostile::dsn_groups(200_000);

    let report = read_within_caps(&input);

    assert_eq!(report.records.len(), MAX_RECIPIENTS);
    assert_eq!(report.records[0].recipient, "user0@example.org");
    assert_eq!(report.limit, Some(Limit::Recipients { named: 200_000 }));
}

#[test]
fn one_address_on_150000_lines_is_one_record() {
    let report = read_within_caps(&hostile::one_address_lines(150_000));

    assert_eq!(report.records.len(), 1);
    assert_eq!(report.records[0].recipient, "same.user@example.org");
    assert_eq!(report.limit, None);
}

#[test]
fn two_hundred_thousand_distinct_recipient_lines_are_capped() {
    let report = read_within_caps(&hostile::distinct_recipient_lines(200_000));

    assert_eq!(report.records.len(), MAX_RECIPIENTS);
    assert_eq!(report.limit, Some(Limit::Recipients { named: 200_000 }));
}

#[test]
fn three_hundred_thousand_bracketed_addresses_in_prose() {
    let report = read_within_caps(&hostile::bracketed_prose(300_000));

    assert!(report.records.len() <= 1, "prose names a recipient at most once");
}

#[test]
fn one_bare_address_three_hundred_thousand_times_in_prose_is_one_record() {
    let report = read_within_caps(&hostile::bare_prose(300_000));

    assert_eq!(report.records.len(), 1);
    assert_eq!(report.records[0].recipient, "kari@example.org");
}

#[test]
fn a_local_delivery_agent_line_is_not_copied_whole_into_hundreds_of_records() {
    let report = read_within_caps(&hostile::lda_line(500, 1_000_000));

    assert_eq!(report.records.len(), 500);
    assert!(
        report
            .records
            .iter()
            .all(|r| r.diagnostic.starts_with("mail.local: unknown user"))
    );
}

#[test]
fn a_complaint_report_with_hundreds_of_recipients_shares_its_text_within_the_cap() {
    let report = read_within_caps(&hostile::arf(500, 12_000));

    assert_eq!(report.records.len(), 500);
    assert!(
        report
            .records
            .iter()
            .all(|r| r.diagnostic.starts_with("This is an email abuse report"))
    );
}

#[test]
fn a_message_over_the_size_cap_is_refused_whole() {
    let input = hostile::larger_than(message::MAX_MESSAGE_BYTES + 1);

    let report = message::read(&input).remove(0);

    assert!(report.records.is_empty());
    assert_eq!(report.limit, Some(Limit::Size { bytes: input.len() }));
}

#[test]
fn two_hundred_thousand_mime_parts_are_read_up_to_the_part_cap() {
    let input = hostile::many_parts(200_000);

    let report = read_within_caps(&input);

    // The reader reads its first 1,000 parts, one recipient each (the
    // report's own entity is a part too).
    assert!(!report.records.is_empty());
    assert!(report.records.len() < 1_000, "{} records", report.records.len());
    assert_eq!(report.records[0].recipient, "m0@example.org");
}

#[test]
fn multiparts_nested_a_hundred_thousand_deep_neither_overflow_nor_lose_the_text() {
    let input = hostile::nested_multiparts(100_000);

    let report = read_within_caps(&input);

    // Past the depth cap the rest is read as one text, which still names
    // the recipient and the refusal.
    assert_eq!(report.records.len(), 1);
    assert_eq!(report.records[0].recipient, "deep@example.org");
    assert_eq!(
        report.records[0].status.map(|s| s.to_string()).as_deref(),
        Some("5.1.1")
    );
}
