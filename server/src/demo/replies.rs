//! What real receiving servers answer, by failure and provider.
//!
//! The texts are the servers' own wording (facts about what mail servers
//! send), with placeholders: `{rcpt}` recipient, `{domain}` its domain, `{mx}`
//! the receiving host, `{ip}` our sending IP, `{rip}` the receiving IP,
//! `{from}` our sending domain, `{id}` a queue or tracking id. Codes are not
//! listed separately: like an importer reading a log, the generator parses
//! them out of the text, and the MTA's own status (`dsn`) is given only where
//! the server gave none (DNS and connection failures).

use bounce::{Outcome, Stage};

use super::domains::{Language, Provider};

/// One way an attempt can fail.
#[derive(Debug, Clone, Copy)]
pub struct Reply {
    pub stage: Stage,
    pub outcome: Outcome,
    pub text: &'static str,
    /// The status our MTA records when the server's text carries none.
    pub dsn: Option<&'static str>,
}

const fn r(stage: Stage, text: &'static str) -> Reply {
    Reply {
        stage,
        outcome: Outcome::Error,
        text,
        dsn: None,
    }
}

const fn mta(stage: Stage, outcome: Outcome, text: &'static str, dsn: &'static str) -> Reply {
    Reply {
        stage,
        outcome,
        text,
        dsn: Some(dsn),
    }
}

/// The mailbox does not exist.
pub fn user_unknown(provider: Provider) -> Reply {
    use Stage::{AfterDelivery, RcptTo};
    match provider {
        Provider::Gmail => r(
            RcptTo,
            "550-5.1.1 The email account that you tried to reach does not exist. Please try\n550-5.1.1 double-checking the recipient's email address for typos or\n550-5.1.1 unnecessary spaces. For more information, go to\n550 5.1.1  https://support.google.com/mail/?p=NoSuchUser {id} - gsmtp",
        ),
        Provider::Microsoft => r(
            RcptTo,
            "550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302). [{id}.eurprd04.prod.outlook.com]",
        ),
        Provider::Yahoo => r(
            RcptTo,
            "554 delivery error: dd This user doesn't have a yahoo.com account ({rcpt}) [0] - mta1029.mail.ir2.yahoo.com",
        ),
        Provider::Apple => r(RcptTo, "550 5.1.1 <{rcpt}>: user does not exist"),
        Provider::DutchIsp => r(
            RcptTo,
            "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual mailbox table",
        ),
        Provider::NorwegianIsp => r(
            RcptTo,
            "550 5.1.1 <{rcpt}>: Mottakeradressen finnes ikke / Recipient address rejected: User unknown",
        ),
        Provider::GermanWebmail => r(
            RcptTo,
            "550 Requested action not taken: mailbox unavailable / Postfach nicht verfügbar",
        ),
        Provider::FrenchIsp => r(
            RcptTo,
            "550 5.1.1 <{rcpt}>: Adresse d au moins un destinataire invalide. Invalid recipient. OFR_416 [416]",
        ),
        Provider::Company(language) => r(AfterDelivery, exchange_not_found(language)),
        Provider::Typo => dns_failure(),
    }
}

fn exchange_not_found(language: Language) -> &'static str {
    match language {
        Language::Dutch => {
            "Uw bericht kon niet worden bezorgd bij {rcpt}, omdat het adres niet is gevonden.\nDiagnostische gegevens voor beheerders:\nGenererende server: {mx}\n{rcpt}\nExterne server heeft '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup' geretourneerd"
        }
        Language::Norwegian => {
            "Meldingen kunne ikke leveres til {rcpt} fordi adressen ikke ble funnet.\nDiagnostikk for administratorer:\nGenererer server: {mx}\n{rcpt}\nEkstern server returnerte '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'"
        }
        Language::German => {
            "Ihre Nachricht konnte nicht an {rcpt} übermittelt werden, da die Adresse nicht gefunden wurde.\nDiagnoseinformationen für Administratoren:\nGenerierender Server: {mx}\n{rcpt}\nRemoteserver hat '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup' zurückgegeben"
        }
        Language::French => {
            "Votre message n'a pas pu être remis à {rcpt} car l'adresse est introuvable.\nInformations de diagnostic pour les administrateurs :\nServeur de génération : {mx}\n{rcpt}\nLe serveur distant a retourné '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'"
        }
        Language::English => {
            "Your message to {rcpt} couldn't be delivered because the address wasn't found.\nDiagnostic information for administrators:\nGenerating server: {mx}\n{rcpt}\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'"
        }
    }
}

/// The domain has no mail server: DNS lookup fails, nothing is ever sent.
pub fn dns_failure() -> Reply {
    mta(
        Stage::Dns,
        Outcome::Error,
        "Host or domain name not found. Name service error for name={domain} type=MX: Host not found",
        "5.4.4",
    )
}

