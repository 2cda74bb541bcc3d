//! What the session stories share, on X11 and on sway: the processes they started (ended by
//! PID on drop), a private desktop entry, and reading restore reports.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use axum::http::StatusCode;
use platform::{WindowInfo, WindowSystem};
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

    /// Waits until none of them runs.
    pub fn wait_until_ended(&self) {
        wait_for("the desk's processes exit", Duration::from_secs(10), || {
            (!self.0.iter().any(|p| platform::process_running(*p))).then_some(())
        });
    }

    /// Has Boss launch `program` with `args` (`POST /api/v1/launches`) and adds its process.
    pub async fn launch(&mut self, app: &TestApp, admin: &Auth, program: &str, args: &[&str]) {
        let launch = app
            .launch(admin, json!({"program": program, "args": args}))
            .await;
        self.add(launch["pid"].as_u64().unwrap() as u32);
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

/// Polls until a value comes, or panics naming what was awaited after the patience given.
pub use testkit::desktop::eventually_within as wait_for;

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

/// The launch record (`GET /api/v1/launches/{id}`) that restore report `report` names for the
/// app whose first window is titled `title`.
pub async fn launch_of(app: &TestApp, admin: &Auth, report: &Value, title: &str) -> Value {
    let id = result_for(report, title)["launch_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{title} is in the launch history: {report}"));
    app.get(&format!("/api/v1/launches/{id}"), admin).await.body
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

/// A close-all of the whole desk, waited out: nothing is listed and no process of `started`
/// runs (a closed window's process may outlive its window a moment, and a restore meanwhile
/// would find its app still running). Returns the session the close-all saved first.
async fn close_all_and_wait(
    app: &TestApp,
    admin: &Auth,
    windows: &dyn WindowSystem,
    started: &Started,
) -> i64 {
    let report = close_all(app, admin).await;
    let saved = report["session_id"]
        .as_i64()
        .expect("close-all saved first");
    started.wait_until_ended();
    wait_for("every window is closed", Duration::from_secs(10), || {
        windows.list().windows.is_empty().then_some(())
    });
    saved
}

/// The middle of a session story: a close-all (which saves what it closes first) ends
/// `processes` (the desk's own windows) and leaves nothing listed; then session `work` is
/// restored, its app `gone` reported unrestorable and each of `restorable` launched (their
/// processes added to `started`). Returns the close-all's session, to undo it, and the report.
pub async fn close_all_then_restore(
    app: &TestApp,
    admin: &Auth,
    windows: &dyn WindowSystem,
    processes: Vec<testkit::process::Process>,
    (work, restorable, gone): (i64, &[&str], &str),
    started: &mut Started,
) -> (i64, Value) {
    let undo = close_all_and_wait(app, admin, windows, started).await;
    for mut process in processes {
        wait_for(
            "the window's process exits",
            Duration::from_secs(10),
            || process.has_exited().then_some(()),
        );
    }
    let report = restore(app, admin, work, false).await;
    started.add_launched(app, admin, &report).await;
    let got = outcomes(&report);
    assert_eq!(got[gone], "unrestorable", "{report}");
    for title in restorable {
        assert_eq!(got[*title], "launched", "{title}: {report}");
    }
    (undo, report)
}

/// How far a restored window may be from where it was: managers snap to edges, terminals size
/// to whole character cells.
pub const TOLERANCE: i64 = 24;

/// The window titled `title`, once listed.
pub fn window(windows: &dyn WindowSystem, title: &str) -> WindowInfo {
    wait_for(
        &format!("a window titled {title:?} is listed"),
        Duration::from_secs(20),
        || {
            windows
                .list()
                .windows
                .into_iter()
                .find(|w| w.title == title)
        },
    )
}

/// The restored windows, by title: their processes and places in the stacking order.
pub struct Back {
    pub pids: HashMap<String, u32>,
    pub stacking: HashMap<String, Option<u32>>,
}

/// Checks that every restorable window of `saved` is back on its desktop, owned by a process
/// other than `old_pids[title]`, minimized if it was, else near its geometry (a tiled one
/// tiled instead: its geometry is the layout's).
pub fn assert_back(
    windows: &dyn WindowSystem,
    saved: &Value,
    old_pids: &HashMap<String, u32>,
) -> Back {
    let mut back = Back {
        pids: HashMap::new(),
        stacking: HashMap::new(),
    };
    for app in saved["apps"].as_array().unwrap() {
        if app["restorable"] == false {
            continue;
        }
        for want in app["windows"].as_array().unwrap() {
            let title = want["title"].as_str().unwrap();
            let desktop = want["desktop"].as_i64();
            let minimized = want["minimized"] == true;
            let live = wait_for(
                &format!("{title} is back on desktop {desktop:?}, minimized: {minimized}"),
                Duration::from_secs(10),
                || {
                    Some(window(windows, title))
                        .filter(|w| w.desktop == desktop && w.minimized == minimized)
                },
            );
            let pid = live.pid.expect("the window names its process");
            assert_ne!(Some(&pid), old_pids.get(title), "{title}: a new process");
            back.pids.insert(title.to_string(), pid);
            if minimized {
                continue;
            }
            let tiled = want["tiled"] == true;
            let near = |got: i64, key: &str| (got - want[key].as_i64().unwrap()).abs() <= TOLERANCE;
            let layout = wait_for(
                &format!(
                    "{title} is back at its geometry (now {:?})",
                    windows.layout(&live)
                ),
                Duration::from_secs(10),
                || {
                    windows.layout(&live).ok().filter(|l| {
                        let g = l.geometry;
                        l.tiled == tiled
                            && (tiled
                                || near(g.x.into(), "x")
                                    && near(g.y.into(), "y")
                                    && near(g.width.into(), "width")
                                    && near(g.height.into(), "height"))
                    })
                },
            );
            assert!(!layout.maximized, "{title}");
            back.stacking.insert(title.to_string(), layout.stacking);
        }
    }
    back
}

/// [`assert_back`], and the window titled `front` in front of the one titled `behind`;
/// returns the new PIDs by title.
pub fn assert_back_in_front(
    windows: &dyn WindowSystem,
    saved: &Value,
    old_pids: &HashMap<String, u32>,
    (front, behind): (&str, &str),
) -> HashMap<String, u32> {
    let back = assert_back(windows, saved, old_pids);
    let (f, b) = (&back.stacking[front], &back.stacking[behind]);
    assert!(f > b, "{front} in front of {behind}: {:?}", back.stacking);
    back.pids
}

/// The end of a session story, on whatever window system: restoring session `work` again
/// starts nothing (every app of `titles` is `already_running`, one window each); then the
/// close-all that saved session `undo` first is listed as such, and a close-all now is undone
/// by restoring what it saved, every app launched again and `check_back` on its windows
/// (given the session's detail).
pub async fn restore_again_then_undo(
    app: &TestApp,
    (admin, viewer): (&Auth, &Auth),
    windows: &dyn WindowSystem,
    (work, undo): (i64, i64),
    titles: &[&str],
    started: &mut Started,
    check_back: impl FnOnce(&Value),
) {
    // Nothing twice.
    let again = outcomes(&restore(app, admin, work, false).await);
    for title in titles {
        assert_eq!(again[*title], "already_running", "{title}: {again:?}");
    }
    assert_eq!(windows.list().windows.len(), titles.len());

    // Undo a close-all: the first close-all's session holds what it closed.
    let listed = app.get("/api/v1/sessions", viewer).await.body;
    let undo_row = listed["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == undo)
        .unwrap();
    assert_eq!(undo_row["kind"], "close_all");
    assert_eq!(
        undo_row["windows"],
        titles.len() + 1,
        "the unrestorable too"
    );
    let second_undo = close_all_and_wait(app, admin, windows, started).await;
    let undone = restore(app, admin, second_undo, false).await;
    started.add_launched(app, admin, &undone).await;
    let got = outcomes(&undone);
    assert_eq!(got.len(), titles.len(), "{undone}");
    assert!(got.values().all(|o| o == "launched"), "{undone}");
    let undo_detail = app
        .get(&format!("/api/v1/sessions/{second_undo}"), admin)
        .await
        .body;
    check_back(&undo_detail);
}
