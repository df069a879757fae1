//! Amazon SES notifications through SNS, signed as SNS signs them, posted
//! through the real router on SQLite and PostgreSQL: once SNS topics are
//! set for `ses`, only signed messages of those topics are stored.
//!
//! The certificate is a self-signed test certificate kept as SNS's own
//! would be after a first fetch (the same settings row `bouncedesk
//! webhook-key ses --cert-url --cert-file` fills); its private key signs
//! the messages here the way SNS's does.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use chrono::Utc;
use http_body_util::BodyExt;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use store::{Store, store_test};

mod common;
use common::{app, campaign, fixture};

const TOPIC: &str = "arn:aws:sns:eu-west-1:123456789012:ses-bounces";
const CERT_URL: &str =
    "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem";

/// An SES bounce notification, as SES publishes it to the topic.
const BOUNCE: &str = r#"{"notificationType":"Bounce","bounce":{"feedbackId":"0100018c-aa01","bounceType":"Permanent","bounceSubType":"General","bouncedRecipients":[{"emailAddress":"ingrid.berg@online.no","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 <ingrid.berg@online.no>: Mottakeradressen finnes ikke"}],"timestamp":"2026-11-30T10:00:01.000Z","reportingMTA":"dsn; a8-12.smtp-out.amazonses.com"},"mail":{"timestamp":"2026-11-30T09:59:58.000Z","source":"news@example.com","messageId":"0100018c-8e1d-cccc","destination":["ingrid.berg@online.no"],"tags":{"campaign_id":["1"]}}}"#;

/// Signs `fields` (an SNS message without its signature) as SNS does with
/// the test key, with SignatureVersion `version`.
fn signed(mut message: serde_json::Value, version: &str) -> serde_json::Value {
    let pem = String::from_utf8(fixture("sns/test-key.pem")).expect("PEM text");
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(&pem).expect("test key");
    message["SignatureVersion"] = version.into();
    message["SigningCertURL"] = CERT_URL.into();
    let envelope: server::import::sns::Envelope = serde_json::from_value({
        let mut m = message.clone();
        m["Signature"] = "".into();
        m
    })
    .expect("an SNS message");
    let text = envelope.string_to_sign().expect("string to sign");
    let signature = match version {
        "1" => rsa::pkcs1v15::SigningKey::<sha1_rsa::Sha1>::new(key)
            .sign(text.as_bytes())
            .to_vec(),
        _ => rsa::pkcs1v15::SigningKey::<rsa::sha2::Sha256>::new(key)
            .sign(text.as_bytes())
            .to_vec(),
    };
    message["Signature"] = base64::engine::general_purpose::STANDARD.encode(signature).into();
    message
}

fn notification(message_id: &str, topic: &str) -> serde_json::Value {
    serde_json::json!({
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": topic,
        "Subject": "Amazon SES Email Event Notification",
        "Message": BOUNCE,
        "Timestamp": "2026-11-30T10:00:02.000Z",
        "UnsubscribeURL": "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x",
    })
}

async fn post(store: &Store, token: &str, body: &serde_json::Value) -> (StatusCode, serde_json::Value) {
    let request = Request::post("/api/v1/webhooks/ses")
        .header(header::CONTENT_TYPE, "text/plain; charset=UTF-8")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(body.to_string()))
        .expect("valid request");
    let response = common::exchange(app(store), request).await;
    let status = response.status();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or_default())
}

async fn set_up(store: &Store) -> String {
    campaign(store).await;
    let pem = String::from_utf8(fixture("sns/test-cert.pem")).expect("PEM text");
    store
        .set_setting(&server::sns_certs::setting(CERT_URL), Some(&pem))
        .await
        .expect("certificate kept");
    store
        .set_setting(&store::webhook_key_setting("ses"), Some(TOPIC))
        .await
        .expect("topic set");
    store
        .create_token("SNS", store::Scope::Import, Utc::now())
        .await
        .expect("token")
        .secret
}

store_test!(
    signed_messages_of_the_topic_are_stored_with_either_signature_version,
    |store| {
        let token = set_up(&store).await;
        let v1 = signed(notification("a1b2c3d4-0001", TOPIC), "1");
        let v2 = signed(notification("a1b2c3d4-0002", TOPIC), "2");

        let (first, stored) = post(&store, &token, &v1).await;
        let (second, again) = post(&store, &token, &v2).await;

        assert_eq!(first, StatusCode::OK, "{stored}");
        assert_eq!(stored["stored"], 1);
        // The same bounce, delivered twice by SNS under two message ids, is
        // one event.
        assert_eq!(second, StatusCode::OK, "{again}");
        assert_eq!(again["stored"], 0);
        assert_eq!(again["duplicates"], 1);
    }
);

