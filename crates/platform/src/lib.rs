//! The operating-system layer of Boss of Apps: everything OS-specific and every `unsafe` block
//! lives here, behind portable types ([`model`]), with one backend per OS and an `unsupported`
//! one that compiles anywhere and answers [`Error::Unsupported`].
//!
//! Backends: Linux (`/proc`; windows through X11, sway's IPC or wlr-foreign-toplevel, chosen at
//! run time). Planned beside it: macOS and Windows (through sysinfo and the
//! native APIs), see the design notes.

pub mod command;
pub mod error;
pub mod model;
pub mod resources;
pub mod window;

pub use command::ProcessCommand;
pub use error::{Error, Result};
pub use model::*;
pub use window::{
    CloseOutcome, Geometry, GnomeExtensionEnabled, GnomeExtensionForm, GnomeExtensionInstalled,
    GnomeShellFound, Placement, SessionEnv, WindowCapabilities, WindowId, WindowInfo, WindowLayout,
    WindowList, WindowSystem,
};

pub mod app;
pub use app::{
    AppEntry, Catalog, CatalogOptions, IconFormat, IconImage, LaunchSpec, Launched, LogWriter,
    exec_argv, find_icon, launch, launch_logged, load_catalog, load_icon,
};

// The feature `unsupported-backend` builds the unsupported backend on Linux too, so that CI
// compiles it (`./scripts/test`) and it cannot rot while nobody builds for other systems.
#[cfg(all(target_os = "linux", not(feature = "unsupported-backend")))]
pub mod linux;
#[cfg(any(not(target_os = "linux"), feature = "unsupported-backend"))]
mod unsupported;

#[cfg(all(target_os = "linux", not(feature = "unsupported-backend")))]
use linux as native;
#[cfg(any(not(target_os = "linux"), feature = "unsupported-backend"))]
use unsupported as native;

/// The name of the backend compiled in (`linux`, `unsupported`).
pub const BACKEND: &str = native::NAME;

/// Makes every file and directory this process creates from now on private to its user
/// (umask `077`): the database, its WAL files, the spool and launch logs hold command lines,
/// usernames and session data. Unix: `umask(2)`, which cannot fail; elsewhere: nothing.
pub fn set_private_umask() {
    native::set_private_umask()
}

/// Writes `contents` to `path` (created or replaced) so that only this user may read it (mode
/// 0600 on Unix).
pub fn write_private_file(path: &std::path::Path, contents: &[u8]) -> std::io::Result<()> {
    native::write_private_file(path, contents)
}

/// Makes `link` a symbolic link to `original` (how `systemctl enable` enables a unit);
/// `Unsupported` where there are none.
pub fn symlink(original: &std::path::Path, link: &std::path::Path) -> std::io::Result<()> {
    native::symlink(original, link)
}

/// Creates `dir` private to this user (0700), or makes an existing one private, with those of
/// its `entries` (names in it) that exist: directories 0700, files 0600, links left alone.
/// Returns what had to be tightened. Refuses ([`Error::PermissionDenied`]) a directory that
/// belongs to another user: Boss would be writing secrets where someone else decides who
/// reads them.
pub fn prepare_private_dir(
    dir: &std::path::Path,
    entries: &[&str],
) -> Result<Vec<std::path::PathBuf>> {
    native::prepare_private_dir(dir, entries)
}

/// Whether a file may be run as a program (its execute bits on Unix).
pub fn is_executable(meta: &std::fs::Metadata) -> bool {
    native::is_executable(meta)
}

/// A child's exit code, or the signal that ended it (Unix).
pub fn exit_code_and_signal(status: std::process::ExitStatus) -> (Option<i32>, Option<i32>) {
    native::exit_code_and_signal(status)
}

/// This machine's host name, if it has one.
pub fn hostname() -> Option<String> {
    native::hostname()
}

