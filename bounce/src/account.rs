//! Who may do what: the roles of the people who sign in, the scopes of API
//! tokens, and the audit log's vocabulary. Pure data; the server enforces it
//! (`server/src/auth`), the pages only hide what a role cannot use.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ParseError;

/// What a signed-in person may do. Each role includes the ones below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads everything: campaigns, errors, charts, raw bounces, lists.
    Viewer,
    /// Also changes contacts and lists: selections, suppress and unblock,
    /// exports (personal data leaves the system), imports.
    Marketer,
    /// Also runs the installation: people, API tokens, policies, the audit log.
    Admin,
}

impl Role {
    /// Every role, least first.
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Marketer, Role::Admin];

    /// The stable id, as stored and given on the command line.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Marketer => "marketer",
            Role::Admin => "admin",
        }
    }

    /// Whether this role includes `needed`.
    pub fn may(self, needed: Role) -> bool {
        self >= needed
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| ParseError::new("role", s, "is not a role: use admin, marketer or viewer"))
    }
}

/// What an API token is for. A token does one job, so a webhook's token
/// leaked from an ESP's settings page cannot export the contact list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Posts delivery results: `/api/v1/events`, `/api/v1/webhooks/...`.
    Import,
    /// Reads: selection counts and exports, the suppression list, chart data.
    Read,
}

impl Scope {
    /// Every scope.
    pub const ALL: [Scope; 2] = [Scope::Import, Scope::Read];

    /// The stable id, as stored and given on the command line.
    pub const fn as_str(self) -> &'static str {
        match self {
            Scope::Import => "import",
            Scope::Read => "read",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scope {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scope::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| ParseError::new("scope", s, "is not a token scope: use import or read"))
    }
}

/// Someone who may sign in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    /// Lower-cased; what they sign in with.
    pub email: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// A disabled account cannot sign in; its sessions ended when it was disabled.
    pub disabled_at: Option<DateTime<Utc>>,
}

/// Who is making a request, as the server's gate established it. Every
/// request past the gate carries one (a public route's only when a session
/// came with it), so what it does can be checked and recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    /// The person's address, or `token:NAME` for an API token.
    pub actor: String,
    /// The person, when one is signed in.
    pub user: Option<User>,
    /// The client's IP address, when known.
    pub address: Option<String>,
}

impl Caller {
    /// The signed-in person's role (`None` for a token).
    pub fn role(&self) -> Option<Role> {
        self.user.as_ref().map(|u| u.role)
    }
}

/// The shortest password accepted (NIST SP 800-63B asks for at least 8; a
/// dashboard of personal data asks for more).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest: hashing is deliberately slow, and a megabyte password must
/// not make it slower.
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// Checks a new password's length (SP 800-63B: length, not composition rules).
pub fn check_password(password: &str) -> Result<(), ParseError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(ParseError::at(
            "password",
            "",
            format!("is too short: use at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(ParseError::at(
            "password",
            "",
            format!("is too long: use at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(())
}

/// What the audit log records. Stable ids: stored, exported and filtered on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Login,
    LoginFailed,
    Logout,
    PasswordChanged,
    UserAdded,
    UserChanged,
    Export,
    Suppress,
    Unblock,
    ContactReset,
    SelectionAction,
    Import,
    PolicyChanged,
    TokenCreated,
    TokenRevoked,
    AuditExported,
    Backup,
    Restore,
}

impl AuditAction {
    /// Every action.
    pub const ALL: [AuditAction; 18] = [
        AuditAction::Login,
        AuditAction::LoginFailed,
        AuditAction::Logout,
        AuditAction::PasswordChanged,
        AuditAction::UserAdded,
        AuditAction::UserChanged,
        AuditAction::Export,
        AuditAction::Suppress,
        AuditAction::Unblock,
        AuditAction::ContactReset,
        AuditAction::SelectionAction,
        AuditAction::Import,
        AuditAction::PolicyChanged,
        AuditAction::TokenCreated,
        AuditAction::TokenRevoked,
        AuditAction::AuditExported,
        AuditAction::Backup,
        AuditAction::Restore,
    ];

    /// The stable id.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuditAction::Login => "login",
            AuditAction::LoginFailed => "login_failed",
            AuditAction::Logout => "logout",
            AuditAction::PasswordChanged => "password_changed",
            AuditAction::UserAdded => "user_added",
            AuditAction::UserChanged => "user_changed",
            AuditAction::Export => "export",
            AuditAction::Suppress => "suppress",
            AuditAction::Unblock => "unblock",
            AuditAction::ContactReset => "contact_reset",
            AuditAction::SelectionAction => "selection_action",
            AuditAction::Import => "import",
            AuditAction::PolicyChanged => "policy_changed",
            AuditAction::TokenCreated => "token_created",
            AuditAction::TokenRevoked => "token_revoked",
            AuditAction::AuditExported => "audit_exported",
            AuditAction::Backup => "backup",
            AuditAction::Restore => "restore",
        }
    }
}

impl FromStr for AuditAction {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AuditAction::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| ParseError::new("action", s, "is not an audit action"))
    }
}

/// One line of the audit log: who did what, when, from where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The person's address, `token:NAME` for an API token, `cli:USER` for
    /// the command line; for a failed login, the address that was tried.
    pub actor: String,
    pub action: AuditAction,
    /// What was acted on, in words (`12 addresses`, `selection 4: suppress`).
    pub detail: String,
    /// The client's IP address, when it came over HTTP.
    pub address: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_include_the_ones_below_them_only() {
        assert!(Role::Admin.may(Role::Marketer));
        assert!(Role::Marketer.may(Role::Viewer));
        assert!(!Role::Viewer.may(Role::Marketer));
        assert!(!Role::Marketer.may(Role::Admin));
    }

    #[test]
    fn ids_round_trip_and_unknown_ones_name_their_field() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        for action in AuditAction::ALL {
            assert_eq!(action.as_str().parse::<AuditAction>(), Ok(action));
        }
        assert_eq!("read".parse::<Scope>(), Ok(Scope::Read));
        let err = "root".parse::<Role>().expect_err("not a role");
        assert!(err.to_string().starts_with("role: `root`"), "{err}");
    }

    #[test]
    fn passwords_are_checked_for_length_only() {
        assert!(check_password("kort").is_err());
        assert!(check_password("twaalf tekens").is_ok());
        assert!(check_password(&"x".repeat(MAX_PASSWORD_CHARS + 1)).is_err());
    }
}
