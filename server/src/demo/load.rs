//! Writing the demo data set: campaign by campaign through the same store
//! calls as real results (sends, events, incidents, policies, unsubscribes).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use store::{NewContact, NewEvent, NewSend, Store, StoreError};

use super::{DemoConfig, Generator};

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
            message_id: None,
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
