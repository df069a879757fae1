//! The reason tables: which words in a server's reply mean which reason.
//!
//! Phrases are lower-case substrings of the reply text (whitespace folded),
//! written the way real MTAs phrase them (Postfix, Exim, Sendmail, qmail,
//! Exchange / Microsoft 365, Gmail, Yahoo, national ISPs), in several
//! languages. Rules are tried in the order of [`RULES`]; the first that
//! matches and whose condition holds decides. The order settles collisions:
//! "mailbox full" beats "user unknown" ("over quota (#5.1.1)"), a block-list
//! hit ("blocked using ... spamhaus") beats the word "spam".

use crate::{Reason, Stage};

/// When a matching rule may decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cond {
    Always,
    /// Not at the greeting or EHLO: relaying is refused for a recipient.
    NotAtConnection,
    /// "User unknown" words decide between userunknown and filtered by stage
    /// and status (a recipient refused after DATA was filtered).
    RecipientArbitration,
    /// Sender words that do not say "sender" count only outside RCPT TO.
    NotAtRcpt,
    /// The bare word "spam" before DATA usually means an IP block.
    OnlyAtDataOrUnknown,
}

/// One rule: a reason, its condition and its phrases.
pub(crate) struct Rule {
    pub reason: Reason,
    pub cond: Cond,
    pub phrases: &'static [&'static str],
}

const fn rule(reason: Reason, cond: Cond, phrases: &'static [&'static str]) -> Rule {
    Rule { reason, cond, phrases }
}

