//! The one storage path for delivery results from any source: contacts
//! created when new, every result kept as an event, the send's final
//! outcome following its latest result, all of a batch in one transaction.
//!
//! A result is linked to its campaign by, in this order: the campaign the
//! caller names for the whole input, the bouncedesk campaign id the result
//! carries, the campaign whose `tag` is the result's tag, or the send that
//! went out with the result's Message-ID. A result none of these finds
//! (or one naming a campaign that does not exist) is kept unlinked, listed
//! on the Unlinked results page, never dropped.

use std::collections::{BTreeSet, HashMap};

use bounce::delivery::{Classified, ResultKind};
use bounce::{BounceClass, EmailAddress};

use crate::contacts::upsert_contacts_in;
use crate::events::insert_events_in;
use crate::follow_ups::{FollowUp, note_in};
use crate::sends::upsert_sends_in;
use crate::{INSERT_CHUNK, NewContact, NewEvent, NewSend, Result, SendFailure, Store, on_pool, push_in};

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

/// Looks up `keys` in chunks with `$sql` (ending in `IN`), collecting
/// `(key, id)` rows into a map.
macro_rules! lookup_in {
    ($tx:ident, $db:ty, $sql:expr, $keys:expr, $key:ty) => {{
        let mut found: HashMap<$key, i64> = HashMap::new();
        let keys: Vec<$key> = $keys;
        for chunk in keys.chunks(INSERT_CHUNK) {
            let mut b = sqlx::QueryBuilder::<$db>::new($sql);
            push_in!(b, chunk);
            found.extend(b.build_query_as::<($key, i64)>().fetch_all(&mut *$tx).await?);
        }
        found
    }};
}

impl Store {
    /// Stores a batch of classified results in one transaction: all of it
    /// or, on an error, nothing. `campaign` links every result to that
    /// campaign, over what the source said. Each step is idempotent
    /// (contacts by address, events by source and key, sends newer-wins),
    /// so an import cut short by a crash is completed by importing it
    /// again, with nothing stored twice.
    pub async fn ingest(&self, results: &[Classified], campaign: Option<i64>) -> Result<Ingested> {
        let contacts = first_seen(results);
        let mut report = Ingested::default();
        on_pool!(self, pool, Db => {
            let mut tx = pool.begin().await?;
            let named: BTreeSet<i64> = results
                .iter()
                .filter_map(|r| campaign.or(r.result.campaign_id))
                .collect();
            let known = lookup_in!(tx, Db, "SELECT id, id FROM campaigns WHERE id IN", named.into_iter().collect(), i64);
            let mut links: Vec<Option<i64>> = results.iter().map(|r| link_by_id(r, campaign, &known)).collect();
            let tags: BTreeSet<String> = results
                .iter()
                .zip(&links)
                .filter(|(_, linked)| linked.is_none())
                .filter_map(|(r, _)| r.result.campaign_tag.clone())
                .collect();
            let by_tag = lookup_in!(tx, Db, "SELECT tag, id FROM campaigns WHERE tag IN", tags.into_iter().collect(), String);
            for (r, linked) in results.iter().zip(links.iter_mut()) {
                *linked = linked.or_else(|| r.result.campaign_tag.as_ref().and_then(|t| by_tag.get(t).copied()));
            }
            let message_ids: BTreeSet<String> = results
                .iter()
                .zip(&links)
                .filter(|(_, linked)| linked.is_none())
                .filter_map(|(r, _)| r.result.message_id.clone())
                .collect();
            let mut by_message = lookup_in!(
                tx,
                Db,
                "SELECT message_id, campaign_id FROM sends WHERE message_id IN",
                message_ids.into_iter().collect(),
                String
            );
            link_by_message(results, &mut links, &mut by_message);
            let rows = upsert_contacts_in!(tx, Db, contacts);
            let ids = rows
                .into_iter()
                .map(|(id, email)| Ok((email.parse::<EmailAddress>()?, id)))
                .collect::<Result<HashMap<_, _>>>()?;
            let (events, sends) = rows_of(results, &links, &ids, &mut report);
            report.stored = insert_events_in!(tx, Db, events);
            upsert_sends_in!(tx, Db, sends);
            // The follow-up these results call for, in the same commit: a
            // process killed before doing it leaves it noted (follow_ups.rs).
            note_in!(tx, Db, FollowUp::Incidents, report.campaigns.iter().copied().collect());
            note_in!(tx, Db, FollowUp::Policies, report.contacts.iter().copied().collect());
            tx.commit().await?;
            report.duplicates = events.len() as u64 - report.stored;
        });
        Ok(report)
    }
}

/// The contacts of a batch, one per address (PostgreSQL refuses to update
/// a row twice in one INSERT ... ON CONFLICT), first seen at their
/// earliest result.
fn first_seen(results: &[Classified]) -> Vec<NewContact> {
    let mut first: std::collections::BTreeMap<&EmailAddress, chrono::DateTime<chrono::Utc>> =
        std::collections::BTreeMap::new();
    for r in results {
        let at = first.entry(&r.result.recipient).or_insert(r.result.at);
        *at = (*at).min(r.result.at);
    }
    first
        .into_iter()
        .map(|(email, created_at)| NewContact {
            email: email.clone(),
            created_at,
        })
        .collect()
}

/// The campaign a result names by id (or the caller names for all), when
/// it exists.
fn link_by_id(r: &Classified, campaign: Option<i64>, known: &HashMap<i64, i64>) -> Option<i64> {
    campaign.or(r.result.campaign_id).filter(|id| known.contains_key(id))
}

/// Links by Message-ID the results that their campaign id and tag did not
/// link. Message-IDs of results linked so far are learnt on the way, so a
/// bounce later in the same batch finds the send its delivery named.
fn link_by_message(results: &[Classified], links: &mut [Option<i64>], by_message: &mut HashMap<String, i64>) {
    for (r, linked) in results.iter().zip(links.iter()) {
        if let (Some(id), Some(message)) = (linked, &r.result.message_id) {
            by_message.entry(message.clone()).or_insert(*id);
        }
    }
    for (r, linked) in results.iter().zip(links.iter_mut()) {
        if linked.is_none() {
            *linked = r.result.message_id.as_ref().and_then(|m| by_message.get(m).copied());
        }
    }
}

/// The event rows and send rows of a linked batch; counts the unlinked
/// results and notes the campaigns and contacts touched.
fn rows_of(
    results: &[Classified],
    links: &[Option<i64>],
    ids: &HashMap<EmailAddress, i64>,
    report: &mut Ingested,
) -> (Vec<NewEvent>, Vec<NewSend>) {
    let mut events = Vec::with_capacity(results.len());
    let mut sends = Vec::new();
    for (r, campaign_id) in results.iter().zip(links) {
        let d = &r.result;
        let campaign_id = *campaign_id;
        let contact_id = ids.get(&d.recipient).copied();
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
            link_tag: campaign_id.is_none().then(|| d.campaign_tag.clone()).flatten(),
            link_message_id: campaign_id.is_none().then(|| d.message_id.clone()).flatten(),
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
            message_id: d.message_id.clone(),
        });
    }
    // One result per send in a statement: the latest wins.
    sends.sort_by_key(|s| (s.campaign_id, s.contact_id, s.updated_at));
    sends.dedup_by(|later, earlier| {
        let same = later.campaign_id == earlier.campaign_id && later.contact_id == earlier.contact_id;
        if same {
            std::mem::swap(later, earlier);
            if earlier.message_id.is_none() {
                earlier.message_id = later.message_id.take();
            }
        }
        same
    });
    (events, sends)
}
