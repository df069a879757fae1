//! Store behaviour, written once and run on SQLite and PostgreSQL.

use bounce::{
    BounceClass, EmailAddress, EnhancedStatus, ErrorFilter, ErrorQuery, Outcome, PageDirection, PageRequest, ReplyCode,
    Stage,
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use store::{NewCampaign, NewContact, NewEvent, NewSend, NewSuppression, Store, store_test};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 4, 9, 30, 0).single().expect("valid time")
}

fn email(s: &str) -> EmailAddress {
    s.parse().expect("valid test address")
}

async fn campaign(store: &Store, name: &str) -> i64 {
    store
        .insert_campaign(&NewCampaign {
            name: name.into(),
            subject: "Voorjaarsaanbieding".into(),
            from_domain: "news.example.nl".into(),
            sent_at: t0(),
        })
        .await
        .expect("insert campaign")
}

/// A realistic failed attempt; `n` makes time and source id unique.
fn event(campaign_id: i64, n: i64, recipient: &str, stage: Stage, reply: &str) -> NewEvent {
    let reply_code = ReplyCode::leading(reply);
    let status = EnhancedStatus::find_in(reply);
    let verdict = bounce::classify(&bounce::Evidence {
        stage: Some(stage),
        reply_code,
        status,
        text: reply,
        ..bounce::Evidence::default()
    });
    NewEvent {
        occurred_at: t0() + Duration::seconds(n),
        campaign_id: Some(campaign_id),
        contact_id: None,
        recipient: email(recipient),
        stage,
        outcome: Outcome::Error,
        reply_code,
        status,
        diagnostic: reply.into(),
        remote_mta: Some("mx.example.net".into()),
        class: verdict.class,
        reason: Some(verdict.reason),
        source: "test".into(),
        source_event_id: format!("ev-{campaign_id}-{n}"),
        link_tag: None,
        link_message_id: None,
        raw_message: None,
    }
}

const GMAIL_UNKNOWN: &str = "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces.";
const ZIGGO_FULL: &str =
    "452 4.2.2 <sanne.bakker@ziggo.nl>: Recipient address rejected: Mailbox vol / quota overschreden";
const TELENOR_UNKNOWN: &str = "550 5.1.1 <ola.nordmann@online.no>: Mottakeradressen finnes ikke (user unknown)";

store_test!(new_database_is_empty_and_migrated, |store| {
    let campaigns = store.campaign_count().await.expect("count");
    let summaries = store.campaign_summaries().await.expect("summaries");

    assert_eq!(campaigns, 0);
    assert!(summaries.is_empty());
});

store_test!(campaign_totals_count_sends_by_outcome_and_class, |store| {
    let id = campaign(&store, "Nieuwsbrief mei").await;
    let addresses = ["a@gmail.com", "b@ziggo.nl", "c@online.no", "d@gmx.de", "e@orange.fr"];
    let contacts: Vec<NewContact> = addresses
        .iter()
        .map(|a| NewContact {
            email: email(a),
            created_at: t0(),
        })
        .collect();
    let ids = store.upsert_contacts(&contacts).await.expect("contacts");
    let send = |addr: &str, outcome, class| NewSend {
        message_id: None,
        campaign_id: id,
        contact_id: ids[&email(addr)],
        outcome,
        class,
        attempts: 1,
        updated_at: t0(),
        failure: None,
    };
    store
        .upsert_sends(&[
            send("a@gmail.com", Outcome::Accepted, None),
            send("b@ziggo.nl", Outcome::Error, Some(BounceClass::Soft)),
            send("c@online.no", Outcome::Error, Some(BounceClass::Hard)),
            send("d@gmx.de", Outcome::Rejected, None),
            send("e@orange.fr", Outcome::Error, Some(BounceClass::Undetermined)),
        ])
        .await
        .expect("sends");

    let summary = store.campaign_summary(id).await.expect("summary").expect("exists");

    assert_eq!(summary.name, "Nieuwsbrief mei");
    assert_eq!(
        (
            summary.sent,
            summary.delivered,
            summary.hard,
            summary.soft,
            summary.undetermined,
            summary.rejected
        ),
        (4, 1, 1, 1, 1, 1)
    );
    assert_eq!(store.campaign_summaries().await.expect("all").len(), 1);
});

store_test!(a_later_send_result_replaces_the_earlier_one, |store| {
    let id = campaign(&store, "Retry").await;
    let ids = store
        .upsert_contacts(&[NewContact {
            email: email("kari@online.no"),
            created_at: t0(),
        }])
        .await
        .expect("contact");
    let contact_id = ids[&email("kari@online.no")];
    let mut send = NewSend {
        message_id: None,
        campaign_id: id,
        contact_id,
        outcome: Outcome::Error,
        class: Some(BounceClass::Soft),
        attempts: 1,
        updated_at: t0(),
        failure: None,
    };
    store.upsert_sends(std::slice::from_ref(&send)).await.expect("first");

    send.outcome = Outcome::Accepted;
    send.class = None;
    send.attempts = 2;
    store.upsert_sends(&[send]).await.expect("second");

    let summary = store.campaign_summary(id).await.expect("summary").expect("exists");
    assert_eq!((summary.sent, summary.delivered, summary.soft), (1, 1, 0));
});

