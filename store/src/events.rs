//! Delivery events: each failed attempt or bounce, and the Errors tab's reads.

use crate::deadline::{BoundedRead, or_too_slow};
use bounce::{
    BounceClass, CodeFilter, EmailAddress, EnhancedStatus, ErrorFilter, ErrorPage, ErrorRow, EventDetail, Outcome,
    PageDirection, PageRequest, Reason, ReplyCode, Stage,
};
use chrono::{DateTime, Utc};

use crate::{Result, Store, StoreError, on_pool};

/// A failed attempt or bounce to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub occurred_at: DateTime<Utc>,
    pub campaign_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub recipient: EmailAddress,
    pub stage: Stage,
    pub outcome: Outcome,
    pub reply_code: Option<ReplyCode>,
    pub status: Option<EnhancedStatus>,
    /// The remote server's own words, stored exactly as received.
    pub diagnostic: String,
    pub remote_mta: Option<String>,
    pub class: BounceClass,
    pub reason: Option<Reason>,
    /// Where the event came from (`demo`, `postfix-log`, `webhook:sendgrid`...).
    pub source: String,
    /// The source's own id for the event: importing it again is a no-op.
    pub source_event_id: String,
    /// The bounce message the event was read from, as received (stored compressed).
    pub raw_message: Option<Vec<u8>>,
    /// For a result no campaign was found for: the tag and Message-ID it
    /// carried, shown on the Unlinked results page so a person can tell
    /// which campaign it belongs to.
    pub link_tag: Option<String>,
    pub link_message_id: Option<String>,
}

/// The most of a stored message the detail view shows.
const RAW_MESSAGE_SHOWN: usize = 512 * 1024;

pub(crate) fn compress(bytes: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok()
}

fn decompress(bytes: &[u8]) -> Option<String> {
    use std::io::Read;
    let mut out = Vec::new();
    // Bounded: a stored message is never inflated beyond what is shown.
    flate2::read::DeflateDecoder::new(bytes)
        .take(RAW_MESSAGE_SHOWN as u64)
        .read_to_end(&mut out)
        .ok()?;
    Some(String::from_utf8_lossy(&out).into_owned())
}

pub(crate) const ROW_COLUMNS: &str = "e.id, e.occurred_at, e.recipient, e.stage, e.outcome, e.reply_code, e.enhanced_status, \
                           e.diagnostic, e.class, e.reason";

#[derive(sqlx::FromRow)]
pub(crate) struct RowRecord {
    id: i64,
    occurred_at: DateTime<Utc>,
    recipient: String,
    stage: String,
    outcome: String,
    reply_code: Option<i32>,
    enhanced_status: Option<String>,
    diagnostic: String,
    class: String,
    reason: Option<String>,
}

impl TryFrom<RowRecord> for ErrorRow {
    type Error = StoreError;

