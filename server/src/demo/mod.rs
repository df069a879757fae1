//! A deterministic demo data set: campaigns, contacts, sends and the failed
//! attempts and bounces a real list produces.
//!
//! Nothing is hand-typed row by row: a seeded generator draws contacts from
//! weighted domain and name tables, gives some of them a lasting problem
//! (a dead mailbox, a typo domain, a full mailbox), sends each campaign to a
//! segment, and lets servers answer with their real texts. Codes are parsed
//! out of those texts and the class comes from [`bounce::classify`], exactly
//! as for imported data. The same seed and end date give the same data.

mod domains;
mod load;
mod messages;
mod names;
mod replies;

use bounce::{BounceClass, EmailAddress, EnhancedStatus, Evidence, MessageKind, Outcome, ReplyCode};
use chrono::{DateTime, Datelike, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use store::{NewCampaign, NewContact, NewEvent, NewSend, SendFailure};

use domains::{Domain, Provider};
use replies::Reply;

/// How much demo data to make.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    pub campaigns: usize,
    pub contacts: usize,
    pub seed: u64,
    /// The last campaign goes out a few days before this.
    pub end: DateTime<Utc>,
    /// Share of contacts with a lasting problem; `None` is the realistic mix.
    /// Benchmarks raise it to get many events from few sends.
    pub problem_share: Option<f64>,
}

impl DemoConfig {
    /// The demo set `make run` loads: 20 campaigns over six months to 30,000 contacts.
    pub fn standard(end: DateTime<Utc>) -> Self {
        Self {
            campaigns: 20,
            contacts: 30_000,
            seed: 2026,
            end,
            problem_share: None,
        }
    }
}

/// A lasting property of a contact's mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Profile {
    Healthy,
    /// The mailbox does not exist: every send bounces hard.
    Dead,
    /// Over quota for months: most sends bounce soft.
    Full,
    /// The account was disabled.
    Disabled,
    /// Often away: auto-replies.
    Traveller,
}

#[derive(Debug, Clone)]
struct DemoContact {
    email: EmailAddress,
    domain: &'static Domain,
    profile: Profile,
    /// The first campaign this contact is on the list for: the list grows.
    joins: usize,
    /// A full mailbox is emptied from this campaign on (some recover, some never do).
    recovers: usize,
}

/// One generated campaign with its sends and events, before it has ids.
#[derive(Debug, Clone)]
pub struct CampaignBatch {
    pub campaign: NewCampaign,
    /// `(contact index, send)`; the send's ids are filled in by the loader.
    sends: Vec<(usize, NewSend)>,
    events: Vec<(usize, NewEvent)>,
    /// Contacts who used the one-click unsubscribe link (RFC 8058), and when.
    unsubscribes: Vec<(usize, DateTime<Utc>)>,
}

impl CampaignBatch {
    fn push_send(
        &mut self,
        contact: usize,
        outcome: Outcome,
        failure: Option<(BounceClass, SendFailure)>,
        attempts: u32,
        at: DateTime<Utc>,
    ) {
        let (class, failure) = failure.unzip();
        let send = NewSend {
            message_id: None,
            campaign_id: 0,
            contact_id: 0,
            outcome,
            class,
            attempts: i32::try_from(attempts).unwrap_or(i32::MAX),
            updated_at: at,
            failure,
        };
        self.sends.push((contact, send));
    }

    /// How many events this campaign produced.
    pub fn event_count(&self) -> usize {
        self.events.len()
    }
}

