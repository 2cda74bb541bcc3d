//! The sway backend against a real headless sway. Each test starts its own sway (as the test
//! kit's unprivileged user) and its own clients, and ends exactly those, by PID. Without sway
//! and the clients the tests are skipped, except under CI.
#![cfg(target_os = "linux")]

use std::time::{Duration, Instant};

use platform::{CloseOutcome, Geometry, Placement, WindowCapabilities, WindowId, WindowInfo};
use testkit::desktop::{eventually, window_by_id};
use testkit::sway::Sway;

/// Close timeout for applications that refuse.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(1);

/// Close timeout for applications that comply.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

const GTK: &str = "/usr/bin/python3";

#[test]
fn sway_lists_its_windows_with_pids_app_ids_titles_and_workspaces() {
    let Some(sway) = Sway::start(&["foot"]) else {
        return;
    };
    let windows = sway.windows();
    let (foot, window) = sway.foot(&*windows, "boss sway list");
    let list = windows.list();
    assert!(list.available, "{list:?}");
    assert_eq!(list.backend, "sway");
    assert_eq!(list.label, "sway (Wayland)");
    assert_eq!(list.capabilities, WindowCapabilities::ALL);
    assert_eq!(list.window_manager.as_deref(), Some("sway"));
    assert!(window.id.as_str().starts_with("sway:"), "{:?}", window.id);
    assert_eq!(window.pid, Some(foot.pid()));
    assert_eq!(window.class, "boss-foot");
    assert_eq!(window.desktop, Some(0));
    assert!(window.closable);
    assert!(!window.minimized);
    assert!(!window.xwayland);
    assert_eq!(window.kind, "normal");
    // sway focuses a new window.
    eventually("the terminal is active", || {
        window_by_id(&windows.list(), &window.id).filter(|w| w.active)
    });
}

#[test]
fn closing_foot_on_sway_closes_it_and_ends_its_process() {
    let Some(sway) = Sway::start(&["foot"]) else {
        return;
    };
    let windows = sway.windows();
    let (mut foot, window) = sway.foot(&*windows, "boss sway close");
    assert_eq!(
        windows.close(&window.id, CLOSE_TIMEOUT).unwrap(),
        CloseOutcome::Closed
    );
    foot.wait_for_exit("foot exits");
    assert_eq!(window_by_id(&windows.list(), &window.id), None);
    assert_eq!(
        windows.close(&window.id, CLOSE_TIMEOUT).unwrap(),
        CloseOutcome::Gone
    );
}

#[test]
fn a_gtk_window_that_asks_to_save_is_prompting_stays_alive_and_its_dialog_is_listed() {
    let Some(sway) = Sway::start(&[GTK]) else {
        return;
    };
    let windows = sway.windows();
    let mut gtk = sway.gtk_window(&*windows, "boss sway refuser", true, None);
    let window = gtk.window().clone();
    assert_eq!(window.pid, Some(gtk.process.pid()));
    assert_eq!(window.class, "boss-gtk-window");
    let outcome = windows.close(&window.id, REFUSAL_TIMEOUT).unwrap();
    assert!(
        matches!(outcome, CloseOutcome::Prompting | CloseOutcome::StillOpen),
        "{outcome:?}"
    );
    gtk.wait_for_line("close-request 1");
    assert!(!gtk.process.has_exited(), "the refusing window stays alive");
    let list = windows.list();
    let mine: Vec<_> = list
        .windows
        .iter()
        .filter(|w| w.pid == Some(gtk.process.pid()))
        .collect();
    assert!(mine.iter().any(|w| w.id == window.id), "{list:?}");
    assert!(mine.len() >= 2, "the dialog is listed: {list:?}");
    assert_eq!(outcome, CloseOutcome::Prompting, "the dialog came in time");
}

