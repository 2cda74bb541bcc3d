//! The fleet: many machines in one Boss, through a shared PostgreSQL database (issue 16).
//!
//! Every Boss on a PostgreSQL database registers itself in the `hosts` table and beats a heart
//! there every [`HEARTBEAT`]; it is online while its last beat is younger than [`FRESH`]. A
//! request for another host is the HTTP request itself, written to the `commands` table and
//! signalled with `NOTIFY` (see [`relay`]): the target claims it and runs it through its *own*
//! router as the original actor, so its own permission checks, protections, validation and
//! audit apply unchanged. Every host only dials out to the database; no host listens for
//! another.
//!
//! On SQLite Boss is one host: the host endpoints list just this one, and
//! `/api/v1/hosts/{this host}/...` runs here.

pub mod relay;

use std::path::Path;
use std::sync::{Arc, OnceLock, PoisonError};
use std::time::Duration;

use axum::Router;
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;

/// How often a host says it is alive.
pub const HEARTBEAT: Duration = Duration::from_secs(5);
/// A host whose last heartbeat is older than this is offline.
pub const FRESH: Duration = Duration::from_secs(15);

/// Who this Boss is among the hosts: a stable id kept in the data directory, and a name.
#[derive(Debug, Clone)]
pub struct HostIdentity {
    pub id: String,
    pub name: String,
}

impl HostIdentity {
    /// The id in `data_dir` (made on first start, so that a restart is the same host), and
    /// `name`, else the machine's name.
    pub fn load(data_dir: &Path, name: Option<&str>) -> std::io::Result<HostIdentity> {
        let file = data_dir.join(crate::server::data_dir::HOST_ID);
        let id = match std::fs::read_to_string(&file) {
            Ok(text) if !text.trim().is_empty() => text.trim().to_string(),
            _ => {
                let id = random_id();
                platform::write_private_file(&file, id.as_bytes())?;
                id
            }
        };
        Ok(HostIdentity {
            id,
            name: host_name(name),
        })
    }
}

impl HostIdentity {
    /// Whether `host`, a name or an id as requests give one, is this host.
    pub fn is(&self, host: &str) -> bool {
        host == self.name || host == self.id
    }

    /// An id for this run only (the data directory could not keep one).
    pub fn ephemeral(name: Option<&str>) -> HostIdentity {
        HostIdentity {
            id: random_id(),
            name: host_name(name),
        }
    }
}

fn host_name(name: Option<&str>) -> String {
    name.map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .or_else(platform::hostname)
        .unwrap_or_else(|| "this-host".to_string())
}

/// 128 random bits in hex: short enough for a `NOTIFY` channel name.
fn random_id() -> String {
    crate::auth::secret::random_hex()[..32].to_string()
}

/// This host's place in the fleet: who it is, the database connection when there is a fleet,
/// and its own router (through which relayed requests run).
pub struct Fleet {
    pub me: HostIdentity,
    db: OnceLock<Arc<relay::FleetDb>>,
    router: OnceLock<Router>,
    /// The hosts each limited role may use (the `role_hosts` setting).
    role_hosts: std::sync::RwLock<std::collections::BTreeMap<String, Vec<String>>>,
}

impl Fleet {
    pub fn new(me: HostIdentity) -> Fleet {
        Fleet {
            me,
            db: OnceLock::new(),
            router: OnceLock::new(),
            role_hosts: Default::default(),
        }
    }

    pub fn set_role_hosts(&self, map: std::collections::BTreeMap<String, Vec<String>>) {
        *self
            .role_hosts
            .write()
            .unwrap_or_else(PoisonError::into_inner) = map;
    }

    /// Whether `role` may use this host's machine (see the `role_hosts` setting).
    pub fn admits(&self, role: crate::auth::Role) -> bool {
        match self
            .role_hosts
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(role.as_str())
        {
            Some(hosts) => hosts.iter().any(|h| self.me.is(h)),
            None => true,
        }
    }

    /// The fleet database, when Boss runs on PostgreSQL.
    pub fn db(&self) -> Option<&Arc<relay::FleetDb>> {
        self.db.get()
    }