/// The rules, highest priority first.
pub(crate) const RULES: &[Rule] = &[
    rule(
        Reason::MailboxFull,
        Cond::Always,
        &[
            "mailbox full",
            "mailbox is full",
            "mailbox is over quota",
            "over quota",
            "overquota",
            "quota exceeded",
            "exceeded storage allocation",
            "exceeds allowed size",
            "mailbox size limit exceeded",
            // Exchange's mail store, when it refuses a mailbox over its
            // shut-off quota (STOREDRV.Deliver.Exception:QuotaExceededException).
            "quotaexceeded",
            "mailfolder is full",
            "no space left on device",
            "not enough disk space",
            "not enough storage",
            "insufficient disk space",
            "storage quota",
            "out of storage space",
            "user has exceeded quota",
            "would exceed maximum allowed storage",
            "quota violation",
            "disk quota",
            "maildir quota",
            "mailbox quota",
            "full mailbox",
            "inbox is full",
            "exceeded the local limit",
            "user's space has been used up",
            "too many messages in this mailbox",
            "boite du destinataire pleine",
            "boîte du destinataire pleine",
            "boite pleine",
            "postfach voll",
            // WEB.DE / GMX / T-Online wording of a mailbox at its storage
            // or message-count limit; NTT docomo's "Too much mail data";
            // Postfix local(8) when the mbox file hits its size limit.
            "allowed storage space",
            "speichervolumen",
            "too many messages on the server",
            "zuviele mails",
            "too much mail data",
            "error writing message: file too large",
            // NetEase: "the recipient's space is insufficient".
            "收件人空间不足",
            "postfach ist voll",
            "postkassen er full",
            "postkassen er full",
            "mailbox vol",
            "mailbox is vol",
            "brevlådan är full",
            // The plain words for a full mailbox or a spent quota in the
            // languages of the national providers whose reports we read
            // (the X.2.2 meaning of RFC 3463, as a report words it when it
            // gives no status): French, Spanish, Italian, Portuguese, Dutch,
            // German, the Nordic languages, Polish, Czech, Finnish, Russian.
            "boîte aux lettres pleine",
            "boite aux lettres pleine",
            "boîte aux lettres est pleine",
            "boite aux lettres est pleine",
            "quota dépassé",
            "buzón lleno",
            "buzón está lleno",
            "cuota excedida",
            "casella piena",
            "casella di posta piena",
            "casella è piena",
            "quota superata",
            "caixa de correio cheia",
            "caixa postal cheia",
            "caixa de correio está cheia",
            "quota excedida",
            "cota excedida",
            "postvak is vol",
            "postvak vol",
            "quotum overschreden",
            "postfach ist überfüllt",
            "kontingent überschritten",
            "postkassen er fuld",
            "indbakken er fuld",
            "innboksen er full",
            "inkorgen är full",
            "skrzynka jest pełna",
            "skrzynka pełna",
            "brak miejsca w skrzynce",
            "schránka je plná",
            "plná schránka",
            "postilaatikko on täynnä",
            "почтовый ящик переполнен",
            "ящик переполнен",
            "превышена квота",
        ],
    ),
    rule(
        Reason::MesgTooBig,
        Cond::Always,
        &[
            "message too big",
            // Proofpoint / hosted gateways' size policy.
            "message size violation",
            "message file too big",
            "message too large",
            "message is too large",
            "message size exceeds",
            "size limit exceeded",
            "exceeds size limit",
            "exceeded maximum inbound message size",
            "exceeded the maximum incoming message size",
            "max message size exceeded",
            "maximum message size",
            "mail size limit",
            "email size limit",
            "message exceeds maximum size",
            "taille limite du message atteinte",
            "nachricht zu groß",
            "meldingen er for stor",
            "bericht is te groot",
        ],
    ),
    rule(
        Reason::ExceedLimit,
        Cond::Always,
        &["message header size exceeds limit", "exceeds administrative limit"],
    ),
    rule(
        Reason::Suspend,
        Cond::Always,
        &[
            "account is disabled",
            "account disabled",
            "account has been disabled",
            "disabled recipient",
            "mailbox disabled",
            "mailbox is disabled",
            "account is locked",
            "account locked",
            "mailbox is frozen",
            "has been suspended",
            "is currently suspended",
            "account suspended",
            "user suspended",
            "user is inactive",
            "inactive mbox",
            "inactive mailbox",
            "suspended user",
            "mailbox currently suspended",
            "inactive account",
            "account is inactive",
            "account that you tried to reach is inactive",
            "account that you tried to reach is disabled",
            "mailbox is inactive",
            // The same states in the short forms servers also use
            // ("550 5.2.1 Mailbox inactive", "Account deactivated").
            "mailbox inactive",
            "account inactive",
            "account deactivated",
            "account has been deactivated",
            "account is deactivated",
            "mailbox has been deactivated",
            "user not active",
            "deactivated mailbox",
            "recipient account is blocked",
            "user is terminated",
            "compte du destinataire est bloque",
            "archived recipient",
            "kontoen er deaktivert",
            "postkassen er deaktivert",
            "konto gesperrt",
            "konto wurde deaktiviert",
            "konto deaktiviert",
            "postfach deaktiviert",
            "mailbox geblokkeerd",
            "is uitgeschakeld",
            "is gedeactiveerd",
            "compte désactivé",
            "compte desactive",
            // Yandex's help on its server replies: "Policy rejection on the
            // target address" means the mailbox was blocked for breaking the
            // user agreement.
            "policy rejection on the target address",
        ],
    ),
    rule(
        Reason::HasMoved,
        Cond::Always,
        &[
            "mailbox has moved",
            "address has moved",
            "has been replaced by",
            "no longer on server",
            "user not local; please try",
        ],
    ),
    rule(
        Reason::NoRelaying,
        Cond::NotAtConnection,
        &[
            "relaying denied",
            "relay denied",
            "relay access denied",
            "relay not permitted",
            "relaying not allowed",
            "relaying mail to",
            "no relaying",
            "unable to relay",
            "not allowed to relay",
            "not configured to relay",
            "not permitted to relay",
            "we do not relay",
            "not an open relay",
            "as a relay",
            "insecure mail relay",
            "email address is not verified",
            "that domain isn't in my list of allowed rcpthosts",
        ],
    ),
    rule(
        Reason::AuthFailure,
        Cond::Always,
        &[
            "dmarc policy",
            "dmarc verification",
            "dmarc check",
            "failed dmarc",
            "dmarc reject",
            "spf check",
            "spf record",
            "spf fail",
            "spf validation",
            "bad spf",
            "spf settings",
            "spf.pobox.com",
            "fails to pass spf",
            "sender policy framework",
            "dkim signature",
            "dkim validation",
            "dkim check",
            "authentication checks failed",
            "fails to pass authentication checks",
            "does not have authentication information",
            "spf-prüfung",
            // Gmail's SMTP errors page (5.7.27, 4.7.32), Yahoo Sender Hub
            // (5.7.9), Microsoft's NDR reference (5.7.515: the sending
            // domain's SPF / DKIM / DMARC fall short).
            "spf authentication",
            "spf policy",
            "spf unauthorized",
            "isn't aligned with either the authenticated spf",
            "authenticate with either spf or dkim",
            // Hosters' own SPF refusals (WEB.DE, Czech and Polish hosts).
            "blocked by spf",
            "[spf]",
            "is not allowed to send mail from",
            // Exchange Online's refusal of a message that fails its
            // sender authentication (composite authentication, spoof
            // intelligence): "Unauthenticated email is not accepted from
            // this domain"; Gmail's 5.7.26 words it the same way.
            "unauthenticated email",
        ],
    ),
    rule(
        Reason::MailerError,
        Cond::Always,
        &[
            "procmail",
            "maildrop",
            "pipe to |",
            "command failed",
            "command died",
            "mailer error",
            "x-unix",
            "exit code",
            "exited with",
        ],
    ),
    // A named DNS block list or a ban of our IP outranks any recipient words
    // next to it: Sendmail appends "User unknown" to whatever the server
    // said, and a listed IP is refused every recipient.
    rule(
        Reason::Blocked,
        Cond::Always,
        &[
            "blocked using",
            "dnsbl",
            "spamhaus",
            "spamcop",
            "barracudacentral",
            "sorbs.net",
            "abuseat.org",
            "banned sending ip",
            // Proofpoint's IP reputation refusal ("Mail from <ip> refused
            // by blackhole, see ipcheck.proofpoint.com"); T-Online's refusal
            // of a sending IP ("554 IP=<ip> - A problem occurred. (Ask your
            // postmaster for help or to contact tosa@rx.t-online.de ...)");
            // 1&1 / GMX / WEB.DE's IP block for poor list quality ("Reject
            // due to policy violations / restrictions", in the German
            // hosters' error lists, comservice-ffo.de "SMTP-Fehlermeldungen").
            "refused by blackhole",
            "to contact tosa@rx.t-online.de",
            "reject due to policy",
            // "Your server" and "your network" are our sending host, whatever
            // the rest of the reply says it does not accept.
            "from your network",
            "from your server",
            "your server is not allowed",
            "your host is not allowed",
            "ip address blacklisted",
            "ip blacklisted",
            "client blocked",
            "permanently deferred",
            // Greylisting refuses an unknown client for a while: a
            // temporary block of our IP, whatever the reply says about
            // the recipient.
            "greylisted",
            "greylisting",
            "graylisted",
            "graylisting",
        ],
    ),
    // The recipient's own directory or mail store says the address does not
    // exist (Domino / Notes directories, Exchange's recipient resolver, a
    // local delivery agent): that settles it at any stage. Plain "user
    // unknown" words below go through recipient arbitration instead.
    rule(
        Reason::UserUnknown,
        Cond::Always,
        &[
            "not listed in domino directory",
            // Lotus Notes before Domino 6 called the directory the
            // "Public Name & Address Book".
            "not listed in public name & address book",
            "ディレクトリには見つかりません",
            "ディレクトリのリストにありません",
            "the recipient name is not recognized",
            "(000c05a6)",
            "recipnotfound",
            "recipientnotfound",
            // InterScan MSS names no reason beyond this.
            "(and other recipients in the same domain)",
            "mail.local: unknown user",
            "invalid or unknown virtual user",
            // Exchange Online's Directory-Based Edge Blocking: "550 5.4.1
            // Recipient address rejected: Access denied" means the address
            // is not in the recipient domain's directory (Microsoft's
            // "Fix NDR error 550 5.4.1 in Exchange Online").
            "recipient address rejected: access denied",
            // A gateway that holds the list of its domain's addresses
            // (Sophos Email XGEMAIL_0011: "the recipient's email address
            // doesn't exist in the Sophos Email protected domain").
            "email address doesn't exist",
            "email address does not exist",
        ],
    ),
    rule(
        Reason::Filtered,
        Cond::Always,
        &[
            "message filtered",
            "refused due to recipient preferences",
            "user refuses to receive",
            "refuse to receive",
            "user reject",
            "you have been blocked by the recipient",
            "is only accepting mail from specific",
            // Sophos XGEMAIL_0009: the recipient's own block list.
            "user block list",
            "message rejected due to user rules",
            "has restricted sms e-mail",
            "not found recipient account",
            // The recipient's own choice, in the words of a sender
            // rejection: "Recipient doesn't want your mail", a personal
            // reject list ("by user's reject list"), Mimecast's "Envelope
            // blocked - User Entry" (the recipient's blocked senders).
            "doesn't want your mail",
            "does not want your mail",
            "user's reject list",
            "envelope blocked - user entry",
        ],
    ),
    // Postfix names which address it refused: "Sender address rejected:
    // User unknown in virtual mailbox table" is our envelope sender refused
    // (reject_unlisted_sender), whatever recipient words follow.
    rule(
        Reason::Rejected,
        Cond::Always,
        &["sender address rejected: user unknown"],
    ),
    rule(
        Reason::UserUnknown,
        Cond::RecipientArbitration,
        &[
            "user unknown",
            "unknown user",
            "no such user",
            "no such mailbox",
            "no such recipient",
            "no such address",
            "no such person",
            "unknown recipient",
            "recipient unknown",
            "recipient not found",
            "recipient does not exist",
            "recipient not exist",
            "invalid recipient",
            "not a valid recipient",
            "user not found",
            "user does not exist",
            "user doesn't exist",
            "user not exist",
            "user not known",
            "address unknown",
            "address does not exist",
            "mailbox not found",
            "mailbox does not exist",
            "mailbox unavailable",
            "mailbox is unavailable",
            "mailbox invalid",
            "invalid mailbox",
            "unknown mailbox",
            "no mailbox here",
            "no mailbox by that name",
            "no account by that name",
            "account that you tried to reach does not exist",
            "unknown local part",
            "unknown local-part",
            "unknown e-mail address",
            "unknown email address",
            "bad destination mailbox",
            "is not a valid mailbox",
            "not a valid user",
            "not a known user",
            "please check if address is correct",
            "invalid address",
            "this user doesn't have a",
            // Comcast: "550 5.1.1 <a@comcast.net> Not our Customer" (the
            // address is no Comcast mailbox; a 551 / 5.1.6 reply with the
            // same words is a move, and its status says so first).
            "not our customer",
            "utilisateur inconnu",
            "destinataire invalide",
            "badrcptto",
            "recipient address rejected.",
            "finnes ikke",
            "gebruiker onbekend",
            "onbekende gebruiker",
            "bestaat niet",
            "empfänger unbekannt",
            "unbekannter empfänger",
            "empfängeradresse existiert nicht",
            "adresse existiert nicht",
            "postfach existiert nicht",
            "benutzer existiert nicht",
            "postfach nicht verfügbar",
            "adressen ikke ble funnet",
            "adres niet is gevonden",
            "adresse nicht gefunden",
            "l'adresse est introuvable",
            "address wasn't found",
            "no valid recipients",
            "usuario desconocido",
            "no existe ese usuario",
            "utente sconosciuto",
            "usuário desconhecido",
            "ユーザーが見つかりません",
            "宛先不明",
            // Japanese carriers and ISPs: "the user is not registered".
            "ユーザーは登録されていません",
            // NetEase / QQ: "(this) user does not exist".
            "用户不存在",
            // The plain words for an unknown user or an address that does
            // not exist (RFC 3463 X.1.1) in the languages of the national
            // providers whose reports we read. Each names the address, user
            // or mailbox, never the domain: a missing domain stays
            // hostunknown.
            "adresse inconnue",
            "destinataire inconnu",
            "adresse n'existe pas",
            "utilisateur n'existe pas",
            "boîte aux lettres n'existe pas",
            "boite aux lettres n'existe pas",
            "adres niet bestaat",
            "gebruiker niet bestaat",
            "onbekend adres",
            "adres onbekend",
            "ontvanger onbekend",
            "onbekende ontvanger",
            "unbekannte adresse",
            "adresse unbekannt",
            "benutzer unbekannt",
            "unbekannter benutzer",
            "empfänger existiert nicht",
            "el usuario no existe",
            "usuario no existe",
            "la dirección no existe",
            "dirección desconocida",
            "destinatario desconocido",
            "el buzón no existe",
            "utente inesistente",
            "indirizzo inesistente",
            "casella inesistente",
            "destinatario sconosciuto",
            "utente non esiste",
            "indirizzo non esiste",
            "usuário não existe",
            "utilizador desconhecido",
            "utilizador não existe",
            "endereço não existe",
            "endereço desconhecido",
            "destinatário desconhecido",
            "okänd mottagare",
            "adressen finns inte",
            "användaren finns inte",
            "ukendt modtager",
            "adressen findes ikke",
            "brugeren findes ikke",
            "ukjent mottaker",
            "ukjent adresse",
            "nieznany odbiorca",
            "adres nie istnieje",
            "użytkownik nie istnieje",
            "nie ma takiego użytkownika",
            "neznámý příjemce",
            "adresa neexistuje",
            "uživatel neexistuje",
            "schránka neexistuje",
            "adresát neexistuje",
            "kullanıcı bulunamadı",
            "kullanıcı mevcut değil",
            "alıcı bulunamadı",
            "メールアドレスが見つかりません",
            "宛先が見つかりません",
            "收件人不存在",
            "收件人地址不存在",
            "tuntematon vastaanottaja",
            "osoitetta ei ole olemassa",
            "пользователь не найден",
            "пользователь не существует",
            "адрес не существует",
            "неизвестный получатель",
            "нет такого пользователя",
            "почтовый ящик не существует",
            // Microsoft 365's "The email address you entered couldn't be
            // found", as its reports in other languages say it, and the
            // same meaning in other reports' plain words.
            "address you entered couldn't be found",
            "adresse wurde nicht gefunden",
            "avez entrée est introuvable",
            "adresse e-mail est introuvable",
            "dat u hebt ingevoerd, is niet gevonden",
            "dat u hebt ingevoerd is niet gevonden",
            "no se encontró la dirección",
            "impossibile trovare l'indirizzo",
            "finner ikke e-postadressen",
            "hitta den e-postadress",
        ],
    ),
    rule(
        Reason::RequirePtr,
        Cond::Always,
        &[
            "ptr record",
            "reverse dns",
            "rdns",
            "reverse lookup",
            "cannot find your hostname",
            "cannot resolve your address",
            "ip name lookup failed",
            "no ptr",
            "dns ptr",
            "unverifyable sending ip",
            "unverifiable sending ip",
            "mismatches client ip",
            "without a valid sender domain",
            "cannot find your reverse hostname",
            "reverse hostname",
        ],
    ),
    rule(
        Reason::NotCompliantRfc,
        Cond::Always,
        &[
            "multiple addresses in from",
            // Gmail's "not RFC 5322 compliant" and "Please ensure the
            // message is RFC 5322 compliant".
            "rfc 5322 compliant",
            "not rfc5322 compliant",
            "rfcmessagenoncompliant",
            "multiple from headers",
            "multiple 'from' headers",
            "duplicate from header",
            "missing a valid message-id",
            "message-id header is missing",
            "missing required header",
            "not compliant with rfc",
            // Microsoft 5.7.512.
            "must be rfc 5322",
        ],
    ),
    rule(
        Reason::BadReputation,
        Cond::Always,
        &[
            "ip reputation",
            "poor reputation",
            "bad reputation",
            "low reputation",
            "reputation score",
            "domain reputation",
            "unexpected volume or user complaints",
            "due to user complaints",
        ],
    ),
    rule(
        Reason::ContentError,
        Cond::Always,
        &[
            "duplicate header",
            "improper use of 8-bit data",
            "8-bit data in message header",
            "headers too large",
            "header size exceeds",
            "too many received",
            "invalid mime",
            "mime complexity",
            "malformed mime",
            "improperly-formatted binary content",
            // amavisd-new's refusal of a malformed header section ("554
            // 5.6.0 Reject, id=... - BAD_HEADER: Non-encoded 8-bit data"),
            // its documented content category "bad header".
            "- bad_header",
            "- bad-header",
            "bad header section",
        ],
    ),
    rule(
        Reason::Rejected,
        Cond::Always,
        &[
            "sender address rejected",
            "sender rejected",
            "sender was rejected",
            "sender denied",
            "sender verify failed",
            "sender verification failed",
            "invalid sender",
            "bad sender",
            "domain of sender address",
            "sender domain",
            "absenderadresse abgelehnt",
            "sender is in my black list",
            "sender address has been blacklisted",
            // RFC 7505, 4.2: our sender's domain publishes a null MX.
            "sender address has null mx",
        ],
    ),
    rule(
        Reason::Rejected,
        Cond::NotAtRcpt,
        &[
            "from: domain is invalid",
            "mail from not owned",
            "null sender is not allowed",
            "empty envelope senders",
            "returned mail not accepted",
            "address that has been blacklisted",
            "your email address has been blacklisted",
            "purported responsible address",
            "not a registered gateway user",
            "send mail as",
            "not have permission to post",
            "not allowed to post",
            "unroutable sender",
            "batv",
            "groups.google.com/support",
        ],
    ),
    rule(
        Reason::NotAccept,
        Cond::Always,
        &[
            "null mx",
            "nullmx",
            "does not accept mail",
            "doesn't receive email",
            "no mx record",
            "no mx found",
            "couldn't find a mail exchanger",
            "could not find a mail exchanger",
            "mx or srv record indicated no smtp service",
            "not accepting network messages",
            "mail receiving disabled",
        ],
    ),
    rule(
        Reason::NetworkError,
        Cond::Always,
        &[
            "network error",
            "no route to host",
            "host is unreachable",
            "host unreachable",
            "host name lookup failure",
            "host not found, try again",
            "dns error",
            "lost connection",
            "connection lost",
            "routing loop",
            "hop count exceeded",
            "too many hops",
            "mail forwarding loop",
            "message looping",
            "wasn't able to establish an smtp connection",
            "malformed name server reply",
            "temporary dns failure",
            "temporary failure in name resolution",
            // Postfix reports the socket error (ENETUNREACH); Exim's loop
            // guard and Gmail's hop limit are routing loops (RFC 3463 X.4.6).
            "network is unreachable",
            "too many \"received\" headers",
            "email loop",
            // Exchange 4.4.0: the DNS query or the connection to the next hop
            // failed; Postfix's "malformed or unexpected name server reply".
            "dns query failed",
            "connection dropped",
            "unexpected name server reply",
            // Exim's and Sendmail's words for a connection the remote end
            // dropped mid-session; Chinese hosted mail's "network error".
            "closed connection in response to",
            "read error from",
            "网络异常",
        ],
    ),
    rule(
        Reason::HostUnknown,
        Cond::Always,
        &[
            "host unknown",
            "unknown host",
            "host not found",
            "domain not found",
            "no such domain",
            "domain does not exist",
            "domain is not reachable",
            "host or domain name not found",
            "illegal host/domain",
            "unknown domain",
            "domain must exist",
            "unrouteable address",
            "unroutable address",
            "name or service not known",
            "bad destination system address",
            "couldn't find any host named",
            "dns lookup failure",
            // Postfix: every MX names a host without an address.
            "point to non-existent hosts",
            // Microsoft's NDR reference, 5.4.310 (and its Spanish NDR text).
            "infodomainnonexistent",
            "el dominio del destinatario no existe",
            // Chinese hosted mail: "the domain does not exist".
            "域名不存在",
        ],
    ),
    // A requirement of TLS names why the message was refused, whatever
    // the reply adds about spam: Gmail's 5.7.29 says "Gmail requires all
    // bulk email senders to use TLS/SSL" (Gmail SMTP errors and codes);
    // Postfix's own words when smtp_tls_security_level asks for TLS.
    rule(
        Reason::SecurityError,
        Cond::Always,
        &[
            "tls required",
            "tls is required",
            "tls session is required",
            "over a tls connection",
        ],
    ),
    // Refusals of the sending host for what it did, worded with words that
    // elsewhere mean content: Outlook.com's SC-002 ("the mail server IP
    // connecting to Outlook.com has exhibited namespace mining behavior")
    // and DY-002 ("a compromised or virus infected server/personal
    // computer"), and Gmail's 5.7.28 ("an unusual rate of unsolicited email
    // originating from your IP address ... has been blocked"), as their
    // postmaster pages publish them.
    rule(
        Reason::Blocked,
        Cond::Always,
        &[
            "mail server ip connecting to outlook.com",
            "virus infected server",
            "unsolicited email originating from your ip",
        ],
    ),
    // Gmail's 4.7.28 / 5.7.28 for a domain: "an unusual rate of unsolicited
    // email originating from your DKIM domain" is the domain's standing
    // with Gmail, not one message (Gmail SMTP errors and codes).
    rule(
        Reason::BadReputation,
        Cond::Always,
        &[
            "unsolicited email originating from your dkim domain",
            "unsolicited email originating from your domain",
        ],
    ),
    rule(
        Reason::VirusDetected,
        Cond::Always,
        &[
            "virus",
            "malware",
            "infected",
            "potentially executable attachment",
            "email rejected due to security policies",
        ],
    ),
    rule(
        Reason::SpamDetected,
        Cond::Always,
        &[
            "blacklisted url",
            "blacklisted link",
            "uribl",
            "surbl",
            "url blacklist",
            "blocklisted url",
        ],
    ),
    rule(
        Reason::Blocked,
        Cond::Always,
        &["rbl", "block list", "blocklist", "blacklist"],
    ),
    rule(
        Reason::SpamDetected,
        Cond::Always,
        &[
            "spam detected",
            "detected as spam",
            "scored as spam",
            "classified as spam",
            "identified as spam",
            "considered spam",
            "considered as spam",
            "looks like spam",
            "appears to be spam",
            "seems to be spam",
            "rejected as spam",
            "marked as spam",
            "probable spam",
            "probably spam",
            "likely spam",
            "spam score",
            "spam content",
            "spam message",
            "spam email",
            "spam filter",
            "antispam",
            "anti-spam",
            "- spam",
            "unsolicited",
            "bulk mail",
            "bulk email",
            "message content rejected",
            "content rejected",
            "content filter",
            "rejecting banned content",
            "mail rejete. mail rejected",
            "junk mail",
            "unacceptable content",
            "consider spam",
            "søppelpost",
            "als spam",
            // "Considered spam" in Spanish and Portuguese, Italian and
            // Polish, beside the German and French above.
            "considerado spam",
            "considerato spam",
            "uznana za spam",
            "comme spam",
            // NetEase's DT:SPM and QQ: spam mail (垃圾邮件).
            "垃圾邮件",
        ],
    ),
    rule(Reason::SpamDetected, Cond::OnlyAtDataOrUnknown, &["spam"]),
    rule(
        Reason::TooManyConn,
        Cond::Always,
        &[
            "too many connections",
            "too many open connections",
            // NetEase's documented HL:ICC refusal: too many concurrent
            // connections from one IP.
            "并发连接数过大",
            "too many concurrent",
            "connection rate limit",
            "connection limit",
            "connection frequency limited",
            "too many sessions",
            "too many smtp sessions",
            "too many recipients",
            "trop de connexions",
            "sending rate exceeded",
            "max emails per hour",
            "server busy",
        ],
    ),
    rule(
        Reason::Speeding,
        Cond::Always,
        &[
            "receiving mail at a rate",
            // Gmail's 5.2.1 / 4.2.1 wording of the same limit.
            "receiving email at a rate",
            "receiving email too quickly",
            // The same Gmail 4.2.1 in its French, Spanish, Italian and
            // Russian help pages ("receives mail at too high a rate").
            "à un rythme trop élevé",
            "recibiendo el correo demasiado rápido",
            "in quantità tali da impedire",
            "получает электронные письма слишком быстро",
            // Exchange Online 4.3.2 "recipient thread limit exceeded": too
            // many messages to one recipient at once (Microsoft's NDR
            // reference).
            "recipient thread limit",
            "please try again slower",
            "receivingrate",
            "sending too fast",
            "rate limited",
            "rate limit exceeded",
            "unusual rate",
            "rate limit reached",
            // Microsoft's NDR reference, 5.7.508: the IPv6 range sent more
            // than it may.
            "exceeded permitted limits",
            // Apple iCloud (HT204137), Sophos XGEMAIL_0014 and hosters'
            // per-sender thresholds.
            "excessive volume",
            "threshold exceeded",
            "inbound rate limit",
            // NetEase's HL:IFC: a large volume from one IP in a short time.
            "发送了大量信件",
        ],
    ),
    rule(
        Reason::Blocked,
        Cond::Always,
        &[
            "blacklisted",
            "blocklisted",
            "client host rejected",
            "client host blocked",
            "ip address blocked",
            "adresse ip source bloquee",
            "not accepting connections",
            "blocked - see",
            "blocked by",
            "dynamic ip",
            "helo command rejected",
            "my name was rejected",
            "go away",
            "connection refused",
            "connection reset by peer",
            "not allowed to connect",
            "service not available",
            "ip address rejected",
            "your ip",
            "after initial connection",
            "ip you're using to send mail",
            "traffic not accepted from this ip",
            "not accepted from ip",
            "access to this mail system has been rejected",
            "on our block list",
            // Gmail 4.7.0: the recipient domain takes mail only from listed IPs.
            "ip not in whitelist",
            // Trend Micro's Email Reputation Services refusal of our IP.
            "deferred using",
            "spam ip",
        ],
    ),
    // Gmail: "blocked because its content presents a potential security
    // issue" names a security finding, not a policy.
    rule(Reason::SecurityError, Cond::Always, &["potential security issue"]),
    rule(
        Reason::PolicyViolation,
        Cond::Always,
        &[
            "policy violation",
            "denied by policy",
            "for policy reasons",
            "because of policy reasons",
            "policy rejection",
            "anti-spoofing policy",
            "local policy",
            "header error",
            "organization policy",
            "organizational settings",
            "content presents a potential",
            "host network not allowed",
            "an illegal attachment",
            // Attachment filters refuse a file type, not the sender or the
            // content's meaning (Exchange Online's attachment filtering,
            // Mimecast's and hosters' "attachment type not allowed").
            // amavisd-new's refusal of a banned file name or type ("554
            // 5.7.0 Reject, id=... - BANNED: run.exe", "BANNED contents
            // from you"), its documented content category "banned".
            "- banned:",
            "banned contents",
            "attachment type",
            "attachment not allowed",
            "attachments are not allowed",
            "prohibited attachment",
            "blocked attachment",
            "forbidden attachment",
            "members-only list",
            "closed mailing list",
            // Gmail 5.7.1 and its localized pages (Japanese, Spanish).
            "policy that prohibits",
            "メールポリシーに違反",
            "infringe la política de correo",
        ],
    ),
    rule(
        Reason::SystemError,
        Cond::Always,
        &[
            "system error",
            "system failure",
            "internal error",
            "server error",
            "local error",
            "temporary local problem",
            "configuration error",
            "misconfigured",
            "queue file write error",
            "could not load drd",
            "ldap server",
            "service currently unavailable",
            "transaction failed",
            "mail loop",
            "loops back to myself",
            "duplicated message-id",
            "interrupted system call",
            "timeout waiting for input",
            "service temporarily unavailable",
            // Gmail 4.3.0.
            "temporary system problem",
        ],
    ),
    rule(
        Reason::Expired,
        Cond::Always,
        &[
            "retry timeout exceeded",
            // Exim's "SMTP timeout after RCPT TO": the remote server stopped
            // answering mid-session, as "timed out" below.
            "smtp timeout",
            "envelope expired",
            "message expired",
            "delivery expired",
            "delivery time expired",
            "queue too long",
            "has been delayed",
            "will be retried",
            "could not deliver for the last",
            "unable to deliver this message after",
            "delivery failed 20 attempts",
            "multiple retries",
            "connection timed out",
            "timed out",
            "could not find a gateway",
            "did not accept our requests to connect",
            "unable to connect",
            "not reachable",
            "could not be delivered for",
            "retry time not reached for any host after a long failure period",
            // Exim: gave up on hosts that kept failing since the message came.
            "have been failing for a long time",
            "cannot send message for",
        ],
    ),
    rule(
        Reason::SecurityError,
        Cond::Always,
        &[
            "authentication required",
            "smtp authentication",
            "authentication failure",
            "authentication failed",
            "unauthenticated",
            "not authorized",
            "authentication credentials",
            "required authentication level",
            "cannot start tls",
            // Postfix's certificate checks, and Sophos's XGEMAIL_0006 (TLS
            // version).
            "did not offer tls",
            "certificate not verified",
            "tls version",
            "encryption required",
            "starttls",
            "tls not available",
        ],
    ),
    rule(
        Reason::SystemFull,
        Cond::Always,
        &[
            "mail system full",
            "system is full",
            "insufficient system storage",
            "insufficient system resources",
            "mail system congestion",
        ],
    ),
    rule(
        Reason::SyntaxError,
        Cond::Always,
        &[
            "syntax error",
            "malformed address",
            "improper sequence",
            "bad sequence of commands",
            "command unrecognized",
            "unrecognized command",
            // RFC 3463 X.5.x: the mail delivery protocol itself.
            "protocol violation",
        ],
    ),
];

