//! Webhook signatures: the ESPs that sign their webhooks prove each POST
//! came from them, with a key the operator copies from the ESP's settings
//! into bouncedesk (`bouncedesk webhook-key FORMAT KEY`). When a format has
//! a key, an unsigned or wrongly signed POST is refused; the API token is
//! asked for either way.
//!
//! | ESP | scheme (its documentation) |
//! |---|---|
//! | Mailgun | hex HMAC-SHA256 of `timestamp` + `token` with the HTTP webhook signing key ("Securing webhooks") |
//! | Mandrill | base64 HMAC-SHA1 of the webhook URL + each POST field's name and value, names sorted, with the webhook key, in `X-Mandrill-Signature` ("Authenticating webhook requests") |
//! | SendGrid | ECDSA P-256 / SHA-256 over `X-Twilio-Email-Event-Webhook-Timestamp` + the raw body, base64 DER in `X-Twilio-Email-Event-Webhook-Signature`, checked with the verification key SendGrid shows ("Getting started with the Event Webhook security features") |
//!
//! Postmark and SparkPost do not sign; they send HTTP basic credentials,
//! where the API token goes. Amazon SNS signs with a certificate at an AWS
//! address: see `super::sns`.

use base64::Engine;
use hmac::{KeyInit, Mac};

/// Why a signature was refused.
pub type Refusal = String;

/// Mailgun: `signature` must be the hex HMAC-SHA256 of `timestamp` +
/// `token`.
pub fn mailgun(key: &str, timestamp: &str, token: &str, signature: &str) -> Result<(), Refusal> {
    let expected = hex::decode(signature.trim()).map_err(|_| "the Mailgun signature is not hex".to_owned())?;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes())
        .map_err(|_| "the Mailgun signing key cannot be used".to_owned())?;
    mac.update(timestamp.as_bytes());
    mac.update(token.as_bytes());
    mac.verify_slice(&expected)
        .map_err(|_| "the Mailgun signature does not match the signing key".to_owned())
}

/// Mandrill: `signature` must be the base64 HMAC-SHA1 of `signed` (the URL
/// and the sorted fields, see `mandrill::signature_base`).
pub fn mandrill(key: &str, signed: &str, signature: &str) -> Result<(), Refusal> {
    let expected = base64::engine::general_purpose::STANDARD
        .decode(signature.trim())
        .map_err(|_| "the X-Mandrill-Signature header is not base64".to_owned())?;
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(key.as_bytes())
        .map_err(|_| "the Mandrill webhook key cannot be used".to_owned())?;
    mac.update(signed.as_bytes());
    mac.verify_slice(&expected)
        .map_err(|_| "the X-Mandrill-Signature header does not match the webhook key".to_owned())
}

/// SendGrid: `signature` (base64 DER) must be an ECDSA P-256 signature of
/// `timestamp` + `body` by the key whose base64 DER (SubjectPublicKeyInfo)
/// is `public_key`.
pub fn sendgrid(public_key: &str, timestamp: &str, body: &[u8], signature: &str) -> Result<(), Refusal> {
    use p256::ecdsa::signature::Verifier;
    use p256::pkcs8::DecodePublicKey;

    let b64 = base64::engine::general_purpose::STANDARD;
    let der = b64
        .decode(public_key.trim())
        .map_err(|_| "the SendGrid verification key is not base64".to_owned())?;
    let key = p256::ecdsa::VerifyingKey::from_public_key_der(&der)
        .map_err(|_| "the SendGrid verification key is not a P-256 public key".to_owned())?;
    let signature = b64
        .decode(signature.trim())
        .ok()
        .and_then(|bytes| p256::ecdsa::Signature::from_der(&bytes).ok())
        .ok_or_else(|| "the SendGrid signature header is not a base64 DER signature".to_owned())?;
    let mut signed = Vec::with_capacity(timestamp.len() + body.len());
    signed.extend_from_slice(timestamp.as_bytes());
    signed.extend_from_slice(body);
    key.verify(&signed, &signature)
        .map_err(|_| "the SendGrid signature does not match the verification key".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mailgun_signature_is_checked_against_the_key() {
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"key-3ax6xnjp29jd6fds4gc373sgvjxteol0").expect("key");
        mac.update(b"1764496801");
        mac.update(b"a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0");
        let good = hex::encode(mac.finalize().into_bytes());

        let ok = mailgun(
            "key-3ax6xnjp29jd6fds4gc373sgvjxteol0",
            "1764496801",
            "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0",
            &good,
        );
        let replayed_later = mailgun(
            "key-3ax6xnjp29jd6fds4gc373sgvjxteol0",
            "1764496802",
            "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0",
            &good,
        );

        assert!(ok.is_ok());
        assert!(replayed_later.is_err());
        assert!(mailgun("k", "1", "t", "not hex").is_err_and(|e| e.contains("hex")));
    }

    #[test]
    fn a_mandrill_signature_is_checked_against_the_key() {
        let signed = "https://bounces.example.nl/api/v1/webhooks/mandrillmandrill_events[]";
        let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(b"Ad9bFCx4-Zk1Ri9E").expect("key");
        mac.update(signed.as_bytes());
        let good = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());

        assert!(mandrill("Ad9bFCx4-Zk1Ri9E", signed, &good).is_ok());
        assert!(mandrill("another key", signed, &good).is_err());
        assert!(mandrill("Ad9bFCx4-Zk1Ri9E", signed, "%%%").is_err_and(|e| e.contains("base64")));
    }

    #[test]
    fn a_sendgrid_signature_is_checked_with_the_verification_key() {
        use p256::ecdsa::signature::Signer;
        use p256::pkcs8::EncodePublicKey;

        let b64 = base64::engine::general_purpose::STANDARD;
        let signing = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).expect("a valid scalar");
        let public = b64.encode(
            p256::PublicKey::from(signing.verifying_key())
                .to_public_key_der()
                .expect("der")
                .as_bytes(),
        );
        let body = br#"[{"email":"jan@ziggo.nl","event":"bounce"}]"#;
        let signature: p256::ecdsa::Signature =
            signing.sign(b"1764496801[{\"email\":\"jan@ziggo.nl\",\"event\":\"bounce\"}]");
        let signature = b64.encode(signature.to_der().as_bytes());

        assert!(sendgrid(&public, "1764496801", body, &signature).is_ok());
        assert!(
            sendgrid(&public, "1764496802", body, &signature).is_err(),
            "another timestamp"
        );
        assert!(
            sendgrid(&public, "1764496801", b"[]", &signature).is_err(),
            "another body"
        );
        assert!(sendgrid("bm90IGEga2V5", "1", body, &signature).is_err_and(|e| e.contains("P-256")));
    }
}
