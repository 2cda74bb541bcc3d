//! Processes as Boss presents them: the table row of the API (with credentials in command
//! lines hidden) and the rules that protect processes from being signalled.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use platform::{ProcessInfo, ProcessSnapshot};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::to_rfc3339;

/// A row of the process table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProcessRow {
    pub pid: u32,
    pub ppid: u32,
    pub name: String,
    pub user: String,
    #[schema(schema_with = process_state_schema)]
    pub state: platform::ProcessState,
    /// RFC 3339. With the PID it identifies the process: actions may pass it back to make
    /// sure the PID was not reused meanwhile.
    pub started_at: String,
    /// Share of one core (100 = one core busy) over the last interval.
    pub cpu_percent: f32,
    /// Resident memory.
    pub memory_bytes: u64,
    pub threads: u32,
    /// The command line with credentials replaced by `***` (for every role; see `redact`).
    pub cmdline: String,
    /// True when `cmdline` hides something; admins may reveal the full line
    /// (`POST /api/v1/processes/{pid}/reveal`).
    pub redacted: bool,
    pub kernel_thread: bool,
    /// Why Boss refuses to act on this process, when it does.
    pub protected: Option<String>,
}

impl ProcessRow {
    /// The row for `p`; `redacted_cmdline` is its command line with credentials hidden, or
    /// `None` when it holds none (see [`RedactionCache`]). Protection looks at the real line.
    pub fn new(
        p: &ProcessInfo,
        protection: &Protection,
        ancestors: &HashSet<u32>,
        redacted_cmdline: Option<&str>,
    ) -> Self {
        Self {
            pid: p.pid,
            ppid: p.ppid,
            name: p.name.to_string(),
            user: p.user.to_string(),
            state: p.state,
            started_at: to_rfc3339(p.started_at),
            cpu_percent: (p.cpu_percent * 10.0).round() / 10.0,
            memory_bytes: p.memory_bytes,
            threads: p.threads,
            cmdline: redacted_cmdline.unwrap_or(&p.cmdline).to_string(),
            redacted: redacted_cmdline.is_some(),
            kernel_thread: p.kernel_thread,
            protected: protection.reason(p, ancestors),
        }
    }
}

/// Redacted command lines by process, so that a command line is redacted once per `exec`
/// rather than on every scan: the platform re-reads a process's command line (a new
/// `Arc<str>`) only when it changes, so the same `Arc` means the same line.
#[derive(Default)]
pub struct RedactionCache {
    entries: HashMap<u32, CachedRedaction>,
}

struct CachedRedaction {
    start_ticks: u64,
    source: Arc<str>,
    /// `None` when the line holds nothing to hide.
    redacted: Option<Arc<str>>,
}

impl RedactionCache {
    /// `p`'s command line with credentials hidden, or `None` when it holds none.
    pub fn redacted(&mut self, p: &ProcessInfo) -> Option<Arc<str>> {
        if let Some(entry) = self.entries.get(&p.pid)
            && entry.start_ticks == p.start_ticks
            && Arc::ptr_eq(&entry.source, &p.cmdline)
        {
            return entry.redacted.clone();
        }
        let redacted = crate::redact::redact_cmdline(&p.cmdline).map(Arc::from);
        self.entries.insert(
            p.pid,
            CachedRedaction {
                start_ticks: p.start_ticks,
                source: p.cmdline.clone(),
                redacted: redacted.clone(),
            },
        );
        redacted
    }

    /// Forgets processes that are not in `snapshot` (after [`RedactionCache::redacted`] was
    /// asked about each of its processes).
    pub fn prune(&mut self, snapshot: &ProcessSnapshot) {
        // Every process of the snapshot has an entry now, so more entries means some are gone.
        if self.entries.len() <= snapshot.processes.len() {
            return;
        }
        self.entries.retain(|pid, entry| {
            snapshot
                .processes
                .binary_search_by_key(pid, |p| p.pid)
                .is_ok_and(|i| snapshot.processes[i].start_ticks == entry.start_ticks)
        });
    }
}

/// The OpenAPI schema of a process state: the platform crate (which knows no OpenAPI) names
/// the states, this lists them as an enum.
fn process_state_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(
            "What the process is doing: `disk_sleep` is uninterruptible (usually I/O).",
        ))
        .enum_values(Some(platform::ProcessState::ALL.iter().map(|s| s.as_str())))
        .build()
}

/// Which processes Boss never signals, renices or ends.
#[derive(Debug, Clone, Default)]
pub struct Protection {
    /// Names, or executable names or paths, that the user protects in Settings.
    pub names: Vec<String>,
}

impl Protection {
    pub fn new(names: Vec<String>) -> Self {
        Self { names }
    }

    /// Boss's own PID and its ancestors in this snapshot: ending any of them ends Boss.
    pub fn boss_lineage(snapshot: &ProcessSnapshot) -> HashSet<u32> {
        let mut lineage = HashSet::new();
        let mut pid = std::process::id();
        while pid > 1 && lineage.insert(pid) {
            match snapshot.processes.binary_search_by_key(&pid, |p| p.pid) {
                Ok(i) => pid = snapshot.processes[i].ppid,
                Err(_) => break,
            }
        }
        lineage
    }

    /// The reason `p` is protected, if it is. `lineage` is [`Protection::boss_lineage`].
    pub fn reason(&self, p: &ProcessInfo, lineage: &HashSet<u32>) -> Option<String> {
        if p.pid == 1 {
            return Some("PID 1 (init) keeps the system running".into());
        }
        if p.kernel_thread {
            return Some("kernel threads cannot be acted on".into());
        }
        if p.pid == std::process::id() {
            return Some("this is Boss itself".into());
        }
        if lineage.contains(&p.pid) {
            return Some("Boss runs under this process; ending it would end Boss".into());
        }
        let program = p.cmdline.split(' ').next().unwrap_or("");
        let program_name = program.rsplit('/').next().unwrap_or(program);
        self.names
            .iter()
            .find(|name| {
                name.as_str() == &*p.name
                    || name.as_str() == program
                    || name.as_str() == program_name
            })
            .map(|name| format!("'{name}' is in the protected list (Settings)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_line_is_redacted_once_per_exec_and_forgotten_when_its_process_ends() {
        let snapshot = platform::process_source()
            .and_then(|mut source| source.refresh())
            .expect("this test needs a process listing");
        let mut cache = RedactionCache::default();
        for p in &snapshot.processes {
            cache.redacted(p);
        }
        let mut holder = snapshot.processes[0].clone();
        holder.pid = 4_000_000_000;
        holder.cmdline = Arc::from("app --token abc");
        let first = cache.redacted(&holder).expect("a secret to hide");
        assert_eq!(&*first, "app --token ***");
        let again = cache.redacted(&holder).unwrap();
        assert!(
            Arc::ptr_eq(&first, &again),
            "the same line is not redacted twice"
        );

        // After exec the platform hands a new line.
        holder.cmdline = Arc::from("app --verbose");
        assert_eq!(cache.redacted(&holder), None);
        holder.cmdline = Arc::from("app --password=x");
        assert_eq!(
            cache.redacted(&holder).as_deref(),
            Some("app --password=***")
        );

        cache.prune(&snapshot);
        assert_eq!(cache.entries.len(), snapshot.processes.len());
        assert!(!cache.entries.contains_key(&holder.pid));
    }
}
