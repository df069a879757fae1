//! `/unlinked`: results no campaign was found for. They are kept (their
//! contacts' histories count them) and listed with what they carried, so
//! a person can tell which campaign they belong to and tag it.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{self, UnlinkedPage};
use crate::components::{ClassBadge, DiagnosticText, ErrorBox};
use crate::{format, links};

/// `/unlinked`
#[component]
pub fn UnlinkedPage() -> impl IntoView {
    let query = super::use_query_params();
    let before = move || query.with(|q| q.get("before"));
    let page = Resource::new(before, api::unlinked_results);
    view! {
        <Title text="Unlinked results"/>
        <h1>"Unlinked results"</h1>
        <p class="meta">
            "Results that named no campaign bouncedesk knows: no campaign id, a tag no campaign has, "
            "or a Message-ID no send went out with. Give the campaign that tag ("
            <code>"bouncedesk campaign tag ID TAG"</code>") and later results link to it."
        </p>
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) if page.rows.is_empty() => view! {
                        <p class="empty">"Every result is linked to a campaign."</p>
                    }.into_any(),
                    Ok(page) => view! { <UnlinkedTable page/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UnlinkedTable(page: UnlinkedPage) -> impl IntoView {
    let UnlinkedPage { rows, total, older } = page;
    view! {
        <p class="total">{format!("{} results without a campaign", format::count(total))}</p>
        <table class="errors unlinked">
            <thead>
                <tr>
                    <th scope="col">"Time"</th>
                    <th scope="col">"Recipient"</th>
                    <th scope="col">"Class"</th>
                    <th scope="col">"Stage"</th>
                    <th scope="col">"What the server said"</th>
                    <th scope="col">"Source"</th>
                    <th scope="col">"Tag / Message-ID"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let carried = [r.tag, r.message_id].into_iter().flatten().collect::<Vec<_>>().join(" · ");
                    view! {
                        <tr class="unlinked-row">
                            <td>{format::second(r.row.occurred_at)}</td>
                            <td class="recipient">{r.row.recipient}</td>
                            <td><ClassBadge class=r.row.class/></td>
                            <td class="stage" title=r.row.stage.explanation()>{r.row.stage.label()}</td>
                            <td class="diagnostic"><DiagnosticText text=r.row.diagnostic/></td>
                            <td class="source">{r.source}</td>
                            <td class="carried"><code>{carried}</code></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {older.map(|cursor| view! {
            <nav class="pager"><a href=links::unlinked(Some(&cursor))>"Older results →"</a></nav>
        })}
    }
}
