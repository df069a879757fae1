use super::*;

/// The textbook optimal-string-alignment distance, to check the linear test
/// against.
fn osa_distance(a: &[u8], b: &[u8]) -> usize {
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

fn assert_intended(cases: &[(&str, &str)]) {
    for &(typed, intended) in cases {
        assert_eq!(likely_intended(typed), Some(intended), "{typed}");
    }
}

fn assert_not_typos(domains: &[&str]) {
    for &domain in domains {
        assert_eq!(likely_intended(domain), None, "{domain}");
    }
}

#[test]
fn misspelt_global_providers_are_flagged_with_the_intended_domain() {
    let cases = [
        ("gmial.com", "gmail.com"),
        ("gmai.com", "gmail.com"),
        ("gamil.com", "gmail.com"),
        ("gmail.co", "gmail.com"),
        ("gmail.con", "gmail.com"),
        ("gmail.cmo", "gmail.com"),
        ("googlemail.co", "googlemail.com"),
        ("hotmial.com", "hotmail.com"),
        ("hotmail.co", "hotmail.com"),
        ("outlok.com", "outlook.com"),
        ("live.con", "live.com"),
        ("yaho.com", "yahoo.com"),
        ("yahoo.cm", "yahoo.com"),
        ("icloud.con", "icloud.com"),
        ("protonmail.co", "protonmail.com"),
        ("proton.mee", "proton.me"),
        ("zoho.co", "zoho.com"),
    ];

    assert_intended(&cases);
}

#[test]
fn misspelt_national_providers_keep_their_country() {
    let cases = [
        ("ziggo.nll", "ziggo.nl"),
        ("ziggo.n", "ziggo.nl"),
        ("kpnmail.nll", "kpnmail.nl"),
        ("hotmai.nl", "hotmail.nl"),
        ("hotmail.nk", "hotmail.nl"),
        ("xs4al.nl", "xs4all.nl"),
        ("hetnett.nl", "hetnet.nl"),
        ("onlin.no", "online.no"),
        ("online.noo", "online.no"),
        ("online.n", "online.no"),
        ("hotmal.co.uk", "hotmail.co.uk"),
        ("yahoo.co.k", "yahoo.co.uk"),
        ("gmx.dee", "gmx.de"),
        ("web.dee", "web.de"),
        ("t-online.d", "t-online.de"),
        ("tonline.de", "t-online.de"),
        ("orange.f", "orange.fr"),
        ("free.frr", "free.fr"),
        ("telenet.bee", "telenet.be"),
        ("skynet.b", "skynet.be"),
        ("yandex.ruu", "yandex.ru"),
    ];

    assert_intended(&cases);
}

#[test]
fn a_typo_of_several_providers_is_taken_for_the_more_common_one() {
    let cases = [
        ("xmail.com", "gmail.com"),
        ("hotmail.n", "hotmail.nl"),
        ("live.n", "live.nl"),
    ];

    assert_intended(&cases);
}

#[test]
fn real_provider_domains_are_never_typos() {
    let real = [
        "mail.com",
        "gmx.com",
        "live.com",
        "me.com",
        "msn.com",
        "ymail.com",
        "hotmail.nl",
        "hotmail.no",
        "live.no",
        "hotmail.co.uk",
        "online.no",
    ];

    assert_not_typos(&real);
    assert!(real.iter().all(|domain| is_provider(domain)));
}

#[test]
fn look_alikes_and_other_countries_are_not_typos() {
    let domains = [
        // Real domains one edit from a provider.
        "email.com",
        "cloud.com",
        // Another country's domain is not a slip of the keyboard.
        "online.nl",
        "ziggo.no",
        "gmail.de",
        "hotmail.com.au",
        // Not close at all.
        "example.nl",
        "bedrijf.no",
    ];

    assert_not_typos(&domains);
    assert!(domains.iter().all(|domain| !is_provider(domain)));
}

#[test]
fn short_provider_names_are_corrected_only_in_the_top_level_domain() {
    let neighbours = ["ms.com", "ao.com", "weg.de", "gmz.de", "wev.de", "mr.com"];

    assert_not_typos(&neighbours);
    assert_intended(&[("aol.con", "aol.com"), ("msn.co", "msn.com")]);
}

#[test]
fn subdomains_are_not_typos() {
    let domains = [
        "gmail.example.com",
        "g.mail.com",
        "gm.ail.com",
        "mail.gmail.co",
        "hotmail.co.uk.com",
    ];

    assert_not_typos(&domains);
}

#[test]
fn case_and_trailing_dot_are_normalised() {
    let typed = "GMIAL.COM.";

    let intended = likely_intended(typed);

    assert_eq!(intended, Some("gmail.com"));
    assert_eq!(likely_intended("Ziggo.NLL"), Some("ziggo.nl"));
    assert_eq!(likely_intended("Gmail.Com."), None);
    assert!(is_provider("Gmail.Com."));
    assert!(is_provider("ONLINE.NO"));
}

#[test]
fn hostile_input_is_refused_without_work() {
    let huge = format!("{}.com", "g".repeat(10 * 1024 * 1024));
    let dots = ".".repeat(10 * 1024 * 1024);
    let just_too_long = format!("{}.com", "a".repeat(MAX_DOMAIN_LEN - 3));

    let answers = [
        likely_intended(&huge),
        likely_intended(&dots),
        likely_intended(&just_too_long),
        likely_intended(""),
        likely_intended("."),
        likely_intended("com"),
        likely_intended("gm\u{e4}il.com"),
        likely_intended("\u{1f600}.com"),
    ];

    assert!(answers.iter().all(Option::is_none), "{answers:?}");
    assert!(!is_provider(&huge));
    assert!(!is_provider(""));
}

#[test]
fn one_edit_apart_agrees_with_the_optimal_string_alignment_distance() {
    let mut words: Vec<&str> = PROVIDERS.iter().chain(NOT_TYPOS).copied().collect();
    words.extend([
        "",
        "a",
        "ab",
        "ba",
        "abc",
        "acb",
        "aab",
        "aba",
        "baa",
        "abcd",
        "badc",
        "gmial.com",
        "gmai.com",
    ]);

    for a in &words {
        for b in &words {
            let expected = osa_distance(a.as_bytes(), b.as_bytes()) == 1;

            assert_eq!(one_edit_apart(a.as_bytes(), b.as_bytes()), expected, "{a} / {b}");
        }
    }
}

#[test]
fn every_single_edit_of_a_provider_is_one_edit_apart() {
    let known = b"kpnmail.nl";
    let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789.-";
    let mut edits: Vec<Vec<u8>> = Vec::new();
    for i in 0..=known.len() {
        for &c in alphabet {
            let mut inserted = known.to_vec();
            inserted.insert(i, c);
            edits.push(inserted);
        }
    }
    for i in 0..known.len() {
        let mut deleted = known.to_vec();
        deleted.remove(i);
        edits.push(deleted);
        for &c in alphabet {
            let mut substituted = known.to_vec();
            substituted[i] = c;
            edits.push(substituted);
        }
        if i + 1 < known.len() {
            let mut swapped = known.to_vec();
            swapped.swap(i, i + 1);
            edits.push(swapped);
        }
    }

    for edit in &edits {
        let expected = edit.as_slice() != known.as_slice();

        assert_eq!(
            one_edit_apart(edit, known),
            expected,
            "{}",
            String::from_utf8_lossy(edit)
        );
    }
}

#[test]
fn provider_table_is_lower_case_unique_and_never_flagged() {
    for (index, &provider) in PROVIDERS.iter().enumerate() {
        assert!(
            provider
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-'),
            "{provider} is not lower-case ASCII"
        );
        assert!(provider.contains('.'), "{provider} has no top-level domain");
        assert!(!PROVIDERS[..index].contains(&provider), "{provider} is listed twice");
        assert!(!NOT_TYPOS.contains(&provider), "{provider} is also a look-alike");
        assert!(is_provider(provider), "{provider}");
        assert_eq!(likely_intended(provider), None, "{provider}");
    }
}

#[test]
fn only_known_neighbours_in_the_provider_table_are_one_slip_apart() {
    // These pairs are real domains one edit apart; they are told apart only
    // because listed domains are never typos. A new entry that adds a pair
    // must be real, and the pair belongs here.
    let expected = [
        ("gmail.com", "ymail.com"),
        ("ymail.com", "gmail.com"),
        ("mail.com", "gmail.com"),
        ("mail.com", "ymail.com"),
    ];

    let mut pairs = Vec::new();
    for &typed in PROVIDERS {
        for &provider in PROVIDERS {
            if typed != provider && is_typo_of(typed.as_bytes(), provider) {
                pairs.push((typed, provider));
            }
        }
    }

    assert_eq!(pairs, expected);
}

#[test]
fn look_alikes_are_lower_case_real_neighbours_of_a_provider() {
    for &domain in NOT_TYPOS {
        assert_eq!(domain, domain.to_ascii_lowercase());
        assert!(!is_provider(domain), "{domain}");
        assert!(
            PROVIDERS.iter().any(|provider| is_typo_of(domain.as_bytes(), provider)),
            "{domain} is no provider's neighbour: it need not be listed"
        );
        assert_eq!(likely_intended(domain), None, "{domain}");
    }
}

#[test]
fn tld_slips_are_never_a_top_level_domain_of_the_table() {
    let used: Vec<&str> = PROVIDERS
        .iter()
        .filter_map(|p| p.rsplit_once('.'))
        .map(|(_, tld)| tld)
        .collect();

    for &(real, slips) in TLD_TYPOS {
        assert!(used.contains(&real), "{real} is not used by any provider");
        for (index, &slip) in slips.iter().enumerate() {
            assert!(!used.contains(&slip), "{slip} is a real top-level domain of the table");
            assert!(
                slip.len().abs_diff(real.len()) <= 1,
                "{slip} is too far from {real} in length"
            );
            assert!(!slips[..index].contains(&slip), "{slip} is listed twice for {real}");
            assert_eq!(slip, slip.to_ascii_lowercase());
        }
    }
    for &provider in PROVIDERS {
        let Some((rest, tld)) = provider.rsplit_once('.') else {
            continue;
        };
        for slip in tld_typos(tld.as_bytes()) {
            assert!(
                !is_provider(&format!("{rest}.{slip}")),
                "{rest}.{slip} is a real provider"
            );
        }
    }
}
