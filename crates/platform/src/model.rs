//! Portable records that every backend produces.

use std::sync::Arc;

use serde::Serialize;

/// A process at one moment, as listed in the process table.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProcessInfo {
    pub pid: u32,
    pub ppid: u32,
    /// The short name the kernel keeps (at most 15 bytes on Linux).
    pub name: Arc<str>,
    pub uid: u32,
    /// The owner's user name, or the numeric uid when it has none.
    pub user: Arc<str>,
    pub state: ProcessState,
    /// Start time, epoch milliseconds.
    pub started_at: i64,
    /// The start time in the OS's own unit; with the PID it identifies a process across PID
    /// reuse.
    pub start_ticks: u64,
    /// Share of one core over the last sampling interval (100 = one core busy).
    pub cpu_percent: f32,
    /// Resident memory.
    pub memory_bytes: u64,
    /// CPU time spent in user mode over the process's life, milliseconds.
    pub user_time_ms: u64,
    /// CPU time spent in the kernel on its behalf over its life, milliseconds.
    pub system_time_ms: u64,
    pub threads: u32,
    /// The command line, arguments joined by spaces; empty for kernel threads.
    pub cmdline: Arc<str>,
    pub kernel_thread: bool,
}

impl ProcessInfo {
    pub fn identity(&self) -> ProcessRef {
        ProcessRef {
            pid: self.pid,
            start_ticks: self.start_ticks,
        }
    }
}

/// A process identity that survives PID reuse: the PID and the start time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct ProcessRef {
    pub pid: u32,
    pub start_ticks: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcessState {
    Running,
    Sleeping,
    /// Uninterruptible sleep, usually disk I/O.
    DiskSleep,
    Stopped,
    TracingStop,
    Zombie,
    Dead,
    Idle,
    Unknown,
}

impl ProcessState {
    pub const ALL: [ProcessState; 9] = [
        ProcessState::Running,
        ProcessState::Sleeping,
        ProcessState::DiskSleep,
        ProcessState::Stopped,
        ProcessState::TracingStop,
        ProcessState::Zombie,
        ProcessState::Dead,
        ProcessState::Idle,
        ProcessState::Unknown,
    ];

    /// The name serde writes (`disk_sleep`).
    pub fn as_str(self) -> &'static str {
        match self {
            ProcessState::Running => "running",
            ProcessState::Sleeping => "sleeping",
            ProcessState::DiskSleep => "disk_sleep",
            ProcessState::Stopped => "stopped",
            ProcessState::TracingStop => "tracing_stop",
            ProcessState::Zombie => "zombie",
            ProcessState::Dead => "dead",
            ProcessState::Idle => "idle",
            ProcessState::Unknown => "unknown",
        }
    }
}

/// Machine-wide figures for the summary above the process table.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SystemInfo {
    pub hostname: String,
    /// e.g. "Debian GNU/Linux 12 (bookworm)".
    pub os: String,
    pub kernel: String,
    pub uptime_secs: u64,
    /// Boot time, epoch milliseconds.
    pub booted_at: i64,
    pub cpu_count: u32,
    /// All cores together over the last interval, 0 to 100.
    pub cpu_percent: f32,
    pub load_average: [f64; 3],
    pub memory_total_bytes: u64,
    pub memory_available_bytes: u64,
    pub swap_total_bytes: u64,
    pub swap_free_bytes: u64,
    pub process_count: u32,
    pub thread_count: u32,
}

/// All processes and the system summary at one moment.
#[derive(Debug, Clone, Serialize)]
pub struct ProcessSnapshot {
    /// Epoch milliseconds.
    pub taken_at: i64,
    pub system: SystemInfo,
    /// Sorted by PID.
    pub processes: Vec<ProcessInfo>,
}

/// A few facts about a process, cheap to read.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProcessBrief {
    pub pid: u32,
    pub ppid: u32,
    pub name: String,
    /// The executable's path, when readable.
    pub exe: Option<String>,
}

/// What the detail view shows beyond the table row. Fields the OS will not tell (another
/// user's process) are `None`.
#[derive(Debug, Clone, Serialize)]
pub struct ProcessDetail {
    pub info: ProcessInfo,
    pub exe: Option<String>,
    pub cwd: Option<String>,
    /// The full argument vector.
    pub argv: Vec<String>,
    pub environment: Option<Vec<(String, String)>>,
    pub nice: i32,
    pub priority: i32,
    pub session_id: u32,
    pub process_group: u32,
    pub terminal: Option<String>,
    pub virtual_memory_bytes: u64,
    pub io: Option<IoCounters>,
    /// Open files and sockets (the first [`MAX_OPEN_FILES`]); `None` when not readable.
    pub open_files: Option<Vec<OpenFile>>,
    pub open_file_count: Option<u32>,
    pub voluntary_context_switches: Option<u64>,
    pub involuntary_context_switches: Option<u64>,
}

/// The detail view lists at most this many descriptors.
pub const MAX_OPEN_FILES: usize = 500;

#[derive(Debug, Clone, Serialize)]
pub struct IoCounters {
    pub read_bytes: u64,
    pub write_bytes: u64,
    /// Bytes passed to read-like calls, cache hits included.
    pub read_chars: u64,
    pub write_chars: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct OpenFile {
    pub fd: u32,
    /// `file`, `socket`, `pipe`, `anon` or `other`.
    pub kind: String,
    /// A path, or a description such as `tcp 127.0.0.1:8350 -> 127.0.0.1:51234 (established)`.
    pub target: String,
}

/// The signals Boss sends, by their portable names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Signal {
    Term,
    Kill,
    Stop,
    Cont,
    Hup,
    Int,
    Usr1,
    Usr2,
}

impl Signal {
    pub const ALL: [Signal; 8] = [
        Signal::Term,
        Signal::Kill,
        Signal::Stop,
        Signal::Cont,
        Signal::Hup,
        Signal::Int,
        Signal::Usr1,
        Signal::Usr2,
    ];

    /// The name without `SIG`: `TERM`.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Term => "TERM",
            Signal::Kill => "KILL",
            Signal::Stop => "STOP",
            Signal::Cont => "CONT",
            Signal::Hup => "HUP",
            Signal::Int => "INT",
            Signal::Usr1 => "USR1",
            Signal::Usr2 => "USR2",
        }
    }

    /// Parses `TERM`, `SIGTERM` or `term`.
    pub fn parse(text: &str) -> Option<Signal> {
        let upper = text.trim().to_ascii_uppercase();
        let bare = upper.strip_prefix("SIG").unwrap_or(&upper);
        Signal::ALL.into_iter().find(|s| s.name() == bare)
    }
}

#[cfg(test)]
mod tests {
    use super::Signal;

    #[test]
    fn signal_names() {
        assert_eq!(Signal::parse("term"), Some(Signal::Term));
        assert_eq!(Signal::parse("SIGKILL"), Some(Signal::Kill));
        assert_eq!(Signal::parse(" usr2 "), Some(Signal::Usr2));
        assert_eq!(Signal::parse("SEGV"), None);
        assert_eq!(Signal::parse(""), None);
    }
}
