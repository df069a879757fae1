//! Whole bounce messages, one or more per family of mail system the reader
//! knows, read end to end: the recipients each gives, the enhanced status
//! and reply code where the message states them, and the reason a postmaster
//! would give (Sisimai's vocabulary).
//!
//! The fixtures in `tests/fixtures/mta/` were written from each format's
//! documentation, not taken from another project's test data: RFC 3464
//! (delivery status notifications), RFC 3834 (auto-replies), RFC 5965 (ARF
//! complaints), RFC 3798 (the disposition notification of a Sieve reject),
//! Postfix's bounce(5) templates, Exim's "Customizing bounce and warning
//! messages", qmail-send(8), Courier's notes on its DSNs, OpenSMTPD's bounce
//! notice, Dovecot's `rejection_reason` and quota settings, Microsoft's
//! pages on Exchange and Exchange Online NDRs (KB 284204 for Exchange 2003's
//! layout), Gmail's, Yahoo's, AOL's and Domino's well-known notices, Amazon
//! SES's notification contents, Yandex Help's "Report on non-delivery"
//! pages, Broadcom's article on bounces from MAILER-DAEMON@messagelabs.com,
//! amavisd-new's nondelivery report and its reject reasons
//! (README.customize), Apache James's bounce text, KDDI's technical notes
//! on au mail (an address that exists but cannot take mail is bounced after
//! DATA, by an NDR) and the well-known notices of
//! GMX, Mail.ru, Zoho, MXLogic, InterScan MSS, IMail, MailMarshal, WorkMail
//! and Google Groups. People's addresses are at example.org / example.net /
//! example.com (example.de, .nl, .ru and .jp where the country matters) and
//! addresses of hosts in the RFC 5737 ranges; the system senders of Gmail,
//! Yahoo, AOL, GMX, Mail.ru, Yandex, Zoho, MessageLabs, MXLogic, au and SES
//! keep their real names, as they are part of those formats. The remote
//! servers answer in Norwegian, German, French, Dutch, Danish and Polish, as
//! real ones do, and the notices of Mail.ru, Yandex and au are in Russian
//! and Japanese.
//!
//! Unlike `provider_replies.rs`, which classifies a reply already taken out
//! of its message, these go through MIME, the DSN fields, the text blocks
//! and the quoted originals: a family whose layout the reader does not know
//! shows here as a missing or wrong recipient.

use std::path::PathBuf;

use bounce::message::{self, Record};

/// One record a fixture must give.
#[derive(Debug, Clone, Copy)]
struct Want {
    recipient: &'static str,
    /// The enhanced status, where the message states one (`None`: it states
    /// none, so the record must have none).
    status: Option<&'static str>,
    /// The SMTP reply code, where the remote server's reply is quoted.
    reply: Option<u16>,
    /// Sisimai's word for why.
    reason: &'static str,
    /// The DSN action, checked only where it is the point of the message.
    action: Option<&'static str>,
}

const fn want(recipient: &'static str, status: Option<&'static str>, reply: Option<u16>, reason: &'static str) -> Want {
    Want {
        recipient,
        status,
        reply,
        reason,
        action: None,
    }
}

