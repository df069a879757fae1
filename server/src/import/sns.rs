//! Amazon SNS message signatures, as the SNS developer guide describes them
//! ("Verifying the signatures of Amazon SNS messages"):
//!
//! | step | rule |
//! |---|---|
//! | certificate | `SigningCertURL` must be HTTPS on an SNS host (`sns.REGION.amazonaws.com`, or `.amazonaws.com.cn`) and name a `.pem` file; anything else could be an attacker's certificate |
//! | string to sign | each field's name and value on their own lines, in this order: `Message`, `MessageId`, `Subject` (notifications, only when present), `SubscribeURL` (confirmations), `Timestamp`, `Token` (confirmations), `TopicArn`, `Type` |
//! | signature | base64 `Signature`: RSA PKCS #1 v1.5 with SHA1 (`SignatureVersion` 1) or SHA256 (`SignatureVersion` 2) by the certificate's key |
//! | topic | bouncedesk also requires the `TopicArn` to be one the operator named (`bouncedesk webhook-key ses ARN`): a valid signature only proves the message came from *some* SNS topic, possibly an attacker's own |
//!
//! Fetching and caching the certificate is IO and lives in `crate::sns_certs`.

use base64::Engine;
use rsa::pkcs8::DecodePublicKey;
use serde::Deserialize;

use super::signature::Refusal;

/// The fields of an SNS message that are signed or say how.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Envelope {
    #[serde(rename = "Type")]
    pub kind: String,
    pub message_id: String,
    pub topic_arn: String,
    pub message: String,
    pub timestamp: String,
    pub subject: Option<String>,
    #[serde(rename = "SubscribeURL")]
    pub subscribe_url: Option<String>,
    pub token: Option<String>,
    pub signature_version: String,
    pub signature: String,
    #[serde(rename = "SigningCertURL")]
    pub signing_cert_url: String,
}

impl Envelope {
    /// Reads the SNS envelope of a POST body; `None` when the body is not
    /// one (a raw SES notification, say).
    pub fn read(body: &[u8]) -> Option<Envelope> {
        serde_json::from_slice(body).ok()
    }

    /// The text SNS signed, built from the fields in the documented order.
    pub fn string_to_sign(&self) -> Result<String, Refusal> {
        let mut fields: Vec<(&str, &str)> = vec![("Message", &self.message), ("MessageId", &self.message_id)];
        match self.kind.as_str() {
            "Notification" => {
                if let Some(subject) = &self.subject {
                    fields.push(("Subject", subject));
                }
                fields.push(("Timestamp", &self.timestamp));
            }
            "SubscriptionConfirmation" | "UnsubscribeConfirmation" => {
                let missing = |name: &str| format!("the SNS {} has no `{name}`", self.kind);
                fields.push((
                    "SubscribeURL",
                    self.subscribe_url.as_deref().ok_or_else(|| missing("SubscribeURL"))?,
                ));
                fields.push(("Timestamp", &self.timestamp));
                fields.push(("Token", self.token.as_deref().ok_or_else(|| missing("Token"))?));
            }
            other => return Err(format!("`Type` {other:?} is not an SNS message type")),
        }
        fields.push(("TopicArn", &self.topic_arn));
        fields.push(("Type", &self.kind));
        Ok(fields
            .iter()
            .map(|(name, value)| format!("{name}\n{value}\n"))
            .collect())
    }
}

/// Whether `url` may name an SNS signing certificate: HTTPS, an SNS host
/// of AWS (no user, no port), a `.pem` path.
pub fn certificate_url_allowed(url: &str) -> Result<(), Refusal> {
    let refuse = || {
        format!(
            "`SigningCertURL` {:?} is not an Amazon SNS certificate address",
            short(url)
        )
    };
    let rest = url.strip_prefix("https://").ok_or_else(refuse)?;
    let (host, path) = rest.split_once('/').ok_or_else(refuse)?;
    let region_ok = sns_region(host).is_some();
    let path_ok = path.ends_with(".pem") && !path.contains(['?', '#', '@']) && !path.contains("..");
    if region_ok && path_ok { Ok(()) } else { Err(refuse()) }
}

/// Whether `url` may be opened to confirm a subscription: HTTPS, an SNS
/// host of AWS, and the `ConfirmSubscription` action, nothing else.
pub fn subscribe_url_allowed(url: &str) -> Result<(), Refusal> {
    let refuse = || {
        format!(
            "`SubscribeURL` {:?} is not an Amazon SNS confirmation address",
            short(url)
        )
    };
    let rest = url.strip_prefix("https://").ok_or_else(refuse)?;
    let (host, path) = rest.split_once('/').ok_or_else(refuse)?;
    sns_region(host).ok_or_else(refuse)?;
    if path.starts_with("?Action=ConfirmSubscription&") && !path.contains(['#', '@']) {
        Ok(())
    } else {
        Err(refuse())
    }
}

/// The region of an SNS host (`sns.REGION.amazonaws.com`, or `.com.cn`).
fn sns_region(host: &str) -> Option<&str> {
    host.strip_prefix("sns.")
        .and_then(|h| {
            h.strip_suffix(".amazonaws.com")
                .or_else(|| h.strip_suffix(".amazonaws.com.cn"))
        })
        .filter(|region| {
            !region.is_empty()
                && region
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// Whether the message's topic is one of `allowed` (the stored key: topic
/// ARNs separated by commas).
pub fn topic_allowed(envelope: &Envelope, allowed: &str) -> Result<(), Refusal> {
    if allowed.split(',').map(str::trim).any(|arn| arn == envelope.topic_arn) {
        Ok(())
    } else {
        Err(format!(
            "the SNS topic {:?} is not one this server accepts",
            short(&envelope.topic_arn)
        ))
    }
}

/// The RSA key of the PEM certificate `pem`.
pub fn public_key(pem: &str) -> Result<rsa::RsaPublicKey, Refusal> {
    use x509_cert::der::{DecodePem, Encode};

    let certificate = x509_cert::Certificate::from_pem(pem.as_bytes())
        .map_err(|_| "the SNS signing certificate is not a PEM X.509 certificate".to_owned())?;
    let spki = certificate
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|_| "the SNS signing certificate's key cannot be read".to_owned())?;
    rsa::RsaPublicKey::from_public_key_der(&spki)
        .map_err(|_| "the SNS signing certificate's key is not an RSA key".to_owned())
}

/// Checks `envelope`'s signature with the certificate `pem`.
pub fn verify(envelope: &Envelope, pem: &str) -> Result<(), Refusal> {
    use rsa::signature::Verifier;

    let key = public_key(pem)?;
    let signature = base64::engine::general_purpose::STANDARD
        .decode(envelope.signature.trim())
        .ok()
        .and_then(|bytes| rsa::pkcs1v15::Signature::try_from(bytes.as_slice()).ok())
        .ok_or_else(|| "the SNS `Signature` is not base64".to_owned())?;
    let signed = envelope.string_to_sign()?;
    let checked = match envelope.signature_version.as_str() {
        "1" => rsa::pkcs1v15::VerifyingKey::<sha1_rsa::Sha1>::new(key).verify(signed.as_bytes(), &signature),
        "2" => rsa::pkcs1v15::VerifyingKey::<rsa::sha2::Sha256>::new(key).verify(signed.as_bytes(), &signature),
        other => return Err(format!("SNS `SignatureVersion` {:?} is not 1 or 2", short(other))),
    };
    checked.map_err(|_| "the SNS signature does not match the signing certificate".to_owned())
}

fn short(s: &str) -> String {
    s.chars().take(200).collect()
}
