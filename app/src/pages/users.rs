//! `/admin/users` and `/admin/audit`: the people who may sign in, and what
//! everyone did. Admins only (the server's rules refuse everyone else).
//! Plain forms posted to server functions: no wasm needed.

use bounce::account::{AuditEntry, Role, User};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api;
use crate::components::ErrorBox;
use crate::format;

/// `/admin/users`
#[component]
pub fn UsersPage() -> impl IntoView {
    let users = Resource::new(|| (), |_| api::list_users());
    let query = super::use_query_params();
    let done = query.with_untracked(|q| q.get("done"));
    view! {
        <Title text="People"/>
        <h1>"People"</h1>
        <p class="meta">
            "Viewers read everything; marketers also change contacts and lists, export and import; "
            "admins also manage people, tokens, policies and the audit log."
        </p>
        {match done.as_str() {
            "added" => Some(view! { <p class="saved" role="status">"Added. Give them their password; they can change it on their Account page."</p> }),
            "changed" => Some(view! { <p class="saved" role="status">"Changed."</p> }),
            _ => None,
        }}
        <form method="post" action="/api/add_user" class="filters add-user">
            <label>"Email address"<input type="email" name="email" required/></label>
            <label>"Role"
                <select name="role">
                    {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{r.as_str()}</option> }).collect_view()}
                </select>
            </label>
            <label>"First password (12 characters or more)"
                <input type="password" name="password" autocomplete="new-password" minlength="12" required/>
            </label>
            <div class="actions"><button type="submit">"Add"</button></div>
        </form>
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(list) => view! { <UserTable list/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UserTable(list: Vec<User>) -> impl IntoView {
    view! {
        <table class="users">
            <thead>
                <tr>
                    <th scope="col">"Email"</th>
                    <th scope="col">"Role"</th>
                    <th scope="col">"Added"</th>
                    <th scope="col">"State"</th>
                    <th scope="col"></th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|u| {
                    let disabled = u.disabled_at.is_some();
                    let email = u.email.clone();
                    view! {
                        <tr class="user-row">
                            <td class="email">{u.email.clone()}</td>
                            <td>
                                <form method="post" action="/api/change_user" class="inline">
                                    <input type="hidden" name="email" value=email.clone()/>
                                    <input type="hidden" name="disable" value=""/>
                                    <select name="role" aria-label="Role">
                                        {Role::ALL.into_iter().map(|r| view! {
                                            <option value=r.as_str() selected=r == u.role>{r.as_str()}</option>
                                        }).collect_view()}
                                    </select>
                                    <button type="submit">"Set"</button>
                                </form>
                            </td>
                            <td>{format::day(u.created_at)}</td>
                            <td>{u.disabled_at.map_or_else(|| "active".to_owned(), |at| format!("disabled {}", format::day(at)))}</td>
                            <td>
                                <form method="post" action="/api/change_user" class="inline">
                                    <input type="hidden" name="email" value=email/>
                                    <input type="hidden" name="role" value=""/>
                                    <input type="hidden" name="disable" value=if disabled { "0" } else { "1" }/>
                                    <button type="submit" class=if disabled { "" } else { "danger" }>
                                        {if disabled { "Enable" } else { "Disable" }}
                                    </button>
                                </form>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// `/admin/audit?before=`
#[component]
pub fn AuditPage() -> impl IntoView {
    let query = super::use_query_params();
    let before = move || query.with(|q| q.get("before"));
    let page = Resource::new(before, api::audit_page);
    view! {
        <Title text="Audit log"/>
        <h1>"Audit log"</h1>
        <p class="meta">
            "Sign-ins (and failed ones), exports, suppressions, unblocks, imports, and changes to "
            "policies, tokens and people: who, when, what, from where. "
            <a href="/admin/audit.csv" download rel="external">"Download as CSV"</a>
        </p>
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(list) if list.is_empty() => view! { <p class="empty">"Nothing recorded yet."</p> }.into_any(),
                    Ok(list) => view! { <AuditTable list/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AuditTable(list: Vec<AuditEntry>) -> impl IntoView {
    let older = (list.len() == 100)
        .then(|| list.last().map(|e| format!("/admin/audit?before={}", e.id)))
        .flatten();
    view! {
        <table class="audit">
            <thead>
                <tr>
                    <th scope="col">"When"</th>
                    <th scope="col">"Who"</th>
                    <th scope="col">"What"</th>
                    <th scope="col">"Detail"</th>
                    <th scope="col">"From"</th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|e| view! {
                    <tr class="audit-row" data-action=e.action.as_str()>
                        <td>{format::minute(e.at)}</td>
                        <td>{e.actor}</td>
                        <td>{e.action.as_str()}</td>
                        <td>{e.detail}</td>
                        <td>{e.address.unwrap_or_default()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        {older.map(|href| view! { <p class="pager"><a href=href>"Older entries"</a></p> })}
    }
}
