//! What the session stories share, on X11 and on sway: the processes they started (ended by
//! PID on drop), a private desktop entry, and reading restore reports.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{Auth, TestApp};

/// Processes the test started or had Boss start, ended by PID and start time on drop (the
/// close-alls of a story end them politely first).
#[derive(Default)]
pub struct Started(Vec<platform::ProcessRef>);

impl Started {
    pub fn add(&mut self, pid: u32) {
        if let Ok(process) = platform::identify_process(pid)
            && !self.0.contains(&process)
        {
            self.0.push(process);
        }
    }

    /// The processes of the launches a restore report names.
    pub async fn add_launched(&mut self, app: &TestApp, admin: &Auth, report: &Value) {
        for result in report["results"].as_array().unwrap() {
            if let Some(id) = result["launch_id"].as_i64() {
                let launch = app.get(&format!("/api/v1/launches/{id}"), admin).await.body;
                if let Some(pid) = launch["pid"].as_u64() {
                    self.add(pid as u32);
                }
            }
        }
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        for process in &self.0 {
            let _ = platform::send_signal(*process, platform::Signal::Kill);
        }
    }
}

/// A private catalog holding one desktop entry, `<id>.desktop` with `entry` after its
/// `[Desktop Entry]` line, as a desktop would have.
pub fn catalog(dir: &Path, id: &str, entry: &str) -> platform::CatalogOptions {
    let apps = dir.join("share/applications");
    std::fs::create_dir_all(&apps).unwrap();
    std::fs::write(
        apps.join(format!("{id}.desktop")),
        format!("[Desktop Entry]\nType=Application\n{entry}"),
    )
    .unwrap();
    platform::CatalogOptions {
        data_dirs: vec![dir.join("share")],
        current_desktops: Vec::new(),
        locale: None,
        icon_theme: None,
        icon_dirs: Vec::new(),
    }
}

pub fn wait_for<T>(what: &str, patience: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + patience;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The app of a session's detail that has a window titled `title`.
pub fn app_named<'a>(detail: &'a Value, title: &str) -> &'a Value {
    detail["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["windows"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w["title"] == title)
        })
        .unwrap_or_else(|| panic!("no app with a window {title:?}: {detail}"))
}

/// A restore report's outcomes by the title of each app's first window.
pub fn outcomes(report: &Value) -> HashMap<String, String> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let title = r["windows"][0]["title"].as_str().unwrap_or("").to_string();
            (title, r["outcome"].as_str().unwrap().to_string())
        })
        .collect()
}

/// The result of a restore report for the app whose first window is titled `title`.
pub fn result_for<'a>(report: &'a Value, title: &str) -> &'a Value {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["windows"][0]["title"] == title)
        .unwrap_or_else(|| panic!("no result for {title:?}: {report}"))
}

pub async fn close_all(app: &TestApp, admin: &Auth) -> Value {
    let reply = app
        .post(
            "/api/v1/windows/close-all",
            admin,
            json!({"dry_run": false, "timeout_ms": 5000}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

pub async fn restore(app: &TestApp, admin: &Auth, id: i64, dry_run: bool) -> Value {
    let reply = app
        .post(
            &format!("/api/v1/sessions/{id}/restore"),
            admin,
            json!({"dry_run": dry_run, "timeout_ms": 20000}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}
