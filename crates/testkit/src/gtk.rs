//! GTK 3 windows on a Wayland compositor (`fixtures/gtk_window.py`), plain or refusing to
//! close like an editor with unsaved changes. Shared by the KWin and GNOME Shell fixtures,
//! with what else they do alike: start their session apart from the caller's and wait for it.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::client::Output;
use crate::process::Process;

/// The script (see its header).
pub const GTK_WINDOW_SCRIPT: &str = include_str!("../fixtures/gtk_window.py");

/// Debian's Python, which has `gi` (the first `python3` on `PATH` may be another build).
pub const PYTHON: &str = "/usr/bin/python3";

/// A running GTK window and what it printed.
pub struct GtkWindow {
    pub process: Process,
    output: Output,
}

/// What a GTK window needs to find its compositor.
pub struct WaylandSession<'a> {
    pub runtime_dir: &'a Path,
    pub wayland_display: &'a str,
    pub session_bus: &'a str,
}

/// Starts a compositor's session (`command`, arguments given) apart from the caller's: in
/// `runtime_dir`, without the caller's X display, Wayland socket or session bus, its output to
/// `log`.
pub fn start_compositor(command: &mut Command, runtime_dir: &Path, log: std::fs::File) -> Process {
    let started = command
        .env("XDG_RUNTIME_DIR", runtime_dir)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn();
    Process(started.unwrap_or_else(|e| panic!("start {:?}: {e}", command.get_program())))
}