#[test]
fn closing_many_on_sway_waits_once_for_all() {
    let Some(sway) = Sway::start(&["foot", GTK]) else {
        return;
    };
    let windows = sway.windows();
    let (mut one, first) = sway.foot(&*windows, "boss sway many 1");
    let (mut two, second) = sway.foot(&*windows, "boss sway many 2");
    let gtk = sway.gtk_window(&*windows, "boss sway many refuser", true, None);
    let refuser = gtk.window().id.clone();
    let missing = WindowId::new("sway", 999_999);
    let ids = [
        first.id.clone(),
        refuser.clone(),
        second.id.clone(),
        missing.clone(),
    ];
    let started = Instant::now();
    let results = windows.close_many(&ids, REFUSAL_TIMEOUT);
    let took = started.elapsed();
    let outcomes: Vec<_> = results.iter().map(|(_, o)| *o.as_ref().unwrap()).collect();
    assert_eq!(
        results.iter().map(|(id, _)| id).collect::<Vec<_>>(),
        ids.iter().collect::<Vec<_>>()
    );
    assert_eq!(outcomes[0], CloseOutcome::Closed);
    assert!(matches!(
        outcomes[1],
        CloseOutcome::Prompting | CloseOutcome::StillOpen
    ));
    assert_eq!(outcomes[2], CloseOutcome::Closed);
    assert_eq!(outcomes[3], CloseOutcome::Gone);
    // One shared timeout, not one per window (generous for a loaded machine).
    assert!(took < REFUSAL_TIMEOUT * 3, "took {took:?}");
    one.wait_for_exit("the first foot exits");
    two.wait_for_exit("the second foot exits");
    assert!(window_by_id(&windows.list(), &refuser).is_some());
}

#[test]
fn minimizing_on_sway_moves_to_the_scratchpad_and_activating_brings_it_back() {
    let Some(sway) = Sway::start(&["foot"]) else {
        return;
    };
    let windows = sway.windows();
    let (_foot, window) = sway.foot(&*windows, "boss sway minimize");
    windows.minimize(&window.id).unwrap();
    let hidden = window_by_id(&windows.list(), &window.id).expect("still listed");
    assert!(hidden.minimized, "{hidden:?}");
    assert!(!hidden.active);
    assert_eq!(hidden.desktop, None);
    windows.activate(&window.id).unwrap();
    let back = window_by_id(&windows.list(), &window.id).expect("still listed");
    assert!(!back.minimized, "{back:?}");
    assert!(back.active, "{back:?}");
    assert_eq!(back.desktop, Some(0));
}

#[test]
fn activating_on_sway_focuses_the_window() {
    let Some(sway) = Sway::start(&["foot"]) else {
        return;
    };
    let windows = sway.windows();
    let (_one, first) = sway.foot(&*windows, "boss sway focus 1");
    let (_two, second) = sway.foot(&*windows, "boss sway focus 2");
    eventually("the newer window is active", || {
        window_by_id(&windows.list(), &second.id).filter(|w| w.active)
    });
    windows.activate(&first.id).unwrap();
    let list = windows.list();
    assert!(window_by_id(&list, &first.id).unwrap().active, "{list:?}");
    assert!(!window_by_id(&list, &second.id).unwrap().active);
}

#[test]
fn ids_that_name_no_sway_window_are_not_found() {
    let Some(sway) = Sway::start(&[]) else {
        return;
    };
    let windows = sway.windows();
    for id in [
        WindowId::new("sway", 424_242),
        WindowId::x11(0x0040_0007),
        WindowId::new("sway", "x"),
    ] {
        assert!(
            matches!(windows.activate(&id), Err(platform::Error::NotFound(_))),
            "{id}"
        );
        assert!(
            matches!(windows.minimize(&id), Err(platform::Error::NotFound(_))),
            "{id}"
        );
        assert_eq!(
            windows.close(&id, CLOSE_TIMEOUT).unwrap(),
            CloseOutcome::Gone
        );
    }
}

#[test]
fn a_forced_backend_that_does_not_answer_is_unavailable_and_says_which() {
    let session = platform::SessionEnv {
        wayland_display: Some("wayland-none".into()),
        swaysock: Some("/nonexistent/sway-ipc.sock".into()),
        forced_backend: Some("sway".into()),
        ..platform::SessionEnv::default()
    };
    let windows = platform::window_system(&session);
    let list = windows.list();
    assert!(!list.available);
    let reason = list.reason.unwrap_or_default();
    assert!(reason.contains("BOSS_WINDOW_BACKEND=sway"), "{reason}");
    assert!(matches!(
        windows.activate(&WindowId::new("sway", 1)),
        Err(platform::Error::Unsupported(_))
    ));
}

// The wlr-foreign-toplevel backend, forced (BOSS_WINDOW_BACKEND=wlr) on the same sway: what
// Hyprland, labwc, Wayfire and niri users get.

