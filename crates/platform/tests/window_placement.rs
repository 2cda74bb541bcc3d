//! Where windows sit and putting them back (session snapshots and restores), against real X
//! servers with openbox, whose stock configuration has four desktops. Each test starts its own
//! Xvfb, openbox and xterms, and ends exactly those, by PID. Without them the tests are
//! skipped, except under CI.
#![cfg(target_os = "linux")]

use std::process::Stdio;
use std::time::Duration;

use platform::{Geometry, Placement, WindowInfo, WindowSystem};
use testkit::desktop::{Desktop, eventually, wait_for_window, window_by_id};

/// How far a window may land from where it was asked to go: managers snap to the screen edge
/// and to size increments (xterm's character cells).
const TOLERANCE: i32 = 24;

fn near(a: i64, b: i64) -> bool {
    (a - b).abs() <= i64::from(TOLERANCE)
}

fn close_to(got: Geometry, want: Geometry) -> bool {
    testkit::desktop::geometry_near(got, want, TOLERANCE.unsigned_abs())
}

fn move_to_desktop(windows: &dyn WindowSystem, window: &WindowInfo, desktop: i64) -> WindowInfo {
    let placement = Placement {
        desktop: Some(desktop),
        ..Placement::default()
    };
    windows.place(window, &placement).unwrap();
    eventually(&format!("the window is on desktop {desktop}"), || {
        window_by_id(&windows.list(), &window.id).filter(|w| w.desktop == Some(desktop))
    })
}

/// Regression: openbox marks windows on another desktop `WM_STATE` Iconic (without
/// `_NET_WM_STATE_HIDDEN`), and the list used to call them minimized.
#[test]
fn a_window_on_another_desktop_is_not_minimized() {
    let Some(desktop) = Desktop::start(true, &["xterm"]) else {
        return;
    };
    let windows = desktop.windows();
    let (_xterm, window) = desktop.xterm(&*windows, "boss elsewhere test");
    let moved = move_to_desktop(&*windows, &window, 1);
    assert!(!moved.minimized, "on desktop 2, not minimized: {moved:?}");
    // Stays so once openbox has unmapped its frame.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let later = window_by_id(&windows.list(), &window.id).expect("still listed");
    assert!(!later.minimized, "{later:?}");
    // And a really minimized one on that desktop still is.
    windows.minimize(&window.id).unwrap();
    eventually("the window is minimized", || {
        window_by_id(&windows.list(), &window.id).filter(|w| w.minimized && w.desktop == Some(1))
    });
}

#[test]
fn layout_reports_the_frame_position_and_client_size_xterm_was_given() {
    let Some(desktop) = Desktop::start(true, &["xterm"]) else {
        return;
    };
    let windows = desktop.windows();
    // 484x316 client pixels with the default font: read the size from the layout instead.
    let _xterm = desktop.spawn(
        "xterm",
        &["-T", "boss layout test", "-geometry", "80x24+150+120"],
        Stdio::null(),
    );
    let window = wait_for_window(&*windows, "boss layout test");
    let layout = eventually("the xterm is placed where asked", || {
        windows
            .layout(&window)
            .ok()
            .filter(|l| near(l.geometry.x.into(), 150) && near(l.geometry.y.into(), 120))
    });
    assert!(!layout.maximized);
    assert!(
        layout.geometry.width > 200 && layout.geometry.height > 100,
        "{layout:?}"
    );
    // xterm is an Xt program: it says how it was started.
    let command = layout.command.expect("xterm sets WM_COMMAND");
    assert!(command[0].ends_with("xterm"), "{command:?}");
    assert!(
        command.contains(&"boss layout test".to_string()),
        "{command:?}"
    );
}

