//! The backend for operating systems Boss does not support yet: it compiles anywhere and
//! answers "not supported here".

use std::time::Duration;

use crate::error::{Error, Result};
use crate::model::{ProcessDetail, ProcessRef, Signal};

pub const NAME: &str = "unsupported";

fn unsupported<T>() -> Result<T> {
    Err(Error::Unsupported(format!(
        "processes on {}",
        std::env::consts::OS
    )))
}

pub fn hostname() -> Option<String> {
    None
}

pub fn process_source() -> Result<Box<dyn crate::ProcessSource>> {
    unsupported()
}

pub fn process_brief(_pid: u32) -> Result<crate::model::ProcessBrief> {
    unsupported()
}

pub fn process_detail(_pid: u32) -> Result<ProcessDetail> {
    unsupported()
}

pub fn identify(_pid: u32) -> Result<ProcessRef> {
    unsupported()
}

pub fn is_running(_target: ProcessRef) -> bool {
    false
}

pub fn send_signal(_target: ProcessRef, _signal: Signal) -> Result<()> {
    unsupported()
}

pub fn set_nice(_target: ProcessRef, _nice: i32) -> Result<()> {
    unsupported()
}

pub fn loopback_peer(_client: std::net::SocketAddr, _server: std::net::SocketAddr) -> Option<u32> {
    None
}

/// Windows on a system without a window backend: an empty, unavailable list; every action is
/// [`Error::Unsupported`].
struct NoWindows;

impl crate::WindowSystem for NoWindows {
    fn list(&self) -> crate::WindowList {
        crate::WindowList::unavailable(NAME, format!("windows on {}", std::env::consts::OS))
    }

    fn close_many(
        &self,
        ids: &[crate::WindowId],
        _timeout: Duration,
    ) -> Vec<(crate::WindowId, Result<crate::CloseOutcome>)> {
        ids.iter().map(|id| (id.clone(), no_windows())).collect()
    }

    fn activate(&self, _id: &crate::WindowId) -> Result<()> {
        no_windows()
    }

    fn minimize(&self, _id: &crate::WindowId) -> Result<()> {
        no_windows()
    }

    fn layout(&self, _window: &crate::WindowInfo) -> Result<crate::WindowLayout> {
        no_windows()
    }

    fn place(&self, _window: &crate::WindowInfo, _placement: &crate::Placement) -> Result<()> {
        no_windows()
    }

    fn restack(&self, _windows: &[crate::WindowInfo]) -> Result<()> {
        no_windows()
    }
}

pub fn process_command(_pid: u32) -> Result<crate::ProcessCommand> {
    unsupported()
}

fn no_windows<T>() -> Result<T> {
    Err(Error::Unsupported(format!(
        "windows on {}",
        std::env::consts::OS
    )))
}

pub fn window_system(_session: &crate::SessionEnv) -> Box<dyn crate::WindowSystem> {
    Box::new(NoWindows)
}

// Applications: no catalog, nothing to launch.

pub fn load_catalog(_options: &crate::app::CatalogOptions) -> crate::app::Catalog {
    crate::app::Catalog::default()
}

pub fn find_icon(
    _icon: &str,
    _size: u16,
    _options: &crate::app::CatalogOptions,
) -> Option<std::path::PathBuf> {
    None
}

pub fn set_private_umask() {}

pub fn load_icon(
    _entry: &crate::app::AppEntry,
    _size: u16,
    _options: &crate::app::CatalogOptions,
) -> Option<crate::app::IconImage> {
    None
}

pub fn exec_argv(_entry: &crate::app::AppEntry, _args: &[String]) -> Result<Vec<String>> {
    Err(Error::Unsupported(format!(
        "desktop entries on {}",
        std::env::consts::OS
    )))
}

pub fn launch(
    _spec: &crate::app::LaunchSpec,
    _writer: Option<&crate::app::LogWriter>,
) -> Result<crate::app::Launched> {
    Err(Error::Unsupported(format!(
        "launching applications on {}",
        std::env::consts::OS
    )))
}

/// Nothing to tune where the allocator is not glibc's.
pub fn tune_allocator() {}

/// Nothing to release where the allocator is not glibc's.
pub fn release_free_memory() {}

/// Without Unix permissions there is nothing to make private: a plain write.
pub fn symlink(_original: &std::path::Path, _link: &std::path::Path) -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "symbolic links are not supported here",
    ))
}

pub fn write_private_file(path: &std::path::Path, contents: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

/// Creates the directory; permissions are left to the system.
pub fn prepare_private_dir(
    dir: &std::path::Path,
    _entries: &[&str],
) -> Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        context: format!("cannot create the directory '{}'", dir.display()),
        source,
    })?;
    Ok(Vec::new())
}

/// Without execute bits every file may be a program.
pub fn is_executable(meta: &std::fs::Metadata) -> bool {
    meta.is_file()
}

pub fn exit_code_and_signal(status: std::process::ExitStatus) -> (Option<i32>, Option<i32>) {
    (status.code(), None)
}

/// No desktop-entry session to read here: an empty catalog.
pub fn catalog_options(
    _var: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> crate::app::CatalogOptions {
    crate::app::CatalogOptions::default()
}

// Machine resources: nothing to read here.

fn no_resources<T>() -> Result<T> {
    Err(Error::Unsupported(format!(
        "machine resources on {}",
        std::env::consts::OS
    )))
}

pub fn cpu_times() -> Result<crate::resources::CpuTimes> {
    no_resources()
}

pub fn memory_details() -> Result<crate::resources::MemoryDetails> {
    no_resources()
}

pub fn file_systems() -> Result<Vec<crate::resources::FileSystemUsage>> {
    Ok(Vec::new())
}

pub fn network_counters() -> Result<Vec<crate::resources::NetworkCounters>> {
    Ok(Vec::new())
}

pub fn disk_counters() -> Result<Vec<crate::resources::DiskCounters>> {
    Ok(Vec::new())
}

pub fn temperatures() -> Result<Vec<crate::resources::TemperatureSensor>> {
    Ok(Vec::new())
}

pub fn own_process() -> Result<crate::resources::OwnProcess> {
    no_resources()
}

pub fn cpu_model() -> Option<String> {
    None
}

pub fn install_gnome_extension(
    _data_home: &std::path::Path,
    _session: &crate::SessionEnv,
) -> Result<crate::GnomeExtensionInstalled> {
    Err(Error::Unsupported("GNOME Shell extensions".into()))
}

pub fn enable_gnome_extension() -> Result<crate::GnomeExtensionEnabled> {
    Err(Error::Unsupported("GNOME Shell extensions".into()))
}

pub fn gnome_extension_answers(_session: &crate::SessionEnv) -> bool {
    false
}
