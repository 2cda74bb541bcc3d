//! The KWin window backend against a real KWin (`kwin_wayland --virtual`, headless) with GTK 3
//! windows on it: each story runs on this machine's KWin 5.27 and on Plasma 6's KWin from the
//! Debian 13 root (`scripts/trixie-root`). Each test starts its own KWin on its own bus and its
//! own windows, and ends exactly those, by PID. Without KWin (or the root) a test is skipped,
//! except under CI.
#![cfg(target_os = "linux")]

use std::time::{Duration, Instant};

use platform::{CloseOutcome, WindowCapabilities, WindowId, WindowInfo};
use testkit::desktop::{eventually, window_by_id};
use testkit::distro::Distro;
use testkit::kwin::Kwin;

/// Close timeout for applications that refuse.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(1);

/// Close timeout for applications that comply.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// Each story as two tests, `<story>::on_kwin_5_27` (this machine's) and
/// `<story>::on_plasma_6` (the Debian 13 root's KWin 6).
macro_rules! on_each_kwin {
    ($($story:ident),* $(,)?) => {$(
        mod $story {
            use super::*;

            #[test]
            fn on_kwin_5_27() {
                if let Some(kwin) = Kwin::start() {
                    super::$story(kwin);
                }
            }

            #[test]
            fn on_plasma_6() {
                if let Some(kwin) = Distro::trixie("KWin 6 tests").and_then(Kwin::start_in) {
                    super::$story(kwin);
                }
            }
        }
    )*};
}

on_each_kwin!(
    gtk_windows_on_kwin_are_listed_with_their_pids_titles_and_classes,
    a_plain_gtk_window_on_kwin_closes_and_its_process_exits,
    a_refusing_gtk_window_on_kwin_is_prompting_stays_alive_and_its_dialog_is_listed,
    closing_many_kwin_windows_shares_one_timeout,
    a_kwin_window_minimizes_and_activating_restores_it,
    without_kwin_on_the_bus_there_is_no_kwin_backend,
    xwayland_windows_on_kwin_are_listed_once_marked_and_closed_politely,
    a_kwin_window_is_placed_on_its_desktop_at_its_geometry_maximized_and_minimized,
    restacking_kwin_windows_raises_them_bottom_to_top,
    an_xwayland_window_on_kwin_is_placed_at_its_geometry,
);

fn gtk_windows_on_kwin_are_listed_with_their_pids_titles_and_classes(kwin: Kwin) {
    let windows = kwin.windows();
    let (first, one) = kwin.gtk_window(&*windows, "boss kwin one", false, None);
    let (second, two) = kwin.gtk_window(&*windows, "boss kwin two", false, None);
    let list = windows.list();
    assert!(list.available, "{list:?}");
    assert_eq!(list.backend, "kwin");
    assert_eq!(list.label, "KWin (Wayland)");
    assert_eq!(list.capabilities, WindowCapabilities::ALL);
    assert_eq!(list.window_manager.as_deref(), Some("KWin"));
    assert_eq!(one.pid, Some(first.pid()));
    assert_eq!(two.pid, Some(second.pid()));
    assert_ne!(one.id, two.id);
    assert!(one.id.as_str().starts_with("kwin:"), "{}", one.id);
    // The Wayland app id (GLib's program name).
    assert_eq!(one.class, "boss-gtk-window");
    assert!(one.closable);
    assert_eq!(one.kind, "normal");
    assert_eq!(one.transient_for, None);
    assert_eq!(one.desktop, Some(0));
    // KWin focuses the newest window.
    let two = eventually("the second window is active", || {
        window_by_id(&windows.list(), &two.id).filter(|w| w.active)
    });
    assert!(!window_by_id(&windows.list(), &one.id).unwrap().active);
    assert_eq!(two.title, "boss kwin two");
    // Boss's run-time choice in this session is the KWin backend.
    let chosen = platform::window_system(&kwin.session_env()).list();
    assert_eq!(chosen.backend, "kwin", "{chosen:?}");
    assert!(chosen.windows.iter().any(|w| w.title == "boss kwin two"));
}

