//! `bouncedesk mailbox`: bounce messages read from IMAP mailboxes, each
//! imported as `bouncedesk import` imports an `.eml` file
//! ([`crate::import::mailbox::items`]), then moved to a folder of processed
//! messages (`--processed-folder`, created when missing).
//!
//! A mailbox is named by a URL, `imaps://USER[:PASSWORD]@HOST[:PORT]/FOLDER`
//! (the user, password and folder %-encoded where they hold `@`, `:`, `/`
//! or such; the folder INBOX when none is named). Both `imaps://` and
//! `imap://` mean IMAP over TLS from the first byte (implicit TLS, port 993
//! by default): STARTTLS is not offered and plain IMAP is refused, so a
//! password never crosses the network in clear. The server's certificate
//! is checked against the public roots (webpki-roots) and `--ca-file`.
//!
//! Per mailbox, one round:
//!
//! 1. the mailbox is claimed in the database ([`store::Store::claim_mailbox`]),
//!    so servers sharing a database never read one mailbox at once (one
//!    that another server holds is skipped this round);
//! 2. every message not flagged `\Deleted` is read (`UID SEARCH UNDELETED`),
//!    sizes first and then the bodies with `BODY.PEEK[]` (nothing is marked
//!    `\Seen`), in chunks of at most [`CHUNK`] messages and [`CHUNK_BYTES`];
//!    a message larger than [`MAX_MESSAGE`] is not fetched;
//! 3. each chunk's results are stored in one transaction with the usual
//!    follow-up ([`crate::import::store_all`]), and only then are its
//!    messages moved to the processed folder: `UID MOVE` when the server
//!    has MOVE, else `UID COPY`, `\Deleted` and `UID EXPUNGE` of exactly
//!    those messages (UIDPLUS); a server with neither gets a plain
//!    `EXPUNGE` only when no other message is flagged `\Deleted`, else
//!    the originals stay flagged (and are not read again).
//!
//! A message none of whose items could be read (too large, no `Date:`...)
//! is left where it is for a person to look at, and reported; nothing is
//! ever deleted unread. A crash (or Ctrl-C) between storing a chunk and
//! moving it leaves its messages in the folder: the next round imports
//! them again, which stores nothing twice (events are keyed by the bounce's
//! Message-ID and recipient), and moves them.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_imap::types::Fetch;
use clap::Args;
use futures_util::TryStreamExt;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use store::Store;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::ServerError;
use crate::cli::DatabaseArg;
use crate::import::messages::MAX_MESSAGE;
use crate::import::{ImportReport, Item};

/// The port of IMAP over implicit TLS (RFC 8314).
pub const DEFAULT_PORT: u16 = 993;
/// Messages fetched, stored and moved together.
pub const CHUNK: usize = 100;
/// The most message bytes fetched at once (a chunk is cut short past it).
pub const CHUNK_BYTES: u64 = 64 << 20;
/// How long one step (connecting, one command) may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(300);
/// How long LOGOUT is waited for (the connection may be dead already).
const LOGOUT_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest mailbox URL read.
const URL_LIMIT: usize = 2_048;
/// The longest folder name accepted, in bytes.
const FOLDER_LIMIT: usize = 512;

/// An IMAP session over TLS, as [`connect`] opens it.
pub type Session = async_imap::Session<TlsStream<TcpStream>>;

#[derive(Args)]
pub struct MailboxArgs {
    /// Mailboxes to read: imaps://USER[:PASSWORD]@HOST[:PORT]/FOLDER
    /// (TLS from the first byte, port 993 unless given; INBOX when no folder
    /// is named; %-encode `@`, `:` and `/` in the user, password or folder).
    #[arg(required = true, value_name = "imaps://USER@HOST[:PORT]/FOLDER")]
    pub urls: Vec<String>,
    /// The password of mailboxes whose URL holds none.
    #[arg(long, env = "BOUNCEDESK_IMAP_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// Where processed messages are moved (created when missing).
    #[arg(long, default_value = "bouncedesk-processed", value_name = "FOLDER")]
    pub processed_folder: String,
    /// A PEM file of CA certificates to trust besides the public roots (for
    /// a server with a certificate of its own CA).
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
    /// Link every result to this campaign (by its id).
    #[arg(long)]
    pub campaign: Option<i64>,
    /// Keep reading the mailboxes every SECONDS (until Ctrl-C); without it,
    /// each is read once.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub poll: Option<u64>,
    #[command(flatten)]
    pub database: DatabaseArg,
}

