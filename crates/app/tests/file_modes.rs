//! The real `boss serve` keeps its data private: an existing, world-readable data directory
//! and its files are tightened at start-up, new files are created private, and a directory
//! owned by someone else is refused.

mod common;

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};

use common::server::Server;

fn mode(path: &Path) -> u32 {
    fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_world_readable_data_directory_and_its_files_are_made_private_at_start_up() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("boss");
    // A data directory as an older Boss (umask 022) left it: 0755, the database 0644.
    Server::start(&dir).stop();
    set_mode(&dir, 0o755);
    set_mode(&dir.join("boss.db"), 0o644);
    let spool = dir.join("spool.jsonl");
    fs::write(&spool, "").unwrap();
    set_mode(&spool, 0o644);

    let server = Server::start(&dir);
    assert_eq!(mode(&dir), 0o700, "the data directory");
    assert_eq!(mode(&dir.join("boss.db")), 0o600, "the database");
    assert_eq!(mode(&spool), 0o600, "the spool");
    // Open in WAL mode, the database has its write-ahead log and shared memory beside it.
    for name in ["boss.db-wal", "boss.db-shm"] {
        assert_eq!(mode(&dir.join(name)), 0o600, "{name}");
    }
    server.stop();
}

#[test]
fn a_new_data_directory_and_everything_in_it_are_private() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("fresh");
    let server = Server::start(&dir);
    assert_eq!(mode(&dir), 0o700);
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path) & 0o077, 0, "{} is private", path.display());
    }
    server.stop();
}

#[test]
fn a_data_directory_owned_by_another_user_is_refused_with_the_reason() {
    if !rustix::process::geteuid().is_root() {
        // Only root can give a directory away; under CI the tests run as root.
        assert!(std::env::var_os("CI").is_none(), "this test needs root");
        eprintln!("skipped: giving a directory to another user needs root");
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("theirs");
    fs::create_dir(&dir).unwrap();
    set_mode(&dir, 0o755);
    std::os::unix::fs::chown(&dir, Some(65534), Some(65534)).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_boss"))
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(&dir)
        .env_remove("BOSS_DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("belongs to user id 65534"),
        "the reason is given: {stderr}"
    );
    let meta = fs::metadata(&dir).unwrap();
    assert_eq!(
        (meta.uid(), meta.mode() & 0o777),
        (65534, 0o755),
        "left alone"
    );
    assert!(!dir.join("boss.db").exists());
}
