use leptos::prelude::*;

use crate::format;

/// The remote server's text, cut to `max` characters with the rest one click
/// away. Works without JavaScript (`<details>`). The text is hostile: it is
/// only ever rendered as a text node, which escapes it.
#[component]
pub fn DiagnosticText(text: String, #[prop(default = 140)] max: usize) -> impl IntoView {
    let (short, cut) = format::truncate(&text, max);
    if cut {
        let short = format!("{}…", short.trim_end());
        view! {
            <details class="diagnostic">
                <summary>{short}</summary>
                <div class="diagnostic-full">{text}</div>
            </details>
        }
        .into_any()
    } else {
        view! { <span class="diagnostic">{text}</span> }.into_any()
    }
}
