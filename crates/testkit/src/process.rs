//! Children that tests start, ended and reaped when dropped.

use std::io::{BufRead, BufReader, Read};
use std::process::Child;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// A child process, ended when dropped: SIGTERM first (so that an X server removes its lock
/// file and socket), SIGKILL if it lingers, then reaped.
pub struct Process(pub Child);

impl Process {
    /// `sleep seconds` (any argument `sleep` takes, such as `86399.25`), a harmless process
    /// for a test to find, signal or end; standard input is closed.
    pub fn sleep(seconds: impl std::fmt::Display) -> Process {
        Process(
            std::process::Command::new("sleep")
                .arg(seconds.to_string())
                .stdin(std::process::Stdio::null())
                .spawn()
                .expect("start sleep"),
        )
    }

    pub fn pid(&self) -> u32 {
        self.0.id()
    }

    /// Whether it has ended (reaping it if so).
    pub fn has_exited(&mut self) -> bool {
        !matches!(self.0.try_wait(), Ok(None))
    }

    /// Waits until it has ended (reaping it), for at most [`PATIENCE`](crate::desktop::PATIENCE).
    pub fn wait_for_exit(&mut self, what: &str) {
        crate::desktop::eventually(what, || self.has_exited().then_some(()));
    }

    /// Its standard output as lines on a channel (it must have been started with a pipe).
    pub fn stdout_lines(&mut self) -> Receiver<String> {
        lines(self.0.stdout.take().expect("stdout is piped"))
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
        while Instant::now() < deadline {
            if self.has_exited() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Sends each line `reader` produces to the returned channel.
pub fn lines(reader: impl Read + Send + 'static) -> Receiver<String> {
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
