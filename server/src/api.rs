//! The HTTP API for machines: selections counted and exported from the same
//! JSON definitions as the CLI and the selection builder.

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bounce::export::ExportFormat;
use bounce::selection::{Definition, MAX_DEFINITION_BYTES};
use chrono::Utc;
use futures_util::StreamExt;
use serde::Deserialize;
use store::Store;

use crate::ServerError;
use crate::router::AppState;

/// `/api/v1/...` routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/selections/count", post(count))
        .route("/api/v1/selections/export", post(export))
        .route("/api/v1/selections/{id}/export", get(export_saved))
        // A definition is a few hundred bytes; refuse floods before reading them.
        .layer(DefaultBodyLimit::max(MAX_DEFINITION_BYTES))
}

fn definition(body: &Bytes) -> Result<Definition, ServerError> {
    let text = std::str::from_utf8(body).map_err(|_| bounce::ParseError::at("definition", "", "is not UTF-8 text"))?;
    Ok(Definition::parse(text)?)
}

/// `POST /api/v1/selections/count` with a definition: `{"count": N}`.
async fn count(State(store): State<Store>, body: Bytes) -> Result<Json<serde_json::Value>, ServerError> {
    let def = definition(&body)?;
    let count = store.count_selection(&def, Utc::now()).await?;
    Ok(Json(serde_json::json!({ "count": count })))
}

#[derive(Debug, Deserialize)]
struct ExportParams {
    #[serde(default)]
    format: String,
    #[serde(default)]
    delimiter: String,
}

/// `POST /api/v1/selections/export?format=csv|jsonl[&delimiter=;]` with a
/// definition: the file, streamed (a million rows at flat memory).
async fn export(
    State(store): State<Store>,
    Query(params): Query<ExportParams>,
    body: Bytes,
) -> Result<Response, ServerError> {
    let def = definition(&body)?;
    stream_export(store, def, &params).await
}

/// `GET /api/v1/selections/ID/export?format=...`: a saved selection's export,
/// for download links.
async fn export_saved(
    State(store): State<Store>,
    Path(id): Path<String>,
    Query(params): Query<ExportParams>,
) -> Result<Response, ServerError> {
    let not_found = || ServerError::NotFound(format!("selection `{}`", id.chars().take(40).collect::<String>()));
    let id: i64 = id.trim().parse().map_err(|_| not_found())?;
    let saved = store.saved_selection(id).await?.ok_or_else(not_found)?;
    let def = Definition::parse(&saved.definition)?;
    stream_export(store, def, &params).await
}

async fn stream_export(store: Store, def: Definition, params: &ExportParams) -> Result<Response, ServerError> {
    let format_name = if params.format.is_empty() {
        "csv"
    } else {
        params.format.as_str()
    };
    let format = ExportFormat::parse(format_name, &params.delimiter)?;
    // Refused definitions get their 400 before the first byte is sent.
    store.check_selection(&def).await?;
    let (tx, rx) = tokio::sync::mpsc::channel(1_024);
    tokio::spawn(async move {
        if let Err(e) = store.export_selection(&def, Utc::now(), tx).await {
            tracing::error!(error = %e, "export failed");
        }
    });
    let header = format.header();
    // Fused: the compression layer polls once more after the end, which an
    // unfused `unfold` answers with a panic.
    let stream = futures_util::stream::unfold((rx, Some(header)), move |(mut rx, header)| async move {
        if let Some(header) = header {
            return Some((Ok::<_, std::io::Error>(Bytes::from(header)), (rx, None)));
        }
        // Rows are gathered into chunks of about 64 KiB: one write per row
        // would cost a syscall and a frame each.
        let mut chunk = Vec::with_capacity(64 * 1024);
        let first = rx.recv().await?;
        let mut next = Some(first);
        while let Some(row) = next.take() {
            match row {
                Ok(row) => format.write_row(&row, &mut chunk),
                // A broken stream, not a silently short file.
                Err(e) => return Some((Err(std::io::Error::other(e.to_string())), (rx, None))),
            }
            if chunk.len() < 64 * 1024 {
                next = rx.try_recv().ok();
            }
        }
        Some((Ok(Bytes::from(chunk)), (rx, None)))
    })
    .fuse();
    let filename = format!(
        "bounced-contacts-{}.{}",
        Utc::now().format("%Y%m%d"),
        format.extension()
    );
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
