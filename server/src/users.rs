//! `bouncedesk user`: the people who may sign in, from the command line
//! (the first admin is made here; later ones on the Users page too).

use std::io::BufRead;

use base64::Engine;
use bounce::account::{AuditAction, Role};
use chrono::Utc;
use clap::{Args, Subcommand};
use store::Store;

use crate::ServerError;
use crate::admin::audit_cli;
use crate::cli::DatabaseArg;

#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(subcommand)]
    pub action: UserAction,
    #[command(flatten)]
    pub database: DatabaseArg,
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Add a person. Without --password-stdin a password is made and printed
    /// once; they can change it on their Account page.
    Add {
        /// What they sign in with.
        email: String,
        /// admin (people, tokens, policies, audit log), marketer (selections,
        /// suppressions, exports, imports) or viewer (reads only).
        #[arg(long)]
        role: Role,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List everyone, with their role.
    List,
    /// Change someone's role, or disable (ending their sessions) or enable them.
    Set {
        email: String,
        #[arg(long)]
        role: Option<Role>,
        #[arg(long, conflicts_with = "enable")]
        disable: bool,
        #[arg(long)]
        enable: bool,
    },
    /// Set a new password (ends every session of theirs).
    Password {
        email: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

/// A password for someone who will change it: 18 random bytes, 24 characters.
fn made_password() -> Result<String, ServerError> {
    let mut bytes = [0u8; 18];
    getrandom::fill(&mut bytes).map_err(|e| ServerError::Internal(format!("no randomness: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

fn password_from_stdin() -> Result<String, ServerError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| ServerError::Input(format!("standard input: {e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Runs `bouncedesk user`.
pub async fn run(args: UserArgs) -> Result<(), ServerError> {
    let store = Store::connect(&args.database.database_url).await?;
    match args.action {
        UserAction::Add {
            email,
            role,
            password_stdin,
        } => {
            let (password, show) = if password_stdin {
                (password_from_stdin()?, false)
            } else {
                (made_password()?, true)
            };
            let user = store.add_user(&email, role, &password, Utc::now()).await?;
            audit_cli(&store, AuditAction::UserAdded, &format!("{} as {role}", user.email)).await?;
            eprintln!("{} added as {role}", user.email);
            if show {
                eprintln!("their password (shown once; they can change it on their Account page):");
                println!("{password}");
            }
        }
        UserAction::List => {
            for u in store.users().await? {
                let state = u
                    .disabled_at
                    .map_or_else(String::new, |at| format!("\tdisabled {}", at.format("%Y-%m-%d")));
                println!(
                    "{}\t{}\tadded {}{state}",
                    u.email,
                    u.role,
                    u.created_at.format("%Y-%m-%d")
                );
            }
        }
        UserAction::Set {
            email,
            role,
            disable,
            enable,
        } => {
            let disabled = if disable { Some(true) } else { enable.then_some(false) };
            if role.is_none() && disabled.is_none() {
                return Err(ServerError::Usage(
                    "say what to change: --role, --disable or --enable".into(),
                ));
            }
            if !store.change_user(&email, role, disabled, Utc::now()).await? {
                return Err(ServerError::Usage(format!("there is no account `{email}`")));
            }
            let what = [
                role.map(|r| format!("role {r}")),
                disabled.map(|d| if d { "disabled" } else { "enabled" }.to_owned()),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
            audit_cli(&store, AuditAction::UserChanged, &format!("{email}: {what}")).await?;
            eprintln!("{email}: {what}");
        }
        UserAction::Password { email, password_stdin } => {
            let user = store
                .user(&email)
                .await?
                .ok_or_else(|| ServerError::Usage(format!("there is no account `{email}`")))?;
            let (password, show) = if password_stdin {
                (password_from_stdin()?, false)
            } else {
                (made_password()?, true)
            };
            store.set_password(user.id, &password).await?;
            audit_cli(&store, AuditAction::PasswordChanged, &user.email).await?;
            eprintln!("{}: password set; their sessions have ended", user.email);
            if show {
                println!("{password}");
            }
        }
    }
    Ok(())
}

/// On a database nobody can sign in to yet, makes a demo admin and says how
/// to sign in (`make run` on a fresh machine). Returns the password made.
pub async fn ensure_demo_login(store: &Store) -> Result<Option<(String, String)>, ServerError> {
    if store.user_count().await? > 0 {
        return Ok(None);
    }
    const DEMO: &str = "demo@bouncedesk.example";
    let password = made_password()?;
    store.add_user(DEMO, Role::Admin, &password, Utc::now()).await?;
    audit_cli(store, AuditAction::UserAdded, &format!("{DEMO} as admin (demo login)")).await?;
    Ok(Some((DEMO.to_owned(), password)))
}
