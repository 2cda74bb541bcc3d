//! The X11 window backend against real X servers. Each test starts its own Xvfb (plus openbox
//! when it needs a window manager) and its own client programs, and ends exactly those, by
//! PID. Without Xvfb and the client programs the tests are skipped, except under CI.
#![cfg(target_os = "linux")]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use platform::{CloseOutcome, WindowId};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::ConnectionExt as _;
use x11rb::wrapper::ConnectionExt as _;

use testkit::desktop::{Desktop, eventually, wait_for_window, window_by_id};
use testkit::process::Process;

/// Close timeout for applications that refuse.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(1);

/// Close timeout for applications that comply: they answer within milliseconds.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

#[test]
fn an_xterm_is_listed_with_its_pid_title_and_class() {
    let Some(desktop) = Desktop::start(true, &["xterm"]) else {
        return;
    };
    let windows = desktop.windows();
    let (xterm, window) = desktop.xterm(&*windows, "boss list test");
    let list = windows.list();
    assert!(list.available, "{list:?}");
    assert_eq!(list.backend, "x11");
    assert_eq!(list.reason, None);
    assert_eq!(list.window_manager.as_deref(), Some("Openbox"));
    assert_eq!(window.pid, Some(xterm.pid()));
    assert_eq!(window.class, "XTerm");
    assert_eq!(window.instance, "xterm");
    assert!(window.closable);
    assert!(!window.minimized);
    assert_eq!(window.kind, "normal");
    assert_eq!(window.transient_for, None);
    assert_eq!(window.desktop, Some(0));
    // Openbox focuses a new window.
    let window = eventually("the xterm is active", || {
        window_by_id(&windows.list(), &window.id).filter(|w| w.active)
    });
    assert_eq!(window.title, "boss list test");
}

#[test]
fn closing_an_xterm_closes_it_and_ends_its_process() {
    let Some(desktop) = Desktop::start(true, &["xterm"]) else {
        return;
    };
    let windows = desktop.windows();
    let (mut xterm, window) = desktop.xterm(&*windows, "boss close test");
    let outcome = windows.close(&window.id, CLOSE_TIMEOUT).unwrap();
    assert_eq!(outcome, CloseOutcome::Closed);
    xterm.wait_for_exit("the xterm exits");
    assert_eq!(window_by_id(&windows.list(), &window.id), None);
}

#[test]
fn a_refusing_window_is_still_open_after_the_timeout() {
    let Some(desktop) = Desktop::start(true, &["python3"]) else {
        return;
    };
    let windows = desktop.windows();
    let mut refuser = desktop.refuser(&*windows, "boss refuser", false, None);
    assert!(refuser.window().closable);
    assert_eq!(refuser.window().pid, Some(refuser.process.pid()));
    let id = refuser.window().id.clone();
    let (outcome, took) = std::thread::scope(|scope| {
        let closing = scope.spawn(|| {
            let started = Instant::now();
            let outcome = windows.close(&id, REFUSAL_TIMEOUT).unwrap();
            (outcome, started.elapsed())
        });
        // Meanwhile the same connection keeps serving listings (the live table polls it).
        std::thread::sleep(Duration::from_millis(100));
        let started = Instant::now();
        assert!(windows.list().available);
        let listing = started.elapsed();
        assert!(
            listing < Duration::from_millis(300),
            "a close in progress must not hold up a listing: {listing:?}"
        );
        closing.join().unwrap()
    });
    assert_eq!(outcome, CloseOutcome::StillOpen);
    assert!(
        took >= REFUSAL_TIMEOUT,
        "waited the whole timeout: {took:?}"
    );
    assert!(
        took < REFUSAL_TIMEOUT + Duration::from_secs(2),
        "no longer: {took:?}"
    );
    refuser.wait_for_line("close-request 1");
    assert!(!refuser.process.has_exited(), "never killed");
    assert!(window_by_id(&windows.list(), &refuser.window().id).is_some());
}

#[test]
fn a_window_that_asks_to_save_is_prompting_and_its_dialog_is_listed() {
    let Some(desktop) = Desktop::start(true, &["python3"]) else {
        return;
    };
    let windows = desktop.windows();
    let mut refuser = desktop.refuser(&*windows, "boss prompter", true, None);
    let id = refuser.window().id.clone();
    let outcome = windows.close(&id, CLOSE_TIMEOUT).unwrap();
    assert_eq!(outcome, CloseOutcome::Prompting);
    refuser.wait_for_line("close-request 1");
    let dialog = wait_for_window(&*windows, "Save changes?");
    assert_eq!(dialog.transient_for, Some(id));
    assert_eq!(dialog.pid, Some(refuser.process.pid()));
    assert_eq!(dialog.kind, "dialog");
    assert!(!refuser.process.has_exited());
}