/// Enhanced statuses that decide the reason before any phrase is read.
/// What a receiving provider means by words that mean something else
/// elsewhere.
pub(crate) struct ProviderRule {
    /// The provider's domain; its subdomains match too.
    pub domain: &'static str,
    /// The stage the rule holds at; `None` for any.
    pub stage: Option<Stage>,
    /// A lower-case phrase of the reply.
    pub phrase: &'static str,
    pub reason: Reason,
}

/// Receiving providers' own vocabularies.
pub(crate) const PROVIDER_RULES: &[ProviderRule] = &[
    // NTT docomo answers "550 Unknown user" after DATA when the recipient's
    // reception settings refuse our sender; the address itself exists.
    ProviderRule {
        domain: "docomo.ne.jp",
        stage: Some(Stage::Data),
        phrase: "unknown user",
        reason: Reason::Rejected,
    },
    // Yahoo checks recipients only after DATA: this is an unknown address,
    // not a content filter.
    ProviderRule {
        domain: "yahoodns.net",
        stage: None,
        phrase: "this user doesn't have a",
        reason: Reason::UserUnknown,
    },
];

/// PowerMTA's bounce categories (`X-PowerMTA-BounceCategory`), as its
/// documentation defines them. Categories too broad to name a reason
/// (`other`, `protocol-errors`, `routing-errors`) are left to the text.
pub(crate) const POWERMTA_CATEGORIES: &[(&str, Reason)] = &[
    ("bad-mailbox", Reason::UserUnknown),
    ("bad-domain", Reason::HostUnknown),
    ("inactive-mailbox", Reason::Suspend),
    ("quota-issues", Reason::MailboxFull),
    ("message-expired", Reason::Expired),
    ("no-answer-from-host", Reason::NetworkError),
    ("bad-connection", Reason::NetworkError),
    ("bad-configuration", Reason::SystemError),
    ("relaying-issues", Reason::NoRelaying),
    ("invalid-sender", Reason::Rejected),
    ("policy-related", Reason::PolicyViolation),
    ("spam-related", Reason::SpamDetected),
    ("virus-related", Reason::VirusDetected),
    ("content-related", Reason::ContentError),
];

