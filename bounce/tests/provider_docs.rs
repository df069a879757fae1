//! Replies and bounce texts taken from mail providers' and MTA vendors'
//! published documentation: Google's "Gmail SMTP errors and codes" (in
//! English and, for the status-bearing lines, in French, Spanish, Italian,
//! Russian, Turkish and Japanese), Microsoft's Exchange Online NDR table and
//! its localised NDRs, the Outlook.com, Yahoo, Comcast, GMX and Free postmaster
//! pages, Cisco's and Orange's codes, German, Polish, Czech, Russian, Chinese
//! and Korean providers' help pages, RFC 7504 and RFC 7505, and the standard
//! messages of Postfix, Exim, Sendmail and qmail. A second set adds the
//! ISPs and gateways that were missing or thin: Apple iCloud, Comcast, Cox,
//! AT&T / BellSouth, Charter, GoDaddy, WEB.DE, GMX, T-Online, STRATO, IONOS,
//! La Poste, Libero, Czech and Polish hosters, Yandex, Mail.ru, Korean
//! portals, NTT docomo and DTI, Mimecast, Proofpoint, Sophos, Trend Micro,
//! Hornetsecurity, Swiss hosters, hMailServer, Exchange Server's queue and
//! RESOLVER/SMTPSEND texts, Postfix local(8), and more Exim, Sendmail and
//! qmail texts, with lines in German, French, Italian, Czech, Polish, Korean,
//! Japanese and Chinese. Where a provider documents a reply only by its
//! status and a sentence in its own language, the case pairs the two as a
//! localised report would. None is from another bounce parser's test data
//! or from the labelled corpus. They extend
//! `provider_replies.rs` where the rules are known to be weak: texts that name
//! the reason without a decisive status (or against it), our sender address
//! refused (rejected) against our sending IP refused (blocked) against the
//! recipient's own problems, connection, DNS, TLS and expiry failures as an
//! MTA logs them, and statuses that must carry the reason when the words are
//! in another language. Each case is given as an MTA log or a bounce gives
//! it: the stage, when known, and the server's reply or the report's
//! sentence; the expected reason is the one the source's own explanation and
//! RFC 3463 give. Where that differs from what the classifier says, the case
//! stays: the agreement is a measure with a floor, not a list to fit.

mod replies;

use bounce::Stage;
use replies::{Case, misread};