    fn try_from(r: RowRecord) -> Result<Self> {
        let reply_code = r
            .reply_code
            .map(|code| code.to_string().parse::<ReplyCode>())
            .transpose()?;
        Ok(ErrorRow {
            id: r.id,
            occurred_at: r.occurred_at,
            recipient: r.recipient,
            stage: r.stage.parse()?,
            outcome: r.outcome.parse()?,
            reply_code,
            status: r.enhanced_status.as_deref().map(str::parse).transpose()?,
            diagnostic: r.diagnostic,
            class: r.class.parse()?,
            reason: r.reason.as_deref().map(str::parse).transpose()?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct DetailRecord {
    #[sqlx(flatten)]
    row: RowRecord,
    campaign_id: Option<i64>,
    campaign_name: Option<String>,
    contact_id: Option<i64>,
    recipient_domain: String,
    remote_mta: Option<String>,
    source: String,
    source_event_id: String,
    raw_message: Option<Vec<u8>>,
}

/// Escapes LIKE wildcards so a user's `%` or `_` matches itself.
pub(crate) fn like_pattern(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Pushes ` AND ...` onto a query on `delivery_events e` for every set
/// field of an [`ErrorFilter`]: the Errors tab's rows, its count and the
/// charts all narrow the same way, so a chart's bar and the rows it links
/// to agree. `$search` is the backend's text-search function.
macro_rules! push_error_filter {
    ($b:expr, $filter:expr, $search:ident) => {{
        let b = &mut $b;
        let filter: &ErrorFilter = $filter;
        if let Some(stage) = filter.stage {
            b.push(" AND e.stage = ").push_bind(stage.as_str());
        }
        if let Some(class) = filter.class {
            b.push(" AND e.class = ").push_bind(class.as_str());
        }
        if let Some(reason) = filter.reason {
            b.push(" AND e.reason = ").push_bind(reason.as_str());
        }
        if let Some(category) = filter.category {
            // The category is a function of the reason: no column of its
            // own. A failure without a reason counts as `other`.
            b.push(" AND (e.reason IN");
            $crate::push_in!(
                b,
                Reason::ALL
                    .iter()
                    .filter(|r| r.category() == category)
                    .map(|r| r.as_str())
            );
            if category == bounce::Category::Other {
                b.push(" OR e.reason IS NULL");
            }
            b.push(")");
        }
        if let Some(domain) = &filter.domain {
            b.push(" AND e.recipient_domain = ").push_bind(domain.clone());
        }
        match filter.code {
            Some(CodeFilter::Reply { low, high }) => {
                b.push(" AND e.reply_code BETWEEN ")
                    .push_bind(i32::from(low))
                    .push(" AND ")
                    .push_bind(i32::from(high));
            }
            Some(CodeFilter::Status {
                class,
                subject: Some(subject),
                detail: Some(detail),
            }) => {
                b.push(" AND e.enhanced_status = ")
                    .push_bind(format!("{class}.{subject}.{detail}"));
            }
            Some(CodeFilter::Status { class, subject, .. }) => {
                let prefix = match subject {
                    Some(subject) => format!("{class}.{subject}.%"),
                    None => format!("{class}.%"),
                };
                b.push(" AND e.enhanced_status LIKE ").push_bind(prefix);
            }
            None => {}
        }
        if let Some(search) = &filter.search {
            $search(b, search);
        }
        if filter.failed_only {
            b.push(" AND e.class <> 'none'");
        }
        if let Some(from) = filter.from {
            b.push(" AND e.occurred_at >= ").push_bind(from);
        }
        if let Some(to) = filter.to {
            b.push(" AND e.occurred_at < ").push_bind(to);
        }
    }};
}

/// The statements of [`Store::insert_events`] on an open transaction `$tx`
/// of database `$db`; the number of events inserted (a duplicate of one
/// stored before, by source and key, is skipped).
macro_rules! insert_events_in {
    ($tx:ident, $db:ty, $events:expr) => {{
        let mut inserted = 0;
        for chunk in $events.chunks($crate::INSERT_CHUNK) {
            let mut b = sqlx::QueryBuilder::<$db>::new(
                "INSERT INTO delivery_events (occurred_at, campaign_id, contact_id, recipient, recipient_domain, \
                 stage, outcome, reply_code, enhanced_status, diagnostic, remote_mta, class, reason, source, \
                 source_event_id, raw_message, link_tag, link_message_id) ",
            );
            b.push_values(chunk, |mut row, e| {
                row.push_bind(chrono::SubsecRound::trunc_subsecs(e.occurred_at, 6))
                    .push_bind(e.campaign_id)
                    .push_bind(e.contact_id)
                    .push_bind(e.recipient.as_str().to_owned())
                    .push_bind(e.recipient.domain().to_owned())
                    .push_bind(e.stage.as_str())
                    .push_bind(e.outcome.as_str())
                    .push_bind(e.reply_code.map(|c| i32::from(c.get())))
                    .push_bind(e.status.map(|s| s.to_string()))
                    .push_bind(e.diagnostic.clone())
                    .push_bind(e.remote_mta.clone())
                    .push_bind(e.class.as_str())
                    .push_bind(e.reason.map(bounce::Reason::as_str))
                    .push_bind(e.source.clone())
                    .push_bind(e.source_event_id.clone())
                    .push_bind(e.raw_message.as_deref().and_then($crate::events::compress))
                    .push_bind(e.link_tag.clone())
                    .push_bind(e.link_message_id.clone());
            });
            b.push(" ON CONFLICT (source, source_event_id) DO NOTHING");
            inserted += b.build().execute(&mut *$tx).await?.rows_affected();
        }
        inserted
    }};
}
pub(crate) use insert_events_in;

impl Store {
    /// Records events; one whose `(source, source_event_id)` is already stored
    /// is skipped. Returns how many were new. All or nothing.
    pub async fn insert_events(&self, events: &[NewEvent]) -> Result<u64> {
        let inserted;
        on_pool!(self, pool, Db => {
            let mut tx = pool.begin().await?;
            inserted = insert_events_in!(tx, Db, events);
            tx.commit().await?;
        });
        Ok(inserted)
    }

    /// One page of a campaign's errors, newest first, narrowed by `filter`.
    ///
    /// Keyset pagination on `(occurred_at, id)`: every page is an index range
    /// scan of at most `limit + 1` rows, however deep the page.
    pub async fn error_page(&self, campaign_id: i64, filter: &ErrorFilter, page: PageRequest) -> Result<ErrorPage> {
        let limit = page.clamped_limit() as usize;
        let (bound, order) = match page.direction {
            PageDirection::First => (None, "DESC"),
            PageDirection::Older(c) => (Some(("<", c)), "DESC"),
            PageDirection::Newer(c) => (Some((">", c)), "ASC"),
        };
        self.note_common_terms(filter).await?;
        let records: Vec<RowRecord> = on_pool!(self, pool, Db, push_text_search => {
            let mut b = sqlx::QueryBuilder::<Db>::new(format!("SELECT {ROW_COLUMNS} FROM delivery_events e WHERE e.campaign_id = "));
            b.push_bind(campaign_id);
            push_error_filter!(b, filter, push_text_search);
            if let Some((op, cursor)) = bound {
                b.push(format!(" AND (e.occurred_at, e.id) {op} ("))
                    .push_bind(cursor.occurred_at)
                    .push(", ")
                    .push_bind(cursor.id)
                    .push(")");
            }
            b.push(format!(" ORDER BY e.occurred_at {order}, e.id {order} LIMIT "))
                .push_bind(i64::try_from(limit + 1).unwrap_or(i64::MAX));
            let mut read = pool.bounded(filter.may_scan()).await?;
            b.build_query_as::<RowRecord>().fetch_all(&mut *read.tx).await.map_err(or_too_slow)?
        });
        let has_more = records.len() > limit;
        let mut rows = records
            .into_iter()
            .take(limit)
            .map(ErrorRow::try_from)
            .collect::<Result<Vec<_>>>()?;
        let (newer, older) = match page.direction {
            PageDirection::First => (None, has_more.then(|| rows.last().map(ErrorRow::cursor)).flatten()),
            PageDirection::Older(_) => (
                rows.first().map(ErrorRow::cursor),
                has_more.then(|| rows.last().map(ErrorRow::cursor)).flatten(),
            ),
            PageDirection::Newer(_) => {
                rows.reverse();
                (
                    has_more.then(|| rows.first().map(ErrorRow::cursor)).flatten(),
                    rows.last().map(ErrorRow::cursor),
                )
            }
        };
        Ok(ErrorPage { rows, newer, older })
    }

    /// How many of a campaign's events `filter` lets through: the Errors
    /// tab's total, and what a chart's bar links to.
    pub async fn error_count(&self, campaign_id: i64, filter: &ErrorFilter) -> Result<i64> {
        let count = on_pool!(self, pool, Db, push_text_search => {
            let mut b = sqlx::QueryBuilder::<Db>::new("SELECT COUNT(*) FROM delivery_events e WHERE e.campaign_id = ");
            b.push_bind(campaign_id);
            push_error_filter!(b, filter, push_text_search);
            let mut read = pool.bounded(filter.may_scan()).await?;
            b.build_query_scalar::<i64>().fetch_one(&mut *read.tx).await.map_err(or_too_slow)?
        });
        Ok(count)
    }

    /// Like [`Store::error_count`], but counts no further than `cap`:
    /// `(count, true)` when there are more. The Errors tab says "10,000+
    /// rows" rather than count a whole campaign on every page view (a count
    /// reads every matching index entry; the page itself reads 51).
    pub async fn error_count_upto(&self, campaign_id: i64, filter: &ErrorFilter, cap: i64) -> Result<(i64, bool)> {
        self.note_common_terms(filter).await?;
        let count = on_pool!(self, pool, Db, push_text_search => {
            let mut b = sqlx::QueryBuilder::<Db>::new(
                "SELECT COUNT(*) FROM (SELECT 1 FROM delivery_events e WHERE e.campaign_id = ",
            );
            b.push_bind(campaign_id);
            push_error_filter!(b, filter, push_text_search);
            b.push(" LIMIT ").push_bind(cap.saturating_add(1)).push(") bounded");
            let mut read = pool.bounded(filter.may_scan()).await?;
            b.build_query_scalar::<i64>().fetch_one(&mut *read.tx).await.map_err(or_too_slow)?
        });
        Ok((count.min(cap), count > cap))
    }

    /// On SQLite, finds out whether the filter's search term is common, for
    /// the text search to choose its way (`sqlite::note_common_terms`).
    async fn note_common_terms(&self, filter: &ErrorFilter) -> Result<()> {
        match (&self.backend, &filter.search) {
            (crate::Backend::Sqlite(pool), Some(needle)) => crate::sqlite::note_common_terms(pool, needle).await,
            _ => Ok(()),
        }
    }

    /// Everything stored about one event.
    pub async fn event_detail(&self, id: i64) -> Result<Option<EventDetail>> {
        let sql = format!(
            "SELECT {ROW_COLUMNS}, e.campaign_id, c.name AS campaign_name, e.contact_id, e.recipient_domain, \
             e.remote_mta, e.source, e.source_event_id, e.raw_message \
             FROM delivery_events e LEFT JOIN campaigns c ON c.id = e.campaign_id WHERE e.id = $1"
        );
        let record: Option<DetailRecord> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(pool).await?
        });
        record
            .map(|r| {
                Ok(EventDetail {
                    row: r.row.try_into()?,
                    campaign_id: r.campaign_id,
                    campaign_name: r.campaign_name,
                    contact_id: r.contact_id,
                    recipient_domain: r.recipient_domain,
                    remote_mta: r.remote_mta,
                    source: r.source,
                    source_event_id: r.source_event_id,
                    raw_message: r.raw_message.as_deref().and_then(decompress),
                })
            })
            .transpose()
    }

    /// How many events a campaign has (all campaigns with `None`).
    pub async fn event_count(&self, campaign_id: Option<i64>) -> Result<i64> {
        let count = on_pool!(self, pool => {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM delivery_events WHERE $1 IS NULL OR campaign_id = $1",
            )
            .bind(campaign_id)
            .fetch_one(pool)
            .await?
        });
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(like_pattern("100%_sure\\"), "%100\\%\\_sure\\\\%");
    }
}
