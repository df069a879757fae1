//! Results posted over HTTP: `POST /api/v1/events` in bouncedesk's own
//! shape and `POST /api/v1/webhooks/{format}` as each ESP posts them. Both
//! ask for an API token and go through the importers' parsers and the one
//! ingest path; a webhook whose ESP signs its POSTs is also checked
//! against the key stored for it.
//!
//! A body is read whole (up to [`MAX_BODY`]) and every event in it parsed
//! before anything is stored: one unreadable event refuses the request
//! with 422, naming it, and nothing of it is stored. Stored events are one
//! transaction; a retried POST stores nothing twice.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, Query, State};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use base64::Engine;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use store::{ApiToken, Store};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ServerError;
use crate::import::{self, Format, ImportReport, Item, signature};
use crate::openapi::ApiError;
use crate::router::AppState;

/// The largest body taken: an ESP batch is at most a few megabytes
/// (SendGrid posts up to a few thousand events at once).
pub const MAX_BODY: usize = 10 << 20;

/// The ESPs whose webhooks are taken, by their `--format` names.
pub const WEBHOOK_FORMATS: [Format; 8] = [
    Format::Ses,
    Format::Sendgrid,
    Format::Postmark,
    Format::Mailgun,
    Format::Sparkpost,
    Format::Mandrill,
    Format::Brevo,
    Format::Mailjet,
];

/// The routes, with their body limit and OpenAPI descriptions.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(post_events))
        .routes(routes!(post_webhook))
        .layer(DefaultBodyLimit::max(MAX_BODY))
}

/// The token a request presents: `Authorization: Bearer TOKEN`, HTTP basic
/// credentials with the token as password (what Postmark, SparkPost and
/// SNS can send), or `?token=TOKEN` for an ESP that takes only a URL.
#[derive(Debug)]
pub struct Authorized(pub ApiToken);

impl FromRequestParts<AppState> for Authorized {
    type Rejection = ServerError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let presented = presented_token(&parts.headers, &parts.uri).ok_or_else(|| {
            ServerError::Unauthorized(
                "an API token is needed: `Authorization: Bearer TOKEN` (make one with `bouncedesk token create`)"
                    .into(),
            )
        })?;
        match state.store.authenticate(&presented, Utc::now()).await? {
            // A read token (a reporting script's) cannot post results.
            Some(token) if token.scope != bounce::account::Scope::Import => Err(ServerError::Forbidden(format!(
                "the token `{}` may {}, not import: make an import token (`bouncedesk token create --scope import`)",
                token.name, token.scope
            ))),
            Some(token) => Ok(Authorized(token)),
            None => Err(ServerError::Unauthorized("the API token is unknown or revoked".into())),
        }
    }
}

pub(crate) fn presented_token(headers: &axum::http::HeaderMap, uri: &axum::http::Uri) -> Option<String> {
    if let Some(value) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let (scheme, rest) = value.trim().split_once(' ')?;
        return match scheme.to_ascii_lowercase().as_str() {
            "bearer" => Some(rest.trim().to_owned()),
            "basic" => {
                let decoded = base64::engine::general_purpose::STANDARD.decode(rest.trim()).ok()?;
                let pair = String::from_utf8(decoded).ok()?;
                pair.split_once(':').map(|(_, password)| password.to_owned())
            }
            _ => None,
        };
    }
    uri.query().and_then(|q| {
        q.split('&')
            .find_map(|pair| pair.strip_prefix("token="))
            .map(str::to_owned)
    })
}

/// Query parameters of both routes.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IntakeParams {
    /// Link every result to this campaign (over what the events say).
    campaign: Option<i64>,
    /// The token, for an ESP that can be given only a URL (read by
    /// [`Authorized`]; named here so that it is not refused as unknown).
    #[serde(rename = "token")]
    #[param(rename = "token")]
    _token: Option<String>,
}

/// What a POST stored.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Stored {
    /// Events stored now.
    pub stored: u64,
    /// Events stored before (a retried POST).
    pub duplicates: u64,
    /// Of those stored, the ones no campaign was found for (listed on the
    /// Unlinked results page).
    pub unlinked: u64,
    /// Events that are no delivery result (opens, clicks...), not stored.
    pub other: u64,
}

