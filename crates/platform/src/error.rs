//! Errors of the platform layer, as sentences a person can act on.

use std::io;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// This operating system or session cannot do that (yet).
    #[error("not supported here: {0}")]
    Unsupported(String),
    #[error("{0} not found")]
    NotFound(String),
    /// The operating system refused (another user's process, say).
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    /// Boss refuses to touch this (PID 1, itself, a protected application).
    #[error("protected: {0}")]
    Protected(String),
    /// The target changed under us (a PID now held by another process).
    #[error("{0}")]
    Changed(String),
    /// The input cannot be used as it is (an Exec value with an unterminated quote, say).
    #[error("invalid: {0}")]
    Invalid(String),
    #[error("{context}: {source}")]
    Io { context: String, source: io::Error },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
