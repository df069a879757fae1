//! What the dashboard calls the domain's stable ids, in one place (the Dutch
//! and Norwegian interface will translate this file).

use bounce::ContactStatus;
use bounce::policy::Rule;
use bounce::selection::FailureClass;

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
