//! The numbers behind the charts, counted in SQL.
//!
//! Every query groups in the database and returns a few dozen rows at most
//! (one per stage, reason, status, domain or hour); Rust only folds those
//! grouped rows into coarser keys (reasons into categories, statuses into
//! `5.1`-style classes) and attaches the Errors tab filter each row stands
//! for. Campaign charts count delivery events with class hard, soft or
//! undetermined, exactly what the Errors tab shows with `failed=1`.

use std::collections::{BTreeMap, HashMap};

use bounce::chart::{ChartData, ChartName, ChartRow, ClassCounts, MIN_SENDS_FOR_RATE};
use bounce::{Category, CodeFilter, EnhancedStatus, ErrorFilter, Reason, ReplyCode, Stage};
use chrono::{DateTime, Duration, Utc};

use crate::selections::compile::FAILED;
use crate::{BackendKind, Result, Store, StoreError, on_pool, push_in};

/// Charts counted before, each with the data version it was counted at
/// (`campaign_totals.version`, raised by triggers in the same transaction
/// as every write to a campaign's sends or events). A chart whose version
/// has not moved is served from here: one primary-key read instead of
/// grouping a campaign's events. Several servers on one database each keep
/// their own, and each sees every other's writes through the version.
#[derive(Debug, Default)]
pub(crate) struct Cache {
    entries: std::sync::Mutex<HashMap<Key, (Version, ChartData)>>,
}

/// A chart: the campaign's (or `None`, the dashboard's) and which.
type Key = (Option<i64>, ChartName);

/// A campaign's version, or for the dashboard the sum and count of all
/// campaigns' versions and the newest campaign (a deletion changes it too).
type Version = (i64, i64, i64);

/// Charts kept at most; when full the cache starts again empty, which is
/// simple and, at this size, cheap.
const CACHE_ENTRIES: usize = 512;

impl Cache {
    fn get(&self, key: Key, version: Version) -> Option<ChartData> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(&key)
            .filter(|(v, _)| *v == version)
            .map(|(_, data)| data.clone())
    }

    fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }

    fn put(&self, key: Key, version: Version, data: &ChartData) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CACHE_ENTRIES {
                entries.clear();
            }
            entries.insert(key, (version, data.clone()));
        }
    }
}

/// How many domains the domain charts rank.
const TOP_DOMAINS: i64 = 10;

/// The class split of the failures in a group, as SQL.
/// (`COALESCE`: over no rows at all, SUM is NULL.)
const PIVOT: &str = "COALESCE(SUM(CASE WHEN e.class = 'hard' THEN 1 ELSE 0 END), 0) AS hard, \
                     COALESCE(SUM(CASE WHEN e.class = 'soft' THEN 1 ELSE 0 END), 0) AS soft, \
                     COALESCE(SUM(CASE WHEN e.class = 'undetermined' THEN 1 ELSE 0 END), 0) AS undetermined";

/// The failures a campaign chart counts.
const FAILURES: &str = "FROM delivery_events e WHERE e.campaign_id = $1 AND e.class <> 'none'";

#[derive(sqlx::FromRow)]
struct Grouped {
    key: Option<String>,
    hard: i64,
    soft: i64,
    undetermined: i64,
}

impl Grouped {
    fn counts(&self) -> ClassCounts {
        ClassCounts {
            hard: self.hard,
            soft: self.soft,
            undetermined: self.undetermined,
        }
    }
}

/// The filter a campaign chart's row links to: failures only, plus `narrow`.
fn failures(narrow: impl FnOnce(&mut ErrorFilter)) -> ErrorFilter {
    let mut filter = ErrorFilter {
        failed_only: true,
        ..ErrorFilter::default()
    };
    narrow(&mut filter);
    filter
}

/// How wide the timeline's buckets are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bucket {
    Hour,
    Day,
}

impl Store {
    /// Forgets every cached chart, so the next read counts anew (benchmarks
    /// measure both).
    pub fn forget_cached_charts(&self) {
        self.charts.clear();
    }

