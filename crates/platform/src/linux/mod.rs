//! The Linux backend: the proc filesystem, windows (X11, sway), XDG desktop entries.

mod command;
mod control;
mod detail;
mod procfs;
mod select;
mod sockets;
mod system;
mod users;
pub mod wayland;
mod x11;

pub use command::process_command;
pub use control::{identify, is_running, send_signal, set_nice};
pub use detail::{process_brief, process_detail};
pub use sockets::loopback_peer;

use crate::error::Result;
use crate::model::ProcessSnapshot;

pub const NAME: &str = "linux";

pub fn hostname() -> Option<String> {
    let uname = rustix::system::uname();
    let name = uname.nodename().to_string_lossy().trim().to_string();
    (!name.is_empty() && name != "(none)").then_some(name)
}

impl crate::ProcessSource for procfs::ProcReader {
    fn refresh(&mut self) -> Result<ProcessSnapshot> {
        procfs::ProcReader::refresh(self)
    }
}

/// The window backend that fits `session`, chosen at run time (see [`select`]): sway's IPC,
/// KWin, GNOME Shell, else X11 (in a Wayland session its Xwayland windows only).
pub fn window_system(session: &crate::SessionEnv) -> Box<dyn crate::WindowSystem> {
    Box::new(select::Selected::new(session))
}

pub fn install_gnome_extension(
    data_home: &std::path::Path,
    session: &crate::SessionEnv,
) -> Result<crate::GnomeExtensionInstalled> {
    wayland::gnome::install_extension_for(data_home, session)
}

pub fn enable_gnome_extension() -> Result<crate::GnomeExtensionEnabled> {
    wayland::gnome::enable_extension()
}

pub fn gnome_extension_answers(session: &crate::SessionEnv) -> bool {
    wayland::gnome::GnomeWindows::connect(session).is_some()
}

pub fn process_source() -> Result<Box<dyn crate::ProcessSource>> {
    Ok(Box::new(procfs::ProcReader::new()?))
}

/// The `/proc` reader and parsers, for the benchmark and the parser fuzz tests.
pub mod proc {
    pub use super::procfs::{ProcReader, parse_cmdline, parse_stat};
}

// Applications: desktop entries, icons, Exec expansion, launching.
mod desktop;
mod exec;
mod xdg_session;
pub use xdg_session::catalog_options;
mod files;
pub use files::{
    exit_code_and_signal, is_executable, prepare_private_dir, symlink, write_private_file,
};
mod memory;
pub use memory::{release_free_memory, tune_allocator};
mod icons;
mod launch;

pub use desktop::load_catalog;
pub use exec::exec_argv;
pub use icons::{find_icon, load_icon};
pub use launch::{launch, set_private_umask};
mod resources;
pub use resources::{
    cpu_model, cpu_times, disk_counters, file_systems, memory_details, network_counters,
    own_process, temperatures,
};
