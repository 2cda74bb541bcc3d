//! The application's error type: what can go wrong in the actions, auth and HTTP layers, each
//! variant carrying a sentence for the person who made the request. `http::error` maps it onto a
//! status and the JSON error body.

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request itself is malformed (unparseable JSON, a bad path parameter).
    #[error("{0}")]
    BadRequest(String),
    /// Not logged in, or the credentials are wrong.
    #[error("{message}")]
    Unauthorized { code: &'static str, message: String },
    /// Logged in but not allowed, or the target is protected.
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Well-formed but invalid values.
    #[error("{0}")]
    Invalid(String),
    #[error("too many attempts; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// Too much work of one kind at once (password checks): try again in a second.
    #[error("{0}")]
    Busy(String),
    /// A backend (the database, the display) cannot be reached right now.
    #[error("{0}")]
    Unavailable(String),
    /// Another host of the fleet is offline.
    #[error("{0}")]
    HostUnreachable(String),
    /// Another host of the fleet did not answer before the deadline.
    #[error("{0}")]
    HostTimeout(String),
    /// The host is online, so it cannot be removed (it would register again at once).
    #[error("{0}")]
    HostOnline(String),
    /// A bug or an unexpected failure: logged in full, reported to clients in general terms.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Error::Unauthorized {
            code: "unauthorized",
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Error::Forbidden {
            code: "forbidden",
            message: message.into(),
        }
    }
}

impl From<StoreError> for Error {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(message) => Error::Conflict(message),
            e if e.is_unavailable() => {
                tracing::warn!("database unavailable: {e}");
                Error::Unavailable("the database is unavailable; try again shortly".into())
            }
            other => Error::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<platform::Error> for Error {
    fn from(err: platform::Error) -> Self {
        use platform::Error as P;
        match err {
            P::NotFound(what) => Error::NotFound(format!("{what} does not exist (any more)")),
            P::PermissionDenied(message) => Error::Forbidden {
                code: "permission_denied",
                message,
            },
            P::Protected(message) => Error::Forbidden {
                code: "protected",
                message,
            },
            P::Changed(message) => Error::Conflict(message),
            P::Invalid(message) => Error::Invalid(message),
            P::Unsupported(what) => {
                Error::Unavailable(format!("not supported on this system: {what}"))
            }
            P::Io { .. } => Error::Internal(anyhow::Error::new(err)),
        }
    }
}