store_test!(
    forged_altered_or_foreign_messages_are_refused_and_nothing_is_stored,
    |store| {
        let token = set_up(&store).await;
        let mut altered = signed(notification("a1b2c3d4-0003", TOPIC), "1");
        altered["Message"] = BOUNCE.replace("ingrid.berg", "someone.else").into();
        let foreign = signed(
            notification("a1b2c3d4-0004", "arn:aws:sns:eu-west-1:999999999999:attacker"),
            "1",
        );
        let mut elsewhere = signed(notification("a1b2c3d4-0005", TOPIC), "2");
        elsewhere["SigningCertURL"] = "https://sns.eu-west-1.amazonaws.com.attacker.example/cert.pem".into();
        let mut unknown_version = signed(notification("a1b2c3d4-0006", TOPIC), "2");
        unknown_version["SignatureVersion"] = "3".into();
        let raw: serde_json::Value = serde_json::from_str(BOUNCE).expect("JSON");

        let mut refusals = Vec::new();
        for body in [&altered, &foreign, &elsewhere, &unknown_version, &raw] {
            refusals.push(post(&store, &token, body).await);
        }

        let why: Vec<String> = refusals
            .iter()
            .map(|(_, b)| b["error"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert!(
            refusals.iter().all(|(status, _)| *status == StatusCode::UNAUTHORIZED),
            "{refusals:?}"
        );
        assert!(why[0].contains("does not match"), "{why:?}");
        assert!(why[1].contains("topic"), "{why:?}");
        assert!(why[2].contains("SigningCertURL"), "{why:?}");
        assert!(why[3].contains("SignatureVersion"), "{why:?}");
        assert!(why[4].contains("not a signed Amazon SNS message"), "{why:?}");
        assert_eq!(store.event_count(None).await.expect("count"), 0);
    }
);

store_test!(
    a_signed_subscription_confirmation_is_accepted_and_stores_nothing,
    |store| {
        let token = set_up(&store).await;
        let confirmation = signed(
            serde_json::json!({
                "Type": "SubscriptionConfirmation",
                "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
                "Token": "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736",
                "TopicArn": TOPIC,
                "Message": format!("You have chosen to subscribe to the topic {TOPIC}.\nTo confirm the subscription, visit the SubscribeURL included in this message."),
                "SubscribeURL": "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:eu-west-1:123456789012:ses-bounces&Token=2336412f37",
                "Timestamp": "2026-11-30T09:00:00.000Z",
            }),
            "2",
        );

        let (status, body) = post(&store, &token, &confirmation).await;

        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["stored"], 0);
        assert_eq!(body["other"], 1);
    }
);

#[test]
fn only_sns_hosts_may_name_a_certificate() {
    use server::import::sns::certificate_url_allowed;

    assert!(certificate_url_allowed(CERT_URL).is_ok());
    assert!(certificate_url_allowed("https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-x.pem").is_ok());
    for bad in [
        "http://sns.eu-west-1.amazonaws.com/SimpleNotificationService-x.pem",
        "https://sns.eu-west-1.amazonaws.com.evil.example/x.pem",
        "https://evil.example/sns.eu-west-1.amazonaws.com/x.pem",
        "https://sns.eu-west-1.amazonaws.com:8443/x.pem",
        "https://user@sns.eu-west-1.amazonaws.com/x.pem",
        "https://sns.eu-west-1.amazonaws.com/x.txt",
        "https://s3.amazonaws.com/x.pem",
        "https://sns..amazonaws.com/x.pem",
    ] {
        assert!(certificate_url_allowed(bad).is_err(), "{bad}");
    }
}

#[test]
fn only_an_sns_confirmation_address_is_opened() {
    use server::import::sns::subscribe_url_allowed;

    assert!(
        subscribe_url_allowed(
            "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:eu-west-1:123456789012:ses-bounces&Token=2336412f37"
        )
        .is_ok()
    );
    for bad in [
        "http://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=x",
        "https://sns.eu-west-1.amazonaws.com.evil.example/?Action=ConfirmSubscription&Token=x",
        "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x",
        "https://sns.eu-west-1.amazonaws.com/x.pem",
        "https://169.254.169.254/?Action=ConfirmSubscription&Token=x",
        "https://sns.eu-west-1.amazonaws.com:8443/?Action=ConfirmSubscription&Token=x",
    ] {
        assert!(subscribe_url_allowed(bad).is_err(), "{bad}");
    }
}
