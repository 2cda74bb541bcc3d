//! The test kit's private X desktop (`testkit::desktop`) with the window backend under test
//! attached, as the app's tests use it: windows looked up by title, the refusing window with
//! its process and the local port of its connection.
#![allow(dead_code)]

use std::process::Stdio;

use platform::{WindowInfo, WindowSystem};
/// The refusing window's script (`python3 -c REFUSER TITLE [--prompt] [--connect PORT]`).
#[allow(unused_imports)]
pub use testkit::desktop::REFUSER_SCRIPT as REFUSER;
pub use testkit::desktop::Refuser;
pub use testkit::process::Process;

pub struct Desktop {
    pub display: String,
    windows: Box<dyn WindowSystem>,
    kit: testkit::desktop::Desktop,
}

impl Desktop {
    /// Xvfb (and openbox when `with_wm`) with xterm and python3-tk; `None` when skipped.
    pub fn start(with_wm: bool) -> Option<Desktop> {
        let kit = testkit::desktop::Desktop::start(with_wm, &["xterm", "python3"])?;
        Some(Desktop {
            display: kit.display.clone(),
            windows: kit.windows(),
            kit,
        })
    }

    pub fn spawn(&self, program: &str, args: &[&str], stdout: Stdio) -> Process {
        self.kit.spawn(program, args, stdout)
    }

    pub fn window(&self, title: &str) -> WindowInfo {
        testkit::desktop::wait_for_window(&*self.windows, title)
    }

    pub fn xterm(&self, title: &str) -> (Process, WindowInfo) {
        self.kit.xterm(&*self.windows, title)
    }

    /// The refusing Tk window (its process, its window, what it said: `close-request N`);
    /// `connect` makes it hold a connection to 127.0.0.1:port (see `Refuser::local_port`).
    pub fn refuser(&self, title: &str, prompt: bool, connect: Option<u16>) -> Refuser {
        self.kit.refuser(&*self.windows, title, prompt, connect)
    }
}