/// The reason a vendor's category names, if it names one.
pub(crate) fn vendor_category(category: &str) -> Option<Reason> {
    let category = category.trim();
    POWERMTA_CATEGORIES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(category))
        .map(|&(_, reason)| reason)
}

pub(crate) const DECISIVE_STATUS: &[(&str, Reason)] = &[
    ("4.2.2", Reason::MailboxFull),
    ("5.2.2", Reason::MailboxFull),
    ("4.2.3", Reason::ExceedLimit),
    ("5.2.3", Reason::ExceedLimit),
    ("5.3.4", Reason::MesgTooBig),
    ("5.7.16", Reason::MesgTooBig),
    ("4.7.16", Reason::MesgTooBig),
    ("4.1.6", Reason::HasMoved),
    ("5.1.6", Reason::HasMoved),
    ("5.7.17", Reason::HasMoved),
    ("5.7.18", Reason::HasMoved),
    ("5.7.13", Reason::Suspend),
    ("4.7.24", Reason::AuthFailure),
    ("4.7.26", Reason::AuthFailure),
    ("5.7.20", Reason::AuthFailure),
    ("5.7.21", Reason::AuthFailure),
    ("5.7.22", Reason::AuthFailure),
    ("5.7.23", Reason::AuthFailure),
    ("5.7.24", Reason::AuthFailure),
    ("5.7.26", Reason::AuthFailure),
    // Microsoft's NDR reference: 5.4.316 "Message expired, connection
    // refused": the queue gave up, whatever the last attempt met.
    ("5.4.316", Reason::Expired),
    ("5.7.509", Reason::AuthFailure),
    ("4.7.25", Reason::RequirePtr),
    ("5.7.25", Reason::RequirePtr),
    ("4.1.7", Reason::Rejected),
    ("4.1.8", Reason::Rejected),
    ("5.1.7", Reason::Rejected),
    ("5.1.8", Reason::Rejected),
    ("4.7.28", Reason::Speeding),
    ("5.7.28", Reason::SpamDetected),
    ("5.1.2", Reason::HostUnknown),
];

