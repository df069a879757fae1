//! `/login` and `/account`: signing in, and one's own password. Plain forms
//! posted to the server (`/login`, `/account/password`): no wasm needed.

use leptos::prelude::*;
use leptos_meta::Title;

/// `/login?next=&error=`
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = super::use_query_params();
    let (next, error) = query.with_untracked(|q| (q.get("next"), q.get("error")));
    let message = match error.as_str() {
        "invalid" => Some("That address and password do not match an account that may sign in."),
        "limited" => Some("Too many failed attempts: wait a quarter of an hour, then try again."),
        "signed_out" => Some("You are signed out."),
        _ => None,
    };
    view! {
        <Title text="Sign in"/>
        <section class="login">
            <h1>"Sign in"</h1>
            {message.map(|m| view! { <p class="notice" role="status">{m}</p> })}
            <form method="post" action="/login" class="login-form">
                <input type="hidden" name="next" value=next/>
                <label>"Email address"
                    <input type="email" name="email" autocomplete="username" required autofocus/>
                </label>
                <label>"Password"
                    <input type="password" name="password" autocomplete="current-password" required/>
                </label>
                <button type="submit">"Sign in"</button>
            </form>
            <p class="meta">
                "No account? An admin adds people on the People page, or on the server with "
                <code>"bouncedesk user add --role viewer EMAIL"</code>"."
            </p>
        </section>
    }
}

/// `/account?done=&error=`
#[component]
pub fn AccountPage() -> impl IntoView {
    let query = super::use_query_params();
    let (done, error) = query.with_untracked(|q| (q.get("done"), q.get("error")));
    let user = Resource::new(|| (), |_| crate::api::current_user());
    let error = match error.as_str() {
        "" => None,
        "current" => Some("The current password is not right.".to_owned()),
        other => Some(other.to_owned()),
    };
    view! {
        <Title text="Your account"/>
        <h1>"Your account"</h1>
        <Suspense fallback=super::loading>
            {move || Suspend::new(async move {
                user.await.ok().flatten().map(|u| view! {
                    <p class="meta">{u.email}" · "{u.role.as_str()}</p>
                })
            })}
        </Suspense>
        {(done == "password").then(|| view! {
            <p class="saved" role="status">"Password changed. Every other session of yours has ended."</p>
        })}
        {error.map(|e| view! { <p class="error-box" role="alert">{e}</p> })}
        <form method="post" action="/account/password" class="login-form">
            <h2>"Change your password"</h2>
            <label>"Current password"
                <input type="password" name="current" autocomplete="current-password" required/>
            </label>
            <label>"New password (at least 12 characters)"
                <input type="password" name="new" autocomplete="new-password" minlength="12" required/>
            </label>
            <button type="submit">"Change password"</button>
        </form>
    }
}
