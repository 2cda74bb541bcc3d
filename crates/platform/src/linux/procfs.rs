//! The process table from `/proc`: one `stat` read per process and refresh; what cannot
//! change for a given (PID, start time) (owner, command line) is read once and cached.

use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::sync::Arc;
use std::time::Instant;

use crate::error::{Error, Result};
use crate::model::{ProcessInfo, ProcessSnapshot, ProcessState};

use super::system::{SystemSampler, boot_time_ms};
use super::users::UserNames;

/// Fields of `/proc/<pid>/stat` that the table needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stat {
    pub pid: u32,
    pub comm: String,
    pub state: char,
    pub ppid: u32,
    pub pgrp: u32,
    pub session: u32,
    pub tty_nr: i32,
    pub flags: u32,
    pub utime: u64,
    pub stime: u64,
    pub priority: i32,
    pub nice: i32,
    pub num_threads: u32,
    pub starttime: u64,
    pub vsize: u64,
    pub rss_pages: u64,
}

/// The kernel marks its own threads with this flag (`PF_KTHREAD`).
const PF_KTHREAD: u32 = 0x0020_0000;

/// Parses the text of `/proc/<pid>/stat`. The command name sits in parentheses and may itself
/// contain spaces and parentheses, so fields are counted from the last `)`.
pub fn parse_stat(text: &str) -> Option<Stat> {
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let pid = text[..open].trim().parse().ok()?;
    let comm = text.get(open + 1..close)?.to_string();
    let mut fields = text.get(close + 1..)?.split_ascii_whitespace();
    let mut next = || fields.next();
    let state = next()?.chars().next()?;
    let ppid = next()?.parse().ok()?;
    let pgrp = next()?.parse().ok()?;
    let session = next()?.parse().ok()?;
    let tty_nr = next()?.parse().ok()?;
    let _tpgid = next()?;
    let flags = next()?.parse().ok()?;
    for _ in 0..4 {
        next()?; // minflt cminflt majflt cmajflt
    }
    let utime = next()?.parse().ok()?;
    let stime = next()?.parse().ok()?;
    next()?; // cutime
    next()?; // cstime
    let priority = next()?.parse().ok()?;
    let nice = next()?.parse().ok()?;
    let num_threads = next()?.parse().ok()?;
    next()?; // itrealvalue
    let starttime = next()?.parse().ok()?;
    let vsize = next()?.parse().ok()?;
    let rss_pages: i64 = next()?.parse().ok()?;
    Some(Stat {
        pid,
        comm,
        state,
        ppid,
        pgrp,
        session,
        tty_nr,
        flags,
        utime,
        stime,
        priority,
        nice,
        num_threads,
        starttime,
        vsize,
        rss_pages: rss_pages.max(0) as u64,
    })
}

pub fn state_from_char(c: char) -> ProcessState {
    match c {
        'R' => ProcessState::Running,
        'S' => ProcessState::Sleeping,
        'D' => ProcessState::DiskSleep,
        'T' => ProcessState::Stopped,
        't' => ProcessState::TracingStop,
        'Z' => ProcessState::Zombie,
        'X' | 'x' => ProcessState::Dead,
        'I' => ProcessState::Idle,
        _ => ProcessState::Unknown,
    }
}

/// Reads `/proc/<pid>/stat`.
pub fn read_stat(pid: u32) -> Result<Stat> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).map_err(|e| not_found_or(e, pid))?;
    parse_stat(&text).ok_or_else(|| Error::Io {
        context: format!("cannot parse /proc/{pid}/stat"),
        source: std::io::Error::from(std::io::ErrorKind::InvalidData),
    })
}

pub(super) fn not_found_or(err: std::io::Error, pid: u32) -> Error {
    match err.kind() {
        std::io::ErrorKind::NotFound => Error::NotFound(format!("process {pid}")),
        std::io::ErrorKind::PermissionDenied => {
            Error::PermissionDenied(format!("the system does not let Boss read process {pid}"))
        }
        _ => Error::Io {
            context: format!("reading process {pid}"),
            source: err,
        },
    }
}

