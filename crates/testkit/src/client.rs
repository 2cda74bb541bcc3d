//! Client windows that tests start from a script which reports on its standard output (the
//! refusing Tk window on X11, the GTK window on sway, KWin and GNOME Shell): `ready` once
//! mapped, `connected PORT` when it holds a connection, `close-request N` when asked to close.
//! A test waits for such a line and reads the port.

use std::sync::mpsc::Receiver;
use std::time::Instant;

use platform::{WindowInfo, WindowSystem};

use crate::desktop::{PATIENCE, wait_for_window};
use crate::process::Process;

/// A script's window: its process, what it said, and its window as the backend lists it.
pub struct ClientWindow {
    pub process: Process,
    output: Output,
    window: WindowInfo,
}

impl ClientWindow {
    /// Waits until `process` (started with its standard output piped; `who` names it in a
    /// failure) says `ready` and `windows` lists its window titled `title`.
    pub fn ready(
        mut process: Process,
        who: &'static str,
        windows: &dyn WindowSystem,
        title: &str,
    ) -> ClientWindow {
        let mut output = Output::of(&mut process, who);
        output.wait_for_line("ready");
        let window = wait_for_window(windows, title);
        ClientWindow {
            process,
            output,
            window,
        }
    }

    pub fn window(&self) -> &WindowInfo {
        &self.window
    }

    /// The local port of its connection (when started to hold one).
    pub fn local_port(&self) -> Option<u16> {
        self.output.local_port()
    }

    /// Waits until it has printed `line`.
    pub fn wait_for_line(&mut self, line: &str) {
        self.output.wait_for_line(line)
    }
}

/// The lines a child printed so far, and the rest as they come.
pub struct Output {
    lines: Receiver<String>,
    said: Vec<String>,
    /// Names the child in a failure ("the refuser", "the GTK window").
    who: &'static str,
}

impl Output {
    /// Reads `process`'s standard output (it must have been started with a pipe).
    pub fn of(process: &mut Process, who: &'static str) -> Output {
        Output {
            lines: process.stdout_lines(),
            said: Vec::new(),
            who,
        }
    }

    /// The local port of its connection (`connected PORT`).
    pub fn local_port(&self) -> Option<u16> {
        self.said
            .iter()
            .find_map(|l| l.strip_prefix("connected ")?.trim().parse().ok())
    }

    /// Waits until it has printed `line`; panics with what it did print after [`PATIENCE`].
    pub fn wait_for_line(&mut self, line: &str) {
        let deadline = Instant::now() + PATIENCE;
        while !self.said.iter().any(|l| l == line) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => self.said.push(l),
                Err(_) => panic!("{} never said {line:?}; it said {:?}", self.who, self.said),
            }
        }
    }
}
