//! The X11 window backend against real X servers. Each test starts its own Xvfb (plus openbox
//! when it needs a window manager) and its own client programs, and ends exactly those, by
//! PID. Without Xvfb and the client programs the tests are skipped, except under CI.
#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use platform::{CloseOutcome, WindowInfo, WindowList, WindowSystem};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    AtomEnum, ConnectionExt as _, CreateWindowAux, PropMode, WindowClass,
};
use x11rb::wrapper::ConnectionExt as _;

/// How long to wait for a fixture (a server, a window) before failing. Generous: the tests run
/// in parallel, each with its own X server.
const PATIENCE: Duration = Duration::from_secs(20);

/// Close timeout for applications that refuse.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(1);

/// Close timeout for applications that comply: they answer within milliseconds.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// The window that ignores close requests, from the X11 notes: prints `ready`, then
/// `close-request N` per refused close; with `--prompt` it opens a "Save changes?" dialog
/// transient for the main window.
const REFUSER: &str = r#"
import sys, tkinter as tk
words = [a for a in sys.argv[1:] if a != "--prompt"]
title = words[0] if words else "Unsaved work"
win = tk.Tk(className="BossRefuser")
win.title(title)
refused = 0
def on_close_request():
    global refused
    refused += 1
    print("close-request", refused, flush=True)
    win.title(f"{title} [refused {refused}]")
    if "--prompt" in sys.argv:
        dlg = tk.Toplevel(win); dlg.title("Save changes?"); dlg.transient(win)
        tk.Button(dlg, text="Discard", command=win.destroy).pack(side="left")
        tk.Button(dlg, text="Cancel", command=dlg.destroy).pack(side="right")
