//! Contacts: the addresses campaigns go to.

use std::collections::HashMap;

use bounce::contact::{ContactDetail, ContactSend};
use bounce::{EmailAddress, ReplyCode};
use chrono::{DateTime, Utc};

use crate::{Result, Store, on_pool};

/// A contact to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewContact {
    pub email: EmailAddress,
    pub created_at: DateTime<Utc>,
}

/// The statements of [`Store::upsert_contacts`] on an open transaction
/// `$tx` of database `$db`: every contact's `(id, email)`, new or not.
macro_rules! upsert_contacts_in {
    ($tx:ident, $db:ty, $contacts:expr) => {{
        let mut rows: Vec<(i64, String)> = Vec::with_capacity($contacts.len());
        for chunk in $contacts.chunks($crate::INSERT_CHUNK) {
            // Most results are about contacts already stored: find those
            // first and write only the new ones (an upsert of every one
            // rewrote each existing row).
            let mut find = sqlx::QueryBuilder::<$db>::new("SELECT id, email FROM contacts WHERE email IN");
            $crate::push_in!(find, chunk.iter().map(|c| c.email.as_str()));
            let found: Vec<(i64, String)> = find.build_query_as().fetch_all(&mut *$tx).await?;
            let known: std::collections::HashSet<&str> = found.iter().map(|(_, e)| e.as_str()).collect();
            let new: Vec<&$crate::NewContact> = chunk.iter().filter(|c| !known.contains(c.email.as_str())).collect();
            rows.extend(found.iter().cloned());
            if new.is_empty() {
                continue;
            }
            let mut b = sqlx::QueryBuilder::<$db>::new("INSERT INTO contacts (email, domain, created_at, typo_of) ");
            b.push_values(new, |mut row, c| {
                row.push_bind(c.email.as_str().to_owned())
                    .push_bind(c.email.domain().to_owned())
                    .push_bind(c.created_at)
                    .push_bind(bounce::typo::likely_intended(c.email.domain()));
            });
            // DO UPDATE (a no-op) rather than DO NOTHING, so RETURNING also
            // yields the id of a contact another writer stored meanwhile.
            b.push(" ON CONFLICT (email) DO UPDATE SET email = excluded.email RETURNING id, email");
            rows.extend(b.build_query_as::<(i64, String)>().fetch_all(&mut *$tx).await?);
        }
        rows
    }};
}
pub(crate) use upsert_contacts_in;

impl Store {
    /// Records contacts, keeping existing ones, and returns the id of every
    /// address given (new or already known). All or nothing.
    pub async fn upsert_contacts(&self, contacts: &[NewContact]) -> Result<HashMap<EmailAddress, i64>> {
        let rows: Vec<(i64, String)>;
        on_pool!(self, pool, Db => {
            let mut tx = pool.begin().await?;
            rows = upsert_contacts_in!(tx, Db, contacts);
            tx.commit().await?;
        });
        rows.into_iter()
            .map(|(id, email)| Ok((email.parse::<EmailAddress>()?, id)))
            .collect()
    }

    /// Sets `typo_of` on every contact anew when the typo tables of this
    /// build differ from those that set it (kept in `settings`): after the
    /// migration that added the column, and whenever the provider list
    /// grows. One pass over the distinct domains.
    pub(crate) async fn refresh_typo_domains(&self) -> Result<()> {
        const KEY: &str = "typo_table";
        let version = bounce::typo::TABLE_VERSION.to_string();
        if self.setting(KEY).await?.as_deref() == Some(version.as_str()) {
            return Ok(());
        }
        on_pool!(self, pool => {
            let domains: Vec<String> = sqlx::query_scalar("SELECT DISTINCT domain FROM contacts")
                .fetch_all(pool)
                .await?;
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE contacts SET typo_of = NULL WHERE typo_of IS NOT NULL")
                .execute(&mut *tx)
                .await?;
            for domain in &domains {
                if let Some(intended) = bounce::typo::likely_intended(domain) {
                    sqlx::query("UPDATE contacts SET typo_of = $1 WHERE domain = $2")
                        .bind(intended)
                        .bind(domain)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            // In the transaction, so the version is recorded only with the
            // update it stands for (`set_setting` would write on its own).
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(KEY)
            .bind(&version)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// How many contacts there are.
    pub async fn contact_count(&self) -> Result<i64> {
        let count = on_pool!(self, pool => {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM contacts").fetch_one(pool).await?
        });
        Ok(count)
    }
}

#[derive(sqlx::FromRow)]
struct ContactRecord {
    id: i64,
    email: String,
    status: String,
    created_at: DateTime<Utc>,
    bounces_reset_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct ContactSendRecord {
    campaign_id: i64,
    campaign: String,
    at: DateTime<Utc>,
    outcome: String,
    class: Option<String>,
    stage: Option<String>,
    reply_code: Option<i32>,
    enhanced_status: Option<String>,
    diagnostic: Option<String>,
    reason: Option<String>,
}

impl TryFrom<ContactSendRecord> for ContactSend {
    type Error = crate::StoreError;

    fn try_from(r: ContactSendRecord) -> Result<Self> {
        Ok(ContactSend {
            campaign_id: r.campaign_id,
            campaign: r.campaign,
            at: r.at,
            outcome: r.outcome.parse()?,
            class: r.class.as_deref().map(str::parse).transpose()?,
            stage: r.stage.as_deref().map(str::parse).transpose()?,
            reply_code: r.reply_code.map(|c| c.to_string().parse::<ReplyCode>()).transpose()?,
            status: r.enhanced_status.as_deref().map(str::parse).transpose()?,
            diagnostic: r.diagnostic,
            reason: r.reason.as_deref().map(str::parse).transpose()?,
        })
    }
}

impl Store {
    /// One contact: its sends across campaigns (newest first), its
    /// suppression and the history of its standing.
    pub async fn contact_detail(&self, id: i64) -> Result<Option<ContactDetail>> {
        let contact: Option<ContactRecord> = on_pool!(self, pool => {
            sqlx::query_as("SELECT id, email, status, created_at, bounces_reset_at FROM contacts WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        let Some(c) = contact else {
            return Ok(None);
        };
        let sends: Vec<ContactSendRecord> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT s.campaign_id, c.name AS campaign, s.updated_at AS at, s.outcome, s.class, s.stage, \
                 s.reply_code, s.enhanced_status, s.diagnostic, s.reason \
                 FROM sends s JOIN campaigns c ON c.id = s.campaign_id WHERE s.contact_id = $1 \
                 ORDER BY c.sent_at DESC, s.id DESC LIMIT 1000",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        Ok(Some(ContactDetail {
            id: c.id,
            status: c.status.parse()?,
            created_at: c.created_at,
            bounces_reset_at: c.bounces_reset_at,
            sends: sends.into_iter().map(ContactSend::try_from).collect::<Result<_>>()?,
            suppression: self.suppression(&c.email).await?,
            history: self.history(&c.email).await?,
            email: c.email,
        }))
    }

    /// The id of the contact with this address.
    pub async fn contact_id(&self, email: &EmailAddress) -> Result<Option<i64>> {
        let id = on_pool!(self, pool => {
            sqlx::query_scalar::<_, i64>("SELECT id FROM contacts WHERE email = $1")
                .bind(email.as_str())
                .fetch_optional(pool)
                .await?
        });
        Ok(id)
    }
}