/// Ends a compositor's session started with [`start_compositor`]: the compositor first
/// (`compositor`, its PID, TERM), then up to 5 s for the session (`dbus-run-session`, which
/// ends with its child and stops the bus itself; ending the bus first would leave the
/// compositor's socket behind). Whatever is left is killed as `session` drops.
pub fn end_compositor(mut session: Process, compositor: u32) {
    // While dbus-run-session runs, its child has not been reaped: the PID is still the
    // compositor's.
    if !session.has_exited()
        && let Some(pid) = rustix::process::Pid::from_raw(compositor as i32)
    {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while !session.has_exited() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The session bus address and the compositor's PID, once the session's script has written
/// them to `file` (two lines, written whole and then renamed).
pub fn bus_and_pid(file: &Path) -> Option<(String, u32)> {
    let text = std::fs::read_to_string(file).ok()?;
    let mut lines = text.lines();
    Some((lines.next()?.to_string(), lines.next()?.parse().ok()?))
}

impl WaylandSession<'_> {
    /// The session as Boss would find it in its environment, on desktop `desktop`
    /// (`XDG_CURRENT_DESKTOP`: `KDE`, `GNOME`).
    pub fn env(&self, desktop: &str) -> platform::SessionEnv {
        platform::SessionEnv {
            wayland_display: Some(self.wayland_display.to_string()),
            current_desktop: vec![desktop.to_string()],
            runtime_dir: Some(self.runtime_dir.to_string_lossy().into_owned()),
            session_bus: Some(self.session_bus.to_string()),
            ..platform::SessionEnv::default()
        }
    }

    /// Waits until the compositor (`name`) has opened this session's Wayland socket; past
    /// `deadline`, fails with what it printed (`log`).
    pub fn wait_for_socket(&self, name: &str, deadline: Instant, log: impl Fn() -> String) {
        let socket = self.runtime_dir.join(self.wayland_display);
        while !socket.exists() {
            assert!(
                Instant::now() < deadline,
                "{name} did not open its Wayland socket; it said:\n{}",
                log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A GTK window on this compositor (see [`GtkWindow::start`]) and its entry in `windows`'
    /// list.
    pub fn gtk_window(
        &self,
        windows: &dyn platform::WindowSystem,
        title: &str,
        refuse: bool,
        connect: Option<u16>,
    ) -> (GtkWindow, platform::WindowInfo) {
        let window = GtkWindow::start(self, title, refuse, connect);
        let info = crate::desktop::wait_for_window(windows, title);
        (window, info)
    }
}

impl GtkWindow {
    /// Starts a window titled `title` and waits until it is mapped (`ready`). `refuse`: it
    /// answers close requests with a "Save changes?" dialog; `connect`: it holds a TCP
    /// connection to 127.0.0.1:`connect` (as a browser showing Boss).
    pub fn start(
        session: &WaylandSession<'_>,
        title: &str,
        refuse: bool,
        connect: Option<u16>,
    ) -> GtkWindow {
        GtkWindow::start_by(session, Path::new(PYTHON), title, refuse, connect)
    }

    /// [`start`](Self::start) with another Python than Debian's, e.g. a copy to be deleted
    /// while it runs (an app that cannot be started again).
    pub fn start_by(
        session: &WaylandSession<'_>,
        python: &Path,
        title: &str,
        refuse: bool,
        connect: Option<u16>,
    ) -> GtkWindow {
        let mut command = Command::new(python);
        command.args(["-c", GTK_WINDOW_SCRIPT, title]);
        if refuse {
            command.arg("--refuse");
        }
        if let Some(port) = connect {
            command.args(["--connect", &port.to_string()]);
        }
        command
            .env("XDG_RUNTIME_DIR", session.runtime_dir)
            .env("WAYLAND_DISPLAY", session.wayland_display)
            .env("DBUS_SESSION_BUS_ADDRESS", session.session_bus)
            .env("GDK_BACKEND", "wayland")
            .env("NO_AT_BRIDGE", "1")
            .env("GSETTINGS_BACKEND", "memory")
            .env_remove("DISPLAY")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        // A program just written (a copy of Python) is "busy" while a child that another test
        // thread forked meanwhile still holds the writer's descriptor, until it execs.
        let deadline = Instant::now() + Duration::from_secs(2);
        let child = loop {
            match command.spawn() {
                Err(e)
                    if e.kind() == std::io::ErrorKind::ExecutableFileBusy
                        && Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                started => break started.expect("start the GTK window"),
            }
        };
        let mut process = Process(child);
        let output = Output::of(&mut process, "the GTK window");
        let mut window = GtkWindow { process, output };
        window.wait_for_line("ready");
        window
    }

    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// The local port of its connection (with `connect`).
    pub fn local_port(&self) -> Option<u16> {
        self.output.local_port()
    }

    /// Waits until it has printed `line`.
    pub fn wait_for_line(&mut self, line: &str) {
        self.output.wait_for_line(line)
    }

    /// Whether the process has ended (reaping it).
    pub fn has_exited(&mut self) -> bool {
        self.process.has_exited()
    }
}

/// The X display (":N") of the Xwayland that the compositor `compositor` runs: the one whose
/// lock file (`/tmp/.XN-lock`) names its PID (wlroots, Mutter and KWin each write it for
/// their Xwayland). Waits for it a while.
pub fn xwayland_display(compositor: u32) -> String {
    crate::desktop::eventually("the compositor's Xwayland display", || {
        std::fs::read_dir("/tmp").ok()?.flatten().find_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let number = name.strip_prefix(".X")?.strip_suffix("-lock")?.to_string();
            let owner = std::fs::read_to_string(entry.path()).ok()?;
            // "%10d\n" (ICCCM's convention), or with a NUL byte (wlroots).
            let owner = owner.trim_matches(|c: char| c.is_whitespace() || c == '\0');
            (owner.parse() == Ok(compositor)).then(|| format!(":{number}"))
        })
    })
}

impl WaylandSession<'_> {
    /// An xterm titled `title` on the session's Xwayland `display` (an X11 client, served
    /// through Xwayland), with the server's cookie file `xauthority` when it wants one.
    pub fn xterm(&self, display: &str, xauthority: Option<&Path>, title: &str) -> Process {
        let mut command = Command::new("xterm");
        command
            .args(["-T", title, "-e", "sleep", "600"])
            .env("DISPLAY", display)
            .env("XDG_RUNTIME_DIR", self.runtime_dir)
            .env("DBUS_SESSION_BUS_ADDRESS", self.session_bus)
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(file) = xauthority {
            command.env("XAUTHORITY", file);
        }
        Process(command.spawn().expect("start xterm"))
    }
}

/// An Xwayland window (`xterm`, titled `title`, on the X `display` of `session`) as
/// `windows`, the compositor's own backend, and Boss's run-time choice for the session with
/// that display list it: once, marked `xwayland`, with its PID; then closed politely, and the
/// xterm exits.
pub fn check_xwayland_window(
    windows: &dyn platform::WindowSystem,
    session: platform::SessionEnv,
    (mut xterm, display): (Process, String),
    title: &str,
) {
    let chosen = platform::window_system(&platform::SessionEnv {
        display: Some(display),
        ..session
    });
    let window = crate::desktop::wait_for_window(windows, title);
    assert!(window.xwayland, "{window:?}");
    assert_eq!(window.pid, Some(xterm.pid()));
    // KWin 5.27 lowers the case of WM_CLASS.
    assert!(window.class.eq_ignore_ascii_case("xterm"), "{window:?}");
    let list = chosen.list();
    assert_eq!(list.backend, windows.list().backend);
    let same: Vec<_> = list.windows.iter().filter(|w| w.title == title).collect();
    assert_eq!(same.len(), 1, "listed once: {list:?}");
    assert!(same[0].xwayland, "{:?}", same[0]);
    let outcome = windows
        .close(&window.id, std::time::Duration::from_secs(10))
        .unwrap();
    assert_eq!(
        outcome,
        platform::CloseOutcome::Closed,
        "xterm exited: {}; now listed: {:?}",
        xterm.has_exited(),
        windows.list().windows
    );
    xterm.wait_for_exit("the xterm exits");
}

/// How far a placed GTK window may be from where it was asked to go: compositors keep windows
/// inside the work area and GTK may round its size.
const PLACE_TOLERANCE: u32 = 16;

/// Session placement on a compositor with desktops (KWin, GNOME Shell), through `windows`:
/// `window` (a GTK window on desktop 0 of at least two, not maximized) is maximized where it is, then
/// sent to desktop 1 at a geometry (no longer maximized, the desktop numbered as the list
/// numbers it), placed there again without change, then minimized there. `gone` names no
/// window of the backend: placing or reading it is `NotFound`.
pub fn check_placement(
    windows: &dyn platform::WindowSystem,
    window: &platform::WindowInfo,
    gone: platform::WindowId,
) {
    use crate::desktop::{eventually, geometry_near, window_by_id};
    use platform::{Geometry, Placement};
    let first = windows.layout(window).unwrap();
    assert!(!first.tiled && !first.maximized, "{first:?}");
    assert_eq!(first.command, None, "no WM_COMMAND on Wayland");
    assert!(first.stacking.is_some(), "{first:?}");

    // Maximized where it is: at once, and sized when the client has answered.
    let maximize = Placement {
        maximized: true,
        ..Placement::default()
    };
    windows.place(window, &maximize).unwrap();
    eventually("the window is maximized", || {
        windows
            .layout(window)
            .ok()
            .filter(|l| l.maximized && l.geometry.width > first.geometry.width)
    });

    // Then on the second desktop at a geometry: no longer maximized.
    let want = Geometry {
        x: 120,
        y: 90,
        width: 500,
        height: 300,
    };
    let placement = Placement {
        desktop: Some(1),
        geometry: Some(want),
        ..Placement::default()
    };
    windows.place(window, &placement).unwrap();
    let moved = eventually("the window is on desktop 1", || {
        window_by_id(&windows.list(), &window.id).filter(|w| w.desktop == Some(1))
    });
    eventually("the window is at its geometry", || {
        windows
            .layout(&moved)
            .ok()
            .filter(|l| !l.maximized && geometry_near(l.geometry, want, PLACE_TOLERANCE))
    });
    windows.place(&moved, &placement).unwrap();
    let again = windows.layout(&moved).unwrap();
    assert!(
        geometry_near(again.geometry, want, PLACE_TOLERANCE),
        "{again:?}"
    );

    // Minimized, on its desktop.
    let minimize = Placement {
        minimized: true,
        ..Placement::default()
    };
    windows.place(&moved, &minimize).unwrap();
    let hidden = eventually("the window is minimized", || {
        window_by_id(&windows.list(), &window.id).filter(|w| w.minimized)
    });
    assert_eq!(hidden.desktop, Some(1), "minimized is not elsewhere");

    let gone = platform::WindowInfo {
        id: gone,
        ..window.clone()
    };
    assert!(matches!(
        windows.place(&gone, &placement),
        Err(platform::Error::NotFound(_))
    ));
    assert!(matches!(
        windows.layout(&gone),
        Err(platform::Error::NotFound(_))
    ));
}

/// Restacking three windows (`a`, `b`, `c`, mapped in that order on desktop 0) through
/// `windows`: raised bottom to top, the last in front, none moved to another desktop, a
/// window gone meanwhile (`gone`) passed over. A shell may raise a window of its own accord
/// just after log-in (GNOME Shell 43 as its overview hides), so the first restack is asked
/// again until it holds, as a session restore would.
pub fn check_restack(
    windows: &dyn platform::WindowSystem,
    [a, b, c]: [&platform::WindowInfo; 3],
    gone: platform::WindowId,
) {
    use crate::desktop::{eventually, window_by_id};
    let stacking = |w: &platform::WindowInfo| windows.layout(w).unwrap().stacking.unwrap();
    eventually("a is on top, then b, then c", || {
        windows.restack(&[c.clone(), b.clone(), a.clone()]).unwrap();
        (stacking(a) > stacking(b) && stacking(b) > stacking(c)).then_some(())
    });
    let gone = platform::WindowInfo {
        id: gone,
        ..a.clone()
    };
    windows.restack(&[a.clone(), gone, c.clone()]).unwrap();
    eventually("c is on top, a above b", || {
        (stacking(c) > stacking(a) && stacking(a) > stacking(b)).then_some(())
    });
    let list = windows.list();
    for w in [a, b, c] {
        assert_eq!(window_by_id(&list, &w.id).unwrap().desktop, Some(0));
    }
}
