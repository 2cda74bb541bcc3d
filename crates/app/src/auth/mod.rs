//! Who is calling and what they may do: roles, the permission gate, passwords, sessions, API
//! tokens and login throttling.

pub mod cache;
mod caller;
pub mod password;
pub mod secret;
pub mod setup;
pub mod throttle;

pub(crate) use caller::peer_address;
pub use caller::{AuthMethod, Caller, ClientAddr, SESSION_COOKIE, client_address};

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An account's role; each includes the rights of the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Sees everything but process environments.
    Viewer,
    /// Also acts: signals processes, closes windows, launches programs.
    Operator,
    /// Also manages accounts and settings, and reads the audit log.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    /// Whether this role grants `permission`: the one place where rights are decided.
    pub fn allows(self, permission: Permission) -> bool {
        let needed = match permission {
            Permission::View => Role::Viewer,
            Permission::ViewEnvironment | Permission::Act => Role::Operator,
            Permission::ManageUsers
            | Permission::ManageSettings
            | Permission::ReadAudit
            | Permission::RevealCommandLine => Role::Admin,
        };
        self >= needed
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "viewer" => Ok(Role::Viewer),
            "operator" => Ok(Role::Operator),
            "admin" => Ok(Role::Admin),
            other => Err(format!(
                "unknown role '{other}': use viewer, operator or admin"
            )),
        }
    }
}

/// What a caller may want to do; checked by [`Caller::require`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Read processes, windows, applications, history and settings.
    View,
    /// Read process environments (they often hold secrets).
    ViewEnvironment,
    /// Change the machine: signal, close, launch.
    Act,
    ManageUsers,
    ManageSettings,
    ReadAudit,
    /// Read a process's command line with its credentials (everyone else sees them redacted).
    RevealCommandLine,
}

impl Permission {
    /// Whether this is about the machine itself (what a role limited to some hosts may not
    /// do on the others), as opposed to accounts, settings and the audit log.
    pub fn is_on_machine(self) -> bool {
        matches!(
            self,
            Permission::View
                | Permission::ViewEnvironment
                | Permission::Act
                | Permission::RevealCommandLine
        )
    }

    pub fn describe(self) -> &'static str {
        match self {
            Permission::View => "view this",
            Permission::ViewEnvironment => "read process environments",
            Permission::Act => "act on this machine",
            Permission::ManageUsers => "manage accounts",
            Permission::ManageSettings => "change settings",
            Permission::ReadAudit => "read the audit log",
            Permission::RevealCommandLine => "reveal hidden command-line secrets",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_grant_in_order() {
        assert!(Role::Viewer.allows(Permission::View));
        assert!(!Role::Viewer.allows(Permission::Act));
        assert!(!Role::Viewer.allows(Permission::ViewEnvironment));
        assert!(Role::Operator.allows(Permission::Act));
        assert!(!Role::Operator.allows(Permission::ManageUsers));
        assert!(Role::Admin.allows(Permission::ReadAudit));
        assert!(!Role::Operator.allows(Permission::RevealCommandLine));
        assert!(Role::Admin.allows(Permission::RevealCommandLine));
        assert_eq!("admin".parse::<Role>(), Ok(Role::Admin));
        assert!("root".parse::<Role>().is_err());
    }
}
