//! Selections: saved definitions, and contacts counted, sampled and exported
//! by one SQL query per definition.

pub(crate) mod compile;

use std::collections::HashMap;

use bounce::export::{ExportRow, SelectedContact};
use bounce::selection::{Definition, SavedSelection, SelectionName};
use bounce::{EmailAddress, ParseError, ReplyCode};
use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::{Result, Store, StoreError, on_pool};
use compile::{Bind, FAILED, Sql, bind_all, predicate};

#[derive(sqlx::FromRow)]
struct SavedRecord {
    id: i64,
    name: String,
    definition: String,
    updated_at: DateTime<Utc>,
}

impl TryFrom<SavedRecord> for SavedSelection {
    type Error = StoreError;

    fn try_from(r: SavedRecord) -> Result<Self> {
        // Parsed to be sure it still is a definition this version understands.
        Definition::parse(&r.definition)?;
        Ok(SavedSelection {
            id: r.id,
            name: r.name,
            definition: r.definition,
            updated_at: r.updated_at,
        })
    }
}

/// A contact and its latest failure, as selections return them.
#[derive(sqlx::FromRow)]
struct ExportRecord {
    id: i64,
    email: String,
    campaign: Option<String>,
    last_failure_at: Option<DateTime<Utc>>,
    stage: Option<String>,
    reply_code: Option<i32>,
    enhanced_status: Option<String>,
    diagnostic: Option<String>,
    reason: Option<String>,
    class: Option<String>,
    failures: i64,
}

impl TryFrom<ExportRecord> for ExportRow {
    type Error = StoreError;

    fn try_from(r: ExportRecord) -> Result<Self> {
        Ok(ExportRow {
            email: r.email,
            campaign: r.campaign,
            last_failure_at: r.last_failure_at,
            stage: r.stage.as_deref().map(str::parse).transpose()?,
            reply_code: r
                .reply_code
                .map(|c| u16::try_from(c).map_err(|_| ParseError::at("reply code", &c.to_string(), "is out of range")))
                .transpose()?
                .map(ReplyCode::new)
                .transpose()?,
            status: r.enhanced_status.as_deref().map(str::parse).transpose()?,
            diagnostic: r.diagnostic,
            reason: r.reason.as_deref().map(str::parse).transpose()?,
            class: r.class.as_deref().map(str::parse).transpose()?,
            failures: r.failures,
        })
    }
}

/// The contact's latest failed send (after its counters were reset or not:
/// the latest failure is history) and how many failed sends count now.
fn export_select(filter: &Sql) -> Sql {
    let mut sql = Sql {
        text: format!(
            "SELECT k.id, k.email, c.name AS campaign, s.updated_at AS last_failure_at, s.stage, s.reply_code, \
             s.enhanced_status, s.diagnostic, s.reason, s.class, \
             (SELECT COUNT(*) FROM sends f WHERE f.contact_id = k.id AND f.class IN {FAILED} \
              AND (k.bounces_reset_at IS NULL OR f.updated_at > k.bounces_reset_at)) AS failures \
             FROM contacts k \
             LEFT JOIN sends s ON s.id = (SELECT l.id FROM sends l WHERE l.contact_id = k.id AND l.class IN {FAILED} \
               ORDER BY l.updated_at DESC, l.id DESC LIMIT 1) \
             LEFT JOIN campaigns c ON c.id = s.campaign_id WHERE "
        ),
        binds: filter.binds.clone(),
    };
    sql.text.push_str(&filter.text);
    sql.text.push_str(" ORDER BY k.id");
    sql
}

impl Store {
    /// Every saved selection, by name.
    pub async fn saved_selections(&self) -> Result<Vec<SavedSelection>> {
        let records: Vec<SavedRecord> = on_pool!(self, pool => {
            sqlx::query_as("SELECT id, name, definition, updated_at FROM selections ORDER BY name")
                .fetch_all(pool)
                .await?
        });
        records.into_iter().map(SavedSelection::try_from).collect()
    }

