//! Provider incidents: found in a campaign's failures by the rule in
//! `bounce::incident`, kept with their evidence, and marked on the sends
//! they cover so selections and policies can leave those out.

use bounce::incident::{self, DomainSends, HourCount, Incident, IncidentRule};
use chrono::{DateTime, Utc};

use crate::selections::compile::FAILED;
use crate::{BackendKind, Result, Store, StoreError, on_pool};

#[derive(sqlx::FromRow)]
struct HourRecord {
    domain: String,
    code: String,
    hour: String,
    failures: i64,
}

#[derive(sqlx::FromRow)]
struct IncidentRecord {
    domain: String,
    code: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    failures: i64,
    domain_sent: i64,
    rate: f64,
    rate_elsewhere: f64,
    share: f64,
}

impl From<IncidentRecord> for Incident {
    fn from(r: IncidentRecord) -> Self {
        Incident {
            domain: r.domain,
            code: r.code,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            failures: r.failures,
            domain_sent: r.domain_sent,
            rate: r.rate,
            rate_elsewhere: r.rate_elsewhere,
            share: r.share,
        }
    }
}

/// The code a failure is grouped by: the enhanced status when the server
/// gave one, else the reply code, else nothing.
const CODE: &str = "COALESCE(e.enhanced_status, CAST(e.reply_code AS TEXT), '')";

impl Store {
    /// Finds a campaign's incidents anew (after its results arrived),
    /// replaces the ones recorded before and marks the failed sends of the
    /// contacts whose failure fell in one. All in one transaction.
    pub async fn detect_incidents(&self, campaign_id: i64, rule: &IncidentRule) -> Result<Vec<Incident>> {
        let bucket = match self.kind() {
            BackendKind::Sqlite => crate::sqlite::HOUR_BUCKET,
            BackendKind::Postgres => crate::postgres::HOUR_BUCKET,
        };
        let hours_sql = format!(
            "SELECT e.recipient_domain AS domain, {CODE} AS code, {bucket} AS hour, COUNT(*) AS failures \
             FROM delivery_events e WHERE e.campaign_id = $1 AND e.class <> 'none' \
             GROUP BY e.recipient_domain, {CODE}, {bucket}"
        );
        let (hours, domains): (Vec<HourRecord>, Vec<(String, i64, i64)>) = on_pool!(self, pool => {
            let hours = sqlx::query_as(sqlx::AssertSqlSafe(hours_sql)).bind(campaign_id).fetch_all(pool).await?;
            let domains = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT k.domain, COUNT(*), \
                 SUM(CASE WHEN s.class IN {FAILED} THEN 1 ELSE 0 END) \
                 FROM sends s JOIN contacts k ON k.id = s.contact_id \
                 WHERE s.campaign_id = $1 AND s.outcome <> 'rejected' GROUP BY k.domain"
            )))
            .bind(campaign_id)
            .fetch_all(pool)
            .await?;
            (hours, domains)
        });
        let hours = hours
            .into_iter()
            .map(|h| {
                let hour = DateTime::parse_from_rfc3339(&h.hour)
                    .map_err(|_| StoreError::Corrupt(bounce::ParseError::at("occurred_at", &h.hour, "is not a time")))?
                    .with_timezone(&Utc);
                Ok(HourCount {
                    domain: h.domain,
                    code: h.code,
                    hour,
                    failures: h.failures,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let domains: Vec<DomainSends> = domains
            .into_iter()
            .map(|(domain, sent, failed)| DomainSends { domain, sent, failed })
            .collect();
        let found = incident::detect(rule, &hours, &domains);
        let mark = format!(
            "UPDATE sends SET incident_id = $1 WHERE campaign_id = $2 AND class IS NOT NULL AND contact_id IN \
             (SELECT e.contact_id FROM delivery_events e WHERE e.campaign_id = $2 AND e.recipient_domain = $3 \
             AND {CODE} = $4 AND e.occurred_at >= $5 AND e.occurred_at < $6 AND e.contact_id IS NOT NULL)"
        );
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE sends SET incident_id = NULL WHERE campaign_id = $1 AND incident_id IS NOT NULL")
                .bind(campaign_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM incidents WHERE campaign_id = $1").bind(campaign_id).execute(&mut *tx).await?;
            for i in &found {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO incidents (campaign_id, domain, code, starts_at, ends_at, failures, domain_sent, \
                     rate, rate_elsewhere, share) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                )
                .bind(campaign_id)
                .bind(&i.domain)
                .bind(&i.code)
                .bind(i.starts_at)
                .bind(i.ends_at)
                .bind(i.failures)
                .bind(i.domain_sent)
                .bind(i.rate)
                .bind(i.rate_elsewhere)
                .bind(i.share)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query(sqlx::AssertSqlSafe(mark.as_str()))
                    .bind(id)
                    .bind(campaign_id)
                    .bind(&i.domain)
                    .bind(&i.code)
                    .bind(i.starts_at)
                    .bind(i.ends_at)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(found)
    }

    /// A campaign's recorded incidents, the largest first.
    pub async fn incidents(&self, campaign_id: i64) -> Result<Vec<Incident>> {
        let rows: Vec<IncidentRecord> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT domain, code, starts_at, ends_at, failures, domain_sent, rate, rate_elsewhere, share \
                 FROM incidents WHERE campaign_id = $1 ORDER BY failures DESC, domain",
            )
            .bind(campaign_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(Incident::from).collect())
    }
}