/// Campaign names and subjects; `{nl}` and `{no}` become the month of sending
/// in Dutch and Norwegian, so names fit whatever day the data ends on.
const CAMPAIGN_NAMES: &[(&str, &str)] = &[
    ("Nieuwsbrief {nl}", "Het laatste nieuws van deze maand"),
    ("Seasonal sale", "Up to 50 % off, this week only"),
    ("Medlemstilbud", "Eksklusive tilbud for medlemmer"),
    ("Product update", "What's new in your account"),
    ("Nieuwsbrief {nl}", "Nieuwe collectie, nieuwe deals"),
    ("Webinar invitation: deliverability", "Join us live on Thursday"),
    ("Nyhetsbrev {no}", "Månedens nyheter er her"),
    ("Neue Angebote", "Neue Kollektion, neue Preise"),
    ("Nieuwsbrief {nl}", "Alles voor in en om het huis"),
    ("Customer survey", "Two minutes to tell us what you think"),
    ("Nos nouveautés", "Les nouveautés de la saison"),
    ("Weekendactie", "Extra korting, alleen dit weekend"),
    ("Helgetilbud", "Helgens beste priser"),
    ("Nieuwsbrief {nl}", "Onze favorieten van deze maand"),
    ("New collection", "Fresh arrivals, just in"),
    ("Kundeavis", "Nye tilbud hver uke"),
    ("Nieuwsbrief {nl}", "Klaar voor het nieuwe seizoen"),
    ("Loyalty rewards", "Your points are waiting"),
    ("Nyhetsbrev {no}", "Nye varer i butikken"),
    ("VIP early access", "Early access for subscribers"),
];

const MONTHS_NL: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];
const MONTHS_NO: [&str; 12] = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
];

/// Draws the demo data set, one campaign at a time.
pub struct Generator {
    rng: ChaCha8Rng,
    config: DemoConfig,
    contacts: Vec<DemoContact>,
}

