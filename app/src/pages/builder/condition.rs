//! One condition row of the selection builder: its form state, and the
//! conversion to and from the definition's JSON.

use bounce::selection::{Bounced, CampaignScope, FailureClass, Node, Scope};
use bounce::{Category, ContactStatus, Reason, Stage};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde_json::{Map, Value, json};

use crate::labels;

/// The kinds of condition the builder offers, with their labels.
pub const KINDS: [(&str, &str); 8] = [
    ("bounced", "bounced (count of failed sends)"),
    ("consecutive", "bounced in a row (latest sends)"),
    ("no_error", "no error (sent to, never failed)"),
    ("suppressed", "is on the suppression list"),
    ("typo_domain", "has a domain that looks like a typo"),
    ("status", "has status"),
    ("domain", "address at domain"),
    ("in_selection", "is in saved selection"),
];

/// The form fields of one row, as typed (checked when the definition is built).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Condition {
    pub negate: bool,
    pub kind: String,
    pub class: String,
    pub at_least: String,
    pub since: String,
    pub until: String,
    pub last_campaigns: String,
    pub category: String,
    pub reason: String,
    pub stage: String,
    pub code: String,
    pub domain: String,
    pub status: String,
    pub selection: String,
}

impl Condition {
    /// A fresh row: one or more failed sends of any class.
    pub fn new() -> Self {
        Self {
            kind: "bounced".into(),
            class: "any".into(),
            at_least: "1".into(),
            status: "active".into(),
            ..Self::default()
        }
    }

    /// The row as a JSON condition; empty fields are left out, so the
    /// definition's own checks name what is wrong with the rest.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        let mut put = |key: &str, value: &str| {
            let v = value.trim();
            if !v.is_empty() {
                let typed = match key {
                    "at_least" | "last_campaigns" => v.parse::<u64>().map(Value::from).unwrap_or_else(|_| json!(v)),
                    _ => json!(v),
                };
                m.insert(key.to_owned(), typed);
            }
        };
        let inner = match self.kind.as_str() {
            "bounced" => {
                for (k, v) in [
                    ("class", &self.class),
                    ("at_least", &self.at_least),
                    ("since", &self.since),
                    ("until", &self.until),
                    ("last_campaigns", &self.last_campaigns),
                    ("category", &self.category),
                    ("reason", &self.reason),
                    ("stage", &self.stage),
                    ("code", &self.code),
                    ("domain", &self.domain),
                ] {
                    put(k, v);
                }
                json!({ "bounced": m })
            }
            "consecutive" => {
                put("class", &self.class);
                put("at_least", &self.at_least);
                json!({ "consecutive": m })
            }
            "no_error" => {
                put("since", &self.since);
                put("until", &self.until);
                put("last_campaigns", &self.last_campaigns);
                json!({ "no_error": m })
            }
            "suppressed" => json!({ "suppressed": {} }),
            "typo_domain" => json!({ "typo_domain": {} }),
            "status" => json!({ "status": self.status.trim() }),
            "domain" => json!({ "domain": self.domain.trim() }),
            _ => json!({ "in_selection": self.selection.trim() }),
        };
        if self.negate { json!({ "not": inner }) } else { inner }
    }

    /// The row for a condition, if one row can show it (nested groups and
    /// lists of several values cannot: those stay JSON).
    pub fn from_node(node: &Node) -> Option<Self> {
        let mut c = Condition::new();
        let node = match node {
            Node::Not(inner) => {
                c.negate = true;
                inner.as_ref()
            }
            n => n,
        };
        match node {
            Node::Bounced(b) => {
                c.kind = "bounced".into();
                bounced_fields(&mut c, b)?;
            }
            Node::Consecutive(x) => {
                c.kind = "consecutive".into();
                c.class = x.class.as_str().into();
                c.at_least = x.at_least.to_string();
            }
            Node::NoError(scope) => {
                c.kind = "no_error".into();
                scope_fields(&mut c, scope)?;
            }
            Node::Suppressed => c.kind = "suppressed".into(),
            Node::TypoDomain => c.kind = "typo_domain".into(),
            Node::Status(s) => {
                c.kind = "status".into();
                c.status = s.as_str().into();
            }
            Node::Domain(d) => {
                c.kind = "domain".into();
                c.domain = d.clone();
            }
            Node::InSelection(name) => {
                c.kind = "in_selection".into();
                c.selection = name.to_string();
            }
            Node::All(_) | Node::Any(_) | Node::Not(_) => return None,
        }
        Some(c)
    }
}

