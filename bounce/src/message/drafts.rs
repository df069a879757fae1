//! The recipients a report names, before their codes are worked out: from
//! DSN groups, recipient lines in the text, complaint reports, auto-replies,
//! and last the addresses named in prose.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

use super::mime::Mail;

use super::flatten::{Flat, first_address, header_text};
use super::limits::{self, MAX_DIAGNOSTIC_BYTES, MAX_RECIPIENTS};
use super::{codes, dsn, fold, ses, text};
use crate::classifier::MessageKind;
use crate::{EnhancedStatus, Stage};

/// A recipient found before the codes are worked out.
pub(super) struct Draft {
    pub(super) recipient: String,
    pub(super) action: Option<String>,
    pub(super) status_field: Option<EnhancedStatus>,
    pub(super) diagnostic: String,
    pub(super) remote_mta: Option<String>,
    pub(super) kind: MessageKind,
    pub(super) feedback_type: Option<String>,
    /// The sending MTA's own classification, when its report gives one.
    pub(super) hint: Option<crate::Reason>,
    /// The stage a transcript showed for this recipient.
    pub(super) stage: Option<Stage>,
    /// The reason the report's form gives when its words give none.
    pub(super) fallback: Option<crate::Reason>,
}

impl Draft {
    /// A recipient with only a kind and the words about it; the other fields
    /// are filled where a report states them.
    pub(super) fn new(recipient: String, kind: MessageKind, diagnostic: String) -> Self {
        Draft {
            recipient,
            action: None,
            status_field: None,
            diagnostic,
            remote_mta: None,
            kind,
            feedback_type: None,
            hint: None,
            stage: None,
            fallback: None,
        }
    }
}

/// A header's raw value, white space folded, lower-cased ("" when absent).
fn lower_header(message: &Mail<'_>, name: &str) -> String {
    header_text(message, name).map(|v| v.to_lowercase()).unwrap_or_default()
}

/// The subject, decoded (a non-English subject arrives as RFC 2047 encoded
/// words) and lower-cased.
fn lower_subject(message: &Mail<'_>) -> String {
    message
        .subject()
        .map_or_else(|| lower_header(message, "subject"), |s| s.to_lowercase())
}

pub(super) fn is_auto_reply(message: &Mail<'_>) -> bool {
    let header = |name: &str| lower_header(message, name);
    let from = header("from");
    let subject = lower_subject(message);
    if from.contains("mailer-daemon") || from.contains("postmaster") || from.contains("root@") {
        return false;
    }
    if message.header_raw("x-failed-recipients").is_some() {
        return false;
    }
    let bounce_subject = [
        "undeliver",
        "delivery status",
        "delivery fail",
        "delivery notification",
        "returned mail",
        "failure notice",
        "non-delivery",
        "nondelivery",
        "mail delivery",
        "could not be delivered",
        "delivery problem",
    ];
    if bounce_subject.iter().any(|s| subject.contains(s)) {
        return false;
    }
    let auto = header("auto-submitted");
    auto.starts_with("auto-replied")
        || auto.starts_with("auto-generated")
        || auto.starts_with("auto-notified")
        || header("precedence").starts_with("auto_reply")
        || header("x-apple-action").starts_with("vacation")
        || message.header_raw("x-autoreply").is_some()
        || [
            "auto:",
            "auto response",
            "automatic reply",
            "out of office",
            "out of the office",
            "autosvar",
            "automatisch antwoord",
            "abwesenheitsnotiz",
            "réponse automatique",
            "fraværsmelding",
            // Outlook's own prefix of an automatic reply, as its localized
            // versions write it.
            "automatische antwort",
            "automatisk svar",
            "automatiskt svar",
            "automaattinen vastaus",
            "respuesta automática",
            "risposta automatica",
            "resposta automática",
            "automatyczna odpowiedź",
            "automatická odpověď",
            "automatikus válasz",
            "otomatik yanıt",
            "автоматический ответ",
            "自動応答",
            "自动回复",
            "自動回覆",
            "자동 회신",
            // The same prefix in Outlook's other interface languages.
            "αυτόματη απάντηση",
            "răspuns automat",
            "автоматична відповідь",
            "автоматичен отговор",
            "аутоматски одговор",
            "automatická odpoveď",
            "automatski odgovor",
            "samodejni odgovor",
            "automaatvastus",
            "automātiskā atbilde",
            "automatinis atsakymas",
            "resposta automàtica",
            "trả lời tự động",
            "balasan otomatis",
            "balasan automatik",
            "תשובה אוטומטית",
            "رد تلقائي",
            "ตอบกลับอัตโนมัติ",
            // What other auto-responders put first (vacation(1) says it is
            // "away from my mail").
            "autoreply",
            "auto-reply",
            "auto reply",
            "automatic response",
            "auto-response",
            "autoresponse",
            "vacation reply",
            "away from my mail",
        ]
        .iter()
        .any(|s| subject.starts_with(s))
}

