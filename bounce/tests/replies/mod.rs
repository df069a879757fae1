//! Shared by the reply tables (`provider_replies.rs`, `provider_docs.rs`):
//! each case classified as an MTA log gives it.

use bounce::{EnhancedStatus, Evidence, ReplyCode, Stage, classify};

/// One reply: the stage when known, the server's words, the reason wanted.
pub type Case = (Option<Stage>, &'static str, &'static str);

/// The cases read differently from what they want, each as
/// "want W, got G: TEXT". The reply code and status are found in the text,
/// as the importers find them.
pub fn misread(cases: &[Case]) -> Vec<String> {
    cases
        .iter()
        .filter_map(|(stage, text, want)| {
            let verdict = classify(&Evidence {
                stage: *stage,
                reply_code: ReplyCode::leading(text),
                status: EnhancedStatus::find_in(text),
                text,
                ..Evidence::default()
            });
            (verdict.reason.as_str() != *want).then(|| format!("want {want}, got {}: {text}", verdict.reason))
        })
        .collect()
}
