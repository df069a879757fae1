//! Setting up intake from the command line: API tokens
//! (`bouncedesk token`), webhook signing keys (`bouncedesk webhook-key`)
//! and campaigns that real results link to (`bouncedesk campaign`).

use bounce::account::AuditAction;
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use store::{NewAuditEntry, NewCampaign, Store};

use crate::ServerError;
use crate::cli::DatabaseArg;
use crate::import::Format;
use crate::intake::{SIGNED_FORMATS, WEBHOOK_FORMATS};

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub action: TokenAction,
    #[command(flatten)]
    pub database: DatabaseArg,
}

#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Make a token; it is printed once and only its digest is kept.
    Create {
        /// What it is for ("SendGrid webhook").
        name: String,
        /// What it may do: `import` (post results: webhooks, scripts) or
        /// `read` (selection counts and exports, chart data).
        #[arg(long, default_value = "import")]
        scope: bounce::account::Scope,
    },
    /// List the tokens (never the tokens themselves).
    List,
    /// Revoke a token by its id.
    Revoke { id: i64 },
}

#[derive(Debug, Args)]
pub struct WebhookKeyArgs {
    /// The ESP: mailgun (HTTP webhook signing key), mandrill (webhook key),
    /// sendgrid (verification key) or ses (the ARNs of the SNS topics to
    /// accept, separated by commas).
    pub format: String,
    /// The key as the ESP shows it; leave out with --clear.
    pub key: Option<String>,
    /// Mandrill signs the URL it posts to: give it exactly as entered in
    /// Mandrill (https://HOST/api/v1/webhooks/mandrill?token=...).
    #[arg(long)]
    pub url: Option<String>,
    /// ses, for a server that cannot reach AWS: the `SigningCertURL` SNS
    /// names, whose certificate is given by --cert-file (fetched otherwise).
    #[arg(long, requires = "cert_file")]
    pub cert_url: Option<String>,
    /// ses: the PEM certificate downloaded from --cert-url.
    #[arg(long, requires = "cert_url")]
    pub cert_file: Option<std::path::PathBuf>,
    /// Stop checking this ESP's signatures.
    #[arg(long)]
    pub clear: bool,
    #[command(flatten)]
    pub database: DatabaseArg,
}

#[derive(Debug, Args)]
pub struct CampaignArgs {
    #[command(subcommand)]
    pub action: CampaignAction,
    #[command(flatten)]
    pub database: DatabaseArg,
}

#[derive(Debug, Subcommand)]
pub enum CampaignAction {
    /// Add a campaign that imported results can be linked to; prints its id.
    Add {
        /// Its name, as marketers know it.
        #[arg(long)]
        name: String,
        /// The tag, category or campaign name the ESP or MTA reports it
        /// by: results carrying it are linked to this campaign.
        #[arg(long)]
        tag: Option<String>,
        #[arg(long, default_value = "")]
        subject: String,
        /// The domain it was sent from.
        #[arg(long, default_value = "")]
        from_domain: String,
        /// When it was sent (RFC 3339); now when absent.
        #[arg(long)]
        sent_at: Option<DateTime<Utc>>,
    },
    /// Set (or with no TAG, clear) the tag results name a campaign by.
    Tag { id: i64, tag: Option<String> },
}

/// Runs `bouncedesk token`.
pub async fn token(args: TokenArgs) -> Result<(), ServerError> {
    let store = Store::connect(&args.database.database_url).await?;
    match args.action {
        TokenAction::Create { name, scope } => {
            let made = store.create_token(&name, scope, Utc::now()).await?;
            let detail = format!("{} ({scope}, {}…)", made.token.name, made.token.prefix);
            audit_cli(&store, AuditAction::TokenCreated, &detail).await?;
            eprintln!(
                "token {} ({}, may {scope}) made; it is shown once, keep it where it is used:",
                made.token.id, made.token.name
            );
            println!("{}", made.secret);
        }
        TokenAction::List => {
            for t in store.tokens().await? {
                let state = match (t.revoked_at, t.last_used_at) {
                    (Some(at), _) => format!("revoked {}", at.format("%Y-%m-%d %H:%M")),
                    (None, Some(at)) => format!("last used {}", at.format("%Y-%m-%d %H:%M")),
                    (None, None) => "never used".to_owned(),
                };
                println!(
                    "{}\t{}…\t{}\t{}\tmade {}\t{state}",
                    t.id,
                    t.prefix,
                    t.scope,
                    t.name,
                    t.created_at.format("%Y-%m-%d")
                );
            }
        }
        TokenAction::Revoke { id } => {
            if !store.revoke_token(id, Utc::now()).await? {
                return Err(ServerError::Usage(format!("there is no live token {id}")));
            }
            audit_cli(&store, AuditAction::TokenRevoked, &format!("token {id}")).await?;
            eprintln!("token {id} revoked");
        }
    }
    Ok(())
}