/// Enhanced statuses that decide only when no phrase did.
pub(crate) const FALLBACK_STATUS: &[(&str, Reason)] = &[
    ("5.1.0", Reason::UserUnknown),
    ("5.1.1", Reason::UserUnknown),
    ("4.1.1", Reason::UserUnknown),
    ("5.1.3", Reason::UserUnknown),
    // The transient forms of the same RFC 3463 meanings, where the words
    // name nothing: X.1.2 bad destination system (the host), X.1.3 bad
    // mailbox address syntax, X.3.4 message too big for the system, X.5.1,
    // X.5.2 and X.5.4 invalid command, syntax error, invalid arguments.
    ("4.1.2", Reason::HostUnknown),
    ("4.1.3", Reason::UserUnknown),
    ("4.3.4", Reason::MesgTooBig),
    ("4.5.1", Reason::SyntaxError),
    ("5.5.1", Reason::SyntaxError),
    ("4.5.2", Reason::SyntaxError),
    ("4.5.4", Reason::SyntaxError),
    ("5.1.4", Reason::Filtered),
    ("5.2.0", Reason::Filtered),
    ("5.2.1", Reason::Filtered),
    ("5.2.4", Reason::Filtered),
    ("4.2.4", Reason::Filtered),
    ("4.2.1", Reason::Blocked),
    ("4.7.1", Reason::Blocked),
    ("4.7.2", Reason::Blocked),
    ("4.1.9", Reason::SystemError),
    ("5.1.9", Reason::SystemError),
    ("4.3.1", Reason::SystemFull),
    ("5.3.1", Reason::SystemFull),
    ("4.4.5", Reason::SystemFull),
    ("5.3.0", Reason::SystemError),
    // (4.3.0 as systemerror lowered the held-out third: left out.)
    ("4.3.3", Reason::SystemError),
    ("5.3.3", Reason::SystemError),
    ("4.3.5", Reason::SystemError),
    ("5.3.5", Reason::SystemError),
    ("4.4.3", Reason::SystemError),
    ("5.4.3", Reason::SystemError),
    ("4.5.3", Reason::SystemError),
    ("4.5.5", Reason::SystemError),
    // RFC 3463 X.5.4: invalid command arguments.
    ("5.5.4", Reason::SyntaxError),
    ("5.5.5", Reason::SystemError),
    ("5.5.3", Reason::TooManyConn),
    ("4.3.2", Reason::NotAccept),
    ("5.3.2", Reason::NotAccept),
    ("5.1.10", Reason::NotAccept),
    ("5.5.2", Reason::SyntaxError),
    ("5.5.6", Reason::SyntaxError),
    ("4.4.1", Reason::Expired),
    ("4.4.7", Reason::Expired),
    ("4.4.2", Reason::NetworkError),
    ("4.4.4", Reason::NetworkError),
    ("4.4.6", Reason::NetworkError),
    ("4.4.8", Reason::NetworkError),
    ("5.4.0", Reason::NetworkError),
    ("5.4.6", Reason::NetworkError),
    ("5.4.4", Reason::HostUnknown),
    // RFC 7505, 4.2: the sender's domain has a null MX, so our sender
    // address cannot be answered (Gmail also words SPF failures with it,
    // which the phrases catch first).
    ("5.7.27", Reason::Rejected),
    // RFC 8617: ARC validation failed (Gmail also uses it for a missing
    // TLS connection, which the phrases catch first).
    ("5.7.29", Reason::AuthFailure),
    // RFC 3463 X.4.7: delivery time expired.
    ("5.4.7", Reason::Expired),
    // Microsoft's NDR reference: 5.4.310 the recipient's domain does not
    // exist in DNS; 5.4.316 the message expired.
    ("5.4.310", Reason::HostUnknown),
];