fn a_plain_gtk_window_on_kwin_closes_and_its_process_exits(kwin: Kwin) {
    let windows = kwin.windows();
    let (mut process, window) = kwin.gtk_window(&*windows, "boss kwin close", false, None);
    assert_eq!(
        windows.close(&window.id, CLOSE_TIMEOUT).unwrap(),
        CloseOutcome::Closed
    );
    process
        .process
        .wait_for_exit("the closed GTK window's process exits");
    assert_eq!(window_by_id(&windows.list(), &window.id), None);
    // Closing it again: it is gone.
    assert_eq!(
        windows.close(&window.id, CLOSE_TIMEOUT).unwrap(),
        CloseOutcome::Gone
    );
}

fn a_refusing_gtk_window_on_kwin_is_prompting_stays_alive_and_its_dialog_is_listed(kwin: Kwin) {
    let windows = kwin.windows();
    let (mut refuser, window) = kwin.gtk_window(&*windows, "boss kwin refuser", true, None);
    let outcome = windows.close(&window.id, REFUSAL_TIMEOUT).unwrap();
    assert!(
        matches!(outcome, CloseOutcome::Prompting | CloseOutcome::StillOpen),
        "{outcome:?}"
    );
    refuser.wait_for_line("close-request 1");
    assert!(!refuser.has_exited(), "a refusing window must stay open");
    let dialog = eventually("the Save changes dialog is listed", || {
        windows
            .list()
            .windows
            .into_iter()
            .find(|w| w.id != window.id && w.pid == Some(refuser.pid()))
    });
    assert_eq!(dialog.title, "Save changes?");
    assert_eq!(dialog.transient_for.as_ref(), Some(&window.id));
    assert!(window_by_id(&windows.list(), &window.id).is_some());
}

fn closing_many_kwin_windows_shares_one_timeout(kwin: Kwin) {
    let windows = kwin.windows();
    let (mut plain, plain_window) = kwin.gtk_window(&*windows, "boss kwin many plain", false, None);
    let (mut refuser, refuser_window) =
        kwin.gtk_window(&*windows, "boss kwin many refuser", true, None);
    let (mut other, other_window) = kwin.gtk_window(&*windows, "boss kwin many other", true, None);
    let gone = WindowId::new("kwin", "00000000-0000-0000-0000-000000000000");
    let foreign = WindowId::new("x11", "0x00400007");
    let ids = [
        plain_window.id.clone(),
        refuser_window.id.clone(),
        other_window.id.clone(),
        gone.clone(),
        foreign.clone(),
    ];
    let started = Instant::now();
    let results = windows.close_many(&ids, REFUSAL_TIMEOUT);
    let took = started.elapsed();
    // Two refusers under one shared timeout: well under two timeouts.
    assert!(took < REFUSAL_TIMEOUT * 2, "took {took:?}");
    let outcomes: Vec<_> = results
        .into_iter()
        .map(|(id, r)| (id, r.expect("an outcome")))
        .collect();
    assert_eq!(outcomes[0], (plain_window.id.clone(), CloseOutcome::Closed));
    for (id, outcome) in &outcomes[1..3] {
        assert!(
            matches!(outcome, CloseOutcome::Prompting | CloseOutcome::StillOpen),
            "{id}: {outcome:?}"
        );
    }
    assert_eq!(outcomes[3], (gone, CloseOutcome::Gone));
    assert_eq!(outcomes[4], (foreign, CloseOutcome::Gone));
    plain
        .process
        .wait_for_exit("the plain window's process exits");
    refuser.wait_for_line("close-request 1");
    other.wait_for_line("close-request 1");
    assert!(!refuser.has_exited() && !other.has_exited());
}

