//! The dashboard's URLs, built in one place so links and routes agree.

use bounce::ErrorQuery;

/// `/campaigns/7`
pub fn campaign(id: i64) -> String {
    format!("/campaigns/{id}")
}

/// `/campaigns/7/errors?stage=dns&after=...`: the Errors tab with the given
/// filters, and an optional page position (`("after", cursor)`).
pub fn errors(id: i64, query: &ErrorQuery, position: Option<(&str, String)>) -> String {
    let mut pairs: Vec<(&str, &str)> = query.filter_pairs();
    if let Some((key, value)) = &position {
        pairs.push((key, value.as_str()));
    }
    with_query(format!("/campaigns/{id}/errors"), &pairs)
}

/// `/campaigns/7/errors/42?...`: one event, keeping the Errors tab's query so
/// its back link returns to the same filters and page.
pub fn event(campaign: i64, event: i64, query: &ErrorQuery) -> String {
    with_query(format!("/campaigns/{campaign}/errors/{event}"), &all_pairs(query))
}

/// The Errors tab exactly as the query describes it, page position included.
pub fn errors_at(id: i64, query: &ErrorQuery) -> String {
    with_query(format!("/campaigns/{id}/errors"), &all_pairs(query))
}

/// `/selections`
pub fn selections() -> String {
    "/selections".to_owned()
}

/// `/selections/7`: the builder for a saved selection.
pub fn selection(id: i64) -> String {
    format!("/selections/{id}")
}

/// `/selections/new`
pub fn new_selection() -> String {
    "/selections/new".to_owned()
}

/// The download of a saved selection's export (`csv` with a delimiter, or `jsonl`).
pub fn selection_export(id: i64, format: &str, delimiter: &str) -> String {
    let mut pairs = vec![("format", format)];
    if !delimiter.is_empty() {
        pairs.push(("delimiter", delimiter));
    }
    with_query(format!("/api/v1/selections/{id}/export"), &pairs)
}

/// `/suppressions?q=...`: the suppression list, filtered.
pub fn suppressions(q: &str, rule: &str, source: &str, offset: i64) -> String {
    let offset = offset.to_string();
    let pairs: Vec<(&str, &str)> = [
        ("q", q),
        ("rule", rule),
        ("source", source),
        ("offset", offset.as_str()),
    ]
    .into_iter()
    .filter(|(k, v)| !(v.trim().is_empty() || (*k == "offset" && *v == "0")))
    .collect();
    with_query("/suppressions".to_owned(), &pairs)
}

/// The download of the suppression list as filtered (`csv` with a delimiter, or `jsonl`).
pub fn suppressions_export(q: &str, rule: &str, source: &str, format: &str, delimiter: &str) -> String {
    let pairs: Vec<(&str, &str)> = [
        ("format", format),
        ("delimiter", delimiter),
        ("q", q),
        ("rule", rule),
        ("source", source),
    ]
    .into_iter()
    .filter(|(_, v)| !v.trim().is_empty())
    .collect();
    with_query("/api/v1/suppressions/export".to_owned(), &pairs)
}

/// `/contacts/7`
pub fn contact(id: i64) -> String {
    format!("/contacts/{id}")
}

/// `/settings/policies`
pub fn policies() -> String {
    "/settings/policies".to_owned()
}

/// `/unlinked`, older than `before` when given.
pub fn unlinked(before: Option<&str>) -> String {
    match before {
        Some(cursor) => with_query("/unlinked".to_owned(), &[("before", cursor)]),
        None => "/unlinked".to_owned(),
    }
}

fn all_pairs(query: &ErrorQuery) -> Vec<(&'static str, &str)> {
    let mut pairs = query.filter_pairs();
    for (key, value) in [("after", &query.after), ("before", &query.before)] {
        if !value.trim().is_empty() {
            pairs.push((key, value.as_str()));
        }
    }
    pairs
}

fn with_query(path: String, pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        return path;
    }
    match serde_urlencoded::to_string(pairs) {
        Ok(qs) => format!("{path}?{qs}"),
        Err(_) => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_encoded_and_empty_ones_left_out() {
        let query = ErrorQuery {
            stage: "rcpt_to".into(),
            q: "finnes ikke & <b>".into(),
            ..ErrorQuery::default()
        };
        assert_eq!(
            errors(3, &query, Some(("after", "1_2".into()))),
            "/campaigns/3/errors?stage=rcpt_to&q=finnes+ikke+%26+%3Cb%3E&after=1_2"
        );
        assert_eq!(errors(3, &ErrorQuery::default(), None), "/campaigns/3/errors");
    }

    #[test]
    fn event_links_keep_the_page_position() {
        let query = ErrorQuery {
            domain: "ziggo.nl".into(),
            before: "5_9".into(),
            ..ErrorQuery::default()
        };
        assert_eq!(
            event(1, 42, &query),
            "/campaigns/1/errors/42?domain=ziggo.nl&before=5_9"
        );
        assert_eq!(errors_at(1, &query), "/campaigns/1/errors?domain=ziggo.nl&before=5_9");
    }
}
