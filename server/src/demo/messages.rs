//! The messages that come back after a campaign: delivery status
//! notifications (RFC 3464) and auto-replies (RFC 3834), built the way
//! receiving systems build them, so the demo's bounces go through the same
//! message reader and classifier as imported ones.

use bounce::{EmailAddress, EnhancedStatus, ReplyCode};
use chrono::{DateTime, Utc};

use super::domains::Language;

/// What a returned message is about.
pub struct Returned<'a> {
    pub recipient: &'a EmailAddress,
    pub from_domain: &'a str,
    pub campaign: usize,
    pub subject: &'a str,
    pub at: DateTime<Utc>,
    pub id: &'a str,
}

fn original_headers(r: &Returned<'_>) -> String {
    format!(
        "Message-ID: <{id}@{from}>\r\nFrom: Nieuwsbrief <news@{from}>\r\nTo: {rcpt}\r\nSubject: {subject}\r\n\
         X-Campaign-ID: demo-{campaign}\r\nDate: {date}\r\n",
        id = r.id,
        from = r.from_domain,
        rcpt = r.recipient,
        subject = r.subject,
        campaign = r.campaign,
        date = r.at.to_rfc2822(),
    )
}

/// The server's reply inside a human-readable report: the quoted
/// `'550 5.1.10 ...'` of an Exchange NDR, or the first line with a code.
fn server_reply(text: &str) -> String {
    if let Some(start) = text.find("'5").or_else(|| text.find("'4"))
        && let Some(len) = text[start + 1..].find('\'')
    {
        return text[start + 1..start + 1 + len].to_owned();
    }
    let lines: Vec<&str> = text.lines().collect();
    match lines.iter().position(|l| ReplyCode::leading(l).is_some()) {
        Some(first) => lines[first..].join(" "),
        None => text.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

/// A delivery status notification from the receiving side (`mx`), reporting
/// that `text` ended delivery to the recipient.
pub fn dsn(r: &Returned<'_>, mx: &str, text: &str) -> Vec<u8> {
    let reply = server_reply(text);
    let status = EnhancedStatus::find_in(&reply)
        .or_else(|| EnhancedStatus::find_in(text))
        .map_or_else(|| "5.0.0".to_owned(), |s| s.to_string());
    let boundary = format!("=_report_{}", r.id);
    format!(
        "From: Mail Delivery System <MAILER-DAEMON@{mx}>\r\nTo: bounce@{from}\r\n\
         Subject: Undeliverable: {subject}\r\nDate: {date}\r\nMessage-ID: <ndr-{id}@{mx}>\r\n\
         Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"{boundary}\"\r\n\r\n\
         --{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         {text}\r\n\r\n--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n\
         Reporting-MTA: dns; {mx}\r\nArrival-Date: {date}\r\n\r\n\
         Final-Recipient: rfc822; {rcpt}\r\nAction: failed\r\nStatus: {status}\r\nRemote-MTA: dns; {mx}\r\n\
         Diagnostic-Code: smtp; {reply}\r\n\r\n\
         --{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n{original}\r\n--{boundary}--\r\n",
        from = r.from_domain,
        subject = r.subject,
        date = r.at.to_rfc2822(),
        id = r.id,
        rcpt = r.recipient,
        text = text.replace('\n', "\r\n"),
        original = original_headers(r),
    )
    .into_bytes()
}

/// An out-of-office reply from the recipient, in their language.
pub fn auto_reply(r: &Returned<'_>, language: Language, text: &str) -> Vec<u8> {
    let prefix = match language {
        Language::Dutch => "Automatisch antwoord",
        Language::Norwegian => "Fraværsmelding",
        Language::German => "Abwesenheitsnotiz",
        Language::French => "Réponse automatique",
        Language::English => "Automatic reply",
    };
    format!(
        "From: {rcpt}\r\nTo: news@{from}\r\nSubject: {prefix}: {subject}\r\nDate: {date}\r\n\
         Message-ID: <auto-{id}@{domain}>\r\nAuto-Submitted: auto-replied\r\nIn-Reply-To: <{id}@{from}>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         {text}\r\n",
        rcpt = r.recipient,
        from = r.from_domain,
        subject = r.subject,
        date = r.at.to_rfc2822(),
        id = r.id,
        domain = r.recipient.domain(),
    )
    .into_bytes()
}

/// A complaint: the recipient pressed "this is spam" and the mailbox
/// provider's feedback loop sends an Abuse Reporting Format report (RFC
/// 5965: `multipart/report; report-type=feedback-report`, the original's
/// headers attached). Yahoo, Microsoft (JMRP) and most large ISPs send them;
/// Gmail does not (it reports rates in Postmaster Tools only).
pub fn arf(r: &Returned<'_>, reporter: &str) -> Vec<u8> {
    let boundary = format!("=_arf_{}", r.id);
    format!(
        "From: Feedback Loop <feedback@{reporter}>\r\nTo: abuse@{from}\r\n\
         Subject: Complaint about message from {from}\r\nDate: {date}\r\nMessage-ID: <arf-{id}@{reporter}>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=feedback-report; boundary=\"{boundary}\"\r\n\r\n\
         --{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         This is an email abuse report for an email message received from IP 192.0.2.25 on {date}.\r\n\
         A user marked it as spam.\r\n\r\n\
         --{boundary}\r\nContent-Type: message/feedback-report\r\n\r\n\
         Feedback-Type: abuse\r\nUser-Agent: {reporter} feedback loop\r\nVersion: 1\r\n\
         Original-Mail-From: <bounce@{from}>\r\nOriginal-Rcpt-To: <{rcpt}>\r\nArrival-Date: {date}\r\n\
         Source-IP: 192.0.2.25\r\nReported-Domain: {from}\r\n\r\n\
         --{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n{original}\r\n--{boundary}--\r\n",
        from = r.from_domain,
        date = r.at.to_rfc2822(),
        id = r.id,
        rcpt = r.recipient,
        original = original_headers(r),
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_reports_are_read_as_complaints() {
        let rcpt: EmailAddress = "kari@yahoo.com".parse().expect("address");
        let r = Returned {
            recipient: &rcpt,
            from_domain: "news.example.com",
            campaign: 3,
            subject: "Helgetilbud",
            at: chrono::Utc::now(),
            id: "00ff",
        };

        let report = bounce::message::read(&arf(&r, "yahoo.com"));

        let record = report.first().and_then(|m| m.records.first()).expect("one record");
        assert_eq!(record.verdict.reason, bounce::Reason::Feedback);
        assert_eq!(record.verdict.class, bounce::BounceClass::None);
        assert!(record.recipient.contains("kari@yahoo.com"), "{}", record.recipient);
    }

    #[test]
    fn exchange_reports_quote_the_server_reply() {
        let text = "Your message couldn't be delivered.\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; not found'";
        assert_eq!(
            server_reply(text),
            "550 5.1.10 RESOLVER.ADR.RecipientNotFound; not found"
        );
        assert_eq!(
            server_reply("554 5.2.2 mailbox full; quota"),
            "554 5.2.2 mailbox full; quota"
        );
    }
}
