//! Contacts: the addresses campaigns go to.

use std::collections::HashMap;

use bounce::EmailAddress;
use chrono::{DateTime, Utc};

use crate::{INSERT_CHUNK, Result, Store, on_pool};

/// A contact to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewContact {
    pub email: EmailAddress,
    pub created_at: DateTime<Utc>,
}

impl Store {
    /// Records contacts, keeping existing ones, and returns the id of every
    /// address given (new or already known). All or nothing.
    pub async fn upsert_contacts(&self, contacts: &[NewContact]) -> Result<HashMap<EmailAddress, i64>> {
        let mut rows: Vec<(i64, String)> = Vec::with_capacity(contacts.len());
        on_pool!(self, pool, Db => {
            let mut tx = pool.begin().await?;
            for chunk in contacts.chunks(INSERT_CHUNK) {
                let mut b = sqlx::QueryBuilder::<Db>::new("INSERT INTO contacts (email, domain, created_at) ");
                b.push_values(chunk, |mut row, c| {
                    row.push_bind(c.email.as_str().to_owned())
                        .push_bind(c.email.domain().to_owned())
                        .push_bind(c.created_at);
                });
                // DO UPDATE (a no-op) rather than DO NOTHING, so RETURNING also
                // yields the ids of contacts that already existed.
                b.push(" ON CONFLICT (email) DO UPDATE SET email = excluded.email RETURNING id, email");
                rows.extend(b.build_query_as::<(i64, String)>().fetch_all(&mut *tx).await?);
            }
            tx.commit().await?;
        });
        rows.into_iter()
            .map(|(id, email)| Ok((email.parse::<EmailAddress>()?, id)))
            .collect()
    }

    /// How many contacts there are.
    pub async fn contact_count(&self) -> Result<i64> {
        let count = on_pool!(self, pool => {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM contacts").fetch_one(pool).await?
        });
        Ok(count)
    }
}
