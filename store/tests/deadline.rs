//! Queries a visitor shapes stop at their deadline, on both backends, and
//! leave their connection fit for the next query.

use std::time::Duration;

use store::{StoreError, store_test};

/// Counts to a billion: minutes of work on either database.
const ENDLESS: &str = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000) \
                       SELECT COUNT(*) FROM n";

store_test!(
    a_query_past_its_deadline_is_stopped_and_the_pool_stays_usable,
    |store| {
        // Act
        let stopped = store
            .bounded_scalar_for_tests(ENDLESS, Duration::from_millis(200))
            .await;
        let mut after = Vec::new();
        // More queries than the pool has connections: each reuses one that ran
        // a stopped query, so a deadline left behind would show here.
        for _ in 0..20 {
            after.push(
                store
                    .bounded_scalar_for_tests("SELECT CAST(41 + 1 AS BIGINT)", Duration::from_secs(20))
                    .await,
            );
        }

        // Assert
        assert!(matches!(stopped, Err(StoreError::TooSlow)), "{stopped:?}");
        assert!(after.iter().all(|r| matches!(r, Ok(42))), "{after:?}");
        assert!(store.ping().await.is_ok());
    }
);

async fn failures(store: &store::Store, campaign: i64, texts: &[(&str, usize)]) {
    let mut events = Vec::new();
    for (text, n) in texts {
        for i in 0..*n {
            events.push(store::NewEvent {
                occurred_at: chrono::Utc::now() - chrono::Duration::seconds(events.len() as i64),
                campaign_id: Some(campaign),
                contact_id: None,
                recipient: format!("lid{}@ziggo.nl", events.len()).parse().expect("address"),
                stage: bounce::Stage::RcptTo,
                outcome: bounce::Outcome::Error,
                reply_code: "550".parse().ok(),
                status: "5.1.1".parse().ok(),
                diagnostic: format!("550 {text} ({i})"),
                remote_mta: None,
                class: bounce::BounceClass::Hard,
                reason: None,
                source: "test".into(),
                source_event_id: format!("e{}", events.len()),
                raw_message: None,
                link_tag: None,
                link_message_id: None,
            });
        }
    }
    store.insert_events(&events).await.expect("events");
}

store_test!(a_common_search_term_finds_the_same_rows_as_a_rare_one_would, |store| {
    // Arrange: a word in thousands of texts (searched by reading the
    // campaign) and one in a few (searched through the trigram index).
    let campaign = store
        .insert_campaign(&store::NewCampaign {
            name: "Nieuwsbrief".into(),
            subject: "Nieuws".into(),
            from_domain: "news.example.nl".into(),
            sent_at: chrono::Utc::now(),
        })
        .await
        .expect("campaign");
    failures(&store, campaign, &[("Mailbox full", 2_100), ("Gebruiker onbekend", 7)]).await;
    let search = |term: &str| bounce::ErrorFilter {
        search: Some(term.to_owned()),
        ..bounce::ErrorFilter::default()
    };

    // Act
    let common = store
        .error_count_upto(campaign, &search("mailbox"), 10_000)
        .await
        .expect("count");
    let again = store
        .error_count_upto(campaign, &search("MAILBOX"), 10_000)
        .await
        .expect("count");
    let rare = store
        .error_count_upto(campaign, &search("onbekend"), 10_000)
        .await
        .expect("count");
    let page = store
        .error_page(campaign, &search("mailbox"), bounce::PageRequest::first())
        .await
        .expect("page");

    // Assert
    assert_eq!(common, (2_100, false));
    assert_eq!(again, (2_100, false));
    assert_eq!(rare, (7, false));
    assert_eq!(page.rows.len(), 50);
    assert!(page.rows.iter().all(|r| r.diagnostic.contains("Mailbox full")));
    assert!(
        page.rows.windows(2).all(|w| w[0].occurred_at >= w[1].occurred_at),
        "newest first"
    );
});

store_test!(the_errors_tab_count_stops_at_its_cap_and_says_there_are_more, |store| {
    // Arrange: a campaign with 25 failed events.
    let campaign = store
        .insert_campaign(&store::NewCampaign {
            name: "Nieuwsbrief".into(),
            subject: "Nieuws".into(),
            from_domain: "news.example.nl".into(),
            sent_at: chrono::Utc::now(),
        })
        .await
        .expect("campaign");
    failures(&store, campaign, &[("user unknown", 25)]).await;
    let all = bounce::ErrorFilter::default();

    // Act
    let capped = store.error_count_upto(campaign, &all, 10).await.expect("count");
    let whole = store.error_count_upto(campaign, &all, 100).await.expect("count");

    // Assert
    assert_eq!(capped, (10, true));
    assert_eq!(whole, (25, false));
    assert_eq!(store.error_count(campaign, &all).await.expect("count"), 25);
});
