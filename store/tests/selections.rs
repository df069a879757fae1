//! Selections, exports and suppression policies, written once and run on
//! SQLite and PostgreSQL.

use std::collections::BTreeSet;

use bounce::policy::Policy;
use bounce::selection::{Definition, SelectionName};
use bounce::{BounceClass, ContactStatus, EmailAddress, EnhancedStatus, Outcome, ReplyCode, Stage};
use chrono::{DateTime, Duration, TimeZone, Utc};
use store::{NewCampaign, NewContact, NewSend, SendFailure, Store, StoreError, store_test};

fn day(month: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, d, 9, 0, 0)
        .single()
        .expect("valid day")
}

fn email(s: &str) -> EmailAddress {
    s.parse().expect("valid test address")
}

/// What came of one send, with real server texts.
#[derive(Clone, Copy)]
enum R {
    Delivered,
    /// Gmail's "does not exist" at RCPT TO.
    Hard,
    /// A full mailbox (Ziggo, Dutch).
    Soft,
    /// Spamhaus listing our IP: a block of our sending.
    Blocklisted,
    /// Not sent: the address was suppressed.
    Rejected,
}

fn failure(text: &str, stage: Stage) -> (BounceClass, SendFailure) {
    let reply_code = ReplyCode::leading(text);
    let status = EnhancedStatus::find_in(text);
    let verdict = bounce::classify(&bounce::Evidence {
        stage: Some(stage),
        reply_code,
        status,
        text,
        ..bounce::Evidence::default()
    });
    (
        verdict.class,
        SendFailure {
            stage,
            reply_code,
            status,
            diagnostic: text.into(),
            reason: Some(verdict.reason),
        },
    )
}

const GMAIL_UNKNOWN: &str = "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces.";
const ZIGGO_FULL: &str = "452 4.2.2 <x@ziggo.nl>: Recipient address rejected: Mailbox vol / quota overschreden";
const SPAMHAUS: &str = "554 5.7.1 Service unavailable; Client host [192.0.2.25] blocked using zen.spamhaus.org";

/// Campaigns on the given days, contacts by address, and the results given
/// per contact in campaign order (`None`: not sent that campaign).
async fn world(store: &Store, days: &[DateTime<Utc>], people: &[(&str, Vec<Option<R>>)]) -> Vec<i64> {
    let mut campaigns = Vec::new();
    for (i, at) in days.iter().enumerate() {
        let id = store
            .insert_campaign(&NewCampaign {
                name: format!("Nieuwsbrief {i}"),
                subject: "Nieuws".into(),
                from_domain: "news.example.nl".into(),
                sent_at: *at,
            })
            .await
            .expect("campaign");
        campaigns.push(id);
    }
    let contacts: Vec<NewContact> = people
        .iter()
        .map(|(a, _)| NewContact {
            email: email(a),
            created_at: days[0] - Duration::days(30),
        })
        .collect();
    let ids = store.upsert_contacts(&contacts).await.expect("contacts");
    let mut sends = Vec::new();
    for (address, results) in people {
        for (i, result) in results.iter().enumerate() {
            let Some(result) = result else { continue };
            let at = days[i] + Duration::minutes(5);
            let (outcome, failed) = match result {
                R::Delivered => (Outcome::Accepted, None),
                R::Rejected => (Outcome::Rejected, None),
                R::Hard => (Outcome::Error, Some(failure(GMAIL_UNKNOWN, Stage::RcptTo))),
                R::Soft => (Outcome::Error, Some(failure(ZIGGO_FULL, Stage::RcptTo))),
                R::Blocklisted => (Outcome::Error, Some(failure(SPAMHAUS, Stage::MailFrom))),
            };
            let (class, failure) = failed.unzip();
            sends.push(NewSend {
                message_id: None,
                campaign_id: campaigns[i],
                contact_id: ids[&email(address)],
                outcome,
                class,
                attempts: i32::from(!matches!(result, R::Rejected)),
                updated_at: at,
                failure,
            });
        }
    }
    store.upsert_sends(&sends).await.expect("sends");
    campaigns
}