/// The argument vector from `/proc/<pid>/cmdline` (NUL-separated).
pub fn parse_cmdline(bytes: &[u8]) -> Vec<String> {
    bytes
        .split(|&b| b == 0)
        .filter(|part| !part.is_empty())
        .map(|part| String::from_utf8_lossy(part).into_owned())
        .collect()
}

/// What is cached per (PID, start time).
struct Known {
    start_ticks: u64,
    /// The name when the command line was read; a different name means the process has
    /// exec'd another program (same PID and start time), so the command line is read again.
    comm: Arc<str>,
    uid: u32,
    user: Arc<str>,
    cmdline: Arc<str>,
    /// utime + stime at the previous refresh.
    cpu_ticks: u64,
}

/// A stateful reader: CPU percentages are the change since the previous refresh.
pub struct ProcReader {
    known: HashMap<u32, Known>,
    users: UserNames,
    system: SystemSampler,
    ticks_per_sec: f64,
    page_size: u64,
    boot_ms: i64,
    last_refresh: Option<Instant>,
    buffer: Vec<u8>,
}

impl ProcReader {
    pub fn new() -> Result<Self> {
        Ok(Self {
            known: HashMap::new(),
            users: UserNames::default(),
            system: SystemSampler::default(),
            ticks_per_sec: rustix::param::clock_ticks_per_second() as f64,
            page_size: rustix::param::page_size() as u64,
            boot_ms: boot_time_ms()?,
            last_refresh: None,
            buffer: Vec::with_capacity(1024),
        })
    }

    /// Reads every process (threads excluded: `/proc` lists only thread-group leaders).
    pub fn refresh(&mut self) -> Result<ProcessSnapshot> {
        let now = Instant::now();
        let elapsed_ticks = self
            .last_refresh
            .map(|at| now.duration_since(at).as_secs_f64() * self.ticks_per_sec)
            .filter(|&t| t > 0.0);
        self.last_refresh = Some(now);
        self.users.reload_if_changed();

        let entries = fs::read_dir("/proc").map_err(|e| Error::Io {
            context: "cannot list /proc".into(),
            source: e,
        })?;
        let mut processes = Vec::with_capacity(self.known.len() + 16);
        let mut path = String::with_capacity(32);
        let mut seen = HashMap::with_capacity(self.known.len() + 16);
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(pid) = name.to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            path.clear();
            use std::fmt::Write;
            let _ = write!(path, "/proc/{pid}/stat");
            // A process may end between listing and reading: skip it.
            let Ok(stat) = read_into(&path, &mut self.buffer).map(parse_stat) else {
                continue;
            };
            let Some(stat) = stat else { continue };
            let info = self.row(stat, elapsed_ticks);
            seen.insert(pid, ());
            processes.push(info);
        }
        self.known.retain(|pid, _| seen.contains_key(pid));
        processes.sort_unstable_by_key(|p| p.pid);

