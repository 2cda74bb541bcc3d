//! The operating-system layer of Boss of Apps: everything OS-specific and every `unsafe` block
//! lives here, behind portable types, with one backend per OS and an `unsupported` one that
//! compiles anywhere.

pub mod error;

pub use error::{Error, Result};

#[cfg(target_os = "linux")]
mod linux;
#[cfg(not(target_os = "linux"))]
mod unsupported;

#[cfg(target_os = "linux")]
use linux as native;
#[cfg(not(target_os = "linux"))]
use unsupported as native;

/// This machine's host name, if it has one.
pub fn hostname() -> Option<String> {
    native::hostname()
}

/// The name of the backend compiled in (`linux`, `unsupported`).
pub const BACKEND: &str = native::NAME;