/// Written by hand: the URLs and the password stay out of debug output.
impl fmt::Debug for MailboxArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let urls: Vec<String> = self.urls.iter().map(String::as_str).map(redact_url).collect();
        f.debug_struct("MailboxArgs")
            .field("urls", &urls)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("processed_folder", &self.processed_folder)
            .field("ca_file", &self.ca_file)
            .field("campaign", &self.campaign)
            .field("poll", &self.poll)
            .field("database", &self.database)
            .finish()
    }
}

/// A mailbox, as its URL names it.
#[derive(Clone, PartialEq, Eq)]
pub struct ImapUrl {
    /// The login name, %-decoded.
    pub user: String,
    /// The password the URL holds, %-decoded.
    pub password: Option<String>,
    /// A host name (lowercase) or an IP address, without brackets.
    pub host: String,
    pub port: u16,
    /// The folder read, %-decoded (IMAP's own name: modified UTF-7 for
    /// what is not ASCII).
    pub folder: String,
}

impl ImapUrl {
    /// What names the mailbox among servers: `user@host:port/folder`.
    pub fn key(&self) -> String {
        format!("{}@{}:{}/{}", self.user, self.host_in_url(), self.port, self.folder)
    }

    fn host_in_url(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        }
    }
}

/// The URL without its password, as messages show it.
impl fmt::Display for ImapUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "imaps://{}", self.key())
    }
}

impl fmt::Debug for ImapUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImapUrl")
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("host", &self.host)
            .field("port", &self.port)
            .field("folder", &self.folder)
            .finish()
    }
}

/// How mailboxes are read.
#[derive(Debug, Clone)]
pub struct MailboxOptions {
    /// Where processed messages are moved.
    pub processed_folder: String,
    /// Link every result to this campaign.
    pub campaign: Option<i64>,
    /// CA certificates (PEM) to trust besides the public roots.
    pub ca_file: Option<PathBuf>,
}

/// What one round on one mailbox did.
#[derive(Debug, Default)]
pub struct MailboxReport {
    /// Another server holds the mailbox: nothing was read.
    pub skipped: bool,
    /// Messages found in the folder (those flagged `\Deleted` aside).
    pub messages: u64,
    /// Messages moved to the processed folder.
    pub moved: u64,
    /// Messages left in the folder: none of their items could be read.
    pub left: u64,
    /// Results stored, duplicates, rejects (`UID n: why`), follow-up.
    pub import: ImportReport,
}

/// Runs `bouncedesk mailbox`.
pub async fn run(args: MailboxArgs) -> Result<(), ServerError> {
    let mut mailboxes = Vec::with_capacity(args.urls.len());
    for raw in &args.urls {
        let url = parse_url(raw).map_err(|why| ServerError::Usage(format!("{}: {why}", redact_url(raw))))?;
        let password = url.password.clone().or_else(|| args.password.clone()).ok_or_else(|| {
            ServerError::Usage(format!(
                "{url}: no password: put it in the URL (imaps://USER:PASSWORD@HOST/...), \
                 in --password or in BOUNCEDESK_IMAP_PASSWORD"
            ))
        })?;
        if same_folder(&url.folder, &args.processed_folder) {
            return Err(ServerError::Usage(format!(
                "{url}: the folder read is the --processed-folder; name another"
            )));
        }
        mailboxes.push((url, password));
    }
    check_folder(&args.processed_folder).map_err(|why| ServerError::Usage(format!("--processed-folder {why}")))?;
    // A CA file that cannot be read fails now, before any connection.
    tls_config(args.ca_file.as_deref()).map_err(ServerError::Input)?;
    let store = Store::connect(&args.database.database_url).await?;
    crate::import::check_campaign(&store, args.campaign, |id| {
        ServerError::Usage(format!("--campaign {id}: there is no such campaign"))
    })
    .await?;
    let opts = MailboxOptions {
        processed_folder: args.processed_folder.clone(),
        campaign: args.campaign,
        ca_file: args.ca_file.clone(),
    };
    let Some(every) = args.poll else {
        let mut failures = round(&store, &mailboxes, &opts, false).await;
        // Each failure is told once: the last one by main.
        let last = failures.pop();
        for e in failures {
            eprintln!("bouncedesk: {e}");
        }
        return last.map_or(Ok(()), Err);
    };
    // A round cut short by Ctrl-C or SIGTERM leaves what it had not moved
    // in place, to be imported again (stored once) next time.
    let stop = crate::shutdown::requested();
    tokio::pin!(stop);
    loop {
        let failures = tokio::select! {
            failures = round(&store, &mailboxes, &opts, true) => failures,
            () = &mut stop => break,
        };
        for e in failures {
            tracing::warn!(error = %e, "reading a mailbox failed; trying again in {every} s");
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(every)) => {}
            () = &mut stop => break,
        }
    }
    store.close().await;
    Ok(())
}

