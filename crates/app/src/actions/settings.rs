//! Changing the server-wide settings (admins): validated, stored, applied to the running parts
//! and audited.

use serde_json::json;

use super::{AuditAction, Outcome};
use crate::auth::{Caller, Permission};
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::state::AppState;

use crate::settings::{
    METRICS_PROCESS_EXPORTER_NAMES, METRICS_SCRAPERS, PROTECTED_PROCESSES, PROTECTED_WINDOWS,
    REGISTRATION_OPEN, RESTORE_SESSION_ON_START, ROLE_HOSTS, Settings, SettingsPatch, load,
    parse_network,
};

const ACTION: AuditAction = AuditAction::SettingsUpdate;

pub async fn update(state: &AppState, caller: &Caller, patch: SettingsPatch) -> Result<Settings> {
    super::require(state, caller, Permission::ManageSettings, ACTION, None).await?;
    let now = now_ms();
    if let Some(scrapers) = &patch.metrics_scrapers {
        validate_networks(scrapers)?;
    }
    let lists = [
        (PROTECTED_PROCESSES, patch.protected_processes),
        (PROTECTED_WINDOWS, patch.protected_windows),
    ];
    for (_, names) in &lists {
        if let Some(names) = names {
            validate_names(names)?;
        }
    }
    if let Some(role_hosts) = &patch.role_hosts {
        validate_role_hosts(role_hosts)?;
    }
    if let Some(Some(id)) = patch.restore_session_on_start
        && state.store.desk_session(id).await?.is_none()
    {
        return Err(Error::Invalid(format!(
            "'restore_session_on_start': there is no session {id}"
        )));
    }
    // Every value is valid: store each one given, as (key, value).
    let mut changes = Vec::new();
    if let Some(session) = patch.restore_session_on_start {
        changes.push((RESTORE_SESSION_ON_START, json!(session)));
    }
    if let Some(open) = patch.registration_open {
        changes.push((REGISTRATION_OPEN, json!(open)));
    }
    if let Some(names) = patch.metrics_process_exporter_names {
        changes.push((METRICS_PROCESS_EXPORTER_NAMES, json!(names)));
    }
    if let Some(scrapers) = patch.metrics_scrapers {
        // Stored as written (trimmed), so that the Settings page shows what the admin typed.
        changes.push((METRICS_SCRAPERS, json!(tidy(&scrapers))));
    }
    for (key, names) in lists {
        if let Some(names) = names {
            changes.push((key, json!(tidy(&names))));
        }
    }
    if let Some(role_hosts) = patch.role_hosts {
        let role_hosts: std::collections::BTreeMap<String, Vec<String>> = role_hosts
            .into_iter()
            .map(|(role, hosts)| (role, tidy(&hosts)))
            .collect();
        changes.push((ROLE_HOSTS, json!(role_hosts)));
    }
    for (key, value) in changes {
        state.store.set_setting(key, &value, now).await?;
    }
    let settings = load(state.store.as_ref()).await?;
    state.apply(&settings);
    super::by(caller, ACTION, None, Outcome::Success)
        .with_detail(json!({ "settings": settings }))
        .write(state)
        .await;
    Ok(settings)
}

/// A list as stored: each entry trimmed, sorted, without repeats.
fn tidy(list: &[String]) -> Vec<String> {
    let mut list: Vec<String> = list.iter().map(|item| item.trim().to_string()).collect();
    list.sort();
    list.dedup();
    list
}

/// Roles that exist and are not admin (an admin limited to some hosts could lock every admin
/// out of the others), each with a list of plausible host names.
fn validate_role_hosts(map: &std::collections::BTreeMap<String, Vec<String>>) -> Result<()> {
    for (role, hosts) in map {
        match role.parse::<crate::auth::Role>() {
            Ok(crate::auth::Role::Admin) => {
                return Err(Error::Invalid(
                    "the admin role cannot be limited to some hosts".into(),
                ));
            }
            Ok(_) => {}
            Err(_) => {
                return Err(Error::Invalid(format!(
                    "'{role}' is not a role (viewer or operator)"
                )));
            }
        }
        if hosts.len() > 1000 {
            return Err(Error::Invalid("at most 1000 hosts per role".into()));
        }
        if let Some(bad) = hosts.iter().find(|h| h.trim().is_empty() || h.len() > 255) {
            return Err(Error::Invalid(format!("'{bad}' is not a host name")));
        }
    }
    Ok(())
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

fn validate_networks(entries: &[String]) -> Result<()> {
    if entries.len() > 200 {
        return Err(Error::Invalid("at most 200 scraper addresses".into()));
    }
    if let Some(bad) = entries.iter().find(|e| parse_network(e).is_none()) {
        return Err(Error::Invalid(format!(
            "'{}' is not an IP address or a network such as 10.0.0.0/8",
            bad.chars().take(100).collect::<String>()
        )));
    }
    Ok(())
}