#[test]
fn closing_many_sends_all_requests_then_waits_once() {
    let Some(desktop) = Desktop::start(true, &["xterm", "python3"]) else {
        return;
    };
    let windows = desktop.windows();
    let (mut a, window_a) = desktop.xterm(&*windows, "boss many A");
    let (mut b, window_b) = desktop.xterm(&*windows, "boss many B");
    let refuser = desktop.refuser(&*windows, "boss many refuser", false, None);
    let ids = [
        window_a.id.clone(),
        window_b.id.clone(),
        refuser.window().id.clone(),
    ];
    let started = Instant::now();
    let outcomes = windows.close_many(&ids, REFUSAL_TIMEOUT);
    let took = started.elapsed();
    let outcomes: Vec<_> = outcomes
        .into_iter()
        .map(|(id, outcome)| (id, outcome.unwrap()))
        .collect();
    assert_eq!(
        outcomes,
        vec![
            (window_a.id.clone(), CloseOutcome::Closed),
            (window_b.id.clone(), CloseOutcome::Closed),
            (refuser.window().id.clone(), CloseOutcome::StillOpen),
        ]
    );
    // One shared timeout, not one per window.
    assert!(
        took < REFUSAL_TIMEOUT + Duration::from_millis(900),
        "took {took:?}"
    );
    a.wait_for_exit("xterm A exits");
    b.wait_for_exit("xterm B exits");
}

#[test]
fn minimize_then_activate_restores_and_focuses() {
    let Some(desktop) = Desktop::start(true, &["xterm"]) else {
        return;
    };
    let windows = desktop.windows();
    let (_xterm, window) = desktop.xterm(&*windows, "boss minimize test");
    windows.minimize(&window.id).unwrap();
    let minimized = eventually("the xterm is minimized", || {
        window_by_id(&windows.list(), &window.id).filter(|w| w.minimized)
    });
    // Openbox names the next active window a moment after iconifying; a minimized window
    // is never reported active meanwhile.
    assert!(!minimized.active, "a minimized window is not active");
    windows.activate(&window.id).unwrap();
    eventually("the xterm is restored and active", || {
        window_by_id(&windows.list(), &window.id).filter(|w| !w.minimized && w.active)
    });
}

#[test]
fn without_a_window_manager_windows_are_found_in_the_tree() {
    let Some(desktop) = Desktop::start(false, &["xterm"]) else {
        return;
    };
    let windows = desktop.windows();
    let (mut xterm, window) = desktop.xterm(&*windows, "boss bare xterm");
    let list = windows.list();
    assert!(list.available);
    assert_eq!(list.window_manager, None);
    assert_eq!(window.pid, Some(xterm.pid()));
    assert_eq!(window.class, "XTerm");
    assert!(window.closable);
    assert_eq!(window.desktop, None);

    // Activation without a manager: map, raise, focus.
    windows.activate(&window.id).unwrap();
    eventually("the xterm has the focus", || {
        window_by_id(&windows.list(), &window.id).filter(|w| w.active)
    });

    let err = windows.minimize(&window.id).unwrap_err();
    assert!(matches!(err, platform::Error::Unsupported(_)), "{err:?}");

    let outcome = windows.close(&window.id, CLOSE_TIMEOUT).unwrap();
    assert_eq!(outcome, CloseOutcome::Closed);
    xterm.wait_for_exit("the xterm exits");
}

#[test]
fn an_unreachable_display_is_unavailable_and_actions_unsupported() {
    let windows = platform::window_system(&platform::SessionEnv::x11(Some(":12345")));
    let list = windows.list();
    assert!(!list.available);
    assert!(list.windows.is_empty());
    let reason = list.reason.expect("a reason");
    assert!(reason.contains(":12345"), "{reason}");
    let err = windows
        .close(&WindowId::x11(0x400001), REFUSAL_TIMEOUT)
        .unwrap_err();
    assert!(matches!(err, platform::Error::Unsupported(_)), "{err:?}");
    let err = windows.minimize(&WindowId::x11(0x400001)).unwrap_err();
    assert!(matches!(err, platform::Error::Unsupported(_)), "{err:?}");
    let many = windows.close_many(&[WindowId::x11(1), WindowId::x11(2)], REFUSAL_TIMEOUT);
    assert_eq!(many.len(), 2);
    assert!(
        many.iter()
            .all(|(_, r)| matches!(r, Err(platform::Error::Unsupported(_))))
    );
}

/// A bare window made by this test (see [`testkit::desktop::bare_x11_window`]) with a
/// COMPOUND_TEXT title.
fn bare_window(conn: &impl Connection, screen: usize, title: &[u8]) -> u32 {
    let compound = conn
        .intern_atom(false, b"COMPOUND_TEXT")
        .unwrap()
        .reply()
        .unwrap()
        .atom;
    testkit::desktop::bare_x11_window(conn, screen, compound, title)
}