#[test]
fn wlr_lists_titles_and_app_ids_without_pids() {
    let Some(sway) = Sway::start(&["foot"]) else {
        return;
    };
    let windows = platform::window_system(&sway.session_forcing("wlr"));
    let (_foot, window) = sway.foot(&*windows, "boss wlr list");
    let list = windows.list();
    assert!(list.available, "{list:?}");
    assert_eq!(list.backend, "wlr");
    assert_eq!(list.label, "wlroots (Wayland)");
    assert_eq!(
        list.capabilities,
        WindowCapabilities {
            pid: false,
            desktop: false,
            ..WindowCapabilities::ALL
        }
    );
    assert!(window.id.as_str().starts_with("wlr:"), "{:?}", window.id);
    assert_eq!(window.class, "boss-foot");
    assert_eq!(window.pid, None);
    assert!(window.closable);
    eventually("the terminal is active", || {
        window_by_id(&windows.list(), &window.id).filter(|w| w.active)
    });
}

#[test]
fn wlr_closes_foot_and_sees_the_refusing_window_prompt() {
    let Some(sway) = Sway::start(&["foot", GTK]) else {
        return;
    };
    let windows = platform::window_system(&sway.session_forcing("wlr"));
    let (mut foot, window) = sway.foot(&*windows, "boss wlr close");
    let mut gtk = sway.gtk_window(&*windows, "boss wlr refuser", true, None);
    let refuser = gtk.window().id.clone();
    let results = windows.close_many(&[window.id.clone(), refuser.clone()], REFUSAL_TIMEOUT);
    assert_eq!(results[0].1.as_ref().unwrap(), &CloseOutcome::Closed);
    let refused = *results[1].1.as_ref().unwrap();
    assert!(
        matches!(refused, CloseOutcome::Prompting | CloseOutcome::StillOpen),
        "{refused:?}"
    );
    foot.wait_for_exit("foot exits");
    gtk.wait_for_line("close-request 1");
    assert!(!gtk.process.has_exited());
    assert!(window_by_id(&windows.list(), &refuser).is_some());
    assert_eq!(
        windows.close(&window.id, CLOSE_TIMEOUT).unwrap(),
        CloseOutcome::Gone
    );
}

#[test]
fn wlr_activates_a_window() {
    let Some(sway) = Sway::start(&["foot"]) else {
        return;
    };
    let windows = platform::window_system(&sway.session_forcing("wlr"));
    let (_one, first) = sway.foot(&*windows, "boss wlr focus 1");
    let (_two, second) = sway.foot(&*windows, "boss wlr focus 2");
    eventually("the newer window is active", || {
        window_by_id(&windows.list(), &second.id).filter(|w| w.active)
    });
    windows.activate(&first.id).unwrap();
    eventually("the first window is active", || {
        window_by_id(&windows.list(), &first.id).filter(|w| w.active)
    });
    // sway ignores minimize requests (it has no minimized state); the request is still
    // accepted, as other wlroots compositors act on it.
    windows.minimize(&first.id).unwrap();
    assert!(matches!(
        windows.activate(&WindowId::new("wlr", 999_999)),
        Err(platform::Error::NotFound(_))
    ));
}

#[test]
fn boss_started_before_sway_finds_it_once_it_runs() {
    let Some(mut sway) = Sway::prepare(&["foot"]) else {
        return;
    };
    // As a user service sees it: only the runtime directory, no sockets named yet.
    let session = platform::SessionEnv {
        runtime_dir: Some(sway.runtime_dir().display().to_string()),
        ..platform::SessionEnv::default()
    };
    let windows = platform::window_system(&session);
    assert!(!windows.list().available);
    sway.launch();
    let list = eventually("the sway backend is chosen", || {
        Some(windows.list()).filter(|l| l.backend == "sway")
    });
    assert!(list.available, "{list:?}");
    let (_foot, window) = sway.foot(&*windows, "boss sway late");
    assert!(window.id.as_str().starts_with("sway:"));
}

/// sway with Xwayland (for xterm), Xwayland's display, and the session as Boss would find it
/// there (with `DISPLAY`); `None` where sway or Xwayland is missing.
fn sway_with_xwayland() -> Option<(Sway, String, platform::SessionEnv)> {
    let sway = Sway::start(&["xterm", "Xwayland"])?;
    let display = sway.xwayland_display();
    let session = platform::SessionEnv {
        display: Some(display.clone()),
        ..sway.session()
    };
    Some((sway, display, session))
}

