//! The intake pages through the real router, on SQLite and PostgreSQL: a
//! file uploaded from the Import page is imported in the background and
//! its progress and counts shown; unlinked results are listed; tokens are
//! listed without their secrets.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::Utc;
use store::{Store, store_test};

mod common;
use common::{app, campaign, fixture, get};

/// A multipart body as a browser's form sends it.
fn form(fields: &[(&str, &str)], file: (&str, &[u8])) -> (String, Vec<u8>) {
    let boundary = "----bouncedesk7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n",
            file.0
        )
        .as_bytes(),
    );
    body.extend_from_slice(file.1);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(store: &Store, fields: &[(&str, &str)], file: (&str, &[u8])) -> (StatusCode, Option<String>, String) {
    let (content_type, body) = form(fields, file);
    let request = Request::post("/imports/upload")
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .expect("request");
    let response = common::exchange(app(store), request).await;
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .expect("body")
        .to_bytes();
    (status, location, String::from_utf8_lossy(&bytes).into_owned())
}

store_test!(an_uploaded_file_is_imported_and_its_progress_shown, |store| {
    let id = campaign(&store).await;
    let log = fixture("postfix/maillog");

    let (status, location, _) = upload(
        &store,
        &[("format", "auto"), ("campaign", &id.to_string())],
        ("maillog", &log),
    )
    .await;
    let mut runs = Vec::new();
    for _ in 0..100 {
        runs = store
            .import_runs(10, Utc::now() - chrono::Duration::minutes(5))
            .await
            .expect("runs");
        if runs
            .first()
            .is_some_and(|r| r.state != bounce::intake::ImportState::Running)
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (page, html) = get(&store, "/imports").await;
    let html = html.replace("<!>", "");

    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/imports"));
    let run = runs.first().expect("the upload is recorded");
    assert_eq!(run.state, bounce::intake::ImportState::Done, "{run:?}");
    assert_eq!((run.name.as_str(), run.format.as_str()), ("maillog", "postfix"));
    assert_eq!((run.stored, run.rejected, run.other), (9, 1, 4));
    assert_eq!(run.bytes_read, log.len() as i64);
    assert_eq!(page, StatusCode::OK);
    assert!(html.contains("data-state=\"done\" class=\"import-row\""), "{html}");
    assert!(html.contains("<td class=\"num stored\">9</td>"));
    assert!(html.contains("maillog line 13"), "the rejected line is named");
});

store_test!(a_bad_upload_is_refused_naming_the_field, |store| {
    campaign(&store).await;

    let (format, _, why) = upload(&store, &[("format", "outlook")], ("x.csv", b"email\n")).await;
    let (campaign, _, _) = upload(&store, &[("campaign", "999")], ("x.csv", b"email\n")).await;

    assert_eq!(format, StatusCode::BAD_REQUEST);
    assert!(why.contains("format"), "{why}");
    assert_eq!(campaign, StatusCode::NOT_FOUND);
    assert!(
        store.import_runs(10, Utc::now()).await.expect("runs").is_empty(),
        "nothing started"
    );
});

store_test!(
    an_empty_binary_or_truncated_upload_is_a_400_and_starts_nothing,
    |store| {
        campaign(&store).await;
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0";
        let (content_type, whole) = form(
            &[("format", "postfix")],
            (
                "maillog",
                b"Nov 30 10:00:00 mail1 postfix/smtp[1]: 4F: to=<a@b.nl>, status=sent (250 ok)\n",
            ),
        );
        let cut = whole[..whole.len() - 20].to_vec();

        let (empty, _, empty_why) = upload(&store, &[], ("leeg.csv", b"")).await;
        let (binary, _, binary_why) = upload(&store, &[], ("grafiek.png", png)).await;
        let truncated = common::exchange(
            app(&store),
            Request::post("/imports/upload")
                .header(header::CONTENT_TYPE, content_type)
                .body(Body::from(cut))
                .expect("request"),
        )
        .await
        .status();

        assert_eq!(empty, StatusCode::BAD_REQUEST);
        assert!(empty_why.contains("empty"), "{empty_why}");
        assert_eq!(binary, StatusCode::BAD_REQUEST);
        assert!(binary_why.contains("binary"), "{binary_why}");
        assert_eq!(truncated, StatusCode::BAD_REQUEST);
        assert!(
            store.import_runs(10, Utc::now()).await.expect("runs").is_empty(),
            "nothing started"
        );
        assert_eq!(store.event_count(None).await.expect("count"), 0);
    }
);

store_test!(unlinked_results_are_listed_with_what_they_carried, |store| {
    campaign(&store).await;
    let body = r#"{"recipient":"k.schmidt@web.de","time":"2026-11-30T10:00:01Z","result":"failed","id":"u1","campaign_tag":"herbst-aktion","text":"550 5.1.1 Benutzer unbekannt"}"#;
    let items = server::import::json::parse(body);
    let results: Vec<_> = items
        .into_iter()
        .filter_map(|i| match i {
            Ok(server::import::Item::Result(r)) => Some(bounce::delivery::classify(*r)),
            _ => None,
        })
        .collect();
    store.ingest(&results, None).await.expect("ingest");

    let (status, html) = get(&store, "/unlinked").await;
    let html = html.replace("<!>", "");

    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("1 results without a campaign"), "{html}");
    assert!(html.contains("k.schmidt@web.de"));
    assert!(html.contains("herbst-aktion"));
    assert!(html.contains("Benutzer unbekannt"));
});

