//! The bar on every page: where one can go (by role), who is signed in,
//! and signing out.

use bounce::account::{Role, User};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api;

/// The page links, and the least role that may open each (the server's
/// rules decide; this only leaves out links a person would be refused).
const LINKS: &[(&str, &str, Role)] = &[
    ("/", "Campaigns", Role::Viewer),
    ("/dashboard", "Dashboard", Role::Viewer),
    ("/selections", "Selections", Role::Viewer),
    ("/suppressions", "Suppression list", Role::Viewer),
    ("/imports", "Import", Role::Viewer),
    ("/unlinked", "Unlinked", Role::Viewer),
    ("/settings/policies", "Policies", Role::Admin),
    ("/settings/tokens", "Tokens", Role::Admin),
    ("/admin/users", "People", Role::Admin),
    ("/admin/audit", "Audit log", Role::Admin),
];

/// The top bar.
#[component]
pub fn TopBar() -> impl IntoView {
    let user = Resource::new(|| (), |_| api::current_user());
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">"bouncedesk"</A>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match user.await {
                        Ok(Some(user)) => view! { <SignedIn user/> }.into_any(),
                        _ => ().into_any(),
                    }
                })}
            </Suspense>
        </header>
    }
}

#[component]
fn SignedIn(user: User) -> impl IntoView {
    let role = user.role;
    view! {
        <nav>
            {LINKS
                .iter()
                .filter(|(_, _, needed)| role.may(*needed))
                .map(|(href, text, _)| view! { <A href=*href>{*text}</A> })
                .collect_view()}
        </nav>
        <div class="who">
            <A href="/account" attr:class="account" attr:title="Your account">{user.email}</A>
            <span class="role">{role.as_str()}</span>
            <form method="post" action="/logout" class="logout">
                <button type="submit" class="link">"Sign out"</button>
            </form>
        </div>
    }
}

/// What the signed-in person may do, for pages that hide actions they
/// would be refused (`None` while unknown or signed out).
fn use_role() -> Resource<Option<Role>> {
    Resource::new(
        || (),
        |_| async move { api::current_user().await.ok().flatten().map(|u| u.role) },
    )
}

/// Its children, only for a signed-in person whose role includes `needed`:
/// actions a lesser role would be refused are not offered to it.
#[component]
pub fn ForRole(needed: Role, children: ChildrenFn) -> impl IntoView {
    let role = use_role();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let children = children.clone();
                Suspend::new(async move { role.await.is_some_and(|r| r.may(needed)).then(|| children()) })
            }}
        </Suspense>
    }
}
