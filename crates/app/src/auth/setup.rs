//! The one-time setup code that the first registration needs.
//!
//! Until the first account exists, whoever registers becomes the administrator. Without a code
//! that would be anyone who reaches the port first (any local user; the LAN when bound to it).
//! So Boss makes a random code at start-up while there is no account, prints it as a link and
//! writes it to `<data dir>/setup-code` (mode 0600): only someone who can read Boss's output or
//! files, that is the person who started it, can create the administrator.

use std::path::PathBuf;
use std::sync::Mutex;

use crate::error::{Error, Result};

/// The file the code is written to, in the data directory.
pub use crate::server::data_dir::SETUP_CODE as FILE_NAME;

pub struct SetupCode {
    file: PathBuf,
    code: Mutex<Option<String>>,
}

impl SetupCode {
    pub fn new(data_dir: &std::path::Path) -> Self {
        Self {
            file: data_dir.join(FILE_NAME),
            code: Mutex::new(None),
        }
    }

    /// Makes a fresh code and writes it to the file (readable by this user only).
    pub fn issue(&self) -> Result<String> {
        // 96 bits: short enough to type from a phone, far too many to guess.
        let code = crate::auth::secret::random_hex()[..24].to_string();
        platform::write_private_file(&self.file, format!("{code}\n").as_bytes()).map_err(
            |err| {
                Error::Internal(anyhow::anyhow!(
                    "cannot write the setup code to '{}': {err}",
                    self.file.display()
                ))
            },
        )?;
        *self.lock() = Some(code.clone());
        Ok(code)
    }

    /// The code in force, if any (for tests and the start-up message).
    pub fn current(&self) -> Option<String> {
        self.lock().clone()
    }

    /// Checks a code given with the first registration.
    pub fn check(&self, given: Option<&str>) -> Result<()> {
        let Some(given) = given.map(str::trim).filter(|g| !g.is_empty()) else {
            return Err(Error::Forbidden {
                code: "setup_code_required",
                message: format!(
                    "the first account needs the setup code: open the link Boss printed at \
                     start-up, or read the code from the file '{FILE_NAME}' in its data directory"
                ),
            });
        };
        let expected = self.lock().clone();
        let matches = expected.is_some_and(|expected| {
            // Compared as digests, so the time taken says nothing about the code.
            crate::auth::secret::digest(&expected) == crate::auth::secret::digest(given)
        });
        if matches {
            Ok(())
        } else {
            Err(Error::Forbidden {
                code: "setup_code_invalid",
                message: "the setup code is not right (a restart of Boss makes a new one)".into(),
            })
        }
    }

    /// The first account exists: the code is spent.
    pub fn consume(&self) {
        *self.lock() = None;
        if let Err(err) = std::fs::remove_file(&self.file)
            && err.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!("cannot delete '{}': {err}", self.file.display());
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        self.code.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_needed_and_spent_once() {
        let dir = tempfile::tempdir().unwrap();
        let setup = SetupCode::new(dir.path());
        assert!(setup.check(Some("anything")).is_err(), "no code issued yet");
        let code = setup.issue().unwrap();
        let file = dir.path().join(FILE_NAME);
        assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), code);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(matches!(
            setup.check(None),
            Err(Error::Forbidden {
                code: "setup_code_required",
                ..
            })
        ));
        assert!(setup.check(Some("wrong")).is_err());
        assert!(setup.check(Some(&format!(" {code} "))).is_ok());
        setup.consume();
        assert!(!file.exists());
        assert!(setup.check(Some(&code)).is_err());
    }
}