#[test]
fn xwayland_windows_on_sway_are_listed_once_marked_tell_their_command_and_close_politely() {
    let Some((sway, display, session)) = sway_with_xwayland() else {
        return;
    };
    let windows = platform::window_system(&session);
    let mut xterm = sway.spawn_x11(
        &display,
        "xterm",
        &["-T", "boss xwayland", "-e", "sleep", "600"],
    );
    let window = testkit::desktop::wait_for_window(&*windows, "boss xwayland");
    let list = windows.list();
    assert_eq!(list.backend, "sway");
    let same: Vec<_> = list
        .windows
        .iter()
        .filter(|w| w.title == "boss xwayland")
        .collect();
    assert_eq!(same.len(), 1, "listed once: {list:?}");
    assert!(window.xwayland, "{window:?}");
    assert!(window.id.as_str().starts_with("sway:"));
    assert_eq!(window.class, "XTerm");
    assert_eq!(window.instance, "xterm");
    assert_eq!(window.pid, Some(xterm.pid()));
    // Its layout has the command the X11 client says started it.
    let command = windows.layout(&window).unwrap().command;
    let command = command.expect("xterm sets WM_COMMAND");
    assert!(command[0].ends_with("xterm"), "{command:?}");
    assert!(command.iter().any(|a| a == "boss xwayland"), "{command:?}");
    let window = eventually("the X server says it accepts close requests", || {
        window_by_id(&windows.list(), &window.id).filter(|w| w.closable)
    });
    assert_eq!(
        windows.close(&window.id, CLOSE_TIMEOUT).unwrap(),
        CloseOutcome::Closed
    );
    xterm.wait_for_exit("the xterm exits");
}

/// An X11 window without `WM_DELETE_WINDOW` on `display`, titled `title` (see
/// [`testkit::desktop::bare_x11_window`]): wlroots would close it by killing its client, so
/// Boss must not ask.
fn undeletable_x11_window(
    display: &str,
    title: &[u8],
) -> (x11rb::rust_connection::RustConnection, u32) {
    let (conn, screen) = x11rb::connect(Some(display)).expect("connect to Xwayland");
    let w = testkit::desktop::bare_x11_window(
        &conn,
        screen,
        x11rb::protocol::xproto::AtomEnum::STRING,
        title,
    );
    (conn, w)
}

#[test]
fn x11_windows_that_would_be_killed_are_not_closed_on_sway_nor_through_wlr() {
    let Some((sway, display, session)) = sway_with_xwayland() else {
        return;
    };
    let forced = platform::SessionEnv {
        forced_backend: Some("wlr".into()),
        ..session.clone()
    };
    let mut xterm = sway.spawn_x11(
        &display,
        "xterm",
        &["-T", "boss wlr xwayland", "-e", "sleep", "600"],
    );
    // Once sway manages X11 windows (a window mapped before its X window manager is ready
    // would never be managed).
    testkit::desktop::wait_for_window(&*platform::window_system(&session), "boss wlr xwayland");
    let (conn, _bare) = undeletable_x11_window(&display, b"boss bare");
    for session in [&session, &forced] {
        let windows = platform::window_system(session);
        let bare = testkit::desktop::wait_for_window(&*windows, "boss bare");
        assert!(bare.xwayland, "{bare:?}");
        assert!(!bare.closable, "{bare:?}");
        assert_eq!(
            windows.close(&bare.id, CLOSE_TIMEOUT).unwrap(),
            CloseOutcome::Unsupported
        );
        let term = eventually("the xterm is listed as a closable X11 window", || {
            windows
                .list()
                .windows
                .into_iter()
                .find(|w| w.title == "boss wlr xwayland" && w.closable)
        });
        assert!(term.xwayland, "{term:?}");
    }
    // Nothing was sent to the bare window: its client is still connected.
    use x11rb::wrapper::ConnectionExt as _;
    conn.sync()
        .expect("the bare window's client was not killed");
    // And the xterm closes politely through wlr.
    let windows = platform::window_system(&forced);
    let term = testkit::desktop::wait_for_window(&*windows, "boss wlr xwayland");
    assert_eq!(
        windows.close(&term.id, CLOSE_TIMEOUT).unwrap(),
        CloseOutcome::Closed
    );
    xterm.wait_for_exit("the xterm exits");
}

