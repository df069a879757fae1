use bounce::BounceClass;
use leptos::prelude::*;

/// Hard / soft / undetermined, as a coloured label.
#[component]
pub fn ClassBadge(class: BounceClass) -> impl IntoView {
    view! { <span class=format!("badge badge-{}", class.as_str())>{class.label()}</span> }
}