fn one<T: Copy>(list: &[T]) -> Option<Option<T>> {
    match list {
        [] => Some(None),
        [x] => Some(Some(*x)),
        _ => None,
    }
}

fn bounced_fields(c: &mut Condition, b: &Bounced) -> Option<()> {
    if b.include_incidents {
        return None;
    }
    c.class = b.class.as_str().into();
    c.at_least = b.at_least.to_string();
    c.category = one(&b.categories)?.map(|x| x.as_str().to_owned()).unwrap_or_default();
    c.reason = one(&b.reasons)?.map(|x| x.as_str().to_owned()).unwrap_or_default();
    c.stage = one(&b.stages)?.map(|x| x.as_str().to_owned()).unwrap_or_default();
    c.code = b.code.map(|x| x.to_string()).unwrap_or_default();
    c.domain = b.domain.clone().unwrap_or_default();
    scope_fields(c, &b.scope)
}

fn scope_fields(c: &mut Condition, scope: &Scope) -> Option<()> {
    let day = |t: DateTime<Utc>| t.format("%Y-%m-%d").to_string();
    match scope.campaigns {
        CampaignScope::All => {}
        CampaignScope::Last(n) => c.last_campaigns = n.to_string(),
        CampaignScope::Ids(_) => return None,
    }
    c.since = scope.since.map(day).unwrap_or_default();
    // `until` is stored as the next midnight: the form shows the last day.
    c.until = scope
        .until
        .map(|t| day(t - chrono::Duration::days(1)))
        .unwrap_or_default();
    Some(())
}

