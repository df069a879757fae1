use bounce::{ErrorPage, ErrorQuery};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::links;

/// Newer / older links for a keyset-paginated Errors page. Each link is a
/// plain URL holding the filters and the position, so it can be shared.
#[component]
pub fn Pager(campaign_id: i64, query: ErrorQuery, page: ErrorPage) -> impl IntoView {
    let newest = (page.newer.is_some()).then(|| links::errors(campaign_id, &query, None));
    let newer = page
        .newer
        .map(|c| links::errors(campaign_id, &query, Some(("before", c.to_string()))));
    let older = page
        .older
        .map(|c| links::errors(campaign_id, &query, Some(("after", c.to_string()))));
    view! {
        <nav class="pager" aria-label="Pages">
            {newest.map(|href| view! { <A href=href attr:class="newest">"« Newest"</A> })}
            {match newer {
                Some(href) => view! { <A href=href attr:class="newer" attr:rel="prev">"‹ Newer"</A> }.into_any(),
                None => view! { <span class="disabled">"‹ Newer"</span> }.into_any(),
            }}
            {match older {
                Some(href) => view! { <A href=href attr:class="older" attr:rel="next">"Older ›"</A> }.into_any(),
                None => view! { <span class="disabled">"Older ›"</span> }.into_any(),
            }}
        </nav>
    }
}
