//! Short bounces that a small host or a person writes in prose: no DSN, no
//! reply code, no status, the address named only in a sentence, the reason
//! worded freely in the sender's language ("Das Postfach des Empfängers ist
//! voll", "Adressen finnes ikke"). The messages are built here, in the shape
//! such notices have (a postmaster's plain-text message with a localised
//! subject), so the test reads them end to end: MIME, the prose address,
//! and the classifier's pairing of a noun and its state (`nearby.rs`).
//!
//! With no stage and no status, "the address does not exist" is `filtered`
//! in Sisimai's vocabulary (the corpus labels it so): the report does not
//! say that the address was judged at RCPT TO.

use bounce::message;

/// A plain-text notice from a postmaster, as small hosts send them.
fn notice(subject: &str, body: &str) -> Vec<u8> {
    format!(
        "From: postmaster@mail.example.org\r\nTo: news@news.example.com\r\nSubject: {subject}\r\n\
         Date: Mon, 30 Nov 2026 16:00:00 +0100\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

#[test]
fn prose_notices_in_many_languages_name_the_recipient_and_the_reason() {
    // Arrange: (subject, body, recipient, reason), one language each.
    let cases = [
        (
            "Unzustellbar: Angebote",
            "Ihre Nachricht an klaus.meier@example.de konnte nicht zugestellt werden.\r\nDas Postfach des Empfängers ist voll.",
            "klaus.meier@example.de",
            "mailboxfull",
        ),
        (
            "Ikke levert: Tilbud",
            "Meldingen din til kari@example.no kunne ikke leveres fordi mottakerens postkasse er full.",
            "kari@example.no",
            "mailboxfull",
        ),
        (
            "Falha na entrega",
            "A mensagem para joao@example.com.br não foi entregue: a caixa postal do destinatário está cheia.",
            "joao@example.com.br",
            "mailboxfull",
        ),
        (
            "Mancato recapito",
            "Il messaggio per luca@example.it non è stato consegnato. La casella del destinatario è piena.",
            "luca@example.it",
            "mailboxfull",
        ),
        (
            "No se puede entregar: Ofertas",
            "Su mensaje para maria@example.es no se pudo entregar.\r\nLa dirección de correo no existe.",
            "maria@example.es",
            "filtered",
        ),
        (
            "Toimitus epäonnistui",
            "Viestiäsi osoitteeseen matti@example.fi ei voitu toimittaa. Vastaanottajaa ei löydy.",
            "matti@example.fi",
            "filtered",
        ),
        (
            "Kunde inte levereras",
            "Ditt meddelande till erik@example.se kunde inte levereras. Mottagarens adress är okänd.",
            "erik@example.se",
            "filtered",
        ),
        (
            "Niedostarczona wiadomość",
            "Wiadomość do ewa@example.pl nie została dostarczona. Skrzynka odbiorcy jest pełna.",
            "ewa@example.pl",
            "mailboxfull",
        ),
        (
            "Unzustellbar",
            "Die Nachricht an petra@example.at wurde nicht zugestellt: das Konto des Empfängers wurde deaktiviert.",
            "petra@example.at",
            "suspend",
        ),
        (
            "Non remis",
            "Votre message pour paul@example.fr n'a pas été remis : le domaine du destinataire est inconnu.",
            "paul@example.fr",
            "hostunknown",
        ),
    ];
    for (subject, body, recipient, reason) in cases {
        // Act
        let reports = message::read(&notice(subject, body));
        // Assert
        let records: Vec<_> = reports.iter().flat_map(|r| &r.records).collect();
        assert_eq!(records.len(), 1, "{subject}: {records:?}");
        assert_eq!(records[0].recipient, recipient, "{subject}");
        assert_eq!(records[0].verdict.reason.as_str(), reason, "{subject}: {body}");
    }
}

#[test]
fn a_notice_that_also_gives_a_contact_address_names_the_recipient_by_its_preposition() {
    // Arrange: the failed address after "à", "till", "do", "para", and a
    // helpdesk address further on.
    let cases = [
        (
            "Votre message à anna@example.fr n'a pas pu être remis : boîte pleine.\r\nContact : aide@firma.example",
            "anna@example.fr",
        ),
        (
            "Ditt meddelande till dora@example.se kunde inte levereras: brevlådan är full.\r\nKontakt: hjalp@firma.example",
            "dora@example.se",
        ),
        (
            "Wiadomość do ewa@example.pl nie została dostarczona: skrzynka pełna.\r\nPomoc: pomoc@firma.example",
            "ewa@example.pl",
        ),
        (
            "A mensagem para fabio@example.pt não foi entregue: caixa postal cheia.\r\nSuporte: suporte@firma.example",
            "fabio@example.pt",
        ),
    ];
    for (body, recipient) in cases {
        // Act
        let reports = message::read(&notice("Undeliverable", body));
        // Assert
        let records: Vec<_> = reports.iter().flat_map(|r| &r.records).collect();
        assert_eq!(records.len(), 1, "{body}: {records:?}");
        assert_eq!(records[0].recipient, recipient);
        assert_eq!(records[0].verdict.reason.as_str(), "mailboxfull", "{body}");
    }
}

#[test]
fn a_notice_that_words_nothing_known_stays_undetermined() {
    // Arrange: the mailbox and a state in two sentences, nothing paired.
    let bytes = notice(
        "Undeliverable",
        "Your message to orders@example.com was not delivered. This mailbox is no longer monitored.\r\nThe full price list is on our site.",
    );
    // Act
    let reports = message::read(&bytes);
    // Assert
    let records: Vec<_> = reports.iter().flat_map(|r| &r.records).collect();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].verdict.reason.as_str(), "onhold");
}