/// Every fixture and the records it must give, all of them: a fixture that
/// gives a record not listed here is a miss too.
const CASES: &[(&str, &[Want])] = &[
    // Postfix's failure template with its DSN: two recipients refused at
    // RCPT TO, in Norwegian and in German.
    (
        "postfix-two-recipients.eml",
        &[
            want("ingrid.hansen@example.org", Some("5.1.1"), Some(550), "userunknown"),
            want("lukas.weber@example.net", Some("5.2.2"), Some(552), "mailboxfull"),
        ],
    ),
    // Postfix's delay warning ("Action: delayed"): still being retried,
    // because the mailbox is full for now (in French).
    (
        "postfix-delayed.eml",
        &[Want {
            action: Some("delayed"),
            ..want("camille.martin@example.org", Some("4.2.2"), Some(452), "mailboxfull")
        }],
    ),
    // Exim's default delay warning (plain text, no DSN fields): the
    // recipient is still being tried, so it is a deferral (in Dutch).
    (
        "exim-delay-warning.eml",
        &[Want {
            action: Some("delayed"),
            ..want("marieke.dejong@example.org", Some("4.2.2"), Some(452), "mailboxfull")
        }],
    ),
    // Postfix gave up after its queue lifetime: the remote host never
    // answered ("X-Postfix; connect to ...: Connection timed out"), so no
    // reply code exists.
    (
        "postfix-connect-timeout.eml",
        &[want("jan.devries@example.org", Some("4.4.1"), None, "expired")],
    ),
    // Exim's plain-text bounce: "SMTP error from remote mail server after
    // RCPT TO:" and the "------ This is a copy of the message" marker.
    (
        "exim-rcpt-rejected.eml",
        &[
            want("annelies.bakker@example.org", Some("5.1.1"), Some(550), "userunknown"),
            want("per.olsen@example.net", Some("5.2.2"), Some(552), "mailboxfull"),
        ],
    ),
    // Sendmail: "----- Transcript of session follows -----", with the
    // pipelined refusal shown after ">>> DATA".
    (
        "sendmail-userunknown.eml",
        &[want(
            "sophie.durand@example.org",
            Some("5.1.1"),
            Some(550),
            "userunknown",
        )],
    ),
    // qmail-send: a remote refusal (in Danish) and a local "no mailbox here".
    (
        "qmail-no-mailbox.eml",
        &[
            want("emma.larsen@example.org", Some("5.1.1"), Some(550), "userunknown"),
            want("noah.berg@example.net", Some("5.1.1"), None, "userunknown"),
        ],
    ),
    // Courier: its DSN says only 5.0.0; the quoted reply says 5.1.1.
    (
        "courier-userunknown.eml",
        &[want(
            "pieter.visser@example.org",
            Some("5.1.1"),
            Some(550),
            "userunknown",
        )],
    ),
    // Exchange on premises: its own directory has no such address.
    (
        "exchange-recipient-not-found.eml",
        &[want(
            "sofie.peeters@example.org",
            Some("5.1.10"),
            Some(550),
            "userunknown",
        )],
    ),
    // Exchange Online's enhanced NDR: the remote server (in German) took the
    // message for spam.
    (
        "office365-spam-rejected.eml",
        &[want(
            "jonas.becker@example.net",
            Some("5.7.1"),
            Some(550),
            "spamdetected",
        )],
    ),
    // Gmail's "Address not found", the remote's reply in Norwegian.
    (
        "gmail-address-not-found.eml",
        &[want(
            "kari.nordmann@example.org",
            Some("5.1.1"),
            Some(550),
            "userunknown",
        )],
    ),
    // Yahoo's "Sorry, we were unable to deliver your message", in Dutch.
    (
        "yahoo-mailbox-full.eml",
        &[want(
            "lotte.jansen@example.net",
            Some("5.2.2"),
            Some(552),
            "mailboxfull",
        )],
    ),
    // OpenSMTPD's notice: its DSN has no Diagnostic-Code; the remote's words
    // are only on the "address: reply" line of the text.
    (
        "opensmtpd-userunknown.eml",
        &[want("ole.berg@example.org", Some("5.1.1"), Some(550), "userunknown")],
    ),
    // Dovecot's Sieve reject: the recipient's own filter refused the message
    // after reading it; the reason is the user's words (in Dutch), and the
    // report is a disposition notification, not a DSN.
    (
        "dovecot-sieve-reject.eml",
        &[want("lieke.smit@example.net", None, None, "filtered")],
    ),
    // Dovecot's LDA over quota: a DSN with 5.2.2 and the quota message.
    (
        "dovecot-quota.eml",
        &[want("mia.schulz@example.net", Some("5.2.2"), None, "mailboxfull")],
    ),
    // Domino's "not listed in Domino Directory", plain text, no codes.
    (
        "domino-not-in-directory.eml",
        &[want("kees.devries@example.org", None, None, "userunknown")],
    ),
    // Amazon SES's own DSN (the remote's reply in French).
    (
        "amazonses-dsn.eml",
        &[want(
            "lucas.moreau@example.org",
            Some("5.1.1"),
            Some(550),
            "userunknown",
        )],
    ),
    // An SES bounce notification delivered by e-mail through SNS (JSON).
    (
        "amazonses-sns-bounce.eml",
        &[
            want("silje.haugen@example.org", Some("5.1.1"), Some(550), "userunknown"),
            want("felix.wagner@example.net", Some("5.2.2"), Some(552), "mailboxfull"),
        ],
    ),
    // RFC 3834 auto-replies: the recipient is who replied, and nothing failed.
    (
        "rfc3834-autoreply-de.eml",
        &[want("jonas.becker@example.net", None, None, "vacation")],
    ),
    (
        "rfc3834-autoreply-nl.eml",
        &[want("sanne.bakker@example.org", None, None, "vacation")],
    ),
    // An RFC 5965 complaint: the recipient is Original-Rcpt-To.
    (
        "arf-abuse.eml",
        &[want("svein.dahl@example.net", None, None, "feedback")],
    ),
    // Exchange 2003's NDR ("Your message did not reach some or all of the
    // intended recipients", KB 284204) with its DSN: its own directory has no
    // such account, and a forward to another domain met a full mailbox (the
    // DSN says only 5.5.0; the quoted reply says 552 5.2.2).
    (
        "exchange2003-recipient-not-found.eml",
        &[
            want("maarten.jacobs@corp.example.org", Some("5.1.1"), None, "userunknown"),
            want("els.wouters@example.net", Some("5.2.2"), Some(552), "mailboxfull"),
        ],
    ),
    // Exchange 2007 / 2010's "Delivery has failed to these recipients or
    // groups:", the addresses only under "Diagnostic information for
    // administrators:" ("#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##")
    // and in the DSN.
    (
        "exchange2010-recipnotfound.eml",
        &[
            want("bart.claes@corp.example.net", Some("5.1.1"), Some(550), "userunknown"),
            want("lien.maes@corp.example.net", Some("5.2.2"), Some(554), "mailboxfull"),
        ],
    ),
    // Older Domino (R5 / R6): "------- Failure Reasons --------", the reason
    // naming the "public Name & Address Book", then "------- Returned Message".
    (
        "domino-failure-reasons.eml",
        &[want("hanne.peeters@example.org", None, None, "userunknown")],
    ),
    // GMX's well-known "Mail delivery failed: returning message to sender"
    // (German guides to GMX's bounces note that it is in English): the
    // address in quotes, the reply without its code, the remote in German,
    // and "--- The header of the original message is following. ---".
    (
        "gmx-mailbox-full.eml",
        &[want("tobias.krause@example.net", Some("5.2.2"), None, "mailboxfull")],
    ),
    // Mail.ru's notice as its users see it: "Сообщение не доставлено" and
    // Russian lines, then "Message was not delivered" and Exim's default
    // template (Mail.ru's relays run Exim); the remote's content filter
    // refused the message after DATA.
    (
        "mailru-spam-rejected.eml",
        &[want(
            "sergey.orlov@example.net",
            Some("5.7.1"),
            Some(550),
            "spamdetected",
        )],
    ),
    // Yandex's own NDR to an outside sender, in Russian and English with a
    // DSN. Yandex Help's "Report on non-delivery to Yandex" explains its
    // replies: "Mailbox size exceeded" is a full mailbox, and "Policy
    // rejection on the target address" an account blocked for breaking the
    // user agreement.
    (
        "yandex-mailbox-full-and-blocked.eml",
        &[
            want("olga.smirnova@example.ru", Some("5.2.2"), Some(552), "mailboxfull"),
            want("pavel.kuznetsov@example.ru", Some("5.7.1"), Some(550), "suspend"),
        ],
    ),
    // Zoho Mail's well-known notice: "<address> Invalid Address, ERROR_CODE
    // :550, ERROR_CODE :<reply>" on one line, the original's headers inline
    // after it.
    (
        "zoho-invalid-address.eml",
        &[want(
            "nadia.haddad@example.org",
            Some("5.1.1"),
            Some(550),
            "userunknown",
        )],
    ),
    // McAfee's MXLogic gateway, which sends Exim's default bounce: one
    // address refused by the customer's server behind it, one whose hosts had
    // been failing too long (Exim's own words, no code).
    (
        "mxlogic-userunknown-and-expired.eml",
        &[
            want("jeroen.smit@example.org", Some("5.1.1"), Some(550), "userunknown"),
            want("fleur.peters@example.net", None, None, "expired"),
        ],
    ),
    // Symantec MessageLabs (Email Security.cloud), as Broadcom's article on
    // MAILER-DAEMON@messagelabs.com shows it: "I was unable to deliver your
    // message to the following addresses:", the address, then "Reason:" with
    // the remote's reply (here without a status).
    (
        "messagelabs-mailbox-full.eml",
        &[want("emma.claes@example.org", None, Some(552), "mailboxfull")],
    ),
    // Trend Micro InterScan MSS's well-known notice ("Mail could not be
    // delivered"): "Sent <<< RCPT TO:", "Received >>>" and "Unable to deliver
    // message to <...> (and other recipients in the same domain)". Behind it
    // Exchange Online refused the address (5.4.1 "Recipient address rejected:
    // Access denied": by Microsoft's NDR reference, no such recipient).
    (
        "interscan-mss-access-denied.eml",
        &[want("lars.vos@example.org", Some("5.4.1"), Some(550), "userunknown")],
    ),
    // Ipswitch IMail's well-known "Undeliverable Mail": "Unknown user:
    // <address>" and "Original message follows.", no codes at all.
    (
        "imail-unknown-user.eml",
        &[want("ruben.mertens@example.org", None, None, "userunknown")],
    ),
    // Trustwave MailMarshal's NDR template: "Could not be delivered because
    // of", the reply, "The following recipients were affected:" and its
    // "Additional Information" block (which looks like DSN fields but names
    // no recipient).
    (
        "mailmarshal-userunknown.eml",
        &[want(
            "wout.janssens@example.org",
            Some("5.1.1"),
            Some(550),
            "userunknown",
        )],
    ),
    // Amazon WorkMail: its mail leaves through SES, so its NDR is SES's DSN
    // (marked "X-Mailer: Amazon WorkMail"); the remote answers in Polish.
    (
        "workmail-userunknown.eml",
        &[want(
            "marta.kowalczyk@example.org",
            Some("5.1.1"),
            Some(550),
            "userunknown",
        )],
    ),
    // Google Groups through Gmail: Gmail's "Your message wasn't delivered to
    // ..." with the group's well-known answer ("you may not have permission
    // to post messages to the group ... Google Groups"): our sender may not
    // post there.
    (
        "googlegroups-no-permission.eml",
        &[want("leden@example.org", Some("5.0.0"), None, "rejected")],
    ),
    // AOL (which has carried Verizon's mail since 2017), on the same
    // platform as Yahoo: the plain-text "Sorry, we were unable to deliver
    // your message to the following address." and "Remote host said:".
    (
        "aol-verizon-account-disabled.eml",
        &[want("daniel.brooks@example.net", Some("5.2.1"), Some(550), "suspend")],
    ),
    // KDDI / au: an NDR sent after accepting the message, as au's technical
    // notes say it does when an existing address cannot take mail; Japanese
    // in ISO-2022-JP above au's well-known English lines "Could not be
    // delivered to: <...> As their mailbox is full."
    (
        "kddi-au-mailbox-full.eml",
        &[want("haruka.sato@example.jp", None, None, "mailboxfull")],
    ),
    // Exchange Online's NDR in Dutch, the layout of Microsoft's "What's in
    // an NDR" ("Uw bericht aan ... kan niet worden bezorgd", "Meer informatie
    // voor e-mailbeheerders") with its DSN.
    (
        "office365-nl-mailbox-full.eml",
        &[want(
            "sanne.vermeulen@example.nl",
            Some("5.2.2"),
            Some(554),
            "mailboxfull",
        )],
    ),
    // Short plain-text bounces from small servers: the address only in an
    // English sentence, and (in German) only in the quoted original's "To:".
    (
        "short-prose-mailbox-full-en.eml",
        &[want("jan.willems@example.org", None, None, "mailboxfull")],
    ),
    (
        "short-quoted-to-de.eml",
        &[want("paul.schneider@example.de", None, None, "userunknown")],
    ),
    // amavisd-new's nondelivery report (its DSN, the reject reason after
    // the id): a banned attachment is the recipient site's policy.
    (
        "amavis-banned.eml",
        &[want(
            "jonas.berg@example.se",
            Some("5.7.0"),
            Some(554),
            "policyviolation",
        )],
    ),
    // Apache James's bounce ("Failed recipient(s):" then "Error message:"),
    // no DSN part.
    (
        "james-userunknown.eml",
        &[want("marta.nowak@example.pl", Some("5.1.1"), Some(550), "userunknown")],
    ),
];

