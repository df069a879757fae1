//! The HTTP API for machines: selections counted and exported from the same
//! JSON definitions as the CLI and the selection builder.

use axum::Extension;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bounce::account::{AuditAction, Caller};
use bounce::export::ExportFormat;
use bounce::selection::{Definition, MAX_DEFINITION_BYTES};
use chrono::Utc;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use store::Store;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ServerError;
use crate::openapi::ApiError;
use crate::router::AppState;

/// `/api/v1/...` routes of selections and suppressions, with their
/// OpenAPI descriptions.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(count))
        .routes(routes!(export))
        .routes(routes!(export_saved))
        .routes(routes!(export_suppressions))
        // A definition is a few hundred bytes; refuse floods before reading them.
        .layer(DefaultBodyLimit::max(MAX_DEFINITION_BYTES))
}

/// How many contacts a selection picks.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Count {
    pub count: i64,
}

fn definition(body: &Bytes) -> Result<Definition, ServerError> {
    let text = std::str::from_utf8(body).map_err(|_| bounce::ParseError::at("definition", "", "is not UTF-8 text"))?;
    Ok(Definition::parse(text)?)
}

/// Counts the contacts a selection definition picks.
#[utoipa::path(
    post,
    path = "/api/v1/selections/count",
    tag = "selections",
    request_body(content = String, content_type = "application/json",
        description = "A selection definition (docs/selections.md)"),
    responses(
        (status = 200, body = Count),
        (status = 400, description = "The definition is not valid; `field` names where", body = ApiError),
    )
)]
async fn count(State(store): State<Store>, body: Bytes) -> Result<Json<Count>, ServerError> {
    let def = definition(&body)?;
    let count = store.count_selection(&def, Utc::now()).await?;
    Ok(Json(Count { count }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ExportParams {
    /// `csv` (the default) or `jsonl`.
    #[serde(default)]
    format: String,
    /// The CSV delimiter: `,` (the default), `;` or `tab`.
    #[serde(default)]
    delimiter: String,
}

/// Exports the contacts a selection definition picks, with their return
/// reasons, streamed (a million rows at flat memory).
#[utoipa::path(
    post,
    path = "/api/v1/selections/export",
    tag = "selections",
    params(ExportParams),
    request_body(content = String, content_type = "application/json",
        description = "A selection definition (docs/selections.md)"),
    responses(
        (status = 200, description = "The file", content_type = "text/csv"),
        (status = 400, description = "The definition or a parameter is not valid", body = ApiError),
    )
)]
async fn export(
    State(store): State<Store>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ExportParams>,
    body: Bytes,
) -> Result<Response, ServerError> {
    let def = definition(&body)?;
    crate::auth::record(
        &store,
        &caller,
        AuditAction::Export,
        "a selection definition's contacts",
    )
    .await?;
    stream_export(store, def, &params).await
}

/// A saved selection's export, for download links.
#[utoipa::path(
    get,
    path = "/api/v1/selections/{id}/export",
    tag = "selections",
    params(("id" = i64, Path, description = "The saved selection"), ExportParams),
    responses(
        (status = 200, description = "The file", content_type = "text/csv"),
        (status = 404, description = "No such selection", body = ApiError),
    )
)]
async fn export_saved(
    State(store): State<Store>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(params): Query<ExportParams>,
) -> Result<Response, ServerError> {
    let not_found = || ServerError::not_found("selection", &id);
    let id: i64 = id.trim().parse().map_err(|_| not_found())?;
    let saved = store.saved_selection(id).await?.ok_or_else(not_found)?;
    let def = Definition::parse(&saved.definition)?;
    let detail = format!("selection {id} ({})", saved.name);
    crate::auth::record(&store, &caller, AuditAction::Export, &detail).await?;
    stream_export(store, def, &params).await
}

fn format_of(params: &ExportParams) -> Result<ExportFormat, ServerError> {
    let name = if params.format.is_empty() {
        "csv"
    } else {
        params.format.as_str()
    };
    Ok(ExportFormat::parse(name, &params.delimiter)?)
}

