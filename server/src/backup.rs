//! `bouncedesk backup` and `bouncedesk restore`: a consistent copy of a
//! SQLite database taken while the server serves, and putting one back.

use std::path::{Path, PathBuf};

use bounce::account::AuditAction;
use clap::Args;
use store::Store;

use crate::ServerError;
use crate::cli::DatabaseArg;

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The file to write (it must not exist yet).
    pub target: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArg,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A file `bouncedesk backup` wrote.
    pub backup: PathBuf,
    /// Put it in place of an existing database (which is kept beside it as
    /// `NAME.before-restore-TIME`). Stop the server first.
    #[arg(long)]
    pub replace: bool,
    #[command(flatten)]
    pub database: DatabaseArg,
}

/// Runs `bouncedesk backup`.
pub async fn backup(args: BackupArgs) -> Result<(), ServerError> {
    let store = Store::connect(&args.database.database_url).await?;
    let started = std::time::Instant::now();
    let bytes = store.backup_to(&args.target).await?;
    store::check_backup(&args.target).await?;
    let detail = format!("{} ({bytes} bytes)", args.target.display());
    crate::admin::audit_cli(&store, AuditAction::Backup, &detail).await?;
    eprintln!(
        "backed up to {} ({:.1} MB in {:.1} s; integrity checked)",
        args.target.display(),
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The database file a `sqlite://` URL names.
fn sqlite_file(url: &str) -> Result<PathBuf, ServerError> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or(rest))
        .filter(|p| !p.is_empty() && !p.contains(":memory:"))
        .ok_or_else(|| {
            ServerError::Usage(
                "restore writes a SQLite file (--database-url sqlite://PATH); for PostgreSQL use pg_restore".into(),
            )
        })?;
    Ok(PathBuf::from(path))
}

/// Moves `path` aside to `path.before-restore-STAMP`, if it exists.
fn set_aside(path: &Path, stamp: &str) -> Result<Option<PathBuf>, ServerError> {
    if !path.exists() {
        return Ok(None);
    }
    let mut aside = path.as_os_str().to_owned();
    aside.push(format!(".before-restore-{stamp}"));
    let aside = PathBuf::from(aside);
    std::fs::rename(path, &aside).map_err(|e| ServerError::Output(format!("{}: {e}", path.display())))?;
    Ok(Some(aside))
}

/// Runs `bouncedesk restore`: checks the backup, then puts a copy of it in
/// place in one rename. An existing database (and its WAL files, which
/// belong to it and must not be replayed onto the backup) is kept aside.
pub async fn restore(args: RestoreArgs) -> Result<(), ServerError> {
    let target = sqlite_file(&args.database.database_url)?;
    store::check_backup(&args.backup).await?;
    if target.exists() && !args.replace {
        return Err(ServerError::Usage(format!(
            "{} exists: stop the server, then run again with --replace (the old file is kept beside it)",
            target.display()
        )));
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| ServerError::Output(format!("{}: {e}", dir.display())))?;
    }
    let mut incoming = target.as_os_str().to_owned();
    incoming.push(".restoring");
    let incoming = PathBuf::from(incoming);
    std::fs::copy(&args.backup, &incoming).map_err(|e| ServerError::Output(format!("{}: {e}", incoming.display())))?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S").to_string();
    let kept = set_aside(&target, &stamp)?;
    for suffix in ["-wal", "-shm"] {
        let mut side = target.as_os_str().to_owned();
        side.push(suffix);
        set_aside(Path::new(&side), &stamp)?;
    }
    std::fs::rename(&incoming, &target).map_err(|e| ServerError::Output(format!("{}: {e}", target.display())))?;
    // Migrates a backup from an older bouncedesk, and proves it opens.
    let store = Store::connect(&args.database.database_url).await?;
    let detail = format!("{} from {}", target.display(), args.backup.display());
    crate::admin::audit_cli(&store, AuditAction::Restore, &detail).await?;
    store.close().await;
    eprintln!("restored {} from {}", target.display(), args.backup.display());
    if let Some(kept) = kept {
        eprintln!("the database it replaced is kept as {}", kept.display());
    }
    Ok(())
}
