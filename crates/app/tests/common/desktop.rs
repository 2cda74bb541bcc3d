//! A private X desktop for tests: Xvfb on a free display with openbox, and client windows the
//! test starts itself (xterm, a Tk window that refuses to close). Everything is ended by PID
//! on drop. Without Xvfb and friends the tests skip, except under CI, where that fails.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use platform::{WindowInfo, WindowSystem};

const PATIENCE: Duration = Duration::from_secs(20);

/// A window that ignores close requests (with `--prompt` it opens a "Save changes?" dialog),
/// optionally holding a TCP connection to 127.0.0.1:PORT (`--connect PORT`), as a browser
/// showing Boss would.
pub const REFUSER: &str = r#"
import socket, sys, tkinter as tk
args = sys.argv[1:]
conn = None
if "--connect" in args:
    port = int(args[args.index("--connect") + 1])
    conn = socket.create_connection(("127.0.0.1", port))
    print("connected", conn.getsockname()[1], flush=True)
title = args[0]
win = tk.Tk(className="BossRefuser")
win.title(title)
def on_close_request():
    print("close-request", flush=True)
    if "--prompt" in args:
        dlg = tk.Toplevel(win); dlg.title("Save changes?"); dlg.transient(win)
        tk.Button(dlg, text="Cancel", command=dlg.destroy).pack()
win.protocol("WM_DELETE_WINDOW", on_close_request)
tk.Label(win, text="unsaved changes").pack(padx=24, pady=24)
win.wait_visibility(win)
print("ready", flush=True)
win.mainloop()
"#;

/// A child process, ended (TERM, then KILL) and reaped on drop.
pub struct Process(pub Child);

impl Process {
    pub fn pid(&self) -> u32 {
        self.0.id()
    }

    pub fn has_exited(&mut self) -> bool {
        matches!(self.0.try_wait(), Ok(Some(_)))
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if self.has_exited() {
            return;
        }
        if let Some(pid) = rustix::process::Pid::from_raw(self.pid() as i32) {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        }
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline && !self.has_exited() {
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub struct Desktop {
    pub display: String,
    windows: Box<dyn WindowSystem>,
    /// Xvfb, then openbox: dropped last to first.
    servers: Vec<Process>,
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
}

impl Desktop {
    /// Xvfb (and openbox when `with_wm`); `None` when the programs are missing (not in CI).
    pub fn start(with_wm: bool) -> Option<Desktop> {
        let missing: Vec<_> = ["Xvfb", "openbox", "xterm", "python3"]
            .into_iter()
            .filter(|p| !on_path(p))
            .collect();
        if !missing.is_empty() {
            let message = format!("missing {missing:?} for the X11 tests");
            assert!(
                std::env::var_os("CI").is_none(),
                "{message} (CI must run them)"
            );
            eprintln!("skipping: {message}");
            return None;
        }
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
        let lines = lines(xvfb.0.stdout.take().unwrap());
        let number = lines
            .recv_timeout(PATIENCE)
            .expect("Xvfb reports its display");
        let display = format!(":{}", number.trim());
        let mut servers = vec![xvfb];
        if with_wm {
            servers.push(Process(
                Command::new("openbox")
                    .arg("--sm-disable")
                    .env("DISPLAY", &display)
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("start openbox"),
            ));
        }
        let windows = platform::window_system(Some(&display));
        let desktop = Desktop {
            display,
            windows,
            servers,
        };
        if with_wm {
            desktop.wait_for_window_manager();
        }
        Some(desktop)
    }

    /// Openbox announces itself before it manages windows: a probe xterm must show up in its
    /// client list before the desktop counts as ready.
    fn wait_for_window_manager(&self) {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if self.windows.list().window_manager.is_some() {
                let probe = self.spawn(
                    "xterm",
                    &["-T", "wm-probe", "-e", "sleep", "60"],
                    Stdio::null(),
                );
                let seen = self.try_window("wm-probe", Duration::from_secs(3));
                drop(probe);
                if seen.is_some() {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("openbox did not start managing windows on {}", self.display);
    }

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

    fn try_window(&self, title: &str, patience: Duration) -> Option<WindowInfo> {
        let deadline = Instant::now() + patience;
        while Instant::now() < deadline {
            if let Some(w) = self
                .windows
                .list()
                .windows
                .into_iter()
                .find(|w| w.title == title)
            {
                return Some(w);
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        None
    }

    pub fn window(&self, title: &str) -> WindowInfo {
        self.try_window(title, PATIENCE)
            .unwrap_or_else(|| panic!("no window titled {title:?} appeared"))
    }

    pub fn xterm(&self, title: &str) -> (Process, WindowInfo) {
        let process = self.spawn("xterm", &["-T", title, "-e", "sleep", "600"], Stdio::null());
        let window = self.window(title);
        (process, window)
    }

    /// The refusing Tk window; `connect` makes it hold a connection to 127.0.0.1:port, whose
    /// local port is returned.
    pub fn refuser(
        &self,
        title: &str,
        prompt: bool,
        connect: Option<u16>,
    ) -> (Process, WindowInfo, Option<u16>) {
        let port = connect.map(|p| p.to_string());
        let mut args = vec!["-c", REFUSER, title];
        if prompt {
            args.push("--prompt");
        }
        if let Some(port) = &port {
            args.extend(["--connect", port]);
        }
        let mut process = self.spawn("python3", &args, Stdio::piped());
        let lines = lines(process.0.stdout.take().unwrap());
        let mut local_port = None;
        loop {
            let line = lines.recv_timeout(PATIENCE).expect("the refuser starts");
            if let Some(p) = line.strip_prefix("connected ") {
                local_port = p.trim().parse().ok();
            }
            if line == "ready" {
                break;
            }
        }
        let window = self.window(title);
        (process, window, local_port)
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        while let Some(server) = self.servers.pop() {
            drop(server);
        }
    }
}

fn lines(reader: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
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
