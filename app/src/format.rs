//! Numbers, shares and times as the dashboard writes them.

use chrono::{DateTime, Utc};

/// `12345` → `12,345`.
pub fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `0.01234` → `1.23 %`.
pub fn percent(share: f64) -> String {
    format!("{:.2} %", share * 100.0)
}

/// A time to the minute, in UTC (the server does not know the user's zone).
pub fn minute(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A time to the second, in UTC.
pub fn second(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// A day.
pub fn day(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// Shortens `text` to at most `max` characters (on a char boundary), and says
/// whether it did.
pub fn truncate(text: &str, max: usize) -> (&str, bool) {
    match text.char_indices().nth(max) {
        Some((cut, _)) => (&text[..cut], true),
        None => (text, false),
    }
}

/// Makes text safe for the document title. leptos_meta writes the title into
/// the server's HTML without escaping it, and the browser later sets
/// `document.title` from the same string, so entity-escaping would show up
/// literally after hydration. Swapping the three markup characters for
/// look-alikes is safe in both places.
pub fn title_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '<' => '‹',
            '>' => '›',
            '&' => '＆',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_cannot_close_the_title_element() {
        assert_eq!(title_text("</title><script>a&b"), "‹/title›‹script›a＆b");
    }

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(count(-4500), "-4,500");
    }

    #[test]
    fn truncation_respects_characters() {
        assert_eq!(truncate("Postkassen er full", 9), ("Postkasse", true));
        assert_eq!(truncate("øæå", 5), ("øæå", false));
        assert_eq!(truncate("øæå", 2), ("øæ", true));
    }

    #[test]
    fn percent_has_two_decimals() {
        assert_eq!(percent(0.012345), "1.23 %");
    }
}
