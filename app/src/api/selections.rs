//! Server functions of the selection builder and the saved selections.

use bounce::BounceClass;
use bounce::selection::SavedSelection;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::AppError;

/// How many contacts the builder's sample shows.
pub const SAMPLE_SIZE: i64 = 20;

/// A saved selection with how many contacts it holds now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectionSummary {
    pub selection: SavedSelection,
    pub count: i64,
}

/// What a definition selects right now: the count and the first contacts,
/// with the definition as stored (canonical JSON). Put in words on the
/// server, so the builder in the browser carries no date or JSON checking
/// code of its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    pub count: i64,
    pub definition: String,
    pub sample: Vec<PreviewRow>,
}

/// One contact of the preview, with its latest failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviewRow {
    pub contact_id: i64,
    pub email: String,
    pub last_failure: String,
    pub campaign: String,
    pub reason: String,
    pub class: Option<BounceClass>,
    pub failures: i64,
}

/// Where the builder starts: a saved selection's conditions as rows (or
/// its JSON, when one level of rows cannot show it), and the names of the
/// selections a condition may refer to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuilderStart {
    /// Empty for a new selection.
    pub id: String,
    pub name: String,
    pub combinator: String,
    pub rows: Vec<crate::pages::builder::Condition>,
    pub typed_json: Option<String>,
    pub names: Vec<String>,
}

/// The builder's starting point for `id` (`new` or empty: a new selection).
#[server(endpoint = "start_builder")]
pub async fn start_builder(id: String) -> Result<BuilderStart, AppError> {
    use bounce::selection::Definition;

    let store = super::server::store()?;
    // Every saved selection, for the names a condition may refer to; the
    // one being edited is among them.
    let all = super::server::answer(store.saved_selections().await)?;
    let saved = if id.is_empty() || id == "new" {
        None
    } else {
        let id = super::server::parse_id("selection", &id)?;
        let found = all.iter().find(|s| s.id == id).cloned();
        Some(super::server::found("selection", id, Ok(found))?)
    };
    let names = all.into_iter().map(|s| s.name).collect();
    let Some(saved) = saved else {
        return Ok(BuilderStart {
            id: String::new(),
            name: String::new(),
            combinator: "all".into(),
            rows: vec![crate::pages::builder::Condition::new()],
            typed_json: None,
            names,
        });
    };
    let shown = Definition::parse(&saved.definition)
        .ok()
        .and_then(|def| crate::pages::builder::rows_of(&def));
    let (combinator, rows, typed_json) = match shown {
        Some((combinator, rows)) => (combinator, rows, None),
        None => ("all".to_owned(), Vec::new(), Some(saved.definition.clone())),
    };
    Ok(BuilderStart {
        id: saved.id.to_string(),
        name: saved.name,
        combinator,
        rows,
        typed_json,
        names,
    })
}

/// Every saved selection, evaluated now (new results count).
#[server(endpoint = "list_selections")]
pub async fn list_selections() -> Result<Vec<SelectionSummary>, AppError> {
    use bounce::selection::Definition;

    let store = super::server::store()?;
    let now = chrono::Utc::now();
    let mut out = Vec::new();
    for selection in super::server::answer(store.saved_selections().await)? {
        let def = Definition::parse(&selection.definition).map_err(super::server::invalid)?;
        let count = super::server::answer_or_refuse(store.count_selection(&def, now).await)?;
        out.push(SelectionSummary { selection, count });
    }
    Ok(out)
}

/// One saved selection.
#[server(endpoint = "selection")]
pub async fn selection(id: String) -> Result<SavedSelection, AppError> {
    let store = super::server::store()?;
    let id = super::server::parse_id("selection", &id)?;
    super::server::found("selection", id, store.saved_selection(id).await)
}

