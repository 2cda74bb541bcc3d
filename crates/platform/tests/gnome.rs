//! The GNOME window backend against a real GNOME Shell (`gnome-shell --headless --wayland`)
//! with Boss's extension, and GTK 3 windows on it: this machine's GNOME Shell 43 with the
//! extension's script form, and GNOME Shell 48 from the Debian 13 root (`scripts/trixie-root`)
//! with its ES-module form. GNOME Shell takes seconds to start, so one shell serves one test
//! with several checks. Everything a test started is ended on drop. Without GNOME Shell (or
//! the root) a test is skipped, except under CI.
#![cfg(target_os = "linux")]

use std::time::{Duration, Instant};

use platform::linux::wayland::gnome::{self, GnomeWindows};
use platform::{CloseOutcome, GnomeExtensionForm, GnomeShellFound, WindowCapabilities, WindowId};
use testkit::desktop::{eventually, window_by_id};
use testkit::distro::Distro;
use testkit::gnome::GnomeShell;

/// Close timeout for applications that refuse.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(1);

/// Close timeout for applications that comply.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

#[test]
fn on_gnome_shell_windows_are_listed_placed_restacked_closed_politely_activated_and_minimized() {
    let Some(shell) = GnomeShell::start() else {
        return;
    };
    assert!(
        shell.version.starts_with("GNOME Shell 4"),
        "{}",
        shell.version
    );
    placing(&shell);
    story(&shell);
}

#[test]
fn on_gnome_shell_48_the_es_module_extension_lists_places_restacks_closes_activates_and_minimizes_windows()
 {
    let Some(shell) = Distro::trixie("GNOME Shell 48 tests").and_then(GnomeShell::start_in) else {
        return;
    };
    assert!(
        shell.version.starts_with("GNOME Shell 48."),
        "{}",
        shell.version
    );
    // The running shell tells its version, and the form Boss installs for it is the module.
    let running = eventually("the shell tells its version", || {
        gnome::running_shell_version(&shell.session_env())
    });
    assert!(running.starts_with("48."), "{running}");
    let data_home = tempfile::tempdir().unwrap();
    let installed = gnome::install_extension_for(data_home.path(), &shell.session_env()).unwrap();
    assert_eq!(installed.form, GnomeExtensionForm::Module);
    assert_eq!(
        installed.shell_version,
        Some((running, GnomeShellFound::Running))
    );
    let script = std::fs::read_to_string(installed.dir.join("extension.js")).unwrap();
    assert!(script.contains("export default class"), "{script}");
    placing(&shell);
    story(&shell);
}

