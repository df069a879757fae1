//! Domains that look like misspellings of large mailbox providers:
//! `jan@gmial.com` was meant for `gmail.com`, `kari@online.noo` for
//! `online.no`. A bounce at such a domain is not the recipient's fault but the
//! sign-up form's, and the fix is to correct the address, not to suppress it.
//!
//! # The rule
//!
//! The typed domain `D` is compared without one trailing dot and with ASCII
//! letters lower-cased (provider domains are ASCII; a non-ASCII letter is
//! never one edit away from one). A domain in the provider table, or in the
//! short table of real look-alikes (`email.com`), is real and never a typo.
//! Otherwise `D` is a typo of provider `P` when
//!
//! - **(a) one slip in the name**: `D` and `P` end in the same top-level
//!   domain, have as many labels (`g.mail.com` is a subdomain of `mail.com`,
//!   not a slip), `P`'s first label has at least five letters (`gmail`,
//!   `ziggo`; not `aol`, `gmx` or `live`: see `MIN_NAME_LEN`), and
//!   their Damerau–Levenshtein distance (optimal string alignment: one
//!   insertion, deletion, substitution or swap of two neighbouring letters) is
//!   exactly 1: `gmial.com`, `gmai.com`, `outlok.com`, `hotmai.nl`; or
//! - **(b) a slip in the top-level domain**: `D` is `P` up to the last dot and
//!   then a known slip of `P`'s top-level domain (`TLD_TYPOS`):
//!   `gmail.con`, `gmail.co`, `ziggo.nll`, `ziggo.n`.
//!
//! A slip in the name never changes the country: `online.nl` is not taken for
//! `online.no`, because the two ends differ and `nl` is no slip of `no`. When
//! `D` is a typo of several providers, the first in the provider table wins:
//! the table is in order of popularity, so `xmail.com` is taken for `gmail.com`
//! rather than `ymail.com`, and `hotmail.n` for `hotmail.nl`.
//!
//! Hostile input stays cheap: a domain longer than 253 bytes is refused at
//! once, a provider whose length differs by more than one byte is skipped
//! without comparing, and the distance-1 test is a single linear pass.

/// The version of the tables below: raise it with every change to them, so
/// stores mark their contacts' typo domains anew.
pub const TABLE_VERSION: u32 = 1;

/// The longest domain name DNS allows, written without the trailing dot (RFC
/// 1035 section 2.3.4: 255 bytes in wire format). Anything longer is not a
/// domain, let alone a typo.
const MAX_DOMAIN_LEN: usize = 253;

/// The shortest provider name (first label) for which one slip inside the
/// name counts. Shorter names have too many real neighbours one edit away:
/// `ms.com` (Morgan Stanley) is one edit from `msn.com`, `weg.de` (a travel
/// company) one from `web.de`, `ao.com` one from `aol.com`. Those providers
/// still get rule (b): `aol.con` and `gmx.dee` are caught.
const MIN_NAME_LEN: usize = 5;