/// The mailbox is over quota.
pub fn mailbox_full(provider: Provider) -> Reply {
    use Stage::{AfterDelivery, RcptTo};
    match provider {
        Provider::Gmail => r(
            RcptTo,
            "452-4.2.2 The recipient's inbox is out of storage space. Please direct the\n452-4.2.2 recipient to\n452 4.2.2  https://support.google.com/mail/?p=OverQuotaTemp {id} - gsmtp",
        ),
        Provider::Microsoft => r(
            AfterDelivery,
            "554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded; Failed to process message due to a permanent exception",
        ),
        Provider::Yahoo => r(RcptTo, "452 4.2.2 Mailbox full, please try again later"),
        Provider::Apple => r(RcptTo, "552 5.2.2 <{rcpt}>: user is over quota"),
        Provider::DutchIsp => r(
            RcptTo,
            "452 4.2.2 <{rcpt}>: Mailbox vol, probeer het later opnieuw (mailbox full)",
        ),
        Provider::NorwegianIsp => r(RcptTo, "552 5.2.2 <{rcpt}>: Postkassen er full / Mailbox is full"),
        Provider::GermanWebmail => r(RcptTo, "452 4.2.2 Postfach voll / Mailbox full (quota exceeded)"),
        Provider::FrenchIsp => r(
            RcptTo,
            "552 5.2.2 <{rcpt}>: Boite du destinataire pleine. Recipient mailbox full. OFR_417 [417]",
        ),
        Provider::Company(_) | Provider::Typo => {
            r(RcptTo, "452 4.2.2 <{rcpt}>: Recipient address rejected: Mailbox full")
        }
    }
}

/// The account exists but is disabled or suspended.
pub fn disabled(provider: Provider) -> Reply {
    match provider {
        Provider::Gmail => r(
            Stage::RcptTo,
            "550-5.2.1 The email account that you tried to reach is disabled. Learn more at\n550 5.2.1  https://support.google.com/mail/?p=DisabledUser {id} - gsmtp",
        ),
        Provider::Microsoft => r(
            Stage::RcptTo,
            "550 5.7.1 Service unavailable, Client host blocked; the recipient's account is disabled (AS(4440))",
        ),
        Provider::Yahoo => r(
            Stage::RcptTo,
            "554 delivery error: dd Not a valid recipient - atlas101.free.mail.bf1.yahoo.com",
        ),
        Provider::NorwegianIsp => r(
            Stage::RcptTo,
            "550 5.2.1 <{rcpt}>: Kontoen er deaktivert / Mailbox disabled",
        ),
        Provider::DutchIsp => r(
            Stage::RcptTo,
            "550 5.2.1 <{rcpt}>: Mailbox geblokkeerd / Mailbox disabled, not accepting messages",
        ),
        _ => r(
            Stage::RcptTo,
            "550 5.2.1 <{rcpt}>: Mailbox disabled, not accepting messages",
        ),
    }
}

/// An auto-reply in the recipient's language.
pub fn auto_reply(language: Language) -> Reply {
    let text = match language {
        Language::Dutch => {
            "Automatisch antwoord: Ik ben tot en met vrijdag afwezig en heb beperkt toegang tot mijn e-mail. Voor dringende zaken kunt u contact opnemen met de receptie."
        }
        Language::Norwegian => {
            "Fraværsmelding: Jeg er på ferie og leser ikke e-post før 4. august. Ved hastesaker, kontakt sentralbordet."
        }
        Language::German => {
            "Abwesenheitsnotiz: Ich bin bis einschließlich 12. August nicht im Büro. Ihre Nachricht wird nicht weitergeleitet."
        }
        Language::French => {
            "Réponse automatique : Je suis absente du bureau jusqu'au 2 septembre inclus, avec un accès limité à mes e-mails."
        }
        Language::English => {
            "Out of Office: I am away until Monday with limited access to email. For urgent matters please contact the front desk."
        }
    };
    Reply {
        stage: Stage::Reply,
        outcome: Outcome::Accepted,
        text,
        dsn: None,
    }
}