/// The count and a sample of what a definition selects now.
#[server(endpoint = "preview_selection")]
pub async fn preview_selection(definition: String) -> Result<Preview, AppError> {
    use bounce::selection::Definition;

    let store = super::server::store()?;
    let def = Definition::parse(&definition).map_err(super::server::invalid)?;
    let now = chrono::Utc::now();
    let count = super::server::answer_or_refuse(store.count_selection(&def, now).await)?;
    let sample = super::server::answer_or_refuse(store.sample_selection(&def, now, SAMPLE_SIZE).await)?
        .into_iter()
        .map(|s| PreviewRow {
            contact_id: s.contact_id,
            email: s.row.email,
            last_failure: s.row.last_failure_at.map(crate::format::minute).unwrap_or_default(),
            campaign: s.row.campaign.unwrap_or_default(),
            reason: s.row.reason.map(|r| r.as_str().to_owned()).unwrap_or_default(),
            class: s.row.class,
            failures: s.row.failures,
        })
        .collect();
    Ok(Preview {
        count,
        definition: def.to_json().to_string(),
        sample,
    })
}

/// Saves a selection (a new one when `id` is empty) and returns its id.
#[server(endpoint = "save_selection")]
pub async fn save_selection(id: String, name: String, definition: String) -> Result<i64, AppError> {
    use bounce::selection::{Definition, SelectionName};

    super::server::require(bounce::account::Role::Marketer)?;
    let store = super::server::store()?;
    let id = if id.trim().is_empty() {
        None
    } else {
        Some(super::server::parse_id("selection", &id)?)
    };
    let name = SelectionName::parse("name", &name).map_err(super::server::invalid)?;
    let def = Definition::parse(&definition).map_err(super::server::invalid)?;
    super::server::answer_or_refuse(store.save_selection(id, &name, &def, chrono::Utc::now()).await)
}

/// Deletes a saved selection.
#[server(endpoint = "delete_selection")]
pub async fn delete_selection(id: String) -> Result<(), AppError> {
    super::server::require(bounce::account::Role::Marketer)?;
    let store = super::server::store()?;
    let id = super::server::parse_id("selection", &id)?;
    super::server::answer_or_refuse(store.delete_selection(id).await).map(|_| ())
}

/// Acts on every contact a saved selection holds now: `suppress` (with a
/// reason and an optional number of days), `unsubscribe` or `reset`
/// (bounce counters). Returns how many contacts it touched.
#[server(endpoint = "act_on_selection")]
pub async fn act_on_selection(id: String, action: String, reason: String, days: String) -> Result<usize, AppError> {
    use bounce::account::{AuditAction, Role};
    use bounce::selection::Definition;
    use bounce::{ContactStatus, ParseError};

    let caller = super::server::require(Role::Marketer)?;
    let store = super::server::store()?;
    let id = super::server::parse_id("selection", &id)?;
    let saved = super::server::found("selection", id, store.saved_selection(id).await)?;
    let def = Definition::parse(&saved.definition).map_err(super::server::invalid)?;
    let now = chrono::Utc::now();
    let contacts = super::server::answer_or_refuse(store.selected_contacts(&def, now).await)?;
    let emails: Vec<_> = contacts.into_iter().map(|(_, e)| e).collect();
    let actor = format!("selection:{}", saved.name);
    let reason = reason.trim();
    match action.as_str() {
        "suppress" => {
            let expires_at = super::suppressions::expiry(&days, now)?;
            let items: Vec<store::NewSuppression> = emails
                .iter()
                .map(|email| store::NewSuppression {
                    email: email.clone(),
                    reason: if reason.is_empty() {
                        format!("in selection {}", saved.name)
                    } else {
                        reason.to_owned()
                    },
                    source: actor.clone(),
                    rule: None,
                    status: ContactStatus::Suppressed,
                    created_at: now,
                    expires_at,
                })
                .collect();
            super::server::answer(store.suppress_all(&items).await)?;
        }
        "unsubscribe" => {
            super::server::answer(
                store
                    .set_status(&emails, ContactStatus::Unsubscribed, &actor, reason, now)
                    .await,
            )?;
        }
        "reset" => super::server::answer(store.reset_bounces(&emails, &actor, now).await)?,
        other => {
            return Err(super::server::invalid(ParseError::at(
                "action",
                other,
                "is not suppress, unsubscribe or reset",
            )));
        }
    }
    let detail = format!("selection {id} ({}): {action}, {} contacts", saved.name, emails.len());
    super::server::audit(&store, &caller, AuditAction::SelectionAction, &detail).await?;
    Ok(emails.len())
}