/// Listing, minimize and activate, a refusing and a plain window closed, several at once,
/// then the extension disabled: on any GNOME Shell.
fn story(shell: &GnomeShell) {
    let windows = shell.windows();
    // With the extension answering there is nothing missing to report.
    assert_eq!(GnomeWindows::missing_extension(&shell.session_env()), None);
    // Boss's run-time choice in this session is the GNOME backend.
    let chosen = platform::window_system(&shell.session_env()).list();
    assert_eq!(chosen.backend, "gnome", "{chosen:?}");

    // Listing, with PIDs.
    let (mut plain, plain_window) = shell.gtk_window(&*windows, "boss gnome plain", false, None);
    let (mut refuser, refuser_window) =
        shell.gtk_window(&*windows, "boss gnome refuser", true, None);
    let list = windows.list();
    assert!(list.available, "{list:?}");
    assert_eq!(list.backend, "gnome");
    assert_eq!(list.label, "GNOME Shell (Wayland)");
    assert_eq!(list.capabilities, WindowCapabilities::ALL);
    assert_eq!(plain_window.pid, Some(plain.pid()));
    assert_eq!(refuser_window.pid, Some(refuser.pid()));
    assert!(
        plain_window.id.as_str().starts_with("gnome:"),
        "{}",
        plain_window.id
    );
    assert_eq!(plain_window.class, "boss-gtk-window");
    assert!(plain_window.closable);
    assert_eq!(plain_window.kind, "normal");
    assert_eq!(plain_window.desktop, Some(0));

    // Minimize, then activate restores.
    windows.minimize(&plain_window.id).unwrap();
    eventually("the window is minimized", || {
        window_by_id(&windows.list(), &plain_window.id).filter(|w| w.minimized && !w.active)
    });
    windows.activate(&plain_window.id).unwrap();
    eventually("the window is restored and active", || {
        window_by_id(&windows.list(), &plain_window.id).filter(|w| w.active && !w.minimized)
    });
    let gone = WindowId::new("gnome", 999_999_999);
    assert!(matches!(
        windows.activate(&gone),
        Err(platform::Error::NotFound(_))
    ));

    // A refusing window: prompting or still open, alive, its dialog listed.
    let outcome = windows.close(&refuser_window.id, REFUSAL_TIMEOUT).unwrap();
    assert!(
        matches!(outcome, CloseOutcome::Prompting | CloseOutcome::StillOpen),
        "{outcome:?}"
    );
    refuser.wait_for_line("close-request 1");
    assert!(!refuser.has_exited());
    let dialog = eventually("the Save changes dialog is listed", || {
        windows
            .list()
            .windows
            .into_iter()
            .find(|w| w.id != refuser_window.id && w.pid == Some(refuser.pid()))
    });
    assert_eq!(dialog.title, "Save changes?");
    assert_eq!(dialog.transient_for.as_ref(), Some(&refuser_window.id));

    // A plain window closes and its process exits.
    assert_eq!(
        windows.close(&plain_window.id, CLOSE_TIMEOUT).unwrap(),
        CloseOutcome::Closed
    );
    plain
        .process
        .wait_for_exit("the closed window's process exits");
    assert_eq!(
        windows.close(&plain_window.id, CLOSE_TIMEOUT).unwrap(),
        CloseOutcome::Gone
    );

    // Several at once under one timeout.
    let (mut a, a_window) = shell.gtk_window(&*windows, "boss gnome many a", false, None);
    let (mut other, other_window) =
        shell.gtk_window(&*windows, "boss gnome many other", true, None);
    let ids = [a_window.id.clone(), other_window.id.clone(), gone.clone()];
    let started = Instant::now();
    let results = windows.close_many(&ids, REFUSAL_TIMEOUT);
    assert!(started.elapsed() < REFUSAL_TIMEOUT * 2);
    let outcomes: Vec<_> = results.into_iter().map(|(_, r)| r.unwrap()).collect();
    assert_eq!(outcomes[0], CloseOutcome::Closed);
    assert!(
        matches!(
            outcomes[1],
            CloseOutcome::Prompting | CloseOutcome::StillOpen
        ),
        "{:?}",
        outcomes[1]
    );
    assert_eq!(outcomes[2], CloseOutcome::Gone);
    a.process.wait_for_exit("the closed window's process exits");
    other.wait_for_line("close-request 1");
    assert!(!other.has_exited());

    // An X11 window through Xwayland: listed once, marked, closed politely.
    let title = "boss gnome xwayland";
    let xterm = shell.xterm(title);
    testkit::gtk::check_xwayland_window(&*windows, shell.session_env(), xterm, title);

    // Without the extension running, the backend is not offered and the reason says what to
    // do.
    let disabled = std::process::Command::new("gnome-extensions")
        .args(["disable", platform::linux::wayland::gnome::EXTENSION_UUID])
        .env("DBUS_SESSION_BUS_ADDRESS", &shell.bus)
        .status()
        .expect("run gnome-extensions");
    assert!(disabled.success());
    let reason = eventually("the extension no longer answers", || {
        GnomeWindows::missing_extension(&shell.session_env())
    });
    assert!(
        reason.contains("boss desktop gnome-extension install"),
        "{reason}"
    );
    assert!(GnomeWindows::connect(&shell.session_env()).is_none());
    // ... and the window list of the run-time choice says so.
    let fallback = platform::window_system(&shell.session_env()).list();
    assert_ne!(fallback.backend, "gnome");
    let said = fallback.reason.unwrap_or_default();
    assert!(said.contains("gnome-extension install"), "{said}");
}

/// Layout, placement on a second workspace (GNOME's workspaces are dynamic: there is always
/// an empty one after the last used), maximized, minimized, and the stacking order.
fn placing(shell: &GnomeShell) {
    let windows = shell.windows();
    let (_a, a) = shell.gtk_window(&*windows, "boss gnome place a", false, None);
    let (_b, b) = shell.gtk_window(&*windows, "boss gnome place b", false, None);
    let (_c, c) = shell.gtk_window(&*windows, "boss gnome place c", false, None);
    let gone = || WindowId::new("gnome", 999_999_999);
    testkit::gtk::check_restack(&*windows, [&a, &b, &c], gone());
    testkit::gtk::check_placement(&*windows, &a, gone());

    // A method the extension lacks (as one installed by an older Boss lacks Place) is
    // answered UnknownMethod, which zbus gives as such and Boss tells apart from an extension
    // that does not answer.
    let conn = zbus::block_on(zbus::connection::Builder::address(shell.bus.as_str()).build())
        .expect("the shell's bus");
    let lacking = zbus::block_on(conn.call_method(
        Some("org.gnome.Shell"),
        "/org/boss/Windows",
        Some("org.boss.Windows"),
        "NoSuchMethod",
        &(),
    ));
    assert!(
        matches!(&lacking, Err(zbus::Error::FDO(e)) if matches!(**e, zbus::fdo::Error::UnknownMethod(_))),
        "{lacking:?}"
    );
}