/// How far a placed window may be from where it was asked to go: foot sizes its grid to
/// whole cells.
const TOLERANCE: u32 = 24;

fn near(got: Geometry, want: Geometry) -> bool {
    testkit::desktop::geometry_near(got, want, TOLERANCE)
}

#[test]
fn on_sway_a_floating_window_is_placed_on_its_workspace_at_its_geometry_and_read_back() {
    let Some(sway) = Sway::start(&["foot"]) else {
        return;
    };
    let windows = sway.windows();
    let (_foot, window) = sway.foot(&*windows, "boss sway place");
    let tiled = windows.layout(&window).unwrap();
    assert!(tiled.tiled && !tiled.maximized, "{tiled:?}");
    assert_eq!(tiled.command, None, "no WM_COMMAND on Wayland");

    let want = Geometry {
        x: 120,
        y: 90,
        width: 500,
        height: 300,
    };
    let placement = Placement {
        desktop: Some(2),
        geometry: Some(want),
        tiled: Some(false),
        ..Placement::default()
    };
    windows.place(&window, &placement).unwrap();
    // Desktop 2 is workspace number 3, made for it.
    let moved = eventually("the window is on desktop 2", || {
        window_by_id(&windows.list(), &window.id).filter(|w| w.desktop == Some(2))
    });
    assert!(!moved.minimized);
    let layout = eventually("the window is at its geometry", || {
        windows
            .layout(&moved)
            .ok()
            .filter(|l| near(l.geometry, want))
    });
    assert!(!layout.tiled && !layout.maximized, "{layout:?}");

    // Placing it again where it is changes nothing.
    windows.place(&moved, &placement).unwrap();
    let again = windows.layout(&moved).unwrap();
    assert!(near(again.geometry, want), "{again:?}");

    // Fullscreen stands for maximized; minimized is the scratchpad; back to a tile.
    let maximize = Placement {
        maximized: true,
        ..Placement::default()
    };
    windows.place(&moved, &maximize).unwrap();
    eventually("the window is fullscreen", || {
        windows.layout(&moved).ok().filter(|l| l.maximized)
    });
    let minimize = Placement {
        minimized: true,
        ..Placement::default()
    };
    windows.place(&moved, &minimize).unwrap();
    let hidden = eventually("the window is in the scratchpad", || {
        window_by_id(&windows.list(), &window.id).filter(|w| w.minimized)
    });
    let back = Placement {
        desktop: Some(0),
        tiled: Some(true),
        ..Placement::default()
    };
    windows.place(&hidden, &back).unwrap();
    let shown = eventually("the window is back on desktop 0", || {
        window_by_id(&windows.list(), &window.id).filter(|w| w.desktop == Some(0) && !w.minimized)
    });
    let layout = windows.layout(&shown).unwrap();
    assert!(layout.tiled && !layout.maximized, "{layout:?}");
}

#[test]
fn on_sway_restacking_focuses_bottom_to_top_and_gives_the_focus_back() {
    let Some(sway) = Sway::start(&["foot"]) else {
        return;
    };
    let windows = sway.windows();
    let (_a, a) = sway.foot(&*windows, "boss sway stack a");
    let (_b, b) = sway.foot(&*windows, "boss sway stack b");
    let (_c, c) = sway.foot(&*windows, "boss sway stack c");
    // Two floating windows on desktop 1; the focus stays with c on desktop 0.
    for window in [&a, &b] {
        let placement = Placement {
            desktop: Some(1),
            geometry: Some(Geometry {
                x: 100,
                y: 100,
                width: 400,
                height: 300,
            }),
            tiled: Some(false),
            ..Placement::default()
        };
        windows.place(window, &placement).unwrap();
    }
    windows.activate(&c.id).unwrap();
    let stacking = |w: &WindowInfo| windows.layout(w).unwrap().stacking.unwrap();

    windows.restack(&[b.clone(), a.clone()]).unwrap();
    assert!(stacking(&a) > stacking(&b), "a ends in front");
    windows.restack(&[a.clone(), b.clone()]).unwrap();
    assert!(stacking(&b) > stacking(&a), "b ends in front");
    let list = windows.list();
    assert!(
        window_by_id(&list, &c.id).unwrap().active,
        "c has the focus back"
    );
    assert_eq!(window_by_id(&list, &a.id).unwrap().desktop, Some(1));
}
