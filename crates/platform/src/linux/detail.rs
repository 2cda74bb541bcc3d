//! The detail view of one process: executable, directories, environment, I/O, open files and
//! sockets.

use std::collections::HashMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::sync::Arc;

use super::procfs::{parse_cmdline, read_stat, state_from_char};
use super::users::user_name;
use crate::error::Result;
use crate::model::{
    IoCounters, MAX_OPEN_FILES, OpenFile, ProcessBrief, ProcessDetail, ProcessInfo,
};

pub fn process_brief(pid: u32) -> Result<ProcessBrief> {
    let stat = read_stat(pid)?;
    let exe = fs::read_link(format!("/proc/{pid}/exe"))
        .ok()
        .map(|p| p.to_string_lossy().into_owned());
    Ok(ProcessBrief {
        pid,
        ppid: stat.ppid,
        name: stat.comm,
        exe,
    })
}

pub fn process_detail(pid: u32) -> Result<ProcessDetail> {
    let stat = read_stat(pid)?;
    let base = format!("/proc/{pid}");
    let status = fs::read_to_string(format!("{base}/status")).unwrap_or_default();
    let status_value = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
            .map(str::trim)
    };
    let argv = fs::read(format!("{base}/cmdline"))
        .map(|b| parse_cmdline(&b))
        .unwrap_or_default();
    let uid = fs::metadata(&base).map(|m| m.uid()).unwrap_or(0);
    let ticks = rustix::param::clock_ticks_per_second() as f64;
    let boot_ms = super::system::boot_time_ms()?;
    let info = ProcessInfo {
        pid,
        ppid: stat.ppid,
        name: Arc::from(stat.comm.as_str()),
        uid,
        user: Arc::from(user_name(uid).as_str()),
        state: state_from_char(stat.state),
        started_at: boot_ms + (stat.starttime as f64 / ticks * 1000.0) as i64,
        start_ticks: stat.starttime,
        cpu_percent: 0.0,
        memory_bytes: stat.rss_pages * rustix::param::page_size() as u64,
        user_time_ms: (stat.utime as f64 / ticks * 1000.0) as u64,
        system_time_ms: (stat.stime as f64 / ticks * 1000.0) as u64,
        threads: stat.num_threads,
        cmdline: Arc::from(argv.join(" ").as_str()),
        kernel_thread: stat.flags & 0x0020_0000 != 0,
    };
    let link = |name: &str| {
        fs::read_link(format!("{base}/{name}"))
            .ok()
            .map(|p| p.to_string_lossy().into_owned())
    };
    let (open_files, open_file_count) = match open_files(pid) {
        Some((files, count)) => (Some(files), Some(count)),
        None => (None, None),
    };
    Ok(ProcessDetail {
        exe: link("exe"),
        cwd: link("cwd"),
        argv,
        environment: fs::read(format!("{base}/environ"))
            .ok()
            .map(|b| parse_environ(&b)),
        nice: stat.nice,
        priority: stat.priority,
        session_id: stat.session,
        process_group: stat.pgrp,
        terminal: terminal_name(stat.tty_nr),
        virtual_memory_bytes: stat.vsize,
        io: fs::read_to_string(format!("{base}/io"))
            .ok()
            .and_then(|t| parse_io(&t)),
        open_files,
        open_file_count,
        voluntary_context_switches: status_value("voluntary_ctxt_switches")
            .and_then(|v| v.parse().ok()),
        involuntary_context_switches: status_value("nonvoluntary_ctxt_switches")
            .and_then(|v| v.parse().ok()),
        info,
    })
}

pub fn parse_environ(bytes: &[u8]) -> Vec<(String, String)> {
    parse_cmdline(bytes)
        .into_iter()
        .map(|entry| match entry.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (entry, String::new()),
        })
        .collect()
}

pub fn parse_io(text: &str) -> Option<IoCounters> {
    let value = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    Some(IoCounters {
        read_bytes: value("read_bytes")?,
        write_bytes: value("write_bytes")?,
        read_chars: value("rchar")?,
        write_chars: value("wchar")?,
    })
}

/// `pts/3` or `tty1` from the device number in `stat`.
fn terminal_name(tty_nr: i32) -> Option<String> {
    if tty_nr <= 0 {
        return None;
    }
    let major = (tty_nr >> 8) & 0xfff;
    let minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
    match major {
        136..=143 => Some(format!("pts/{}", minor + (major - 136) * 256)),
        4 if minor < 64 => Some(format!("tty{minor}")),
        4 => Some(format!("ttyS{}", minor - 64)),
        _ => Some(format!("{major}:{minor}")),
    }
}

