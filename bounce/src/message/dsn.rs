//! RFC 3464 delivery status fields, wherever a report puts them.

use super::TrimWs;

/// One per-recipient group of DSN fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct DsnGroup {
    pub recipient: Option<String>,
    /// `Original-Recipient`, the address as our server gave it (the ORCPT
    /// of RFC 3461): the recipient when `Final-Recipient` names none that
    /// is an address (`LOCAL;jdoe`, an X.400 name) and the report's text
    /// names none on a line of its own.
    pub original_recipient: Option<String>,
    pub action: Option<String>,
    pub status: Option<String>,
    pub diagnostic: Option<String>,
    pub remote_mta: Option<String>,
    /// The sending MTA's own classification (PowerMTA's bounce category).
    pub vendor_category: Option<String>,
    final_seen: bool,
}

const RECIPIENT_FIELDS: &[&str] = &[
    "final-recipient",
    "original-recipient",
    "x-actual-recipient",
    "action",
    "status",
    "diagnostic-code",
    "remote-mta",
    "last-attempt-date",
    "will-retry-until",
    "x-powermta-bouncecategory",
];

/// The first letters of the [`RECIPIENT_FIELDS`], in either case: a line
/// that starts with another letter is prose, with no comparison.
static FIELD_INITIALS: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < RECIPIENT_FIELDS.len() {
        super::mark_initial(&mut table, RECIPIENT_FIELDS[i]);
        i += 1;
    }
    table
};

/// A field name is never longer than this (with room for spaces before the
/// colon): a colon further into a line is prose, not a field.
const NAME_REACH: usize = 48;

/// The recipient field a line holds, and its value: names compared without
/// case and without an allocation, since most lines of a report are prose.
/// Per-message fields (`Reporting-MTA`, `Arrival-Date`) are not among them.
fn recipient_field(line: &str) -> Option<(&'static str, &str)> {
    if line
        .as_bytes()
        .first()
        .is_some_and(|&b| b.is_ascii_alphabetic() && !FIELD_INITIALS[usize::from(b)])
    {
        return None;
    }
    let colon = memchr::memchr(b':', &line.as_bytes()[..line.len().min(NAME_REACH)])?;
    let name = line[..colon].trim_ws();
    let field = RECIPIENT_FIELDS
        .iter()
        .copied()
        .find(|f| f.eq_ignore_ascii_case(name))?;
    Some((field, &line[colon + 1..]))
}

/// Reads every DSN field group in `text`. Tolerates what real reports do:
/// fields in any order, groups without blank lines between them, folded
/// lines, a missing type (`Final-Recipient: addr`), comments after `Status`.
pub(crate) fn groups(text: &str) -> Vec<DsnGroup> {
    let mut groups: Vec<DsnGroup> = Vec::new();
    let mut current: Option<DsnGroup> = None;
    let mut last_field: Option<&'static str> = None;
    for line in super::lines(text) {
        // Most lines start with a visible ASCII character: no trim needed.
        let visible = line.as_bytes().first().is_some_and(|&b| b.is_ascii_graphic());
        if !visible && line.trim_ws().is_empty() {
            if let Some(group) = current.take() {
                groups.push(group);
            }
            last_field = None;
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let (Some(field), Some(group)) = (last_field, current.as_mut())
                && let Some(value) = slot(group, field)
            {
                value.push(' ');
                value.push_str(line.trim_ws());
            }
            continue;
        }
        let Some((field, value)) = recipient_field(line) else {
            last_field = None;
            continue;
        };
        // A second Final-Recipient starts the next group even without a blank line.
        if field == "final-recipient"
            && current.as_ref().is_some_and(|g| g.final_seen)
            && let Some(done) = current.take()
        {
            groups.push(done);
        }
        let group = current.get_or_insert_with(DsnGroup::default);
        let value = value.trim_ws().to_owned();
        match field {
            "final-recipient" => {
                group.recipient = Some(value);
                group.final_seen = true;
            }
            "original-recipient" => {
                group.original_recipient.get_or_insert_with(|| value.clone());
                group.recipient.get_or_insert(value);
            }
            "x-actual-recipient" => {
                group.recipient.get_or_insert(value);
            }
            "action" => group.action = Some(value),
            "status" => group.status = Some(value),
            "diagnostic-code" => group.diagnostic = Some(value),
            "remote-mta" => group.remote_mta = Some(value),
            "x-powermta-bouncecategory" => group.vendor_category = Some(value),
            _ => {}
        }
        last_field = Some(field);
    }
    if let Some(group) = current.take() {
        groups.push(group);
    }
    groups.retain(|g| g.recipient.is_some() || g.status.is_some() || g.action.is_some());
    groups
}

fn slot<'a>(group: &'a mut DsnGroup, field: &str) -> Option<&'a mut String> {
    match field {
        "diagnostic-code" => group.diagnostic.as_mut(),
        "final-recipient" | "original-recipient" | "x-actual-recipient" => group.recipient.as_mut(),
        "status" => group.status.as_mut(),
        "remote-mta" => group.remote_mta.as_mut(),
        "action" => group.action.as_mut(),
        _ => None,
    }
}

impl DsnGroup {
    /// The address `Original-Recipient` names, if it names one.
    pub(crate) fn original_address(&self) -> Option<String> {
        self.original_recipient.as_deref().and_then(address)
    }
}

