//! Server-wide settings that admins change at run time, kept in the `settings` table: what
//! they are and how they are read. Changing them is an action (`actions::settings`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::store::{Store, StoreResult};

pub(crate) const REGISTRATION_OPEN: &str = "registration_open";
pub(crate) const PROTECTED_PROCESSES: &str = "protected_processes";
pub(crate) const PROTECTED_WINDOWS: &str = "protected_windows";
pub(crate) const ROLE_HOSTS: &str = "role_hosts";

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Settings {
    /// Whether anyone may create an account (the first account can always be created).
    pub registration_open: bool,
    /// Process names, or program names or paths, that Boss never signals or ends.
    pub protected_processes: Vec<String>,
    /// Applications whose windows Boss never closes, minimizes or activates: a window class
    /// (`XTerm`), instance (`xterm`), or the name or path of the window's program.
    pub protected_windows: Vec<String>,
    /// In a fleet: the hosts on which a role may see and act on the machine, by role
    /// (`{"operator": ["lab-1", "lab-2"]}`). A role not named may use every host; admins
    /// cannot be limited.
    #[serde(default)]
    pub role_hosts: BTreeMap<String, Vec<String>>,
}

/// A partial update: absent fields stay as they are; lists are replaced whole.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    pub registration_open: Option<bool>,
    pub protected_processes: Option<Vec<String>>,
    pub protected_windows: Option<Vec<String>>,
    /// Replaces the whole map.
    pub role_hosts: Option<BTreeMap<String, Vec<String>>>,
}

async fn list_setting(store: &dyn Store, key: &str) -> StoreResult<Vec<String>> {
    Ok(store
        .setting(key)
        .await?
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default())
}

/// The settings as stored (defaults for what was never set).
pub async fn load(store: &dyn Store) -> StoreResult<Settings> {
    let registration_open = store
        .setting(REGISTRATION_OPEN)
        .await?
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    Ok(Settings {
        registration_open,
        protected_processes: list_setting(store, PROTECTED_PROCESSES).await?,
        protected_windows: list_setting(store, PROTECTED_WINDOWS).await?,
        role_hosts: store
            .setting(ROLE_HOSTS)
            .await?
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default(),
    })
}