/// The fixture folder. Read at run time (cargo sets the variable for tests):
/// a compile-time path goes stale when the shared target folder serves
/// another clone, as `common::corpus_dir` explains.
fn fixtures() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
        .join("tests/fixtures/mta")
}

/// What is wrong with one record, if anything.
fn record_misses(file: &str, want: &Want, got: &Record) -> Vec<String> {
    let mut misses = Vec::new();
    let status = got.status.map(|s| s.to_string());
    if status.as_deref() != want.status {
        misses.push(format!("status {:?}, got {status:?}", want.status));
    }
    let reply = got.reply_code.map(|r| r.get());
    if reply != want.reply {
        misses.push(format!("reply {:?}, got {reply:?}", want.reply));
    }
    if got.verdict.reason.as_str() != want.reason {
        misses.push(format!("reason {}, got {}", want.reason, got.verdict.reason));
    }
    if let Some(action) = want.action
        && got.action != action
    {
        misses.push(format!("action {action}, got {}", got.action));
    }
    misses
        .into_iter()
        .map(|m| {
            format!(
                "{file}: {}: want {m} (diagnostic: {:?})",
                want.recipient, got.diagnostic
            )
        })
        .collect()
}

/// All that is wrong with one fixture's reading.
fn fixture_misses(file: &str, wants: &[Want]) -> Vec<String> {
    let bytes = match std::fs::read(fixtures().join(file)) {
        Ok(bytes) => bytes,
        Err(e) => return vec![format!("{file}: cannot be read: {e}")],
    };
    let reports = message::read(&bytes);
    let [report] = reports.as_slice() else {
        return vec![format!("{file}: want one message, got {}", reports.len())];
    };
    let mut misses = Vec::new();
    for want in wants {
        match report.records.iter().find(|r| r.recipient == want.recipient) {
            Some(got) => misses.extend(record_misses(file, want, got)),
            None => misses.push(format!("{file}: no record for {}", want.recipient)),
        }
    }
    for extra in report
        .records
        .iter()
        .filter(|r| !wants.iter().any(|w| w.recipient == r.recipient))
    {
        misses.push(format!(
            "{file}: a record nobody expects: {} ({}, {:?})",
            extra.recipient, extra.verdict.reason, extra.diagnostic
        ));
    }
    misses
}

/// Every family's bounce gives its recipients, codes and reasons. All
/// fixtures are read before anything is asserted, so that one run shows
/// everything that is wrong.
#[test]
fn every_mta_familys_bounce_gives_its_recipients_codes_and_reason() {
    let records: usize = CASES.iter().map(|(_, wants)| wants.len()).sum();

    let misses: Vec<String> = CASES
        .iter()
        .flat_map(|(file, wants)| fixture_misses(file, wants))
        .collect();

    assert!(
        misses.is_empty(),
        "{} misses over {} fixtures ({records} records):\n{}",
        misses.len(),
        CASES.len(),
        misses.join("\n")
    );
}

/// A fixture added to the folder without expectations would never be read:
/// every `.eml` there must be in the table, and every table entry there.
#[test]
fn the_table_and_the_fixture_folder_name_the_same_files() {
    let dir = fixtures();
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{} cannot be listed: {e}", dir.display()))
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".eml"))
        .collect();
    on_disk.sort();

    let mut in_table: Vec<String> = CASES.iter().map(|(file, _)| (*file).to_owned()).collect();
    in_table.sort();

    assert_eq!(on_disk, in_table);
}