    /// The 404 for `host`, which is not among the hosts; on SQLite, saying that this one is
    /// the only host.
    pub fn unknown_host(&self, host: &str) -> crate::error::Error {
        crate::error::Error::NotFound(match self.db() {
            Some(_) => format!("there is no host '{host}'"),
            None => format!(
                "there is no host '{host}': this Boss uses SQLite and is the only host ('{}')",
                self.me.name
            ),
        })
    }

    /// This host's complete router (built on first use: it holds the state that holds it).
    pub fn router(&self, state: &AppState) -> Router {
        self.router
            .get_or_init(|| crate::http::app(state.clone()))
            .clone()
    }

    /// Joins the fleet on `database_url` (PostgreSQL only): registers this host and starts the
    /// heartbeat and the command runner.
    pub async fn join(state: &AppState, database_url: &str) -> anyhow::Result<()> {
        let db = relay::FleetDb::connect(database_url, state.fleet.me.clone()).await?;
        let capabilities = capabilities(state).await;
        let summary = summary(state).await;
        db.register(&os_name(state).await, &capabilities, summary.as_ref())
            .await?;
        let db = Arc::new(db);
        let _ = state.fleet.db.set(db.clone());
        tokio::spawn(relay::heartbeat(db.clone(), state.clone()));
        tokio::spawn(relay::run_commands(db, state.clone()));
        tracing::info!(
            host = %state.fleet.me.name,
            id = %state.fleet.me.id,
            "joined the fleet"
        );
        Ok(())
    }

    /// Marks this host offline at once (a clean stop), so that others fail fast.
    pub async fn leave(&self) {
        if let Some(db) = self.db() {
            db.leave().await;
        }
    }
}

/// What a host reports of itself every heartbeat.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct HostSummary {
    /// All cores together, 0 to 100.
    pub cpu_percent: f32,
    /// Bytes in use (total minus available).
    pub memory_used: u64,
    pub memory_total: u64,
    pub processes: u32,
    /// Windows on its desktop (0 without one).
    pub windows: usize,
}

/// The summary of this machine now (`None` when the process table cannot be read).
pub async fn summary(state: &AppState) -> Option<HostSummary> {
    let sample = state
        .processes
        .fresh(HEARTBEAT)
        .await
        .map_err(|err| tracing::debug!("no summary for the heartbeat: {err}"))
        .ok()?;
    let system = &sample.snapshot.system;
    let windows = state.windows.list().await;
    Some(HostSummary {
        cpu_percent: system.cpu_percent,
        memory_used: system
            .memory_total_bytes
            .saturating_sub(system.memory_available_bytes),
        memory_total: system.memory_total_bytes,
        processes: system.process_count,
        windows: windows.list.windows.len(),
    })
}

/// What this host can do: its window backend (name, label, capabilities).
pub async fn capabilities(state: &AppState) -> serde_json::Value {
    let windows = state.windows.list().await;
    serde_json::json!({
        "windows": {
            "backend": windows.list.backend,
            "label": windows.list.label,
            "available": windows.list.available,
            "capabilities": windows.list.capabilities,
        }
    })
}

async fn os_name(state: &AppState) -> String {
    match state.processes.fresh(HEARTBEAT).await {
        Ok(sample) => sample.snapshot.system.os.clone(),
        Err(_) => std::env::consts::OS.to_string(),
    }
}

tokio::task_local! {
    /// The host a relayed request came through, while this host runs it (read by the audit).
    static RELAYED_FROM: String;
}

/// The host whose request is being run, when the current request was relayed.
pub fn relayed_from() -> Option<String> {
    RELAYED_FROM.try_with(String::clone).ok()
}

/// What the audit adds to its detail: which host wrote the row (in a fleet) and the host a
/// relayed request came through.
pub fn audit_detail(
    state: &AppState,
    detail: Option<serde_json::Value>,
) -> Option<serde_json::Value> {
    let via = relayed_from();
    let host = state.fleet.db().map(|_| state.fleet.me.name.clone());
    if via.is_none() && host.is_none() {
        return detail;
    }
    let mut detail = match detail {
        Some(serde_json::Value::Object(map)) => map,
        Some(other) => {
            let mut map = serde_json::Map::new();
            map.insert("value".into(), other);
            map
        }
        None => serde_json::Map::new(),
    };
    if let Some(host) = host {
        detail.insert("host".into(), host.into());
    }
    if let Some(via) = via {
        detail.insert("via".into(), via.into());
    }
    Some(serde_json::Value::Object(detail))
}
