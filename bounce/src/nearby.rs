//! Words that name a reason only together: a noun ("Postfach", "caixa
//! postal", "domain") and what a sentence says of it ("ist voll", "está
//! cheia", "existiert nicht").
//!
//! The phrase tables (`rules.rs`) hold the exact wordings servers use. A
//! short bounce written by a person or a small host words the same fact
//! freely: "Das Postfach des Empfängers ist voll", "mottakerens postkasse er
//! full", "la dirección de correo no existe". Listing every such sentence
//! does not generalise; the meaning does: the mailbox word and the full word
//! in one short sentence. These pairings decide only where no phrase did,
//! so every exact wording keeps its rule.
//!
//! Matching is one pass of one automaton over the text (leftmost-longest,
//! non-overlapping), so it is linear in the text whatever it holds.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::Reason;
use crate::rules::Cond;

/// One pairing: a noun and a state within [`WINDOW`] bytes of each other, in
/// either order, in one sentence that names no sender.
pub(crate) struct Pairing {
    pub reason: Reason,
    pub cond: Cond,
    pub nouns: &'static [&'static str],
    pub states: &'static [&'static str],
}

/// How far apart (bytes between the end of one and the start of the other)
/// a noun and its state may be: room for "des Empfängers ist" or "do
/// destinatário está", not for two clauses.
const WINDOW: usize = 40;

/// The words for a mail domain, in the languages of the phrase tables.
const DOMAIN: &[&str] = &[
    "domain",
    "domäne",
    "domein",
    "domene",
    "domän",
    "domæne",
    "domaine",
    "dominio",
    "domínio",
    "domena",
    "doména",
    "verkkotunnus",
    "домен",
    "域名",
    "ドメイン",
];

/// A mailbox, an inbox: the thing that fills up (RFC 3463 X.2.2).
const MAILBOX: &[&str] = &[
    "mailbox",
    "inbox",
    "postfach",
    "postkasse",
    "postkasten",
    "brevlåda",
    "postlåda",
    "indbakke",
    "innboks",
    "inkorg",
    "boîte aux lettres",
    "boite aux lettres",
    "boîte de réception",
    "boîte mail",
    "boîte",
    "buzón",
    "bandeja de entrada",
    "casella",
    "caixa postal",
    "caixa de correio",
    "caixa de entrada",
    "skrzynka",
    "schránka",
    "postilaatikko",
    "ящик",
    "邮箱",
    "信箱",
    "メールボックス",
];

/// Full, over quota: the X.2.2 states, as adjectives and short predicates.
const FULL: &[&str] = &[
    "full",
    "overfull",
    "over quota",
    "voll",
    "überfüllt",
    "vol",
    "overvol",
    "fuld",
    "täynnä",
    "pleine",
    "saturée",
    "lleno",
    "llena",
    "pieno",
    "piena",
    "cheia",
    "cheio",
    "lotada",
    "pełna",
    "pełny",
    "zapełniona",
    "plná",
    "переполнен",
    "заполнен",
    "已满",
    "满了",
    "満杯",
    "いっぱい",
];

/// Someone or something addressed: the user, the recipient, the address,
/// the account (RFC 3463 X.1.1, "bad destination mailbox address").
const ADDRESSEE: &[&str] = &[
    "user",
    "recipient",
    "address",
    "mailbox",
    "account",
    "benutzer",
    "empfänger",
    "adresse",
    "postfach",
    "konto",
    "gebruiker",
    "ontvanger",
    "adres",
    "bruker",
    "mottaker",
    "mottagare",
    "användare",
    "modtager",
    "bruger",
    "utilisateur",
    "destinataire",
    "usuario",
    "destinatario",
    "dirección",
    "cuenta",
    "buzón",
    "utente",
    "indirizzo",
    "casella",
    "usuário",
    "utilizador",
    "destinatário",
    "endereço",
    "conta",
    "użytkownik",
    "odbiorca",
    "uživatel",
    "adresát",
    "adresa",
    "käyttäjä",
    "vastaanottaja",
    "osoite",
    "пользовател",
    "получател",
    "адрес",
    "ящик",
    "用户",
    "收件人",
    "地址",
    "ユーザ",
    "宛先",
    "アドレス",
];

