//! Helpers the parsers' tests share.

use bounce::delivery::DeliveryResult;

use super::Item;

/// The one item of `items`, read from `input` (named when there are more
/// or fewer).
pub fn one(mut items: Vec<Result<Item, String>>, input: &str) -> Result<Item, String> {
    assert_eq!(items.len(), 1, "one item from {input}");
    items.remove(0)
}

/// `item` as a delivery result, read from `input` (named when it is none).
pub fn result(item: Result<Item, String>, input: &str) -> DeliveryResult {
    match item {
        Ok(Item::Result(r)) => *r,
        other => panic!("not a result: {other:?}\n{input}"),
    }
}

/// The delivery results among `items`; the rest (others, refusals) left out.
pub fn results(items: impl IntoIterator<Item = Result<Item, String>>) -> Vec<DeliveryResult> {
    items
        .into_iter()
        .filter_map(|item| match item {
            Ok(Item::Result(r)) => Some(*r),
            _ => None,
        })
        .collect()
}

/// The text of a fixture under `server/tests/fixtures/`.
pub fn fixture(path: &str) -> String {
    let path = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every item `parse` reads from the lines of `text`; none may be refused.
pub fn every_item(text: &str, parse: impl FnMut(&str) -> Vec<Result<Item, String>>) -> Vec<Item> {
    text.lines()
        .flat_map(parse)
        .map(|item| item.expect("every event reads"))
        .collect()
}

/// The delivery results among `items`.
pub fn result_refs(items: &[Item]) -> Vec<&DeliveryResult> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Result(r) => Some(&**r),
            Item::Other => None,
        })
        .collect()
}
