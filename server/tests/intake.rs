//! Results posted over HTTP through the real router, on SQLite and
//! PostgreSQL: tokens asked for, ESP signatures checked, a bad event
//! refusing the whole body, retries storing nothing twice.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use chrono::Utc;
use hmac::{KeyInit, Mac};
use http_body_util::BodyExt;
use store::{Store, store_test};

mod common;
use common::{app, campaign, fixture};

async fn send(store: &Store, request: Request<Body>) -> (StatusCode, serde_json::Value, Option<String>) {
    let response = common::exchange(app(store), request).await;
    let status = response.status();
    let challenge = response
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or_else(|_| serde_json::json!(String::from_utf8_lossy(&bytes)));
    (status, json, challenge)
}

fn post(uri: &str, token: Option<&str>, content_type: &str, body: impl Into<Body>) -> Request<Body> {
    let mut request = Request::post(uri).header(header::CONTENT_TYPE, content_type);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    request.body(body.into()).expect("valid request")
}

async fn token(store: &Store) -> String {
    store
        .create_token("tests", store::Scope::Import, Utc::now())
        .await
        .expect("token")
        .secret
}

const EVENTS: &str = concat!(
    r#"{"recipient":"jan@ziggo.nl","time":"2026-11-30T10:00:01Z","result":"failed","id":"e1","campaign_id":1,"#,
    r#""text":"550 5.1.1 <jan@ziggo.nl>: Gebruiker onbekend","stage":"rcpt_to"}"#,
    "\n",
    r#"{"recipient":"ola@online.no","time":"2026-11-30T10:00:02Z","result":"delivered","id":"e2","campaign_id":1}"#,
    "\n"
);

store_test!(events_need_a_live_token, |store| {
    let made = store
        .create_token("tests", store::Scope::Import, Utc::now())
        .await
        .expect("token");

    let (none, body, challenge) = send(&store, post("/api/v1/events", None, "application/x-ndjson", EVENTS)).await;
    let (wrong, _, _) = send(
        &store,
        post("/api/v1/events", Some("bd_wrong"), "application/x-ndjson", EVENTS),
    )
    .await;
    store.revoke_token(made.token.id, Utc::now()).await.expect("revoke");
    let (revoked, _, _) = send(
        &store,
        post("/api/v1/events", Some(&made.secret), "application/x-ndjson", EVENTS),
    )
    .await;

    assert_eq!(none, StatusCode::UNAUTHORIZED);
    assert!(body["error"].as_str().is_some_and(|e| e.contains("token")), "{body}");
    assert!(challenge.is_some_and(|c| c.contains("Bearer")));
    assert_eq!(wrong, StatusCode::UNAUTHORIZED);
    assert_eq!(revoked, StatusCode::UNAUTHORIZED);
    assert_eq!(store.event_count(None).await.expect("count"), 0);
});

store_test!(events_are_stored_once_however_often_posted, |store| {
    let id = campaign(&store).await;
    let secret = token(&store).await;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("postmark:{secret}"));

    let (first, stored, _) = send(
        &store,
        post("/api/v1/events", Some(&secret), "application/x-ndjson", EVENTS),
    )
    .await;
    let retried = Request::post("/api/v1/events")
        .header(header::AUTHORIZATION, format!("Basic {basic}"))
        .body(Body::from(EVENTS))
        .expect("request");
    let (again, repeated, _) = send(&store, retried).await;
    let by_query = post(
        &format!("/api/v1/events?token={secret}"),
        None,
        "application/json",
        "[]",
    );
    let (query, _, _) = send(&store, by_query).await;

    assert_eq!(first, StatusCode::OK, "{stored}");
    assert_eq!(
        stored,
        serde_json::json!({"stored": 2, "duplicates": 0, "unlinked": 0, "other": 0})
    );
    assert_eq!(again, StatusCode::OK);
    assert_eq!(
        repeated["duplicates"], 2,
        "basic credentials carry the token as password"
    );
    assert_eq!(
        query,
        StatusCode::OK,
        "a token in the URL, for ESPs that take only a URL"
    );
    let summary = store.campaign_summary(id).await.expect("summary").expect("campaign");
    assert_eq!((summary.sent, summary.delivered, summary.hard), (2, 1, 1));
});

store_test!(one_bad_event_refuses_the_whole_body_naming_it, |store| {
    campaign(&store).await;
    let secret = token(&store).await;
    let body = format!(
        "{EVENTS}{}\n",
        r#"{"recipient":"piet@kpnmail.nl","time":"gisteren","result":"failed","id":"e3"}"#
    );

    let (status, answer, _) = send(
        &store,
        post("/api/v1/events", Some(&secret), "application/x-ndjson", body),
    )
    .await;
    let (unknown_campaign, missing, _) = send(
        &store,
        post(
            "/api/v1/events?campaign=999",
            Some(&secret),
            "application/x-ndjson",
            EVENTS,
        ),
    )
    .await;

    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer["error"]
            .as_str()
            .is_some_and(|e| e.contains("nothing was stored")),
        "{answer}"
    );
    assert!(
        answer["rejected"][0]
            .as_str()
            .is_some_and(|e| e.contains("line 3") && e.contains("`time`")),
        "{answer}"
    );
    assert_eq!(unknown_campaign, StatusCode::NOT_FOUND, "{missing}");
    assert_eq!(store.event_count(None).await.expect("count"), 0, "nothing half-stored");
});