win.protocol("WM_DELETE_WINDOW", on_close_request)
tk.Label(win, text="pretends to hold unsaved changes").pack(padx=24, pady=24)
win.wait_visibility(win)
print("ready", flush=True)
win.mainloop()
"#;

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// Whether the programs are there; if not, skip (locally) or fail (under CI).
fn have(programs: &[&str]) -> bool {
    let missing: Vec<_> = programs.iter().filter(|p| !on_path(p)).collect();
    if missing.is_empty() {
        return true;
    }
    let message =
        format!("X11 test fixtures missing: {missing:?} (Debian: xvfb openbox xterm python3-tk)");
    if std::env::var_os("CI").is_some() {
        panic!("{message}");
    }
    eprintln!("skipped: {message}");
    false
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

fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A child process that is ended and reaped when dropped: SIGTERM first, so that an X server
/// removes its lock file and socket, SIGKILL if it lingers.
struct Process(Child);

impl Process {
    fn pid(&self) -> u32 {
        self.0.id()
    }

    fn exited(&mut self) -> bool {
        !matches!(self.0.try_wait(), Ok(None))
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if self.exited() {
            return;
        }
        if let Some(pid) = rustix::process::Pid::from_raw(self.pid() as i32) {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        }
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if self.exited() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A private X server, optionally with openbox, torn down in reverse order.
struct Desktop {
    display: String,
    /// Xvfb first, then the window manager; dropped (killed) last to first.
    servers: Vec<Process>,
}

impl Desktop {
    /// Starts Xvfb on the first free display, and openbox if `with_wm`. `None`: skipped.
    fn start(with_wm: bool, clients: &[&str]) -> Option<Desktop> {
        let mut needed = vec!["Xvfb"];
        if with_wm {
            needed.push("openbox");
        }
        needed.extend_from_slice(clients);
        if !have(&needed) {
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
        let stdout = xvfb.0.stdout.take().unwrap();
        let number = first_line(stdout, PATIENCE).expect("Xvfb reports its display");
        let display = format!(":{}", number.trim());
        let mut desktop = Desktop {
            display,
            servers: vec![xvfb],
        };
        if with_wm {
            let log = std::env::temp_dir().join(format!(
                "boss-openbox-{}-{}.log",
                std::process::id(),
                desktop.display.trim_start_matches(':')
            ));
            let file = std::fs::File::create(&log).expect("openbox log");
            let openbox = Process(
                Command::new("openbox")
                    .arg("--sm-disable")
                    .env("DISPLAY", &desktop.display)
                    .stdin(Stdio::null())
                    .stdout(file.try_clone().unwrap())
                    .stderr(file)
                    .spawn()
                    .expect("start openbox"),
            );
            desktop.servers.push(openbox);
            let ready = wait_until_managing(&desktop.display);
            let said = std::fs::read_to_string(&log).unwrap_or_default();
            let _ = std::fs::remove_file(&log);
            assert!(
                ready,
                "openbox did not start on {}; it said:\n{said}",
                desktop.display
            );
        }
        Some(desktop)
    }

    fn spawn(&self, program: &str, args: &[&str], stdout: Stdio) -> Process {
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

    fn windows(&self) -> Box<dyn WindowSystem> {
        platform::window_system(Some(&self.display))
    }

    /// An xterm titled `title` and its window, once listed and its command runs.
    fn xterm(&self, windows: &dyn WindowSystem, title: &str) -> (Process, WindowInfo) {
        let process = self.spawn("xterm", &["-T", title, "-e", "sleep", "600"], Stdio::null());
        let window = wait_for_window(windows, title);
        // Closed before its child has taken the terminal, xterm leaves that child running
        // without one, where no hangup reaches it: wait until it is in place.
        eventually("the xterm's command runs on its terminal", || {
            child_on_terminal(process.pid()).then_some(())
        });
        (process, window)
    }

    /// The Tk window that refuses to close, once it said `ready`.
    fn refuser(&self, windows: &dyn WindowSystem, title: &str, prompt: bool) -> Refuser {
        let mut args = vec!["-c", REFUSER, title];
        if prompt {
            args.push("--prompt");
        }
        let mut process = self.spawn("python3", &args, Stdio::piped());
        let lines = line_channel(process.0.stdout.take().unwrap());
        let mut refuser = Refuser {
            process,
            lines,
            said: Vec::new(),
            window: None,
        };
        refuser.wait_for_line("ready");
        refuser.window = Some(wait_for_window(windows, title));
        refuser
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        while let Some(server) = self.servers.pop() {
            drop(server);
        }
    }
}

struct Refuser {
    process: Process,
    lines: Receiver<String>,
    said: Vec<String>,
    window: Option<WindowInfo>,
}

impl Refuser {
    fn window(&self) -> &WindowInfo {
        self.window.as_ref().unwrap()
    }

    fn wait_for_line(&mut self, line: &str) {
        let deadline = Instant::now() + PATIENCE;
        while !self.said.iter().any(|l| l == line) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => self.said.push(l),
                Err(_) => panic!("the refuser never said {line:?}; it said {:?}", self.said),
            }
        }
    }
}

/// Sends each line the reader produces to the returned channel.
fn line_channel(reader: impl Read + Send + 'static) -> Receiver<String> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(reader).lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
    receive
}

fn first_line(reader: impl Read + Send + 'static, timeout: Duration) -> Option<String> {
    line_channel(reader).recv_timeout(timeout).ok()
}

/// Waits until openbox manages new windows. Its check window appears before that: a window
/// mapped in between is never managed. So map a probe until the manager takes it (sets its
/// `WM_STATE`), mapping it again now and then in case a request fell in that gap.
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
fn wm_name(display: &str) -> Option<String> {
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

fn find(list: &WindowList, title: &str) -> Option<WindowInfo> {
    list.windows.iter().find(|w| w.title == title).cloned()
}

fn find_id(list: &WindowList, id: u64) -> Option<WindowInfo> {
    list.windows.iter().find(|w| w.id == id).cloned()
}

fn wait_for_window(windows: &dyn WindowSystem, title: &str) -> WindowInfo {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let list = windows.list();
        if let Some(window) = find(&list, title) {
            return window;
        }
        assert!(
            Instant::now() < deadline,
            "no window titled {title:?} in {list:#?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn wait_for_exit(process: &mut Process, what: &str) {
    eventually(what, || process.exited().then_some(()));
}

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
        find_id(&windows.list(), window.id).filter(|w| w.active)
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
    let outcome = windows.close(window.id, CLOSE_TIMEOUT).unwrap();
    assert_eq!(outcome, CloseOutcome::Closed);
    wait_for_exit(&mut xterm, "the xterm exits");
    assert_eq!(find_id(&windows.list(), window.id), None);
}

#[test]
fn a_refusing_window_is_still_open_after_the_timeout() {
    let Some(desktop) = Desktop::start(true, &["python3"]) else {
        return;
    };
    let windows = desktop.windows();
    let mut refuser = desktop.refuser(&*windows, "boss refuser", false);
    assert!(refuser.window().closable);
    assert_eq!(refuser.window().pid, Some(refuser.process.pid()));
    let id = refuser.window().id;
    let (outcome, took) = std::thread::scope(|scope| {
        let closing = scope.spawn(|| {
            let started = Instant::now();
            let outcome = windows.close(id, REFUSAL_TIMEOUT).unwrap();
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
    assert!(!refuser.process.exited(), "never killed");
    assert!(find_id(&windows.list(), refuser.window().id).is_some());
}

#[test]
fn a_window_that_asks_to_save_is_prompting_and_its_dialog_is_listed() {
    let Some(desktop) = Desktop::start(true, &["python3"]) else {
        return;
    };
    let windows = desktop.windows();
    let mut refuser = desktop.refuser(&*windows, "boss prompter", true);
    let id = refuser.window().id;
    let outcome = windows.close(id, CLOSE_TIMEOUT).unwrap();
    assert_eq!(outcome, CloseOutcome::Prompting);
    refuser.wait_for_line("close-request 1");
    let dialog = wait_for_window(&*windows, "Save changes?");
    assert_eq!(dialog.transient_for, Some(id));
    assert_eq!(dialog.pid, Some(refuser.process.pid()));
    assert_eq!(dialog.kind, "dialog");
    assert!(!refuser.process.exited());
}

#[test]
fn closing_many_sends_all_requests_then_waits_once() {
    let Some(desktop) = Desktop::start(true, &["xterm", "python3"]) else {
        return;
    };
    let windows = desktop.windows();
    let (mut a, window_a) = desktop.xterm(&*windows, "boss many A");
    let (mut b, window_b) = desktop.xterm(&*windows, "boss many B");
    let refuser = desktop.refuser(&*windows, "boss many refuser", false);
    let ids = [window_a.id, window_b.id, refuser.window().id];
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
            (window_a.id, CloseOutcome::Closed),
            (window_b.id, CloseOutcome::Closed),
            (refuser.window().id, CloseOutcome::StillOpen),
        ]
    );
    // One shared timeout, not one per window.
    assert!(
        took < REFUSAL_TIMEOUT + Duration::from_millis(900),
        "took {took:?}"
    );
    wait_for_exit(&mut a, "xterm A exits");
    wait_for_exit(&mut b, "xterm B exits");
}

#[test]
fn minimize_then_activate_restores_and_focuses() {
    let Some(desktop) = Desktop::start(true, &["xterm"]) else {
        return;
    };
    let windows = desktop.windows();
    let (_xterm, window) = desktop.xterm(&*windows, "boss minimize test");
    windows.minimize(window.id).unwrap();
    let minimized = eventually("the xterm is minimized", || {
        find_id(&windows.list(), window.id).filter(|w| w.minimized)
    });
    // Openbox names the next active window a moment after iconifying; a minimized window
    // is never reported active meanwhile.
    assert!(!minimized.active, "a minimized window is not active");
    windows.activate(window.id).unwrap();
    eventually("the xterm is restored and active", || {
        find_id(&windows.list(), window.id).filter(|w| !w.minimized && w.active)
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
    windows.activate(window.id).unwrap();
    eventually("the xterm has the focus", || {
        find_id(&windows.list(), window.id).filter(|w| w.active)
    });

    let err = windows.minimize(window.id).unwrap_err();
    assert!(matches!(err, platform::Error::Unsupported(_)), "{err:?}");

    let outcome = windows.close(window.id, CLOSE_TIMEOUT).unwrap();
    assert_eq!(outcome, CloseOutcome::Closed);
    wait_for_exit(&mut xterm, "the xterm exits");
}

#[test]
fn an_unreachable_display_is_unavailable_and_actions_unsupported() {
    let windows = platform::window_system(Some(":12345"));
    let list = windows.list();
    assert!(!list.available);
    assert!(list.windows.is_empty());
    let reason = list.reason.expect("a reason");
    assert!(reason.contains(":12345"), "{reason}");
    let err = windows.close(0x400001, REFUSAL_TIMEOUT).unwrap_err();
    assert!(matches!(err, platform::Error::Unsupported(_)), "{err:?}");
    let err = windows.minimize(0x400001).unwrap_err();
    assert!(matches!(err, platform::Error::Unsupported(_)), "{err:?}");
    let many = windows.close_many(&[1, 2], REFUSAL_TIMEOUT);
    assert_eq!(many.len(), 2);
    assert!(
        many.iter()
            .all(|(_, r)| matches!(r, Err(platform::Error::Unsupported(_))))
    );
}

/// A bare window made by this test: WM_CLASS and a COMPOUND_TEXT title, no WM_PROTOCOLS.
fn bare_window(conn: &impl Connection, screen: usize, title: &[u8]) -> u32 {
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
    let compound = conn
        .intern_atom(false, b"COMPOUND_TEXT")
        .unwrap()
        .reply()
        .unwrap()
        .atom;
    conn.change_property8(PropMode::REPLACE, w, AtomEnum::WM_NAME, compound, title)
        .unwrap();
    conn.map_window(w).unwrap();
    conn.sync().unwrap();
    w
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
    assert_eq!(window.id, u64::from(w));
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

    let outcome = windows.close(window.id, REFUSAL_TIMEOUT).unwrap();
    assert_eq!(outcome, CloseOutcome::Unsupported);
    // Nothing was sent: the window and our connection are intact (a manager asked to close
    // it would have killed our connection).
    std::thread::sleep(Duration::from_millis(200));
    conn.get_window_attributes(w).unwrap().reply().unwrap();
    assert!(find_id(&windows.list(), window.id).is_some());
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
    let id = u64::from(w);
    assert_eq!(
        windows.close(id, REFUSAL_TIMEOUT).unwrap(),
        CloseOutcome::Gone
    );
    assert_eq!(
        windows.close(u64::MAX, REFUSAL_TIMEOUT).unwrap(),
        CloseOutcome::Gone
    );
    let err = windows.activate(id).unwrap_err();
    assert!(matches!(err, platform::Error::NotFound(_)), "{err:?}");
    let err = windows.minimize(id).unwrap_err();
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
    let err = windows.activate(1).unwrap_err();
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
