//! Starting programs detached from Boss: an argument vector (no shell), a new session, stdin
//! from `/dev/null`, output appended to a per-launch log, default signal dispositions.
//!
//! What can be checked before forking is: the program (resolved in `PATH` here, so the child
//! executes exactly the file that was checked, with `argv[0]` as given), the working directory
//! and the log file. Anything `execve` still refuses (a file that is not a valid executable,
//! say) comes back from `spawn` as an error; nothing runs in that case either.

use std::ffi::OsString;
use std::fs::OpenOptions;
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use super::exec::{Lookup, is_executable_file, lookup_in_path};
use crate::app::{LaunchSpec, Launched, LogWriter};
use crate::error::{Error, Result};

/// The umask Boss started with, while [`set_private_umask`] has replaced it (`u32::MAX`: not
/// replaced). Launched programs get it back: the files a user's editor saves are none of
/// Boss's business and must not turn private because Boss keeps its own files private.
static INHERITED_UMASK: AtomicU32 = AtomicU32::new(u32::MAX);

pub fn set_private_umask() {
    let before = rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    // Only the first call sees the umask Boss was started with.
    let _ = INHERITED_UMASK.compare_exchange(
        u32::MAX,
        before.as_raw_mode(),
        Ordering::SeqCst,
        Ordering::SeqCst,
    );
}

pub fn launch(spec: &LaunchSpec, writer: Option<&LogWriter>) -> Result<Launched> {
    let Some(program) = spec.argv.first().filter(|p| !p.is_empty()) else {
        return Err(Error::Invalid(
            "nothing to launch: the argument vector is empty".into(),
        ));
    };
    // The child's PATH: the one in spec.env if it sets one (the last setting wins), else ours.
    let path_var: Option<OsString> = spec
        .env
        .iter()
        .rev()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| v.into())
        .or_else(|| std::env::var_os("PATH"));
    let cwd = spec
        .cwd
        .clone()
        .or_else(|| std::env::var_os("HOME").map(PathBuf::from))
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("/"));
    let executable = resolve_program(program, path_var.as_deref(), &cwd)?;
    check_directory(&cwd)?;

    let (stdout, stderr) = match writer {
        Some(writer) => output_through(writer)?,
        None => output_to_file(&spec.log_file)?,
    };

    let mut command = Command::new(&executable);
    // Boss's own settings (a database URL with its password, say) are not the program's
    // business.
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("BOSS_") {
            command.env_remove(&name);
        }
    }
    command
        .arg0(program)
        .args(&spec.argv[1..])
        .current_dir(&cwd)
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr);
    // SAFETY: the closure runs in the forked child before exec, where only async-signal-safe
    // calls are allowed: it makes raw system calls only (`rt_sigaction`, `close_range` or
    // `getrlimit` and `fcntl`, `umask` and `setsid` through rustix) and loads an atomic; none
    // allocates or takes a lock,
    // and it builds its error from the raw errno without allocating.
    unsafe {
        command.pre_exec(|| {
            reset_signal_dispositions();
            close_inherited_descriptors_on_exec();
            // An atomic load and umask(2): both async-signal-safe.
            let umask = INHERITED_UMASK.load(Ordering::SeqCst);
            if umask != u32::MAX {
                rustix::process::umask(rustix::fs::Mode::from_raw_mode(umask));
            }
            rustix::process::setsid()
                .map(drop)
                .map_err(|e| io::Error::from_raw_os_error(e.raw_os_error()))
        });
    }
    let child = command
        .spawn()
        .map_err(|e| spawn_error(e, program, &executable))?;
    let pid = child.id();
    // The child cannot be reaped before we wait on it, so its /proc entry is there (a zombie's
    // too); 0 only if /proc is not mounted, and then a later identity check fails safe.
    let start_ticks = super::procfs::read_stat(pid)
        .map(|s| s.starttime)
        .unwrap_or(0);
    Ok(Launched {
        pid,
        start_ticks,
        child,
    })
}