    /// One saved selection.
    pub async fn saved_selection(&self, id: i64) -> Result<Option<SavedSelection>> {
        let record: Option<SavedRecord> = on_pool!(self, pool => {
            sqlx::query_as("SELECT id, name, definition, updated_at FROM selections WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        record.map(SavedSelection::try_from).transpose()
    }

    /// The saved definitions by name, for inlining references.
    async fn saved_definitions(&self) -> Result<HashMap<SelectionName, Definition>> {
        let mut saved = HashMap::new();
        for s in self.saved_selections().await? {
            saved.insert(
                SelectionName::parse("name", &s.name)?,
                Definition::parse(&s.definition)?,
            );
        }
        Ok(saved)
    }

    /// Saves a selection under `name` (a new one when `id` is `None`). A
    /// name already taken, a reference to a missing selection or a cycle of
    /// references is refused as [`StoreError::Invalid`].
    pub async fn save_selection(
        &self,
        id: Option<i64>,
        name: &SelectionName,
        definition: &Definition,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let mut saved = self.saved_definitions().await?;
        if let Some(id) = id {
            let Some(old) = self.saved_selection(id).await? else {
                return Err(StoreError::Invalid(ParseError::at(
                    "selection",
                    &id.to_string(),
                    "does not exist",
                )));
            };
            if old.name != name.as_str() {
                let referrers = referrers(&saved, &SelectionName::parse("name", &old.name)?);
                if !referrers.is_empty() {
                    return Err(StoreError::Invalid(ParseError::at(
                        "name",
                        &old.name,
                        format!("cannot change: used by {}", referrers.join(", ")),
                    )));
                }
                saved.remove(&SelectionName::parse("name", &old.name)?);
            }
        }
        saved.insert(name.clone(), definition.clone());
        // Inlining every saved selection with the new one in place finds a
        // cycle however the new definition closes it.
        for def in saved.values() {
            def.inline(&saved).map_err(StoreError::Invalid)?;
        }
        let text = definition.to_json().to_string();
        let result = on_pool!(self, pool => {
            match id {
                None => sqlx::query_scalar::<_, i64>(
                    "INSERT INTO selections (name, definition, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
                )
                .bind(name.as_str())
                .bind(&text)
                .bind(now)
                .fetch_one(pool)
                .await,
                Some(id) => sqlx::query_scalar::<_, i64>(
                    "UPDATE selections SET name = $1, definition = $2, updated_at = $3 WHERE id = $4 RETURNING id",
                )
                .bind(name.as_str())
                .bind(&text)
                .bind(now)
                .bind(id)
                .fetch_one(pool)
                .await,
            }
        });
        result.map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Invalid(ParseError::at("name", name.as_str(), "is already taken"))
            }
            _ => e.into(),
        })
    }

    /// Deletes a saved selection; one that others use is refused with their names.
    pub async fn delete_selection(&self, id: i64) -> Result<bool> {
        let Some(old) = self.saved_selection(id).await? else {
            return Ok(false);
        };
        let saved = self.saved_definitions().await?;
        let users = referrers(&saved, &SelectionName::parse("name", &old.name)?);
        if !users.is_empty() {
            return Err(StoreError::Invalid(ParseError::at(
                "selection",
                &old.name,
                format!("is used by {}: change those first", users.join(", ")),
            )));
        }
        let done = on_pool!(self, pool => {
            sqlx::query("DELETE FROM selections WHERE id = $1").bind(id).execute(pool).await?.rows_affected()
        });
        Ok(done > 0)
    }

    /// The WHERE clause for a definition, its saved selections inlined.
    async fn compile(&self, definition: &Definition, now: DateTime<Utc>) -> Result<Sql> {
        let inlined = if definition.references().is_empty() {
            definition.clone()
        } else {
            definition
                .inline(&self.saved_definitions().await?)
                .map_err(StoreError::Invalid)?
        };
        let mut sql = Sql::default();
        predicate(&mut sql, &inlined.root, now).map_err(StoreError::Invalid)?;
        Ok(sql)
    }

