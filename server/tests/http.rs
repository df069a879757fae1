//! HTTP behaviour through the real router (tower `oneshot`), on SQLite and
//! PostgreSQL, with the demo generator's data.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use bounce::{EmailAddress, Outcome, ReplyCode, Stage};
use chrono::{TimeZone, Utc};
use http_body_util::BodyExt;
use store::{NewCampaign, NewEvent, Store, store_test};

mod common;
use common::{app, get, load_demo};

/// The cells of one column of the errors table, by its class name, as
/// text before any nested element or hydration marker (`<!>`).
fn cells<'a>(html: &'a str, class: &str) -> Vec<&'a str> {
    let open = format!("class=\"{class}\">");
    html.split(&open)
        .skip(1)
        .filter_map(|rest| rest.find('<').map(|end| rest[..end].trim()))
        .collect()
}

fn href_of<'a>(html: &'a str, class: &str) -> Option<&'a str> {
    let marker = format!("class=\"{class}\"");
    let at = html.find(&marker)?;
    let tag_start = html[..at].rfind("<a ")?;
    let tag = &html[tag_start..];
    let href = tag.find("href=\"")? + 6;
    let end = tag[href..].find('"')?;
    Some(&tag[href..href + end])
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&")
}

store_test!(liveness_answers_and_readiness_reports_the_backend, |store| {
    let (live, live_body) = get(&store, "/healthz").await;
    let (status, body) = get(&store, "/readyz").await;

    assert_eq!(live, StatusCode::OK);
    assert!(live_body.contains("\"ok\""), "{live_body}");
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("\"ready\""), "{body}");
    let expected = match store.kind() {
        store::BackendKind::Sqlite => "sqlite",
        store::BackendKind::Postgres => "postgres",
    };
    assert!(body.contains(expected), "{body}");
});

store_test!(campaigns_list_shows_every_campaign_with_totals, |store| {
    load_demo(&store).await;
    let summaries = store.campaign_summaries().await.expect("summaries");

    let (status, html) = get(&store, "/").await;
    // Text as a reader sees it: without Leptos's `<!>` node markers.
    let html = html.replace("<!>", "");

    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("class=\"campaign-row\"").count(), 4);
    for c in &summaries {
        assert!(html.contains(&c.name), "{} missing", c.name);
        assert!(html.contains(&format!("/campaigns/{}/errors?class=hard\">{}</a>", c.id, c.hard)));
    }
    assert!(html.contains("/pkg/bouncedesk.wasm"), "the page loads the front end");
});

store_test!(errors_tab_filters_by_stage_and_domain, |store| {
    load_demo(&store).await;
    let id = store.campaign_summaries().await.expect("summaries")[0].id;

    let (status, all) = get(&store, &format!("/campaigns/{id}/errors")).await;
    let (_, rcpt) = get(&store, &format!("/campaigns/{id}/errors?stage=rcpt_to")).await;
    let (_, gmail) = get(
        &store,
        &format!("/campaigns/{id}/errors?domain=gmail.com&stage=rcpt_to"),
    )
    .await;

    assert_eq!(status, StatusCode::OK);
    let all_stages = cells(&all, "stage");
    assert!(all_stages.len() > 1);
    let rcpt_stages = cells(&rcpt, "stage");
    assert!(!rcpt_stages.is_empty());
    assert!(rcpt_stages.iter().all(|s| s.ends_with("RCPT TO")), "{rcpt_stages:?}");
    let recipients = cells(&gmail, "recipient");
    assert!(!recipients.is_empty());
    assert!(recipients.iter().all(|r| r.ends_with("@gmail.com")), "{recipients:?}");
    assert!(
        gmail.contains("<option value=\"rcpt_to\" selected"),
        "the form shows the active filter"
    );
});

store_test!(errors_tab_pages_forward_and_back, |store| {
    load_demo(&store).await;
    let id = store.campaign_summaries().await.expect("summaries")[0].id;
    let total = store.event_count(Some(id)).await.expect("count");
    assert!(total > 50, "the demo campaign needs more than one page ({total})");

    let (_, first) = get(&store, &format!("/campaigns/{id}/errors")).await;
    let older = unescape(href_of(&first, "older").expect("a next page"));
    let (status, second) = get(&store, &older).await;
    let newer = unescape(href_of(&second, "newer").expect("a previous page"));
    let (_, back) = get(&store, &newer).await;

    assert_eq!(status, StatusCode::OK);
    let first_rows = cells(&first, "recipient");
    let second_rows = cells(&second, "recipient");
    assert_eq!(first_rows.len(), 50);
    assert_ne!(first_rows, second_rows);
    assert_eq!(cells(&back, "recipient"), first_rows);
    assert!(href_of(&first, "newer").is_none(), "the first page has no newer page");
});

