//! The classifier's unit tests: each rule group, status table and last resort.

use super::*;

fn verdict(stage: Option<Stage>, text: &str) -> Verdict {
    classify(&Evidence {
        stage,
        reply_code: ReplyCode::leading(text),
        status: EnhancedStatus::find_in(text),
        text,
        ..Evidence::default()
    })
}

fn reason(stage: Option<Stage>, text: &str) -> Reason {
    verdict(stage, text).reason
}

#[test]
fn a_transient_status_carries_the_meaning_of_its_permanent_twin() {
    // Arrange: RFC 3463 codes in their 4.X.X form, words that name
    // nothing, no stage.
    let cases = [
        ("4.1.2", Reason::HostUnknown),
        ("4.1.3", Reason::UserUnknown),
        ("4.3.4", Reason::MesgTooBig),
        ("4.5.1", Reason::SyntaxError),
        ("4.5.2", Reason::SyntaxError),
        ("5.5.1", Reason::SyntaxError),
    ];
    for (status, want) in cases {
        let evidence = Evidence {
            status: status.parse().ok(),
            text: "Delivery to the following recipient failed",
            ..Evidence::default()
        };
        // Act
        let got = classify(&evidence).reason;
        // Assert
        assert_eq!(got, want, "{status}");
    }
}

#[test]
fn a_network_status_with_an_unlisted_detail_keeps_its_subject() {
    // Arrange: X.4.XXX statuses whose detail no table names, with words
    // no phrase knows; one of them in a report still retrying.
    let failed = Evidence {
        status: "4.4.9".parse().ok(),
        reply_code: ReplyCode::leading("451"),
        text: "451 4.4.9 Unable to route the message onwards",
        ..Evidence::default()
    };
    let still_trying = Evidence {
        delayed: true,
        ..failed
    };

    // Act
    let (failed, still_trying) = (classify(&failed), classify(&still_trying));

    // Assert
    assert_eq!(failed.reason, Reason::NetworkError);
    assert_eq!(still_trying.reason, Reason::Expired);
}

#[test]
fn real_replies_get_their_reasons() {
    use Stage::*;
    let cases: &[(Option<Stage>, &str, Reason)] = &[
        (
            Some(RcptTo),
            "550-5.1.1 The email account that you tried to reach does not exist. Please try\n550-5.1.1 double-checking",
            Reason::UserUnknown,
        ),
        (
            Some(RcptTo),
            "550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302)",
            Reason::UserUnknown,
        ),
        (
            Some(RcptTo),
            "554 delivery error: dd This user doesn't have a yahoo.com account (x@yahoo.com) [0]",
            Reason::UserUnknown,
        ),
        (
            Some(RcptTo),
            "550 5.1.1 <ola@online.no>: Mottakeradressen finnes ikke",
            Reason::UserUnknown,
        ),
        (Some(RcptTo), "550 5.2.1 Mailbox inactive", Reason::Suspend),
        (
            Some(RcptTo),
            "554 5.2.0 STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded",
            Reason::MailboxFull,
        ),
        (
            Some(Data),
            "550-5.7.1 Message could not be delivered. Please ensure the message is RFC 5322 compliant.",
            Reason::NotCompliantRfc,
        ),
        (None, "SMTP timeout after RCPT TO:<anna@example.com>", Reason::Expired),
        (
            Some(Data),
            "550 5.7.1 Mensaje rechazado por ser considerado spam",
            Reason::SpamDetected,
        ),
        (
            Some(RcptTo),
            "452 4.2.2 Postfach voll / Mailbox full (quota exceeded)",
            Reason::MailboxFull,
        ),
        (
            Some(RcptTo),
            "552 5.2.2 <a@orange.fr>: Boite du destinataire pleine. OFR_417",
            Reason::MailboxFull,
        ),
        (
            Some(Data),
            "550-5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy",
            Reason::AuthFailure,
        ),
        (
            Some(Data),
            "550-5.7.1 [192.0.2.1] Gmail has detected that this message is likely unsolicited mail",
            Reason::SpamDetected,
        ),
        (
            Some(RcptTo),
            "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
            Reason::Blocked,
        ),
        (
            Some(RcptTo),
            "421-4.7.28 [192.0.2.1] Our system has detected an unusual rate of unsolicited mail",
            Reason::Speeding,
        ),
        (
            Some(Greeting),
            "421 mx.example.de Too many connections from 192.0.2.1",
            Reason::TooManyConn,
        ),
        (
            Some(Data),
            "552 5.3.4 Message size exceeds fixed maximum message size",
            Reason::MesgTooBig,
        ),
        (
            Some(Dns),
            "Host or domain name not found. Name service error for name=gmial.com type=MX: Host not found",
            Reason::HostUnknown,
        ),
        (
            Some(Connect),
            "connect to mx.example.nl[192.0.2.7]:25: Connection timed out",
            Reason::Expired,
        ),
        (
            Some(Data),
            "lost connection with mx.example.nl[192.0.2.7] while sending message body",
            Reason::NetworkError,
        ),
        (
            Some(MailFrom),
            "553 5.7.1 <bounce@example.com>: Sender address rejected: not owned by user",
            Reason::Rejected,
        ),
        (
            Some(RcptTo),
            "550 5.2.1 The email account that you tried to reach is disabled.",
            Reason::Suspend,
        ),
        (
            Some(Helo),
            "454 4.7.0 TLS not available due to local problem",
            Reason::SecurityError,
        ),
        (
            None,
            "554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException",
            Reason::MailboxFull,
        ),
        (
            None,
            "Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'",
            Reason::UserUnknown,
        ),
        (
            Some(RcptTo),
            "550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).",
            Reason::Blocked,
        ),
        // RFC 7505, 4.2: it is our sender's domain that has the null MX.
        (Some(RcptTo), "550 5.7.27 Sender address has null MX", Reason::Rejected),
        (
            Some(RcptTo),
            "556 5.1.10 Recipient address has null MX",
            Reason::NotAccept,
        ),
    ];
    for (stage, text, expected) in cases {
        assert_eq!(reason(*stage, text), *expected, "{text}");
    }
}