store_test!(contacts_upsert_returns_ids_for_new_and_known_addresses, |store| {
    let first = store
        .upsert_contacts(&[NewContact {
            email: email("Jan.Jansen@Ziggo.nl"),
            created_at: t0(),
        }])
        .await
        .expect("first");

    let second = store
        .upsert_contacts(&[
            NewContact {
                email: email("jan.jansen@ziggo.nl"),
                created_at: t0(),
            },
            NewContact {
                email: email("kari@online.no"),
                created_at: t0(),
            },
        ])
        .await
        .expect("second");

    assert_eq!(
        first[&email("jan.jansen@ziggo.nl")],
        second[&email("jan.jansen@ziggo.nl")]
    );
    assert_eq!(second.len(), 2);
    assert_eq!(store.contact_count().await.expect("count"), 2);
});

store_test!(the_same_event_imported_twice_is_stored_once, |store| {
    let id = campaign(&store, "Dedup").await;
    let events = vec![
        event(id, 1, "a@gmail.com", Stage::RcptTo, GMAIL_UNKNOWN),
        event(id, 2, "sanne.bakker@ziggo.nl", Stage::RcptTo, ZIGGO_FULL),
    ];

    let first = store.insert_events(&events).await.expect("first import");
    let again = store.insert_events(&events).await.expect("second import");

    assert_eq!((first, again), (2, 0));
    assert_eq!(store.event_count(Some(id)).await.expect("count"), 2);
});

store_test!(error_pages_walk_forward_and_back_without_gaps, |store| {
    let id = campaign(&store, "Paging").await;
    let events: Vec<NewEvent> = (0..23)
        .map(|n| event(id, n, &format!("user{n}@gmail.com"), Stage::RcptTo, GMAIL_UNKNOWN))
        .collect();
    store.insert_events(&events).await.expect("events");
    let filter = ErrorFilter::default();
    let page = |direction| PageRequest { direction, limit: 10 };

    let p1 = store
        .error_page(id, &filter, page(PageDirection::First))
        .await
        .expect("p1");
    let p2 = store
        .error_page(id, &filter, page(PageDirection::Older(p1.older.expect("has next"))))
        .await
        .expect("p2");
    let p3 = store
        .error_page(id, &filter, page(PageDirection::Older(p2.older.expect("has next"))))
        .await
        .expect("p3");
    let back = store
        .error_page(id, &filter, page(PageDirection::Newer(p3.newer.expect("has previous"))))
        .await
        .expect("back to p2");

    let recipients = |rows: &[bounce::ErrorRow]| rows.iter().map(|r| r.recipient.clone()).collect::<Vec<_>>();
    assert_eq!(p1.rows.len(), 10);
    assert_eq!(p1.rows[0].recipient, "user22@gmail.com", "newest first");
    assert!(p1.newer.is_none());
    assert_eq!(p3.rows.len(), 3);
    assert!(p3.older.is_none(), "last page has no next");
    assert_eq!(p3.rows.last().map(|r| r.recipient.as_str()), Some("user0@gmail.com"));
    assert_eq!(recipients(&back.rows), recipients(&p2.rows));
    assert!(back.newer.is_some(), "page 2 has a previous page");
    let mut seen: Vec<String> = [p1.rows, p2.rows, p3.rows]
        .concat()
        .into_iter()
        .map(|r| r.recipient)
        .collect();
    seen.dedup();
    assert_eq!(seen.len(), 23, "no row skipped or repeated");
});

