//! `bouncedesk import` of a Postfix log into SQLite and PostgreSQL: what is
//! stored, that importing again stores nothing new, and that an import cut
//! short and run again completes it without duplicates.

use bounce::ErrorFilter;
use chrono::{TimeZone, Utc};
use server::import::{Format, ImportReport, import};
use store::{NewCampaign, Store, store_test};

const MAILLOG: &str = include_str!("fixtures/postfix/maillog");

async fn campaign(store: &Store) -> i64 {
    store
        .insert_campaign(&NewCampaign {
            name: "Nieuwsbrief december".into(),
            subject: "Nieuws".into(),
            from_domain: "news.example.com".into(),
            sent_at: Utc.with_ymd_and_hms(2026, 11, 30, 9, 59, 0).single().expect("valid"),
        })
        .await
        .expect("campaign")
}

async fn run(store: &Store, text: &str, campaign: i64) -> ImportReport {
    let mut report = ImportReport::default();
    import(
        store,
        text.as_bytes(),
        "maillog",
        Format::Postfix,
        2026,
        Some(campaign),
        &mut report,
    )
    .await
    .expect("import");
    report
}

async fn failed_events(store: &Store, campaign: i64) -> i64 {
    let filter = ErrorFilter {
        failed_only: true,
        ..ErrorFilter::default()
    };
    store.error_count(campaign, &filter).await.expect("count")
}

store_test!(a_postfix_log_is_stored_once_however_often_it_is_imported, |store| {
    let id = campaign(&store).await;

    let first = run(&store, MAILLOG, id).await;
    let again = run(&store, MAILLOG, id).await;

    // 9 results, one line with a bad address, 4 that are not results.
    assert_eq!(first.lines, 14);
    assert_eq!((first.stored, first.rejected, first.other), (9, 1, 4));
    assert!(
        first.rejects[0].contains("maillog line 13: recipient"),
        "{:?}",
        first.rejects
    );
    assert_eq!((again.stored, again.duplicates), (0, 9));
    let summary = store.campaign_summary(id).await.expect("summary").expect("campaign");
    // Sends: jan (hard), ola (delivered), k.schmidt (hard), marie (expired:
    // soft, after two deferrals), piet (hard, DNS), lotte (delivered, then a
    // later refusal of another message: the latest wins).
    assert_eq!(summary.sent, 6);
    assert_eq!(summary.delivered, 1);
    assert_eq!(summary.hard + summary.soft + summary.undetermined, 5);
    assert_eq!(failed_events(&store, id).await, 7, "deferrals are failed attempts too");
    assert_eq!(store.contact_count().await.expect("contacts"), 6);
    assert!(first.blocks > 0, "the policies ran on the new failures");
});

store_test!(an_import_cut_short_is_completed_by_running_it_again, |store| {
    let id = campaign(&store).await;
    let half: String = MAILLOG.lines().take(8).map(|l| format!("{l}\n")).collect();

    // The first run stored the first batches before it was killed.
    let cut = run(&store, &half, id).await;
    let full = run(&store, MAILLOG, id).await;

    assert!(cut.stored > 0);
    assert_eq!(cut.stored + full.stored, 9, "every event stored once in all");
    assert_eq!(full.duplicates, cut.stored);
    assert_eq!(failed_events(&store, id).await, 7);
});

const SENDGRID: &str = include_str!("fixtures/sendgrid/events.ndjson");

store_test!(sendgrid_webhook_bodies_are_imported_once, |store| {
    let id = campaign(&store).await;
    let mut first = ImportReport::default();
    let mut again = ImportReport::default();

    import(
        &store,
        SENDGRID.as_bytes(),
        "events.ndjson",
        Format::Sendgrid,
        2026,
        Some(id),
        &mut first,
    )
    .await
    .expect("import");
    import(
        &store,
        SENDGRID.as_bytes(),
        "events.ndjson",
        Format::Sendgrid,
        2026,
        Some(id),
        &mut again,
    )
    .await
    .expect("import again");

    assert_eq!((first.stored, first.other, first.rejected), (5, 2, 0));
    assert_eq!((again.stored, again.duplicates), (0, 5));
    assert_eq!(failed_events(&store, id).await, 3, "two bounces and a deferral");
    let summary = store.campaign_summary(id).await.expect("summary").expect("campaign");
    assert_eq!((summary.sent, summary.delivered, summary.hard), (3, 1, 1));
    // The complaint blocks for good (the hard bounce's 7 days, counted from
    // 2025, are over by now).
    assert!(first.blocks >= 1, "the complaint blocks: {}", first.blocks);
    let complained = store
        .count_selection(
            &bounce::selection::Definition::parse(r#"{"status": "complained"}"#).expect("valid"),
            Utc::now(),
        )
        .await
        .expect("count");
    assert_eq!(complained, 1);
});

const CSV: &str = include_str!("fixtures/csv/bounces.csv");

store_test!(a_dutch_csv_export_is_imported_once, |store| {
    let id = campaign(&store).await;
    let mut first = ImportReport::default();
    let mut again = ImportReport::default();

    server::import::import_csv(&store, CSV.as_bytes(), "bounces.csv", Some(id), &[], &mut first)
        .await
        .expect("import");
    server::import::import_csv(&store, CSV.as_bytes(), "bounces.csv", Some(id), &[], &mut again)
        .await
        .expect("import again");

    assert_eq!((first.stored, first.rejected), (4, 1), "{:?}", first.rejects);
    assert!(
        first.rejects[0].contains("bounces.csv row 5: email"),
        "{:?}",
        first.rejects
    );
    assert_eq!((again.stored, again.duplicates), (0, 4));
    assert_eq!(failed_events(&store, id).await, 3);
    let summary = store.campaign_summary(id).await.expect("summary").expect("campaign");
    assert_eq!((summary.sent, summary.delivered), (4, 1));
});
