//! Doing the work stored results owe (`store::FollowUp`): finding the
//! incidents of the campaigns they touched, then applying the suppression
//! policies to the contacts they touched. Each import does it once its
//! results are in, and the server does it once a minute, so work a killed
//! process left noted is done without anyone importing again.

use bounce::incident::IncidentRule;
use chrono::Utc;
use store::{FollowUp, Store};

use crate::ServerError;

/// Campaigns whose incidents are found per round trip to the notes.
const CAMPAIGNS_AT_ONCE: i64 = 100;
/// Contacts whose policies are applied per round trip: one chunk of reads
/// and blocks, bounded in memory however many are noted.
const CONTACTS_AT_ONCE: i64 = 10_000;

/// What a round of follow-up work did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Done {
    /// Incidents found.
    pub incidents: usize,
    /// Blocks recorded by the policies.
    pub blocks: usize,
}

/// Does all the follow-up work noted so far, this process's and any a
/// killed one left. Incidents first: a failure inside an incident does not
/// count towards a block. A note is forgotten only after its work is
/// committed; doing the work twice records nothing twice.
pub async fn work_off(store: &Store) -> Result<Done, ServerError> {
    let mut done = Done::default();
    loop {
        let pending = store.pending(FollowUp::Incidents, CAMPAIGNS_AT_ONCE).await?;
        if pending.subjects.is_empty() {
            break;
        }
        for campaign in &pending.subjects {
            done.incidents += store.detect_incidents(*campaign, &IncidentRule::default()).await?.len();
        }
        store.forget(FollowUp::Incidents, &pending).await?;
    }
    let mut pending = store.pending(FollowUp::Policies, CONTACTS_AT_ONCE).await?;
    if !pending.subjects.is_empty() {
        // Read only when there is work: most of a server's rounds find none.
        let policy = store.policy().await?;
        while !pending.subjects.is_empty() {
            done.blocks += store.apply_policies(&policy, &pending.subjects, Utc::now()).await?;
            store.forget(FollowUp::Policies, &pending).await?;
            pending = store.pending(FollowUp::Policies, CONTACTS_AT_ONCE).await?;
        }
    }
    Ok(done)
}