store_test!(tokens_are_listed_without_their_secrets, |store| {
    let made = store
        .create_token("SendGrid webhook", store::Scope::Import, Utc::now())
        .await
        .expect("token");

    let (status, html) = get(&store, "/settings/tokens").await;

    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("SendGrid webhook"));
    assert!(html.contains(&made.token.prefix));
    assert!(!html.contains(&made.secret), "the secret is never shown again");
});

store_test!(a_token_is_revoked_from_the_page_without_a_script, |store| {
    let made = store
        .create_token("Mailgun", store::Scope::Import, Utc::now())
        .await
        .expect("token");
    let request = Request::post("/api/revoke_token")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, "/settings/tokens")
        .body(Body::from(format!("id={}", made.token.id)))
        .expect("request");

    let response = common::exchange(app(&store), request).await;

    assert_eq!(response.status(), StatusCode::FOUND, "back to the page");
    assert_eq!(
        response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()),
        Some("/settings/tokens")
    );
    assert!(
        store
            .authenticate(&made.secret, Utc::now())
            .await
            .expect("auth")
            .is_none()
    );
});

/// Every file format through the upload form, told apart by its start,
/// and the results each holds (import_formats.rs imports the same files).
const UPLOADS: [(&str, &str, i64); 16] = [
    ("postfix/maillog", "postfix", 9),
    ("exim/mainlog", "exim", 17),
    ("mailerq/results.jsonl", "mailerq", 14),
    ("powermta/acct.csv", "powermta", 13),
    ("kumomta/log.jsonl", "kumomta", 12),
    ("sendgrid/events.ndjson", "sendgrid", 5),
    ("ses/notifications.jsonl", "ses", 6),
    ("postmark/webhooks.jsonl", "postmark", 4),
    ("mailgun/events.jsonl", "mailgun", 13),
    ("sparkpost/batches.jsonl", "sparkpost", 9),
    ("mandrill/events.form", "mandrill", 10),
    ("brevo/events.jsonl", "brevo", 11),
    ("mailjet/events.jsonl", "mailjet", 10),
    ("csv/bounces.csv", "csv", 4),
    ("mailbox/bounces.mbox", "mbox", 5),
    ("mailbox/m365-introuvable.eml", "eml", 1),
];

store_test!(every_file_format_imports_from_the_upload_page, |store| {
    let id = campaign(&store).await;

    for (path, format, stored) in UPLOADS {
        let bytes = fixture(path);
        // Unique per file (several fixtures are `events.jsonl`): the run is
        // found by it.
        let name = path.replace('/', "-");
        let name = name.as_str();
        let (status, _, body) = upload(&store, &[("campaign", &id.to_string())], (name, &bytes)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{path}: {body}");
        let mut run = None;
        for _ in 0..200 {
            let runs = store
                .import_runs(1, Utc::now() - chrono::Duration::minutes(5))
                .await
                .expect("runs");
            run = runs
                .into_iter()
                .next()
                .filter(|r| r.name == name && r.state != bounce::intake::ImportState::Running);
            if run.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let run = run.expect("the import ends");

        assert_eq!(run.state, bounce::intake::ImportState::Done, "{path}: {:?}", run.error);
        assert_eq!(run.format, format, "{path}: told apart by its start");
        assert_eq!(run.stored, stored, "{path}");
    }
});

store_test!(an_oversized_form_field_is_refused_without_being_held, |store| {
    let huge = "x".repeat(1 << 20);

    let (status, _, why) = upload(&store, &[("format", &huge)], ("x.csv", b"email\n")).await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(why.contains("format: longer than"), "{why}");
});