/// Unknown, not there, not found: what is said of an address that does
/// not exist, in the same languages.
const MISSING: &[&str] = &[
    "unknown",
    "does not exist",
    "doesn't exist",
    "not found",
    "couldn't be found",
    "could not be found",
    "unbekannt",
    "existiert nicht",
    "gibt es nicht",
    "nicht gefunden",
    "onbekend",
    "bestaat niet",
    "niet gevonden",
    "ukjent",
    "finnes ikke",
    "ikke funnet",
    "okänd",
    "finns inte",
    "hittades inte",
    "ukendt",
    "findes ikke",
    "ikke fundet",
    "inconnu",
    "inconnue",
    "n'existe pas",
    "introuvable",
    "desconocido",
    "desconocida",
    "no existe",
    "no encontrado",
    "no encontrada",
    "sconosciuto",
    "sconosciuta",
    "non esiste",
    "inesistente",
    "non trovato",
    "desconhecido",
    "não existe",
    "não encontrado",
    "inexistente",
    "nieznany",
    "nie istnieje",
    "nie znaleziono",
    "neznámý",
    "neexistuje",
    "tuntematon",
    "ei ole olemassa",
    "ei löydy",
    "неизвестн",
    "не существует",
    "не найден",
    "不存在",
    "未找到",
    "存在しません",
    "見つかりません",
];

/// An account or mailbox switched off by its provider (RFC 3463 X.2.1,
/// "mailbox disabled, not accepting messages").
const SWITCHED_OFF: &[&str] = &[
    "disabled",
    "deactivated",
    "suspended",
    "deaktiviert",
    "gesperrt",
    "stillgelegt",
    "gedeactiveerd",
    "uitgeschakeld",
    "deaktivert",
    "sperret",
    "inaktiverad",
    "spärrad",
    "deaktiveret",
    "spærret",
    "désactivé",
    "désactivée",
    "suspendu",
    "suspendue",
    "desactivado",
    "desactivada",
    "suspendido",
    "suspendida",
    "disattivato",
    "disattivata",
    "sospeso",
    "sospesa",
    "desativado",
    "desativada",
    "suspenso",
    "suspensa",
    "wyłączone",
    "zawieszone",
    "deaktivován",
    "poistettu käytöstä",
    "отключен",
    "заблокирован",
    "停用",
    "無効",
];

/// The account words for a switched-off account (not "address": an
/// address is not disabled, its mailbox or account is).
const ACCOUNT: &[&str] = &[
    "account",
    "mailbox",
    "konto",
    "postfach",
    "postkasse",
    "compte",
    "boîte aux lettres",
    "cuenta",
    "buzón",
    "casella",
    "conta",
    "caixa postal",
    "skrzynka",
    "účet",
    "tili",
    "аккаунт",
    "учетная запись",
    "ящик",
    "账户",
    "帐户",
    "アカウント",
];

/// A sentence that names our sender is about our address, not the
/// recipient's ("Absenderadresse unbekannt", "sender domain not found"):
/// no pairing decides in it.
const SENDER: &[&str] = &[
    "sender",
    "mail from",
    "absender",
    "afzender",
    "avsender",
    "avsändare",
    "afsender",
    "expéditeur",
    "remitente",
    "mittente",
    "remetente",
    "nadawca",
    "odesílatel",
    "lähettäjä",
    "отправител",
    "发件人",
    "送信者",
    "差出人",
];

/// The pairings, highest priority first: a domain that does not exist
/// outranks the address in it, and a full mailbox is not a missing one.
pub(crate) const PAIRINGS: &[Pairing] = &[
    Pairing {
        reason: Reason::HostUnknown,
        cond: Cond::Always,
        nouns: DOMAIN,
        states: MISSING,
    },
    Pairing {
        reason: Reason::MailboxFull,
        cond: Cond::Always,
        nouns: MAILBOX,
        states: FULL,
    },
    Pairing {
        reason: Reason::Suspend,
        cond: Cond::Always,
        nouns: ACCOUNT,
        states: SWITCHED_OFF,
    },
    Pairing {
        reason: Reason::UserUnknown,
        cond: Cond::RecipientArbitration,
        nouns: ADDRESSEE,
        states: MISSING,
    },
];

