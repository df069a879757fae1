//! Receiving domains of the demo data, weighted like a Dutch / Norwegian
//! marketer's list: large webmail, national ISPs, company domains, typos.

/// A family of mail servers that answer alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Gmail,
    Microsoft,
    Yahoo,
    Apple,
    /// Dutch ISPs (Ziggo, KPN, XS4ALL): Postfix-style replies, some in Dutch.
    DutchIsp,
    /// Norwegian ISPs (Telenor, Altibox): replies partly in Norwegian.
    NorwegianIsp,
    /// German webmail (GMX, WEB.DE, T-Online).
    GermanWebmail,
    /// French ISPs (Orange, Free, La Poste).
    FrenchIsp,
    /// A company's own Exchange or Microsoft 365; NDRs in the company's language.
    Company(Language),
    /// A misspelled domain with no mail server at all.
    Typo,
}

/// The language a server writes its texts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    English,
    Dutch,
    Norwegian,
    German,
    French,
}

/// One receiving domain.
#[derive(Debug, Clone, Copy)]
pub struct Domain {
    pub name: &'static str,
    pub provider: Provider,
    pub mx: &'static str,
    /// Relative share of contacts at this domain.
    pub weight: u32,
}

const fn d(name: &'static str, provider: Provider, mx: &'static str, weight: u32) -> Domain {
    Domain {
        name,
        provider,
        mx,
        weight,
    }
}

/// Every demo domain.
pub const DOMAINS: &[Domain] = &[
    d("gmail.com", Provider::Gmail, "gmail-smtp-in.l.google.com", 260),
    d(
        "hotmail.com",
        Provider::Microsoft,
        "hotmail-com.olc.protection.outlook.com",
        90,
    ),
    d(
        "outlook.com",
        Provider::Microsoft,
        "outlook-com.olc.protection.outlook.com",
        70,
    ),
    d("live.nl", Provider::Microsoft, "live-nl.olc.protection.outlook.com", 40),
    d(
        "hotmail.no",
        Provider::Microsoft,
        "hotmail-no.olc.protection.outlook.com",
        25,
    ),
    d("yahoo.com", Provider::Yahoo, "mta5.am0.yahoodns.net", 35),
    d("icloud.com", Provider::Apple, "mx01.mail.icloud.com", 30),
    d("ziggo.nl", Provider::DutchIsp, "mx.tb.mail.iss.as9143.net", 70),
    d("kpnmail.nl", Provider::DutchIsp, "mx.kpnmail.nl", 45),
    d("xs4all.nl", Provider::DutchIsp, "mxdrop305.xs4all.net", 20),
    d("planet.nl", Provider::DutchIsp, "mx.kpnmail.nl", 12),
    d("online.no", Provider::NorwegianIsp, "mx.online.no", 45),
    d("altibox.no", Provider::NorwegianIsp, "mx.altibox.no", 25),
    d("getmail.no", Provider::NorwegianIsp, "mx.getmail.no", 10),
    d("gmx.de", Provider::GermanWebmail, "mx00.emig.gmx.net", 25),
    d("web.de", Provider::GermanWebmail, "mx-ha03.web.de", 20),
    d("t-online.de", Provider::GermanWebmail, "mx00.t-online.de", 15),
    d("orange.fr", Provider::FrenchIsp, "smtp-in.orange.fr", 20),
    d("free.fr", Provider::FrenchIsp, "mx1.free.fr", 12),
    d("laposte.net", Provider::FrenchIsp, "smtp-in.laposte.net", 8),
    d(
        "vanderlinde-logistiek.nl",
        Provider::Company(Language::Dutch),
        "vanderlinde-logistiek-nl.mail.protection.outlook.com",
        8,
    ),
    d(
        "bakkerij-dejong.nl",
        Provider::Company(Language::Dutch),
        "mail.bakkerij-dejong.nl",
        5,
    ),
    d(
        "fjordbygg.no",
        Provider::Company(Language::Norwegian),
        "fjordbygg-no.mail.protection.outlook.com",
        6,
    ),
    d(
        "nordlys-energi.no",
        Provider::Company(Language::Norwegian),
        "mx1.nordlys-energi.no",
        5,
    ),
    d(
        "schreinerei-huber.de",
        Provider::Company(Language::German),
        "mail.schreinerei-huber.de",
        4,
    ),
    d(
        "atelier-lefebvre.fr",
        Provider::Company(Language::French),
        "mx.atelier-lefebvre.fr",
        4,
    ),
    d(
        "brightwave-consulting.co.uk",
        Provider::Company(Language::English),
        "brightwave-consulting-co-uk.mail.protection.outlook.com",
        6,
    ),
    d("gmial.com", Provider::Typo, "", 3),
    d("gmail.con", Provider::Typo, "", 2),
    d("hotmial.com", Provider::Typo, "", 2),
    d("zigo.nl", Provider::Typo, "", 1),
    d("onlin.no", Provider::Typo, "", 1),
];

/// Total of all weights, for weighted picks.
pub fn total_weight() -> u32 {
    DOMAINS.iter().map(|d| d.weight).sum()
}

/// The domain at a point in `0..total_weight()`.
pub fn at_weight(mut point: u32) -> &'static Domain {
    for domain in DOMAINS {
        if point < domain.weight {
            return domain;
        }
        point -= domain.weight;
    }
    &DOMAINS[0]
}

impl Provider {
    /// The language this provider writes in.
    pub fn language(self) -> Language {
        match self {
            Provider::DutchIsp => Language::Dutch,
            Provider::NorwegianIsp => Language::Norwegian,
            Provider::GermanWebmail => Language::German,
            Provider::FrenchIsp => Language::French,
            Provider::Company(language) => language,
            _ => Language::English,
        }
    }
}