    /// The numbers of one campaign chart; `None` when there is no such
    /// campaign, an error when `name` is a dashboard chart.
    pub async fn campaign_chart(&self, campaign_id: i64, name: ChartName) -> Result<Option<ChartData>> {
        let version: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT version FROM campaign_totals WHERE campaign_id = $1")
                .bind(campaign_id)
                .fetch_optional(pool)
                .await?
        });
        let Some(version) = version else {
            return Ok(None);
        };
        let key = (Some(campaign_id), name);
        if let Some(data) = self.charts.get(key, (version, 0, 0)) {
            return Ok(Some(data));
        }
        let mut measures = Vec::new();
        let rows = match name {
            ChartName::Categories => self.categories(campaign_id).await?,
            ChartName::Stages => {
                let Some(campaign) = self.campaign_summary(campaign_id).await? else {
                    return Ok(None);
                };
                measures.push(("sent".to_owned(), campaign.sent as f64));
                measures.push(("delivered".to_owned(), campaign.delivered as f64));
                self.stages(campaign_id, campaign.sent).await?
            }
            ChartName::Codes => self.codes(campaign_id).await?,
            ChartName::Domains => self.domains(campaign_id).await?,
            ChartName::Timeline => self.timeline(campaign_id).await?,
            ChartName::Rates | ChartName::DomainChanges => {
                return Err(StoreError::Invalid(bounce::ParseError::at(
                    "chart",
                    name.as_str(),
                    "is a dashboard chart, not a campaign's",
                )));
            }
        };
        let data = ChartData {
            name,
            rows,
            measures,
            counted_at: Utc::now(),
        };
        self.charts.put(key, (version, 0, 0), &data);
        Ok(Some(data))
    }

    async fn grouped(&self, key: &str, campaign_id: i64) -> Result<Vec<Grouped>> {
        let sql = format!("SELECT {key} AS key, {PIVOT} {FAILURES} GROUP BY {key}");
        let rows = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(campaign_id).fetch_all(pool).await?
        });
        Ok(rows)
    }

    /// Failures by category: grouped by reason in SQL, folded into the
    /// reason's category here (a failure without a reason is `other`).
    async fn categories(&self, campaign_id: i64) -> Result<Vec<ChartRow>> {
        let mut by_category: BTreeMap<usize, ClassCounts> = BTreeMap::new();
        for row in self.grouped("e.reason", campaign_id).await? {
            let category = match row.key.as_deref() {
                Some(reason) => reason.parse::<Reason>()?.category(),
                None => Category::Other,
            };
            let position = Category::ALL.iter().position(|c| *c == category).unwrap_or(0);
            by_category.entry(position).or_default().add(row.counts());
        }
        let mut rows: Vec<ChartRow> = by_category
            .into_iter()
            .map(|(position, counts)| {
                let category = Category::ALL[position];
                ChartRow::counted(category.as_str(), counts, failures(|f| f.category = Some(category)))
            })
            .collect();
        rows.sort_by(|a, b| b.counts.total().cmp(&a.counts.total()).then(a.key.cmp(&b.key)));
        Ok(rows)
    }

    /// Failures per stage in delivery order, each with the sends still on
    /// their way after it (the funnel from sent to delivered).
    async fn stages(&self, campaign_id: i64, sent: i64) -> Result<Vec<ChartRow>> {
        let grouped = self.grouped("e.stage", campaign_id).await?;
        let failed_sends: Vec<(Option<String>, i64)> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT s.stage, COUNT(*) FROM sends s \
                 WHERE s.campaign_id = $1 AND s.class IN {FAILED} GROUP BY s.stage"
            )))
            .bind(campaign_id)
            .fetch_all(pool)
            .await?
        });
        let mut remaining = sent;
        let mut rows = Vec::new();
        for stage in Stage::ALL.into_iter().filter(|s| *s != Stage::Reply) {
            let counts = grouped
                .iter()
                .find(|g| g.key.as_deref() == Some(stage.as_str()))
                .map(Grouped::counts)
                .unwrap_or_default();
            let stopped = failed_sends
                .iter()
                .find(|(s, _)| s.as_deref() == Some(stage.as_str()))
                .map_or(0, |(_, n)| *n);
            remaining -= stopped;
            rows.push(
                ChartRow::counted(stage.as_str(), counts, failures(|f| f.stage = Some(stage)))
                    .with("failed_sends", stopped as f64)
                    .with("remaining", remaining.max(0) as f64),
            );
        }
        Ok(rows)
    }

    /// Failures by enhanced status class and subject (`5.1`) and by reply
    /// code (`550`): two parts of one chart.
    async fn codes(&self, campaign_id: i64) -> Result<Vec<ChartRow>> {
        let mut by_status: BTreeMap<(u8, u16), ClassCounts> = BTreeMap::new();
        for row in self.grouped("e.enhanced_status", campaign_id).await? {
            if let Some(status) = row.key.as_deref() {
                let status: EnhancedStatus = status.parse()?;
                by_status
                    .entry((status.class(), status.subject()))
                    .or_default()
                    .add(row.counts());
            }
        }
        let mut rows: Vec<ChartRow> = by_status
            .into_iter()
            .map(|((class, subject), counts)| {
                let code = CodeFilter::Status {
                    class,
                    subject: Some(subject),
                    detail: None,
                };
                ChartRow::counted(code.to_string(), counts, failures(|f| f.code = Some(code))).in_group("status")
            })
            .collect();
        for row in self.grouped("CAST(e.reply_code AS TEXT)", campaign_id).await? {
            if let Some(code) = row.key.as_deref() {
                let code: ReplyCode = code.parse()?;
                let filter = CodeFilter::Reply {
                    low: code.get(),
                    high: code.get(),
                };
                rows.push(
                    ChartRow::counted(
                        code.get().to_string(),
                        row.counts(),
                        failures(|f| f.code = Some(filter)),
                    )
                    .in_group("reply"),
                );
            }
        }
        Ok(rows)
    }

    /// The domains with the most failures (`most`), then those with the
    /// highest share of failed sends among domains sent to at least
    /// [`MIN_SENDS_FOR_RATE`] times (`rate`).
    async fn domains(&self, campaign_id: i64) -> Result<Vec<ChartRow>> {
        let sql = format!(
            "SELECT e.recipient_domain AS key, {PIVOT} {FAILURES} GROUP BY e.recipient_domain \
             ORDER BY COUNT(*) DESC, e.recipient_domain LIMIT {TOP_DOMAINS}"
        );
        let most: Vec<Grouped> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(campaign_id).fetch_all(pool).await?
        });
        let rated: Vec<(String, i64, i64)> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT k.domain, COUNT(*) AS sent, \
                 SUM(CASE WHEN s.class IN {FAILED} THEN 1 ELSE 0 END) AS failed \
                 FROM sends s JOIN contacts k ON k.id = s.contact_id \
                 WHERE s.campaign_id = $1 AND s.outcome <> 'rejected' \
                 GROUP BY k.domain HAVING COUNT(*) >= $2 \
                 ORDER BY SUM(CASE WHEN s.class IN {FAILED} THEN 1 ELSE 0 END) * 1.0 / COUNT(*) DESC, \
                 k.domain LIMIT {TOP_DOMAINS}"
            )))
            .bind(campaign_id)
            .bind(MIN_SENDS_FOR_RATE)
            .fetch_all(pool)
            .await?
        });
        let mut rows: Vec<ChartRow> = most
            .into_iter()
            .filter_map(|g| {
                let counts = g.counts();
                g.key.map(|domain| {
                    ChartRow::counted(domain.clone(), counts, failures(|f| f.domain = Some(domain))).in_group("most")
                })
            })
            .collect();
        let rated: Vec<(String, i64, i64)> = rated.into_iter().filter(|(_, _, failed)| *failed > 0).collect();
        if !rated.is_empty() {
            let events = self
                .failures_by_domain(campaign_id, rated.iter().map(|(d, _, _)| d))
                .await?;
            for (domain, sent, failed) in rated {
                let counts = counts_of(&events, &domain);
                rows.push(
                    ChartRow::counted(domain.clone(), counts, failures(|f| f.domain = Some(domain)))
                        .in_group("rate")
                        .with("sent", sent as f64)
                        .with("failed_sends", failed as f64)
                        .with("rate", failed as f64 / sent as f64),
                );
            }
        }
        Ok(rows)
    }

    /// Failures per hour (per day when the failures span more than two
    /// days), by class; empty buckets in between are filled with zeros.
    async fn timeline(&self, campaign_id: i64) -> Result<Vec<ChartRow>> {
        let span: (Option<DateTime<Utc>>, Option<DateTime<Utc>>) = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT MIN(e.occurred_at), MAX(e.occurred_at) {FAILURES}")))
                .bind(campaign_id)
                .fetch_one(pool)
                .await?
        });
        let (Some(first), Some(last)) = span else {
            return Ok(Vec::new());
        };
        let bucket = if last - first > Duration::days(2) {
            Bucket::Day
        } else {
            Bucket::Hour
        };
        let key = match (self.kind(), bucket) {
            (BackendKind::Sqlite, Bucket::Hour) => crate::sqlite::HOUR_BUCKET,
            (BackendKind::Sqlite, Bucket::Day) => crate::sqlite::DAY_BUCKET,
            (BackendKind::Postgres, Bucket::Hour) => crate::postgres::HOUR_BUCKET,
            (BackendKind::Postgres, Bucket::Day) => crate::postgres::DAY_BUCKET,
        };
        let grouped = self.grouped(key, campaign_id).await?;
        let mut counted: BTreeMap<DateTime<Utc>, ClassCounts> = BTreeMap::new();
        for row in grouped {
            if let Some(text) = row.key.as_deref() {
                let start = DateTime::parse_from_rfc3339(text)
                    .map_err(|_| StoreError::Corrupt(bounce::ParseError::at("occurred_at", text, "is not a time")))?
                    .with_timezone(&Utc);
                counted.entry(start).or_default().add(row.counts());
            }
        }
        let width = match bucket {
            Bucket::Hour => Duration::hours(1),
            Bucket::Day => Duration::days(1),
        };
        let (Some(start), Some(end)) = (counted.keys().next().copied(), counted.keys().last().copied()) else {
            return Ok(Vec::new());
        };
        let mut rows = Vec::new();
        let mut at = start;
        // Bounded: at most two days of hours or the days between a
        // campaign's first and last failure.
        while at <= end && rows.len() < 2_000 {
            let counts = counted.get(&at).copied().unwrap_or_default();
            let filter = failures(|f| {
                f.from = Some(at);
                f.to = Some(at + width);
            });
            rows.push(
                ChartRow::counted(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), counts, filter)
                    .with("hours", width.num_hours() as f64),
            );
            at += width;
        }
        Ok(rows)
    }

    /// The numbers of one dashboard chart; an error for a campaign chart.
    pub async fn dashboard_chart(&self, name: ChartName) -> Result<ChartData> {
        let version: Version = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT), COUNT(*), COALESCE(MAX(campaign_id), 0) \
                 FROM campaign_totals",
            )
            .fetch_one(pool)
            .await?
        });
        if let Some(data) = self.charts.get((None, name), version) {
            return Ok(data);
        }
        let rows = match name {
            ChartName::Rates => self.rates().await?,
            ChartName::DomainChanges => self.domain_changes().await?,
            _ => {
                return Err(StoreError::Invalid(bounce::ParseError::at(
                    "chart",
                    name.as_str(),
                    "is a campaign chart, not the dashboard's",
                )));
            }
        };
        let data = ChartData {
            name,
            rows,
            measures: Vec::new(),
            counted_at: Utc::now(),
        };
        self.charts.put((None, name), version, &data);
        Ok(data)
    }

    /// Per campaign, oldest first: bounce, hard-bounce and complaint rate
    /// of the sends, from the kept totals and a grouped count of complaints.
    async fn rates(&self) -> Result<Vec<ChartRow>> {
        let mut campaigns = self.campaign_summaries().await?;
        campaigns.sort_by_key(|c| (c.sent_at, c.id));
        let complaints: Vec<(i64, i64)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT e.campaign_id, COUNT(*) FROM delivery_events e \
                 WHERE e.reason = 'feedback' AND e.campaign_id IS NOT NULL GROUP BY e.campaign_id",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(campaigns
            .into_iter()
            .map(|c| {
                let complained = complaints.iter().find(|(id, _)| *id == c.id).map_or(0, |(_, n)| *n);
                let share = |n: i64| if c.sent > 0 { n as f64 / c.sent as f64 } else { 0.0 };
                ChartRow {
                    key: c.id.to_string(),
                    group: None,
                    counts: ClassCounts {
                        hard: c.hard,
                        soft: c.soft,
                        undetermined: c.undetermined,
                    },
                    filter: Some(failures(|_| {})),
                    campaign_id: Some(c.id),
                    measures: vec![
                        ("sent".to_owned(), c.sent as f64),
                        ("sent_at".to_owned(), c.sent_at.timestamp() as f64),
                        ("complaints".to_owned(), complained as f64),
                        ("bounce_rate".to_owned(), c.bounce_rate()),
                        ("hard_rate".to_owned(), share(c.hard)),
                        ("complaint_rate".to_owned(), share(complained)),
                    ],
                }
            })
            .collect())
    }

    /// The domains whose share of failed sends changed most between the
    /// last campaign and the one before, among domains sent to at least
    /// [`MIN_SENDS_FOR_RATE`] times in both.
    async fn domain_changes(&self) -> Result<Vec<ChartRow>> {
        let mut campaigns = self.campaign_summaries().await?;
        campaigns.sort_by_key(|c| std::cmp::Reverse((c.sent_at, c.id)));
        let [latest, before, ..] = campaigns.as_slice() else {
            return Ok(Vec::new());
        };
        let per_domain: Vec<(i64, String, i64, i64)> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT s.campaign_id, k.domain, COUNT(*) AS sent, \
                 SUM(CASE WHEN s.class IN {FAILED} THEN 1 ELSE 0 END) AS failed \
                 FROM sends s JOIN contacts k ON k.id = s.contact_id \
                 WHERE s.campaign_id IN ($1, $2) AND s.outcome <> 'rejected' \
                 GROUP BY s.campaign_id, k.domain HAVING COUNT(*) >= $3"
            )))
            .bind(latest.id)
            .bind(before.id)
            .bind(MIN_SENDS_FOR_RATE)
            .fetch_all(pool)
            .await?
        });
        let rate_in = |campaign: i64, domain: &str| {
            per_domain
                .iter()
                .find(|(c, d, _, _)| *c == campaign && d == domain)
                .map(|(_, _, sent, failed)| *failed as f64 / *sent as f64)
        };
        let mut changes: Vec<(String, f64, f64)> = per_domain
            .iter()
            .filter(|(c, _, _, _)| *c == latest.id)
            .filter_map(|(_, domain, _, _)| {
                let now = rate_in(latest.id, domain)?;
                let then = rate_in(before.id, domain)?;
                Some((domain.clone(), then, now))
            })
            .filter(|(_, then, now)| then != now)
            .collect();
        changes.sort_by(|a, b| (b.2 - b.1).abs().total_cmp(&(a.2 - a.1).abs()).then(a.0.cmp(&b.0)));
        changes.truncate(TOP_DOMAINS as usize);
        let events = self
            .failures_by_domain(latest.id, changes.iter().map(|(d, _, _)| d))
            .await?;
        let mut rows = Vec::new();
        for (domain, then, now) in changes {
            let filter = failures(|f| f.domain = Some(domain.clone()));
            let counts = counts_of(&events, &domain);
            let mut row = ChartRow::counted(domain, counts, filter)
                .with("before", then)
                .with("after", now)
                .with("change", now - then);
            row.campaign_id = Some(latest.id);
            rows.push(row);
        }
        Ok(rows)
    }

    /// A campaign's failed events at these domains, grouped by domain:
    /// one query for a chart's domains.
    async fn failures_by_domain<'d>(
        &self,
        campaign_id: i64,
        domains: impl Iterator<Item = &'d String>,
    ) -> Result<Vec<Grouped>> {
        let domains: Vec<&String> = domains.collect();
        if domains.is_empty() {
            return Ok(Vec::new());
        }
        let grouped = on_pool!(self, pool, Db => {
            let mut b = sqlx::QueryBuilder::<Db>::new(format!("SELECT e.recipient_domain AS key, {PIVOT} "));
            b.push("FROM delivery_events e WHERE e.campaign_id = ").push_bind(campaign_id);
            b.push(" AND e.class <> 'none' AND e.recipient_domain IN");
            push_in!(b, &domains);
            b.push(" GROUP BY e.recipient_domain");
            b.build_query_as().fetch_all(pool).await?
        });
        Ok(grouped)
    }
}

/// A domain's counts among grouped rows (none when it had no failures).
fn counts_of(grouped: &[Grouped], domain: &str) -> ClassCounts {
    grouped
        .iter()
        .find(|g| g.key.as_deref() == Some(domain))
        .map(Grouped::counts)
        .unwrap_or_default()
}
