//! Making the data directory private at start-up: it holds the database (password hashes,
//! sessions, the audit log), its WAL files, the spool and launch logs.
//!
//! New files are private through the umask (`platform::set_private_umask`); this tightens
//! what an older version, or another umask, left readable. Unix only, like Boss's server.

use std::fs;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::Path;

use anyhow::{Context, bail};

/// Files in the data directory that must be private (the database's WAL and shared-memory
/// files exist only while it is open, or after a crash).
const PRIVATE_FILES: [&str; 4] = ["boss.db", "boss.db-wal", "boss.db-shm", "spool.jsonl"];

/// Creates `dir` with mode 0700, or makes an existing one 0700 and its known files 0600.
/// Refuses a directory that belongs to another user (Boss would be writing its secrets where
/// someone else decides who reads them) or whose mode cannot be changed.
pub fn prepare(dir: &Path) -> anyhow::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create the data directory '{}'", dir.display()))?;
    let meta = fs::metadata(dir)
        .with_context(|| format!("cannot read the data directory '{}'", dir.display()))?;
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me {
        bail!(
            "the data directory '{}' belongs to user id {}, not to the user running Boss ({me}): \
             use a directory of your own (--data-dir) or give this one to the right user",
            dir.display(),
            meta.uid()
        );
    }
    make_private(dir, &meta, 0o700)?;
    for name in PRIVATE_FILES.iter().copied().chain(["launches"]) {
        let path = dir.join(name);
        // Not following links: chmod would change the file a link points to, wherever it is.
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => make_private(&path, &meta, 0o700)?,
            Ok(meta) if meta.is_file() => make_private(&path, &meta, 0o600)?,
            _ => {}
        }
    }
    Ok(())
}

/// Removes the group and other permission bits (to `mode`) when any are set.
fn make_private(path: &Path, meta: &fs::Metadata, mode: u32) -> anyhow::Result<()> {
    if meta.mode() & 0o077 == 0 {
        return Ok(());
    }
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).with_context(|| {
        format!(
            "'{}' is readable by other users and its mode cannot be changed to {mode:o}",
            path.display()
        )
    })?;
    tracing::warn!(
        path = %path.display(),
        "was readable by other users; its mode is now {mode:o}"
    );
    Ok(())
}