/// A `<select>` bound to one field of the row.
fn choice(
    row: RwSignal<Condition>,
    label: &'static str,
    name: &'static str,
    get: fn(&Condition) -> String,
    set: fn(&mut Condition, String),
    options: Vec<(String, String)>,
) -> impl IntoView {
    view! {
        <label>
            {label}
            <select name=name on:change=move |ev| row.update(|r| set(r, event_target_value(&ev)))
                prop:value=move || row.with(get)>
                {options
                    .into_iter()
                    .map(|(value, text)| {
                        let v = value.clone();
                        view! { <option value=value selected=move || row.with(get) == v>{text}</option> }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// A text or number `<input>` bound to one field of the row.
fn field(
    row: RwSignal<Condition>,
    label: &'static str,
    name: &'static str,
    kind: &'static str,
    get: fn(&Condition) -> String,
    set: fn(&mut Condition, String),
) -> impl IntoView {
    view! {
        <label>
            {label}
            <input type=kind name=name prop:value=move || row.with(get)
                on:input=move |ev| row.update(|r| set(r, event_target_value(&ev)))/>
        </label>
    }
}

fn with_any<T>(
    items: impl IntoIterator<Item = T>,
    id: fn(&T) -> String,
    text: fn(&T) -> String,
) -> Vec<(String, String)> {
    std::iter::once((String::new(), "any".to_owned()))
        .chain(items.into_iter().map(|x| (id(&x), text(&x))))
        .collect()
}

/// One condition row: NOT, the kind, and the fields of that kind.
#[component]
pub fn ConditionRow(row: RwSignal<Condition>, names: Signal<Vec<String>>, on_remove: Callback<()>) -> impl IntoView {
    let kind = move || row.with(|r| r.kind.clone());
    let classes = || {
        FailureClass::ALL
            .iter()
            .map(|c| (c.as_str().to_owned(), labels::failure_class(*c).to_owned()))
            .collect::<Vec<_>>()
    };
    let fields = move || {
        match kind().as_str() {
        "bounced" => view! {
            {choice(row, "Class", "class", |r| r.class.clone(), |r, v| r.class = v, classes())}
            {field(row, "At least", "at_least", "number", |r| r.at_least.clone(), |r, v| r.at_least = v)}
            {field(row, "Since", "since", "date", |r| r.since.clone(), |r, v| r.since = v)}
            {field(row, "Until", "until", "date", |r| r.until.clone(), |r, v| r.until = v)}
            {field(row, "Last N campaigns", "last_campaigns", "number", |r| r.last_campaigns.clone(), |r, v| r.last_campaigns = v)}
            {choice(row, "Category", "category", |r| r.category.clone(), |r, v| r.category = v,
                with_any(Category::ALL, |c| c.as_str().to_owned(), |c| c.label().to_owned()))}
            {choice(row, "Reason", "reason", |r| r.reason.clone(), |r, v| r.reason = v,
                with_any(Reason::ALL.iter().copied(), |x| x.as_str().to_owned(), |x| x.as_str().to_owned()))}
            {choice(row, "Stage", "stage", |r| r.stage.clone(), |r, v| r.stage = v,
                with_any(Stage::ALL, |s| s.as_str().to_owned(), |s| s.label().to_owned()))}
            {field(row, "Code", "code", "text", |r| r.code.clone(), |r, v| r.code = v)}
            {field(row, "Domain", "domain", "text", |r| r.domain.clone(), |r, v| r.domain = v)}
        }
        .into_any(),
        "consecutive" => view! {
            {choice(row, "Class", "class", |r| r.class.clone(), |r, v| r.class = v, classes())}
            {field(row, "At least", "at_least", "number", |r| r.at_least.clone(), |r, v| r.at_least = v)}
        }
        .into_any(),
        "no_error" => view! {
            {field(row, "Since", "since", "date", |r| r.since.clone(), |r, v| r.since = v)}
            {field(row, "Until", "until", "date", |r| r.until.clone(), |r, v| r.until = v)}
            {field(row, "Last N campaigns", "last_campaigns", "number", |r| r.last_campaigns.clone(), |r, v| r.last_campaigns = v)}
        }
        .into_any(),
        "status" => choice(
            row,
            "Status",
            "status",
            |r| r.status.clone(),
            |r, v| r.status = v,
            ContactStatus::ALL
                .iter()
                .map(|s| (s.as_str().to_owned(), labels::contact_status(*s).to_owned()))
                .collect(),
        )
        .into_any(),
        "domain" => field(row, "Domain", "domain", "text", |r| r.domain.clone(), |r, v| r.domain = v).into_any(),
        "in_selection" => view! {
            <label>
                "Selection"
                <select name="selection" on:change=move |ev| row.update(|r| r.selection = event_target_value(&ev))
                    prop:value=move || row.with(|r| r.selection.clone())>
                    <option value="">"choose…"</option>
                    {move || names.get().into_iter().map(|n| {
                        let (v, value) = (n.clone(), n.clone());
                        view! { <option value=value selected=move || row.with(|r| r.selection == v)>{n}</option> }
                    }).collect_view()}
                </select>
            </label>
        }
        .into_any(),
        _ => ().into_any(),
    }
    };
    let kinds = choice(
        row,
        "Condition",
        "kind",
        |r| r.kind.clone(),
        |r, v| r.kind = v,
        KINDS
            .iter()
            .map(|(id, text)| ((*id).to_owned(), (*text).to_owned()))
            .collect(),
    )
    .into_any();
    view! {
        <div class="condition">
            <label class="negate">
                <input type="checkbox" name="negate" prop:checked=move || row.with(|r| r.negate)
                    on:change=move |ev| row.update(|r| r.negate = event_target_checked(&ev))/>
                "NOT"
            </label>
            {kinds}
            {fields}
            <button type="button" class="remove" on:click=move |_| on_remove.run(()) title="Remove this condition">
                "Remove"
            </button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use bounce::selection::Definition;

    use super::*;

    #[test]
    fn rows_round_trip_through_the_definition() {
        let text = r#"{"all": [{"bounced": {"class": "soft", "at_least": 3, "since": "2026-09-01",
            "until": "2026-10-31", "category": "mailbox_full", "code": "4.2"}},
            {"not": {"suppressed": {}}}, {"consecutive": {"class": "hard", "at_least": 3}}]}"#;
        let def = Definition::parse(text).expect("valid");
        let Node::All(nodes) = &def.root else { panic!("all") };

        let rows: Vec<Condition> = nodes
            .iter()
            .map(|n| Condition::from_node(n).expect("one row"))
            .collect();
        let again = Definition::from_value(&json!({ "all": rows.iter().map(Condition::to_json).collect::<Vec<_>>() }))
            .expect("rows give a valid definition");

        assert_eq!(again, def);
        assert_eq!(rows[0].until, "2026-10-31");
        assert!(rows[1].negate);
    }

    #[test]
    fn a_bad_field_is_named_by_the_definition_check() {
        let row = Condition {
            at_least: "0".into(),
            ..Condition::new()
        };

        let e = Definition::from_value(&row.to_json()).expect_err("refused");

        assert_eq!(e.field, "definition.bounced.at_least");
    }
}
