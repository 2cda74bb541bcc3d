//! The real `boss` binary as a server on a free loopback port, for tests that talk to it as a
//! person or a script would, and a signed-in HTTP session with it (or with any Boss server on
//! loopback). The benchmarks use this module too (`#[path]`), so it names nothing of the
//! tests' `common` module.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

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

    /// With extra environment variables for the server (`BOSS_LOG` among them replaces the
    /// default `info`).
    pub fn start_with(data_dir: &std::path::Path, env: &[(&str, &str)]) -> Server {
        let child = Command::new(env!("CARGO_BIN_EXE_boss"))
            .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .env_remove("BOSS_DATABASE_URL")
            // Nothing of the graphical session the tests run in: Boss would find that desktop
            // (X11, sway, KWin or GNOME Shell) and act on its windows. A test that wants a
            // desktop passes its own below.
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("SWAYSOCK")
            .env_remove("XDG_CURRENT_DESKTOP")
            .env_remove("XDG_RUNTIME_DIR")
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env("BOSS_LOG", "info")
            .envs(env.iter().copied())
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

    /// Registers the first account with the setup code: its session.
    pub async fn register(&self, username: &str, password: &str) -> Session {
        Session::register(&self.base, username, password, self.setup_code()).await
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

/// `boss_session=...` from the answer's `Set-Cookie`.
fn session_cookie(reply: &reqwest::Response) -> Option<String> {
    reply
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
}

/// A signed-in HTTP client of one Boss server (its session cookie on every request).
#[derive(Clone)]
pub struct Session {
    pub http: reqwest::Client,
    pub base: String,
    /// `boss_session=...`, as the `Cookie` header sends it.
    pub cookie: String,
}

impl Session {
    /// Registers the first account on the server at `base` (checked: 201): its session.
    pub async fn register(
        base: &str,
        username: &str,
        password: &str,
        setup_code: Option<String>,
    ) -> Session {
        let http = reqwest::Client::new();
        let reply = http
            .post(format!("{base}/api/v1/auth/register"))
            .json(&serde_json::json!({
                "username": username,
                "password": password,
                "setup_code": setup_code,
            }))
            .send()
            .await
            .expect("the server answers");
        let status = reply.status();
        let cookie = session_cookie(&reply);
        let body = reply.text().await.unwrap_or_default();
        assert_eq!(status, 201, "the first account is made: {body}");
        Session {
            http,
            base: base.to_string(),
            cookie: cookie.expect("register sets the cookie"),
        }
    }

    /// Signs `username` in on the server at `base` (checked: 200): its session.
    pub async fn login(base: &str, username: &str, password: &str) -> Session {
        let http = reqwest::Client::new();
        let reply = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .await
            .expect("the server answers");
        assert_eq!(reply.status(), 200, "{username} signs in");
        let cookie = session_cookie(&reply);
        Session {
            http,
            base: base.to_string(),
            cookie: cookie.expect("login sets the cookie"),
        }
    }

    /// A request to `path` (below the server's address) with the session cookie.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
    }

    /// Sends a request (with a JSON body if any): the status and the JSON answer (`null`
    /// when it is not JSON). Waits a minute at most.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self.request(method, path).timeout(Duration::from_secs(60));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::DELETE, path, None).await
    }
}