#[test]
fn place_moves_resizes_maximizes_and_minimizes_through_the_window_manager() {
    let Some(desktop) = Desktop::start(true, &["xterm"]) else {
        return;
    };
    let windows = desktop.windows();
    let (_xterm, window) = desktop.xterm(&*windows, "boss place test");
    let want = Geometry {
        x: 300,
        y: 200,
        width: 400,
        height: 300,
    };
    let placement = Placement {
        desktop: Some(1),
        geometry: Some(want),
        ..Placement::default()
    };
    windows.place(&window, &placement).unwrap();
    let layout = eventually("the window is at its new geometry", || {
        windows
            .layout(&window)
            .ok()
            .filter(|l| close_to(l.geometry, want))
    });
    assert!(!layout.maximized);
    let listed = window_by_id(&windows.list(), &window.id).unwrap();
    assert_eq!(listed.desktop, Some(1));
    assert!(!listed.minimized);

    // Placing again where it already is changes nothing.
    windows.place(&window, &placement).unwrap();
    assert!(close_to(windows.layout(&window).unwrap().geometry, want));

    let maximize = Placement {
        maximized: true,
        ..Placement::default()
    };
    windows.place(&window, &maximize).unwrap();
    eventually("the window is maximized", || {
        windows.layout(&window).ok().filter(|l| l.maximized)
    });
    // Back to a geometry: the maximization comes off first.
    windows.place(&window, &placement).unwrap();
    eventually("the window is unmaximized at its geometry", || {
        windows
            .layout(&window)
            .ok()
            .filter(|l| !l.maximized && close_to(l.geometry, want))
    });

    let minimize = Placement {
        minimized: true,
        ..Placement::default()
    };
    windows.place(&window, &minimize).unwrap();
    eventually("the window is minimized", || {
        window_by_id(&windows.list(), &window.id).filter(|w| w.minimized)
    });
}

#[test]
fn restacking_raises_windows_bottom_to_top_without_moving_them_between_desktops() {
    let Some(desktop) = Desktop::start(true, &["xterm"]) else {
        return;
    };
    let windows = desktop.windows();
    let (_a, a) = desktop.xterm(&*windows, "boss stack a");
    let (_b, b) = desktop.xterm(&*windows, "boss stack b");
    let (_c, c) = desktop.xterm(&*windows, "boss stack c");
    let c = move_to_desktop(&*windows, &c, 1);
    let stacking = |w: &WindowInfo| windows.layout(w).unwrap().stacking.expect("openbox says");

    for order in [[&b, &c, &a], [&a, &b, &c], [&c, &a, &b]] {
        let ordered: Vec<WindowInfo> = order.iter().map(|w| (*w).clone()).collect();
        windows.restack(&ordered).unwrap();
        eventually("the windows are stacked in the order given", || {
            let levels: Vec<u32> = order.iter().map(|w| stacking(w)).collect();
            levels.windows(2).all(|p| p[0] < p[1]).then_some(())
        });
    }
    // A window that closed meanwhile is passed by, as on the other backends: the rest are
    // still stacked.
    let (mut gone_xterm, gone) = desktop.xterm(&*windows, "boss stack gone");
    windows.close(&gone.id, Duration::from_secs(5)).unwrap();
    gone_xterm.wait_for_exit("the closed xterm");
    windows.restack(&[b.clone(), gone, a.clone()]).unwrap();
    eventually("a is above b", || {
        (stacking(&a) > stacking(&b)).then_some(())
    });
    let list = windows.list();
    assert_eq!(
        window_by_id(&list, &c.id).unwrap().desktop,
        Some(1),
        "c stays on desktop 2"
    );
    assert_eq!(window_by_id(&list, &a.id).unwrap().desktop, Some(0));
}

#[test]
fn the_command_of_a_running_process_is_its_argv_and_directory() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new("sleep")
        .arg("600")
        .current_dir(dir.path())
        .spawn()
        .unwrap();
    // The vfork behind spawn lets the parent go before exec has laid out the arguments.
    let command = eventually("the child's arguments are readable", || {
        platform::process_command(child.id())
            .ok()
            .filter(|c| !c.argv.is_empty())
    });
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(command.argv, ["sleep", "600"], "{command:?}");
    assert_eq!(
        command.cwd.as_deref().map(std::path::Path::new),
        Some(dir.path().canonicalize().unwrap().as_path())
    );
    assert!(command.exe.is_some_and(|e| e.ends_with("sleep")));
    assert!(!command.exe_deleted);
}

#[test]
fn a_program_whose_executable_was_deleted_is_marked_so() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("sleep-copy");
    std::fs::copy("/bin/sleep", &copy).unwrap();
    let mut child = std::process::Command::new(&copy)
        .arg("600")
        .spawn()
        .unwrap();
    std::fs::remove_file(&copy).unwrap();
    let command = platform::process_command(child.id()).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(command.exe_deleted, "{command:?}");
    assert_eq!(command.exe.as_deref(), copy.to_str());
}