/// A bounce that someone forwarded with every line quoted ("> "): the text
/// with one level of quoting removed, if the report is such a forward.
pub(super) fn unquote_forwarded(report: &str) -> Option<String> {
    // Counted first: the marker search copies the report to lower case.
    let quoted = super::lines(report).filter(|l| l.starts_with('>')).count();
    if quoted < 5 {
        return None;
    }
    let lower = report.to_ascii_lowercase();
    if !["forwarded message", "original message"]
        .iter()
        .any(|m| lower.contains(m))
    {
        return None;
    }
    let mut out = String::with_capacity(report.len());
    for line in super::lines(report) {
        let line = match line.strip_prefix('>') {
            Some(rest) => rest.strip_prefix(' ').unwrap_or(rest),
            None => line,
        };
        out.push_str(line);
        out.push('\n');
    }
    Some(out)
}

/// Whether a message without DSN fields is a bounce at all: sent by a mail
/// system, titled like one, or worded like one. An ordinary message that
/// merely quotes another one is not.
pub(super) fn looks_like_bounce(message: &Mail<'_>, flat: &Flat) -> bool {
    let from = lower_header(message, "from");
    let subject = lower_subject(message);
    if message.header_raw("x-failed-recipients").is_some() {
        return true;
    }
    let system_senders = [
        "mailer-daemon",
        "postmaster",
        "post_master",
        "mail delivery",
        "maildelivery",
        "mail-daemon",
        "daemon@",
        "root@",
        "bounce",
        "mail administrator",
        "nobody@",
        "mailmaster",
        "noreply",
        "no-reply",
        "mailer@",
    ];
    if system_senders.iter().any(|s| from.contains(s)) {
        return true;
    }
    let bounce_subjects = [
        "undeliver",
        "undelivered",
        "delivery",
        "returned mail",
        "failure",
        "failed",
        "non-delivery",
        "nondelivery",
        "mail system error",
        "rejected",
        "could not",
        "not delivered",
        "error",
        "warning",
        "bounce",
        "unzustellbar",
        "fehlgeschlagen",
        "onbestelbaar",
        "kunne ikke leveres",
        "non remis",
        "delivery status",
        "notification",
        "returned",
        "mail failure",
        "problem",
        "loop alert",
    ];
    if bounce_subjects.iter().any(|s| subject.contains(s)) {
        return true;
    }
    let report = flat.report.to_ascii_lowercase();
    [
        "could not be delivered",
        "permanent error",
        "delivery to the following recipient",
        "this is the mail system",
        "undeliverable",
        "delivery has failed",
        "was not delivered",
        "unable to deliver",
        "giving up",
        "user unknown",
        "mailbox unavailable",
        "smtp error",
    ]
    .iter()
    .any(|p| report.contains(p))
}

/// The recipients of a message (at most [`MAX_RECIPIENTS`] of them, though
/// a caller truncates again), and how many distinct ones it names.
pub(super) fn drafts(message: &Mail<'_>, flat: &Flat) -> (Vec<Draft>, usize) {
    let is_feedback = message
        .type_param("report-type")
        .is_some_and(|t| t.eq_ignore_ascii_case("feedback-report"))
        || !flat.feedback.is_empty();
    if is_feedback {
        return feedback_drafts(flat);
    }
    if (flat.report.contains("\"notificationType\"") || flat.report.contains("\"eventType\""))
        && let Some(drafts) = ses::drafts(&flat.report)
    {
        let named = drafts.len();
        return (drafts, named);
    }
    let dsn_source = format!("{}\n\n{}", flat.delivery_status, flat.report);
    let mut groups = dsn::groups(&dsn_source);
    let forwarded = if groups.is_empty() {
        unquote_forwarded(&flat.report)
    } else {
        None
    };
    let report = forwarded.as_deref().unwrap_or(&flat.report);
    if forwarded.is_some() {
        groups = dsn::groups(report);
    }
    let blocks = text::blocks(report);
    let (drafts, named, unnamed) = dsn_drafts(groups, &blocks);
    if !drafts.is_empty() {
        return (drafts, named);
    }
    if is_auto_reply(message) {
        let recipient = first_address(message, "from").or_else(|| first_address(message, "return-path"));
        let drafts: Vec<Draft> = recipient
            .map(|recipient| Draft::new(recipient, MessageKind::AutoReply, fold(&flat.report)))
            .into_iter()
            .collect();
        let named = drafts.len();
        return (drafts, named);
    }
    if !looks_like_bounce(message, flat) {
        return (Vec::new(), 0);
    }
    text_drafts(message, flat, report, blocks, unnamed)
}