/// Output appended to a file (mode 0600), as ordinary launches had it before the log writer.
fn output_to_file(path: &Path) -> Result<(Stdio, Stdio)> {
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .map_err(|source| Error::Io {
            context: format!("cannot open the launch log '{}'", path.display()),
            source,
        })?;
    let log_for_stderr = log.try_clone().map_err(|source| Error::Io {
        context: "cannot duplicate the launch log descriptor".into(),
        source,
    })?;
    Ok((log.into(), log_for_stderr.into()))
}

/// Output into a pipe whose reading end is the standard input of a freshly started log
/// writer. The writer runs in a session of its own with default signal dispositions, like a
/// launched program, so a restart of Boss leaves both ends of the pipe open: the program
/// never meets SIGPIPE because Boss went away. Boss keeps no end of the pipe (the copies in
/// this process close when the `Command`s are dropped), so the writer sees end-of-file
/// exactly when the program and every descendant that inherited its output have ended.
fn output_through(writer: &LogWriter) -> Result<(Stdio, Stdio)> {
    let (reader, pipe_writer) = io::pipe().map_err(|source| Error::Io {
        context: "cannot create the output pipe".into(),
        source,
    })?;
    let for_stderr = pipe_writer.try_clone().map_err(|source| Error::Io {
        context: "cannot duplicate the output pipe".into(),
        source,
    })?;
    let mut command = Command::new(&writer.program);
    command
        .args(&writer.args)
        .stdin(reader)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: as for the program itself (see `launch`): raw system calls only, no allocation
    // and no lock between fork and exec. The umask is left as Boss has it (private): the log
    // files are Boss's, not the program's.
    unsafe {
        command.pre_exec(|| {
            reset_signal_dispositions();
            close_inherited_descriptors_on_exec();
            rustix::process::setsid()
                .map(drop)
                .map_err(|e| io::Error::from_raw_os_error(e.raw_os_error()))
        });
    }
    let mut child = command.spawn().map_err(|source| Error::Io {
        context: format!("cannot start the log writer '{}'", writer.program.display()),
        source,
    })?;
    // Reaped here, so that it never lingers as a zombie while Boss runs; after a restart of
    // Boss it is nobody's child and init reaps it.
    let _ = std::thread::Builder::new()
        .name("log-writer-reaper".into())
        .spawn(move || child.wait());
    Ok((pipe_writer.into(), for_stderr.into()))
}

/// Sets every catchable signal back to its default action. `execve` keeps ignored signals
/// ignored (a Boss started under `nohup` ignores SIGHUP, and apps would inherit that), and
/// resets handled ones only at exec: resetting them here also keeps a signal that arrives
/// between fork and exec from running Boss's handler in the child.
///
/// This is the raw `rt_sigaction` system call rather than libc's `signal`: glibc refuses to
/// touch the two real-time signals it reserves (32 and 33), and they were seen ignored in
/// practice. An all-zero kernel `sigaction` is `SIG_DFL` with no flags and an empty mask on
/// every architecture, so its layout does not matter.
fn reset_signal_dispositions() {
    // The kernel's signal count and the size of its signal set (`_NSIG / 8`).
    #[cfg(any(
        target_arch = "mips",
        target_arch = "mips32r6",
        target_arch = "mips64",
        target_arch = "mips64r6"
    ))]
    const NSIG: libc::c_long = 128;
    #[cfg(not(any(
        target_arch = "mips",
        target_arch = "mips32r6",
        target_arch = "mips64",
        target_arch = "mips64r6"
    )))]
    const NSIG: libc::c_long = 64;
    let default_action = [0u64; 8]; // larger than any architecture's kernel sigaction
    for signal in 1..=NSIG {
        if signal == libc::c_long::from(libc::SIGKILL)
            || signal == libc::c_long::from(libc::SIGSTOP)
        {
            continue;
        }
        // SAFETY: rt_sigaction reads the zeroed buffer (valid, aligned, larger than the kernel
        // struct) and writes nothing (null old-action pointer); SIG_DFL installs no handler. A
        // signal the kernel rejects returns an error, which is ignored.
        unsafe {
            libc::syscall(
                libc::SYS_rt_sigaction,
                signal,
                default_action.as_ptr(),
                std::ptr::null_mut::<u8>(),
                NSIG / 8,
            );
        }
    }
}