#[test]
fn user_words_after_data_are_filtered_and_at_mail_from_are_not_the_recipient() {
    assert_eq!(reason(Some(Stage::Data), "550 User unknown"), Reason::Filtered);
    assert_eq!(reason(Some(Stage::RcptTo), "550 User unknown"), Reason::UserUnknown);
    assert_eq!(reason(Some(Stage::MailFrom), "550 User unknown"), Reason::Rejected);
    assert_eq!(reason(None, "550 5.2.1 user unknown"), Reason::Filtered);
    assert_eq!(reason(None, "550 5.1.1 user unknown"), Reason::UserUnknown);
    assert_eq!(reason(None, "550 5.1.351 unknown recipient"), Reason::UserUnknown);
    // Neither stage nor status says the address was judged.
    assert_eq!(reason(None, "550 user unknown"), Reason::Filtered);
    // Sendmail's RCPT TO answer echoes the address.
    assert_eq!(
        reason(None, "550 kijitora@example.com... No such user"),
        Reason::UserUnknown
    );
    assert_eq!(
        reason(None, "550 <kijitora@example.com>... No such user"),
        Reason::UserUnknown
    );
    assert_eq!(
        reason(None, "550 <kijitora@example.com>: User unknown"),
        Reason::UserUnknown
    );
    assert_eq!(
        reason(None, "550 5.2.1 <kijitora@example.com>: User unknown"),
        Reason::Filtered
    );
    assert_eq!(
        reason(Some(Stage::Data), "550 kijitora@example.com... No such user"),
        Reason::Filtered
    );
}

#[test]
fn a_providers_own_words_count_only_for_that_provider_and_a_generic_status() {
    let docomo = |host, status: &str| {
        let text = "550 Unknown user kijitora@docomo.ne.jp";
        classify(&Evidence {
            stage: Some(Stage::Data),
            status: status.parse().ok(),
            text,
            remote_host: Some(host),
            ..Evidence::default()
        })
        .reason
    };
    assert_eq!(docomo("mfsmax.docomo.ne.jp", ""), Reason::Rejected);
    assert_eq!(docomo("mfsmax.docomo.ne.jp", "5.0.0"), Reason::Rejected);
    assert_eq!(docomo("mfsmax.docomo.ne.jp", "5.2.0"), Reason::Filtered);
    assert_eq!(docomo("mx.notdocomo.ne.jp", ""), Reason::Filtered);
}

#[test]
fn the_recipients_own_directory_settles_it_at_any_stage() {
    for stage in [None, Some(Stage::Data), Some(Stage::AfterDelivery)] {
        assert_eq!(
            reason(stage, "User Neko (kijitora@example.jp) not listed in Domino Directory"),
            Reason::UserUnknown
        );
        assert_eq!(reason(stage, "mail.local: unknown user: kijitora"), Reason::UserUnknown);
        assert_eq!(
            reason(
                stage,
                "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"
            ),
            Reason::UserUnknown
        );
    }
}

#[test]
fn the_bare_word_spam_before_data_is_a_block_not_content() {
    assert_eq!(
        reason(Some(Stage::Greeting), "554 You are a known source of spam"),
        Reason::Blocked
    );
    assert_eq!(
        reason(Some(Stage::Data), "554 This looks like spam to us"),
        Reason::SpamDetected
    );
}