/// What one pattern of the automaton stands for.
#[derive(Clone, Copy, Default)]
struct Role {
    /// Bit `i`: a noun of `PAIRINGS[i]`.
    noun: u8,
    /// Bit `i`: a state of `PAIRINGS[i]`.
    state: u8,
    sender: bool,
}

static MATCHER: LazyLock<(AhoCorasick, Vec<Role>)> = LazyLock::new(|| {
    let mut words: Vec<&str> = Vec::new();
    let mut roles: Vec<Role> = Vec::new();
    let mut slot = |word: &'static str| match words.iter().position(|w| *w == word) {
        Some(at) => at,
        None => {
            words.push(word);
            roles.push(Role::default());
            words.len() - 1
        }
    };
    let mut marks = Vec::new();
    for (index, pairing) in PAIRINGS.iter().enumerate() {
        for noun in pairing.nouns {
            marks.push((slot(noun), index, true));
        }
        for state in pairing.states {
            marks.push((slot(state), index, false));
        }
    }
    let senders: Vec<usize> = SENDER.iter().map(|word| slot(word)).collect();
    for (at, index, noun) in marks {
        if noun {
            roles[at].noun |= 1 << index;
        } else {
            roles[at].state |= 1 << index;
        }
    }
    for at in senders {
        roles[at].sender = true;
    }
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(&words)
        .unwrap_or_else(|e| panic!("the pairing words are valid patterns: {e}"));
    (automaton, roles)
});

/// Builds the automaton now (see `message::prepare`).
pub(crate) fn prepare() {
    LazyLock::force(&MATCHER);
}

/// Which pairings hold in `text` (lower-cased, white space folded): bit `i`
/// for `PAIRINGS[i]`.
pub(crate) fn matched(text: &str) -> u8 {
    let (automaton, roles) = &*MATCHER;
    let mut sentences = Sentences::new(text);
    let mut found = 0u8;
    // The pairings met in the current sentence, kept until it ends
    // without naming a sender.
    let mut pending = 0u8;
    let mut sender = false;
    let mut sentence = 0usize;
    // Per pairing: where its last noun and its last state ended.
    let mut last_noun = [None::<usize>; 8];
    let mut last_state = [None::<usize>; 8];
    for m in automaton.find_iter(text) {
        let role = roles[m.pattern().as_usize()];
        let here = sentences.of(m.start());
        if here != sentence {
            if !sender {
                found |= pending;
            }
            pending = 0;
            sender = false;
            sentence = here;
            last_noun = [None; 8];
            last_state = [None; 8];
        }
        if !stands_alone(text, m.start(), m.end(), role) {
            continue;
        }
        sender |= role.sender;
        for index in 0..PAIRINGS.len() {
            let bit = 1u8 << index;
            let near = |end: Option<usize>| end.is_some_and(|end| m.start().saturating_sub(end) <= WINDOW);
            if role.noun & bit != 0 {
                if near(last_state[index]) {
                    pending |= bit;
                }
                last_noun[index] = Some(m.end());
            }
            if role.state & bit != 0 {
                if near(last_noun[index]) {
                    pending |= bit;
                }
                last_state[index] = Some(m.end());
            }
        }
    }
    if !sender {
        found |= pending;
    }
    found
}