#[test]
fn documented_provider_replies_get_the_reason_a_postmaster_would_give() {
    use Stage::*;
    let cases: &[Case] = &[
        // Google Workspace Admin Help, "Gmail SMTP errors and codes" (support.google.com/a/answer/3726730,
        // revision of 2026-02-12), and the PTR wording as Gmail sends it, quoted on spamresource.com.
        (
            Some(RcptTo),
            "421-4.7.0 TLS required for RCPT domain, closing connection. For more information, go to Email encryption in transit. - gsmtp",
            "securityerror",
        ),
        (
            Some(RcptTo),
            "421-4.7.0 IP not in whitelist for RCPT domain, closing connection. For more information, go to Allowlists, denylists, and approved senders. - gsmtp",
            "blocked",
        ),
        (
            Some(Data),
            "421-4.7.0 This message is suspicious due to the nature of the content or the links within. To best protect our users from spam, the message has been blocked. - gsmtp",
            "spamdetected",
        ),
        (
            Some(Data),
            "451-4.7.23 192.0.2.1 The sending IP address for this message doesn't have a PTR record, or the PTR record's forward DNS entry doesn't match the sending IP address. To protect users from spam, your email has been temporarily rate limited. - gsmtp",
            "requireptr",
        ),
        (
            Some(Data),
            "550-5.7.25 [192.0.2.1] The IP address sending this message does not have a PTR record setup, or the corresponding forward DNS entry does not match the sending IP. As a policy, Gmail does not accept messages from IPs with missing PTR records. - gsmtp",
            "requireptr",
        ),
        (
            Some(Data),
            "550-5.7.27 This message was blocked because it didn't pass SPF authentication. Gmail requires bulk email senders to authenticate their email with SPF. Authentication results: SPF with 192.0.2.1 = did not pass - gsmtp",
            "authfailure",
        ),
        (
            Some(Data),
            "421-4.7.32 Your email has been rate limited because the From: header (RFC5322) in this message isn't aligned with either the authenticated SPF or DKIM organizational domain. - gsmtp",
            "authfailure",
        ),
        (
            Some(Data),
            "550-5.7.29 This message was blocked because it wasn't sent over a TLS connection. Gmail requires all bulk email senders to use TLS/SSL for SMTP connections. - gsmtp",
            "securityerror",
        ),
        (
            Some(Data),
            "550-5.7.28 There is an unusual rate of unsolicited email originating from your IP address. To protect our users from spam, email sent from your IP address has been blocked. - gsmtp",
            "blocked",
        ),
        (
            Some(Data),
            "421-4.7.28 Gmail has detected an unusual rate of unsolicited email originating from your DKIM domain example.com. To protect our users from spam, email sent from your domain has been temporarily rate limited. - gsmtp",
            "badreputation",
        ),
        (
            Some(RcptTo),
            "550-5.2.1 The user you are trying to contact is receiving email at a rate that prevents additional messages from being delivered. For more information, go to Limits for sending & getting email. - gsmtp",
            "speeding",
        ),
        (
            Some(RcptTo),
            "550-5.2.1 The email account that you tried to reach is inactive. For more information, go to https://support.google.com/mail/?p=DisabledUser - gsmtp",
            "suspend",
        ),
        (
            Some(RcptTo),
            "552-5.2.2 The recipient's inbox is out of storage space and inactive. Please direct the recipient to Manage files in your Google Drive storage. - gsmtp",
            "mailboxfull",
        ),
        (
            Some(Data),
            "552-5.3.4 Your message exceeded Google's message size limits. To view our message size guidelines, go to Send attachments with your Gmail message. - gsmtp",
            "mesgtoobig",
        ),
        (
            Some(RcptTo),
            "553-5.1.2 We weren't able to find the recipient domain. Please check for any spelling errors and make sure you didn't enter any spaces, periods, or other punctuation after the recipient's email address. - gsmtp",
            "hostunknown",
        ),
        (
            Some(MailFrom),
            "553-5.1.7 The sender address <news@example.com> is not a valid RFC 5321 address. - gsmtp",
            "rejected",
        ),
        (
            Some(Data),
            "550-5.7.1 The user or domain that you are sending to (or from) has a policy that prohibits the email that you sent. Contact your domain administrator for assistance. - gsmtp",
            "policyviolation",
        ),
        (
            Some(Data),
            "550-5.7.1 This message is not RFC 5322 compliant because it has duplicate headers. To reduce the amount of spam sent to Gmail, this message has been blocked. - gsmtp",
            "notcompliantrfc",
        ),
        (
            Some(Data),
            "554 5.4.6 Message exceeded 50 hops, this may indicate an email loop. - gsmtp",
            "networkerror",
        ),
        (
            None,
            "421 4.3.0 Temporary System Problem. Try again later. For more information, go to About SMTP error messages. - gsmtp",
            "systemerror",
        ),
        (
            Some(Data),
            "451 4.5.0 SMTP protocol violation. For more information, go to About SMTP error messages and review RFC 5321 specifications. - gsmtp",
            "syntaxerror",
        ),
        (
            Some(Helo),
            "501 5.5.4 Empty HELO/EHLO argument not allowed, closing connection. - gsmtp",
            "syntaxerror",
        ),
        // The same page in other languages (knowledge.workspace.google.com/admin/support/troubleshooting/
        // gmail-smtp-errors-and-codes?hl=fr, it, ru, tr, ja; support.google.com/a/answer/3726730?hl=es): the
        // translated text after the status Gmail sends. The status has to carry the reason when the words are
        // unfamiliar.
        (
            Some(RcptTo),
            "450 4.2.1 L'utilisateur que vous tentez de contacter reçoit des e-mails à un rythme trop élevé. Veuillez renvoyer votre message ultérieurement.",
            "speeding",
        ),
        (
            Some(RcptTo),
            "450 4.2.1 El usuario con el que intentas ponerte en contacto está recibiendo el correo demasiado rápido. Reenvía tu mensaje más tarde.",
            "speeding",
        ),
        (
            Some(RcptTo),
            "450 4.2.1 L'utente che stai cercando di contattare riceve email in quantità tali da impedire il recapito di messaggi aggiuntivi.",
            "speeding",
        ),
        (
            Some(RcptTo),
            "450 4.2.1 Пользователь, с которым вы пытаетесь связаться, получает электронные письма слишком быстро. Пожалуйста, отправьте сообщение повторно позже.",
            "speeding",
        ),
        (
            Some(RcptTo),
            "450 4.2.1 The user you are trying to contact is receiving email too quickly. Lütfen iletinizi daha sonra yeniden gönderin.",
            "speeding",
        ),
        (
            Some(RcptTo),
            "452 4.2.2 受信者の受信トレイの保存容量が不足している。",
            "mailboxfull",
        ),
        (
            Some(Data),
            "550 5.7.1 このメッセージは example.com のメールポリシーに違反しています。- gcdp <sessionid> - gsmtp",
            "policyviolation",
        ),
        (
            Some(Data),
            "550 5.7.1 Este mensaje infringe la política de correo electrónico de example.com. - gcdp <sessionid> - gsmtp",
            "policyviolation",
        ),
        // Microsoft Learn, "Email non-delivery reports and SMTP errors in Exchange Online" (the NDR code table),
        // with replies as Exchange Online writes them into its NDRs.
        (
            Some(RcptTo),
            "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
            "userunknown",
        ),
        (Some(RcptTo), "550 5.4.1 Relay Access Denied", "norelaying"),
        (
            Some(RcptTo),
            "550 5.7.504 <anna@example.com>: Recipient address rejected: Access denied",
            "userunknown",
        ),
        (
            Some(Data),
            "550 5.7.512 Access denied, message must be RFC 5322 section 3.6.2 compliant",
            "notcompliantrfc",
        ),
        (
            Some(RcptTo),
            "550 5.7.513 Service unavailable, Client host [192.0.2.1] blocked by example.com using Customer Block list (AS16012607)",
            "blocked",
        ),
        (
            Some(RcptTo),
            "550 5.7.507 Access denied, rejected by recipient",
            "blocked",
        ),
        (Some(Helo), "550 5.7.506 Access Denied, Bad HELO", "blocked"),
        (
            Some(RcptTo),
            "550 5.7.508 Access denied, [2001:db8::25] has exceeded permitted limits within 2001:db8::/64 range",
            "speeding",
        ),
        (
            Some(Data),
            "450 4.7.26 Access denied, a message sent over IPv6 [2001:db8::25] must pass either SPF or DKIM validation, this message is not signed",
            "authfailure",
        ),
        (
            Some(RcptTo),
            "550 5.7.25 Access denied, the sending IPv6 address [2001:db8::25] must have a reverse DNS record",
            "requireptr",
        ),
        (
            Some(RcptTo),
            "432 4.3.2 STOREDRV.Deliver; recipient thread limit exceeded",
            "speeding",
        ),
        (
            None,
            "550 5.4.310 DNS domain example.invalid does not exist [Message=InfoDomainNonexistent] [LastAttemptedServerName=example.invalid]",
            "hostunknown",
        ),
        (
            None,
            "550 5.4.316 Message expired, connection refused(Socket error code 10061)",
            "expired",
        ),
        (
            None,
            "550 5.7.321 starttls-not-supported: Destination mail server must support TLS to receive mail.",
            "securityerror",
        ),
        (
            Some(AfterDelivery),
            "554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded; Failed to process message due to a permanent exception",
            "mailboxfull",
        ),
        // Exchange Online's NDR in Spanish (the user-facing sentence for 5.4.310), and Microsoft Support
        // KB 2625264 in Japanese, which renders "550 4.4.7 QUEUE.Expired; message expired".
        (
            None,
            "El mensaje no se pudo entregar. El sistema de nombres de dominio (DNS) ha informado que el dominio del destinatario no existe.",
            "hostunknown",
        ),
        (
            None,
            "550 4.4.7 キューです。期限切れです。メッセージが期限切れ",
            "expired",
        ),
        // Outlook.com Postmaster, Troubleshooting, "SMTP Error Codes" (sendersupport.olc.protection.outlook.com/pm),
        // and the S3140 block as Outlook.com sends it. All refuse our sending IP, whatever else they say.
        (
            Some(MailFrom),
            "550 SC-002 Mail rejected by Outlook.com for policy reasons. The mail server IP connecting to Outlook.com has exhibited namespace mining behavior. If you are not an email/network admin please contact your Email/Internet Service Provider for help.",
            "blocked",
        ),
        (
            Some(MailFrom),
            "550 SC-003 Mail rejected by Outlook.com for policy reasons. Your IP address appears to be an open proxy/relay. If you are not an email/network admin please contact your Email/Internet Service Provider for help.",
            "blocked",
        ),
        (
            Some(MailFrom),
            "550 DY-001 Mail rejected by Outlook.com for policy reasons. We generally do not accept email from dynamic IP's as they are not typically used to deliver unauthenticated SMTP email to an Internet mail server.",
            "blocked",
        ),
        (
            Some(MailFrom),
            "550 DY-002 Mail rejected by Outlook.com for policy reasons. The likely cause is a compromised or virus infected server/personal computer.",
            "blocked",
        ),
        (
            Some(MailFrom),
            "550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3140). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.",
            "blocked",
        ),
        (
            Some(Data),
            "550 5.7.515 Access denied, sending domain example.com doesn't meet the required authentication level.",
            "authfailure",
        ),
        // Yahoo Sender Hub, "SMTP Error Codes" (senders.yahooinc.com/smtp-error-codes): its failure notice
        // example, "Unresolvable RFC.5321 from domain" (our MAIL FROM domain) and "Authentication failures".
        (
            Some(RcptTo),
            "554 delivery error: dd This user doesn't have a yahoo.com account (testing123@yahoo.com) [-5] - mta123.mail.mud.yahoo.com",
            "userunknown",
        ),
        (
            Some(MailFrom),
            "451 Message temporarily deferred due to unresolvable RFC.5321 from domain",
            "rejected",
        ),
        (
            Some(Data),
            "550 5.7.9 This mail has been blocked because the sender is unauthenticated. Yahoo requires all senders to authenticate with either SPF or DKIM.",
            "authfailure",
        ),
        // Comcast postmaster, "Mail delivery error codes" (postmaster.comcast.net/mail-error-codes): BL000001 is
        // the Spamhaus ZEN listing of the sending IP; the non-specific 421 codes are sessions and rDNS.
        (
            Some(Greeting),
            "554 resimta-po-01v.sys.comcast.net comcast 192.0.2.1 found on one or more DNSBLs, see http://postmaster.comcast.net/smtp-error-codes.php#BL000001",
            "blocked",
        ),
        (Some(Greeting), "421 Too many sessions opened", "toomanyconn"),
        (
            Some(Greeting),
            "421 Reverse DNS failure : Try again later",
            "requireptr",
        ),
        // Cisco Secure Email (IronPort): "Identify and allow poor SenderBase Reputation" (the HAT reject of a
        // poor-SBRS sending IP), the AsyncOS SPF reject text, and the HAT "Max. Recipients per Hour" response.
        (
            Some(Greeting),
            "554 Your access to this mail system has been rejected due to the sending MTA's poor reputation. If you believe that this failure is in error, please contact the intended recipient via alternate means.",
            "blocked",
        ),
        (
            Some(MailFrom),
            "550 #5.7.1 SPF unauthorized mail is prohibited.",
            "authfailure",
        ),
        (Some(RcptTo), "452 Too many recipients received this hour", "speeding"),
        // GMX postmaster, "Error messages" (postmaster.gmx.com/en/error-messages), and the United Internet
        // SPF rejection as listed on smtp.codes/unitedinternet (WEB.DE "Fehlermeldungen" explains it).
        (
            Some(Greeting),
            "554-gmx.net (mxgmx104) Nemesis ESMTP Service not available 554-No SMTP service 554-IP address is block listed. 554 For explanation visit https://postmaster.gmx.net/en/case?c=r0201&i=ip&v=192.0.2.1&r=1MNcgj-1ue23t3pyV-00S2YR",
            "blocked",
        ),
        (
            Some(Data),
            "550 <news@example.com>: Reject due to SPF policy. The originating IP of the message is not permitted by the domain owner",
            "authfailure",
        ),
        // German hosters' error lists: comservice-ffo.de "SMTP-Fehlermeldungen" (the first is a block of the
        // sending IP for poor list quality) and bytecamp.net "Fehlermeldungen bei Zustellproblemen".
        (None, "421 Reject due to policy violations", "blocked"),
        (None, "421 Rate limit reached. Please try again later", "speeding"),
        (
            Some(RcptTo),
            "422 4.2.2 Quota limit exceeded (Speicherplatz des Kontos ueberschritten)",
            "mailboxfull",
        ),
        (
            Some(Data),
            "571 5.7.1 message classified as spam (Nachricht als Spam eingestuft)",
            "spamdetected",
        ),
        // Orange's bilingual OFR codes (OFR004_104, as listed on bentonow.com/smtp-errors/orange) and
        // postmaster.free.fr ("550 spam detected": refused by the anti-spam filter at reception).
        (
            Some(Greeting),
            "421 mwinf5c10 ME Trop de connexions, veuillez verifier votre configuration. Too many connections, slow down. OFR004_104 [104]",
            "toomanyconn",
        ),
        (Some(Data), "550 spam detected", "spamdetected"),
        // Interia Poczta, "Dlaczego wiadomość nie została dostarczona?" (pomoc.poczta.interia.pl), and
        // Seznam nápověda, "Uživatel neexistuje" (napoveda.seznam.cz), whose bilingual report is quoted.
        (Some(RcptTo), "550 5.1.1 Account not found", "userunknown"),
        (Some(RcptTo), "550 5.7.1 Recipient doesn't want your mail", "filtered"),
        (
            None,
            "5.1.1 szn; User hasn't got the service mapped. Permanentní chyba na straně uživatele.",
            "userunknown",
        ),
        // Yandex, Mail.ru and bigmir.net replies as their servers send them (Mail.ru answers after DATA).
        (Some(RcptTo), "550 5.7.1 No such user!", "userunknown"),
        (
            Some(Data),
            "550 Message was not accepted -- invalid mailbox. Local mailbox anna@mail.ru is unavailable: user not found",
            "userunknown",
        ),
        (
            Some(RcptTo),
            "550 Mailbox is frozen. See http://mail.bigmir.net/err/3/",
            "suspend",
        ),
        // NetEase (163.com) bounce codes with their documented Chinese explanation (mirrored on
        // biecuoliao.com, "退信代码说明"), and QQ Mail's bounce help (qqmailbox.com/transceivers/169.html).
        (
            Some(Greeting),
            "421 HL:ICC 该IP同时并发连接数过大,超过了网易的限制,被临时禁止连接。",
            "toomanyconn",
        ),
        (
            Some(Greeting),
            "421 HL:IFC 该IP短期内发送了大量信件,超过了网易的限制,被临时禁止连接。",
            "speeding",
        ),
        (Some(RcptTo), "450 DT:RBL 发信IP位于一个或多个RBL里。", "blocked"),
        (
            Some(Data),
            "451 DT:SPM ,please try again 邮件正文带有垃圾邮件特征或发送环境缺乏规范性,被临时拒收。",
            "spamdetected",
        ),
        (None, "该用户不存在", "userunknown"),
        (None, "收件人空间不足", "mailboxfull"),
        (
            Some(RcptTo),
            "550 Mailbox not found. http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000728",
            "userunknown",
        ),
        // Korean portals' replies as collected on puffinknight.tistory.com and oliveit.tistory.com (Naver's
        // IP filter, Daum's RUSR, a suspended mailbox, a recipient's own reject list).
        (
            Some(Greeting),
            "421 4.3.2 Your IP(192.0.2.1) is filtered and this connection will be closed. You must register your IP to http://realip.naver.com",
            "blocked",
        ),
        (
            Some(RcptTo),
            "550 5.1.1 RUSR 192.0.2.1: No such user: <anna@example.com>",
            "userunknown",
        ),
        (Some(RcptTo), "550 5.1.1 Suspended user", "suspend"),
        (
            Some(RcptTo),
            "550 You are registered as spammer (by user's reject list)",
            "filtered",
        ),
        // Postfix smtp(8) and qmgr(8) as they log a failed delivery (smtp_connect.c, smtp_proto.c, smtp_addr.c,
        // qmgr_defer.c): timeouts, lost connections, routes, DNS, TLS and the server's size limit.
        (
            None,
            "connect to mx.example.org[192.0.2.1]:25: Connection timed out",
            "expired",
        ),
        (
            None,
            "delivery temporarily suspended: connect to mx.example.org[192.0.2.1]:25: Connection timed out",
            "expired",
        ),
        (
            None,
            "conversation with mx.example.org[192.0.2.1] timed out while sending message body",
            "expired",
        ),
        (
            None,
            "lost connection with mx.example.org[192.0.2.1] while sending RCPT TO",
            "networkerror",
        ),
        (
            None,
            "lost connection with mx.example.org[192.0.2.1] while sending end of data -- message may be sent more than once",
            "networkerror",
        ),
        (
            None,
            "connect to mx.example.org[192.0.2.1]:25: No route to host",
            "networkerror",
        ),
        (
            None,
            "connect to mx.example.org[2001:db8::25]:25: Network is unreachable",
            "networkerror",
        ),
        (
            None,
            "Host or domain name not found. Name service error for name=example.org type=MX: Host not found, try again",
            "networkerror",
        ),
        (
            None,
            "Host or domain name not found. Name service error for name=mx.example.org type=A: Host not found",
            "hostunknown",
        ),
        (
            None,
            "TLS is required, but was not offered by host mx.example.org[192.0.2.1]",
            "securityerror",
        ),
        (None, "Cannot start TLS: handshake failure", "securityerror"),
        (
            None,
            "message size 31457280 exceeds size limit 20971520 of server mx.example.org[192.0.2.1]",
            "mesgtoobig",
        ),
        // Postfix smtpd(8) rejects (postconf(5), SMTPD_ACCESS_README, ADDRESS_VERIFICATION_README). Sender
        // restrictions answer at RCPT TO by default (smtpd_delay_reject), yet they refuse our sender address.
        (
            Some(RcptTo),
            "450 4.7.1 Client host rejected: cannot find your hostname, [192.0.2.1]",
            "requireptr",
        ),
        (
            Some(MailFrom),
            "550 5.1.0 <news@example.com>: Sender address rejected: User unknown in virtual mailbox table",
            "rejected",
        ),
        (
            Some(RcptTo),
            "450 4.1.7 <news@example.com>: Sender address rejected: unverified address: host mx.example.com[192.0.2.2] said: 550 5.1.1 <news@example.com>: Recipient address rejected: User unknown in local recipient table",
            "rejected",
        ),
        (
            Some(RcptTo),
            "554 5.7.1 <news@example.com>: Sender address rejected: Access denied",
            "rejected",
        ),
        // RFC 7505, sections 4.1 and 4.2 (our MTA's bounce for a null MX domain; a server refusing a sender
        // domain that publishes one), and RFC 7504 (521: the host does not accept mail).
        (None, "556 5.1.10 Recipient address has null MX", "notaccept"),
        (Some(MailFrom), "550 5.7.27 Sender address has null MX", "rejected"),
        (
            Some(Greeting),
            "521 5.3.2 mail.example.org does not accept mail",
            "notaccept",
        ),
        // Exim's own messages (routers, smtp transport's retry handling, receive.c, appendfile).
        (
            None,
            "all relevant MX records point to non-existent hosts",
            "hostunknown",
        ),
        (
            None,
            "all hosts have been failing for a long time and were last tried after this message arrived",
            "expired",
        ),
        (
            None,
            "Too many \"Received\" headers - suspected mail loop",
            "networkerror",
        ),
        (
            None,
            "mailbox is full (MTA-imposed quota exceeded while writing to file /var/mail/anna)",
            "mailboxfull",
        ),
        // Sendmail's standard messages (deliver.c, srvrsmtp.c, the conncontrol feature) and clamav-milter's
        // default rejection.
        (None, "Deferred: Connection timed out with mx.example.org.", "expired"),
        (None, "Cannot send message for 5 days", "expired"),
        (
            Some(MailFrom),
            "553 5.1.8 <news@example.net>... Domain of sender address news@example.net does not exist",
            "rejected",
        ),
        (
            Some(MailFrom),
            "451 4.1.8 Domain of sender address news@example.net does not resolve",
            "rejected",
        ),
        (
            Some(Data),
            "452 4.4.5 Insufficient disk space; try again later",
            "systemfull",
        ),
        (Some(Greeting), "421 4.3.2 Too many open connections.", "toomanyconn"),
        (
            Some(Data),
            "554 5.7.1 virus Eicar-Test-Signature detected by ClamAV - https://www.clamav.net",
            "virusdetected",
        ),
        // qmail-remote and qmail-send's documented failure texts.
        (
            None,
            "Sorry, I couldn't find any host named example.invalid. (#5.1.2)",
            "hostunknown",
        ),
        (
            None,
            "Connected to 192.0.2.1 but connection died. (#4.4.2)",
            "networkerror",
        ),
        (
            None,
            "This message is looping: it already has my Delivered-To line. (#5.4.6)",
            "networkerror",
        ),
        // Apple iCloud Mail replies and their explanations as listed on smtp.codes/icloud (Apple's own pointer is
        // support.apple.com/en-us/HT204137), and a Proofpoint DNSBL reject from mx*.mail.icloud.com at MAIL FROM.
        (
            Some(RcptTo),
            "421 4.7.1 Messages to anna@icloud.com deferred due to excessive volume. Try again later - https://support.apple.com/en-us/HT204137",
            "speeding",
        ),
        (
            Some(Data),
            "550 5.7.1 Your message was rejected due to example.com DMARC policy.",
            "authfailure",
        ),
        (
            Some(Data),
            "550 5.7.1 Your email was rejected due to having a domain present in the Spamhaus DBL -- see https://www.spamhaus.org/dbl/",
            "spamdetected",
        ),
        (
            Some(MailFrom),
            "550 5.7.0 Blocked - see https://support.proofpoint.com/dnsbl-lookup.cgi?ip=192.0.2.1",
            "blocked",
        ),
        // Comcast postmaster, "Mail delivery error codes" (postmaster.comcast.net/mail-error-codes.html): BL000000
        // is a sending IP that "sent mail in patterns characteristic of spam" (the reply text as quoted by
        // docs.hetrixtools.com).
        (
            Some(Greeting),
            "554 resimta-po-01v.sys.comcast.net comcast 192.0.2.1 BL000000 Email from your mail server has been sent in patterns that are characteristic of spam.",
            "blocked",
        ),
        // Cox postmaster, "Error Codes" (postmaster.cox.net/confluence/display/postmaster/Error+Codes): CXBL is the
        // sending IP blocked for spam-like behaviour, "Message threshold exceeded" a rate limit, and CXSNDR a
        // sender domain without a valid MX or A record (Cox's own description, quoted on forums.cox.com).
        (
            Some(Greeting),
            "554 cmsmtp 192.0.2.1 blocked. Refer to Error Codes section at http://postmaster.cox.net/confluence/display/postmaster/Error+Codes for more information. AUP#CXBL",
            "blocked",
        ),
        (Some(RcptTo), "452 Message threshold exceeded", "speeding"),
        (
            Some(MailFrom),
            "550 5.1.0 <news@example.com> sender rejected - Refer to Error Codes section at http://postmaster.cox.net/confluence/display/postmaster/Error+Codes for more information. AUP#CXSNDR",
            "rejected",
        ),
        // AT&T Worldnet / BellSouth "Error Message Summary"
        // (worldnet.att.net/general-info/bls_info/block_enduser.html, rbl.att.net): 521 there is AT&T's block of a
        // spam source, not RFC 7504's "does not accept mail".
        (Some(Greeting), "521 <192.0.2.1> is blocked", "blocked"),
        (
            Some(RcptTo),
            "550 [suspend] Mailbox currently suspended--Please contact correspondent directly.",
            "suspend",
        ),
        (
            Some(MailFrom),
            "550 [permfail] bellsouth.net requires valid sender domain",
            "rejected",
        ),
        (Some(Greeting), "421-failure in DNS look-up.", "requireptr"),
        // Charter Postmaster Services (myaccount.charter.com, support article 1953): mail flagged by the anti-spam
        // application "should receive an SMTP reply code of 550 Message Rejected".
        (Some(Data), "550 Message Rejected", "spamdetected"),
        // GoDaddy Help, "Fix rejected email with a bounce error" (godaddy.com/help/40685), and Tigertech's note on
        // GoDaddy's IB212 content filter (support.tigertech.net/godaddy-ib212).
        (
            Some(Data),
            "552 5.2.0 This message has been rejected due to content judged to be spam by the internet community IB212",
            "spamdetected",
        ),
        (
            Some(Greeting),
            "421 Server temporarily unavailable. Try again later. IB101",
            "systemerror",
        ),
        (
            None,
            "Sorry, I wasn't able to establish an SMTP connection. (#4.4.1) I'm not going to try again; this message has been in the queue too long.",
            "expired",
        ),
        // German providers: WEB.DE, GMX and T-Online replies as listed by sitepackage.de ("Typische Fehlermeldungen
        // bei Unzustellbarkeit"), T-Online's (BL) block of a sending IP (explained by T-Online to spamresource.com,
        // 2020-06), comservice-ffo.de "SMTP-Fehlermeldungen", STRATO FAQ "Fehlermeldungen bei E-Mails" (the bracket
        // names the spam rule that matched) and IONOS Help "Error Messages Caused by Undeliverable Email".
        (
            Some(RcptTo),
            "550 Benutzer hat das Speichervolumen ueberschritten. / User has exhausted allowed storage space.",
            "mailboxfull",
        ),
        (
            Some(RcptTo),
            "550 Benutzer hat zuviele Mails auf dem Server. / User has too many messages on the server.",
            "mailboxfull",
        ),
        (Some(RcptTo), "550 5.2.1 <anna@gmx.de>... User is inactive", "suspend"),
        (
            Some(Greeting),
            "554 IP=192.0.2.1 - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.de to clarify.) (BL)",
            "blocked",
        ),
        (
            Some(Data),
            "451 Requested action aborted: local error in processing",
            "systemerror",
        ),
        (
            Some(Data),
            "550 5.7.1 Refused by local policy. No SPAM please! (B-URL)",
            "spamdetected",
        ),
        (Some(RcptTo), "550 Quota Exceeded", "mailboxfull"),
        // La Poste (laposte.net) LPN codes with their bilingual text, as documented on
        // bentonow.com/smtp-errors/laposte and postmastery.com: LPN027_503 refuses the sending host, LPN007_405 an
        // envelope sender that cannot receive mail.
        (
            Some(RcptTo),
            "450 4.7.1 <unknown[192.0.2.1]>: Client host rejected: Service refuse. Veuillez essayer plus tard. Service refused, please try later. LPN027_503",
            "blocked",
        ),
        (
            Some(MailFrom),
            "450 4.1.8 <news@example.com>: Sender address rejected: Emetteur invalide. Invalid Sender. LPN007_405",
            "rejected",
        ),
        // Libero / Virgilio Aiuto, "Messaggi di errore più frequenti dopo invio email" (aiuto.libero.it): the DSN
        // texts, and the status with Libero's own Italian explanation of MAILBOX FULL.
        (None, "MAILBOX FULL (User quota exceeded)", "mailboxfull"),
        (None, "DELIVERY TIME EXPIRED", "expired"),
        (
            None,
            "5.2.2 La casella alla quale stai scrivendo ha raggiunto il limite massimo di capienza consentito",
            "mailboxfull",
        ),
        // Czech hosting (FORPSI knowledge base, "Incoming emails limitation on the mailserver", and GRhosting's
        // Czech "Email se vrátil odesílateli jako nedoručitelný"): the recipient's own block list, SPF, and a full
        // mailbox whose reply leads with 5.1.1; the last case is the status with GRhosting's Czech explanation.
        (
            Some(RcptTo),
            "552 5.1.1 5.2.2 sorry, final recipient mailbox is full (chkuser)",
            "mailboxfull",
        ),
        (
            Some(RcptTo),
            "550 5.1.1 <news@example.com> sender is blocklisted",
            "filtered",
        ),
        (
            Some(Data),
            "550 5.1.0 0bcW1i00G0jifNx01bcmHa blocked by SPF",
            "authfailure",
        ),
        (Some(RcptTo), "552 5.2.2 schránka příjemce je přeplněná", "mailboxfull"),
        // Interia Poczta, "Dlaczego wiadomość nie została dostarczona?" (pomoc.poczta.interia.pl): the SPF reject,
        // and the status with Interia's Polish explanation of "Account not found".
        (
            Some(Data),
            "550 5.7.0 [SPF] 192.0.2.1 is not allowed to send mail from example.com",
            "authfailure",
        ),
        (
            Some(RcptTo),
            "550 5.1.1 Konto do którego próbujesz wysłać maila nie istnieje lub zostało zablokowane.",
            "userunknown",
        ),
        // Yandex Help, "Report on non-delivery to Yandex" (yandex.com/support/mail/bounces/yandex), and Mail.ru's
        // spam and DMARC rejects as quoted with Mail.ru's help links (help.mail.ru/notspam-support,
        // help.mail.ru/.../dmarc).
        (
            Some(Data),
            "554 5.7.1 Message rejected under suspicion of SPAM",
            "spamdetected",
        ),
        (
            Some(Data),
            "550 spam message rejected. Please visit http://help.mail.ru/notspam-support/id",
            "spamdetected",
        ),
        (
            Some(Data),
            "550 5.7.1 This message was not accepted due to domain owner DMARC policy (RFC 7489) https://help.mail.ru/mail-help/postmaster/dmarc",
            "authfailure",
        ),
        // Korean portals (Naver, Daum/Kakao) as catalogued on puffinknight.tistory.com and oliveit.tistory.com:
        // Daum's CCRT is its spam centre blocking the sending IP despite the "busy" wording; a mail denied by the
        // recipient's own spam settings; an inactive mailbox; and a status with the Korean heading for a full
        // mailbox.
        (
            Some(Greeting),
            "421 4.4.5 CCRT 192.0.2.1: Connection refused. Server is busy(RT)",
            "blocked",
        ),
        (
            Some(Data),
            "554 5.0.0 Service unavailable (anna: mail is denied, by spam filter)",
            "filtered",
        ),
        (Some(RcptTo), "550 5.1.1 Inactive mbox", "suspend"),
        (
            Some(RcptTo),
            "552 5.2.2 받는사람의 메일용량이 초과된 경우",
            "mailboxfull",
        ),
        // Japanese carriers and ISPs: NTT docomo's 552 (a full mailbox, per sendmagic's
        // "SMTP応答コードについて【ドコモ編】" on note.com), and DTI's bilingual bounce as shown on dream.jp
        // ("宛先のメールアドレスが見つからなかった場合").
        (Some(Data), "552 Too much mail data anna@docomo.ne.jp", "mailboxfull"),
        (
            None,
            "原因: <anna@example.jp> のユーザーは登録されていません",
            "userunknown",
        ),
        // Mimecast, "Mimecast SMTP Error Codes" (community.mimecast.com/docs/DOC-1369): "Sender address blocked" is
        // the sending IP in a Blocked Senders policy; "User Entry" a block set by the recipient.
        (
            Some(RcptTo),
            "421 Sender address blocked - https://community.mimecast.com/docs/DOC-1369#421",
            "blocked",
        ),
        (
            Some(RcptTo),
            "550 Envelope blocked - User Entry - https://community.mimecast.com/docs/DOC-1369#550",
            "filtered",
        ),
        // Proofpoint as deployed at Hunter College (hunter.cuny.edu ICIT, "Spam Interception"): senders on the
        // real-time blacklist get "550 5.7.0 Local Policy Violation".
        (Some(RcptTo), "550 5.7.0 Local Policy Violation", "blocked"),
        // Sophos Central Email, "SMTP error codes" (docs.sophos.com): each code with its documented description.
        (
            Some(RcptTo),
            "Sender IP address failed an RBL test. XGEMAIL_0004",
            "blocked",
        ),
        (
            Some(RcptTo),
            "Message rejected because a domain, an IP address, or an email address is in the user block list. XGEMAIL_0009",
            "filtered",
        ),
        (
            Some(RcptTo),
            "Message rejected because the recipient's email address doesn't exist in the Sophos Email protected domain. XGEMAIL_0011",
            "userunknown",
        ),
        (
            Some(RcptTo),
            "Message rejected because it exceeded the recipient's inbound rate limit for the single sender. XGEMAIL_0014",
            "speeding",
        ),
        (
            Some(Helo),
            "Message rejected because the TLS version used doesn't match the version configured in your policy. XGEMAIL_0006",
            "securityerror",
        ),
        // Trend Micro's Email Reputation Services deferral (hardwaresecrets.com, "Understanding Email Bounce
        // Messages"), and Hornetsecurity / antispameurope reject codes (support.everycloud.com, "Workspace
        // Classification Codes").
        (
            Some(RcptTo),
            "Mail from 192.0.2.1 deferred using Trend Micro Email Reputation database. Please see https://www.mail-abuse.com/cgi-bin/lookup?192.0.2.1",
            "blocked",
        ),
        (Some(Greeting), "554 5.5.4 Spam IP rejected", "blocked"),
        (Some(Data), "554 5.6.4 Virus E-Mail Blocked", "virusdetected"),
        // Swiss: cyon support, "SMTP Error 550" (cyon.ch/support/a/smtp-error-550), and Cleanmail's SPF rule for
        // bluewin.ch senders ("Stricter rules for accepting mail with sender bluewin.ch").
        (Some(Data), "550 5.7.0 Message Size Violation", "mesgtoobig"),
        (None, "550 Forged sender domain from this server", "authfailure"),
        // hMailServer documentation, "Error messages"
        // (hmailserver.com/documentation/v4.4/?page=reference_error_messages) and its SMTP reply list.
        (
            Some(RcptTo),
            "550 Delivery is not allowed to this address.",
            "norelaying",
        ),
        (Some(Helo), "501 EHLO Invalid domain address.", "syntaxerror"),
        // Exchange Server (on-premises) queue and NDR texts: Microsoft KB 979175 and exchangemaster.ch for the
        // 4.4.0 failover wording, the RESOLVER / SMTPSEND / STOREDRV diagnostic codes of Exchange 2007 and later,
        // and back pressure ("452 4.3.1 Insufficient system resources", explained on spambrella.com). 5.2.3 is a
        // per-recipient size limit.
        (
            None,
            "451 4.4.0 Primary target IP address responded with: \"421 4.4.2 Connection dropped due to SocketError.\" Attempted failover to alternate host, but that did not succeed. Either there are no alternate hosts, or delivery failed to all alternate hosts.",
            "networkerror",
        ),
        (
            None,
            "550 5.4.4 SMTPSEND.DNS.NonExistentDomain; nonexistent domain",
            "hostunknown",
        ),
        (
            None,
            "451 4.4.0 DNS query failed. The error was: DNS query failed with error ErrorRetry",
            "networkerror",
        ),
        (
            Some(RcptTo),
            "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found",
            "userunknown",
        ),
        (
            None,
            "550 5.2.3 RESOLVER.RST.RecipSizeLimit; message too large for this recipient",
            "exceedlimit",
        ),
        (Some(Data), "452 4.3.1 Insufficient system resources", "systemfull"),
        // Postfix local(8) and smtp(8)/smtpd(8) messages (local/, smtp/smtp_proto.c, smtpd/smtpd.c; the certificate
        // failure as logged with dsn=4.7.5): unknown local user, mailbox_size_limit (EFBIG), loops, TLS, queue file
        // errors.
        (None, "unknown user: \"anna\"", "userunknown"),
        (
            None,
            "cannot update mailbox /var/mail/anna for user anna. error writing message: File too large",
            "mailboxfull",
        ),
        (None, "mail forwarding loop for anna@example.org", "networkerror"),
        (None, "mail for example.org loops back to myself", "networkerror"),
        (None, "Server certificate not verified", "securityerror"),
        (
            Some(MailFrom),
            "530 5.7.0 Must issue a STARTTLS command first",
            "securityerror",
        ),
        (Some(Data), "451 4.3.0 Error: queue file write error", "systemerror"),
        (
            None,
            "delivery temporarily suspended: lost connection with mx.example.org[192.0.2.1] while receiving the initial server greeting",
            "networkerror",
        ),
        (
            None,
            "Host or domain name not found. Name service error for name=example.org type=MX: Malformed or unexpected name server reply",
            "networkerror",
        ),
        // Exim's standard texts (the specification: smtp_accept_max_per_host, sender verification, retry rules,
        // hosts_require_tls, message_size_limit) and its smtp transport's errors.
        (
            Some(Greeting),
            "421 Too many concurrent SMTP connections from this IP address; please try again later.",
            "toomanyconn",
        ),
        (
            Some(RcptTo),
            "550-Verification failed for <news@example.com> 550-Unrouteable address 550 Sender verify failed",
            "rejected",
        ),
        (
            None,
            "retry time not reached for any host after a long failure period",
            "expired",
        ),
        (
            None,
            "a TLS session is required, but the server did not offer TLS support",
            "securityerror",
        ),
        (
            None,
            "Remote host mx.example.org [192.0.2.1] closed connection in response to end of data",
            "networkerror",
        ),
        // Sendmail's deliver.c / domain.c texts, qmail-smtpd's badmailfrom reject, and qmail-dmarc's reject
        // (metacpan.org, App::Qmail::DMARC).
        (
            None,
            "Host unknown (Name server: example.invalid: host not found)",
            "hostunknown",
        ),
        (
            None,
            "Deferred: Name server: example.org.: host name lookup failure",
            "networkerror",
        ),
        (None, "451 4.4.1 reply: read error from mx.example.org.", "networkerror"),
        (
            Some(MailFrom),
            "553 sorry, your envelope sender is in my badmailfrom list (#5.7.1)",
            "rejected",
        ),
        (Some(Data), "554 Failed DMARC test.", "authfailure"),
        // A Chinese hosted-mail provider's bounce notes (emailhost.com.cn, "[退信]" articles): the reply fragment
        // with its Chinese explanation; and a Dutch hoster's Exim FAQ (weboke.nl, "Email foutmeldingen"), where
        // "550 5.1.0 Recipient rejected" is "meestal omdat het emailadres zelf niet bestaat".
        (None, "域名不存在:DNS query error", "hostunknown"),
        (None, "网络异常:rcpt handle timeout", "networkerror"),
        (Some(RcptTo), "550 5.1.0 Recipient rejected.", "userunknown"),
    ];

    let misses = misread(cases);

    // Unlike provider_replies.rs, not every case is read right yet: these
    // were written from the documentation before the rules were looked at,
    // to measure them. The figure is printed (`make test` shows it) and may
    // only rise.
    let agree = cases.len() - misses.len();
    println!(
        "documented provider replies: {agree} of {} read as the documentation explains them ({:.1} %)",
        cases.len(),
        100.0 * agree as f64 / cases.len() as f64
    );
    for miss in &misses {
        println!("  {miss}");
    }
    assert!(
        agree >= FLOOR_AGREE,
        "documented replies read right fell to {agree} of {}:\n{}",
        cases.len(),
        misses.join("\n")
    );
}

/// Reached on 2026-11-30: of the first 120 cases, 64 were read right before
/// the rules written from these sources and 99 after; of all 206 (the second
/// 86 added after those rules), 143 before the second round and 170 after.
/// On 2026-12-01, 182: rules of their own for a stated TLS requirement, for
/// refusals of the sending host worded with content words, for a domain's
/// standing with Gmail, for the recipient's own choice, for a gateway's
/// list of its addresses, and Gmail's 4.2.1 in four more languages.
const FLOOR_AGREE: usize = 183;
