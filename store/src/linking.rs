//! What links results from outside to campaigns (a campaign's tag), and
//! the results nothing linked: kept, and listed so a person can see them.

use bounce::intake::UnlinkedResult;
use bounce::query::Cursor;
use bounce::report::ErrorRow;

use crate::events::{ROW_COLUMNS, RowRecord};
use crate::{Result, Store, StoreError, on_pool};

/// The longest tag accepted.
const TAG_MAX: usize = 200;

#[derive(sqlx::FromRow)]
struct UnlinkedRecord {
    #[sqlx(flatten)]
    row: RowRecord,
    source: String,
    link_tag: Option<String>,
    link_message_id: Option<String>,
}

impl Store {
    /// Sets (or with `None` clears) the tag results name a campaign by;
    /// `false` when there is no such campaign. A tag another campaign has
    /// is refused, naming the field.
    pub async fn set_campaign_tag(&self, campaign_id: i64, tag: Option<&str>) -> Result<bool> {
        let tag = tag.map(str::trim).filter(|t| !t.is_empty());
        if let Some(t) = tag
            && t.chars().count() > TAG_MAX
        {
            return Err(StoreError::Invalid(bounce::ParseError::at(
                "tag",
                t,
                format!("is longer than {TAG_MAX} characters"),
            )));
        }
        let taken: Option<i64> = match tag {
            None => None,
            Some(t) => on_pool!(self, pool => {
                sqlx::query_scalar("SELECT id FROM campaigns WHERE tag = $1 AND id <> $2")
                    .bind(t)
                    .bind(campaign_id)
                    .fetch_optional(pool)
                    .await?
            }),
        };
        if let (Some(other), Some(t)) = (taken, tag) {
            return Err(StoreError::Invalid(bounce::ParseError::at(
                "tag",
                t,
                format!("is already the tag of campaign {other}"),
            )));
        }
        let done = on_pool!(self, pool => {
            sqlx::query("UPDATE campaigns SET tag = $1 WHERE id = $2")
                .bind(tag)
                .bind(campaign_id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done > 0)
    }

    /// The campaign a tag names, if any.
    pub async fn campaign_with_tag(&self, tag: &str) -> Result<Option<i64>> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT id FROM campaigns WHERE tag = $1")
                .bind(tag.trim())
                .fetch_optional(pool)
                .await?
        }))
    }

    /// The results no campaign was found for, newest first, older than
    /// `before` when given; at most `limit`.
    pub async fn unlinked(&self, before: Option<Cursor>, limit: u32) -> Result<Vec<UnlinkedResult>> {
        let limit = i64::from(limit.clamp(1, 500));
        let records: Vec<UnlinkedRecord> = on_pool!(self, pool, Db => {
            let mut b = sqlx::QueryBuilder::<Db>::new(format!(
                "SELECT {ROW_COLUMNS}, e.source, e.link_tag, e.link_message_id FROM delivery_events e \
                 WHERE e.campaign_id IS NULL"
            ));
            if let Some(c) = before {
                b.push(" AND (e.occurred_at, e.id) < (")
                    .push_bind(c.occurred_at)
                    .push(", ")
                    .push_bind(c.id)
                    .push(")");
            }
            b.push(" ORDER BY e.occurred_at DESC, e.id DESC LIMIT ").push_bind(limit);
            b.build_query_as::<UnlinkedRecord>().fetch_all(pool).await?
        });
        records
            .into_iter()
            .map(|r| {
                Ok(UnlinkedResult {
                    row: ErrorRow::try_from(r.row)?,
                    source: r.source,
                    tag: r.link_tag,
                    message_id: r.link_message_id,
                })
            })
            .collect()
    }

    /// How many results no campaign was found for.
    pub async fn unlinked_count(&self) -> Result<i64> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM delivery_events WHERE campaign_id IS NULL")
                .fetch_one(pool)
                .await?
        }))
    }
}
