//! A private X desktop: Xvfb on a free display, openbox when asked, and client windows the
//! test starts itself (xterm; the refusing Tk window of `fixtures/refuser.py`). Everything is
//! ended by PID on drop. Without the programs the tests skip, except under `CI`.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use platform::{WindowInfo, WindowSystem};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    AtomEnum, ConnectionExt as _, CreateWindowAux, PropMode, WindowClass,
};
use x11rb::wrapper::ConnectionExt as _;

use crate::client::ClientWindow;
use crate::process::Process;

/// How long to wait for a fixture (a server, a window) before failing. Generous: tests run in
/// parallel, each with its own X server.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// The window that ignores close requests (see the script's header). Also used, from its
/// path, by the browser tests.
pub const REFUSER_SCRIPT: &str = include_str!("../fixtures/refuser.py");

/// A private X server, optionally with openbox, torn down in reverse order.
pub struct Desktop {
    pub display: String,
    /// Xvfb first, then the window manager; dropped (ended) last to first.
    pub servers: Vec<Process>,
}

impl Desktop {
    /// Starts Xvfb on the first free display, and openbox if `with_wm`; `clients` are the
    /// programs the test will run on it. `None`: skipped (prerequisites missing, not in CI).
    pub fn start(with_wm: bool, clients: &[&str]) -> Option<Desktop> {
        let mut needed = vec!["Xvfb"];
        if with_wm {
            needed.push("openbox");
        }
        needed.extend_from_slice(clients);
        if !crate::require(&needed, "X11 tests") {
            return None;
        }
        // -displayfd 1: Xvfb picks a free display and, once it accepts connections, writes the
        // number to our pipe.
        let mut xvfb = Process(
            Command::new("Xvfb")
                .args([
                    "-displayfd",
                    "1",
                    "-nolisten",
                    "tcp",
                    "-screen",
                    "0",
                    "1280x1024x24",
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("start Xvfb"),
        );
        let number = xvfb
            .stdout_lines()
            .recv_timeout(PATIENCE)
            .expect("Xvfb reports its display");
        let mut desktop = Desktop {
            display: format!(":{}", number.trim()),
            servers: vec![xvfb],
        };
        if with_wm {
            desktop.start_openbox();
        }
        Some(desktop)
    }

    fn start_openbox(&mut self) {
        // In a temporary file of its own, removed when dropped, however the test ends.
        let log = tempfile::NamedTempFile::new().expect("openbox log");
        let openbox = Process(
            Command::new("openbox")
                .arg("--sm-disable")
                .env("DISPLAY", &self.display)
                .stdin(Stdio::null())
                .stdout(log.reopen().expect("openbox log"))
                .stderr(log.reopen().expect("openbox log"))
                .spawn()
                .expect("start openbox"),
        );
        self.servers.push(openbox);
        let ready = wait_until_managing(&self.display);
        let said = std::fs::read_to_string(log.path()).unwrap_or_default();
        assert!(
            ready,
            "openbox did not start on {}; it said:\n{said}",
            self.display
        );
    }

    /// Runs `program` on this display.
    pub fn spawn(&self, program: &str, args: &[&str], stdout: Stdio) -> Process {
        Process(
            Command::new(program)
                .args(args)
                .env("DISPLAY", &self.display)
                .stdin(Stdio::null())
                .stdout(stdout)
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("start {program}: {e}")),
        )
    }

    /// The window backend under test, on this display.
    pub fn windows(&self) -> Box<dyn WindowSystem> {
        platform::window_system(&platform::SessionEnv::x11(Some(&self.display)))
    }

    /// An xterm titled `title` and its window, once listed and its command runs.
    pub fn xterm(&self, windows: &dyn WindowSystem, title: &str) -> (Process, WindowInfo) {
        let process = self.spawn("xterm", &["-T", title, "-e", "sleep", "600"], Stdio::null());
        let window = wait_for_window(windows, title);
        // Closed before its child has taken the terminal, xterm leaves that child running
        // without one, where no hangup reaches it: wait until it is in place.
        eventually("the xterm's command runs on its terminal", || {
            child_on_terminal(process.pid()).then_some(())
        });
        (process, window)
    }

    /// The refusing Tk window once it said `ready`; with `prompt` it asks to save; with
    /// `connect` it holds a TCP connection to 127.0.0.1:`connect` (as a browser showing Boss).
    pub fn refuser(
        &self,
        windows: &dyn WindowSystem,
        title: &str,
        prompt: bool,
        connect: Option<u16>,
    ) -> Refuser {
        let port = connect.map(|p| p.to_string());
        let mut args = vec!["-c", REFUSER_SCRIPT, title];
        if prompt {
            args.push("--prompt");
        }
        if let Some(port) = &port {
            args.extend(["--connect", port]);
        }
        let process = self.spawn("python3", &args, Stdio::piped());
        ClientWindow::ready(process, "the refuser", windows, title)
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        while let Some(server) = self.servers.pop() {
            drop(server);
        }
    }
}

/// The refusing window's process, what it said, and its window.
pub type Refuser = ClientWindow;

/// Polls `check` until it gives a value, or panics after [`PATIENCE`].
pub fn eventually<T>(what: &str, check: impl FnMut() -> Option<T>) -> T {
    eventually_within(what, PATIENCE, check)
}

/// Polls `check` (every 20 ms) until it gives a value, or panics naming `what` after
/// `patience`.
pub fn eventually_within<T>(
    what: &str,
    patience: Duration,
    mut check: impl FnMut() -> Option<T>,
) -> T {
    let deadline = Instant::now() + patience;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether a window's geometry (`got`) is within `tolerance` pixels of the one asked (`want`)
/// on every side and in size: window managers snap to edges and clients round their size
/// (terminals to whole character cells).
pub fn geometry_near(got: platform::Geometry, want: platform::Geometry, tolerance: u32) -> bool {
    let close = |a: i64, b: i64| (a - b).abs() <= i64::from(tolerance);
    close(got.x.into(), want.x.into())
        && close(got.y.into(), want.y.into())
        && close(got.width.into(), want.width.into())
        && close(got.height.into(), want.height.into())
}

/// The window titled `title`, once `windows` lists it.
pub fn wait_for_window(windows: &dyn WindowSystem, title: &str) -> WindowInfo {
    eventually(&format!("a window titled {title:?} is listed"), || {
        windows
            .list()
            .windows
            .into_iter()
            .find(|w| w.title == title)
    })
}

/// The window `id` in `list`, if listed.
pub fn window_by_id(list: &platform::WindowList, id: &platform::WindowId) -> Option<WindowInfo> {
    list.windows.iter().find(|w| &w.id == id).cloned()
}

/// A bare window made by the test on `conn`'s `screen`, mapped: `WM_CLASS` `bare`/`Bare`, the
/// title `title` of type `title_type` (`STRING`, `COMPOUND_TEXT`), a white background (a
/// compositor never shows a surface without content) and no `WM_PROTOCOLS`, so no
/// `WM_DELETE_WINDOW`: a window manager could close it only by killing its client. Its id.
pub fn bare_x11_window(
    conn: &impl Connection,
    screen: usize,
    title_type: impl Into<u32>,
    title: &[u8],
) -> u32 {
    let screen = &conn.setup().roots[screen];
    let w = conn.generate_id().unwrap();
    conn.create_window(
        x11rb::COPY_DEPTH_FROM_PARENT,
        w,
        screen.root,
        10,
        10,
        200,
        100,
        0,
        WindowClass::INPUT_OUTPUT,
        x11rb::COPY_FROM_PARENT,
        &CreateWindowAux::new().background_pixel(screen.white_pixel),
    )
    .unwrap();
    conn.change_property8(
        PropMode::REPLACE,
        w,
        AtomEnum::WM_CLASS,
        AtomEnum::STRING,
        b"bare\0Bare\0",
    )
    .unwrap();
    conn.change_property8(PropMode::REPLACE, w, AtomEnum::WM_NAME, title_type, title)
        .unwrap();
    conn.map_window(w).unwrap();
    conn.sync().unwrap();
    w
}

/// Whether a child of `parent` runs `sleep` with a controlling terminal.
fn child_on_terminal(parent: u32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries.flatten().any(|entry| {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            return false;
        };
        // pid (comm) state ppid pgrp session tty_nr ...
        let Some((comm, rest)) = stat.split_once(") ") else {
            return false;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        comm.ends_with("(sleep")
            && fields.get(1) == Some(&parent.to_string().as_str())
            && fields.get(4).is_some_and(|tty| *tty != "0")
    })
}

/// Waits until openbox manages new windows. Its check window appears before that: a window
/// mapped in between is never managed. So map a probe until the manager takes it (sets its
/// `WM_STATE`), mapping it again now and then in case a request fell in that gap. Read with
/// x11rb directly, independently of the backend under test.
fn wait_until_managing(display: &str) -> bool {
    let deadline = Instant::now() + PATIENCE;
    let Ok((conn, screen)) = x11rb::connect(Some(display)) else {
        return false;
    };
    let root = conn.setup().roots[screen].root;
    let Ok(wm_state) = conn.intern_atom(false, b"WM_STATE").map(|c| c.reply()) else {
        return false;
    };
    let wm_state = wm_state.expect("intern WM_STATE").atom;
    let probe = conn.generate_id().unwrap();
    conn.create_window(
        x11rb::COPY_DEPTH_FROM_PARENT,
        probe,
        root,
        0,
        0,
        1,
        1,
        0,
        WindowClass::INPUT_OUTPUT,
        x11rb::COPY_FROM_PARENT,
        &CreateWindowAux::new(),
    )
    .unwrap();
    let mut mapped_at: Option<Instant> = None;
    while Instant::now() < deadline {
        if wm_name(display).is_some() {
            if mapped_at.is_none_or(|t| t.elapsed() > Duration::from_millis(500)) {
                let _ = conn.unmap_window(probe);
                let _ = conn.map_window(probe);
                mapped_at = Some(Instant::now());
            }
            let managed = conn
                .get_property(false, probe, wm_state, wm_state, 0, 2)
                .ok()
                .and_then(|c| c.reply().ok())
                .is_some_and(|r| r.type_ != x11rb::NONE);
            if managed {
                let _ = conn.destroy_window(probe);
                let _ = conn.sync();
                return true;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// The EWMH window manager's name, read independently of the code under test.
pub fn wm_name(display: &str) -> Option<String> {
    let (conn, screen) = x11rb::connect(Some(display)).ok()?;
    let root = conn.setup().roots[screen].root;
    let check = conn
        .intern_atom(false, b"_NET_SUPPORTING_WM_CHECK")
        .ok()?
        .reply()
        .ok()?
        .atom;
    let name = conn
        .intern_atom(false, b"_NET_WM_NAME")
        .ok()?
        .reply()
        .ok()?
        .atom;
    let read = |w, atom, kind: AtomEnum| {
        conn.get_property(false, w, atom, kind, 0, 64)
            .ok()?
            .reply()
            .ok()
    };
    let wm = read(root, check, AtomEnum::WINDOW)?.value32()?.next()?;
    let own = read(wm, check, AtomEnum::WINDOW)?.value32()?.next()?;
    if own != wm {
        return None;
    }
    let value = read(wm, name, AtomEnum::ANY)?.value;
    Some(String::from_utf8_lossy(&value).into_owned())
}
