//! Processes as Boss presents them: the table row of the API and the rules that protect
//! processes from being signalled.

use std::collections::HashSet;

use platform::{ProcessInfo, ProcessSnapshot};
use serde::Serialize;
use utoipa::ToSchema;

use crate::clock::to_rfc3339;

/// A row of the process table.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ProcessRow {
    pub pid: u32,
    pub ppid: u32,
    pub name: String,
    pub user: String,
    /// running, sleeping, disk_sleep, stopped, tracing_stop, zombie, dead, idle, unknown.
    pub state: String,
    /// RFC 3339. With the PID it identifies the process: actions may pass it back to make
    /// sure the PID was not reused meanwhile.
    pub started_at: String,
    /// Share of one core (100 = one core busy) over the last interval.
    pub cpu_percent: f32,
    /// Resident memory.
    pub memory_bytes: u64,
    pub threads: u32,
    pub cmdline: String,
    pub kernel_thread: bool,
    /// Why Boss refuses to act on this process, when it does.
    pub protected: Option<String>,
}

impl ProcessRow {
    pub fn new(p: &ProcessInfo, protection: &Protection, ancestors: &HashSet<u32>) -> Self {
        Self {
            pid: p.pid,
            ppid: p.ppid,
            name: p.name.to_string(),
            user: p.user.to_string(),
            state: p.state.as_str().to_string(),
            started_at: to_rfc3339(p.started_at),
            cpu_percent: (p.cpu_percent * 10.0).round() / 10.0,
            memory_bytes: p.memory_bytes,
            threads: p.threads,
            cmdline: p.cmdline.to_string(),
            kernel_thread: p.kernel_thread,
            protected: protection.reason(p, ancestors),
        }
    }
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