impl Generator {
    /// Draws the contacts; campaigns follow from [`Generator::campaign`].
    pub fn new(config: DemoConfig) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let mut contacts = Vec::with_capacity(config.contacts);
        let mut seen = std::collections::HashSet::with_capacity(config.contacts);
        let total = domains::total_weight();
        while contacts.len() < config.contacts {
            let domain = domains::at_weight(rng.random_range(0..total));
            let first = names::FIRST[rng.random_range(0..names::FIRST.len())];
            let last = names::LAST[rng.random_range(0..names::LAST.len())];
            let local = match rng.random_range(0..5) {
                0 => format!("{first}.{last}"),
                1 => format!("{first}{}", rng.random_range(1..100)),
                2 => format!(
                    "{}.{last}",
                    &first[..first.char_indices().nth(1).map_or(first.len(), |(i, _)| i)]
                ),
                3 => format!("{first}.{last}{}", rng.random_range(1950..2008)),
                _ => format!("{first}_{last}"),
            };
            let Ok(email) = format!("{}@{}", ascii(&local), domain.name).parse::<EmailAddress>() else {
                continue;
            };
            if !seen.insert(email.clone()) {
                continue;
            }
            // Two thirds of the list is there from the start; the rest signs
            // up campaign by campaign, and sign-ups bring more dead addresses
            // (typed wrong, made up to get a coupon) than an aged list has left.
            // Every draw takes the same amount of randomness whatever the
            // number of campaigns, so the same seed gives the same addresses
            // when a campaign is added later (`demo --add-campaign`).
            let (stays, when) = (rng.random::<f64>(), rng.random::<f64>());
            let later = config.campaigns.saturating_sub(1) as f64;
            let joins = if config.problem_share.is_some() || stays < 0.67 {
                0
            } else {
                1 + (when * later) as usize
            };
            let dead_share = if joins > 0 { 0.07 } else { 0.025 };
            let roll: f64 = rng.random();
            let profile = match config.problem_share {
                Some(share) if roll < share => Profile::Dead,
                Some(_) => Profile::Healthy,
                None if roll < dead_share => Profile::Dead,
                None => match roll - dead_share {
                    r if r < 0.015 => Profile::Full,
                    r if r < 0.020 => Profile::Disabled,
                    r if r < 0.050 => Profile::Traveller,
                    _ => Profile::Healthy,
                },
            };
            let (recovers_at_all, recovers_when) = (rng.random::<f64>(), rng.random::<f64>());
            let recovers = if recovers_at_all < 0.5 {
                joins + (recovers_when * config.campaigns.saturating_sub(joins) as f64) as usize
            } else {
                usize::MAX
            };
            contacts.push(DemoContact {
                email,
                domain,
                profile,
                joins,
                recovers,
            });
        }
        Self { rng, config, contacts }
    }

    /// Every contact, with the day it signed up (before the first campaign
    /// it is on the list for).
    pub fn contacts(&self) -> Vec<NewContact> {
        let n = i64::try_from(self.config.campaigns.max(1)).unwrap_or(1);
        self.contacts
            .iter()
            .map(|c| {
                let joins = i64::try_from(c.joins).unwrap_or(0);
                NewContact {
                    email: c.email.clone(),
                    created_at: self.start() - Duration::days(30) + Duration::days(183 * joins / n),
                }
            })
            .collect()
    }

    fn start(&self) -> DateTime<Utc> {
        self.config.end - Duration::days(183)
    }

    /// Draws campaign `index` (0-based; call in order: contacts carry their
    /// bounce history from one campaign to the next). `blocked(contact, at)`
    /// says whether the suppression list refuses a send: such a send is
    /// recorded as rejected and never attempted.
    pub fn campaign(&mut self, index: usize, blocked: &dyn Fn(usize, DateTime<Utc>) -> bool) -> CampaignBatch {
        let n = self.config.campaigns.max(1);
        let span = (self.config.end - Duration::days(3) - self.start())
            .num_minutes()
            .max(1);
        let offset = span * i64::try_from(index).unwrap_or(0) / i64::try_from(n).unwrap_or(1);
        let sent_at = self.start() + Duration::minutes(offset) + Duration::minutes(self.rng.random_range(0..180));
        let (name, subject) = CAMPAIGN_NAMES[index % CAMPAIGN_NAMES.len()];
        let month = sent_at.month0() as usize;
        let name = name.replace("{nl}", MONTHS_NL[month]).replace("{no}", MONTHS_NO[month]);
        let name = if index < CAMPAIGN_NAMES.len() {
            name
        } else {
            format!("{name} ({})", index / CAMPAIGN_NAMES.len() + 1)
        };
        let from_domain = if index % 3 == 2 {
            "nieuws.example.nl"
        } else {
            "news.example.com"
        };
        // Some campaigns hit a provider-wide refusal: a DMARC mistake, a
        // blocklisting, a spam-filter verdict on this message.
        let incident = (self.rng.random::<f64>() < 0.3).then(|| {
            let provider = domains::at_weight(self.rng.random_range(0..domains::total_weight())).provider;
            (
                provider,
                self.rng.random_range(0..6u32),
                self.rng.random_range(0.2..0.6),
            )
        });
        let segment = self.rng.random_range(0.6..1.0);

        let mut batch = CampaignBatch {
            campaign: NewCampaign {
                name,
                subject: subject.to_owned(),
                from_domain: from_domain.to_owned(),
                sent_at,
            },
            sends: Vec::new(),
            events: Vec::new(),
            unsubscribes: Vec::new(),
        };
        // How much this campaign annoys: complaint rates of well-kept lists
        // sit under 0.1 %; a few campaigns cross it, as real ones do.
        let annoyance = if self.rng.random::<f64>() < 0.25 {
            self.rng.random_range(0.001..0.004)
        } else {
            self.rng.random_range(0.0..0.0008)
        };
        for contact in 0..self.contacts.len() {
            if self.rng.random::<f64>() >= segment || self.contacts[contact].joins > index {
                continue;
            }
            let at = sent_at + Duration::seconds(self.rng.random_range(0..5400));
            if blocked(contact, at) {
                batch.push_send(contact, Outcome::Rejected, None, 0, at);
                continue;
            }
            self.send(index, contact, at, incident, from_domain, &mut batch);
            self.react(index, contact, at, annoyance, from_domain, &mut batch);
        }
        batch
    }

    fn send(
        &mut self,
        campaign: usize,
        contact: usize,
        at: DateTime<Utc>,
        incident: Option<(Provider, u32, f64)>,
        from: &str,
        batch: &mut CampaignBatch,
    ) {
        let c = &self.contacts[contact];
        let provider = c.domain.provider;
        let roll: f64 = self.rng.random();
        // (the final failure, transient failures before it)
        let lasting = match c.profile {
            _ if provider == Provider::Typo => Some(replies::dns_failure()),
            Profile::Dead => Some(replies::user_unknown(provider)),
            Profile::Disabled => Some(replies::disabled(provider)),
            Profile::Full if roll < 0.8 && campaign < c.recovers => Some(replies::mailbox_full(provider)),
            _ => None,
        };
        let final_failure = lasting.or_else(|| match incident {
            Some((p, pick, share)) if p == provider && roll < share => Some(replies::refusal(provider, pick)),
            _ if roll > 0.996 => Some(replies::refusal(provider, self.rng.random_range(0..6))),
            _ => None,
        });
        let mut attempt = 0;
        let mut when = at;
        // Passing trouble before the last attempt: retried later.
        if final_failure.is_none() && self.rng.random::<f64>() < 0.03 {
            let pick = self.rng.random_range(0..6);
            for _ in 0..self.rng.random_range(1..=3) {
                let reply = replies::transient(provider, pick);
                self.push_event(campaign, contact, attempt, when, reply, from, batch);
                attempt += 1;
                when += Duration::minutes(self.rng.random_range(10..120));
            }
        }
        match final_failure {
            Some(reply) => {
                let when = if reply.stage == bounce::Stage::AfterDelivery {
                    when + Duration::seconds(self.rng.random_range(5..3600))
                } else {
                    when
                };
                let failure = self.push_event(campaign, contact, attempt, when, reply, from, batch);
                batch.push_send(contact, reply.outcome, Some(failure), attempt + 1, when);
            }
            None => {
                batch.push_send(contact, Outcome::Accepted, None, attempt + 1, when);
                if self.contacts[contact].profile == Profile::Traveller && self.rng.random::<f64>() < 0.3 {
                    let reply = replies::auto_reply(provider.language());
                    let later = when + Duration::minutes(self.rng.random_range(1..30));
                    self.push_event(campaign, contact, attempt + 1, later, reply, from, batch);
                }
            }
        }
    }

    /// What a recipient who got the message may do: mark it as spam (a
    /// feedback report comes back, read like any returned message) or
    /// unsubscribe.
    fn react(
        &mut self,
        campaign: usize,
        contact: usize,
        at: DateTime<Utc>,
        annoyance: f64,
        from: &str,
        batch: &mut CampaignBatch,
    ) {
        let delivered = batch
            .sends
            .last()
            .is_some_and(|(c, s)| *c == contact && s.outcome == Outcome::Accepted && s.class.is_none());
        let roll: f64 = self.rng.random();
        if !delivered || roll >= annoyance * 4.0 {
            return;
        }
        let later = at + Duration::minutes(self.rng.random_range(30..2_880));
        let c = &self.contacts[contact];
        if roll >= annoyance || c.domain.provider == Provider::Gmail {
            batch.unsubscribes.push((contact, later));
            return;
        }
        let id = format!("{:016x}", self.rng.random::<u64>());
        let returned = messages::Returned {
            recipient: &c.email,
            from_domain: from,
            campaign,
            subject: &batch.campaign.subject,
            at: later,
            id: &id,
        };
        let raw = messages::arf(&returned, c.domain.name);
        let event_id = format!("{}:{campaign}:{contact}:complaint", self.config.seed);
        let Some(record) = bounce::message::read(&raw)
            .into_iter()
            .next()
            .and_then(|m| m.records.into_iter().next())
        else {
            return;
        };
        batch.events.push((
            contact,
            NewEvent {
                occurred_at: later,
                campaign_id: None,
                contact_id: None,
                recipient: c.email.clone(),
                stage: bounce::Stage::AfterDelivery,
                outcome: Outcome::Accepted,
                reply_code: None,
                status: None,
                diagnostic: "The recipient marked the message as spam (feedback report).".into(),
                remote_mta: None,
                class: record.verdict.class,
                reason: Some(record.verdict.reason),
                source: "demo".into(),
                source_event_id: event_id,
                link_tag: None,
                link_message_id: None,
                raw_message: Some(raw),
            },
        ));
    }

    #[allow(clippy::too_many_arguments)]
    fn push_event(
        &mut self,
        campaign: usize,
        contact: usize,
        attempt: u32,
        at: DateTime<Utc>,
        reply: Reply,
        from: &str,
        batch: &mut CampaignBatch,
    ) -> (BounceClass, SendFailure) {
        let c = &self.contacts[contact];
        let ip = "192.0.2.25";
        let rip = format!("198.51.100.{}", 10 + (c.domain.name.len() * 7) % 200);
        let id = format!("{:016x}", self.rng.random::<u64>());
        let text = reply
            .text
            .replace("{rcpt}", c.email.as_str())
            .replace("{domain}", c.domain.name)
            .replace("{mx}", c.domain.mx)
            .replace("{rip}", &rip)
            .replace("{ip}", ip)
            .replace("{from}", from)
            .replace("{id}", &id);
        // Bounces after acceptance and auto-replies arrive as messages: build
        // them and let the message reader find what an importer would find.
        let returned = messages::Returned {
            recipient: &c.email,
            from_domain: from,
            campaign,
            subject: &batch.campaign.subject,
            at,
            id: &id,
        };
        let message = match reply.stage {
            bounce::Stage::AfterDelivery => Some(messages::dsn(&returned, c.domain.mx, &text)),
            bounce::Stage::Reply => Some(messages::auto_reply(&returned, c.domain.provider.language(), &text)),
            _ => None,
        };
        let read = message
            .as_deref()
            .and_then(|m| bounce::message::read(m).into_iter().next())
            .and_then(|report| report.records.into_iter().next());
        let (reply_code, status, verdict, text) = match read {
            // The report's human-readable text is what the Errors tab shows.
            Some(record) => (record.reply_code, record.status, record.verdict, text),
            None => {
                let reply_code = ReplyCode::leading(&text);
                let status = EnhancedStatus::find_in(&text).or_else(|| reply.dsn.and_then(|d| d.parse().ok()));
                let kind = if reply.stage == bounce::Stage::Reply {
                    MessageKind::AutoReply
                } else {
                    MessageKind::Failure
                };
                let verdict = bounce::classify(&Evidence {
                    kind,
                    stage: Some(reply.stage),
                    outcome: Some(reply.outcome),
                    reply_code,
                    status,
                    text: &text,
                    ..Evidence::default()
                });
                (reply_code, status, verdict, text)
            }
        };
        let remote_mta = (!c.domain.mx.is_empty()).then(|| c.domain.mx.to_owned());
        let failure = SendFailure {
            stage: reply.stage,
            reply_code,
            status,
            diagnostic: text.clone(),
            reason: Some(verdict.reason),
        };
        batch.events.push((
            contact,
            NewEvent {
                occurred_at: at,
                campaign_id: None,
                contact_id: None,
                recipient: c.email.clone(),
                stage: reply.stage,
                outcome: reply.outcome,
                reply_code,
                status,
                diagnostic: text,
                remote_mta,
                class: verdict.class,
                reason: Some(verdict.reason),
                source: "demo".into(),
                source_event_id: format!("{}:{campaign}:{contact}:{attempt}", self.config.seed),
                link_tag: None,
                link_message_id: None,
                raw_message: message,
            },
        ));
        (verdict.class, failure)
    }
}

/// Folds the letters of Nordic, German and French names into what mailbox
/// providers accept in addresses.
fn ascii(local: &str) -> String {
    let mut out = String::with_capacity(local.len());
    for c in local.chars() {
        match c {
            'å' => out.push_str("aa"),
            'ø' => out.push('o'),
            'æ' => out.push_str("ae"),
            'ü' => out.push_str("ue"),
            'ö' => out.push_str("oe"),
            'ä' => out.push_str("ae"),
            'é' | 'è' | 'ê' => out.push('e'),
            c if c.is_ascii() => out.push(c),
            _ => {}
        }
    }
    out
}

pub use load::{LoadReport, add_campaign, load};

#[cfg(test)]
mod tests;
