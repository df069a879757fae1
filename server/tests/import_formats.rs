//! Every format's fixture imported into SQLite and PostgreSQL: all of it
//! read, results linked to the campaign its records name (the fixtures
//! carry campaign id 1), and nothing stored twice when imported again.

use std::io::BufReader;

use server::import::messages::{self, Messages};
use server::import::{Format, ImportReport, import};
use store::{Store, store_test};

mod common;
use common::{campaign, fixture, fixture_path};

/// Imports one fixture file as `format`, linking to `campaign` when given.
async fn run(store: &Store, path: &str, format: Format, campaign: Option<i64>) -> ImportReport {
    let mut report = ImportReport::default();
    let bytes = fixture(path);
    let done = if format.is_messages() {
        messages::import(
            store,
            Messages::mbox(BufReader::new(bytes.as_slice())),
            path,
            campaign,
            &mut report,
        )
        .await
    } else {
        import(store, bytes.as_slice(), path, format, 2026, campaign, &mut report).await
    };
    done.expect("import");
    report
}

/// (format, fixture, results stored, results that name no campaign or a
/// tag no campaign has). MailerQ's fixture publishes one attempt twice.
const FIXTURES: [(Format, &str, u64, u64); 12] = [
    (Format::Ses, "ses/notifications.jsonl", 6, 4),
    (Format::Postmark, "postmark/webhooks.jsonl", 4, 2),
    (Format::Mailerq, "mailerq/results.jsonl", 14, 1),
    (Format::Powermta, "powermta/acct.csv", 13, 0),
    (Format::Kumomta, "kumomta/log.jsonl", 12, 1),
    (Format::Mailgun, "mailgun/events.jsonl", 13, 0),
    (Format::Sparkpost, "sparkpost/batches.jsonl", 9, 0),
    (Format::Mandrill, "mandrill/events.form", 10, 0),
    (Format::Brevo, "brevo/events.jsonl", 11, 6),
    (Format::Mailjet, "mailjet/events.jsonl", 10, 2),
    (Format::Mbox, "mailbox/bounces.mbox", 5, 1),
    (Format::Eml, "mailbox/postfix-gebruiker-onbekend.eml", 1, 0),
];

store_test!(every_format_is_read_whole_linked_and_stored_once, |store| {
    let id = campaign(&store).await;
    assert_eq!(id, 1, "the fixtures name campaign 1");

    for (format, path, stored, unlinked) in FIXTURES {
        let first = run(&store, path, format, None).await;
        let again = run(&store, path, format, None).await;

        assert_eq!(first.rejected, 0, "{path}: {:?}", first.rejects);
        assert_eq!(first.stored, stored, "{path}");
        assert_eq!(
            first.unlinked, unlinked,
            "{path}: results naming another campaign or none"
        );
        assert_eq!(again.stored, 0, "{path}: nothing new the second time");
        assert_eq!(again.duplicates, first.stored + first.duplicates, "{path}");
    }
});

store_test!(an_exim_log_is_linked_by_the_campaign_given, |store| {
    let id = campaign(&store).await;

    let first = run(&store, "exim/mainlog", Format::Exim, Some(id)).await;
    let again = run(&store, "exim/mainlog", Format::Exim, Some(id)).await;

    assert_eq!(
        (first.stored, first.other, first.rejected),
        (17, 30, 0),
        "{:?}",
        first.rejects
    );
    assert_eq!(first.unlinked, 0);
    assert_eq!(again.stored, 0);
    let summary = store.campaign_summary(id).await.expect("summary").expect("campaign");
    assert_eq!(summary.delivered, 4);
});

store_test!(a_maildir_is_read_file_by_file, |store| {
    campaign(&store).await;
    let dir = tempfile::tempdir().expect("dir");
    std::fs::create_dir_all(dir.path().join("new")).expect("new");
    std::fs::create_dir_all(dir.path().join("cur")).expect("cur");
    let files = std::fs::read_dir(fixture_path("mailbox")).expect("fixtures");
    let mut copied = 0;
    for file in files.filter_map(Result::ok) {
        let path = file.path();
        if path.extension().is_some_and(|e| e == "eml") {
            let target = if copied % 2 == 0 { "new" } else { "cur" };
            std::fs::copy(&path, dir.path().join(target).join(file.file_name())).expect("copy");
            copied += 1;
        }
    }
    let mut report = ImportReport::default();

    let messages = messages::maildir(dir.path()).expect("maildir");
    messages::import(&store, messages, "Maildir", None, &mut report)
        .await
        .expect("import");

    assert_eq!(copied, 6);
    assert_eq!(report.lines, 6, "one message per file");
    assert_eq!(report.rejected, 0, "{:?}", report.rejects);
    assert!(report.stored >= 4, "{report:?}");
    assert!(report.other >= 1, "the out-of-office reply is no result");
});
