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

mod words;
use words::{ACCOUNT, ADDRESSEE, DOMAIN, FULL, MAILBOX, MISSING, OUR_HOST, REFUSED, SENDER, SWITCHED_OFF};

/// One pairing: a noun and a state within [`WINDOW`] bytes of each other, in
/// either order, in one sentence.
pub(crate) struct Pairing {
    pub reason: Reason,
    pub cond: Cond,
    pub nouns: &'static [&'static str],
    pub states: &'static [&'static str],
    /// The nouns must stand as whole words ("ip" is in "recipient").
    pub whole_nouns: bool,
    /// About the recipient's side: a sentence that names our sender
    /// ("Absenderadresse unbekannt") is not.
    pub about_recipient: bool,
}

const fn about_recipient(
    reason: Reason,
    cond: Cond,
    nouns: &'static [&'static str],
    states: &'static [&'static str],
) -> Pairing {
    Pairing {
        reason,
        cond,
        nouns,
        states,
        whole_nouns: false,
        about_recipient: true,
    }
}

/// How far apart (bytes between the end of one and the start of the other)
/// a noun and its state may be: room for "des Empfängers ist" or "do
/// destinatário está", not for two clauses.
const WINDOW: usize = 40;

/// The pairings, highest priority first: a domain that does not exist
/// outranks the address in it, and a full mailbox is not a missing one.
pub(crate) const PAIRINGS: &[Pairing] = &[
    about_recipient(Reason::HostUnknown, Cond::Always, DOMAIN, MISSING),
    about_recipient(Reason::MailboxFull, Cond::Always, MAILBOX, FULL),
    about_recipient(Reason::Suspend, Cond::Always, ACCOUNT, SWITCHED_OFF),
    about_recipient(Reason::UserUnknown, Cond::RecipientArbitration, ADDRESSEE, MISSING),
    // Our host refused ("Die IP-Adresse ist gesperrt", "votre serveur est
    // bloqué"), then our sender ("Absender abgelehnt", "sender domain not
    // found"): Sisimai's blocked and rejected.
    Pairing {
        reason: Reason::Blocked,
        cond: Cond::Always,
        nouns: OUR_HOST,
        states: REFUSED,
        whole_nouns: true,
        about_recipient: false,
    },
    Pairing {
        reason: Reason::Rejected,
        cond: Cond::Always,
        nouns: SENDER,
        states: REFUSED,
        whole_nouns: false,
        about_recipient: false,
    },
    Pairing {
        reason: Reason::Rejected,
        cond: Cond::Always,
        nouns: SENDER,
        states: MISSING,
        whole_nouns: false,
        about_recipient: false,
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
    /// A noun that must stand as a whole word.
    whole: bool,
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
    let mut whole = Vec::new();
    for (index, pairing) in PAIRINGS.iter().enumerate() {
        for noun in pairing.nouns {
            marks.push((slot(noun), index, true));
            if pairing.whole_nouns {
                whole.push(slot(noun));
            }
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
    for at in whole {
        roles[at].whole = true;
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
    // The pairings met in the current sentence; those about the recipient
    // count only if it ends without naming our sender.
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
            found |= kept(pending, sender);
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
    found | kept(pending, sender)
}

/// Of the pairings met in a sentence, those that stand: the ones about the
/// recipient only if the sentence named no sender.
fn kept(pending: u8, sender: bool) -> u8 {
    if !sender {
        return pending;
    }
    let about_recipient = PAIRINGS
        .iter()
        .enumerate()
        .filter(|(_, pairing)| pairing.about_recipient)
        .fold(0u8, |bits, (index, _)| bits | 1 << index);
    pending & !about_recipient
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
    if role.state != 0 || role.whole {
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
            ("받는 사람의 메일함 용량 초과", Reason::MailboxFull),
            ("존재하지 않는 사용자입니다", Reason::UserUnknown),
            ("alıcının posta kutusu dolu", Reason::MailboxFull),
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
        // Act / Assert: our sender's address is unknown (rejected), not
        // the recipient's (userunknown).
        assert_eq!(reasons(sender), vec![Reason::Rejected]);
        assert_eq!(reasons(recipient), vec![Reason::UserUnknown]);
    }

    #[test]
    fn a_refusal_of_our_host_or_our_sender_in_free_words() {
        // Arrange / Act / Assert: our IP or server, then our sender,
        // refused in several languages; "ip" inside "recipient" is no IP.
        assert_eq!(
            reasons("die ip-adresse ihres servers ist gesperrt"),
            vec![Reason::Blocked]
        );
        assert_eq!(reasons("votre serveur est bloqué"), vec![Reason::Blocked]);
        assert_eq!(reasons("absender abgelehnt"), vec![Reason::Rejected]);
        assert_eq!(reasons("the sender domain was not found"), vec![Reason::Rejected]);
        assert_eq!(reasons("recipient refused"), vec![]);
    }

    #[test]
    fn every_pairing_has_a_bit() {
        // The matcher keeps one bit and one slot per pairing in a u8.
        assert!(PAIRINGS.len() <= 8);
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
