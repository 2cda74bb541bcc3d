//! Every kind of row in the audit log, in one place: what the actions write, what the API
//! documents (an `enum` in OpenAPI) and what the audit page filters by.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What an audit row records. Stored and shown as `area.verb` (`auth.login`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum AuditAction {
    #[serde(rename = "auth.register")]
    Register,
    #[serde(rename = "auth.login")]
    Login,
    #[serde(rename = "auth.login_failed")]
    LoginFailed,
    /// Refusals from one address, counted in one row (a flood of throttled attempts).
    #[serde(rename = "auth.refused")]
    Refused,
    #[serde(rename = "auth.logout")]
    Logout,
    #[serde(rename = "auth.password_change")]
    PasswordChange,
    #[serde(rename = "token.create")]
    TokenCreate,
    #[serde(rename = "token.list")]
    TokenList,
    #[serde(rename = "token.delete")]
    TokenDelete,
    #[serde(rename = "user.create")]
    UserCreate,
    #[serde(rename = "user.update")]
    UserUpdate,
    #[serde(rename = "user.delete")]
    UserDelete,
    #[serde(rename = "settings.update")]
    SettingsUpdate,
    #[serde(rename = "process.signal")]
    ProcessSignal,
    #[serde(rename = "process.terminate")]
    ProcessTerminate,
    #[serde(rename = "process.priority")]
    ProcessPriority,
    #[serde(rename = "process.reveal_cmdline")]
    ProcessRevealCmdline,
    #[serde(rename = "window.close")]
    WindowClose,
    #[serde(rename = "window.close_all")]
    WindowCloseAll,
    #[serde(rename = "window.activate")]
    WindowActivate,
    #[serde(rename = "window.minimize")]
    WindowMinimize,
    #[serde(rename = "app.launch")]
    AppLaunch,
    #[serde(rename = "app.stop")]
    AppStop,
    #[serde(rename = "session.save")]
    SessionSave,
    #[serde(rename = "session.rename")]
    SessionRename,
    #[serde(rename = "session.delete")]
    SessionDelete,
    #[serde(rename = "session.restore")]
    SessionRestore,
    #[serde(rename = "managed.create")]
    ManagedCreate,
    #[serde(rename = "managed.update")]
    ManagedUpdate,
    #[serde(rename = "managed.delete")]
    ManagedDelete,
    #[serde(rename = "managed.start")]
    ManagedStart,
    #[serde(rename = "managed.stop")]
    ManagedStop,
    #[serde(rename = "managed.restart")]
    ManagedRestart,
    #[serde(rename = "managed.give_up")]
    ManagedGiveUp,
    #[serde(rename = "managed.adopt")]
    ManagedAdopt,
    #[serde(rename = "host.remove")]
    HostRemove,
}

impl AuditAction {
    pub const ALL: [AuditAction; 36] = [
        AuditAction::Register,
        AuditAction::Login,
        AuditAction::LoginFailed,
        AuditAction::Refused,
        AuditAction::Logout,
        AuditAction::PasswordChange,
        AuditAction::TokenCreate,
        AuditAction::TokenList,
        AuditAction::TokenDelete,
        AuditAction::UserCreate,
        AuditAction::UserUpdate,
        AuditAction::UserDelete,
        AuditAction::SettingsUpdate,
        AuditAction::ProcessSignal,
        AuditAction::ProcessTerminate,
        AuditAction::ProcessPriority,
        AuditAction::ProcessRevealCmdline,
        AuditAction::WindowClose,
        AuditAction::WindowCloseAll,
        AuditAction::WindowActivate,
        AuditAction::WindowMinimize,
        AuditAction::AppLaunch,
        AuditAction::AppStop,
        AuditAction::SessionSave,
        AuditAction::SessionRename,
        AuditAction::SessionDelete,
        AuditAction::SessionRestore,
        AuditAction::ManagedCreate,
        AuditAction::ManagedUpdate,
        AuditAction::ManagedDelete,
        AuditAction::ManagedStart,
        AuditAction::ManagedStop,
        AuditAction::ManagedRestart,
        AuditAction::ManagedGiveUp,
        AuditAction::ManagedAdopt,
        AuditAction::HostRemove,
    ];

    /// The name as stored (`auth.login`).
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Register => "auth.register",
            AuditAction::Login => "auth.login",
            AuditAction::LoginFailed => "auth.login_failed",
            AuditAction::Refused => "auth.refused",
            AuditAction::Logout => "auth.logout",
            AuditAction::PasswordChange => "auth.password_change",
            AuditAction::TokenCreate => "token.create",
            AuditAction::TokenList => "token.list",
            AuditAction::TokenDelete => "token.delete",
            AuditAction::UserCreate => "user.create",
            AuditAction::UserUpdate => "user.update",
            AuditAction::UserDelete => "user.delete",
            AuditAction::SettingsUpdate => "settings.update",
            AuditAction::ProcessSignal => "process.signal",
            AuditAction::ProcessTerminate => "process.terminate",
            AuditAction::ProcessPriority => "process.priority",
            AuditAction::ProcessRevealCmdline => "process.reveal_cmdline",
            AuditAction::WindowClose => "window.close",
            AuditAction::WindowCloseAll => "window.close_all",
            AuditAction::WindowActivate => "window.activate",
            AuditAction::WindowMinimize => "window.minimize",
            AuditAction::AppLaunch => "app.launch",
            AuditAction::AppStop => "app.stop",
            AuditAction::SessionSave => "session.save",
            AuditAction::SessionRename => "session.rename",
            AuditAction::SessionDelete => "session.delete",
            AuditAction::SessionRestore => "session.restore",
            AuditAction::ManagedCreate => "managed.create",
            AuditAction::ManagedUpdate => "managed.update",
            AuditAction::ManagedDelete => "managed.delete",
            AuditAction::ManagedStart => "managed.start",
            AuditAction::ManagedStop => "managed.stop",
            AuditAction::ManagedRestart => "managed.restart",
            AuditAction::ManagedGiveUp => "managed.give_up",
            AuditAction::ManagedAdopt => "managed.adopt",
            AuditAction::HostRemove => "host.remove",
        }
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::AuditAction;

    #[test]
    fn names_are_what_serde_writes_and_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for action in AuditAction::ALL {
            let json = serde_json::to_value(action).unwrap();
            assert_eq!(json, action.as_str());
            assert!(seen.insert(action.as_str()), "{action} listed twice");
            let back: AuditAction = serde_json::from_value(json).unwrap();
            assert_eq!(back, action);
        }
    }
}