store_test!(error_filters_narrow_the_rows, |store| {
    let id = campaign(&store, "Filters").await;
    let other = campaign(&store, "Other campaign").await;
    let mut dns = event(
        id,
        5,
        "piet@gmial.com",
        Stage::Dns,
        "Host or domain name not found. Name service error for name=gmial.com type=A: Host not found",
    );
    dns.outcome = Outcome::Error;
    store
        .insert_events(&[
            event(id, 1, "a@gmail.com", Stage::RcptTo, GMAIL_UNKNOWN),
            event(id, 2, "sanne.bakker@ziggo.nl", Stage::RcptTo, ZIGGO_FULL),
            event(id, 3, "ola.nordmann@online.no", Stage::RcptTo, TELENOR_UNKNOWN),
            event(
                id,
                4,
                "x@ziggo.nl",
                Stage::Data,
                "554 5.7.1 Message rejected as spam by Content Filtering 100%_sure",
            ),
            dns,
            event(other, 6, "b@gmail.com", Stage::RcptTo, GMAIL_UNKNOWN),
        ])
        .await
        .expect("events");
    let rows = |pairs: &[(&str, &str)]| {
        let mut q = ErrorQuery::default();
        for (k, v) in pairs {
            match *k {
                "stage" => q.stage = (*v).into(),
                "class" => q.class = (*v).into(),
                "code" => q.code = (*v).into(),
                "domain" => q.domain = (*v).into(),
                "reason" => q.reason = (*v).into(),
                "category" => q.category = (*v).into(),
                "q" => q.q = (*v).into(),
                _ => unreachable!(),
            }
        }
        let (filter, page) = q.parse().expect("valid query");
        let store = store.clone();
        async move {
            let page = store.error_page(id, &filter, page).await.expect("page");
            let mut r: Vec<String> = page.rows.into_iter().map(|r| r.recipient).collect();
            r.sort();
            r
        }
    };

    assert_eq!(rows(&[]).await.len(), 5, "other campaigns stay out");
    assert_eq!(rows(&[("stage", "dns")]).await, vec!["piet@gmial.com"]);
    assert_eq!(
        rows(&[("domain", "ZIGGO.nl")]).await,
        vec!["sanne.bakker@ziggo.nl", "x@ziggo.nl"]
    );
    assert_eq!(
        rows(&[("class", "soft")]).await,
        vec!["sanne.bakker@ziggo.nl", "x@ziggo.nl"],
        "a full mailbox and a spam verdict are soft, whatever their codes"
    );
    assert_eq!(
        rows(&[("code", "5.1")]).await,
        vec!["a@gmail.com", "ola.nordmann@online.no"]
    );
    assert_eq!(rows(&[("code", "5.7.1")]).await, vec!["x@ziggo.nl"]);
    assert_eq!(rows(&[("code", "45")]).await, vec!["sanne.bakker@ziggo.nl"]);
    assert_eq!(rows(&[("q", "FINNES IKKE")]).await, vec!["ola.nordmann@online.no"]);
    assert_eq!(rows(&[("q", "100%_sure")]).await, vec!["x@ziggo.nl"]);
    assert_eq!(
        rows(&[("q", "100%_surf")]).await,
        Vec::<String>::new(),
        "wildcards are literal"
    );
    assert_eq!(
        rows(&[("stage", "rcpt_to"), ("class", "hard"), ("domain", "gmail.com")]).await,
        vec!["a@gmail.com"]
    );
});

store_test!(hostile_text_is_stored_verbatim_and_detail_has_every_field, |store| {
    let id = campaign(&store, "Hostile").await;
    let hostile = "550 5.1.1 <script>alert('x')</script> user unknown; DROP TABLE delivery_events; --";
    let mut e = event(id, 1, "evil@example.com", Stage::RcptTo, hostile);
    e.reason = Some(bounce::Reason::UserUnknown);
    let raw = format!(
        "From: MAILER-DAEMON@example.com\r\nSubject: Undelivered\r\n\r\n{}",
        "<evil@example.com>: 550 5.1.1 no\r\n".repeat(500)
    );
    e.raw_message = Some(raw.clone().into_bytes());
    store.insert_events(&[e]).await.expect("insert");
    let page = store
        .error_page(id, &ErrorFilter::default(), PageRequest::first())
        .await
        .expect("page");

    let detail = store
        .event_detail(page.rows[0].id)
        .await
        .expect("detail")
        .expect("exists");

    assert_eq!(detail.row.diagnostic, hostile);
    assert_eq!(detail.row.reply_code.map(ReplyCode::get), Some(550));
    assert_eq!(detail.row.status.map(|s| s.to_string()), Some("5.1.1".into()));
    assert_eq!(detail.row.class, BounceClass::Hard);
    assert_eq!(detail.campaign_name.as_deref(), Some("Hostile"));
    assert_eq!(detail.recipient_domain, "example.com");
    assert_eq!(detail.remote_mta.as_deref(), Some("mx.example.net"));
    assert_eq!(detail.row.reason, Some(bounce::Reason::UserUnknown));
    assert_eq!(
        (detail.source.as_str(), detail.source_event_id.as_str()),
        ("test", "ev-1-1")
    );
    assert!(
        store
            .event_detail(detail.row.id + 1000)
            .await
            .expect("missing")
            .is_none()
    );
});

store_test!(suppressions_expire_and_mark_the_contact, |store| {
    let kari = email("kari@online.no");
    store
        .upsert_contacts(&[NewContact {
            email: kari.clone(),
            created_at: t0(),
        }])
        .await
        .expect("contact");

    store
        .suppress(&NewSuppression {
            email: kari.clone(),
            reason: "mailbox full three times".into(),
            source: "test".into(),
            rule: None,
            status: bounce::ContactStatus::Suppressed,
            created_at: t0(),
            expires_at: Some(t0() + Duration::days(30)),
        })
        .await
        .expect("suppress");

    assert!(
        store
            .is_suppressed(&kari, t0() + Duration::days(1))
            .await
            .expect("check")
    );
    assert!(
        !store
            .is_suppressed(&kari, t0() + Duration::days(31))
            .await
            .expect("check")
    );
    assert!(!store.is_suppressed(&email("ola@online.no"), t0()).await.expect("check"));
});

store_test!(clear_removes_every_row, |store| {
    let id = campaign(&store, "To clear").await;
    store
        .insert_events(&[event(id, 1, "a@gmail.com", Stage::RcptTo, GMAIL_UNKNOWN)])
        .await
        .expect("event");

    store.clear().await.expect("clear");

    assert_eq!(store.campaign_count().await.expect("count"), 0);
    assert_eq!(store.event_count(None).await.expect("count"), 0);
});
