//! Who may reach which route: one table, checked for every request before it
//! reaches a page, a server function or an API route. What is not in the
//! table is refused.

use axum::http::Method;
use bounce::account::{Role, Scope};

/// What a route asks of the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: the sign-in page, probes, static files, and the intake routes
    /// that check their own token or signature (a webhook cannot sign in).
    /// No session is looked up for them.
    Public,
    /// Anyone, but the signed-in person (if any) is looked up and passed on.
    Anyone,
    /// A signed-in person with at least this role.
    Person(Role),
    /// A signed-in person with at least this role, or an API token with this
    /// scope (scripts reading counts and exports).
    PersonOrToken(Role, Scope),
}

use Access::{Anyone, Person, PersonOrToken, Public};
use Role::{Admin, Marketer, Viewer};

/// Any method.
const ANY: &str = "*";

/// `(method, path pattern, access)`, first match wins. In a pattern `*` is
/// one path segment and a trailing `**` any rest. Server functions are at
/// `/api/NAME` (each declares its endpoint name, so this table can name it).
const RULES: &[(&str, &str, Access)] = &[
    // Probes for load balancers and orchestrators: nothing personal in them.
    ("GET", "/healthz", Public),
    ("GET", "/readyz", Public),
    // Signing in and the files every page (the sign-in page too) loads.
    ("GET", "/login", Public),
    ("POST", "/login", Public),
    ("GET", "/pkg/**", Public),
    ("GET", "/favicon.svg", Public),
    // Which person is signed in (none on the sign-in page): the top bar asks.
    ("POST", "/api/current_user", Anyone),
    // Intake checks an import-scoped token or the ESP's signature itself.
    ("POST", "/api/v1/events", Public),
    ("POST", "/api/v1/webhooks/*", Public),
    // The API's description holds no data.
    ("GET", "/api/v1/openapi.json", Public),
    // Reading through the API: a person, or a script with a read token.
    ("POST", "/api/v1/selections/count", PersonOrToken(Viewer, Scope::Read)),
    (
        "GET",
        "/api/v1/campaigns/*/charts/*",
        PersonOrToken(Viewer, Scope::Read),
    ),
    ("GET", "/api/v1/charts/*", PersonOrToken(Viewer, Scope::Read)),
    // Exports take personal data out: marketers (and read tokens) only.
    (
        "POST",
        "/api/v1/selections/export",
        PersonOrToken(Marketer, Scope::Read),
    ),
    (
        "GET",
        "/api/v1/selections/*/export",
        PersonOrToken(Marketer, Scope::Read),
    ),
    (
        "GET",
        "/api/v1/suppressions/export",
        PersonOrToken(Marketer, Scope::Read),
    ),
    ("GET", "/admin/audit.csv", Person(Admin)),
    // Leaving, and one's own password.
    ("POST", "/logout", Person(Viewer)),
    ("POST", "/account/password", Person(Viewer)),
    // Importing files changes what is stored.
    ("POST", "/imports/upload", Person(Marketer)),
    // Server functions that read: any signed-in person.
    ("POST", "/api/list_campaigns", Person(Viewer)),
    ("POST", "/api/campaign", Person(Viewer)),
    ("POST", "/api/campaign_incidents", Person(Viewer)),
    ("POST", "/api/campaign_errors", Person(Viewer)),
    ("POST", "/api/event", Person(Viewer)),
    ("POST", "/api/campaign_charts", Person(Viewer)),
    ("POST", "/api/dashboard_charts", Person(Viewer)),
    ("POST", "/api/list_imports", Person(Viewer)),
    ("POST", "/api/unlinked_results", Person(Viewer)),
    ("POST", "/api/list_suppressions", Person(Viewer)),
    ("POST", "/api/contact", Person(Viewer)),
    ("POST", "/api/list_selections", Person(Viewer)),
    ("POST", "/api/selection", Person(Viewer)),
    ("POST", "/api/preview_selection", Person(Viewer)),
    ("POST", "/api/start_builder", Person(Viewer)),
    ("POST", "/api/get_policy", Person(Viewer)),
    // Server functions that change contacts and lists: marketers.
    ("POST", "/api/add_suppressions", Person(Marketer)),
    ("POST", "/api/unblock", Person(Marketer)),
    ("POST", "/api/reset_contact", Person(Marketer)),
    ("POST", "/api/save_selection", Person(Marketer)),
    ("POST", "/api/delete_selection", Person(Marketer)),
    ("POST", "/api/act_on_selection", Person(Marketer)),
    // Running the installation: admins.
    ("POST", "/api/list_tokens", Person(Admin)),
    ("POST", "/api/make_token", Person(Admin)),
    ("POST", "/api/revoke_token", Person(Admin)),
    ("POST", "/api/set_policy", Person(Admin)),
    ("POST", "/api/list_users", Person(Admin)),
    ("POST", "/api/add_user", Person(Admin)),
    ("POST", "/api/change_user", Person(Admin)),
    ("POST", "/api/audit_page", Person(Admin)),
    // Pages: the admin ones, then every other page for any signed-in person
    // (a page that does not exist answers 404 to them, not to strangers).
    ("GET", "/settings/**", Person(Admin)),
    ("GET", "/admin/**", Person(Admin)),
    ("GET", "/**", Person(Viewer)),
    // A server function or API route added without a rule of its own is for
    // admins only until it gets one: failing closed, to the most trusted role.
    (ANY, "/api/**", Person(Admin)),
];

/// What `method path` asks for; `None`: no rule, refused.
pub fn access(method: &Method, path: &str) -> Option<Access> {
    let method = if method == Method::HEAD { "GET" } else { method.as_str() };
    RULES
        .iter()
        .find(|(m, pattern, _)| (*m == ANY || *m == method) && matches(pattern, path))
        .map(|(_, _, access)| *access)
}

fn matches(pattern: &str, path: &str) -> bool {
    let mut want = pattern.split('/');
    let mut have = path.split('/');
    loop {
        match (want.next(), have.next()) {
            (Some("**"), _) => return true,
            (Some("*"), Some(seg)) if !seg.is_empty() => {}
            (Some(w), Some(h)) if w == h => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// Every server function's name in the table (tests check each registered
/// server function has a rule of its own, not the catch-all).
pub fn server_function_rules() -> impl Iterator<Item = (&'static str, Access)> {
    RULES.iter().filter_map(|(m, pattern, access)| {
        let name = pattern.strip_prefix("/api/")?;
        (*m == "POST" && !name.contains('/') && !name.contains('*')).then_some((name, *access))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_whole_segments() {
        assert!(matches("/api/v1/webhooks/*", "/api/v1/webhooks/sendgrid"));
        assert!(!matches("/api/v1/webhooks/*", "/api/v1/webhooks/"));
        assert!(!matches("/api/v1/webhooks/*", "/api/v1/webhooks/a/b"));
        assert!(matches("/pkg/**", "/pkg/bouncedesk.wasm"));
        assert!(!matches("/api/campaign", "/api/campaign_errors"));
        assert!(!matches("/login", "/login/x"));
    }

    #[test]
    fn admin_pages_and_unknown_server_functions_are_not_for_viewers() {
        assert_eq!(access(&Method::GET, "/settings/tokens"), Some(Person(Admin)));
        assert_eq!(access(&Method::GET, "/campaigns/1/errors"), Some(Person(Viewer)));
        assert_eq!(access(&Method::POST, "/api/some_new_function"), Some(Person(Admin)));
        assert_eq!(access(&Method::POST, "/campaigns/1"), None);
        assert_eq!(access(&Method::DELETE, "/api/v1/events"), Some(Person(Admin)));
    }
}