#[test]
fn a_window_without_delete_window_is_not_closed() {
    let Some(desktop) = Desktop::start(true, &[]) else {
        return;
    };
    let windows = desktop.windows();
    let (conn, screen) = x11rb::connect(Some(&desktop.display)).unwrap();
    // "Café ✓" as compound text: Latin-1, then a UTF-8 segment.
    let mut title = b"Caf\xe9 \x1b%G".to_vec();
    title.extend_from_slice("✓".as_bytes());
    title.extend_from_slice(b"\x1b%@");
    let w = bare_window(&conn, screen, &title);
    let window = wait_for_window(&*windows, "Café ✓");
    assert_eq!(window.id, WindowId::x11(w));
    assert_eq!(
        (window.instance.as_str(), window.class.as_str()),
        ("bare", "Bare")
    );
    assert!(!window.closable);
    assert_eq!(
        window.pid,
        Some(std::process::id()),
        "X-Resource knows our PID"
    );

    let outcome = windows.close(&window.id, REFUSAL_TIMEOUT).unwrap();
    assert_eq!(outcome, CloseOutcome::Unsupported);
    // Nothing was sent: the window and our connection are intact (a manager asked to close
    // it would have killed our connection).
    std::thread::sleep(Duration::from_millis(200));
    conn.get_window_attributes(w).unwrap().reply().unwrap();
    assert!(window_by_id(&windows.list(), &window.id).is_some());
    // And nothing arrived for it.
    while let Some(event) = conn.poll_for_event().unwrap() {
        assert!(
            !matches!(event, x11rb::protocol::Event::ClientMessage(_)),
            "{event:?}"
        );
    }
}

#[test]
fn a_window_that_does_not_exist_is_gone() {
    let Some(desktop) = Desktop::start(true, &[]) else {
        return;
    };
    let windows = desktop.windows();
    let (conn, screen) = x11rb::connect(Some(&desktop.display)).unwrap();
    let w = bare_window(&conn, screen, b"short-lived");
    wait_for_window(&*windows, "short-lived");
    conn.destroy_window(w).unwrap();
    conn.sync().unwrap();
    let id = WindowId::x11(w);
    assert_eq!(
        windows.close(&id, REFUSAL_TIMEOUT).unwrap(),
        CloseOutcome::Gone
    );
    // Ids that name no X window at all: another backend's, and one out of X's range.
    for foreign in [
        WindowId::new("sway", 42),
        WindowId::new("x11", "0x1ffffffff"),
    ] {
        assert_eq!(
            windows.close(&foreign, REFUSAL_TIMEOUT).unwrap(),
            CloseOutcome::Gone
        );
        let err = windows.activate(&foreign).unwrap_err();
        assert!(matches!(err, platform::Error::NotFound(_)), "{err:?}");
    }
    let err = windows.activate(&id).unwrap_err();
    assert!(matches!(err, platform::Error::NotFound(_)), "{err:?}");
    let err = windows.minimize(&id).unwrap_err();
    assert!(matches!(err, platform::Error::NotFound(_)), "{err:?}");
}

#[test]
fn a_lost_server_is_reported_and_a_restarted_one_used_again() {
    let Some(mut desktop) = Desktop::start(false, &[]) else {
        return;
    };
    let windows = desktop.windows();
    assert!(windows.list().available);

    drop(desktop.servers.pop());
    let list = eventually("the lost server is reported", || {
        Some(windows.list()).filter(|l| !l.available)
    });
    assert!(list.reason.is_some());
    let err = windows.activate(&WindowId::x11(1)).unwrap_err();
    assert!(
        matches!(
            err,
            platform::Error::Unsupported(_) | platform::Error::Io { .. }
        ),
        "{err:?}"
    );

    // The same display again, as when Boss starts before the X server: the next calls
    // connect by themselves.
    let xvfb = Process(
        Command::new("Xvfb")
            .args([desktop.display.as_str(), "-nolisten", "tcp"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("restart Xvfb"),
    );
    desktop.servers.push(xvfb);
    let list = eventually("the restarted server is reached", || {
        Some(windows.list()).filter(|l| l.available)
    });
    assert_eq!(list.window_manager, None);
}

/// Listing over and over on one connection gives the same answer every time (and prints how
/// long a listing takes; the figure is information, not a check).
#[test]
fn repeated_listings_stay_consistent() {
    let Some(desktop) = Desktop::start(true, &[]) else {
        return;
    };
    let windows = desktop.windows();
    let (conn, screen) = x11rb::connect(Some(&desktop.display)).unwrap();
    for i in 0..20 {
        bare_window(&conn, screen, format!("bare {i}").as_bytes());
    }
    eventually("20 windows", || {
        (windows.list().windows.len() == 20).then_some(())
    });
    let started = Instant::now();
    for _ in 0..500 {
        assert_eq!(windows.list().windows.len(), 20);
    }
    eprintln!("one listing of 20 windows: {:?}", started.elapsed() / 500);
}
