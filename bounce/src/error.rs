//! The one error type of the domain layer: a value from outside did not parse.

use std::borrow::Cow;

use thiserror::Error;

/// A value from outside the program was not what its field requires.
///
/// `field` names what was being parsed, so the message can point a user at
/// the offending input ("reply code: `5x0` is not ...").
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: `{value}` {problem}")]
pub struct ParseError {
    /// What was being parsed, e.g. `reply code`, or where in a document it
    /// sits, e.g. `all[1].bounced.class`.
    pub field: Cow<'static, str>,
    /// The offending input, shortened so a huge input cannot flood a log.
    pub value: String,
    /// What is wrong with it, phrased to follow the value.
    pub problem: Cow<'static, str>,
}

impl ParseError {
    pub(crate) fn new(field: &'static str, value: &str, problem: &'static str) -> Self {
        Self::at(field, value, problem)
    }

    /// An error at a place named at run time (a path into a JSON document)
    /// or with a problem that names other values.
    pub fn at(field: impl Into<Cow<'static, str>>, value: &str, problem: impl Into<Cow<'static, str>>) -> Self {
        const MAX: usize = 80;
        let mut shown = String::with_capacity(value.len().min(4 * MAX));
        for (i, c) in value.chars().enumerate() {
            if i == MAX {
                shown.push('…');
                break;
            }
            // A NUL or an escape sequence is shown as `\u{0}`, never passed on
            // raw into a page, a terminal or a log line.
            if c.is_control() {
                shown.extend(c.escape_unicode());
            } else {
                shown.push(c);
            }
        }
        let value = shown;
        Self {
            field: field.into(),
            value,
            problem: problem.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_shortened_on_a_char_boundary() {
        let huge = "ø".repeat(10_000);

        let err = ParseError::new("reply code", &huge, "is not a number");

        assert_eq!(err.value.chars().count(), 81);
        assert!(err.to_string().starts_with("reply code: `øø"));
    }
}
