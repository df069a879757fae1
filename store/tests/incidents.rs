//! Provider incidents, typo domains and the chart cache in the store, on
//! SQLite and PostgreSQL: incidents are found in a campaign's failures,
//! kept with their evidence, and left out of selections and policies unless
//! asked for; cached charts follow every new result.

use bounce::incident::IncidentRule;
use bounce::policy::Policy;
use bounce::selection::Definition;
use bounce::{BounceClass, EmailAddress, EnhancedStatus, Outcome, ReplyCode, Stage};
use chrono::{DateTime, Duration, TimeZone, Utc};
use store::{NewCampaign, NewContact, NewEvent, NewSend, SendFailure, Store, store_test};

fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 6, hour, minute, 0)
        .single()
        .expect("valid")
}

/// Microsoft's answer while it throttles a sender (a provider's own words).
const THROTTLED: &str = "451 4.7.500 Server busy. Please try again later from [192.0.2.10]. (S77719) \
                         [DB5EUR03FT012.eop-EUR03.prod.protection.outlook.com]";
const NO_SUCH_USER: &str = "550 5.1.1 <x@ziggo.nl>: Recipient address rejected: User unknown";

struct Result_ {
    address: String,
    text: Option<&'static str>,
    at: DateTime<Utc>,
}

/// One campaign: `outlook` addresses at outlook.com, of which the first
/// `throttled` were refused between 10:00 and 10:50; `others` addresses at
/// ziggo.nl and gmial.com, every tenth of them unknown, spread over the day.
async fn campaign(store: &Store, outlook: usize, throttled: usize, others: usize) -> i64 {
    let id = store
        .insert_campaign(&NewCampaign {
            name: "Oktober".into(),
            subject: "Nieuws".into(),
            from_domain: "news.example.nl".into(),
            sent_at: at(8, 0),
        })
        .await
        .expect("campaign");
    let mut results = Vec::new();
    for i in 0..outlook {
        results.push(Result_ {
            address: format!("klant{i}@outlook.com"),
            text: (i < throttled).then_some(THROTTLED),
            at: at(10, (i % 50) as u32),
        });
    }
    for i in 0..others {
        let domain = if i % 3 == 0 { "gmial.com" } else { "ziggo.nl" };
        results.push(Result_ {
            address: format!("lid{i}@{domain}"),
            text: (i % 10 == 0).then_some(NO_SUCH_USER),
            at: at(8, 0) + Duration::minutes((i % 360) as i64),
        });
    }
    let contacts: Vec<NewContact> = results
        .iter()
        .map(|r| NewContact {
            email: r.address.parse::<EmailAddress>().expect("address"),
            created_at: at(0, 0),
        })
        .collect();
    let ids = store.upsert_contacts(&contacts).await.expect("contacts");
    let mut sends = Vec::new();
    let mut events = Vec::new();
    for (n, r) in results.iter().enumerate() {
        let email: EmailAddress = r.address.parse().expect("address");
        let contact_id = ids[&email];
        let Some(text) = r.text else {
            sends.push(NewSend {
                message_id: None,
                campaign_id: id,
                contact_id,
                outcome: Outcome::Accepted,
                class: None,
                attempts: 1,
                updated_at: r.at,
                failure: None,
            });
            continue;
        };
        let (reply_code, status) = (ReplyCode::leading(text), EnhancedStatus::find_in(text));
        let verdict = bounce::classify(&bounce::Evidence {
            stage: Some(Stage::RcptTo),
            reply_code,
            status,
            text,
            ..bounce::Evidence::default()
        });
        // Counted against the address if it were not an incident: the
        // test is about the incident, not about the category.
        let class = BounceClass::Hard;
        sends.push(NewSend {
            message_id: None,
            campaign_id: id,
            contact_id,
            outcome: Outcome::Error,
            class: Some(class),
            attempts: 1,
            updated_at: r.at,
            failure: Some(SendFailure {
                stage: Stage::RcptTo,
                reply_code,
                status,
                diagnostic: text.into(),
                reason: None,
            }),
        });
        events.push(NewEvent {
            occurred_at: r.at,
            campaign_id: Some(id),
            contact_id: Some(contact_id),
            recipient: email,
            stage: Stage::RcptTo,
            outcome: Outcome::Error,
            reply_code,
            status,
            diagnostic: text.into(),
            remote_mta: None,
            class,
            reason: if text == THROTTLED { None } else { Some(verdict.reason) },
            source: "test".into(),
            source_event_id: format!("{id}-{n}"),
            link_tag: None,
            link_message_id: None,
            raw_message: None,
        });
    }
    store.upsert_sends(&sends).await.expect("sends");
    store.insert_events(&events).await.expect("events");
    id
}