/// A state must stand as a word ("full" is not in "successfully", "vol" is
/// not in "volgende"); a sender word must start one and may open a compound
/// ("Absenderadresse"); a noun may close a compound ("Empfängerpostfach")
/// or take an ending ("Postfaches", "адреса"). Scripts written without
/// spaces (Chinese, Japanese) have no word edges.
fn stands_alone(text: &str, start: usize, end: usize, role: Role) -> bool {
    let spaced = |c: char| c.is_alphanumeric() && (c as u32) < 0x2E80;
    let joined_before =
        text[..start].chars().next_back().is_some_and(spaced) && text[start..end].chars().next().is_some_and(spaced);
    let joined_after =
        text[end..].chars().next().is_some_and(spaced) && text[start..end].chars().next_back().is_some_and(spaced);
    if role.state != 0 {
        !joined_before && !joined_after
    } else if role.sender {
        !joined_before
    } else {
        true
    }
}

/// Numbers the sentences of a text as positions in it are asked for in
/// increasing order: a sentence ends at ". ", "! ", "? ", "; " or "。".
/// The cursor only moves forward, so the whole text is scanned once.
struct Sentences<'t> {
    bytes: &'t [u8],
    at: usize,
    number: usize,
}

impl<'t> Sentences<'t> {
    fn new(text: &'t str) -> Self {
        Sentences {
            bytes: text.as_bytes(),
            at: 0,
            number: 0,
        }
    }

    fn of(&mut self, position: usize) -> usize {
        while self.at < position {
            let byte = self.bytes[self.at];
            let next = self.bytes.get(self.at + 1).copied();
            if (matches!(byte, b'.' | b'!' | b'?' | b';') && next == Some(b' '))
                || (byte == 0xE3 && self.bytes.get(self.at + 1..self.at + 3) == Some(&[0x80, 0x82][..]))
            {
                self.number += 1;
            }
            self.at += 1;
        }
        self.number
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(text: &str) -> Vec<Reason> {
        let bits = matched(text);
        PAIRINGS
            .iter()
            .enumerate()
            .filter(|(index, _)| bits & (1 << index) != 0)
            .map(|(_, pairing)| pairing.reason)
            .collect()
    }

    #[test]
    fn a_noun_and_its_state_in_one_sentence_name_the_reason() {
        // Arrange: free wordings of the same facts in several languages.
        let cases = [
            ("das postfach des empfängers ist voll.", Reason::MailboxFull),
            ("mottakerens postkasse er full", Reason::MailboxFull),
            ("a caixa postal do destinatário está cheia", Reason::MailboxFull),
            ("la dirección de correo no existe.", Reason::UserUnknown),
            ("vastaanottajaa ei löydy", Reason::UserUnknown),
            ("die domain des empfängers existiert nicht", Reason::HostUnknown),
            ("dieses konto wurde deaktiviert", Reason::Suspend),
            ("收件人地址不存在", Reason::UserUnknown),
        ];
        for (text, want) in cases {
            // Act
            let got = reasons(text);
            // Assert
            assert!(got.contains(&want), "{text}: {got:?}");
        }
    }

    #[test]
    fn words_apart_in_two_sentences_or_inside_other_words_do_not_pair() {
        // Arrange / Act / Assert: the noun and the state in two sentences,
        // too far apart, or "full" inside another word.
        assert_eq!(reasons("your mailbox was read. the report is full of detail"), vec![]);
        assert_eq!(
            reasons("the mailbox of the person you wrote to, who is away this week and next, is full"),
            vec![]
        );
        assert_eq!(reasons("mailbox successfully checked"), vec![]);
        assert_eq!(reasons("die adresse volgende week"), vec![]);
    }

    #[test]
    fn a_sentence_that_names_the_sender_is_not_about_the_recipient() {
        // Arrange
        let sender = "absenderadresse unbekannt. bitte prüfen sie ihre einstellungen";
        let recipient = "die adresse ist unbekannt. bitte prüfen sie die schreibweise";
        // Act / Assert
        assert_eq!(reasons(sender), vec![]);
        assert_eq!(reasons(recipient), vec![Reason::UserUnknown]);
    }

    #[test]
    fn a_long_crafted_text_is_read_in_one_pass() {
        // Arrange: 200,000 nouns and states, each in a sentence of its own.
        let text = "mailbox. full. ".repeat(200_000);
        // Act
        let bits = matched(&text);
        // Assert: no pair across sentences, and it returns (linear).
        assert_eq!(bits, 0);
    }
}
