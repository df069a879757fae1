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
mod messages;
mod names;
mod replies;

use std::collections::HashMap;

use bounce::{BounceClass, EmailAddress, EnhancedStatus, Evidence, MessageKind, Outcome, ReplyCode};
use chrono::{DateTime, Datelike, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use store::{NewCampaign, NewContact, NewEvent, NewSend, SendFailure, Store, StoreError};

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

/// What a load wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadReport {
    pub campaigns: usize,
    pub contacts: usize,
    pub sends: usize,
    pub events: u64,
    /// Blocks the suppression policies recorded.
    pub suppressions: usize,
    /// Provider incidents found.
    pub incidents: usize,
    /// Contacts who unsubscribed.
    pub unsubscribes: usize,
}

/// The demo list as stored: contact ids by the generator's index, and back.
struct StoredList {
    ids: Vec<i64>,
    emails: Vec<bounce::EmailAddress>,
    index_of: HashMap<i64, usize>,
}

impl StoredList {
    async fn record(store: &Store, contacts: &[NewContact]) -> Result<Self, StoreError> {
        let by_email = store.upsert_contacts(contacts).await?;
        let ids: Vec<i64> = contacts
            .iter()
            .map(|c| by_email.get(&c.email).copied().unwrap_or(0))
            .collect();
        let index_of = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let emails = contacts.iter().map(|c| c.email.clone()).collect();
        Ok(Self { ids, emails, index_of })
    }

    /// When each suppressed contact's block lapses (`None`: never), by generator index.
    async fn blocks(&self, store: &Store) -> Result<HashMap<usize, Option<DateTime<Utc>>>, StoreError> {
        Ok(store
            .blocked_contacts()
            .await?
            .into_iter()
            .filter_map(|(id, until)| self.index_of.get(&id).map(|i| (*i, until)))
            .collect())
    }
}

/// Draws campaign `index` against the suppression list as stored now,
/// writes it, and applies the policies to its results: what a real send
/// and its returning results do.
async fn send_campaign(
    store: &Store,
    generator: &mut Generator,
    list: &StoredList,
    index: usize,
    report: &mut LoadReport,
) -> Result<(), StoreError> {
    let policy = store.policy().await?;
    let blocks = list.blocks(store).await?;
    let blocked = |contact: usize, at: DateTime<Utc>| {
        blocks
            .get(&contact)
            .is_some_and(|until| until.is_none_or(|end| end > at))
    };
    let batch = generator.campaign(index, &blocked);
    let batch_unsubscribes = batch.unsubscribes.clone();
    let campaign_id = store.insert_campaign(&batch.campaign).await?;
    let sends: Vec<NewSend> = batch
        .sends
        .into_iter()
        .map(|(contact, send)| NewSend {
            campaign_id,
            contact_id: list.ids[contact],
            ..send
        })
        .collect();
    store.upsert_sends(&sends).await?;
    let events: Vec<NewEvent> = batch
        .events
        .into_iter()
        .map(|(contact, mut event)| {
            event.campaign_id = Some(campaign_id);
            event.contact_id = Some(list.ids[contact]);
            event
        })
        .collect();
    report.events += store.insert_events(&events).await?;
    // Provider incidents first, so the policies leave their failures out.
    report.incidents += store
        .detect_incidents(campaign_id, &bounce::incident::IncidentRule::default())
        .await?
        .len();
    // The results are in: the policies look at every contact that failed
    // or complained, and blocks that lapsed by then end.
    let last = sends
        .iter()
        .map(|s| s.updated_at)
        .chain(events.iter().map(|e| e.occurred_at))
        .max();
    let mut touched: Vec<i64> = sends
        .iter()
        .filter(|s| s.class.is_some())
        .map(|s| s.contact_id)
        .collect();
    touched.extend(
        events
            .iter()
            .filter(|e| e.reason == Some(bounce::Reason::Feedback))
            .filter_map(|e| e.contact_id),
    );
    touched.sort_unstable();
    touched.dedup();
    if let Some(now) = last {
        report.suppressions += store.apply_policies(&policy, &touched, now).await?;
        // Unsubscribes block for good, through the same call as the UI's.
        let unsubscribed: Vec<bounce::EmailAddress> = batch_unsubscribes
            .iter()
            .map(|(contact, _)| list.emails[*contact].clone())
            .collect();
        if let Some(at) = batch_unsubscribes.iter().map(|(_, at)| *at).max() {
            store
                .set_status(
                    &unsubscribed,
                    bounce::ContactStatus::Unsubscribed,
                    "list-unsubscribe",
                    "one-click unsubscribe link (RFC 8058)",
                    at,
                )
                .await?;
            report.unsubscribes += unsubscribed.len();
        }
        while !store.release_expired(now, 10_000).await?.is_empty() {}
    }
    report.campaigns += 1;
    report.sends += sends.len();
    Ok(())
}