/// Marks every descriptor from 3 up close-on-exec, so that the program inherits only its
/// stdin, stdout and stderr: not Boss's sockets, database files or any descriptor a library
/// opened without `O_CLOEXEC`.
///
/// Close-on-exec rather than closing: std's pipe that reports an `execve` failure to the
/// parent is among them and must stay open until the exec itself. `close_range` with
/// `CLOSE_RANGE_CLOEXEC` (Linux 5.11) does it in one call; older kernels (`ENOSYS`, or
/// `EINVAL` for the unknown flag) get `FD_CLOEXEC` set one descriptor at a time up to the
/// soft descriptor limit (capped, since it can be huge). Both are plain system calls and so
/// async-signal-safe.
fn close_inherited_descriptors_on_exec() {
    const FALLBACK_CAP: libc::c_int = 65_536;
    // SAFETY: close_range takes three integers and touches no memory; marking descriptors
    // close-on-exec cannot invalidate anything in this (single-threaded, about to exec) child.
    let marked = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            3 as libc::c_uint,
            libc::c_uint::MAX,
            libc::CLOSE_RANGE_CLOEXEC,
        )
    };
    if marked == 0 {
        return;
    }
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit into the valid, writable struct above.
    let highest = if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 {
        libc::c_int::try_from(limit.rlim_cur).unwrap_or(FALLBACK_CAP)
    } else {
        FALLBACK_CAP
    }
    .min(FALLBACK_CAP);
    for fd in 3..highest {
        // SAFETY: fcntl with F_GETFD/F_SETFD reads and sets a descriptor flag and touches no
        // memory; a descriptor that is not open answers EBADF, which is skipped.
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFD);
            if flags >= 0 && flags & libc::FD_CLOEXEC == 0 {
                libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC);
            }
        }
    }
}

/// The file to execute for `program`: with a `/`, the path (a relative one from the child's
/// working directory, as a shell there would take it); else the first executable match in
/// `path_var`.
fn resolve_program(
    program: &str,
    path_var: Option<&std::ffi::OsStr>,
    cwd: &Path,
) -> Result<PathBuf> {
    if program.contains('/') {
        let path = cwd.join(program);
        return match std::fs::metadata(&path) {
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => Err(Error::PermissionDenied(
                format!("cannot reach the program '{program}'"),
            )),
            Err(_) => Err(Error::NotFound(format!("program '{program}'"))),
            Ok(meta) if meta.is_dir() => Err(Error::PermissionDenied(format!(
                "'{program}' is a directory, not a program"
            ))),
            Ok(_) if !is_executable_file(&path) => Err(Error::PermissionDenied(format!(
                "the program '{program}' is not executable"
            ))),
            Ok(_) => Ok(path),
        };
    }
    match lookup_in_path(program, path_var) {
        Lookup::Found(path) => Ok(path),
        Lookup::NotExecutable(path) => Err(Error::PermissionDenied(format!(
            "the program '{program}' ({}) is not executable",
            path.display()
        ))),
        Lookup::Missing => Err(Error::NotFound(format!("program '{program}'"))),
    }
}

fn check_directory(dir: &Path) -> Result<()> {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(Error::NotFound(format!(
            "working directory '{}' (it is not a directory)",
            dir.display()
        ))),
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => Err(Error::PermissionDenied(
            format!("cannot reach the working directory '{}'", dir.display()),
        )),
        Err(_) => Err(Error::NotFound(format!(
            "working directory '{}'",
            dir.display()
        ))),
    }
}

fn spawn_error(err: io::Error, program: &str, executable: &Path) -> Error {
    match err.kind() {
        io::ErrorKind::NotFound => Error::NotFound(format!(
            "program '{program}' ({}, or its interpreter)",
            executable.display()
        )),
        io::ErrorKind::PermissionDenied => Error::PermissionDenied(format!(
            "the system refused to execute '{program}' ({})",
            executable.display()
        )),
        _ => Error::Io {
            context: format!("cannot start '{program}' ({})", executable.display()),
            source: err,
        },
    }
}
