//! Amazon SNS signing certificates, fetched from the address a message
//! names once `import::sns::certificate_url_allowed` has passed it, and
//! kept in the settings table under `sns_cert:URL` so that later messages,
//! restarts and the other servers on the database do not fetch it again.
//! A server without a way out to AWS can be given the certificate
//! beforehand (`bouncedesk webhook-key ses ARN --cert-url URL --cert-file
//! FILE`), which fills the same row.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use rustls::pki_types::ServerName;
use store::Store;

use crate::error::ServerError;
use crate::import::sns;

/// The settings key a certificate is kept under.
pub fn setting(url: &str) -> String {
    format!("sns_cert:{url}")
}

/// A certificate is a couple of kilobytes, a confirmation's answer less;
/// this bounds what a hostile or broken answer can make the server hold.
const MAX_CERTIFICATE: usize = 64 * 1024;

/// How long fetching one certificate may take before the POST is refused
/// (SNS retries it).
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// The PEM certificate at `url`: the kept copy, or fetched and kept.
pub async fn certificate(store: &Store, url: &str) -> Result<String, ServerError> {
    sns::certificate_url_allowed(url).map_err(ServerError::Unauthorized)?;
    if let Some(pem) = store.setting(&setting(url)).await? {
        return Ok(pem);
    }
    let pem = get(url).await.map_err(ServerError::Unavailable)?;
    store.set_setting(&setting(url), Some(&pem)).await?;
    Ok(pem)
}

/// One HTTPS GET of an SNS address (a certificate, a subscription
/// confirmation), at most [`MAX_CERTIFICATE`] bytes of text in at most
/// [`FETCH_TIMEOUT`].
pub async fn get(url: &str) -> Result<String, String> {
    tokio::time::timeout(FETCH_TIMEOUT, fetch(url))
        .await
        .map_err(|_| format!("fetching {url} took over {} s", FETCH_TIMEOUT.as_secs()))?
}

/// One HTTPS GET, checked against the public roots.
async fn fetch(url: &str) -> Result<String, String> {
    let why = |e: &dyn std::fmt::Display| format!("fetching {url}: {e}");
    let (host, path) = url
        .strip_prefix("https://")
        .and_then(|rest| rest.split_once('/'))
        .ok_or_else(|| why(&"not an https URL"))?;
    let config = crate::mailbox::tls_config(None).map_err(|e| why(&e))?;
    let name = ServerName::try_from(host.to_owned()).map_err(|e| why(&e))?;
    let tcp = tokio::net::TcpStream::connect((host, 443)).await.map_err(|e| why(&e))?;
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| why(&e))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls))
        .await
        .map_err(|e| why(&e))?;
    tokio::spawn(connection);
    let request = axum::http::Request::get(format!("/{path}"))
        .header(axum::http::header::HOST, host)
        .body(Empty::<Bytes>::new())
        .map_err(|e| why(&e))?;
    let response = sender.send_request(request).await.map_err(|e| why(&e))?;
    if !response.status().is_success() {
        return Err(why(&format!("the server answered {}", response.status())));
    }
    let body = Limited::new(response.into_body(), MAX_CERTIFICATE)
        .collect()
        .await
        .map_err(|e| why(&e))?
        .to_bytes();
    String::from_utf8(body.to_vec()).map_err(|_| why(&"the answer is not PEM text"))
}