/// A passing problem that a later attempt gets past (greylisting, rate
/// limits, timeouts, TLS hiccups, dropped connections).
pub fn transient(provider: Provider, pick: u32) -> Reply {
    use Stage::{Connect, Data, Greeting, Helo, RcptTo};
    match (provider, pick % 6) {
        (Provider::Gmail, 0 | 1) => r(
            RcptTo,
            "421-4.7.28 [{ip}] Our system has detected an unusual rate of\n421-4.7.28 unsolicited mail originating from your IP address. To protect our\n421-4.7.28 users from spam, mail sent from your IP address has been temporarily\n421 4.7.28 rate limited. {id} - gsmtp",
        ),
        (Provider::Yahoo, 0 | 1) => r(
            Greeting,
            "421 4.7.0 [TSS04] Messages from {ip} temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
        ),
        (Provider::Microsoft, 0 | 1) => r(
            RcptTo,
            "451 4.7.500 Server busy. Please try again later from [{ip}]. (S77719) [{id}.eurprd05.prod.outlook.com]",
        ),
        (Provider::DutchIsp | Provider::NorwegianIsp | Provider::Company(_), 0 | 1) => r(
            RcptTo,
            "450 4.2.0 <{rcpt}>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/{domain}.html",
        ),
        (Provider::GermanWebmail, 0 | 1) => r(
            Greeting,
            "421 mx00.emig.gmx.net Service temporarily unavailable; Too many connections from {ip}, bitte später erneut versuchen",
        ),
        (Provider::FrenchIsp, 0 | 1) => r(
            RcptTo,
            "421 4.2.1 <{rcpt}>: Service refuse. Veuillez essayer plus tard. Service refused, please try later. OFR_999 [999]",
        ),
        (_, 2) => mta(
            Connect,
            Outcome::Timeout,
            "connect to {mx}[{rip}]:25: Connection timed out",
            "4.4.1",
        ),
        (_, 3) => mta(
            Data,
            Outcome::Lost,
            "lost connection with {mx}[{rip}] while sending message body",
            "4.4.2",
        ),
        (_, 4) => r(Helo, "454 4.7.0 TLS not available due to local problem"),
        _ => mta(
            Greeting,
            Outcome::Invalid,
            "host {mx}[{rip}] greeted me with an unexpected reply: \"HTTP/1.1 400 Bad Request\"",
            "4.5.0",
        ),
    }
}

/// A final refusal of the sender, the message or our IP: the same for every
/// contact at the provider on that day.
pub fn refusal(provider: Provider, pick: u32) -> Reply {
    use Stage::{Compose, Data, Greeting, MailFrom};
    match (provider, pick % 6) {
        (Provider::Gmail, 0) => r(
            Data,
            "550-5.7.26 Unauthenticated email from {from} is not accepted due to domain's\n550-5.7.26 DMARC policy. Please contact the administrator of {from} domain if\n550-5.7.26 this was a legitimate mail. To learn about the DMARC initiative, go to\n550 5.7.26  https://support.google.com/mail/?p=DmarcRejection {id} - gsmtp",
        ),
        (Provider::Gmail, 1) => r(
            Data,
            "550-5.7.1 [{ip}] Gmail has detected that this message is likely\n550-5.7.1 unsolicited mail. To reduce the amount of spam sent to Gmail, this\n550-5.7.1 message has been blocked. For more information, go to\n550 5.7.1  https://support.google.com/mail/?p=UnsolicitedMessageError {id} - gsmtp",
        ),
        (Provider::Microsoft, 0 | 1) => r(
            Data,
            "550 5.7.1 Unfortunately, messages from [{ip}] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [{id}.eurprd02.prod.outlook.com]",
        ),
        (Provider::Yahoo, 0 | 1) => r(
            Data,
            "554 5.7.9 Message not accepted for policy reasons.  See https://postmaster.yahooinc.com/error-codes",
        ),
        (Provider::GermanWebmail, 0 | 1) => r(
            MailFrom,
            "550 5.7.1 Absenderadresse abgelehnt: SPF-Prüfung für {from} fehlgeschlagen / Sender address rejected: SPF check failed",
        ),
        (Provider::Company(Language::Norwegian), 0 | 1) => r(
            Data,
            "550 5.7.1 Meldingen ble avvist som søppelpost / Message rejected as spam by Content Filtering.",
        ),
        (Provider::Company(Language::Dutch), 0 | 1) => r(
            Data,
            "554 5.7.1 Bericht geweigerd: inhoud gemarkeerd als spam / Message rejected as spam by Content Filtering.",
        ),
        (_, 2) => r(Data, "552 5.3.4 Message size exceeds fixed maximum message size"),
        (_, 3) => r(
            MailFrom,
            "553 5.7.1 <bounce@{from}>: Sender address rejected: not owned by user",
        ),
        (_, 4) => r(
            Greeting,
            "554-{mx}\n554 Your access to this mail system has been rejected due to the sending MTA's poor reputation. If you believe that this failure is in error, please contact the intended recipient via alternate means.",
        ),
        _ => Reply {
            stage: Compose,
            outcome: Outcome::Error,
            text: "Message not sent: the template uses the merge field {{voornaam}}, which is empty for this contact",
            dsn: None,
        },
    }
}
