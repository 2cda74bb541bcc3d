//! Server-wide settings that admins change at run time, kept in the `settings` table: what
//! they are and how they are read. Changing them is an action (`actions::settings`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::store::{Store, StoreResult};

pub(crate) const REGISTRATION_OPEN: &str = "registration_open";
pub(crate) const PROTECTED_PROCESSES: &str = "protected_processes";
pub(crate) const PROTECTED_WINDOWS: &str = "protected_windows";
pub(crate) const RESTORE_SESSION_ON_START: &str = "restore_session_on_start";
pub(crate) const METRICS_SCRAPERS: &str = "metrics_scrapers";
pub(crate) const METRICS_PROCESS_EXPORTER_NAMES: &str = "metrics_process_exporter_names";
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
    /// The session (saved desk) Boss restores when it starts, if any.
    #[serde(default)]
    pub restore_session_on_start: Option<i64>,
    /// Addresses (`192.0.2.7`) or networks (`10.0.0.0/8`) that may read `GET /metrics`
    /// without an API token: a Prometheus server that cannot send one. Empty: a token is needed.
    #[serde(default)]
    pub metrics_scrapers: Vec<String>,
    /// Whether `GET /metrics` names the application groups as process-exporter does
    /// (`namedprocess_namegroup_*` with `groupname`), for its Grafana dashboards.
    #[serde(default)]
    pub metrics_process_exporter_names: bool,
    /// In a fleet: the hosts on which a role may see and act on the machine, by role
    /// (`{"operator": ["lab-1", "lab-2"]}`). A role not named may use every host; admins
    /// cannot be limited.
    #[serde(default)]
    pub role_hosts: BTreeMap<String, Vec<String>>,
}

/// An address or a network in CIDR notation; an address is a network of one.
pub fn parse_network(text: &str) -> Option<ipnet::IpNet> {
    let text = text.trim();
    text.parse::<ipnet::IpNet>().ok().or_else(|| {
        text.parse::<std::net::IpAddr>()
            .ok()
            .map(ipnet::IpNet::from)
    })
}

/// A partial update: absent fields stay as they are; lists are replaced whole.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    pub registration_open: Option<bool>,
    pub protected_processes: Option<Vec<String>>,
    pub protected_windows: Option<Vec<String>>,
    pub metrics_scrapers: Option<Vec<String>>,
    pub metrics_process_exporter_names: Option<bool>,
    /// A session id, or `null` to restore none at start-up.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub restore_session_on_start: Option<Option<i64>>,
    /// Replaces the whole map.
    pub role_hosts: Option<BTreeMap<String, Vec<String>>>,
}

/// Tells a field given as `null` (`Some(None)`: clear it) from one left out (`None`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
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
        restore_session_on_start: store
            .setting(RESTORE_SESSION_ON_START)
            .await?
            .and_then(|v| v.as_i64()),
        metrics_scrapers: list_setting(store, METRICS_SCRAPERS).await?,
        metrics_process_exporter_names: store
            .setting(METRICS_PROCESS_EXPORTER_NAMES)
            .await?
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
        role_hosts: store
            .setting(ROLE_HOSTS)
            .await?
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default(),
    })
}