#[test]
fn classes_follow_the_reason() {
    assert_eq!(
        verdict(Some(Stage::RcptTo), "552 5.2.2 mailbox full").class,
        BounceClass::Soft
    );
    assert_eq!(
        verdict(Some(Stage::RcptTo), "450 4.1.1 user unknown").class,
        BounceClass::Hard
    );
    assert_eq!(verdict(None, "").class, BounceClass::Undetermined);
    let reply = classify(&Evidence {
        kind: MessageKind::AutoReply,
        text: "Ik ben afwezig",
        ..Evidence::default()
    });
    assert_eq!(
        (reply.reason, reply.class, reply.category),
        (Reason::Vacation, BounceClass::None, Category::AutoReply)
    );
}

#[test]
fn last_resorts_use_stage_and_outcome() {
    assert_eq!(reason(None, ""), Reason::Undefined);
    assert_eq!(reason(None, "something odd happened"), Reason::OnHold);
    assert_eq!(reason(Some(Stage::Greeting), "554 go elsewhere"), Reason::Blocked);
    assert_eq!(reason(Some(Stage::MailFrom), "550 no"), Reason::Rejected);
    assert_eq!(reason(None, "503 bad sequence"), Reason::SyntaxError);
    assert_eq!(reason(None, "75"), Reason::MailerError);
    let timeout = classify(&Evidence {
        outcome: Some(Outcome::Timeout),
        ..Evidence::default()
    });
    assert_eq!(timeout.reason, Reason::Expired);
}

#[test]
fn text_is_normalised_before_matching() {
    assert_eq!(reason(Some(Stage::RcptTo), "USER\n   UNKNOWN"), Reason::UserUnknown);
    assert_eq!(normalise("  A\tB \r\n C "), "a b c");
    assert_eq!(normalise("  Brevlådan ÄR\n  FULL "), "brevlådan är full");
}

#[test]
fn every_rule_fits_the_match_bitset() {
    assert!(RULES.len() <= 64);
}

#[test]
fn caseless_blocks_have_no_lower_case_of_their_own() {
    // Arrange / Act / Assert: every character the fast path keeps as it is.
    for c in (char::MIN..=char::MAX).filter(|&c| is_caseless(c)) {
        assert_eq!(
            c.to_lowercase().collect::<String>(),
            c.to_string(),
            "{c:?} U+{:04X}",
            c as u32
        );
    }
}

#[test]
fn normalising_lowers_char_by_char_and_folds_like_split_whitespace() {
    // Arrange: Japanese, Korean, Greek (whose final sigma `str::to_lowercase`
    // would treat otherwise), Turkish dotted I, fullwidth Latin, Cyrillic.
    let texts = [
        "宛先のメールアドレスが  見つかりません USER UNKNOWN",
        "수신자의 메일함이 가득 찼습니다 MAILBOX FULL",
        "ΤΟ ΓΡΑΜΜΑΤΟΚΙΒΏΤΙΟ ΕΊΝΑΙ ΠΛΉΡΕΣ",
        "İSTANBUL\u{a0}\u{3000}ＵＳＥＲ  Пользователь НЕ НАЙДЕН",
        "EMPFÄNGER UNBEKANNT × DESTINATAIRE ÉCHOUÉ “QUOTA” – ①Ⓐ",
    ];

    for text in texts {
        // Act
        let ours = normalise(text);

        // Assert
        let words: Vec<String> = text
            .split_whitespace()
            .map(|w| w.chars().flat_map(char::to_lowercase).collect())
            .collect();
        assert_eq!(ours, words.join(" "), "{text:?}");
    }
}

#[test]
fn a_provider_rule_holds_for_its_domain_and_the_names_under_it_in_any_case() {
    // Arrange: the hosts a report names, against a domain of the tables.
    let cases = [
        ("yahoo.co.jp", true),
        ("mx1.YAHOO.co.jp", true),
        ("MX.Yahoo.Co.Jp", true),
        ("notyahoo.co.jp", false),
        ("yahoo.co.jp.example", false),
        ("co.jp", false),
        ("", false),
        ("mx.yähoo.co.jp", false),
    ];

    // Act
    let held: Vec<bool> = cases.iter().map(|(host, _)| in_domain(host, "yahoo.co.jp")).collect();

    // Assert: and the tables write their domains as `in_domain` expects.
    assert_eq!(held, cases.iter().map(|&(_, holds)| holds).collect::<Vec<_>>());
    assert!(
        PROVIDER_RULES
            .iter()
            .all(|rule| !rule.domain.is_empty() && rule.domain == rule.domain.to_ascii_lowercase())
    );
}
