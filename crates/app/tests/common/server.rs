//! The real `boss` binary as a server on a free loopback port, for tests that talk to it as a
//! person or a script would.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    pub child: Child,
    pub base: String,
    pub data_dir: std::path::PathBuf,
    /// What the server logged up to "ready".
    pub startup_log: Vec<String>,
}

impl Server {
    pub fn start(data_dir: &std::path::Path) -> Server {
        Self::start_with(data_dir, &[])
    }

    /// With extra environment variables for the server.
    pub fn start_with(data_dir: &std::path::Path, env: &[(&str, &str)]) -> Server {
        let child = Command::new(env!("CARGO_BIN_EXE_boss"))
            .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .env_remove("BOSS_DATABASE_URL")
            .envs(env.iter().copied())
            .env("BOSS_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start boss");
        // In the server from here on, so that a failure below still ends and reaps it.
        let mut server = Server {
            child,
            base: String::new(),
            data_dir: data_dir.to_path_buf(),
            startup_log: Vec::new(),
        };
        let stderr = server.child.stderr.take().unwrap();
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let line = receive
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .expect("boss starts");
            server.startup_log.push(line.clone());
            if let Some(rest) = line.split("ready at ").nth(1) {
                server.base = rest.trim().trim_end_matches('/').to_string();
                return server;
            }
        }
    }

    /// The code the first registration needs, while no account exists.
    pub fn setup_code(&self) -> Option<String> {
        std::fs::read_to_string(self.data_dir.join("setup-code"))
            .ok()
            .map(|code| code.trim().to_string())
    }

    /// Resident memory now and at its peak (`VmRSS`, `VmHWM`), in bytes.
    pub fn memory(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let field = |name: &str| -> u64 {
            let line = status.lines().find(|l| l.starts_with(name)).unwrap();
            let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
            kib * 1024
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    /// SIGTERM, then wait: a clean shutdown exits with success.
    pub fn stop(mut self) {
        let pid = rustix::process::Pid::from_raw(self.child.id() as i32).unwrap();
        rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
        let status = self.child.wait().unwrap();
        assert!(status.success(), "boss exits cleanly on SIGTERM: {status}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
