use chrono::TimeZone;

use super::*;

fn row(diagnostic: &str) -> ExportRow {
    ExportRow {
        email: "ola.nordmann@online.no".into(),
        campaign: Some("Nyhetsbrev september".into()),
        last_failure_at: Utc.with_ymd_and_hms(2026, 9, 14, 8, 5, 0).single(),
        stage: Some(Stage::RcptTo),
        reply_code: ReplyCode::new(550).ok(),
        status: "5.1.1".parse().ok(),
        diagnostic: Some(diagnostic.into()),
        reason: Some(Reason::UserUnknown),
        class: Some(BounceClass::Hard),
        failures: 3,
    }
}

fn csv(format: ExportFormat, rows: &[ExportRow]) -> String {
    let mut out = format.header();
    for r in rows {
        format.write_row(r, &mut out);
    }
    String::from_utf8(out).expect("UTF-8")
}

#[test]
fn csv_starts_with_a_bom_and_the_columns_in_order() {
    let text = csv(
        ExportFormat::Csv {
            delimiter: Delimiter::Comma,
        },
        &[],
    );

    assert_eq!(
        text,
        "\u{feff}email,campaign,last_failure_at,stage,reply_code,status,diagnostic,reason,category,class,failures\r\n"
    );
}

#[test]
fn a_row_describes_the_latest_failure_with_crlf() {
    let text = csv(
        ExportFormat::Csv {
            delimiter: Delimiter::Semicolon,
        },
        &[row(
            "550 5.1.1 <ola.nordmann@online.no>: Mottakeradressen finnes ikke; user unknown",
        )],
    );

    let line = text.lines().nth(1).expect("a data line");
    assert_eq!(
        line,
        "ola.nordmann@online.no;Nyhetsbrev september;2026-09-14T08:05:00Z;rcpt_to;550;5.1.1;\
         \"550 5.1.1 <ola.nordmann@online.no>: Mottakeradressen finnes ikke; user unknown\";userunknown;bad_mailbox;hard;3"
    );
    assert!(text.ends_with("\r\n"));
}

#[test]
fn hostile_diagnostics_are_neutralised_and_quoted() {
    let hostile = [
        (
            "=HYPERLINK(\"http://evil.example\",\"klik hier\")",
            "'=HYPERLINK(\"\"http://evil.example\"\",\"\"klik hier\"\")",
        ),
        ("+31 20 555 0100 bel ons", "'+31 20 555 0100 bel ons"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("550 line one\r\nline two", "550 line one\r\nline two"),
    ];
    for (text, expected) in hostile {
        let out = csv(
            ExportFormat::Csv {
                delimiter: Delimiter::Comma,
            },
            &[row(text)],
        );

        let cell = neutralise(text);
        assert_eq!(cell, expected.replace("\"\"", "\""), "{text:?}");
        let quoted_needed = cell.contains([',', '"', '\r', '\n']);
        let written = if quoted_needed {
            format!("\"{}\"", cell.replace('"', "\"\""))
        } else {
            cell
        };
        assert!(out.contains(&format!(",{written},userunknown")), "{out:?}");
    }
}

#[test]
fn csv_reads_back_with_a_real_csv_parser_shape() {
    // Every record has the same number of fields once quotes are honoured.
    let text = csv(
        ExportFormat::Csv {
            delimiter: Delimiter::Comma,
        },
        &[row("a,b \"c\"\r\nd"), row("plain")],
    );
    let mut fields = 1;
    let mut records = Vec::new();
    let mut quoted = false;
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields += 1,
            '\r' if !quoted => {
                chars.next();
                records.push(fields);
                fields = 1;
            }
            _ => {}
        }
    }
    assert_eq!(records, vec![11, 11, 11]);
}

#[test]
fn json_lines_keep_one_object_per_line_with_typed_values() {
    let text = csv(ExportFormat::JsonLines, &[row("line one\nline two \u{2028}")]);

    assert_eq!(text.lines().count(), 1);
    let value: serde_json::Value = serde_json::from_str(text.trim_end()).expect("JSON");
    assert_eq!(value["reply_code"], 550);
    assert_eq!(value["failures"], 3);
    assert_eq!(value["category"], "bad_mailbox");
    assert_eq!(value["diagnostic"], "line one\nline two \u{2028}");
    assert!(
        text.starts_with("{\"email\":\"ola.nordmann@online.no\",\"campaign\":"),
        "{text}"
    );
    assert_eq!(value.as_object().expect("object").len(), COLUMNS.len());
}

#[test]
fn formats_and_delimiters_parse_or_name_the_field() {
    assert_eq!(ExportFormat::parse("jsonl", "").ok(), Some(ExportFormat::JsonLines));
    assert_eq!(
        ExportFormat::parse("csv", ";").ok(),
        Some(ExportFormat::Csv {
            delimiter: Delimiter::Semicolon
        })
    );
    assert_eq!(ExportFormat::parse("xlsx", "").expect_err("refused").field, "format");
    assert_eq!(ExportFormat::parse("csv", "|").expect_err("refused").field, "delimiter");
}
