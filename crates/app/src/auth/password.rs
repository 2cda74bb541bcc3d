//! Password hashing with Argon2id (the crate's defaults: m = 19 MiB, t = 2, p = 1).
//!
//! Hashing takes tens of milliseconds of CPU and 19 MiB of memory: the server runs them
//! through [`PasswordWork`], which bounds how many run at once.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::{Error, Result};

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 1024;

/// Checks the rules a new password must meet.
pub fn validate(password: &str) -> Result<()> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(Error::Invalid(format!(
            "the password must have at least {MIN_LEN} characters"
        )));
    }
    if len > MAX_LEN {
        return Err(Error::Invalid(format!(
            "the password must have at most {MAX_LEN} characters"
        )));
    }
    Ok(())
}

/// The PHC string of a fresh salted hash of `password`.
pub fn hash(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| Error::Internal(anyhow::anyhow!("password hashing failed: {e}")))
}

/// Whether `password` matches the stored PHC string. A corrupt hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Where password hashes are computed: on the blocking pool, at most one per core at a time.
///
/// Each hash takes tens of milliseconds of CPU and 19 MiB of memory, and anyone who reaches the
/// login form can ask for one. Running more at once than there are cores gains no throughput,
/// only memory, so a burst beyond the permits is answered at once with "busy" instead of
/// queueing (and allocating) without bound.
pub struct PasswordWork {
    permits: Arc<Semaphore>,
}

impl Default for PasswordWork {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::new(cores.max(2))
    }
}

impl PasswordWork {
    pub fn new(permits: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(permits)),
        }
    }

    fn permit(&self) -> Result<OwnedSemaphorePermit> {
        self.permits.clone().try_acquire_owned().map_err(|_| {
            Error::Busy("too many password checks at once; try again in a second".into())
        })
    }

    /// A fresh salted hash of `password`.
    pub async fn hash(&self, password: String) -> Result<String> {
        let permit = self.permit()?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            hash(&password)
        })
        .await
        .map_err(|e| Error::Internal(e.into()))?
    }

    /// Whether `password` matches `stored`. With no stored hash (unknown user) it still spends
    /// the time of a verification, so response times do not reveal which usernames exist.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool> {
        let permit = self.permit()?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            match stored {
                Some(stored) => verify(&password, &stored),
                None => {
                    let _ = verify(&password, dummy_hash());
                    false
                }
            }
        })
        .await
        .map_err(|e| Error::Internal(e.into()))
    }
}

fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash("not a real password").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash("correct horse").unwrap();
        let b = hash("correct horse").unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "salts must differ");
        assert!(verify("correct horse", &a));
        assert!(!verify("wrong horse", &a));
        assert!(!verify("correct horse", "not a hash"));
    }

    #[test]
    fn validates_length() {
        assert!(validate("short").is_err());
        assert!(validate("long enough").is_ok());
        assert!(validate(&"x".repeat(MAX_LEN + 1)).is_err());
    }
}