fn open_files(pid: u32) -> Option<(Vec<OpenFile>, u32)> {
    let entries = fs::read_dir(format!("/proc/{pid}/fd")).ok()?;
    let mut fds: Vec<(u32, String)> = entries
        .flatten()
        .filter_map(|e| {
            let fd = e.file_name().to_str()?.parse().ok()?;
            let target = fs::read_link(e.path()).ok()?.to_string_lossy().into_owned();
            Some((fd, target))
        })
        .collect();
    fds.sort_by_key(|(fd, _)| *fd);
    let count = fds.len() as u32;
    fds.truncate(MAX_OPEN_FILES);
    let sockets = if fds.iter().any(|(_, t)| t.starts_with("socket:")) {
        socket_table(pid)
    } else {
        HashMap::new()
    };
    let files = fds
        .into_iter()
        .map(|(fd, target)| {
            let (kind, target) = if let Some(inode) = target
                .strip_prefix("socket:[")
                .and_then(|t| t.strip_suffix(']'))
            {
                let described = inode
                    .parse::<u64>()
                    .ok()
                    .and_then(|i| sockets.get(&i).cloned());
                ("socket", described.unwrap_or(target))
            } else if target.starts_with("pipe:") {
                ("pipe", target)
            } else if target.starts_with("anon_inode:") {
                ("anon", target)
            } else if target.starts_with('/') {
                ("file", target)
            } else {
                ("other", target)
            };
            OpenFile {
                fd,
                kind: kind.into(),
                target,
            }
        })
        .collect();
    Some((files, count))
}

/// Socket inode -> description, from the process's own network namespace.
fn socket_table(pid: u32) -> HashMap<u64, String> {
    let mut table = HashMap::new();
    for proto in ["tcp", "tcp6", "udp", "udp6"] {
        if let Ok(text) = fs::read_to_string(format!("/proc/{pid}/net/{proto}")) {
            for line in text.lines().skip(1) {
                if let Some((inode, text)) = describe_inet(proto, line) {
                    table.insert(inode, text);
                }
            }
        }
    }
    if let Ok(text) = fs::read_to_string(format!("/proc/{pid}/net/unix")) {
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_ascii_whitespace().collect();
            if let Some(inode) = fields.get(6).and_then(|i| i.parse::<u64>().ok()) {
                let path = fields.get(7).copied().unwrap_or("(unnamed)");
                table.insert(inode, format!("unix {path}"));
            }
        }
    }
    table
}

/// One line of `/proc/net/tcp` and friends: `sl local rem st ... inode`.
pub fn describe_inet(proto: &str, line: &str) -> Option<(u64, String)> {
    let fields: Vec<&str> = line.split_ascii_whitespace().collect();
    let local = parse_address(fields.get(1)?)?;
    let remote = parse_address(fields.get(2)?)?;
    let state = u8::from_str_radix(fields.get(3)?, 16).ok()?;
    let inode = fields.get(9)?.parse().ok()?;
    let state_name = match (proto.starts_with("tcp"), state) {
        (false, _) => "",
        (true, 1) => " (established)",
        (true, 10) => " (listening)",
        (true, 6) => " (time wait)",
        (true, 8) => " (close wait)",
        (true, 2) => " (syn sent)",
        (true, _) => "",
    };
    let text = if state == 10 || remote.ends_with(":0") && !proto.starts_with("tcp") {
        format!("{proto} {local}{state_name}")
    } else {
        format!("{proto} {local} -> {remote}{state_name}")
    };
    Some((inode, text))
}

/// `0100007F:1F90` -> `127.0.0.1:8080`; IPv6 likewise (the kernel prints 32-bit words in host
/// order).
fn parse_address(text: &str) -> Option<String> {
    let (addr, port) = text.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    match addr.len() {
        8 => {
            let n = u32::from_str_radix(addr, 16).ok()?;
            Some(format!(
                "{}:{port}",
                std::net::Ipv4Addr::from(n.to_le_bytes())
            ))
        }
        32 => {
            let mut bytes = [0u8; 16];
            for (i, chunk) in addr.as_bytes().chunks(8).enumerate() {
                let word = u32::from_str_radix(std::str::from_utf8(chunk).ok()?, 16).ok()?;
                bytes[i * 4..i * 4 + 4].copy_from_slice(&word.to_le_bytes());
            }
            Some(format!("[{}]:{port}", std::net::Ipv6Addr::from(bytes)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_environment_and_io() {
        assert_eq!(
            parse_environ(b"A=1\0B=x=y\0C\0"),
            vec![
                ("A".into(), "1".into()),
                ("B".into(), "x=y".into()),
                ("C".into(), String::new())
            ]
        );
        let io = parse_io("rchar: 10\nwchar: 20\nsyscr: 1\nsyscw: 2\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 0\n").unwrap();
        assert_eq!(
            (io.read_chars, io.write_chars, io.read_bytes, io.write_bytes),
            (10, 20, 4096, 8192)
        );
    }

    #[test]
    fn describes_sockets() {
        let line = "   0: 0100007F:20AE 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0";
        assert_eq!(
            describe_inet("tcp", line),
            Some((12345, "tcp 127.0.0.1:8366 (listening)".into()))
        );
        assert_eq!(
            parse_address("00000000000000000000000001000000:0050").as_deref(),
            Some("[::1]:80")
        );
        assert_eq!(terminal_name(34816).as_deref(), Some("pts/0"));
        assert_eq!(terminal_name(0), None);
    }

    #[test]
    fn details_this_process() {
        let detail = process_detail(std::process::id()).unwrap();
        assert!(detail.exe.is_some());
        assert!(detail.environment.is_some());
        assert!(detail.open_file_count.unwrap() >= 3);
    }
}