async fn selected(store: &Store, definition: &str, now: DateTime<Utc>) -> BTreeSet<String> {
    let def = Definition::parse(definition).expect("valid definition");
    let contacts = store.selected_contacts(&def, now).await.expect("selects");
    let count = store.count_selection(&def, now).await.expect("counts");
    assert_eq!(count as usize, contacts.len(), "count and list agree for {definition}");
    contacts.into_iter().map(|(_, e)| e.local_part().to_owned()).collect()
}

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn six_days() -> Vec<DateTime<Utc>> {
    vec![day(7, 1), day(8, 1), day(9, 1), day(9, 15), day(10, 1), day(10, 15)]
}

use R::{Blocklisted as B, Delivered as D, Hard as H, Rejected as X, Soft as S};

fn history() -> Vec<(&'static str, Vec<Option<R>>)> {
    vec![
        // Hard in the three latest campaigns it was sent.
        (
            "anna@gmail.com",
            vec![Some(D), Some(D), Some(D), Some(H), Some(H), Some(H)],
        ),
        // Three hard in total, but a delivery breaks the run.
        (
            "bram@gmail.com",
            vec![Some(H), Some(H), Some(D), Some(D), Some(D), Some(H)],
        ),
        // Refused sends are not attempts: still three in a row.
        (
            "cees@gmail.com",
            vec![Some(D), Some(D), Some(H), Some(X), Some(H), Some(H)],
        ),
        // Soft bounces: one in July and August, three from September.
        (
            "dirk@ziggo.nl",
            vec![Some(S), Some(S), Some(S), Some(S), Some(D), Some(S)],
        ),
        // Never failed; not sent the last campaigns.
        ("eva@online.no", vec![Some(D), Some(D), Some(D), Some(D), None, None]),
        // Blocked by our own reputation, over and over.
        (
            "frank@hotmail.com",
            vec![Some(B), Some(B), Some(B), Some(B), Some(B), Some(B)],
        ),
    ]
}