store_test!(remote_text_is_escaped_and_shown_whole_in_the_detail, |store| {
    let campaign = store
        .insert_campaign(&NewCampaign {
            name: "Hostile </title><script>alert(2)</script> <b>campaign</b>".into(),
            subject: "x".into(),
            from_domain: "news.example.com".into(),
            sent_at: Utc.with_ymd_and_hms(2026, 6, 1, 8, 0, 0).single().expect("valid"),
        })
        .await
        .expect("campaign");
    let text = format!(
        "550 5.1.1 <script>alert('owned')</script> <img src=x onerror=alert(1)> {}END",
        "user unknown; ".repeat(20)
    );
    let reply_code = ReplyCode::leading(&text);
    store
        .insert_events(&[NewEvent {
            occurred_at: Utc.with_ymd_and_hms(2026, 6, 1, 8, 5, 0).single().expect("valid"),
            campaign_id: Some(campaign),
            contact_id: None,
            recipient: "victim@example.org".parse::<EmailAddress>().expect("valid"),
            stage: Stage::RcptTo,
            outcome: Outcome::Error,
            reply_code,
            status: "5.1.1".parse().ok(),
            diagnostic: text.clone(),
            remote_mta: Some("mx.example.org".into()),
            class: bounce::BounceClass::Hard,
            reason: Some(bounce::Reason::UserUnknown),
            source: "test".into(),
            source_event_id: "hostile-1".into(),
            link_tag: None,
            link_message_id: None,
            raw_message: Some(
                b"From: MAILER-DAEMON@example.org\r\nSubject: failure\r\n\r\n<script>alert('raw')</script>".to_vec(),
            ),
        }])
        .await
        .expect("event");

    let (_, list) = get(&store, &format!("/campaigns/{campaign}/errors")).await;
    let marker = "class=\"time\"><a href=\"";
    let at = list.find(marker).expect("a row with a detail link") + marker.len();
    let detail_href = unescape(&list[at..at + list[at..].find('"').expect("end of link")]);
    let (status, detail) = get(&store, &detail_href).await;

    for html in [&list, &detail] {
        assert!(!html.contains("<script>alert"), "script tag rendered raw");
        assert!(!html.contains("<img src=x"), "markup rendered raw");
        assert!(!html.contains("<b>campaign</b>"), "campaign name rendered raw");
        assert!(
            !html.contains("<script>alert(2)"),
            "campaign name broke out of the title"
        );
        assert!(html.contains("&lt;script&gt;alert"), "escaped text present");
    }
    assert_eq!(status, StatusCode::OK);
    assert!(
        list.contains("<details class=\"diagnostic\">"),
        "long text is folded in the list"
    );
    assert!(detail.contains("user unknown; END"), "the detail shows the whole text");
    assert!(detail.contains("mx.example.org"));
    assert!(
        detail.contains("Bad destination mailbox address"),
        "the status meaning is shown"
    );
});

store_test!(bad_filters_and_unknown_things_get_clear_errors, |store| {
    load_demo(&store).await;
    let id = store.campaign_summaries().await.expect("summaries")[0].id;

    let (bad_stage, bad_stage_html) = get(&store, &format!("/campaigns/{id}/errors?stage=rcpt")).await;
    let (bad_code, bad_code_html) = get(&store, &format!("/campaigns/{id}/errors?code=5.x")).await;
    let (no_campaign, _) = get(&store, "/campaigns/999999/errors").await;
    let (junk_id, _) = get(&store, "/campaigns/abc/errors").await;
    let (no_event, _) = get(&store, &format!("/campaigns/{id}/errors/999999")).await;
    let (no_page, _) = get(&store, "/no/such/page").await;

    assert_eq!(bad_stage, StatusCode::BAD_REQUEST);
    assert!(
        bad_stage_html.contains("stage: `rcpt` is not a delivery stage"),
        "the message names the field"
    );
    assert_eq!(bad_code, StatusCode::BAD_REQUEST);
    assert!(bad_code_html.contains("code: `5.x`"));
    assert_eq!(no_campaign, StatusCode::NOT_FOUND);
    assert_eq!(junk_id, StatusCode::NOT_FOUND);
    assert_eq!(no_event, StatusCode::NOT_FOUND);
    assert_eq!(no_page, StatusCode::NOT_FOUND);
});

async fn post(store: &Store, uri: &str, body: &str) -> (StatusCode, String) {
    let request = Request::post(uri)
        .body(Body::from(body.to_owned()))
        .expect("valid request");
    common::text_of(common::exchange(app(store), request).await).await
}

const REPEAT_HARD: &str = r#"{"consecutive": {"class": "hard", "at_least": 2}}"#;