store_test!(esp_webhook_bodies_are_read_as_the_esp_posts_them, |store| {
    campaign(&store).await;
    let secret = token(&store).await;
    let sendgrid = fixture("sendgrid/events.ndjson");
    let first_line = sendgrid.split(|b| *b == b'\n').next().expect("a line").to_vec();
    let mandrill = fixture("mandrill/events.form");
    let form = mandrill.split(|b| *b == b'\n').next().expect("a line").to_vec();

    let (sg, sg_body, _) = send(
        &store,
        post(
            "/api/v1/webhooks/sendgrid",
            Some(&secret),
            "application/json",
            first_line,
        ),
    )
    .await;
    let (md, md_body, _) = send(
        &store,
        post(
            "/api/v1/webhooks/mandrill",
            Some(&secret),
            "application/x-www-form-urlencoded",
            form,
        ),
    )
    .await;
    let (unknown, _, _) = send(
        &store,
        post("/api/v1/webhooks/hotmail", Some(&secret), "application/json", "{}"),
    )
    .await;
    let (garbage, bad, _) = send(
        &store,
        post("/api/v1/webhooks/mailgun", Some(&secret), "application/json", "{nope"),
    )
    .await;

    assert_eq!(sg, StatusCode::OK, "{sg_body}");
    assert!(sg_body["stored"].as_u64().is_some_and(|n| n > 0), "{sg_body}");
    assert_eq!(md, StatusCode::OK, "{md_body}");
    assert!(md_body["stored"].as_u64().is_some_and(|n| n > 0), "{md_body}");
    assert_eq!(unknown, StatusCode::NOT_FOUND);
    assert_eq!(garbage, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad["rejected"][0].as_str().is_some_and(|e| e.contains("JSON")), "{bad}");
});

store_test!(a_signed_esp_must_sign_with_the_stored_key, |store| {
    campaign(&store).await;
    let secret = token(&store).await;
    let key = "key-7d1c9f0b3e5a2c4d6f8e0a1b3c5d7e9f";
    store
        .set_setting(&store::webhook_key_setting("mailgun"), Some(key))
        .await
        .expect("key");
    let event = |signature: &str| {
        format!(
            r#"{{"signature":{{"timestamp":"1796032801","token":"c0ffee5a1e","signature":"{signature}"}},
            "event-data":{{"event":"failed","severity":"permanent","recipient":"jan@ziggo.nl","timestamp":1796032801.5,
            "id":"Qx1","delivery-status":{{"code":550,"message":"5.1.1 Gebruiker onbekend"}},
            "user-variables":{{"campaign_id":"1"}}}}}}"#
        )
        .replace('\n', "")
    };
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).expect("key");
    mac.update(b"1796032801c0ffee5a1e");
    let good = hex::encode(mac.finalize().into_bytes());

    let (forged, why, _) = send(
        &store,
        post(
            "/api/v1/webhooks/mailgun",
            Some(&secret),
            "application/json",
            event(&"0".repeat(64)),
        ),
    )
    .await;
    let (signed, stored, _) = send(
        &store,
        post(
            "/api/v1/webhooks/mailgun",
            Some(&secret),
            "application/json",
            event(&good),
        ),
    )
    .await;

    assert_eq!(forged, StatusCode::UNAUTHORIZED);
    assert!(why["error"].as_str().is_some_and(|e| e.contains("signature")), "{why}");
    assert_eq!(signed, StatusCode::OK, "{stored}");
    assert_eq!(stored["stored"], 1);
});

store_test!(a_body_past_the_limit_is_refused_with_a_json_error, |store| {
    let secret = token(&store).await;
    let huge = vec![b' '; server::intake::MAX_BODY + 1];

    let (status, body, _) = send(&store, post("/api/v1/events", Some(&secret), "application/json", huge)).await;

    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body["error"].is_string(), "{body}");
});

/// Every ESP's fixture, posted one body at a time as the ESP would (JSON,
/// or form fields for Mandrill and Mailgun's legacy webhooks), and the
/// results it holds (the same as importing the file: import_formats.rs).
const WEBHOOK_FIXTURES: [(&str, &str, u64); 9] = [
    ("ses", "ses/notifications.jsonl", 6),
    ("postmark", "postmark/webhooks.jsonl", 4),
    ("sendgrid", "sendgrid/events.ndjson", 5),
    ("mailgun", "mailgun/events.jsonl", 13),
    ("sparkpost", "sparkpost/batches.jsonl", 9),
    ("mandrill", "mandrill/events.form", 10),
    ("brevo", "brevo/events.jsonl", 11),
    ("mailjet", "mailjet/events.jsonl", 10),
    // Posted again: nothing new.
    ("sendgrid", "sendgrid/events.ndjson", 0),
];

store_test!(every_esp_webhook_is_taken_as_posted_and_stored_once, |store| {
    campaign(&store).await;
    let secret = token(&store).await;

    for (format, path, results) in WEBHOOK_FIXTURES {
        let mut stored = 0;
        for body in String::from_utf8(fixture(path))
            .expect("text")
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            let content_type = if body.starts_with(['{', '[']) {
                "application/json"
            } else {
                "application/x-www-form-urlencoded"
            };
            let uri = format!("/api/v1/webhooks/{format}");
            let (status, answer, _) = send(&store, post(&uri, Some(&secret), content_type, body.to_owned())).await;
            assert_eq!(status, StatusCode::OK, "{path}: {answer}");
            stored += answer["stored"].as_u64().expect("a count");
        }

        assert_eq!(stored, results, "{format}: {path}");
    }
});