/// The recipient a `Final-Recipient` names. Exim names a pipe or file
/// delivery by its command (`|/usr/bin/prog kijitora@example.com /home/x`):
/// the address among its words is the recipient.
pub(crate) fn recipient(value: &str) -> Option<String> {
    address(value).or_else(|| {
        let value = value.split_once(';').map_or(value, |(_, rest)| rest).trim_ws();
        if !value.starts_with(['|', '/']) {
            return None;
        }
        value.split_whitespace().skip(1).find_map(address)
    })
}

/// `rfc822; <Jan@Example.nl>` → `jan@example.nl`; a value that holds no
/// address (a mailbox path) gives `None`. RFC 3464 wants a bare address
/// there, but some systems write a display name before it (`rfc822; "Jan
/// de Vries" <jan@example.nl>`) or quote the whole of it: the address is
/// taken from the brackets, or from inside the quotes.
pub(crate) fn address(value: &str) -> Option<String> {
    let value = match memchr::memchr(b';', value.as_bytes()) {
        Some(at) => &value[at + 1..],
        None => value,
    };
    let bytes = value.as_bytes();
    let bracketed = memchr::memchr(b'<', bytes).and_then(|open| {
        let close = open + memchr::memchr(b'>', &bytes[open..])?;
        memchr::memchr(b'@', &bytes[open..close]).map(|_| &value[open + 1..close])
    });
    let value = bracketed.unwrap_or(value);
    let value = value.trim_ws().trim_start_matches('<').trim_end_matches('>').trim_ws();
    let value = super::first_word(value)?;
    let value = value.trim_start_matches('<').trim_end_matches(['>', ',', '.']);
    let value = match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) if inner.contains('@') && !inner.contains('"') => inner,
        _ => value,
    };
    let at_sign = memchr::memchr(b'@', value.as_bytes()).is_some();
    (at_sign && !value.starts_with('@') && !value.ends_with('@')).then(|| super::to_lower(value))
}

/// `smtp; 550 5.1.1 ...` → `550 5.1.1 ...` (the type removed, white space folded).
pub(crate) fn diagnostic_text(value: &str) -> String {
    let text = match value.split_once(';') {
        Some((kind, rest)) if !kind.contains(' ') && kind.len() <= 24 => rest,
        _ => value,
    };
    super::fold(text)
}

/// `dns; mx.example.nl [192.0.2.1]` → `mx.example.nl`.
pub(crate) fn host(value: &str) -> Option<String> {
    let value = match value.split_once(';') {
        Some((_, rest)) => rest,
        None => value,
    };
    let host = super::to_lower(
        super::first_word(value)?
            .trim_matches(|c| matches!(c, '[' | ']' | '(' | ')' | '<' | '>'))
            .trim_end_matches('.'),
    );
    (!host.is_empty()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pipe_delivery_names_its_recipient_among_its_words() {
        assert_eq!(
            recipient("rfc822;|/usr/local/bin/autoreply kijitora@example.com /home/kijitora").as_deref(),
            Some("kijitora@example.com")
        );
        assert_eq!(recipient("rfc822; /var/mail/kijitora"), None);
        assert_eq!(recipient("rfc822; <Jan@Example.nl>").as_deref(), Some("jan@example.nl"));
        for value in [
            "rfc822; \"Jan de Vries\" <Jan@Example.nl>",
            "rfc822; Jan de Vries <jan@example.nl>",
            "rfc822; \"jan@example.nl\"",
            "RFC822; jan@example.nl (Jan de Vries)",
            "rfc822;<jan@example.nl>, <piet@example.nl>",
        ] {
            assert_eq!(address(value).as_deref(), Some("jan@example.nl"), "{value}");
        }
        // Brackets that hold no address are not the address; a quoted
        // local part keeps its quotes.
        assert_eq!(address("rfc822; jan@example.nl <x>").as_deref(), Some("jan@example.nl"));
        assert_eq!(
            address("rfc822; \"jan\"@example.nl").as_deref(),
            Some("\"jan\"@example.nl")
        );
    }

    #[test]
    fn reads_groups_with_folding_and_odd_order() {
        let text = "Reporting-MTA: dns; mx.example.org\n\nAction: failed\nFinal-Recipient: rfc822; <Kari@Online.NO>\n\
                    Status: 5.1.1 (permanent failure)\nRemote-MTA: dns; mx.online.no [192.0.2.1]\n\
                    Diagnostic-Code: smtp; 550 5.1.1 <kari@online.no>:\n    Recipient address rejected\n\
                    Final-Recipient: rfc822; ola@online.no\nAction: delayed\nStatus: 4.2.2\n";

        let groups = groups(text);

        assert_eq!(groups.len(), 2);
        assert_eq!(
            address(groups[0].recipient.as_deref().unwrap_or("")),
            Some("kari@online.no".into())
        );
        assert_eq!(groups[0].action.as_deref(), Some("failed"));
        assert_eq!(
            diagnostic_text(groups[0].diagnostic.as_deref().unwrap_or("")),
            "550 5.1.1 <kari@online.no>: Recipient address rejected"
        );
        assert_eq!(
            host(groups[0].remote_mta.as_deref().unwrap_or("")),
            Some("mx.online.no".into())
        );
        assert_eq!(groups[1].status.as_deref(), Some("4.2.2"));
    }

    #[test]
    fn addresses_without_type_or_with_paths() {
        assert_eq!(address("<a@b.nl>"), Some("a@b.nl".into()));
        assert_eq!(address("rfc822;/var/spool/mail/x"), None);
    }
}
