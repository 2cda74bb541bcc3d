//! Server-wide settings that admins change at run time, kept in the `settings` table.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{Outcome, audit};
use crate::auth::{Caller, Permission};
use crate::clock::now_ms;
use crate::error::Result;
use crate::state::AppState;

const ACTION: &str = "settings.update";
const REGISTRATION_OPEN: &str = "registration_open";

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Settings {
    /// Whether anyone may create an account (the first account can always be created).
    pub registration_open: bool,
}

/// A partial update: absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    pub registration_open: Option<bool>,
}

pub async fn load(state: &AppState) -> Result<Settings> {
    let registration_open = state
        .store
        .setting(REGISTRATION_OPEN)
        .await?
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    Ok(Settings { registration_open })
}

pub async fn update(state: &AppState, caller: &Caller, patch: SettingsPatch) -> Result<Settings> {
    super::require(state, caller, Permission::ManageSettings, ACTION, None).await?;
    let now = now_ms();
    if let Some(open) = patch.registration_open {
        state
            .store
            .set_setting(REGISTRATION_OPEN, &json!(open), now)
            .await?;
    }
    let settings = load(state).await?;
    let mut entry = super::by(caller, ACTION, None, Outcome::Success);
    entry.detail = Some(json!({ "settings": settings }));
    audit(state, entry).await;
    Ok(settings)
}