/// Reads each mailbox once, telling what it did; the failures.
async fn round(
    store: &Store,
    mailboxes: &[(ImapUrl, String)],
    opts: &MailboxOptions,
    polling: bool,
) -> Vec<ServerError> {
    let mut failures = Vec::new();
    for (url, password) in mailboxes {
        let started = Instant::now();
        match poll_once(store, url, password, opts).await {
            Ok(report) if report.skipped => {
                if polling {
                    tracing::debug!(mailbox = %url, "another server is reading it; skipped");
                } else {
                    eprintln!("{url}: another server is reading it; skipped");
                }
            }
            // Polling, a round that found nothing is not worth a line.
            Ok(report) if polling && report.messages == 0 => {}
            Ok(report) => tell(url, &report, started.elapsed(), &opts.processed_folder),
            Err(e) => failures.push(e),
        }
    }
    failures
}

/// The summary of one round, as `bouncedesk import` gives it.
fn tell(url: &ImapUrl, report: &MailboxReport, took: Duration, processed: &str) {
    let r = &report.import;
    eprintln!(
        "{url}: {} messages in {:.1} s: {} events stored, {} already stored, {} without a campaign, \
         {} not delivery results, {} rejected; {} moved to {processed}, {} left in the folder; \
         {} provider incidents, {} blocks recorded",
        report.messages,
        took.as_secs_f64(),
        r.stored,
        r.duplicates,
        r.unlinked,
        r.other,
        r.rejected,
        report.moved,
        report.left,
        r.incidents,
        r.blocks
    );
    for reject in &r.rejects {
        eprintln!("  rejected: {reject}");
    }
}

/// One round on one mailbox: claim it, read it, store, move (see the
/// module docs). `password` is the one to log in with.
pub async fn poll_once(
    store: &Store,
    mailbox: &ImapUrl,
    password: &str,
    opts: &MailboxOptions,
) -> Result<MailboxReport, ServerError> {
    check_folder(&opts.processed_folder).map_err(|why| ServerError::Usage(format!("the processed folder {why}")))?;
    if same_folder(&mailbox.folder, &opts.processed_folder) {
        return Err(ServerError::Usage(format!(
            "{mailbox}: the folder read is the processed folder; name another"
        )));
    }
    let Some(claim) = store.claim_mailbox(&mailbox.key()).await? else {
        return Ok(MailboxReport {
            skipped: true,
            ..MailboxReport::default()
        });
    };
    let done = read_mailbox(store, mailbox, password, opts).await;
    if let Err(e) = claim.release().await {
        tracing::warn!(
            error = %e,
            mailbox = %mailbox,
            "letting go of the mailbox's claim failed; it ends with its connection"
        );
    }
    done
}

async fn read_mailbox(
    store: &Store,
    mailbox: &ImapUrl,
    password: &str,
    opts: &MailboxOptions,
) -> Result<MailboxReport, ServerError> {
    let cx = Cx { url: mailbox, password };
    let mut session = connect(mailbox, password, opts.ca_file.as_deref()).await?;
    let done = read_folder(store, &mut session, &cx, opts).await;
    let bye = tokio::time::timeout(LOGOUT_TIMEOUT, session.logout()).await;
    let report = done?;
    if !matches!(bye, Ok(Ok(()))) {
        tracing::debug!(mailbox = %mailbox, "LOGOUT was not answered; the connection is closed anyway");
    }
    Ok(report)
}

/// Connects to the mailbox's server over TLS (trusting the public roots and
/// the certificates of `ca_file`) and logs in. Errors name the URL, never
/// the password.
pub async fn connect(mailbox: &ImapUrl, password: &str, ca_file: Option<&Path>) -> Result<Session, ServerError> {
    let cx = Cx { url: mailbox, password };
    let config = tls_config(ca_file).map_err(ServerError::Input)?;
    let connector = TlsConnector::from(Arc::new(config));
    let name = ServerName::try_from(mailbox.host.clone()).map_err(|e| cx.fail("the host name", e))?;
    let tcp = cx
        .step("connecting", TcpStream::connect((mailbox.host.as_str(), mailbox.port)))
        .await?;
    let tls = cx.step("TLS", connector.connect(name, tcp)).await?;
    let mut client = async_imap::Client::new(tls);
    let greeting = cx
        .step("the greeting", async {
            Ok::<_, std::convert::Infallible>(client.read_response().await)
        })
        .await?;
    match greeting {
        Some(Ok(_)) => {}
        Some(Err(e)) => return Err(cx.fail("the greeting", e)),
        None => return Err(cx.fail("the greeting", "the server closed the connection")),
    }
    cx.step("login", async {
        client.login(&mailbox.user, password).await.map_err(|(e, _client)| e)
    })
    .await
}

