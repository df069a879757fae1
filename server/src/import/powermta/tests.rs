use bounce::delivery::ResultKind;
use chrono::{TimeZone, Utc};

use super::*;

/// An accounting file as PowerMTA writes it with delivery, bounce,
/// transient, remote-bounce, feedback-loop, receipt and queue records in
/// one file (written from the User's Guide's "Accounting records").
const FILE: &str = include_str!("../../../tests/fixtures/powermta/acct.csv");

const HEADER: &str = "type,timeLogged,timeQueued,orig,rcpt,orcpt,dsnAction,dsnStatus,dsnDiag,dsnMta,bounceCat,\
srcType,srcMta,dlvType,dlvSourceIp,dlvDestinationIp,dlvEsmtpAvailable,dlvSize,vmta,jobId,envId,queue,vmtaPool,\
header_Message-Id,header_X-Campaign-ID,feedbackType";

/// A record under [`HEADER`]: the named fields, the others empty, quoted
/// as PowerMTA quotes (RFC 4180).
fn row(fields: &[(&str, &str)]) -> String {
    HEADER
        .split(',')
        .map(|name| {
            let value = fields.iter().find(|(n, _)| *n == name).map_or("", |(_, v)| *v);
            if value.contains([',', '"']) {
                format!("\"{}\"", value.replace('"', "\"\""))
            } else {
                value.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn read(lines: &[&str]) -> Vec<Result<Item, String>> {
    let mut reader = Reader::new();
    lines.iter().flat_map(|line| reader.line(line)).collect()
}

/// The one result of a record under [`HEADER`].
fn one(fields: &[(&str, &str)]) -> DeliveryResult {
    let record = row(fields);
    match read(&[HEADER, record.as_str()]).as_slice() {
        [Ok(Item::Result(r))] => (**r).clone(),
        other => panic!("not one result: {other:?}"),
    }
}

/// A bounce record with the server's diagnostic and PowerMTA's category.
fn refused(
    kind: &'static str,
    diag: &'static str,
    status: &'static str,
    cat: &'static str,
) -> [(&'static str, &'static str); 8] {
    [
        ("type", kind),
        ("timeLogged", "2026-11-30 11:00:02+0100"),
        ("rcpt", "k.schmidt@web.de"),
        ("dsnStatus", status),
        ("dsnDiag", diag),
        ("dsnMta", "dns;mx-ha03.web.de (212.227.17.8)"),
        ("bounceCat", cat),
        ("jobId", "nieuwsbrief-2026-11"),
    ]
}

#[test]
fn a_whole_file_yields_its_results_and_counts_the_other_records() {
    let lines: Vec<&str> = FILE.lines().collect();

    let items = read(&lines);

    assert!(items.iter().all(Result::is_ok), "{items:?}");
    let others = items.iter().filter(|i| matches!(i, Ok(Item::Other))).count();
    assert_eq!(others, 3, "the receipt, the queue notice and the remote status");
    let kinds: Vec<ResultKind> = items
        .iter()
        .filter_map(|i| match i {
            Ok(Item::Result(r)) => Some(r.kind),
            _ => None,
        })
        .collect();
    let count = |kind: ResultKind| kinds.iter().filter(|k| **k == kind).count();
    assert_eq!(count(ResultKind::Delivered), 2);
    assert_eq!(count(ResultKind::Failed), 7, "six bounces and a remote bounce");
    assert_eq!(count(ResultKind::Deferred), 3);
    assert_eq!(count(ResultKind::Complaint), 1);
    assert!(SIGNS.iter().any(|sign| FILE.contains(sign)));
}

#[test]
fn a_delivery_keeps_its_reply_campaign_and_message_id() {
    let lines: Vec<&str> = FILE.lines().take(3).collect();

    let items = read(&lines);

    let [Ok(Item::Other), Ok(Item::Result(d))] = items.as_slice() else {
        panic!("a receipt, then a delivery: {items:?}")
    };
    assert_eq!(d.kind, ResultKind::Delivered);
    assert_eq!(d.stage, Some(Stage::Data));
    assert_eq!(d.recipient.as_str(), "jan.devries@ziggo.nl");
    assert_eq!(d.text, "250 2.0.0 Ok: queued as 4F3A21C0A", "without the `smtp;` type");
    assert_eq!(d.reply_code.map(|c| c.get()), Some(250));
    assert_eq!(d.status.map(|s| s.to_string()).as_deref(), Some("2.0.0"));
    assert_eq!(d.remote_mta.as_deref(), Some("mx.ziggo.nl"));
    assert_eq!(
        d.at,
        Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 1).single().expect("valid")
    );
    assert_eq!(d.campaign_id, Some(1));
    assert_eq!(d.campaign_tag.as_deref(), Some("nieuwsbrief-2026-11"));
    assert_eq!(d.message_id.as_deref(), Some("c7.4f3a@news.example.com"));
    assert_eq!(d.source, "powermta");
    assert_eq!(
        d.source_event_id,
        format!(
            "d:nieuwsbrief-2026-11:c7.4f3a@news.example.com:jan.devries@ziggo.nl:{}",
            d.at.timestamp()
        )
    );
}

#[test]
fn bounces_keep_the_servers_words_and_leave_the_category_out() {
    let german = one(&refused(
        "b",
        "smtp;550 5.1.1 <k.schmidt@web.de>: Benutzer unbekannt",
        "5.1.1 (bad destination mailbox address)",
        "bad-mailbox",
    ));
    let dutch = one(&refused("b", "smtp;552 5.2.2 Postvak vol", "", "quota-issues"));
    let norwegian = one(&refused(
        "b",
        "smtp;550 5.1.1 Mottakeren finnes ikke",
        "5.1.1",
        "bad-mailbox",
    ));
    let french = one(&refused(
        "t",
        "smtp;452 4.2.2 Boîte pleine",
        "4.2.2 (mailbox full)",
        "quota-issues",
    ));

    assert_eq!(german.kind, ResultKind::Failed);
    assert_eq!(german.text, "550 5.1.1 <k.schmidt@web.de>: Benutzer unbekannt");
    assert_eq!(german.reply_code.map(|c| c.get()), Some(550));
    assert_eq!(german.status.map(|s| s.to_string()).as_deref(), Some("5.1.1"));
    assert_eq!(german.stage, None, "PowerMTA does not say which command was refused");
    assert_eq!(german.remote_mta.as_deref(), Some("mx-ha03.web.de"));
    assert!(!german.text.contains("bad-mailbox"));
    assert_eq!(
        dutch.status.map(|s| s.to_string()).as_deref(),
        Some("5.2.2"),
        "from the words"
    );
    assert_eq!(norwegian.text, "550 5.1.1 Mottakeren finnes ikke");
    assert_eq!(french.kind, ResultKind::Deferred);
    assert_eq!(french.text, "452 4.2.2 Boîte pleine");
    assert_eq!(french.campaign_id, None);
}

#[test]
fn powermtas_own_diagnostics_give_the_stage_from_words_or_category() {
    let lookup = one(&refused(
        "b",
        "smtp;554 5.4.4 [internal] domain lookup failed",
        "5.4.4",
        "bad-domain",
    ));
    let unreachable = one(&refused(
        "t",
        "smtp;451 4.4.1 [internal] No MXs for this domain could be reached at this time",
        "4.4.1",
        "no-answer-from-host",
    ));
    let routing = one(&refused("b", "", "5.4.4", "routing-errors"));
    let silent = one(&refused("t", "", "4.4.1", "no-answer-from-host"));
    let server_said = one(&refused("b", "smtp;550 5.1.2 Domain not found", "5.1.2", "bad-domain"));

    assert_eq!(lookup.stage, Some(Stage::Dns));
    assert_eq!(
        unreachable.stage,
        Some(Stage::Connect),
        "a connection failure, not a lookup"
    );
    assert_eq!(routing.stage, Some(Stage::Dns));
    assert_eq!(silent.stage, Some(Stage::Connect));
    assert_eq!(server_said.stage, None, "a server's reply, whatever the category");
}

#[test]
fn a_remote_bounce_is_a_failure_after_delivery_and_a_feedback_report_a_complaint() {
    let remote = one(&refused(
        "rb",
        "smtp;550 5.2.1 Mailbox disabled for this recipient",
        "5.2.1",
        "inactive-mailbox",
    ));
    let complaint = one(&[
        ("type", "f"),
        ("timeLogged", "2026-11-30 15:41:09+0100"),
        ("rcpt", "jan.devries@ziggo.nl"),
        ("feedbackType", "abuse"),
        ("header_Message-Id", "<c7.4f3a@news.example.com>"),
    ]);
    let not_spam = row(&[
        ("type", "f"),
        ("timeLogged", "2026-11-30 15:41:09+0100"),
        ("rcpt", "jan.devries@ziggo.nl"),
        ("feedbackType", "not-spam"),
    ]);
    let not_spam = read(&[HEADER, not_spam.as_str()]);

    assert_eq!(
        (remote.kind, remote.stage),
        (ResultKind::Failed, Some(Stage::AfterDelivery))
    );
    assert_eq!(complaint.kind, ResultKind::Complaint);
    assert_eq!(complaint.message_id.as_deref(), Some("c7.4f3a@news.example.com"));
    assert!(complaint.source_event_id.starts_with("f:"));
    assert_eq!(not_spam, [Ok(Item::Other)]);
}

#[test]
fn records_that_are_no_delivery_results_are_counted_as_other() {
    let lines: Vec<String> = ["r", "tq", "rs", "x-future"]
        .iter()
        .map(|kind| row(&[("type", *kind), ("timeLogged", "2026-11-30 11:00:00+0100")]))
        .collect();
    let mut all = vec![HEADER];
    all.extend(lines.iter().map(String::as_str));

    assert_eq!(
        read(&all),
        [Ok(Item::Other), Ok(Item::Other), Ok(Item::Other), Ok(Item::Other)]
    );
}

#[test]
fn quoted_cells_keep_their_commas_and_quotes() {
    let r = one(&[
        ("type", "t"),
        ("timeLogged", "2026-11-30 11:05:10+0100"),
        ("rcpt", "sales@bedrijf.de"),
        (
            "dsnDiag",
            "smtp;421 4.7.0 Zu viele Verbindungen, bitte \"später\" erneut versuchen",
        ),
        ("dlvEsmtpAvailable", "PIPELINING,SIZE"),
        ("dlvDestinationIp", "203.0.113.40"),
        ("bounceCat", "policy-related"),
    ]);

    assert_eq!(
        r.text,
        "421 4.7.0 Zu viele Verbindungen, bitte \"später\" erneut versuchen"
    );
    assert_eq!(
        r.remote_mta.as_deref(),
        Some("203.0.113.40"),
        "the address without a dsnMta"
    );
    assert_eq!(r.stage, None);
}

#[test]
fn times_in_unix_seconds_and_without_a_zone_are_read() {
    let unix = one(&[("type", "d"), ("timeLogged", "1796032801"), ("rcpt", "a@example.nl")]);
    let naive = one(&[
        ("type", "d"),
        ("timeLogged", "2026-11-30 10:00:01"),
        ("rcpt", "a@example.nl"),
    ]);
    let rfc3339 = one(&[
        ("type", "d"),
        ("timeLogged", "2026-11-30T11:00:01+01:00"),
        ("rcpt", "a@example.nl"),
    ]);

    let expected = Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 1).single().expect("valid");
    assert_eq!(unix.at, expected);
    assert_eq!(naive.at, expected);
    assert_eq!(rfc3339.at, expected);
}

#[test]
fn a_repeated_header_sets_the_columns_again() {
    let short_header = "type,rcpt,timeLogged,dsnDiag";
    let delivered = row(&[
        ("type", "d"),
        ("timeLogged", "2026-11-30 11:00:01+0100"),
        ("rcpt", "a@example.nl"),
    ]);
    let lines = [
        HEADER,
        delivered.as_str(),
        short_header,
        "b,kari@online.no,2026-11-30 11:00:05+0100,smtp;550 5.1.1 Mottakeren finnes ikke",
    ];

    let items = read(&lines);

    assert!(matches!(&items[0], Ok(Item::Result(r)) if r.kind == ResultKind::Delivered));
    assert!(
        matches!(&items[1], Ok(Item::Result(r)) if r.recipient.as_str() == "kari@online.no" && r.text.starts_with("550"))
    );
}

#[test]
fn the_campaign_column_is_found_by_its_names() {
    assert!(names_campaign_id("header_x-campaign-id"));
    assert!(names_campaign_id("header_campaign-id"));
    assert!(names_campaign_id("campaign_id"));
    assert!(!names_campaign_id("campaign"));
    assert!(!names_campaign_id("header_x-campaign-ids"));
    assert!(!names_campaign_id("envid"));
    let envelope_only = one(&[
        ("type", "d"),
        ("timeLogged", "2026-11-30 11:00:01+0100"),
        ("rcpt", "a@example.nl"),
        ("envId", "42"),
        ("header_X-Campaign-ID", "nope"),
    ]);
    assert_eq!(
        envelope_only.campaign_id, None,
        "envId is no campaign; a campaign id is a number"
    );
    assert!(
        envelope_only.source_event_id.contains(":42:a@example.nl:"),
        "keyed by envId"
    );
}

#[test]
fn broken_input_says_which_column_is_wrong() {
    let record = |fields: &[(&str, &str)]| {
        let line = row(fields);
        read(&[HEADER, line.as_str()])
            .into_iter()
            .next()
            .expect("an item")
            .expect_err("refused")
    };

    let before_header = read(&["d,2026-11-30 11:00:01+0100,a@example.nl"]);
    let no_rcpt_column = read(&["type,timeLogged,orig", "d,2026-11-30 11:00:01+0100,x@example.nl"]);

    assert!(matches!(before_header.as_slice(), [Err(e)] if e.contains("header") && e.contains("missing")));
    assert!(
        matches!(&no_rcpt_column[0], Err(e) if e.contains("`rcpt`")),
        "{no_rcpt_column:?}"
    );
    assert!(matches!(&no_rcpt_column[1], Err(e) if e.contains("no `rcpt` column")));
    assert!(
        record(&[
            ("type", "b"),
            ("timeLogged", "2026-11-30 11:00:01+0100"),
            ("rcpt", "niemand")
        ])
        .starts_with("column `rcpt`")
    );
    assert!(record(&[("type", "b"), ("timeLogged", "2026-11-30 11:00:01+0100")]).contains("column `rcpt` is empty"));
    assert!(
        record(&[("type", "b"), ("timeLogged", "gisteren"), ("rcpt", "a@example.nl")])
            .starts_with("column `timeLogged`")
    );
    assert!(record(&[("type", ""), ("rcpt", "a@example.nl")]).contains("column `type`"));
}

#[test]
fn hostile_lines_do_not_panic() {
    let commas = ",".repeat(100_000);
    let unbalanced = "b,\"2026-11-30 11:00:01+0100,a@example.nl";
    let header_with_bom = ["\u{feff}", HEADER].concat();
    let lines = [
        header_with_bom.as_str(),
        "",
        commas.as_str(),
        unbalanced,
        "d,99999999999999999999,,,a@example.nl",
        "b,2026-11-30 11:00:01+0100,x,y,ø,\u{0},\"",
    ];

    let items = read(&lines);

    assert_eq!(items.len(), 4, "the header and the empty line give nothing: {items:?}");
    assert!(items.iter().all(Result::is_err));
}
