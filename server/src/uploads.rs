//! The upload page's route: `POST /imports/upload` with a file a marketer got from
//! their MTA or ESP (a plain HTML form, so it works without JavaScript and
//! the browser shows the upload's own progress). The file is streamed to
//! a temporary file, then imported in the background through the same
//! path as `bouncedesk import`; the Imports page shows its progress from
//! the import's row and refreshes itself while it runs.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use chrono::{Datelike, Utc};
use std::io::Write;
use store::Store;

use crate::ServerError;
use crate::error::short;
use crate::import::{self, Format, ImportReport, Options};
use crate::router::AppState;
use axum::Extension;
use bounce::account::{AuditAction, Caller};

/// The largest file taken: a month of a busy MTA's log.
pub const MAX_UPLOAD: usize = 2 << 30;

/// The upload route, with its own body limit.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/imports/upload", post(upload))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD))
}

/// What the form sent besides the file.
#[derive(Default)]
struct Form {
    format: Option<Format>,
    campaign: Option<i64>,
    file: Option<(String, tempfile::TempPath)>,
}

async fn upload(
    State(store): State<Store>,
    Extension(caller): Extension<Caller>,
    mut multipart: Multipart,
) -> Result<Response, ServerError> {
    let bad = |why: String| ServerError::Usage(why);
    let mut form = Form::default();
    while let Some(mut field) = multipart.next_field().await.map_err(|e| bad(e.body_text()))? {
        match field.name().unwrap_or_default() {
            "format" => {
                let text = small_field(&mut field, "format").await?;
                let format = Format::from_name(text.trim())
                    .ok_or_else(|| bad(format!("format: `{}` is not a format bouncedesk reads", short(&text))))?;
                form.format = Some(format);
            }
            "campaign" => {
                let text = small_field(&mut field, "campaign").await?;
                form.campaign = match text.trim() {
                    "" => None,
                    id => Some(
                        id.parse()
                            .map_err(|_| bad(format!("campaign: `{}` is not an id", short(id))))?,
                    ),
                };
            }
            "file" => {
                let name = field
                    .file_name()
                    .map(|n| n.chars().take(200).collect::<String>())
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| "upload".to_owned());
                let temp = tempfile::NamedTempFile::new().map_err(|e| ServerError::Output(e.to_string()))?;
                let (mut file, path) = temp.into_parts();
                // The start of the file, to refuse what cannot be an import
                // before anything is started.
                let mut head = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|e| bad(e.body_text()))? {
                    if head.len() < HEAD {
                        head.extend_from_slice(&chunk[..chunk.len().min(HEAD - head.len())]);
                    }
                    file.write_all(&chunk).map_err(|e| ServerError::Output(e.to_string()))?;
                }
                file.flush().map_err(|e| ServerError::Output(e.to_string()))?;
                check_head(&name, &head)?;
                form.file = Some((name, path));
            }
            _ => {}
        }
    }
    let (name, path) = form.file.ok_or_else(|| bad("file: choose a file to import".into()))?;
    import::check_campaign(&store, form.campaign, |id| {
        ServerError::not_found("campaign", &id.to_string())
    })
    .await?;
    let opts = Options {
        format: form.format.unwrap_or(Format::Auto),
        campaign: form.campaign,
        year: Utc::now().year(),
        columns: Vec::new(),
    };
    let campaign = form
        .campaign
        .map_or_else(String::new, |c| format!(" into campaign {c}"));
    let detail = format!("{name} ({}){campaign}", opts.format.name());
    crate::auth::record(&store, &caller, AuditAction::Import, &detail).await?;
    tokio::spawn(async move {
        let mut report = ImportReport::default();
        // The import's row records a failure; the log keeps it too.
        if let Err(e) = import::import_path(&store, &path, &name, &opts, &mut report).await {
            tracing::warn!(file = %name, error = %e, "upload import failed");
        }
        drop(path);
    });
    Ok(Redirect::to("/imports").into_response())
}

/// How much of an upload's start is looked at before it is taken.
const HEAD: usize = 64 * 1024;

/// Refuses an upload that cannot be anything bouncedesk imports: an empty
/// file, or a binary one (a NUL byte in its start: logs, CSV, JSON and mail
/// are text; a spreadsheet or an archive is not).
fn check_head(name: &str, head: &[u8]) -> Result<(), ServerError> {
    if head.iter().all(u8::is_ascii_whitespace) {
        return Err(ServerError::Usage(format!("file: `{}` is empty", short(name))));
    }
    if head.contains(&0) {
        return Err(ServerError::Usage(format!(
            "file: `{}` is binary, not a log, CSV, JSON or mail file (save a spreadsheet as CSV first)",
            short(name)
        )));
    }
    Ok(())
}

/// The longest value a form field other than the file may have.
const FIELD_MAX: usize = 256;

/// A short form field's text, read in chunks and refused past
/// [`FIELD_MAX`] (`Field::text` would hold any size in memory).
async fn small_field(field: &mut axum::extract::multipart::Field<'_>, name: &str) -> Result<String, ServerError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| ServerError::Usage(format!("{name}: {}", e.body_text())))?
    {
        if bytes.len() + chunk.len() > FIELD_MAX {
            return Err(ServerError::Usage(format!("{name}: longer than {FIELD_MAX} bytes")));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| ServerError::Usage(format!("{name}: not UTF-8 text")))
}
