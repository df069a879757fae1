//! Linking results from outside to campaigns, the unlinked ones, the
//! follow-up a batch notes, and API tokens; written once and run on SQLite
//! and PostgreSQL.

use bounce::delivery::{self, DeliveryResult, ResultKind};
use bounce::{EnhancedStatus, ReplyCode, Stage};
use chrono::{DateTime, Duration, TimeZone, Utc};
use store::{FollowUp, NewCampaign, Store, store_test};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0)
        .single()
        .expect("valid time")
}

async fn campaign(store: &Store, name: &str) -> i64 {
    store
        .insert_campaign(&NewCampaign {
            name: name.into(),
            subject: "Black Friday".into(),
            from_domain: "news.example.nl".into(),
            sent_at: t0(),
        })
        .await
        .expect("insert campaign")
}

/// A result as an importer makes it; `key` is the source's event id.
fn result(key: &str, recipient: &str, kind: ResultKind, text: &str) -> DeliveryResult {
    DeliveryResult {
        recipient: recipient.parse().expect("address"),
        at: t0() + Duration::minutes(key.len() as i64),
        kind,
        stage: Some(Stage::RcptTo),
        reply_code: ReplyCode::leading(text),
        status: EnhancedStatus::find_in(text),
        text: text.into(),
        remote_mta: Some("mx.example.org".into()),
        campaign_id: None,
        campaign_tag: None,
        message_id: None,
        source: "test".into(),
        source_event_id: key.into(),
    }
}

async fn ingest(store: &Store, results: Vec<DeliveryResult>) -> store::Ingested {
    let classified: Vec<_> = results.into_iter().map(delivery::classify).collect();
    store.ingest(&classified, None).await.expect("ingest")
}

store_test!(results_are_linked_by_id_tag_and_message_id, |store| {
    let black_friday = campaign(&store, "Black Friday").await;
    assert!(
        store
            .set_campaign_tag(black_friday, Some("bf-2026"))
            .await
            .expect("tag")
    );
    let by_id = DeliveryResult {
        campaign_id: Some(black_friday),
        ..result("a", "jan@ziggo.nl", ResultKind::Failed, "550 5.1.1 Gebruiker onbekend")
    };
    let by_tag = DeliveryResult {
        campaign_tag: Some("bf-2026".into()),
        ..result(
            "bb",
            "ola@online.no",
            ResultKind::Failed,
            "550 5.1.1 Mottakeren finnes ikke",
        )
    };
    let delivered = DeliveryResult {
        campaign_tag: Some("bf-2026".into()),
        message_id: Some("20261120.1@news.example.nl".into()),
        ..result("ccc", "marie@orange.fr", ResultKind::Delivered, "250 2.0.0 Ok")
    };
    // A bounce that came back by mail later quotes only the Message-ID.
    let late_bounce = DeliveryResult {
        message_id: Some("20261120.1@news.example.nl".into()),
        stage: Some(Stage::AfterDelivery),
        ..result("dddd", "marie@orange.fr", ResultKind::Failed, "552 5.2.2 Boite pleine")
    };

    let first = ingest(&store, vec![by_id, by_tag, delivered]).await;
    let second = ingest(&store, vec![late_bounce]).await;

    assert_eq!((first.stored, first.unlinked), (3, 0));
    assert_eq!(
        (second.stored, second.unlinked),
        (1, 0),
        "found by the send's Message-ID"
    );
    assert_eq!(second.campaigns.into_iter().collect::<Vec<_>>(), [black_friday]);
    assert_eq!(store.unlinked_count().await.expect("count"), 0);
});

store_test!(a_message_id_links_within_one_batch_too, |store| {
    let id = campaign(&store, "Nieuwsbrief").await;
    let delivered = DeliveryResult {
        campaign_id: Some(id),
        message_id: Some("m1@news.example.nl".into()),
        ..result("a", "piet@kpnmail.nl", ResultKind::Delivered, "250 2.0.0 Ok")
    };
    let bounce = DeliveryResult {
        message_id: Some("m1@news.example.nl".into()),
        ..result(
            "bb",
            "piet@kpnmail.nl",
            ResultKind::Failed,
            "550 5.1.1 Postvak bestaat niet",
        )
    };

    let done = ingest(&store, vec![delivered, bounce]).await;

    assert_eq!(done.unlinked, 0);
});

store_test!(
    results_nothing_links_are_kept_and_listed_with_what_they_carried,
    |store| {
        campaign(&store, "Nieuwsbrief").await;
        let unknown_id = DeliveryResult {
            campaign_id: Some(9_999),
            ..result("a", "jan@ziggo.nl", ResultKind::Failed, "550 5.1.1 Gebruiker onbekend")
        };
        let unknown_tag = DeliveryResult {
            campaign_tag: Some("spring-sale".into()),
            message_id: Some("x7@news.example.nl".into()),
            ..result(
                "bb",
                "k.schmidt@web.de",
                ResultKind::Failed,
                "550 5.1.1 Benutzer unbekannt",
            )
        };

        let done = ingest(&store, vec![unknown_id, unknown_tag]).await;
        let listed = store.unlinked(None, 50).await.expect("list");
        let older = store.unlinked(Some(listed[0].row.cursor()), 50).await.expect("older");

        assert_eq!(
            (done.stored, done.unlinked),
            (2, 2),
            "a campaign that does not exist is no error"
        );
        assert_eq!(store.unlinked_count().await.expect("count"), 2);
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0].row.recipient, "k.schmidt@web.de", "newest first");
        assert_eq!(listed[0].tag.as_deref(), Some("spring-sale"));
        assert_eq!(listed[0].message_id.as_deref(), Some("x7@news.example.nl"));
        assert_eq!(listed[0].source, "test");
        assert_eq!(older.len(), 1, "the page after the first row");
    }
);