fn a_kwin_window_minimizes_and_activating_restores_it(kwin: Kwin) {
    let windows = kwin.windows();
    let (_first, one) = kwin.gtk_window(&*windows, "boss kwin focus one", false, None);
    let (_second, two) = kwin.gtk_window(&*windows, "boss kwin focus two", false, None);
    windows.minimize(&two.id).unwrap();
    let minimized = eventually("the window is minimized", || {
        window_by_id(&windows.list(), &two.id).filter(|w| w.minimized)
    });
    assert!(!minimized.active);
    windows.activate(&one.id).unwrap();
    eventually("the first window is active", || {
        window_by_id(&windows.list(), &one.id).filter(|w| w.active)
    });
    windows.activate(&two.id).unwrap();
    eventually("the minimized window is restored and active", || {
        window_by_id(&windows.list(), &two.id).filter(|w| w.active && !w.minimized)
    });
    let gone = WindowId::new("kwin", "00000000-0000-0000-0000-000000000000");
    assert!(matches!(
        windows.activate(&gone),
        Err(platform::Error::NotFound(_))
    ));
    assert!(matches!(
        windows.minimize(&WindowId::new("x11", "0x1")),
        Err(platform::Error::NotFound(_))
    ));
}

fn without_kwin_on_the_bus_there_is_no_kwin_backend(kwin: Kwin) {
    let mut session = kwin.session_env();
    session.session_bus = None;
    assert!(platform::linux::wayland::kwin::KwinWindows::connect(&session).is_none());
    session.session_bus = Some("unix:path=/nonexistent/bus".to_string());
    assert!(platform::linux::wayland::kwin::KwinWindows::connect(&session).is_none());
}

fn xwayland_windows_on_kwin_are_listed_once_marked_and_closed_politely(kwin: Kwin) {
    let windows = kwin.windows();
    let title = "boss kwin xwayland";
    let xterm = kwin.xterm(title);
    testkit::gtk::check_xwayland_window(&*windows, kwin.session_env(), xterm, title);
}

fn a_kwin_window_is_placed_on_its_desktop_at_its_geometry_maximized_and_minimized(kwin: Kwin) {
    let windows = kwin.windows();
    let (_gtk, window) = kwin.gtk_window(&*windows, "boss kwin place", false, None);
    // `kwin_wayland --virtual` starts with one desktop.
    kwin.ensure_desktops(2);
    let gone = WindowId::new("kwin", "00000000-0000-0000-0000-000000000000");
    testkit::gtk::check_placement(&*windows, &window, gone);
}

fn restacking_kwin_windows_raises_them_bottom_to_top(kwin: Kwin) {
    let windows = kwin.windows();
    let (_a, a) = kwin.gtk_window(&*windows, "boss kwin stack a", false, None);
    let (_b, b) = kwin.gtk_window(&*windows, "boss kwin stack b", false, None);
    let (_c, c) = kwin.gtk_window(&*windows, "boss kwin stack c", false, None);
    let stacking = |w: &WindowInfo| windows.layout(w).unwrap().stacking.unwrap();
    // The newest is on top.
    assert!(stacking(&c) > stacking(&b) && stacking(&b) > stacking(&a));
    let gone = WindowId::new("kwin", "00000000-0000-0000-0000-000000000000");
    testkit::gtk::check_restack(&*windows, [&a, &b, &c], gone);
}

fn an_xwayland_window_on_kwin_is_placed_at_its_geometry(kwin: Kwin) {
    let windows = kwin.windows();
    let title = "boss kwin xwayland place";
    let _xterm = kwin.xterm(title);
    let window = testkit::desktop::wait_for_window(&*windows, title);
    let want = platform::Geometry {
        x: 100,
        y: 130,
        width: 420,
        height: 260,
    };
    let placement = platform::Placement {
        geometry: Some(want),
        ..platform::Placement::default()
    };
    windows.place(&window, &placement).unwrap();
    // xterm sizes itself to whole character cells.
    eventually("the xterm is at its geometry", || {
        windows
            .layout(&window)
            .ok()
            .filter(|l| testkit::desktop::geometry_near(l.geometry, want, 24))
    });
}