/// Recipients of the DSN groups, each once and at most
/// [`MAX_RECIPIENTS`] of them, with the words of their block in the text
/// when it has one; how many distinct ones the groups name; and the groups
/// that name no address.
fn dsn_drafts(groups: Vec<dsn::DsnGroup>, blocks: &[text::Block]) -> (Vec<Draft>, usize, Vec<dsn::DsnGroup>) {
    let block_of: HashMap<&str, &text::Block> = blocks.iter().map(|b| (b.address.as_str(), b)).collect();
    let mut drafts: Vec<Draft> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    // Groups that name no address (Exim's delivery to a file): their fields
    // belong to the one recipient the text names, if it names one.
    let mut unnamed: Vec<dsn::DsnGroup> = Vec::new();
    for group in groups {
        let Some(recipient) = group.recipient.as_deref().and_then(dsn::recipient) else {
            unnamed.push(group);
            continue;
        };
        if !seen.insert(recipient.clone()) || drafts.len() >= MAX_RECIPIENTS {
            continue;
        }
        let diagnostic = group
            .diagnostic
            .as_deref()
            .map(dsn::diagnostic_text)
            .unwrap_or_default();
        let block_of = block_of.get(recipient.as_str()).copied();
        let block = block_of.map(|b| fold(&b.text));
        let diagnostic = match block {
            Some(block) if diagnostic.is_empty() || block.contains(&diagnostic) => block,
            Some(block) if !block.is_empty() && codes::find_stage(&block).is_some() => format!("{block} {diagnostic}"),
            _ => diagnostic,
        };
        drafts.push(Draft {
            recipient,
            action: group
                .action
                .map(|a| a.split_whitespace().next().unwrap_or("").to_lowercase()),
            status_field: group.status.as_deref().and_then(codes::find_status),
            diagnostic,
            remote_mta: group.remote_mta.as_deref().and_then(dsn::host),
            kind: MessageKind::Failure,
            feedback_type: None,
            hint: group.vendor_category.as_deref().and_then(crate::rules::vendor_category),
            stage: block_of.and_then(|b| b.stage),
            fallback: None,
        });
    }
    (drafts, seen.len(), unnamed)
}

/// Recipients of a report without DSN groups that name them: its recipient
/// lines, else `X-Failed-Recipients`, the addresses of "could not deliver
/// to" sentences, the first bracketed address that is not ours or a role
/// account, the original's `To`, and last the one address the report's text
/// names anywhere, if it names just one that is not ours or a role account.
fn text_drafts(
    message: &Mail<'_>,
    flat: &Flat,
    report: &str,
    blocks: Vec<text::Block>,
    mut unnamed: Vec<dsn::DsnGroup>,
) -> (Vec<Draft>, usize) {
    let own: Vec<String> = ["to", "delivered-to"]
        .iter()
        .filter_map(|h| first_address(message, h))
        .collect();
    let ours = |a: &String| {
        own.contains(a) || flat.original.from.as_ref() == Some(a) || flat.original.return_path.as_ref() == Some(a)
    };
    // A role account named in a "could not deliver to" sentence is the
    // recipient; anywhere else it is who to contact.
    let excluded = |a: &String| text::is_role_account(a) || ours(a);
    let failed_header: Vec<String> = header_text(message, "x-failed-recipients")
        .map(|v| v.split(',').filter_map(dsn::address).collect())
        .unwrap_or_default();
    let candidates: Vec<(String, String, Option<Stage>)> = if !blocks.is_empty() {
        blocks
            .into_iter()
            .map(|b| (b.address, fold(&b.text), b.stage))
            .collect()
    } else {
        let mut addresses = failed_header;
        if addresses.is_empty() {
            addresses = text::sentence_addresses(report)
                .into_iter()
                .filter(|a| !ours(a))
                .collect();
        }
        if addresses.is_empty() {
            addresses = text::bracketed_addresses(report)
                .into_iter()
                .filter(|a| !excluded(a))
                .take(1)
                .collect();
        }
        if addresses.is_empty()
            && let Some(to) = flat.original.to.clone()
        {
            addresses.push(to);
        }
        if addresses.is_empty() {
            // Only when it is the one address there: with two, one may be
            // a message id or a contact, and a wrong recipient is worse
            // than none.
            let mut bare = text::bare_addresses(report).filter(|a| !excluded(a));
            if let Some(first) = bare.next()
                && bare.all(|other| other == first)
            {
                addresses.push(first);
            }
        }
        addresses.into_iter().map(|a| (a, String::new(), None)).collect()
    };
    let only_group = (candidates.len() == 1 && unnamed.len() == 1).then(|| unnamed.remove(0));
    let named = candidates.len();
    let warning = is_delay_warning(report);
    let drafts = candidates
        .into_iter()
        .take(MAX_RECIPIENTS)
        .map(|(recipient, diagnostic, stage)| {
            let draft = Draft {
                stage,
                action: warning.then(|| "delayed".to_owned()),
                ..Draft::new(recipient, MessageKind::Failure, diagnostic)
            };
            match &only_group {
                Some(group) => Draft {
                    action: group.action.as_deref().map(|a| a.trim().to_lowercase()),
                    status_field: group.status.as_deref().and_then(codes::find_status),
                    ..draft
                },
                None => draft,
            }
        })
        .collect();
    (drafts, named)
}

