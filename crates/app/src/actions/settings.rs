//! Server-wide settings that admins change at run time, kept in the `settings` table.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{AuditAction, Outcome, audit};
use crate::auth::{Caller, Permission};
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::state::AppState;

const ACTION: AuditAction = AuditAction::SettingsUpdate;
const REGISTRATION_OPEN: &str = "registration_open";
const PROTECTED_PROCESSES: &str = "protected_processes";
const PROTECTED_WINDOWS: &str = "protected_windows";

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Settings {
    /// Whether anyone may create an account (the first account can always be created).
    pub registration_open: bool,
    /// Process names, or program names or paths, that Boss never signals or ends.
    pub protected_processes: Vec<String>,
    /// Applications whose windows Boss never closes, minimizes or activates: a window class
    /// (`XTerm`), instance (`xterm`), or the name or path of the window's program.
    pub protected_windows: Vec<String>,
}

/// A partial update: absent fields stay as they are; lists are replaced whole.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    pub registration_open: Option<bool>,
    pub protected_processes: Option<Vec<String>>,
    pub protected_windows: Option<Vec<String>>,
}

async fn list_setting(state: &AppState, key: &str) -> Result<Vec<String>> {
    Ok(state
        .store
        .setting(key)
        .await?
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default())
}

pub async fn load(state: &AppState) -> Result<Settings> {
    let registration_open = state
        .store
        .setting(REGISTRATION_OPEN)
        .await?
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    Ok(Settings {
        registration_open,
        protected_processes: list_setting(state, PROTECTED_PROCESSES).await?,
        protected_windows: list_setting(state, PROTECTED_WINDOWS).await?,
    })
}

pub async fn update(state: &AppState, caller: &Caller, patch: SettingsPatch) -> Result<Settings> {
    super::require(state, caller, Permission::ManageSettings, ACTION, None).await?;
    let now = now_ms();
    let lists = [
        (PROTECTED_PROCESSES, patch.protected_processes),
        (PROTECTED_WINDOWS, patch.protected_windows),
    ];
    for (_, names) in &lists {
        if let Some(names) = names {
            validate_names(names)?;
        }
    }
    if let Some(open) = patch.registration_open {
        state
            .store
            .set_setting(REGISTRATION_OPEN, &json!(open), now)
            .await?;
    }
    for (key, names) in lists {
        if let Some(names) = names {
            let mut names: Vec<String> = names.into_iter().map(|n| n.trim().to_string()).collect();
            names.sort();
            names.dedup();
            state.store.set_setting(key, &json!(names), now).await?;
        }
    }
    let settings = load(state).await?;
    state.apply(&settings);
    let mut entry = super::by(caller, ACTION, None, Outcome::Success);
    entry.detail = Some(json!({ "settings": settings }));
    audit(state, entry).await;
    Ok(settings)
}

fn validate_names(names: &[String]) -> Result<()> {
    if names.len() > 200 {
        return Err(Error::Invalid("at most 200 protected names".into()));
    }
    if let Some(bad) = names.iter().find(|n| n.trim().is_empty() || n.len() > 4096) {
        return Err(Error::Invalid(format!(
            "'{bad}' is not a usable name or path"
        )));
    }
    Ok(())
}