async fn count(store: &Store, definition: &str) -> i64 {
    let def = Definition::parse(definition).expect("valid definition");
    store.count_selection(&def, at(23, 0)).await.expect("count")
}

store_test!(a_burst_at_one_provider_is_recorded_with_its_evidence, |store| {
    let id = campaign(&store, 400, 150, 2_000).await;

    let found = store
        .detect_incidents(id, &IncidentRule::default())
        .await
        .expect("detect");
    let again = store
        .detect_incidents(id, &IncidentRule::default())
        .await
        .expect("detect again");
    let kept = store.incidents(id).await.expect("incidents");

    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found, again, "detecting twice changes nothing");
    assert_eq!(kept, found);
    let incident = &kept[0];
    assert_eq!(
        (incident.domain.as_str(), incident.code.as_str()),
        ("outlook.com", "4.7.500")
    );
    assert_eq!(incident.failures, 150);
    assert_eq!(incident.domain_sent, 400);
    assert!(incident.starts_at <= at(10, 0) && incident.ends_at > at(10, 50));
});

store_test!(a_list_with_ordinary_dead_addresses_has_no_incident, |store| {
    let id = campaign(&store, 400, 0, 2_000).await;

    let found = store
        .detect_incidents(id, &IncidentRule::default())
        .await
        .expect("detect");

    assert_eq!(found, vec![]);
});

store_test!(incident_failures_are_left_out_of_selections_and_policies, |store| {
    let id = campaign(&store, 400, 150, 2_000).await;
    store
        .detect_incidents(id, &IncidentRule::default())
        .await
        .expect("detect");
    let contacts: Vec<i64> = (1..=2_400).collect();

    let hard = count(&store, r#"{"bounced": {"class": "hard"}}"#).await;
    let with_incidents = count(&store, r#"{"bounced": {"class": "hard", "include_incidents": true}}"#).await;
    let at_outlook = count(
        &store,
        r#"{"bounced": {"domain": "outlook.com", "include_incidents": true}}"#,
    )
    .await;
    let blocked = store
        .apply_policies(&Policy::default(), &contacts, at(23, 0))
        .await
        .expect("policies");
    let suppressed_at_outlook = count(&store, r#"{"all": [{"suppressed": {}}, {"domain": "outlook.com"}]}"#).await;

    assert_eq!(hard, 200, "the unknown users only");
    assert_eq!(with_incidents, 350);
    assert_eq!(at_outlook, 150);
    assert_eq!(blocked, 200, "a hard bounce blocks, but not one in an incident");
    assert_eq!(suppressed_at_outlook, 0);
});

store_test!(typo_domains_are_a_selection_condition, |store| {
    campaign(&store, 10, 0, 300).await;

    let typos = count(&store, r#"{"typo_domain": {}}"#).await;
    let not_typos = count(&store, r#"{"not": {"typo_domain": {}}}"#).await;

    assert_eq!(typos, 100, "every gmial.com address");
    assert_eq!(not_typos, 210);
});

store_test!(a_cached_chart_follows_every_new_result, |store| {
    use bounce::chart::ChartName;
    let id = campaign(&store, 400, 150, 2_000).await;
    let before = store
        .campaign_chart(id, ChartName::Stages)
        .await
        .expect("chart")
        .expect("campaign");
    let cached = store
        .campaign_chart(id, ChartName::Stages)
        .await
        .expect("chart")
        .expect("campaign");
    let total = |c: &bounce::chart::ChartData| c.rows.iter().map(|r| r.counts.total()).sum::<i64>();

    // One more failure arrives for the campaign.
    let late = NewEvent {
        occurred_at: at(22, 0),
        campaign_id: Some(id),
        contact_id: None,
        recipient: "laat@ziggo.nl".parse().expect("address"),
        stage: Stage::AfterDelivery,
        outcome: Outcome::Error,
        reply_code: None,
        status: EnhancedStatus::find_in(NO_SUCH_USER),
        diagnostic: NO_SUCH_USER.into(),
        remote_mta: None,
        class: BounceClass::Hard,
        reason: None,
        source: "test".into(),
        source_event_id: "late".into(),
        link_tag: None,
        link_message_id: None,
        raw_message: None,
    };
    store.insert_events(&[late]).await.expect("event");
    let after = store
        .campaign_chart(id, ChartName::Stages)
        .await
        .expect("chart")
        .expect("campaign");

    assert_eq!(
        cached.counted_at, before.counted_at,
        "the second read came from the cache"
    );
    assert_eq!(total(&after), total(&before) + 1);
    assert!(after.counted_at > before.counted_at);
});
