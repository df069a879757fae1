use bounce::{BounceClass, Category, ErrorQuery, Reason, Stage};
use leptos::prelude::*;
use leptos_router::components::{A, Form};

use crate::links;

/// The Errors tab's filters: a GET form, so the filters land in the URL (to
/// share, bookmark and go back to) and work without JavaScript. Hydrated, the
/// router submits it without a page load.
#[component]
pub fn ErrorFilters(campaign_id: i64, query: ErrorQuery) -> impl IntoView {
    let action = links::errors(campaign_id, &ErrorQuery::default(), None);
    let clear = action.clone();
    let stage = query.stage.clone();
    let class = query.class.clone();
    let category = query.category.clone();
    let reason = query.reason.clone();
    let mut reasons: Vec<Reason> = Reason::ALL.to_vec();
    reasons.sort_by_key(|r| r.as_str());
    view! {
        <Form method="GET" action=action attr:class="filters" attr:aria-label="Filter errors">
            <label>
                "Stage"
                <select name="stage">
                    <option value="" selected=stage.is_empty()>"All stages"</option>
                    {Stage::ALL
                        .into_iter()
                        .map(|s| {
                            view! {
                                <option value=s.as_str() selected=stage == s.as_str()>{s.label()}</option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <label>
                "Class"
                <select name="class">
                    <option value="" selected=class.is_empty()>"All classes"</option>
                    {BounceClass::ALL
                        .into_iter()
                        .map(|c| {
                            view! {
                                <option value=c.as_str() selected=class == c.as_str()>{c.label()}</option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <label>
                "Category"
                <select name="category">
                    <option value="" selected=category.is_empty()>"All categories"</option>
                    {Category::ALL
                        .into_iter()
                        .map(|c| {
                            view! {
                                <option value=c.as_str() selected=category == c.as_str()>{c.label()}</option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <label>
                "Reason"
                <select name="reason">
                    <option value="" selected=reason.is_empty()>"All reasons"</option>
                    {reasons
                        .into_iter()
                        .map(|r| {
                            view! {
                                <option value=r.as_str() selected=reason == r.as_str() title=r.meaning()>
                                    {r.as_str()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <label>
                "Code"
                <input type="text" name="code" value=query.code.clone() placeholder="5.1 or 550" size="8"
                    inputmode="decimal"/>
            </label>
            <label>
                "Domain"
                <input type="text" name="domain" value=query.domain.clone() placeholder="gmail.com" size="16"/>
            </label>
            <label class="grow">
                "Text contains"
                <input type="search" name="q" value=query.q.clone() placeholder="e.g. quota, spam, finnes ikke"/>
            </label>
            <div class="actions">
                <button type="submit">"Apply"</button>
                <A href=clear attr:class="clear">"Clear"</A>
            </div>
        </Form>
    }
}