store_test!(consecutive_differs_from_total_and_skips_refused_sends, |store| {
    world(&store, &six_days(), &history()).await;
    let now = day(11, 1);

    let three_in_a_row = selected(&store, r#"{"consecutive": {"class": "hard", "at_least": 3}}"#, now).await;
    let three_in_total = selected(&store, r#"{"bounced": {"class": "hard", "at_least": 3}}"#, now).await;
    let any_twice_in_a_row = selected(&store, r#"{"consecutive": {"class": "any", "at_least": 2}}"#, now).await;

    assert_eq!(three_in_a_row, names(&["anna", "cees"]));
    assert_eq!(three_in_total, names(&["anna", "bram", "cees"]));
    assert_eq!(any_twice_in_a_row, names(&["anna", "cees", "frank"]));
});

store_test!(periods_reasons_codes_and_not, |store| {
    let campaigns = world(&store, &six_days(), &history()).await;
    let now = day(11, 1);

    let since_september = selected(
        &store,
        r#"{"bounced": {"class": "soft", "at_least": 3, "since": "2026-09-01"}}"#,
        now,
    )
    .await;
    let september_only = selected(
        &store,
        r#"{"bounced": {"class": "soft", "at_least": 2, "since": "2026-09-01", "until": "2026-09-30"}}"#,
        now,
    )
    .await;
    let full_mailboxes = selected(
        &store,
        r#"{"bounced": {"category": "mailbox_full", "code": "4.2"}}"#,
        now,
    )
    .await;
    let reputation = selected(
        &store,
        r#"{"bounced": {"reason": ["blocked"], "stage": "mail_from"}}"#,
        now,
    )
    .await;
    let last_two = selected(
        &store,
        r#"{"bounced": {"class": "hard", "last_campaigns": 2, "at_least": 2}}"#,
        now,
    )
    .await;
    let first_two = selected(
        &store,
        &format!(
            r#"{{"bounced": {{"campaigns": [{}, {}], "at_least": 2}}}}"#,
            campaigns[0], campaigns[1]
        ),
        now,
    )
    .await;
    let clean = selected(&store, r#"{"no_error": {"since": "2026-08-01"}}"#, now).await;
    let not_gmail_and_no_hard = selected(
        &store,
        r#"{"all": [{"not": {"domain": "gmail.com"}}, {"not": {"bounced": {"class": "hard"}}}]}"#,
        now,
    )
    .await;

    // Selections read the history literally: Frank's blocklisting is a soft
    // failure too (only the policies leave blocks of our sending out).
    assert_eq!(since_september, names(&["dirk", "frank"]));
    assert_eq!(september_only, names(&["dirk", "frank"]));
    assert_eq!(full_mailboxes, names(&["dirk"]));
    assert_eq!(reputation, names(&["frank"]));
    assert_eq!(last_two, names(&["anna", "cees"]));
    assert_eq!(first_two, names(&["bram", "dirk", "frank"]));
    assert_eq!(clean, names(&["eva"]));
    assert_eq!(not_gmail_and_no_hard, names(&["dirk", "eva", "frank"]));
});

store_test!(saved_selections_nest_and_cycles_are_refused, |store| {
    world(&store, &six_days(), &history()).await;
    let now = day(11, 1);
    let name = |s: &str| SelectionName::parse("name", s).expect("name");
    let def = |s: &str| Definition::parse(s).expect("definition");
    let repeat = store
        .save_selection(
            None,
            &name("repeat bouncers"),
            &def(r#"{"consecutive": {"class": "hard", "at_least": 3}}"#),
            now,
        )
        .await
        .expect("saved");
    let audience = def(r#"{"all": [{"status": "active"}, {"not": {"in_selection": "repeat bouncers"}}]}"#);
    store
        .save_selection(None, &name("audience"), &audience, now)
        .await
        .expect("saved");

    let in_audience = selected(&store, r#"{"in_selection": "audience"}"#, now).await;
    let cycle = store
        .save_selection(
            Some(repeat),
            &name("repeat bouncers"),
            &def(r#"{"in_selection": "audience"}"#),
            now,
        )
        .await;
    let taken = store
        .save_selection(None, &name("audience"), &def(r#"{"status": "active"}"#), now)
        .await;
    let in_use = store.delete_selection(repeat).await;

    assert_eq!(in_audience, names(&["bram", "dirk", "eva", "frank"]));
    assert!(
        matches!(cycle, Err(StoreError::Invalid(ref e)) if e.problem.contains("refers back")),
        "{cycle:?}"
    );
    assert!(
        matches!(taken, Err(StoreError::Invalid(ref e)) if e.field == "name"),
        "{taken:?}"
    );
    assert!(
        matches!(in_use, Err(StoreError::Invalid(ref e)) if e.problem.contains("audience")),
        "{in_use:?}"
    );
    assert_eq!(store.saved_selections().await.expect("list").len(), 2);
});

store_test!(exports_stream_one_row_per_contact_with_its_latest_failure, |store| {
    world(&store, &six_days(), &history()).await;
    let def = Definition::parse(r#"{"bounced": {}}"#).expect("valid");
    let (tx, mut rx) = tokio::sync::mpsc::channel(2);

    let producer = {
        let store = store.clone();
        tokio::spawn(async move { store.export_selection(&def, day(11, 1), tx).await })
    };
    let mut rows = Vec::new();
    while let Some(row) = rx.recv().await {
        rows.push(row.expect("row"));
    }
    let sent = producer.await.expect("task").expect("export");

    assert_eq!(sent, 5);
    let emails: Vec<&str> = rows.iter().map(|r| r.email.as_str()).collect();
    assert_eq!(
        emails,
        [
            "anna@gmail.com",
            "bram@gmail.com",
            "cees@gmail.com",
            "dirk@ziggo.nl",
            "frank@hotmail.com"
        ]
    );
    let dirk = &rows[3];
    assert_eq!(dirk.failures, 5);
    assert_eq!(dirk.last_failure_at, Some(day(10, 15) + Duration::minutes(5)));
    assert_eq!(dirk.campaign.as_deref(), Some("Nieuwsbrief 5"));
    assert_eq!(dirk.reason, Some(bounce::Reason::MailboxFull));
    assert_eq!(dirk.diagnostic.as_deref(), Some(ZIGGO_FULL));
    assert_eq!(rows[0].status.map(|s| s.to_string()).as_deref(), Some("5.1.1"));
});

store_test!(policies_block_release_retain_and_never_count_our_own_blocks, |store| {
    world(&store, &six_days(), &history()).await;
    let ids: Vec<i64> = (1..=6).collect();
    let all = store
        .selected_contacts(&Definition::parse(r#"{"status": "active"}"#).expect("def"), day(11, 1))
        .await;
    let all: Vec<i64> = all.expect("contacts").into_iter().map(|(id, _)| id).collect();
    assert_eq!(all.len(), ids.len());

    let recorded = store
        .apply_policies(&Policy::default(), &all, day(10, 16))
        .await
        .expect("applies");
    let again = store
        .apply_policies(&Policy::default(), &all, day(10, 16))
        .await
        .expect("applies again");

    let status = |s: &str| format!(r#"{{"status": "{s}"}}"#);
    assert_eq!(
        selected(&store, &status("retained"), day(10, 16)).await,
        names(&["anna", "cees"])
    );
    // Bram's latest hard bounce blocks him for 7 days; Dirk had a delivery
    // between his soft bounces, so he stays; Frank's failures are ours.
    assert_eq!(
        selected(&store, &status("suppressed"), day(10, 16)).await,
        names(&["bram"])
    );
    assert_eq!(
        selected(&store, &status("active"), day(10, 16)).await,
        names(&["dirk", "eva", "frank"])
    );
    assert_eq!((recorded, again), (3, 0));
    let bram = store
        .suppression("bram@gmail.com")
        .await
        .expect("read")
        .expect("suppressed");
    assert_eq!(
        bram.expires_at,
        Some(day(10, 15) + Duration::minutes(5) + Duration::days(7))
    );
    assert_eq!(bram.rule.as_deref(), Some("hard_bounce"));

    let early = store.release_expired(day(10, 20), 100).await.expect("release");
    let due = store.release_expired(day(10, 23), 100).await.expect("release");

    assert!(early.is_empty());
    assert_eq!(due, vec!["bram@gmail.com".to_owned()]);
    assert_eq!(
        selected(&store, r#"{"suppressed": {}}"#, day(10, 23)).await,
        names(&["anna", "cees"])
    );
    let history = store.history("bram@gmail.com").await.expect("history");
    let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(actions, ["released", "suppressed"]);
    assert_eq!(history[1].actor, "rule:hard_bounce");
});

store_test!(three_soft_bounces_in_thirty_days_mark_the_contact_bounced, |store| {
    let days = vec![day(9, 1), day(9, 10), day(9, 20)];
    world(&store, &days, &[("gerda@ziggo.nl", vec![Some(S), Some(S), Some(S)])]).await;

    let recorded = store
        .apply_policies(&Policy::default(), &[1], day(9, 21))
        .await
        .expect("applies");

    assert_eq!(recorded, 1);
    assert_eq!(
        selected(&store, r#"{"status": "bounced"}"#, day(9, 21)).await,
        names(&["gerda"])
    );
});

store_test!(
    manual_changes_are_recorded_and_unblocking_resets_the_counters,
    |store| {
        world(&store, &six_days(), &history()).await;
        let now = day(11, 1);
        store
            .apply_policies(&Policy::default(), &[1, 2, 3, 4, 5, 6], day(10, 16))
            .await
            .expect("applies");

        let removed = store
            .unblock(&[email("anna@gmail.com")], "user", "address fixed by the customer", now)
            .await;
        store
            .set_status(
                &[email("eva@online.no")],
                ContactStatus::Unsubscribed,
                "user",
                "asked by phone",
                now,
            )
            .await
            .expect("status");
        store
            .reset_bounces(&[email("dirk@ziggo.nl")], "user", now)
            .await
            .expect("reset");

        assert_eq!(removed.expect("unblock"), 1);
        let anna = selected(&store, r#"{"bounced": {}}"#, now).await;
        assert!(!anna.contains("anna") && !anna.contains("dirk"), "{anna:?}");
        assert_eq!(
            store
                .apply_policies(&Policy::default(), &[1], now)
                .await
                .expect("again"),
            0
        );
        assert_eq!(
            selected(&store, r#"{"status": "unsubscribed"}"#, now).await,
            names(&["eva"])
        );
        assert!(store.is_suppressed(&email("eva@online.no"), now).await.expect("read"));
        let eva = store.history("eva@online.no").await.expect("history");
        assert_eq!((eva[0].action.as_str(), eva[0].actor.as_str()), ("suppressed", "user"));
        let dirk = store.history("dirk@ziggo.nl").await.expect("history");
        assert_eq!(dirk[0].action, "reset");
    }
);

store_test!(kept_campaign_totals_always_equal_a_recount, |store| {
    let campaigns = world(&store, &six_days(), &history()).await;
    // A later result replaces an earlier one.
    store
        .upsert_sends(&[NewSend {
            message_id: None,
            campaign_id: campaigns[5],
            contact_id: 1,
            outcome: Outcome::Accepted,
            class: None,
            attempts: 2,
            updated_at: day(10, 16),
            failure: None,
        }])
        .await
        .expect("replace");

    let kept = store.campaign_summaries().await.expect("kept");
    let recount = store.recount_campaign_summaries().await.expect("recount");

    assert_eq!(kept, recount);
    let last = kept.iter().find(|c| c.id == campaigns[5]).expect("campaign");
    assert_eq!(
        (last.sent, last.delivered, last.hard, last.soft, last.rejected),
        (5, 1, 2, 2, 0)
    );
});

store_test!(two_servers_release_each_lapsed_block_exactly_once, |store, db| {
    let other = db.second_store().await;
    let contacts: Vec<NewContact> = (0..600)
        .map(|i| NewContact {
            email: email(&format!("lid{i}@example.nl")),
            created_at: day(9, 1),
        })
        .collect();
    store.upsert_contacts(&contacts).await.expect("contacts");
    let blocks: Vec<store::NewSuppression> = contacts
        .iter()
        .map(|c| store::NewSuppression {
            email: c.email.clone(),
            reason: "hard bounce".into(),
            source: "rule:hard_bounce".into(),
            rule: Some(bounce::policy::Rule::HardBounce),
            status: ContactStatus::Suppressed,
            created_at: day(9, 1),
            expires_at: Some(day(9, 8)),
        })
        .collect();
    store.suppress_all(&blocks).await.expect("blocks");

    let run = |s: Store| async move {
        let mut mine = Vec::new();
        loop {
            let batch = s.release_expired(day(9, 9), 25).await.expect("release");
            if batch.is_empty() {
                return mine;
            }
            mine.extend(batch);
        }
    };
    let (a, b) = tokio::join!(tokio::spawn(run(store.clone())), tokio::spawn(run(other.clone())));
    let (a, b) = (a.expect("first server"), b.expect("second server"));

    let both: BTreeSet<&String> = a.iter().chain(&b).collect();
    assert_eq!(a.len() + b.len(), 600, "released once each: {} + {}", a.len(), b.len());
    assert_eq!(both.len(), 600);
    let active = store
        .count_selection(&Definition::parse(r#"{"status": "active"}"#).expect("def"), day(9, 9))
        .await;
    assert_eq!(active.expect("count"), 600);
    other.close().await;
});

async fn claim_and_load(store: Store) -> usize {
    match store.claim_demo_load().await.expect("claim") {
        store::DemoClaim::Load(claim) => {
            let staging = store.staging().await.expect("staging copy");
            world(staging.store(), &[day(9, 1)], &[("anna@gmail.com", vec![Some(D)])]).await;
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            assert!(store.finish_demo_load(claim, staging).await.expect("finish"));
            1
        }
        store::DemoClaim::Loaded => 0,
    }
}

store_test!(two_servers_on_an_empty_database_load_the_demo_once, |store, db| {
    let other = db.second_store().await;

    let (a, b) = tokio::join!(
        tokio::spawn(claim_and_load(store.clone())),
        tokio::spawn(claim_and_load(other.clone()))
    );
    let again = claim_and_load(store.clone()).await;

    assert_eq!(a.expect("first") + b.expect("second"), 1, "exactly one server loads");
    assert_eq!(again, 0, "a loaded database is left alone");
    assert_eq!(store.campaign_count().await.expect("count"), 1);
    other.close().await;
});

store_test!(
    a_demo_load_killed_half_way_leaves_nothing_and_is_done_again,
    |store, db| {
        let store::DemoClaim::Load(claim) = store.claim_demo_load().await.expect("claim") else {
            panic!("an empty database is claimed");
        };
        let staging = store.staging().await.expect("staging copy");
        world(staging.store(), &six_days(), &history()).await;
        // The server dies before it adopts the copy: its claim (and on
        // PostgreSQL its lock) goes with it, the copy stays behind. Its
        // connections are closed before the next load starts, as a killed
        // process's are: a pool merely dropped closes in the background and
        // SQLite would then delete the WAL files of the next copy by name.
        drop(claim);
        staging.store().close().await;
        drop(staging);
        let other = db.second_store().await;
        let seen_meanwhile = (
            other.campaign_count().await.expect("count"),
            other.contact_count().await.expect("count"),
        );

        let retried = other.claim_demo_load().await.expect("claim again");
        let store::DemoClaim::Load(claim) = retried else {
            panic!("the abandoned load is claimed again");
        };
        let staging = other.staging().await.expect("a fresh staging copy");
        let fresh = (
            staging.store().campaign_count().await.expect("count"),
            staging.store().contact_count().await.expect("count"),
        );
        let campaigns = world(staging.store(), &six_days(), &history()).await;
        let adopted = other.finish_demo_load(claim, staging).await.expect("finish");

        assert_eq!(seen_meanwhile, (0, 0), "nothing of the killed load is visible");
        assert_eq!(fresh, (0, 0), "the left-behind copy is not reused");
        assert!(adopted);
        assert_eq!(other.campaign_count().await.expect("count"), campaigns.len() as i64);
        assert_eq!(
            other.campaign_summaries().await.expect("kept"),
            other.recount_campaign_summaries().await.expect("recount"),
            "the adopted totals equal a recount"
        );
        let hard = Definition::parse(r#"{"bounced": {"class": "hard"}}"#).expect("def");
        assert!(other.count_selection(&hard, day(11, 1)).await.expect("count") > 0);
        assert!(
            matches!(other.claim_demo_load().await.expect("claim"), store::DemoClaim::Loaded),
            "once adopted, the demo counts as loaded"
        );
        other.close().await;
    }
);

store_test!(a_demo_reload_replaces_everything_at_once, |store| {
    world(&store, &six_days(), &history()).await;
    let before = store.contact_count().await.expect("count");
    let staging = store.staging().await.expect("staging copy");
    world(staging.store(), &[day(9, 1)], &[("anna@gmail.com", vec![Some(D)])]).await;

    let during = store.campaign_count().await.expect("count");
    store.replace_with_demo(staging).await.expect("replace");

    assert_eq!(during, 6, "the old data stays until the copy is adopted");
    assert!(before > 1);
    assert_eq!(store.campaign_count().await.expect("count"), 1);
    assert_eq!(store.contact_count().await.expect("count"), 1);
    // Ids go on after the copied ones: a new row does not collide.
    world(&store, &[day(10, 1)], &[("bob@example.org", vec![Some(D)])]).await;
    assert_eq!(store.campaign_count().await.expect("count"), 2);
});
