//! Files only Boss's user may read, and the Unix bits of file metadata the app needs: the app
//! crate keeps no Unix-only code of its own.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    // `mode` applies only when the file is created: an older file keeps its mode otherwise.
    file.set_permissions(fs::Permissions::from_mode(0o600))?;
    file.write_all(contents)
}

pub fn symlink(original: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(original, link)
}

pub fn prepare_private_dir(dir: &Path, entries: &[&str]) -> Result<Vec<PathBuf>> {
    let io = |what: &str, path: &Path| {
        let context = format!("cannot {what} '{}'", path.display());
        move |source| Error::Io { context, source }
    };
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io("create the directory", dir))?;
    let meta = fs::metadata(dir).map_err(io("read the directory", dir))?;
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me {
        return Err(Error::PermissionDenied(format!(
            "the directory '{}' belongs to user id {}, not to the user running Boss ({me}): use \
             a directory of your own or give this one to the right user",
            dir.display(),
            meta.uid()
        )));
    }
    let mut tightened = Vec::new();
    make_private(dir, &meta, 0o700, &mut tightened)?;
    for name in entries {
        let path = dir.join(name);
        // Not following links: chmod would change the file a link points to, wherever it is.
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => make_private(&path, &meta, 0o700, &mut tightened)?,
            Ok(meta) if meta.is_file() => make_private(&path, &meta, 0o600, &mut tightened)?,
            _ => {}
        }
    }
    Ok(tightened)
}

/// Removes the group and other permission bits (to `mode`) when any are set.
fn make_private(
    path: &Path,
    meta: &fs::Metadata,
    mode: u32,
    tightened: &mut Vec<PathBuf>,
) -> Result<()> {
    if meta.mode() & 0o077 == 0 {
        return Ok(());
    }
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(|source| Error::Io {
        context: format!(
            "'{}' is readable by other users and its mode cannot be changed to {mode:o}",
            path.display()
        ),
        source,
    })?;
    tightened.push(path.to_path_buf());
    Ok(())
}

pub fn is_executable(meta: &fs::Metadata) -> bool {
    meta.is_file() && meta.permissions().mode() & 0o111 != 0
}

pub fn exit_code_and_signal(status: std::process::ExitStatus) -> (Option<i32>, Option<i32>) {
    (status.code(), status.signal())
}
