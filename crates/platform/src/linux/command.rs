//! How a running process could be started again, read from `/proc/PID`.

use std::fs;

use crate::command::{ProcessCommand, app_id_from_unit, cgroup_unit};
use crate::error::{Error, Result};

/// What the kernel appends to the `exe` link of a process whose executable was deleted.
const DELETED: &str = " (deleted)";

pub fn process_command(pid: u32) -> Result<ProcessCommand> {
    let base = format!("/proc/{pid}");
    let bytes = fs::read(format!("{base}/cmdline")).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::NotFound(format!("no process with PID {pid}")),
        _ => Error::Io {
            context: format!("cannot read the command line of process {pid}"),
            source: e,
        },
    })?;
    let link = |name: &str| {
        fs::read_link(format!("{base}/{name}"))
            .ok()
            .map(|p| p.to_string_lossy().into_owned())
    };
    let (exe, exe_deleted) = match link("exe") {
        Some(path) => match path.strip_suffix(DELETED) {
            Some(kept) => (Some(kept.to_string()), true),
            None => (Some(path), false),
        },
        None => (None, false),
    };
    let app_id = fs::read_to_string(format!("{base}/cgroup"))
        .ok()
        .and_then(|text| cgroup_unit(&text).and_then(app_id_from_unit));
    Ok(ProcessCommand {
        pid,
        argv: split_cmdline(&bytes),
        cwd: link("cwd"),
        exe,
        exe_deleted,
        app_id,
    })
}

/// The NUL-separated arguments, empty ones kept (only the final terminator dropped).
fn split_cmdline(bytes: &[u8]) -> Vec<String> {
    let bytes = bytes.strip_suffix(&[0]).unwrap_or(bytes);
    if bytes.is_empty() {
        return Vec::new();
    }
    bytes
        .split(|&b| b == 0)
        .map(|part| String::from_utf8_lossy(part).into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{process_command, split_cmdline};

    #[test]
    fn empty_arguments_are_kept_and_the_terminator_dropped() {
        assert_eq!(split_cmdline(b"xterm\0-T\0\0"), ["xterm", "-T", ""]);
        assert!(split_cmdline(b"").is_empty());
    }

    #[test]
    fn this_process_reads_its_own_command_and_directory() {
        let me = process_command(std::process::id()).unwrap();
        assert_eq!(me.argv, std::env::args().collect::<Vec<_>>());
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(me.cwd.as_deref(), cwd.to_str());
        assert!(!me.exe_deleted);
    }
}