/// Stores delivery results in bouncedesk's own shape: one event, a JSON
/// array of them, or NDJSON (one per line). All or nothing.
#[utoipa::path(
    post,
    path = "/api/v1/events",
    tag = "intake",
    params(IntakeParams),
    request_body(content = Vec<crate::import::json::Event>, content_type = "application/x-ndjson",
        description = "Events, one per line, or a JSON array of them"),
    responses(
        (status = 200, body = Stored),
        (status = 401, description = "No live API token", body = ApiError),
        (status = 404, description = "The campaign named by `campaign` does not exist", body = ApiError),
        (status = 413, description = "The body is larger than 10 MiB", body = ApiError),
        (status = 422, description = "An event cannot be read: nothing was stored; `rejected` names it", body = ApiError),
    ),
    security(("token" = []), ("basic" = []))
)]
async fn post_events(
    _token: Authorized,
    State(store): State<Store>,
    Query(params): Query<IntakeParams>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Stored>, ServerError> {
    let body = body.map_err(ServerError::Body)?;
    let text = std::str::from_utf8(&body).map_err(|_| ServerError::Unprocessable {
        message: "the body is not UTF-8 text".into(),
        rejected: Vec::new(),
    })?;
    let items: Vec<Result<Item, String>> = if text.trim_start().starts_with('[') {
        import::json::parse(text)
    } else {
        text.lines()
            .enumerate()
            .flat_map(|(n, line)| {
                import::json::parse(line)
                    .into_iter()
                    .map(move |item| item.map_err(|why| format!("line {}: {why}", n + 1)))
            })
            .collect()
    };
    store_items(&store, items, params.campaign).await
}

/// Stores an ESP's webhook POST as the ESP sends it. All or nothing; a
/// retried POST stores nothing twice.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks/{format}",
    tag = "intake",
    params(
        ("format" = String, Path,
            description = "ses, sendgrid, postmark, mailgun, sparkpost, mandrill, brevo or mailjet"),
        IntakeParams,
    ),
    request_body(content = String, content_type = "application/json",
        description = "The body the ESP posts (form fields for Mandrill and Mailgun's legacy webhooks)"),
    responses(
        (status = 200, body = Stored),
        (status = 401, description = "No live API token, or the ESP's signature does not match its stored key",
            body = ApiError),
        (status = 503, description = "The SNS signing certificate could not be fetched; SNS retries", body = ApiError),
        (status = 404, description = "No such webhook format", body = ApiError),
        (status = 413, description = "The body is larger than 10 MiB", body = ApiError),
        (status = 422, description = "An event cannot be read: nothing was stored", body = ApiError),
    ),
    security(("token" = []), ("basic" = []))
)]
async fn post_webhook(
    _token: Authorized,
    State(store): State<Store>,
    Path(name): Path<String>,
    Query(params): Query<IntakeParams>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Stored>, ServerError> {
    let body = body.map_err(ServerError::Body)?;
    let format = WEBHOOK_FORMATS
        .into_iter()
        .find(|f| f.name() == name)
        .ok_or_else(|| ServerError::not_found("webhook format", &name))?;
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let signed = check_signature(&store, format, &headers, &body, content_type).await?;
    if format == Format::Ses {
        confirm_subscription(&body, signed);
    }
    let items = format.read_body(&body, content_type);
    store_items(&store, items, params.campaign).await
}

/// SNS asks an HTTPS endpoint to confirm a subscription by opening a URL.
/// Once the confirmation's signature and topic were checked (`signed`), the
/// server opens it itself, in the background (only an SNS address, see
/// `sns::subscribe_url_allowed`); an unchecked one is only logged for the
/// operator, since this server does not open addresses a stranger names.
fn confirm_subscription(body: &[u8], signed: bool) {
    let Some(envelope) = import::sns::Envelope::read(body).filter(|e| e.kind == "SubscriptionConfirmation") else {
        return;
    };
    let url = envelope.subscribe_url.unwrap_or_default();
    let shown: String = url.chars().take(500).collect();
    if !signed {
        tracing::warn!(
            subscribe_url = %shown,
            "Amazon SNS asks to confirm the subscription: open the SubscribeURL once \
             (or set its topic with `bouncedesk webhook-key ses ARN` to have it confirmed)"
        );
        return;
    }
    if let Err(why) = import::sns::subscribe_url_allowed(&url) {
        tracing::warn!(subscribe_url = %shown, "not confirming the SNS subscription: {why}");
        return;
    }
    tokio::spawn(async move {
        match crate::sns_certs::get(&url).await {
            Ok(_) => tracing::info!(topic = %envelope.topic_arn, "confirmed the Amazon SNS subscription"),
            Err(why) => tracing::warn!(topic = %envelope.topic_arn, "could not confirm the SNS subscription: {why}"),
        }
    });
}

/// The formats whose signatures are checked (by [`check_signature`]) once
/// `bouncedesk webhook-key` stores their key.
pub const SIGNED_FORMATS: [Format; 4] = [Format::Mailgun, Format::Mandrill, Format::Sendgrid, Format::Ses];

/// Refuses a POST whose signature does not match the key stored for its
/// format; a format without a stored key is not checked. `true` when it
/// was checked and matched.
async fn check_signature(
    store: &Store,
    format: Format,
    headers: &HeaderMap,
    body: &[u8],
    content_type: &str,
) -> Result<bool, ServerError> {
    let Some(key) = store.setting(&store::webhook_key_setting(format.name())).await? else {
        return Ok(false);
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let checked = match format {
        Format::Mailgun => match import::mailgun::signed_fields(body, content_type) {
            Some((timestamp, token, sig)) => signature::mailgun(&key, &timestamp, &token, &sig),
            None => Err("the body has no Mailgun `signature`".into()),
        },
        Format::Mandrill => {
            // The key is stored with the URL Mandrill posts to: `URL KEY`.
            let (url, key) = key.split_once(' ').unwrap_or(("", key.as_str()));
            match import::mandrill::signature_base(url, body) {
                Some(signed) => signature::mandrill(key, &signed, header("x-mandrill-signature")),
                None => Err("the body is not Mandrill's form fields".into()),
            }
        }
        Format::Ses => return check_sns(store, &key, body).await.map(|()| true),
        Format::Sendgrid => signature::sendgrid(
            &key,
            header("x-twilio-email-event-webhook-timestamp"),
            body,
            header("x-twilio-email-event-webhook-signature"),
        ),
        _ => Ok(()),
    };
    checked.map(|()| true).map_err(ServerError::Unauthorized)
}

/// SNS: the body must be an SNS message from one of the `topics` (the
/// stored key), signed by the certificate at an SNS address it names.
async fn check_sns(store: &Store, topics: &str, body: &[u8]) -> Result<(), ServerError> {
    let envelope = import::sns::Envelope::read(body).ok_or_else(|| {
        ServerError::Unauthorized(
            "the body is not a signed Amazon SNS message (SNS topics are set for ses, so only their messages are taken)"
                .into(),
        )
    })?;
    import::sns::topic_allowed(&envelope, topics).map_err(ServerError::Unauthorized)?;
    let pem = crate::sns_certs::certificate(store, &envelope.signing_cert_url).await?;
    import::sns::verify(&envelope, &pem).map_err(ServerError::Unauthorized)
}

/// Stores every item, or (when any cannot be read) nothing.
async fn store_items(
    store: &Store,
    items: Vec<Result<Item, String>>,
    campaign: Option<i64>,
) -> Result<Json<Stored>, ServerError> {
    import::check_campaign(store, campaign, |id| {
        ServerError::not_found("campaign", &id.to_string())
    })
    .await?;
    let mut report = ImportReport::default();
    let mut results = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Ok(Item::Result(r)) => results.push(*r),
            Ok(Item::Other) => report.other += 1,
            Err(why) => report.reject(why),
        }
    }
    if report.rejected > 0 {
        return Err(ServerError::Unprocessable {
            message: format!("{} event(s) could not be read; nothing was stored", report.rejected),
            rejected: report.rejects,
        });
    }
    import::store_all(store, results, campaign, &mut report).await?;
    Ok(Json(Stored {
        stored: report.stored,
        duplicates: report.duplicates,
        unlinked: report.unlinked,
        other: report.other,
    }))
}