/// Mailbox providers' domains, the most used first: the order settles ties
/// (see the module documentation). Every entry is a domain where people
/// really have mailboxes, so none of them is ever reported as a typo, even
/// where two are one edit apart (`gmail.com`, `ymail.com` and `mail.com`).
const PROVIDERS: &[&str] = &[
    // Google. The most used mailbox almost everywhere. googlemail.com is the
    // name Gmail had in Germany and the United Kingdom during trademark
    // disputes; the same mailboxes answer to both names.
    // Source: Gmail Help on googlemail.com and gmail.com addresses.
    "gmail.com",
    "googlemail.com",
    // Microsoft. Outlook.com serves every Hotmail, Live and MSN address ever
    // issued; the national hotmail.* and live.* domains were the sign-up
    // choices in those countries and are still common on older lists.
    // Source: the Outlook.com sign-up page (outlook.com, hotmail.com) and
    // Microsoft Support on keeping hotmail, live and msn addresses.
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "hotmail.co.uk",
    "hotmail.fr",
    "hotmail.de",
    "hotmail.it",
    "hotmail.es",
    "hotmail.nl",
    "live.nl",
    "hotmail.be",
    "live.be",
    "live.co.uk",
    "live.fr",
    "outlook.de",
    "outlook.fr",
    "outlook.es",
    "outlook.it",
    "hotmail.se",
    "hotmail.dk",
    "hotmail.fi",
    "live.se",
    "live.dk",
    "hotmail.no",
    "live.no",
    // Yahoo. ymail.com and rocketmail.com were offered at Yahoo Mail sign-up
    // besides the national yahoo.* domains.
    // Source: Yahoo Help on Yahoo Mail address domains.
    "yahoo.com",
    "yahoo.co.uk",
    "yahoo.fr",
    "yahoo.de",
    "yahoo.it",
    "yahoo.es",
    "ymail.com",
    "rocketmail.com",
    // Apple. iCloud Mail answers to icloud.com, and to me.com and mac.com for
    // accounts made when those were the names.
    // Source: Apple Support on iCloud Mail's @me.com and @mac.com addresses.
    "icloud.com",
    "me.com",
    "mac.com",
    // AOL (now part of Yahoo). aim.com addresses came with AOL Instant
    // Messenger accounts. Source: AOL Help on AOL Mail addresses.
    "aol.com",
    "aim.com",
    // United Internet: GMX and WEB.DE are Germany's largest free mail
    // services; mail.com is the group's international service.
    // Source: the GMX, WEB.DE and mail.com sign-up pages.
    "gmx.de",
    "gmx.net",
    "gmx.at",
    "gmx.ch",
    "gmx.com",
    "web.de",
    "mail.com",
    // Deutsche Telekom's mail for its customers.
    // Source: Telekom's help pages on the t-online.de mail service.
    "t-online.de",
    // France: Orange (wanadoo.fr is the former Wanadoo ISP, now Orange),
    // Free, SFR and La Poste's free mail.
    // Source: the providers' mail help pages.
    "orange.fr",
    "wanadoo.fr",
    "free.fr",
    "sfr.fr",
    "laposte.net",
    // The Netherlands. Ziggo took over the mail of the cable companies it
    // grew from (@Home: home.nl, Casema: casema.nl, UPC: upcmail.nl and
    // chello.nl); KPN serves kpnmail.nl and the mail of the brands it bought
    // (Planet Internet: planet.nl, kpnplanet.nl; HetNet: hetnet.nl; XS4ALL;
    // Telfort). Source: Ziggo's and KPN's help pages on their mail domains.
    "ziggo.nl",
    "kpnmail.nl",
    "planet.nl",
    "home.nl",
    "xs4all.nl",
    "hetnet.nl",
    "casema.nl",
    "kpnplanet.nl",
    "telfort.nl",
    "upcmail.nl",
    "chello.nl",
    // Belgium: Telenet, and Skynet (Proximus).
    // Source: Telenet's and Proximus's help pages on their mail services.
    "telenet.be",
    "skynet.be",
    // Norway (hotmail.no and live.no are with Microsoft above). online.no is
    // Telenor's mail; getmail.no was Get's (cable); Broadpark and Frisurf
    // were internet providers whose customers' addresses are still on lists.
    // Source: Telenor's mail help pages; addresses at getmail.no,
    // broadpark.no and frisurf.no in public mailing-list archives
    // (linux-kernel, git).
    "online.no",
    "getmail.no",
    "broadpark.no",
    "frisurf.no",
    // Proton Mail: proton.me is the current name, protonmail.com and
    // protonmail.ch the older ones, pm.me the short alias.
    // Source: Proton Support on Proton Mail address domains.
    "proton.me",
    "protonmail.com",
    "protonmail.ch",
    "pm.me",
    // Zoho Mail: zoho.com, and zohomail.com for newer free accounts.
    // Source: the Zoho Mail sign-up page.
    "zoho.com",
    "zohomail.com",
    // Russia: Mail.ru and Yandex (yandex.com is Yandex Mail's international
    // name). Source: the providers' sign-up pages.
    "mail.ru",
    "yandex.ru",
    "yandex.com",
];

/// Real domains one edit away from a provider that are not providers here,
/// so rule (a) would take them for typos.
const NOT_TYPOS: &[&str] = &[
    // One edit from gmail.com and ymail.com: one of the domains mail.com
    // offers at sign-up. Source: the mail.com sign-up page.
    "email.com",
    // One edit from icloud.com: the company domain of Cloud Software Group
    // (Citrix). Source: the company's website.
    "cloud.com",
];

/// Slips of the keyboard in a top-level domain, by the real top-level domain.
///
/// Some slips are real country codes (`.co` Colombia, `.cm` Cameroon, `.om`
/// Oman, `.ml` Mali): nobody's mailbox is at `gmail.co` or `ziggo.ml`, and
/// those registrations exist to catch exactly this slip. A top-level domain
/// that the provider table uses itself (`no`, `nl`, `de`, `be`, `se`...) is
/// never a slip of another: `hotmail.no` and `hotmail.nl` are both real.
/// Each slip is at most one letter longer or shorter than the real one, so
/// the length check in `is_typo_of` holds for both rules.
const TLD_TYPOS: &[(&str, &[&str])] = &[
    (
        "com",
        &[
            "co", "con", "cmo", "ocm", "cm", "om", "comm", "coom", "c0m", "cpm", "cim", "vom", "xom",
        ],
    ),
    ("net", &["ne", "nt", "nte", "nett", "ner"]),
    ("nl", &["n", "nll", "nnl", "ln", "ml", "nk", "bl"]),
    ("no", &["n", "noo", "nno", "on"]),
    ("de", &["d", "dee", "ed"]),
    ("be", &["b", "bee", "eb"]),
    ("fr", &["f", "frr", "rf"]),
    ("uk", &["u", "k", "ukk", "ku"]),
    ("ru", &["r", "ruu", "ur"]),
    ("me", &["m", "mee", "em"]),
];