/// How MTAs word a warning that a message is late but still being tried,
/// in reports without DSN fields (whose `Action: delayed` says it):
/// Exim's default warning message ("has not yet been delivered ... No
/// action is required on your part"), Sendmail's ("THIS IS A WARNING
/// MESSAGE ONLY"), and the "will keep trying" sentences of others;
/// Postfix's delay notice ("THIS IS A WARNING ONLY. YOU DO NOT NEED TO
/// RESEND YOUR MESSAGE."), Gmail's ("Gmail will retry for 46 more hours.
/// You'll be notified if the delivery fails permanently."), and Exchange's
/// "Delivery is delayed to these recipients or groups" with its German and
/// French versions; the German "has not been deliverable so far" and "you
/// need not send the message again" of hosted mail systems. Lower-case;
/// matched without regard to ASCII case.
const DELAY_WARNINGS: &[&str] = &[
    "has not yet been delivered",
    "hasn't been delivered yet",
    "this is a warning message only",
    "you do not need to resend your message",
    "delivery attempts will continue",
    "will continue trying",
    "will keep trying",
    "still being retried",
    "notified if the delivery fails permanently",
    "delivery is delayed to these recipients",
    "die zustellung an diese empfänger oder gruppen wird verzögert",
    "konnte bisher nicht zugestellt werden",
    "sie müssen die nachricht nicht erneut senden",
    "la remise à ces destinataires ou groupes est différée",
];

/// [`DELAY_WARNINGS`] in any case, in one pass without copying the report.
static DELAY_WARNING: LazyLock<AhoCorasick> = LazyLock::new(|| {
    // Only whether one occurs is asked: leftmost-first gives the same
    // answer and lets the search use its vector prefilter.
    AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostFirst)
        .ascii_case_insensitive(true)
        .build(DELAY_WARNINGS)
        .unwrap_or_else(|e| panic!("the delay warnings are valid patterns: {e}"))
});

/// Builds this module's automaton now (see `message::prepare`).
pub(super) fn prepare() {
    LazyLock::force(&DELAY_WARNING);
}

/// Whether a text report only warns of a delay: the recipient's result is
/// then a deferral, not a failure.
fn is_delay_warning(report: &str) -> bool {
    DELAY_WARNING.is_match(report)
}

/// The complained-of recipients of an ARF report, each once, all with the
/// report's words (folded and cut once, not once per recipient).
pub(super) fn feedback_drafts(flat: &Flat) -> (Vec<Draft>, usize) {
    let mut recipients = Vec::new();
    let mut seen = HashSet::new();
    let mut feedback_type = None;
    for line in super::lines(&flat.feedback) {
        if let Some((name, value)) = line.split_once(':') {
            match name.trim().to_ascii_lowercase().as_str() {
                "original-rcpt-to" => recipients.extend(dsn::address(value).filter(|a| seen.insert(a.clone()))),
                "feedback-type" => feedback_type = Some(value.trim().to_lowercase()),
                _ => {}
            }
        }
    }
    if recipients.is_empty() {
        recipients.extend(flat.original.to.clone());
    }
    if recipients.is_empty() {
        recipients.push("undisclosed-recipients@invalid".to_owned());
    }
    let named = recipients.len();
    let mut words = fold(&flat.report);
    limits::cut(&mut words, MAX_DIAGNOSTIC_BYTES);
    let drafts = recipients
        .into_iter()
        .take(MAX_RECIPIENTS)
        .map(|recipient| Draft {
            feedback_type: feedback_type.clone(),
            ..Draft::new(recipient, MessageKind::Feedback, words.clone())
        })
        .collect();
    (drafts, named)
}