/// The TLS settings: the public roots, the certificates of `ca_file`, the
/// ring provider (whatever other crates enable), TLS 1.2 and 1.3.
pub(crate) fn tls_config(ca_file: Option<&Path>) -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = ca_file {
        let shown = path.display();
        let certs = CertificateDer::pem_file_iter(path).map_err(|e| format!("--ca-file {shown}: {e}"))?;
        let public = roots.len();
        for cert in certs {
            let cert = cert.map_err(|e| format!("--ca-file {shown}: {e}"))?;
            roots
                .add(cert)
                .map_err(|e| format!("--ca-file {shown}: a certificate that cannot be trusted: {e}"))?;
        }
        if roots.len() == public {
            return Err(format!("--ca-file {shown}: no PEM certificate in it"));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// What the IMAP steps of one mailbox share: how their errors read.
struct Cx<'a> {
    url: &'a ImapUrl,
    password: &'a str,
}

impl Cx<'_> {
    /// An error of `what` on this mailbox; the password, should the server
    /// have echoed it, is blanked out.
    fn fail(&self, what: &str, why: impl fmt::Display) -> ServerError {
        let text = format!("{}: {what}: {why}", self.url);
        // A password of a few characters would blank out ordinary words.
        let text = if self.password.len() >= 4 {
            text.replace(self.password, "***")
        } else {
            text
        };
        ServerError::Input(text)
    }

    /// Runs one step, within [`STEP_TIMEOUT`].
    async fn step<T, E: fmt::Display>(
        &self,
        what: &str,
        work: impl Future<Output = Result<T, E>>,
    ) -> Result<T, ServerError> {
        match tokio::time::timeout(STEP_TIMEOUT, work).await {
            Ok(Ok(done)) => Ok(done),
            Ok(Err(e)) => Err(self.fail(what, e)),
            Err(_) => Err(self.fail(what, format!("no answer in {} s", STEP_TIMEOUT.as_secs()))),
        }
    }
}

/// Reads the mailbox's folder: see the module docs.
async fn read_folder(
    store: &Store,
    session: &mut Session,
    cx: &Cx<'_>,
    opts: &MailboxOptions,
) -> Result<MailboxReport, ServerError> {
    let mut report = MailboxReport::default();
    make_folder(session, cx, &opts.processed_folder).await?;
    let capabilities = cx.step("CAPABILITY", session.capabilities()).await?;
    let moving = Moving {
        folder: &opts.processed_folder,
        can_move: capabilities.has_str("MOVE"),
        uidplus: capabilities.has_str("UIDPLUS"),
    };
    cx.step(&format!("SELECT {}", cx.url.folder), session.select(&cx.url.folder))
        .await?;
    let mut uids: Vec<u32> = cx
        .step("UID SEARCH", session.uid_search("UNDELETED"))
        .await?
        .into_iter()
        .collect();
    uids.sort_unstable();
    for block in uids.chunks(CHUNK) {
        let sizes = cx
            .step(
                "UID FETCH RFC822.SIZE",
                fetch_all(session, &uid_set(block), "(UID RFC822.SIZE)"),
            )
            .await?;
        let size_of = |uid: u32| sizes.iter().find(|f| f.uid == Some(uid)).and_then(|f| f.size);
        let mut group = Vec::new();
        let mut bytes = 0;
        for &uid in block {
            // No size: the message went (expunged by someone else) meanwhile.
            let Some(size) = size_of(uid) else { continue };
            report.messages += 1;
            if !usize::try_from(size).is_ok_and(|size| size <= MAX_MESSAGE) {
                report.import.reject(format_args!(
                    "UID {uid}: larger than {MAX_MESSAGE} bytes ({size}); not read"
                ));
                report.left += 1;
                continue;
            }
            if !group.is_empty() && bytes + u64::from(size) > CHUNK_BYTES {
                read_group(store, session, cx, opts, &moving, &group, &mut report).await?;
                group.clear();
                bytes = 0;
            }
            group.push(uid);
            bytes += u64::from(size);
        }
        if !group.is_empty() {
            read_group(store, session, cx, opts, &moving, &group, &mut report).await?;
        }
    }
    Ok(report)
}

