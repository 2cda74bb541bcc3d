//! Test fixtures shared by the platform crate's, the app crate's and (for the refusing window)
//! the browser tests: real parts, started by the test and ended by PID when dropped.
//!
//! - [`process::Process`]: a child ended (TERM, then KILL) and reaped on drop, and
//!   [`client::ClientWindow`], a scripted window and what it printed (the refuser, sway's GTK
//!   window);
//! - [`desktop::Desktop`]: a private X server (Xvfb) with openbox, and client windows on it
//!   (xterm, the refusing Tk window of `fixtures/refuser.py`);
//! - [`postgres::TempPostgres`]: a throwaway PostgreSQL cluster on a Unix socket;
//! - [`sway::Sway`]: a headless sway (as an unprivileged user of its own) with foot and GTK
//!   windows on it;
//! - [`kwin::Kwin`]: a private KWin Wayland session, with GTK windows ([`gtk::GtkWindow`]);
//! - [`gnome::GnomeShell`]: a private GNOME Shell with Boss's extension, GTK windows on it;
//! - [`distro::Distro`]: where a compositor comes from, this machine or the Debian 13 root
//!   (GNOME Shell 48, KWin 6) that `scripts/trixie-root` builds.
//!
//! Every fixture checks its prerequisites with [`require`]: missing programs skip the test on
//! a developer's machine and fail it under `CI`.

pub mod client;
pub mod desktop;
pub mod distro;
pub mod gnome;
pub mod gtk;
pub mod kwin;
pub mod postgres;
pub mod process;
pub mod sway;

/// Whether `programs` (names on `PATH`, or paths) all exist. When some are missing: `false` (the test should
/// return, skipped) with a message, or a panic when `CI` is set (CI must run every test).
pub fn require(programs: &[&str], what: &str) -> bool {
    let missing: Vec<_> = programs.iter().filter(|p| !found(p)).collect();
    if missing.is_empty() {
        return true;
    }
    let message = format!(
        "{what}: missing {missing:?} (Debian: xvfb openbox xterm x11-apps python3-tk \
         postgresql-15)"
    );
    assert!(
        std::env::var_os("CI").is_none(),
        "{message} (CI must run these tests)"
    );
    eprintln!("skipping: {message}");
    false
}

fn found(program: &str) -> bool {
    if program.contains('/') {
        return std::path::Path::new(program).is_file();
    }
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}
