//! What the dashboard calls the domain's stable ids, in one place (the Dutch
//! and Norwegian interface will translate this file).

use bounce::policy::Rule;
use bounce::selection::FailureClass;
use bounce::{Category, ContactStatus};

/// A failure class in a selection.
pub fn failure_class(c: FailureClass) -> &'static str {
    match c {
        FailureClass::Any => "Any failure",
        FailureClass::Hard => "Hard",
        FailureClass::Soft => "Soft",
        FailureClass::Undetermined => "Undetermined",
    }
}

/// A contact's status.
pub fn contact_status(s: ContactStatus) -> &'static str {
    match s {
        ContactStatus::Active => "Active",
        ContactStatus::Suppressed => "Suppressed",
        ContactStatus::Bounced => "Bounced (repeated soft bounces)",
        ContactStatus::Retained => "Retained (hard bounces in a row)",
        ContactStatus::Unsubscribed => "Unsubscribed",
        ContactStatus::Complained => "Complained (spam report)",
    }
}

/// A policy rule.
pub fn rule(r: Rule) -> &'static str {
    match r {
        Rule::HardBounce => "Hard bounce",
        Rule::RepeatedSoft => "Repeated soft bounces",
        Rule::ConsecutiveHard => "Hard bounces in a row",
        Rule::Complaint => "Complaint",
        Rule::Unsubscribe => "Unsubscribe",
    }
}

/// A rule by its stored id, or the id itself for one this version does not know.
pub fn rule_id(id: Option<&str>) -> String {
    match id {
        None => "Manual".to_owned(),
        Some(id) => Rule::ALL
            .into_iter()
            .find(|r| r.as_str() == id)
            .map_or_else(|| id.to_owned(), |r| rule(r).to_owned()),
    }
}

/// What a failure category means for the list, and what to do: the
/// tooltip of a category's bar. The sentences per stage and reason are in
/// `crate::explain`.
pub fn category_advice(c: Category) -> &'static str {
    match c {
        Category::BadMailbox => "The mailbox does not exist or no longer takes mail: remove the address.",
        Category::BadDomain => {
            "The domain has no mail server or does not exist (often a typo): correct or remove the address."
        }
        Category::MailboxFull => {
            "The mailbox is full: keep the address; it is retried, and repeated failures mark it bounced."
        }
        Category::PolicyBlock => {
            "A filter refused the message (content, authentication, policy): the addresses are fine; check the message and SPF, DKIM and DMARC."
        }
        Category::Reputation => {
            "The receiver refused our sending IP or domain (a block list, poor reputation): the addresses are fine; ask your sending provider."
        }
        Category::RateLimited => "The receiver asked us to slow down: the addresses are fine; send more slowly.",
        Category::TooLarge => "The message was too big for the receiving server: make it smaller.",
        Category::TemporaryError => "A passing problem at the receiving side: retried automatically, nothing to do.",
        Category::AutoReply => "An automatic reply (out of office): not a failure, nothing to do.",
        Category::Complaint => "The recipient reported the message as spam: stop mailing them.",
        Category::Other => "Not enough information to tell: read the server's reply.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_has_advice_that_says_what_to_do() {
        for c in Category::ALL {
            let advice = category_advice(c);
            assert!(advice.ends_with('.') && advice.contains(':'), "{c}: {advice}");
        }
    }
}
