//! The windows API on GNOME: a real GNOME Shell (headless) with Boss's extension, on
//! buses of its own, GTK windows the test starts itself, and the app's window monitor on that
//! shell; and `boss desktop gnome-extension install` in that session. On this machine's
//! GNOME Shell 43 (the extension's script form) and on GNOME Shell 48 from the Debian 13 root
//! (`scripts/trixie-root`; its ES-module form). Skipped without GNOME Shell (or the root),
//! except under CI.

mod common;

use std::sync::Arc;

use testkit::distro::Distro;
use testkit::gnome::GnomeShell;

#[tokio::test]
async fn on_gnome_the_api_lists_windows_and_close_all_spares_the_browser_and_the_refuser() {
    if let Some(shell) = GnomeShell::start() {
        story(shell, "the GNOME Shell 43-44 form").await;
    }
}

#[tokio::test]
async fn on_gnome_48_the_api_lists_windows_and_close_all_spares_the_browser_and_the_refuser() {
    if let Some(shell) = Distro::trixie("GNOME Shell 48 tests").and_then(GnomeShell::start_in) {
        story(shell, "the ES-module form for GNOME Shell 45 and later").await;
    }
}

/// The API's story, then the CLI's install, which must pick `form` for the running shell.
async fn story(shell: GnomeShell, form: &str) {
    let system: Arc<dyn platform::WindowSystem> = Arc::from(shell.windows());
    common::wayland::close_all_story(
        system,
        "gnome",
        "GNOME Shell (Wayland)",
        |windows, title, refuse, port| shell.gtk_window(windows, title, refuse, port),
    )
    .await;

    // The CLI installs the extension for a user of this session and enables it through the
    // running shell, which already knows it: it says the extension runs.
    let home = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_boss"))
        .args(["desktop", "gnome-extension", "install"])
        .env("HOME", home.path())
        .env_remove("XDG_DATA_HOME")
        .env("DBUS_SESSION_BUS_ADDRESS", &shell.bus)
        .env("XDG_RUNTIME_DIR", &shell.runtime_dir)
        .env("WAYLAND_DISPLAY", "wayland-boss")
        .output()
        .expect("run boss");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let installed = home
        .path()
        .join(".local/share/gnome-shell/extensions/windows@boss-of-apps");
    assert!(installed.join("metadata.json").is_file());
    assert!(installed.join("extension.js").is_file());
    assert!(said.contains("enabled and running"), "{said}");
    // The form for this shell, chosen by the running shell's version.
    assert!(said.contains(form), "{said}");
    assert!(said.contains("runs in this session"), "{said}");
}
