//! Making the data directory private at start-up: it holds the database (password hashes,
//! sessions, the audit log), its WAL files, the spool and launch logs.
//!
//! New files are private through the umask (`platform::set_private_umask`); this tightens
//! what an older version, or another umask, left readable.

use std::path::Path;

use anyhow::Context;

/// The embedded SQLite database (the default store).
pub const DATABASE: &str = "boss.db";
/// Audit rows and launch records waiting for an unreachable database (see `spool.rs`).
pub const SPOOL: &str = "spool.jsonl";
/// The output of launched programs, one `<uid>.log` each.
pub const LAUNCH_LOGS: &str = "launches";
/// The one-time code that the first account needs (see `auth/setup.rs`).
pub const SETUP_CODE: &str = "setup-code";

/// This host's stable id in a fleet (see `fleet`).
pub const HOST_ID: &str = "host-id";

/// What in the data directory must be private (the database's WAL and shared-memory files
/// exist only while it is open, or after a crash). The setup code is written private.
const PRIVATE_ENTRIES: [&str; 5] = [DATABASE, "boss.db-wal", "boss.db-shm", SPOOL, LAUNCH_LOGS];

/// Creates `dir` private to Boss's user, or makes an existing one and its files private.
/// Refuses a directory that belongs to another user or whose mode cannot be changed.
pub fn prepare(dir: &Path) -> anyhow::Result<()> {
    let tightened = platform::prepare_private_dir(dir, &PRIVATE_ENTRIES)
        .with_context(|| format!("the data directory '{}' cannot be used", dir.display()))?;
    for path in tightened {
        tracing::warn!(
            path = %path.display(),
            "was readable by other users; now only Boss's user may read it"
        );
    }
    Ok(())
}