store_test!(selection_api_counts_and_exports_what_the_store_selects, |store| {
    load_demo(&store).await;
    let def = bounce::selection::Definition::parse(REPEAT_HARD).expect("valid");
    let expected = store.count_selection(&def, Utc::now()).await.expect("count");

    let (status, counted) = post(&store, "/api/v1/selections/count", REPEAT_HARD).await;
    let (csv_status, csv) = post(
        &store,
        "/api/v1/selections/export?format=csv&delimiter=%3B",
        REPEAT_HARD,
    )
    .await;
    let (_, jsonl) = post(&store, "/api/v1/selections/export?format=jsonl", REPEAT_HARD).await;
    let gzipped = common::exchange(
        app(&store),
        Request::post("/api/v1/selections/export?format=csv")
            .header("accept-encoding", "gzip")
            .body(Body::from(REPEAT_HARD))
            .expect("valid request"),
    )
    .await;
    let encoding = gzipped.headers().get("content-encoding").cloned();
    let compressed = gzipped
        .into_body()
        .collect()
        .await
        .expect("a whole compressed body")
        .to_bytes();

    assert_eq!(status, StatusCode::OK);
    assert!(expected > 0, "the demo has repeat hard bouncers");
    let counted: serde_json::Value = serde_json::from_str(&counted).expect("JSON");
    assert_eq!(counted["count"], expected);
    assert_eq!(csv_status, StatusCode::OK);
    assert!(csv.starts_with("\u{feff}email;campaign;last_failure_at;stage;reply_code;status;diagnostic;"));
    assert_eq!(
        csv.matches("\r\n").count() as i64,
        expected + 1,
        "a header and one line per contact"
    );
    let lines: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len() as i64, expected);
    assert!(
        lines
            .iter()
            .all(|l| l["class"] == "hard" && l["failures"].as_i64() >= Some(2)),
        "{jsonl}"
    );
    assert_eq!(encoding.as_ref().and_then(|v| v.to_str().ok()), Some("gzip"));
    assert!(
        compressed.starts_with(&[0x1f, 0x8b]),
        "a gzip stream that ends properly"
    );
});

store_test!(selection_api_refuses_bad_definitions_naming_the_field, |store| {
    let cases = [
        (
            r#"{"all": [{"bounced": {"class": "hrad"}}]}"#,
            "definition.all[0].bounced.class",
        ),
        (r#"{"in_selection": "nowhere"}"#, "in_selection"),
        ("{\"consecutive\": ", "definition"),
        ("", "definition"),
    ];
    for (body, field) in cases {
        let (status, answer) = post(&store, "/api/v1/selections/count", body).await;
        let (export_status, _) = post(&store, "/api/v1/selections/export?format=csv", body).await;

        assert_eq!(
            (status, export_status),
            (StatusCode::BAD_REQUEST, StatusCode::BAD_REQUEST),
            "{body}"
        );
        let answer: serde_json::Value = serde_json::from_str(&answer).expect("a JSON error");
        assert_eq!(answer["field"], field, "{answer}");
    }
    let (status, answer) = post(&store, "/api/v1/selections/export?format=xlsx", REPEAT_HARD).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(answer.contains("\"field\":\"format\""), "{answer}");
    let (status, _) = post(&store, "/api/v1/selections/count", &"x".repeat(200_000)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
});

store_test!(demo_applies_the_policies_and_later_sends_are_rejected, |store| {
    load_demo(&store).await;
    let now = Utc::now();
    let count = |text: &str| {
        let store = store.clone();
        let def = bounce::selection::Definition::parse(text).expect("valid");
        async move { store.count_selection(&def, now).await.expect("count") }
    };

    let retained = count(r#"{"status": "retained"}"#).await;
    let four_in_a_row = count(r#"{"consecutive": {"class": "hard", "at_least": 4}}"#).await;
    let summaries = store.campaign_summaries().await.expect("summaries");

    assert!(retained > 0, "three hard bounces in a row retain a contact");
    assert_eq!(four_in_a_row, 0, "a retained contact is never attempted again");
    assert!(
        summaries.iter().any(|c| c.rejected > 0),
        "suppressed addresses are refused, not sent"
    );
    assert_eq!(summaries, store.recount_campaign_summaries().await.expect("recount"));
});

store_test!(suppression_export_neutralises_hostile_reasons, |store| {
    let hostile = "=HYPERLINK(\"http://evil.example\",\"klik hier\")";
    store
        .suppress(&store::NewSuppression {
            email: "ola.nordmann@online.no".parse().expect("address"),
            reason: hostile.into(),
            source: "user".into(),
            rule: None,
            status: bounce::ContactStatus::Suppressed,
            created_at: Utc::now(),
            expires_at: None,
        })
        .await
        .expect("suppress");

    let (status, csv) = get(&store, "/api/v1/suppressions/export?format=csv&q=nordmann").await;
    let (_, none) = get(&store, "/api/v1/suppressions/export?format=csv&q=nobody").await;

    assert_eq!(status, StatusCode::OK);
    assert!(
        csv.starts_with("\u{feff}email,reason,source,rule,created_at,expires_at\r\n"),
        "{csv}"
    );
    assert!(
        csv.contains("ola.nordmann@online.no,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"klik hier\"\")\",user,,"),
        "{csv}"
    );
    assert_eq!(none.matches("\r\n").count(), 1, "only the header: {none}");
});
