//! Acting on processes: signals through a pidfd (so a reused PID is never hit) and priority.

use std::fs;
use std::os::fd::OwnedFd;

use rustix::io::Errno;
use rustix::process::{Pid, PidfdFlags, Signal as OsSignal, pidfd_open, pidfd_send_signal};

use super::procfs::{read_stat, state_from_char};
use crate::error::{Error, Result};
use crate::model::{ProcessRef, ProcessState, Signal};

fn os_signal(signal: Signal) -> OsSignal {
    match signal {
        Signal::Term => OsSignal::TERM,
        Signal::Kill => OsSignal::KILL,
        Signal::Stop => OsSignal::STOP,
        Signal::Cont => OsSignal::CONT,
        Signal::Hup => OsSignal::HUP,
        Signal::Int => OsSignal::INT,
        Signal::Usr1 => OsSignal::USR1,
        Signal::Usr2 => OsSignal::USR2,
    }
}

fn errno_error(errno: Errno, pid: u32, doing: &str) -> Error {
    match errno {
        Errno::SRCH => Error::NotFound(format!("process {pid}")),
        Errno::PERM | Errno::ACCESS => Error::PermissionDenied(format!(
            "the system does not allow Boss to {doing} process {pid} (it belongs to another user)"
        )),
        other => Error::Io {
            context: format!("cannot {doing} process {pid}"),
            source: std::io::Error::from_raw_os_error(other.raw_os_error()),
        },
    }
}

/// Opens a pidfd for `target` and checks, after opening, that the PID still belongs to the
/// same process: the pidfd then pins that process, whatever happens to the PID.
fn open_checked(target: ProcessRef, doing: &str) -> Result<OwnedFd> {
    let pid = Pid::from_raw(target.pid as i32)
        .ok_or_else(|| Error::NotFound(format!("process {}", target.pid)))?;
    let fd = pidfd_open(pid, PidfdFlags::empty()).map_err(|e| errno_error(e, target.pid, doing))?;
    let stat = read_stat(target.pid)?;
    if stat.starttime != target.start_ticks {
        return Err(Error::Changed(format!(
            "process {} has ended and its PID now belongs to another process",
            target.pid
        )));
    }
    Ok(fd)
}

pub fn send_signal(target: ProcessRef, signal: Signal) -> Result<()> {
    let fd = open_checked(target, "signal")?;
    pidfd_send_signal(&fd, os_signal(signal)).map_err(|e| errno_error(e, target.pid, "signal"))
}

/// Sets the nice value of every thread of the process (Linux priorities are per thread).
pub fn set_nice(target: ProcessRef, nice: i32) -> Result<()> {
    let _pin = open_checked(target, "change the priority of")?;
    let tasks = fs::read_dir(format!("/proc/{}/task", target.pid))
        .map_err(|e| super::procfs::not_found_or(e, target.pid))?;
    let mut changed = 0;
    for task in tasks.flatten() {
        let Some(tid) = task
            .file_name()
            .to_str()
            .and_then(|t| t.parse::<i32>().ok())
        else {
            continue;
        };
        let Some(tid) = Pid::from_raw(tid) else {
            continue;
        };
        match rustix::process::setpriority_process(Some(tid), nice) {
            Ok(()) => changed += 1,
            // A thread that ended meanwhile is no failure.
            Err(Errno::SRCH) => {}
            Err(e) => {
                let mut err = errno_error(e, target.pid, "change the priority of");
                if let Error::PermissionDenied(message) = &mut err {
                    message.push_str("; lowering the nice value needs CAP_SYS_NICE");
                }
                return Err(err);
            }
        }
    }
    if changed == 0 {
        return Err(Error::NotFound(format!("process {}", target.pid)));
    }
    Ok(())
}

/// The identity of the process now holding `pid`.
pub fn identify(pid: u32) -> Result<ProcessRef> {
    let stat = read_stat(pid)?;
    Ok(ProcessRef {
        pid,
        start_ticks: stat.starttime,
    })
}

/// Whether `target` still runs: same start time, and not a zombie waiting to be reaped.
pub fn is_running(target: ProcessRef) -> bool {
    match read_stat(target.pid) {
        Ok(stat) => {
            stat.starttime == target.start_ticks
                && !matches!(
                    state_from_char(stat.state),
                    ProcessState::Zombie | ProcessState::Dead
                )
        }
        Err(_) => false,
    }
}
