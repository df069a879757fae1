//! `bouncedesk select`: count or export the contacts a selection definition
//! picks, from a file or standard input.

use std::io::{Read, Write};
use std::path::PathBuf;

use bounce::export::ExportFormat;
use bounce::selection::{Definition, MAX_DEFINITION_BYTES};
use chrono::Utc;
use clap::Args;
use store::Store;

use crate::ServerError;
use crate::cli::DatabaseArg;

#[derive(Debug, Args)]
pub struct SelectArgs {
    /// The definition (JSON, see docs/selections.md): a file, or `-` for standard input.
    #[arg(long, value_name = "FILE|-")]
    pub definition: PathBuf,
    /// Print how many contacts match.
    #[arg(long, conflicts_with = "export", required_unless_present = "export")]
    pub count: bool,
    /// Write every matching contact with its latest failure.
    #[arg(long, value_name = "csv|jsonl")]
    pub export: Option<String>,
    /// CSV field separator: `,` or `;` (Excel in the Netherlands, Norway, Germany, France).
    #[arg(long, default_value = ",", requires = "export")]
    pub delimiter: String,
    /// Where to write the export (standard output when absent).
    #[arg(long, requires = "export")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub database: DatabaseArg,
}

/// Reads a definition of at most [`MAX_DEFINITION_BYTES`] from a file or `-`.
fn read_definition(path: &PathBuf) -> Result<Definition, ServerError> {
    let mut text = String::new();
    let limit = MAX_DEFINITION_BYTES as u64 + 1;
    let read = if path.as_os_str() == "-" {
        std::io::stdin().take(limit).read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(limit).read_to_string(&mut text))
    };
    read.map_err(|e| ServerError::Input(format!("{}: {e}", path.display())))?;
    Ok(Definition::parse(&text)?)
}

/// Runs the command.
pub async fn run(args: SelectArgs) -> Result<(), ServerError> {
    let definition = read_definition(&args.definition)?;
    let format = args
        .export
        .as_deref()
        .map(|f| ExportFormat::parse(f, &args.delimiter))
        .transpose()?;
    let store = Store::connect(&args.database.database_url).await?;
    let now = Utc::now();
    let Some(format) = format else {
        println!("{}", store.count_selection(&definition, now).await?);
        return Ok(());
    };
    let out: Box<dyn Write + Send> = match &args.output {
        Some(path) => {
            Box::new(std::fs::File::create(path).map_err(|e| ServerError::Output(format!("{}: {e}", path.display())))?)
        }
        None => Box::new(std::io::stdout()),
    };
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, out);
    let written = export(&store, &definition, format, now, &mut out).await?;
    out.flush().map_err(|e| ServerError::Output(e.to_string()))?;
    let detail = format!("{written} contacts of a selection definition (command line)");
    crate::admin::audit_cli(&store, bounce::account::AuditAction::Export, &detail).await?;
    eprintln!("{written} contacts exported");
    Ok(())
}

/// Streams an export into `out`: the store produces rows into a bounded
/// channel while this side formats and writes them, so memory stays flat.
pub async fn export(
    store: &Store,
    definition: &Definition,
    format: ExportFormat,
    now: chrono::DateTime<Utc>,
    out: &mut impl Write,
) -> Result<u64, ServerError> {
    store.check_selection(definition).await?;
    let (tx, mut rx) = tokio::sync::mpsc::channel(1_024);
    let producer = {
        let (store, definition) = (store.clone(), definition.clone());
        tokio::spawn(async move { store.export_selection(&definition, now, tx).await })
    };
    let write =
        |out: &mut dyn Write, bytes: &[u8]| out.write_all(bytes).map_err(|e| ServerError::Output(e.to_string()));
    write(out, &format.header())?;
    let mut line = Vec::with_capacity(1_024);
    while let Some(row) = rx.recv().await {
        line.clear();
        format.write_row(&row?, &mut line);
        write(out, &line)?;
    }
    let written = producer.await.map_err(|e| ServerError::Output(e.to_string()))??;
    Ok(written)
}
