//! Campaigns and their delivery totals.

use bounce::CampaignSummary;
use chrono::{DateTime, Utc};

use crate::{Result, Store, on_pool};

/// A campaign to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCampaign {
    pub name: String,
    pub subject: String,
    pub from_domain: String,
    pub sent_at: DateTime<Utc>,
}

/// Totals per campaign, kept up to date by triggers on `sends` (migration
/// 0005): a page reads one row per campaign instead of aggregating sends.
const SUMMARY_SELECT: &str = "
SELECT c.id, c.name, c.subject, c.from_domain, c.sent_at,
       COALESCE(t.sent, 0) AS sent, COALESCE(t.delivered, 0) AS delivered, COALESCE(t.hard, 0) AS hard,
       COALESCE(t.soft, 0) AS soft, COALESCE(t.undetermined, 0) AS undetermined, COALESCE(t.rejected, 0) AS rejected
FROM campaigns c
LEFT JOIN campaign_totals t ON t.campaign_id = c.id";

const SUMMARY_ORDER: &str = " ORDER BY c.sent_at DESC, c.id DESC";

/// The same totals counted from the sends themselves: what the kept totals
/// must always equal.
const RECOUNT: &str = "
SELECT c.id, c.name, c.subject, c.from_domain, c.sent_at,
       COALESCE(SUM(CASE WHEN s.outcome <> 'rejected' THEN 1 ELSE 0 END), 0) AS sent,
       COALESCE(SUM(CASE WHEN s.outcome = 'accepted' AND s.class IS NULL THEN 1 ELSE 0 END), 0) AS delivered,
       COALESCE(SUM(CASE WHEN s.class = 'hard' THEN 1 ELSE 0 END), 0) AS hard,
       COALESCE(SUM(CASE WHEN s.class = 'soft' THEN 1 ELSE 0 END), 0) AS soft,
       COALESCE(SUM(CASE WHEN s.class = 'undetermined' THEN 1 ELSE 0 END), 0) AS undetermined,
       COALESCE(SUM(CASE WHEN s.outcome = 'rejected' THEN 1 ELSE 0 END), 0) AS rejected
FROM campaigns c
LEFT JOIN sends s ON s.campaign_id = c.id
GROUP BY c.id, c.name, c.subject, c.from_domain, c.sent_at
ORDER BY c.sent_at DESC, c.id DESC";

#[derive(sqlx::FromRow)]
struct SummaryRecord {
    id: i64,
    name: String,
    subject: String,
    from_domain: String,
    sent_at: DateTime<Utc>,
    sent: i64,
    delivered: i64,
    hard: i64,
    soft: i64,
    undetermined: i64,
    rejected: i64,
}

impl From<SummaryRecord> for CampaignSummary {
    fn from(r: SummaryRecord) -> Self {
        CampaignSummary {
            id: r.id,
            name: r.name,
            subject: r.subject,
            from_domain: r.from_domain,
            sent_at: r.sent_at,
            sent: r.sent,
            delivered: r.delivered,
            hard: r.hard,
            soft: r.soft,
            undetermined: r.undetermined,
            rejected: r.rejected,
        }
    }
}

impl Store {
    /// Records a campaign and returns its id.
    pub async fn insert_campaign(&self, campaign: &NewCampaign) -> Result<i64> {
        let id = on_pool!(self, pool => {
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO campaigns (name, subject, from_domain, sent_at)
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(&campaign.name)
            .bind(&campaign.subject)
            .bind(&campaign.from_domain)
            .bind(campaign.sent_at)
            .fetch_one(pool)
            .await?
        });
        Ok(id)
    }

    /// Every campaign with its totals, newest first.
    pub async fn campaign_summaries(&self) -> Result<Vec<CampaignSummary>> {
        let sql = format!("{SUMMARY_SELECT}{SUMMARY_ORDER}");
        let records: Vec<SummaryRecord> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(pool).await?
        });
        Ok(records.into_iter().map(Into::into).collect())
    }

    /// One campaign with its totals.
    pub async fn campaign_summary(&self, id: i64) -> Result<Option<CampaignSummary>> {
        let sql = format!("{SUMMARY_SELECT} WHERE c.id = $1");
        let record: Option<SummaryRecord> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(pool).await?
        });
        Ok(record.map(Into::into))
    }

    /// Every campaign with its totals counted from the sends (slow: for
    /// checking the kept totals and for benchmarks).
    pub async fn recount_campaign_summaries(&self) -> Result<Vec<CampaignSummary>> {
        let records: Vec<SummaryRecord> = on_pool!(self, pool => {
            sqlx::query_as(RECOUNT).fetch_all(pool).await?
        });
        Ok(records.into_iter().map(Into::into).collect())
    }

    /// How many campaigns there are (an empty database gets demo data).
    pub async fn campaign_count(&self) -> Result<i64> {
        let count = on_pool!(self, pool => {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM campaigns").fetch_one(pool).await?
        });
        Ok(count)
    }
}