/// Generates the demo data set and writes it, campaign by campaign (memory
/// stays bounded by one campaign however large the set). The suppression
/// policies in force apply after each campaign through the same store calls
/// as real results, and lapsed blocks are released before the next, so later
/// campaigns show suppressed addresses as rejected. `progress` is called
/// after each campaign.
pub async fn load(
    store: &Store,
    config: DemoConfig,
    mut progress: impl FnMut(usize, &LoadReport),
) -> Result<LoadReport, StoreError> {
    let campaigns = config.campaigns;
    let mut generator = Generator::new(config);
    let contacts = generator.contacts();
    let list = StoredList::record(store, &contacts).await?;
    let mut report = LoadReport {
        contacts: contacts.len(),
        ..LoadReport::default()
    };
    for index in 0..campaigns {
        send_campaign(store, &mut generator, &list, index, &mut report).await?;
        progress(index, &report);
    }
    store.analyze().await?;
    Ok(report)
}

/// Sends one more campaign to the demo list already stored (made with the
/// same seed and contact count): the campaigns before it are drawn again
/// without being written, so the new one continues the list's story, and
/// every address suppressed now (by a policy or by hand) is refused.
pub async fn add_campaign(store: &Store, config: DemoConfig) -> Result<LoadReport, StoreError> {
    let stored = usize::try_from(store.campaign_count().await?).unwrap_or(0);
    let mut generator = Generator::new(DemoConfig {
        campaigns: stored + 1,
        ..config
    });
    let contacts = generator.contacts();
    let list = StoredList::record(store, &contacts).await?;
    for index in 0..stored {
        generator.campaign(index, &|_, _| false);
    }
    let mut report = LoadReport::default();
    send_campaign(store, &mut generator, &list, stored, &mut report).await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use bounce::Stage;
    use chrono::TimeZone;

    use super::*;

    fn config(seed: u64) -> DemoConfig {
        DemoConfig {
            campaigns: 6,
            contacts: 2_000,
            seed,
            end: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).single().expect("valid"),
            problem_share: None,
        }
    }

    fn all_batches(config: DemoConfig) -> Vec<CampaignBatch> {
        let n = config.campaigns;
        let mut generator = Generator::new(config);
        (0..n).map(|i| generator.campaign(i, &|_, _| false)).collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_data() {
        let a = all_batches(config(7));
        let b = all_batches(config(7));
        let c = all_batches(config(8));

        let texts = |batches: &[CampaignBatch]| -> Vec<String> {
            batches
                .iter()
                .flat_map(|b| b.events.iter().map(|(_, e)| e.diagnostic.clone()))
                .collect()
        };
        assert_eq!(texts(&a), texts(&b));
        assert_ne!(texts(&a), texts(&c));
    }

    #[test]
    fn failures_cover_every_stage_and_several_languages() {
        let batches = all_batches(DemoConfig {
            campaigns: 20,
            contacts: 5_000,
            ..config(2026)
        });
        let events: Vec<&NewEvent> = batches.iter().flat_map(|b| b.events.iter().map(|(_, e)| e)).collect();

        let stages: HashSet<Stage> = events.iter().map(|e| e.stage).collect();
        assert_eq!(
            stages.len(),
            Stage::ALL.len(),
            "missing stages: {:?}",
            Stage::ALL.iter().filter(|s| !stages.contains(s)).collect::<Vec<_>>()
        );
        for words in ["finnes ikke", "Postfach", "destinataire", "niet", "does not exist"] {
            assert!(
                events.iter().any(|e| e.diagnostic.contains(words)),
                "no reply text containing {words:?}"
            );
        }
        let classes: HashSet<BounceClass> = events.iter().map(|e| e.class).collect();
        assert_eq!(
            classes.len(),
            4,
            "hard, soft, undetermined and none all occur: {classes:?}"
        );
        let reasons: HashSet<bounce::Reason> = events.iter().filter_map(|e| e.reason).collect();
        assert!(reasons.len() >= 12, "a wide spread of reasons: {reasons:?}");
        assert!(
            events
                .iter()
                .any(|e| e.recipient.domain() == "gmial.com" && e.stage == Stage::Dns)
        );
    }

    #[test]
    fn codes_and_reasons_come_from_what_came_back() {
        let batches = all_batches(config(11));
        let mut messages = 0;
        for (_, e) in batches.iter().flat_map(|b| b.events.iter()) {
            if let Some(raw) = &e.raw_message {
                // Read back like an import: the stored fields are the reader's.
                messages += 1;
                assert!(matches!(e.stage, Stage::AfterDelivery | Stage::Reply));
                let report = bounce::message::read(raw).into_iter().next().expect("one message");
                let record = report.records.into_iter().next().expect("one recipient");
                assert_eq!(record.recipient, e.recipient.as_str());
                assert_eq!((e.reply_code, e.status), (record.reply_code, record.status));
                assert_eq!((e.class, e.reason), (record.verdict.class, Some(record.verdict.reason)));
                if e.stage == Stage::AfterDelivery {
                    let campaign = report
                        .original
                        .campaign
                        .expect("the original's campaign header is read back");
                    assert!(campaign.starts_with("demo-"), "{campaign}");
                }
                continue;
            }
            assert_eq!(e.reply_code, ReplyCode::leading(&e.diagnostic), "{}", e.diagnostic);
            if let Some(found) = EnhancedStatus::find_in(&e.diagnostic) {
                assert_eq!(e.status, Some(found));
            }
            let verdict = bounce::classify(&Evidence {
                kind: MessageKind::Failure,
                stage: Some(e.stage),
                outcome: Some(e.outcome),
                reply_code: e.reply_code,
                status: e.status,
                text: &e.diagnostic,
                ..Evidence::default()
            });
            assert_eq!((e.class, e.reason), (verdict.class, Some(verdict.reason)));
        }
        assert!(
            messages > 20,
            "bounce messages and auto-replies are generated ({messages})"
        );
    }

    #[test]
    fn the_list_grows_and_blocked_sends_are_rejected() {
        let config = DemoConfig {
            campaigns: 6,
            ..config(3)
        };
        let mut generator = Generator::new(config);
        // A sender that refuses every address at a dead mailbox after the first campaign.
        let dead: Vec<bool> = generator.contacts.iter().map(|c| c.profile == Profile::Dead).collect();
        let batches: Vec<CampaignBatch> = (0..6)
            .map(|i| generator.campaign(i, &|contact, _| i > 0 && dead[contact]))
            .collect();

        let recipients = |b: &CampaignBatch| b.sends.iter().filter(|(c, _)| !dead[*c]).count();
        assert!(
            recipients(&batches[5]) > recipients(&batches[0]),
            "new sign-ups join later campaigns"
        );
        for (i, b) in batches.iter().enumerate() {
            let hard = b
                .sends
                .iter()
                .filter(|(_, s)| s.class == Some(BounceClass::Hard))
                .count();
            let rejected = b.sends.iter().filter(|(_, s)| s.outcome == Outcome::Rejected).count();
            assert!(hard > 0, "campaign {i} has fresh hard bounces");
            if i > 0 {
                assert!(rejected > 0);
                assert!(
                    b.sends
                        .iter()
                        .filter(|(_, s)| s.outcome == Outcome::Rejected)
                        .all(|(c, s)| dead[*c] && s.class.is_none() && s.attempts == 0)
                );
            }
        }
    }

    #[test]
    fn problem_share_turns_most_sends_into_events() {
        let batches = all_batches(DemoConfig {
            campaigns: 1,
            problem_share: Some(1.0),
            ..config(5)
        });
        let batch = &batches[0];
        assert!(
            batch.event_count() >= batch.sends.len(),
            "every send fails at least once"
        );
    }
}
