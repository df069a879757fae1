use chrono::{TimeZone, Utc};

use super::*;

fn record(cells: &[&str]) -> csv::StringRecord {
    csv::StringRecord::from(cells.to_vec())
}

#[test]
fn columns_are_found_by_their_usual_names_in_several_languages() {
    let english = Columns::detect(&["Email Address", "Bounce Type", "Reason", "Date"], &[]).expect("found");
    let dutch = Columns::detect(&["E-mailadres", "Datum", "Foutmelding", "Campagne"], &[]).expect("found");

    assert!(english.has(Field::Email) && english.has(Field::Result) && english.has(Field::Text));
    assert!(dutch.has(Field::Time) && dutch.has(Field::Text) && dutch.has(Field::Campaign));
    let missing = Columns::detect(&["naam", "telefoon"], &[]).expect_err("no address");
    assert!(missing.contains("--column email="), "{missing}");
}

#[test]
fn named_columns_win_and_must_exist() {
    let named = Columns::detect(
        &["Adres", "Wat"],
        &[(Field::Email, "adres".into()), (Field::Text, "Wat".into())],
    )
    .expect("found");
    let wrong = Columns::detect(&["Adres"], &[(Field::Email, "Mail".into())]).expect_err("no such header");

    assert!(named.has(Field::Email) && named.has(Field::Text));
    assert!(wrong.contains("`Mail`"));
}

#[test]
fn a_row_becomes_a_result_with_its_codes_and_time() {
    let columns = Columns::detect(&["email", "time", "type", "status", "reason", "campaign_id"], &[]).expect("found");
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).single().expect("valid");

    let r = row(
        &columns,
        &record(&[
            "kari@online.no",
            "30.11.2026 10:00",
            "hard",
            "5.1.1",
            "550 5.1.1 Mottaker finnes ikke",
            "7",
        ]),
        now,
    )
    .expect("a result");

    assert_eq!(r.kind, ResultKind::Failed);
    assert_eq!(
        r.at,
        Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0).single().expect("valid")
    );
    assert_eq!(r.reply_code.map(|c| c.get()), Some(550));
    assert_eq!(r.campaign_id, Some(7));
    assert_eq!(
        r.source_event_id.len(),
        16,
        "a hash of the cells when there is no id column"
    );
}

#[test]
fn bad_cells_are_refused_naming_the_field() {
    let columns = Columns::detect(&["email", "time", "result", "campaign"], &[]).expect("found");
    let now = Utc::now();

    let cases = [
        (["nope", "", "", ""], "email"),
        (["a@example.nl", "yesterday", "", ""], "time"),
        (["a@example.nl", "", "teleported", ""], "result"),
        (["a@example.nl", "", "", "-3"], "campaign"),
    ];
    for (cells, field) in cases {
        let e = row(&columns, &record(&cells), now).expect_err("refused");
        assert!(e.starts_with(field), "{cells:?}: {e}");
    }
}

#[test]
fn separators_and_times_as_exports_write_them() {
    assert_eq!(separator("email;datum;reden"), b';');
    assert_eq!(separator("email,date,reason"), b',');
    assert_eq!(separator("email\tdate"), b'\t');
    for t in [
        "2026-11-30T10:00:00Z",
        "2026-11-30 10:00:00",
        "30-11-2026 10:00",
        "30/11/2026 10:00",
        "1796032800",
    ] {
        assert!(time(t).is_some(), "{t}");
    }
    assert_eq!(time("not a time"), None);
}