/// Runs `bouncedesk webhook-key`.
pub async fn webhook_key(args: WebhookKeyArgs) -> Result<(), ServerError> {
    let format = SIGNED_FORMATS
        .into_iter()
        .find(|f| f.name() == args.format)
        .ok_or_else(|| {
            ServerError::Usage(format!(
                "`{}`: signatures are checked for mailgun, mandrill, sendgrid and ses; \
             the other webhooks ({}) use the API token alone",
                args.format,
                WEBHOOK_FORMATS
                    .iter()
                    .filter(|f| !SIGNED_FORMATS.contains(f))
                    .map(|f| f.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    let store = Store::connect(&args.database.database_url).await?;
    let setting = store::webhook_key_setting(format.name());
    if args.clear {
        store.set_setting(&setting, None).await?;
        eprintln!("{} signatures are no longer checked", format.name());
        return Ok(());
    }
    let key = args
        .key
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty() && !k.contains(' '))
        .ok_or_else(|| ServerError::Usage("give the key (one word), or --clear".into()))?;
    let value = match (format, args.url.as_deref()) {
        (Format::Mandrill, Some(url)) if url.starts_with("http") && !url.contains(' ') => format!("{url} {key}"),
        (Format::Mandrill, _) => {
            return Err(ServerError::Usage(
                "--url: Mandrill signs the URL it posts to; give it as entered in Mandrill".into(),
            ));
        }
        (Format::Ses, _) => {
            let arns: Vec<&str> = key.split(',').map(str::trim).collect();
            if let Some(bad) = arns.iter().find(|arn| !is_sns_topic_arn(arn)) {
                return Err(ServerError::Usage(format!(
                    "`{}` is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:TOPIC)",
                    crate::error::short(bad)
                )));
            }
            arns.join(",")
        }
        _ => key.to_owned(),
    };
    if let (Some(url), Some(file)) = (&args.cert_url, &args.cert_file) {
        keep_sns_certificate(&store, url, file).await?;
    }
    store.set_setting(&setting, Some(&value)).await?;
    eprintln!("{} webhooks must now be signed with this key", format.name());
    Ok(())
}

/// `arn:PARTITION:sns:REGION:ACCOUNT:TOPIC`, as AWS names SNS topics.
fn is_sns_topic_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.split(':').collect();
    matches!(parts.as_slice(), ["arn", partition, "sns", region, account, topic]
        if partition.starts_with("aws") && !region.is_empty()
            && account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())
            && !topic.is_empty())
}

/// Keeps the certificate an SNS message will name, checked first: an
/// SNS address, a PEM certificate with an RSA key.
async fn keep_sns_certificate(store: &Store, url: &str, file: &std::path::Path) -> Result<(), ServerError> {
    crate::import::sns::certificate_url_allowed(url).map_err(ServerError::Usage)?;
    let pem = std::fs::read_to_string(file).map_err(|e| ServerError::Input(format!("{}: {e}", file.display())))?;
    crate::import::sns::public_key(&pem).map_err(|e| ServerError::Usage(format!("{}: {e}", file.display())))?;
    store.set_setting(&crate::sns_certs::setting(url), Some(&pem)).await?;
    eprintln!("the SNS certificate of {url} is kept");
    Ok(())
}

/// Runs `bouncedesk campaign`.
pub async fn campaign(args: CampaignArgs) -> Result<(), ServerError> {
    let store = Store::connect(&args.database.database_url).await?;
    match args.action {
        CampaignAction::Add {
            name,
            tag,
            subject,
            from_domain,
            sent_at,
        } => {
            let name = name.trim();
            if name.is_empty() {
                return Err(ServerError::Usage("--name: a campaign needs a name".into()));
            }
            if let Some(tag) = tag.as_deref()
                && let Some(other) = store.campaign_with_tag(tag).await?
            {
                return Err(ServerError::Usage(format!(
                    "--tag {tag}: already the tag of campaign {other}"
                )));
            }
            let id = store
                .insert_campaign(&NewCampaign {
                    name: name.to_owned(),
                    subject,
                    from_domain,
                    sent_at: sent_at.unwrap_or_else(Utc::now),
                })
                .await?;
            store.set_campaign_tag(id, tag.as_deref()).await?;
            println!("{id}");
        }
        CampaignAction::Tag { id, tag } => {
            if !store.set_campaign_tag(id, tag.as_deref()).await? {
                return Err(ServerError::Usage(format!("there is no campaign {id}")));
            }
        }
    }
    Ok(())
}

/// Who the command line acts as in the audit log: `cli:` and the login name.
pub fn cli_actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".to_owned());
    format!("cli:{user}")
}

/// Records in the audit log what the command line did.
pub async fn audit_cli(store: &Store, action: AuditAction, detail: &str) -> Result<(), ServerError> {
    let actor = cli_actor();
    let entry = NewAuditEntry {
        actor: &actor,
        action,
        detail,
        address: None,
    };
    Ok(store.audit(&entry, Utc::now()).await?)
}