store_test!(a_tag_belongs_to_one_campaign, |store| {
    let a = campaign(&store, "A").await;
    let b = campaign(&store, "B").await;
    store.set_campaign_tag(a, Some("weekly")).await.expect("tag");

    let taken = store.set_campaign_tag(b, Some("weekly")).await;
    let missing = store.set_campaign_tag(9_999, Some("other")).await.expect("no campaign");

    assert!(taken.is_err_and(|e| e.to_string().contains("tag")));
    assert!(!missing);
});

store_test!(
    tokens_authenticate_until_revoked_and_only_their_digest_is_kept,
    |store| {
        let made = store
            .create_token("SendGrid webhook", store::Scope::Import, t0())
            .await
            .expect("token");

        let known = store
            .authenticate(&made.secret, t0() + Duration::hours(1))
            .await
            .expect("auth");
        let wrong = store.authenticate("bd_not-a-token", t0()).await.expect("auth");
        let listed = store.tokens().await.expect("list");
        store.revoke_token(made.token.id, t0()).await.expect("revoke");
        let revoked = store.authenticate(&made.secret, t0()).await.expect("auth");

        assert!(made.secret.starts_with(store::TOKEN_PREFIX) && made.secret.len() > 40);
        assert_eq!(known.map(|t| t.id), Some(made.token.id));
        assert!(wrong.is_none());
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].last_used_at, Some(t0() + Duration::hours(1)));
        assert!(made.secret.starts_with(&listed[0].prefix) && listed[0].prefix.len() < 12);
        assert!(revoked.is_none());
        assert!(
            store.create_token("  ", store::Scope::Import, t0()).await.is_err(),
            "a name is needed"
        );
    }
);

store_test!(a_running_import_whose_progress_stopped_is_listed_failed, |store| {
    // Arrange: one import that stopped making progress (its server died)
    // and one that is still going.
    let stalled = store
        .start_import("maillog.1", "postfix", None, None, t0())
        .await
        .expect("start");
    let going = store
        .start_import("maillog", "postfix", None, None, t0() + Duration::minutes(10))
        .await
        .expect("start");

    // Act: listed at a time the first stopped before, and the second not.
    let runs = store.import_runs(10, t0() + Duration::minutes(5)).await.expect("runs");
    let again = store.import_runs(10, t0() + Duration::minutes(5)).await.expect("runs");

    // Assert
    let state = |runs: &[bounce::intake::ImportRun], id: i64| runs.iter().find(|r| r.id == id).map(|r| r.state);
    assert_eq!(state(&runs, stalled), Some(bounce::intake::ImportState::Failed));
    assert!(
        runs.iter()
            .any(|r| r.id == stalled && r.error.as_deref().is_some_and(|e| e.contains("server stopped")))
    );
    assert_eq!(state(&runs, going), Some(bounce::intake::ImportState::Running));
    assert_eq!(again, runs, "listing again changes nothing");
});

store_test!(
    a_batch_notes_its_follow_up_and_only_the_notes_read_are_forgotten,
    |store| {
        let id = campaign(&store, "Nieuwsbrief").await;
        let bounce = |key: &str, to: &str| DeliveryResult {
            campaign_id: Some(id),
            ..result(key, to, ResultKind::Failed, "550 5.1.1 Gebruiker onbekend")
        };
        ingest(&store, vec![bounce("a", "jan@ziggo.nl"), bounce("bb", "ola@online.no")]).await;
        let read = store.pending(FollowUp::Policies, 100).await.expect("pending");
        let campaigns = store.pending(FollowUp::Incidents, 100).await.expect("pending");
        // New results for a contact already read arrive before its work is
        // done: their note must outlive the forgetting of the older one.
        ingest(&store, vec![bounce("ccc", "jan@ziggo.nl")]).await;

        store.forget(FollowUp::Policies, &read).await.expect("forget");
        store.forget(FollowUp::Incidents, &campaigns).await.expect("forget");
        let left = store.pending(FollowUp::Policies, 100).await.expect("pending");
        let left_campaigns = store.pending(FollowUp::Incidents, 100).await.expect("pending");

        let jan = store
            .contact_id(&"jan@ziggo.nl".parse().expect("address"))
            .await
            .expect("lookup")
            .expect("stored");
        assert_eq!(read.subjects.len(), 2, "both contacts noted");
        assert_eq!(campaigns.subjects, [id]);
        assert_eq!(left.subjects, [jan], "the note written meanwhile stays");
        assert_eq!(left_campaigns.subjects, [id], "and its campaign's");
    }
);