        let threads = processes.iter().map(|p| p.threads).sum();
        let system = self.system.sample(processes.len() as u32, threads)?;
        Ok(ProcessSnapshot {
            taken_at: crate::now_ms(),
            system,
            processes,
        })
    }

    fn row(&mut self, stat: Stat, elapsed_ticks: Option<f64>) -> ProcessInfo {
        let cpu_ticks = stat.utime + stat.stime;
        let comm_changed = |k: &Known| *k.comm != *stat.comm;
        let cpu_percent;
        let known = match self.known.get_mut(&stat.pid) {
            Some(known) if known.start_ticks == stat.starttime => {
                cpu_percent = elapsed_ticks
                    .map(|t| (cpu_ticks.saturating_sub(known.cpu_ticks) as f64 / t * 100.0) as f32)
                    .unwrap_or(0.0);
                known.cpu_ticks = cpu_ticks;
                if comm_changed(known) {
                    known.comm = Arc::from(stat.comm.as_str());
                    known.cmdline = read_cmdline(stat.pid);
                }
                known
            }
            _ => {
                // New to us (or the PID was reused): over its lifetime so far, if that is
                // shorter than the interval, else unknown until the next refresh.
                let age_ticks = self.age_ticks(stat.starttime);
                cpu_percent = match elapsed_ticks {
                    Some(t) if age_ticks > 0.0 && age_ticks <= t => {
                        (cpu_ticks as f64 / age_ticks * 100.0) as f32
                    }
                    _ => 0.0,
                };
                let uid = fs::metadata(format!("/proc/{}", stat.pid))
                    .map(|m| m.uid())
                    .unwrap_or(0);
                let known = Known {
                    start_ticks: stat.starttime,
                    comm: Arc::from(stat.comm.as_str()),
                    uid,
                    user: self.users.name(uid),
                    cmdline: read_cmdline(stat.pid),
                    cpu_ticks,
                };
                self.known.insert(stat.pid, known);
                self.known.get_mut(&stat.pid).expect("just inserted")
            }
        };
        let kernel_thread = stat.flags & PF_KTHREAD != 0 || stat.pid == 2 || stat.ppid == 2;
        ProcessInfo {
            pid: stat.pid,
            ppid: stat.ppid,
            name: known.comm.clone(),
            uid: known.uid,
            user: known.user.clone(),
            state: state_from_char(stat.state),
            started_at: self.boot_ms + (stat.starttime as f64 / self.ticks_per_sec * 1000.0) as i64,
            start_ticks: stat.starttime,
            cpu_percent,
            memory_bytes: stat.rss_pages * self.page_size,
            user_time_ms: (stat.utime as f64 / self.ticks_per_sec * 1000.0) as u64,
            system_time_ms: (stat.stime as f64 / self.ticks_per_sec * 1000.0) as u64,
            threads: stat.num_threads,
            cmdline: known.cmdline.clone(),
            kernel_thread,
        }
    }

    fn age_ticks(&self, starttime: u64) -> f64 {
        let uptime_ms = crate::now_ms() - self.boot_ms;
        uptime_ms as f64 / 1000.0 * self.ticks_per_sec - starttime as f64
    }
}

fn read_into<'a>(path: &str, buffer: &'a mut Vec<u8>) -> std::io::Result<&'a str> {
    buffer.clear();
    fs::File::open(path)?.read_to_end(buffer)?;
    std::str::from_utf8(buffer).map_err(|_| std::io::ErrorKind::InvalidData.into())
}

fn read_cmdline(pid: u32) -> Arc<str> {
    let argv = fs::read(format!("/proc/{pid}/cmdline"))
        .map(|b| parse_cmdline(&b))
        .unwrap_or_default();
    Arc::from(argv.join(" ").as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stat_with_a_tricky_name() {
        let text = "4242 (my (odd) name) S 1 4242 4242 34816 4242 4194560 120 0 0 0 \
                    15 7 0 0 20 0 3 0 98765 10485760 512 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        let stat = parse_stat(text).unwrap();
        assert_eq!(stat.pid, 4242);
        assert_eq!(stat.comm, "my (odd) name");
        assert_eq!(stat.state, 'S');
        assert_eq!(stat.ppid, 1);
        assert_eq!((stat.utime, stat.stime), (15, 7));
        assert_eq!((stat.priority, stat.nice), (20, 0));
        assert_eq!(stat.num_threads, 3);
        assert_eq!(stat.starttime, 98765);
        assert_eq!(stat.vsize, 10485760);
        assert_eq!(stat.rss_pages, 512);
    }

    #[test]
    fn rejects_truncated_stat() {
        assert!(parse_stat("").is_none());
        assert!(parse_stat("12 (x) S 1 2").is_none());
        assert!(parse_stat("12 x S").is_none());
    }

    #[test]
    fn parses_cmdline() {
        assert_eq!(parse_cmdline(b"sleep\x00100\x00"), vec!["sleep", "100"]);
        assert_eq!(parse_cmdline(b""), Vec::<String>::new());
        assert_eq!(parse_cmdline(b"a b\0\xff\0"), vec!["a b", "\u{fffd}"]);
    }

    #[test]
    fn reads_this_process() {
        let mut reader = ProcReader::new().unwrap();
        let snapshot = reader.refresh().unwrap();
        let me = snapshot
            .processes
            .iter()
            .find(|p| p.pid == std::process::id())
            .unwrap();
        assert!(me.threads >= 1);
        assert!(me.memory_bytes > 0);
        assert!(!me.kernel_thread);
        assert!(!me.cmdline.is_empty());
        assert!(snapshot.system.memory_total_bytes > 0);
    }
}