/// Creates `folder` unless it is there already.
async fn make_folder(session: &mut Session, cx: &Cx<'_>, folder: &str) -> Result<(), ServerError> {
    let created = tokio::time::timeout(STEP_TIMEOUT, session.create(folder)).await;
    let refused = match created {
        Ok(Ok(())) => return Ok(()),
        // Most likely [ALREADYEXISTS]; STATUS tells whether it is there.
        Ok(Err(async_imap::error::Error::No(why))) => why,
        Ok(Err(e)) => return Err(cx.fail(&format!("CREATE {folder}"), e)),
        Err(_) => return Err(cx.fail(&format!("CREATE {folder}"), "no answer")),
    };
    cx.step(
        &format!("the folder {folder} is not there and could not be made ({refused})"),
        session.status(folder, "(MESSAGES)"),
    )
    .await
    .map(|_| ())
}

/// Every FETCH response to `UID FETCH set query`.
async fn fetch_all(session: &mut Session, set: &str, query: &str) -> Result<Vec<Fetch>, async_imap::error::Error> {
    session.uid_fetch(set, query).await?.try_collect().await
}

/// How processed messages leave the folder.
struct Moving<'a> {
    folder: &'a str,
    can_move: bool,
    uidplus: bool,
}

/// Fetches, imports, stores and moves one group of messages.
async fn read_group(
    store: &Store,
    session: &mut Session,
    cx: &Cx<'_>,
    opts: &MailboxOptions,
    moving: &Moving<'_>,
    uids: &[u32],
    report: &mut MailboxReport,
) -> Result<(), ServerError> {
    let fetched = cx
        .step(
            "UID FETCH BODY.PEEK[]",
            fetch_all(session, &uid_set(uids), "(UID BODY.PEEK[])"),
        )
        .await?;
    let mut results = Vec::new();
    let mut processed = Vec::with_capacity(uids.len());
    for &uid in uids {
        let message = fetched.iter().find(|f| f.uid == Some(uid));
        let items = match message.map(Fetch::body) {
            None => continue, // expunged by someone else meanwhile
            Some(None) => vec![Err("the server sent no body".to_owned())],
            Some(Some(body)) if body.len() > MAX_MESSAGE => {
                vec![Err(format!("larger than {MAX_MESSAGE} bytes; not read"))]
            }
            Some(Some(body)) => crate::import::mailbox::items(body),
        };
        if items.is_empty() {
            report.import.reject(format_args!("UID {uid}: nothing could be read"));
        }
        let mut readable = false;
        for item in items {
            match item {
                Ok(Item::Result(result)) => {
                    results.push(*result);
                    readable = true;
                }
                Ok(Item::Other) => {
                    report.import.other += 1;
                    readable = true;
                }
                Err(why) => report.import.reject(format_args!("UID {uid}: {why}")),
            }
        }
        if readable {
            processed.push(uid);
        } else {
            report.left += 1;
        }
    }
    drop(fetched);
    crate::import::store_all(store, results, opts.campaign, &mut report.import).await?;
    if !processed.is_empty() {
        cx.step(
            &format!("moving messages to {}", moving.folder),
            move_messages(session, moving, &processed),
        )
        .await?;
        report.moved += processed.len() as u64;
    }
    Ok(())
}

/// Moves the messages `uids` (ascending) of the selected folder to the
/// processed folder.
async fn move_messages(session: &mut Session, how: &Moving<'_>, uids: &[u32]) -> Result<(), async_imap::error::Error> {
    let set = uid_set(uids);
    if how.can_move {
        // uid_mv quotes the folder name itself.
        return session.uid_mv(&set, how.folder).await;
    }
    // uid_copy sends the name as given: quoted here.
    session.uid_copy(&set, quoted(how.folder)).await?;
    session
        .uid_store(&set, "+FLAGS.SILENT (\\Deleted)")
        .await?
        .try_collect::<Vec<_>>()
        .await?;
    if how.uidplus {
        session.uid_expunge(&set).await?.try_collect::<Vec<_>>().await?;
        return Ok(());
    }
    // A plain EXPUNGE removes every message flagged \Deleted: only when
    // those are all ours.
    let deleted = session.uid_search("DELETED").await?;
    if deleted.iter().all(|uid| uids.binary_search(uid).is_ok()) {
        session.expunge().await?.try_collect::<Vec<_>>().await?;
    } else {
        tracing::warn!(
            "the server has neither MOVE nor UIDPLUS and other messages are flagged \\Deleted: \
             the processed messages were copied and stay flagged \\Deleted in the folder"
        );
    }
    Ok(())
}

mod syntax;

pub use syntax::{check_folder, parse_url, redact_url, uid_set};
use syntax::{quoted, same_folder};

#[cfg(test)]
mod tests;
