//! Where a fixture's compositor comes from: this machine (Debian 12: GNOME Shell 43, KWin
//! 5.27), or the Debian 13 "trixie" root that `scripts/trixie-root` builds (GNOME Shell 48,
//! KWin 6), for the newer desktops' APIs.
//!
//! A program of the root runs chrooted in a private mount namespace (`unshare --mount`): the
//! root gets `/proc`, `/dev` and `/sys`, an empty `/run` (no `/run/systemd`, so GNOME Shell does
//! not take the logind path; a `/run/dbus` for its own system bus) and the machine's `/tmp`,
//! bind-mounted. A fixture's temporary directory (under `/tmp`) thus has the same path on both
//! sides, and so do the Wayland and D-Bus sockets the compositor makes there: the test
//! process, where Boss's platform crate runs, reaches them as in a session of this machine.
//! There is no PID namespace: PIDs are the machine's. Nothing is mounted outside the
//! namespace, which ends with its last process.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where `scripts/trixie-root` puts the root unless `BOSS_TRIXIE_ROOT` says otherwise.
pub const DEFAULT_TRIXIE_ROOT: &str = "/var/tmp/boss-trixie";

/// The file the script writes last, once the root is complete.
const STAMP: &str = ".boss-trixie-root";

/// The system a fixture's programs come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Distro {
    /// This machine's own programs.
    Host,
    /// The Debian 13 root at this path.
    Trixie(PathBuf),
}

impl Distro {
    /// The Debian 13 root, when built. `None`: skipped (not built, not in CI); under `CI` a
    /// missing root fails the test ([`crate::require`]).
    pub fn trixie(what: &str) -> Option<Distro> {
        let root = std::env::var_os("BOSS_TRIXIE_ROOT")
            .filter(|v| !v.is_empty())
            .map_or_else(|| PathBuf::from(DEFAULT_TRIXIE_ROOT), PathBuf::from);
        let stamp = root.join(STAMP);
        let stamp = stamp.to_string_lossy();
        let what = format!("{what} (build the Debian 13 root with scripts/trixie-root)");
        crate::require(&["unshare", "chroot", &stamp], &what).then_some(Distro::Trixie(root))
    }

    /// A command running `program` (a name on the system's `PATH`, or an absolute path seen
    /// from inside the system) on this system. Its environment and arguments are passed
    /// through unchanged.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        match self {
            Distro::Host => Command::new(program),
            Distro::Trixie(root) => {
                let mut command = Command::new("unshare");
                command
                    .args([
                        "--mount",
                        "--propagation",
                        "private",
                        "sh",
                        "-c",
                        MOUNT_AND_CHROOT,
                    ])
                    .arg("sh")
                    .arg(root)
                    .arg(program);
                command
            }
        }
    }

    /// The file at `path` (absolute) of this system, as seen from the machine.
    pub fn file(&self, path: &str) -> PathBuf {
        match self {
            Distro::Host => PathBuf::from(path),
            Distro::Trixie(root) => root.join(path.trim_start_matches('/')),
        }
    }

    /// The root's path, for messages; `/` for the machine.
    pub fn root(&self) -> &Path {
        match self {
            Distro::Host => Path::new("/"),
            Distro::Trixie(root) => root,
        }
    }
}

/// `sh -c` script: `$1` the root, then the command. `exec` keeps the PID the command's.
const MOUNT_AND_CHROOT: &str = r#"
    root=$1; shift
    mount -t proc proc "$root/proc" && mount --rbind /dev "$root/dev" &&
        mount --rbind /sys "$root/sys" && mount -t tmpfs none "$root/run" &&
        mkdir "$root/run/dbus" && mount --rbind /tmp "$root/tmp" || exit 1
    exec chroot "$root" "$@""#;