/// Reads process snapshots; keeps what it needs between refreshes (CPU counters, caches), so
/// keep one and refresh it rather than making a new one each time.
pub trait ProcessSource: Send {
    /// Every process (not threads) and the system summary. CPU figures cover the time since
    /// the previous refresh; on the first they are zero.
    fn refresh(&mut self) -> Result<ProcessSnapshot>;
}

pub fn process_source() -> Result<Box<dyn ProcessSource>> {
    native::process_source()
}

/// The detail view of one process. `info.cpu_percent` is zero: take it from a snapshot.
pub fn process_detail(pid: u32) -> Result<ProcessDetail> {
    native::process_detail(pid)
}

/// How process `pid` could be started again: its full argv, working directory, executable
/// (and whether it was deleted) and the desktop file ID in its cgroup name.
pub fn process_command(pid: u32) -> Result<ProcessCommand> {
    native::process_command(pid)
}

/// Name, parent and executable of a process: what labelling a window needs.
pub fn process_brief(pid: u32) -> Result<ProcessBrief> {
    native::process_brief(pid)
}

/// The identity (PID and start time) of the process holding `pid` now.
pub fn identify_process(pid: u32) -> Result<ProcessRef> {
    native::identify(pid)
}

/// Whether the process still runs (not ended, not a zombie, PID not reused).
pub fn process_running(target: ProcessRef) -> bool {
    native::is_running(target)
}

/// Sends `signal` to exactly `target`: never to another process that reused its PID.
pub fn send_signal(target: ProcessRef, signal: Signal) -> Result<()> {
    native::send_signal(target, signal)
}

/// Sets the nice value (-20 to 19) of every thread of `target`.
pub fn set_nice(target: ProcessRef, nice: i32) -> Result<()> {
    native::set_nice(target, nice)
}

/// The PID of the local process at the client end of a loopback TCP connection (`client` is
/// its address, `server` the address it connected to); `None` if it cannot be told.
pub fn loopback_peer(client: std::net::SocketAddr, server: std::net::SocketAddr) -> Option<u32> {
    native::loopback_peer(client, server)
}

/// The windows of the graphical session that `session` describes, with the backend that fits
/// it (chosen at run time).
///
/// Never fails: when the display cannot be reached, the result's `list()` says
/// `available: false` with the reason and its actions answer [`Error::Unsupported`]. It tries
/// to connect again on later calls (at most about once a second), so Boss may start before the
/// X server. Keep one and share it: it holds its own connection.
pub fn window_system(session: &SessionEnv) -> Box<dyn WindowSystem> {
    native::window_system(session)
}

/// Writes Boss's GNOME Shell extension (the window service the GNOME backend talks to) into
/// `data_home` (`$XDG_DATA_HOME`): `gnome-shell/extensions/<uuid>/`, in the form that fits the
/// GNOME Shell of `session` (the running one, else the installed one; see
/// [`GnomeExtensionInstalled`]).
pub fn install_gnome_extension(
    data_home: &std::path::Path,
    session: &SessionEnv,
) -> Result<GnomeExtensionInstalled> {
    native::install_gnome_extension(data_home, session)
}

/// Enables Boss's GNOME Shell extension for this process's session (see
/// [`GnomeExtensionEnabled`]).
pub fn enable_gnome_extension() -> Result<GnomeExtensionEnabled> {
    native::enable_gnome_extension()
}

/// Whether Boss's GNOME Shell extension answers in `session`.
pub fn gnome_extension_answers(session: &SessionEnv) -> bool {
    native::gnome_extension_answers(session)
}

/// Sets up the C allocator for a small long-running server: large allocations (such as the
/// memory of a password hash) go back to the operating system when freed, and few arenas keep
/// free memory. Call once at start-up, before the async runtime starts its threads.
pub fn tune_allocator() {
    native::tune_allocator()
}

/// Gives the free memory that the C allocator holds back to the operating system, after a busy
/// period. Cheap (well under a millisecond), but not free: call it seldom.
pub fn release_free_memory() {
    native::release_free_memory()
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