async fn stream_export(store: Store, def: Definition, params: &ExportParams) -> Result<Response, ServerError> {
    let format = format_of(params)?;
    // Refused definitions get their 400 before the first byte is sent.
    store.check_selection(&def).await?;
    let (tx, rx) = tokio::sync::mpsc::channel(1_024);
    tokio::spawn(async move {
        if let Err(e) = store.export_selection(&def, Utc::now(), tx).await {
            tracing::error!(error = %e, "export failed");
        }
    });
    Ok(download(
        "bounced-contacts",
        format,
        format.header(),
        rx,
        move |row, out| format.write_row(row, out),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SuppressionParams {
    /// `csv` (the default) or `jsonl`.
    #[serde(default)]
    format: String,
    /// The CSV delimiter: `,` (the default), `;` or `tab`.
    #[serde(default)]
    delimiter: String,
    /// Part of an address.
    #[serde(default)]
    q: String,
    /// Only blocks by this rule.
    #[serde(default)]
    rule: String,
    /// Only blocks from this source.
    #[serde(default)]
    source: String,
}

/// The suppression list as filtered on its page, streamed.
#[utoipa::path(
    get,
    path = "/api/v1/suppressions/export",
    tag = "suppressions",
    params(SuppressionParams),
    responses(
        (status = 200, description = "The file", content_type = "text/csv"),
        (status = 400, description = "A parameter is not valid", body = ApiError),
    )
)]
async fn export_suppressions(
    State(store): State<Store>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<SuppressionParams>,
) -> Result<Response, ServerError> {
    use bounce::export::{SUPPRESSION_COLUMNS, suppression_cells};

    let format = format_of(&ExportParams {
        format: params.format.clone(),
        delimiter: params.delimiter.clone(),
    })?;
    let set = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let query = store::SuppressionQuery {
        search: set(&params.q).map(|q| bounce::parse_search("q", q, 254)).transpose()?,
        rule: set(&params.rule),
        source: set(&params.source),
        limit: 0,
        offset: 0,
    };
    crate::auth::record(&store, &caller, AuditAction::Export, "the suppression list").await?;
    let (tx, rx) = tokio::sync::mpsc::channel(1_024);
    tokio::spawn(async move {
        if let Err(e) = store.export_suppressions(&query, tx).await {
            tracing::error!(error = %e, "export failed");
        }
    });
    Ok(download(
        "suppression-list",
        format,
        format.header_for(&SUPPRESSION_COLUMNS),
        rx,
        move |row, out| format.write_cells(&SUPPRESSION_COLUMNS, suppression_cells(row), out),
    ))
}

/// A file download streamed from rows arriving on `rx`: the header, then
/// the rows gathered into chunks of about 64 KiB (one write per row would
/// cost a syscall and a frame each). A failed row breaks the stream, so the
/// client sees an error rather than a silently short file.
fn download<T: Send + 'static>(
    name: &str,
    format: ExportFormat,
    header: Vec<u8>,
    rx: tokio::sync::mpsc::Receiver<Result<T, store::StoreError>>,
    write: impl Fn(&T, &mut Vec<u8>) + Send + Sync + Copy + 'static,
) -> Response {
    // Fused: the compression layer polls once more after the end, which an
    // unfused `unfold` answers with a panic.
    let stream = futures_util::stream::unfold((rx, Some(header)), move |(mut rx, header)| async move {
        if let Some(header) = header {
            return Some((Ok::<_, std::io::Error>(Bytes::from(header)), (rx, None)));
        }
        let mut chunk = Vec::with_capacity(64 * 1024);
        let mut next = Some(rx.recv().await?);
        while let Some(row) = next.take() {
            match row {
                Ok(row) => write(&row, &mut chunk),
                Err(e) => return Some((Err(std::io::Error::other(e.to_string())), (rx, None))),
            }
            if chunk.len() < 64 * 1024 {
                next = rx.try_recv().ok();
            }
        }
        Some((Ok(Bytes::from(chunk)), (rx, None)))
    })
    .fuse();
    let filename = format!("{name}-{}.{}", Utc::now().format("%Y%m%d"), format.extension());
    (
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}