    /// How many failed sends there are: the bare scan every selection over
    /// failures costs at least (the benchmarks' baseline).
    pub async fn count_failed_sends(&self) -> Result<i64> {
        let count = on_pool!(self, pool => {
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM sends WHERE class IN {FAILED}"
            )))
            .fetch_one(pool)
            .await?
        });
        Ok(count)
    }

    /// Checks that a definition compiles here (its saved selections exist
    /// and form no cycle) without running it, so a caller can refuse it
    /// before it starts streaming an answer.
    pub async fn check_selection(&self, definition: &Definition) -> Result<()> {
        self.compile(definition, Utc::now()).await.map(|_| ())
    }

    /// How many contacts a definition selects at `now`.
    pub async fn count_selection(&self, definition: &Definition, now: DateTime<Utc>) -> Result<i64> {
        let filter = self.compile(definition, now).await?;
        let text = format!("SELECT COUNT(*) FROM contacts k WHERE {}", filter.text);
        let count = on_pool!(self, pool => {
            bind_all!(sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(text.as_str())), filter)
                .fetch_one(pool)
                .await?
        });
        Ok(count)
    }

    /// The first `limit` contacts a definition selects, with their latest failure.
    pub async fn sample_selection(
        &self,
        definition: &Definition,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<SelectedContact>> {
        let filter = self.compile(definition, now).await?;
        let mut sql = export_select(&filter);
        sql.push(" LIMIT ").bind(Bind::Int(limit.clamp(0, 1_000)));
        let records: Vec<ExportRecord> = on_pool!(self, pool => {
            bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(sql.text.as_str())), sql).fetch_all(pool).await?
        });
        records
            .into_iter()
            .map(|r| {
                let contact_id = r.id;
                Ok(SelectedContact {
                    contact_id,
                    row: ExportRow::try_from(r)?,
                })
            })
            .collect()
    }

    /// Streams every contact a definition selects, with its latest failure,
    /// into `rows` (a bounded channel, so memory stays flat however many
    /// there are). Stops early when the receiver is dropped. Returns how many
    /// rows were sent.
    pub async fn export_selection(
        &self,
        definition: &Definition,
        now: DateTime<Utc>,
        rows: tokio::sync::mpsc::Sender<Result<ExportRow>>,
    ) -> Result<u64> {
        use futures_util::TryStreamExt;

        let filter = self.compile(definition, now).await?;
        let sql = export_select(&filter);
        let mut sent = 0;
        on_pool!(self, pool => {
            let query = bind_all!(sqlx::query_as::<_, ExportRecord>(sqlx::AssertSqlSafe(sql.text.as_str())), sql);
            let mut stream = query.fetch(pool);
            while let Some(record) = stream.try_next().await? {
                if rows.send(ExportRow::try_from(record)).await.is_err() {
                    break;
                }
                sent += 1;
            }
        });
        Ok(sent)
    }

    /// The ids and addresses a definition selects, for actions on them
    /// (evaluated once, so an action that changes what the definition reads,
    /// such as suppressing "not suppressed", still acts on the same contacts).
    pub async fn selected_contacts(
        &self,
        definition: &Definition,
        now: DateTime<Utc>,
    ) -> Result<Vec<(i64, EmailAddress)>> {
        let filter = self.compile(definition, now).await?;
        let text = format!(
            "SELECT k.id, k.email FROM contacts k WHERE {} ORDER BY k.id",
            filter.text
        );
        let rows = on_pool!(self, pool => {
            bind_all!(sqlx::query(sqlx::AssertSqlSafe(text.as_str())), filter)
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|row| Ok((row.try_get::<i64, _>(0)?, row.try_get::<String, _>(1)?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        rows.into_iter()
            .map(|(id, email)| Ok((id, email.parse::<EmailAddress>()?)))
            .collect()
    }
}

/// The saved selections that name `target` directly.
fn referrers(saved: &HashMap<SelectionName, Definition>, target: &SelectionName) -> Vec<String> {
    let mut names: Vec<String> = saved
        .iter()
        .filter(|(name, def)| *name != target && def.references().contains(&target))
        .map(|(name, _)| name.to_string())
        .collect();
    names.sort();
    names
}
