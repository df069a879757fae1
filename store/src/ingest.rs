//! The one storage path for delivery results from any source: contacts
//! created when new, every result kept as an event, the send's final
//! outcome following its latest result.

use std::collections::BTreeSet;

use bounce::delivery::{Classified, ResultKind};
use bounce::{BounceClass, EmailAddress};

use crate::{NewContact, NewEvent, NewSend, Result, SendFailure, Store};

/// What storing a batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ingested {
    /// Events stored now.
    pub stored: u64,
    /// Events already stored before (the same source and key).
    pub duplicates: u64,
    /// Results with no campaign: kept, listed as unlinked.
    pub unlinked: u64,
    /// Campaigns whose results changed.
    pub campaigns: BTreeSet<i64>,
    /// Contacts whose history changed (failures and complaints).
    pub contacts: BTreeSet<i64>,
}

impl Store {
    /// Stores a batch of classified results. `campaign` links every result
    /// to that campaign, over what the source said. Each step is idempotent
    /// (contacts by address, events by source and key, sends newer-wins),
    /// so a batch cut short by a crash is completed by importing it again,
    /// with nothing stored twice.
    pub async fn ingest(&self, results: &[Classified], campaign: Option<i64>) -> Result<Ingested> {
        let mut report = Ingested::default();
        // One row per address in the statement (PostgreSQL refuses to update
        // a row twice in one INSERT ... ON CONFLICT); the earliest time wins.
        let mut first_seen: std::collections::BTreeMap<&EmailAddress, chrono::DateTime<chrono::Utc>> =
            std::collections::BTreeMap::new();
        for r in results {
            let at = first_seen.entry(&r.result.recipient).or_insert(r.result.at);
            *at = (*at).min(r.result.at);
        }
        let contacts: Vec<NewContact> = first_seen
            .into_iter()
            .map(|(email, created_at)| NewContact {
                email: email.clone(),
                created_at,
            })
            .collect();
        let ids = self.upsert_contacts(&contacts).await?;
        let id_of = |email: &EmailAddress| ids.get(email).copied();
        let mut events = Vec::with_capacity(results.len());
        let mut sends = Vec::new();
        for r in results {
            let d = &r.result;
            let campaign_id = campaign.or(d.campaign_id);
            let contact_id = id_of(&d.recipient);
            events.push(NewEvent {
                occurred_at: d.at,
                campaign_id,
                contact_id,
                recipient: d.recipient.clone(),
                stage: r.stage,
                outcome: r.outcome,
                reply_code: d.reply_code,
                status: d.status,
                diagnostic: d.text.clone(),
                remote_mta: d.remote_mta.clone(),
                class: r.class,
                reason: r.reason,
                source: d.source.clone(),
                source_event_id: d.source_event_id.clone(),
                raw_message: None,
            });
            let (Some(campaign_id), Some(contact_id)) = (campaign_id, contact_id) else {
                report.unlinked += 1;
                continue;
            };
            report.campaigns.insert(campaign_id);
            if r.class != BounceClass::None || d.kind == ResultKind::Complaint {
                report.contacts.insert(contact_id);
            }
            // The send's outcome: deferrals and complaints do not end it.
            if !d.kind.is_final() || d.kind == ResultKind::Complaint {
                continue;
            }
            let failed = r.class != BounceClass::None;
            sends.push(NewSend {
                campaign_id,
                contact_id,
                outcome: r.outcome,
                class: failed.then_some(r.class),
                attempts: 1,
                updated_at: d.at,
                failure: failed.then(|| SendFailure {
                    stage: r.stage,
                    reply_code: d.reply_code,
                    status: d.status,
                    diagnostic: d.text.clone(),
                    reason: r.reason,
                }),
            });
        }
        report.stored = self.insert_events(&events).await?;
        report.duplicates = events.len() as u64 - report.stored;
        // One result per send in a statement: the latest wins.
        sends.sort_by_key(|s| (s.campaign_id, s.contact_id, s.updated_at));
        sends.dedup_by(|later, earlier| {
            let same = later.campaign_id == earlier.campaign_id && later.contact_id == earlier.contact_id;
            if same {
                std::mem::swap(later, earlier);
            }
            same
        });
        self.upsert_sends(&sends).await?;
        Ok(report)
    }
}