/// The provider domain a misspelt domain was most likely meant to be, e.g.
/// `Some("gmail.com")` for `gmial.com`, `Some("ziggo.nl")` for `Ziggo.NLL.`.
///
/// `None` for real provider domains, for the real look-alikes that are not
/// typos (`email.com`), and for every domain that is not close to a provider
/// by the rule in the module documentation.
pub fn likely_intended(domain: &str) -> Option<&'static str> {
    let typed = normalised(domain)?;
    if is_listed(PROVIDERS, typed) || is_listed(NOT_TYPOS, typed) {
        return None;
    }
    PROVIDERS.iter().copied().find(|provider| is_typo_of(typed, provider))
}

/// Whether the domain is one of the large mailbox providers' domains
/// (`gmail.com`, `hotmail.nl`, `online.no`...), ignoring ASCII case and one
/// trailing dot.
pub fn is_provider(domain: &str) -> bool {
    normalised(domain).is_some_and(|typed| is_listed(PROVIDERS, typed))
}

/// The domain as compared: one trailing dot removed; `None` when nothing is
/// left or the rest is longer than any domain can be.
fn normalised(domain: &str) -> Option<&[u8]> {
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    (!domain.is_empty() && domain.len() <= MAX_DOMAIN_LEN).then_some(domain.as_bytes())
}

fn is_listed(table: &[&str], typed: &[u8]) -> bool {
    table.iter().any(|entry| entry.as_bytes().eq_ignore_ascii_case(typed))
}

/// Whether `typed` is a slip of `provider` by rule (a) or (b).
fn is_typo_of(typed: &[u8], provider: &str) -> bool {
    let known = provider.as_bytes();
    if typed.len().abs_diff(known.len()) > 1 {
        return false;
    }
    let (Some((typed_rest, typed_tld)), Some((known_rest, known_tld))) = (split_tld(typed), split_tld(known)) else {
        return false;
    };
    if typed_tld.eq_ignore_ascii_case(known_tld) {
        name_len(provider) >= MIN_NAME_LEN && dots(typed) == dots(known) && one_edit_apart(typed, known)
    } else {
        typed_rest.eq_ignore_ascii_case(known_rest)
            && tld_typos(known_tld)
                .iter()
                .any(|typo| typo.as_bytes().eq_ignore_ascii_case(typed_tld))
    }
}

/// `gmail.com` as `gmail` and `com`, `hotmail.co.uk` as `hotmail.co` and
/// `uk`; `None` without a dot.
fn split_tld(domain: &[u8]) -> Option<(&[u8], &[u8])> {
    let dot = domain.iter().rposition(|&b| b == b'.')?;
    Some((&domain[..dot], &domain[dot + 1..]))
}

/// The length of the first label: `hotmail` in `hotmail.co.uk`.
fn name_len(provider: &str) -> usize {
    provider.find('.').unwrap_or(provider.len())
}

fn dots(domain: &[u8]) -> usize {
    domain.iter().filter(|&&b| b == b'.').count()
}

fn tld_typos(tld: &[u8]) -> &'static [&'static str] {
    TLD_TYPOS
        .iter()
        .find(|(real, _)| real.as_bytes() == tld)
        .map(|&(_, typos)| typos)
        .unwrap_or_default()
}

/// Whether the optimal-string-alignment distance between `typed` (any ASCII
/// case) and `known` (lower-case) is exactly 1.
///
/// Without a table: strip the longest common prefix, then the longest common
/// suffix of what is left. One insertion, deletion or substitution leaves
/// at most one byte on each side; a swap of neighbours leaves two bytes on
/// each side, crosswise equal. Anything else is 0 or 2 and more edits.
fn one_edit_apart(typed: &[u8], known: &[u8]) -> bool {
    let same = |t: u8, k: u8| t.to_ascii_lowercase() == k;
    let prefix = typed.iter().zip(known).take_while(|&(&t, &k)| same(t, k)).count();
    let (typed, known) = (&typed[prefix..], &known[prefix..]);
    let suffix = typed
        .iter()
        .rev()
        .zip(known.iter().rev())
        .take_while(|&(&t, &k)| same(t, k))
        .count();
    let (typed, known) = (&typed[..typed.len() - suffix], &known[..known.len() - suffix]);
    match (typed, known) {
        ([_], [_]) | ([_], []) | ([], [_]) => true,
        ([t0, t1], [k0, k1]) => same(*t0, *k1) && same(*t1, *k0),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
