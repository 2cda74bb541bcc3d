//! The backend for operating systems Boss does not support yet: it compiles anywhere and
//! answers "not supported here".

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

pub fn exec_argv(_entry: &crate::app::AppEntry, _args: &[String]) -> Result<Vec<String>> {
    Err(Error::Unsupported(format!(
        "desktop entries on {}",
        std::env::consts::OS
    )))
}

pub fn launch(_spec: &crate::app::LaunchSpec) -> Result<crate::app::Launched> {
    Err(Error::Unsupported(format!(
        "launching applications on {}",
        std::env::consts::OS
    )))
}
