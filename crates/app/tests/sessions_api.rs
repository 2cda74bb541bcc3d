//! Sessions end to end on a real X server with openbox (four desktops in its stock
//! configuration): save a desk of xterms on two desktops, close everything, restore it, and
//! check that each app is back (new processes), on its desktop, at its geometry, the one Boss
//! launched with its exact arguments, nothing started twice, and the unrestorable one reported
//! as such; then undo a close-all the same way. On SQLite here and on PostgreSQL.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Value, json};

use common::desktop::Desktop;
use common::postgres::TempPostgres;
use common::{Auth, TestApp};
use platform::{Placement, WindowInfo, WindowSystem};

/// How far a restored window may be from where it was: managers snap to edges and xterm sizes
/// to whole character cells.
const TOLERANCE: i64 = 24;

/// Processes the test started or had Boss start, ended by PID and start time on drop (the
/// close-alls of the story end them politely first).
#[derive(Default)]
struct Started(Vec<platform::ProcessRef>);

impl Started {
    fn add(&mut self, pid: u32) {
        if let Ok(process) = platform::identify_process(pid)
            && !self.0.contains(&process)
        {
            self.0.push(process);
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

/// A private catalog with one entry for xterm, as a desktop would have.
fn catalog(dir: &Path) -> platform::CatalogOptions {
    let apps = dir.join("share/applications");
    std::fs::create_dir_all(&apps).unwrap();
    std::fs::write(
        apps.join("boss-term.desktop"),
        "[Desktop Entry]\nType=Application\nName=Boss Term\nExec=xterm -T boss-entry -e sleep 600\nStartupWMClass=XTerm\n",
    )
    .unwrap();
    platform::CatalogOptions {
        data_dirs: vec![dir.join("share")],
        ..Default::default()
    }
}

fn wait_for<T>(what: &str, patience: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + patience;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn window(windows: &dyn WindowSystem, title: &str) -> WindowInfo {
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

fn app_named<'a>(detail: &'a Value, title: &str) -> &'a Value {
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

fn outcomes(report: &Value) -> HashMap<String, String> {
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

async fn close_all(app: &TestApp, admin: &Auth) -> Value {
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

async fn restore(app: &TestApp, admin: &Auth, id: i64, dry_run: bool) -> Value {
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

/// Checks that every window of `saved` is back, on its desktop, near its geometry, owned by a
/// process other than `old_pids[title]`; returns the new PIDs by title.
fn assert_back(
    windows: &dyn WindowSystem,
    saved: &Value,
    old_pids: &HashMap<String, u32>,
) -> HashMap<String, u32> {
    let mut pids = HashMap::new();
    for app in saved["apps"].as_array().unwrap() {
        if app["restorable"] == false {
            continue;
        }
        for want in app["windows"].as_array().unwrap() {
            let title = want["title"].as_str().unwrap();
            let live = window(windows, title);
            let pid = live.pid.expect("a local client has a PID");
            assert_ne!(Some(&pid), old_pids.get(title), "{title}: a new process");
            assert_eq!(live.desktop, want["desktop"].as_i64(), "{title}: desktop");
            let near = |got: i64, key: &str| (got - want[key].as_i64().unwrap()).abs() <= TOLERANCE;
            let layout = wait_for(
                &format!("{title} is back at its geometry"),
                Duration::from_secs(10),
                || {
                    windows.layout(&live).ok().filter(|l| {
                        let g = l.geometry;
                        near(g.x.into(), "x")
                            && near(g.y.into(), "y")
                            && near(g.width.into(), "width")
                            && near(g.height.into(), "height")
                    })
                },
            );
            assert!(!layout.maximized);
            pids.insert(title.to_string(), pid);
        }
    }
    pids
}

async fn story(app: &TestApp, desktop: &Desktop) {
    let (admin, viewer) = app.admin_and("vera", "viewer").await;
    let windows = platform::window_system(&platform::SessionEnv::x11(Some(&desktop.display)));
    let mut started = Started::default();

    // The desk: two xterms on desktop 2, one launched through Boss with arguments, one started
    // from the desktop entry's command, one whose program is deleted once it runs.
    let a = desktop.spawn(
        "xterm",
        &[
            "-T",
            "boss-a",
            "-geometry",
            "50x10+40+60",
            "-e",
            "sleep",
            "600",
        ],
        std::process::Stdio::null(),
    );
    let b = desktop.spawn(
        "xterm",
        &[
            "-T",
            "boss-b",
            "-geometry",
            "40x8+620+300",
            "-e",
            "sleep",
            "600",
        ],
        std::process::Stdio::null(),
    );
    let entry = desktop.spawn(
        "xterm",
        &["-T", "boss-entry", "-e", "sleep", "600"],
        std::process::Stdio::null(),
    );
    let gone_dir = tempfile::tempdir().unwrap();
    let gone_program = gone_dir.path().join("xterm-gone");
    std::fs::copy("/usr/bin/xterm", &gone_program).unwrap();
    let gone = desktop.spawn(
        gone_program.to_str().unwrap(),
        &["-T", "boss-gone", "-e", "sleep", "600"],
        std::process::Stdio::null(),
    );
    let launched_args = [
        "-T",
        "boss-launched",
        "-geometry",
        "45x9+300+500",
        "-e",
        "sleep",
        "600",
    ];
    let reply = app
        .post(
            "/api/v1/launches",
            &admin,
            json!({"program": "xterm", "args": launched_args}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    started.add(reply.body["launch"]["pid"].as_u64().unwrap() as u32);

    let mut old_pids = HashMap::new();
    for title in [
        "boss-a",
        "boss-b",
        "boss-entry",
        "boss-gone",
        "boss-launched",
    ] {
        let w = window(&*windows, title);
        old_pids.insert(title.to_string(), w.pid.unwrap());
        if matches!(title, "boss-a" | "boss-b") {
            let to_second = Placement {
                desktop: Some(1),
                ..Placement::default()
            };
            windows.place(&w, &to_second).unwrap();
            wait_for("the xterm is on desktop 2", Duration::from_secs(10), || {
                windows
                    .list()
                    .windows
                    .into_iter()
                    .find(|l| l.id == w.id && l.desktop == Some(1))
            });
        }
    }
    std::fs::remove_file(&gone_program).unwrap();

    // Save. Viewers may look but not save.
    let refused = app
        .post("/api/v1/sessions", &viewer, json!({"name": "work"}))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let saved = app
        .post("/api/v1/sessions", &admin, json!({"name": "work"}))
        .await;
    assert_eq!(saved.status, StatusCode::CREATED, "{:?}", saved.body);
    let work = saved.body["session"]["id"].as_i64().unwrap();
    assert_eq!(saved.body["session"]["kind"], "manual");
    assert_eq!(saved.body["session"]["apps"], 5);
    let detail = app.get(&format!("/api/v1/sessions/{work}"), &viewer).await;
    assert_eq!(detail.status, StatusCode::OK);
    let detail = detail.body;

    let launched = app_named(&detail, "boss-launched");
    assert_eq!(launched["source"], "launch");
    assert_eq!(launched["confidence"], "high");
    let mut exact = vec!["xterm"];
    exact.extend(launched_args);
    assert_eq!(launched["argv"], json!(exact));
    let entry_app = app_named(&detail, "boss-entry");
    assert_eq!(entry_app["source"], "desktop_entry");
    assert_eq!(entry_app["desktop_id"], "boss-term");
    let a_app = app_named(&detail, "boss-a");
    assert_ne!(a_app["source"], "desktop_entry", "a fuller command wins");
    assert!(
        a_app["argv"].as_array().unwrap().contains(&json!("boss-a")),
        "{a_app}"
    );
    assert_eq!(a_app["windows"][0]["desktop"], 1);
    assert_eq!(a_app["windows"][0]["minimized"], false);
    let gone_app = app_named(&detail, "boss-gone");
    assert_eq!(gone_app["restorable"], false);
    assert!(gone_app["reason"].as_str().unwrap().contains("deleted"));

    let listed = app.get("/api/v1/sessions", &viewer).await.body;
    assert_eq!(listed["sessions"][0]["name"], "work");
    assert_eq!(listed["sessions"][0]["windows"], 5);

    // The plan, with everything still open: nothing to start.
    let plan = outcomes(&restore(app, &admin, work, true).await);
    assert_eq!(plan["boss-gone"], "unrestorable");
    for title in ["boss-a", "boss-b", "boss-entry", "boss-launched"] {
        assert_eq!(plan[title], "already_running", "{title}: {plan:?}");
    }

    // Close everything, then restore.
    let report = close_all(app, &admin).await;
    let undo = report["session_id"]
        .as_i64()
        .expect("close-all saved first");
    for mut process in [a, b, entry, gone] {
        wait_for("the xterm exits", Duration::from_secs(10), || {
            process.has_exited().then_some(())
        });
    }
    wait_for("every window is closed", Duration::from_secs(10), || {
        windows.list().windows.is_empty().then_some(())
    });

    let report = restore(app, &admin, work, false).await;
    let got = outcomes(&report);
    assert_eq!(got["boss-gone"], "unrestorable", "{report}");
    for title in ["boss-a", "boss-b", "boss-entry", "boss-launched"] {
        assert_eq!(got[title], "launched", "{title}: {report}");
    }
    for result in report["results"].as_array().unwrap() {
        if let Some(id) = result["launch_id"].as_i64() {
            let launch = app
                .get(&format!("/api/v1/launches/{id}"), &admin)
                .await
                .body;
            started.add(launch["pid"].as_u64().unwrap() as u32);
        }
    }
    let new_pids = assert_back(&*windows, &detail, &old_pids);
    let relaunched = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["windows"][0]["title"] == "boss-launched")
        .unwrap();
    let launch_id = relaunched["launch_id"].as_i64().expect("in the history");
    let launch = app
        .get(&format!("/api/v1/launches/{launch_id}"), &admin)
        .await
        .body;
    assert_eq!(launch["argv"], json!(exact), "the exact argv again");
    let entry_launch = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["windows"][0]["title"] == "boss-entry")
        .unwrap();
    let entry_launch = app
        .get(
            &format!("/api/v1/launches/{}", entry_launch["launch_id"]),
            &admin,
        )
        .await
        .body;
    assert_eq!(entry_launch["app_id"], "boss-term", "{entry_launch}");

    // Nothing twice.
    let again = outcomes(&restore(app, &admin, work, false).await);
    for title in ["boss-a", "boss-b", "boss-entry", "boss-launched"] {
        assert_eq!(again[title], "already_running", "{title}: {again:?}");
    }
    assert_eq!(windows.list().windows.len(), 4);

    // Undo a close-all: the first close-all's session holds what it closed.
    let listed = app.get("/api/v1/sessions", &viewer).await.body;
    let undo_row = listed["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == undo)
        .unwrap();
    assert_eq!(undo_row["kind"], "close_all");
    assert_eq!(undo_row["windows"], 5);
    let report = close_all(app, &admin).await;
    let second_undo = report["session_id"].as_i64().unwrap();
    wait_for("every window is closed", Duration::from_secs(10), || {
        windows.list().windows.is_empty().then_some(())
    });
    let undone = restore(app, &admin, second_undo, false).await;
    let got = outcomes(&undone);
    assert_eq!(got.len(), 4, "{undone}");
    assert!(got.values().all(|o| o == "launched"), "{undone}");
    for result in undone["results"].as_array().unwrap() {
        if let Some(id) = result["launch_id"].as_i64() {
            let launch = app
                .get(&format!("/api/v1/launches/{id}"), &admin)
                .await
                .body;
            started.add(launch["pid"].as_u64().unwrap() as u32);
        }
    }
    let undo_detail = app
        .get(&format!("/api/v1/sessions/{second_undo}"), &admin)
        .await
        .body;
    assert_back(&*windows, &undo_detail, &new_pids);

    // Rename and delete, audited.
    let renamed = app
        .patch(
            &format!("/api/v1/sessions/{work}"),
            &admin,
            json!({"name": "evening"}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK);
    assert_eq!(renamed.body["session"]["name"], "evening");
    let deleted = app
        .delete(&format!("/api/v1/sessions/{work}"), &admin)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/api/v1/sessions/{work}"), &admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    for action in [
        "session.save",
        "session.restore",
        "session.rename",
        "session.delete",
    ] {
        assert!(!app.audit(&admin, action).await.is_empty(), "{action}");
    }

    // End politely what the story opened.
    close_all(app, &admin).await;
}

#[tokio::test]
async fn a_saved_desk_comes_back_after_a_close_all_on_sqlite() {
    let Some(desktop) = Desktop::start(true) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let options = catalog(dir.path());
    let display = desktop.display.clone();
    let app = TestApp::with_config(move |c| {
        c.display = Some(display);
        c.catalog = options;
    })
    .await;
    story(&app, &desktop).await;
}

#[tokio::test]
async fn a_saved_desk_comes_back_after_a_close_all_on_postgres() {
    let Some(desktop) = Desktop::start(true) else {
        return;
    };
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let options = catalog(dir.path());
    let display = desktop.display.clone();
    let url = pg.create_database("sessions");
    let app = TestApp::with_config(move |c| {
        c.display = Some(display);
        c.catalog = options;
        c.database_url = url;
    })
    .await;
    story(&app, &desktop).await;
}

#[tokio::test]
async fn the_session_chosen_in_the_settings_is_restored_at_start_up() {
    let Some(desktop) = Desktop::start(true) else {
        return;
    };
    let display = desktop.display.clone();
    let app = TestApp::with_config(move |c| c.display = Some(display)).await;
    let (admin, operator) = app.admin_and("olga", "operator").await;
    let windows = platform::window_system(&platform::SessionEnv::x11(Some(&desktop.display)));
    let mut started = Started::default();
    let (mut xterm, _) = desktop.xterm("boss-start-up");

    // Nothing chosen: nothing happens.
    let nothing = boss::actions::sessions::restore_on_start(&app.state, Duration::from_secs(5))
        .await
        .unwrap();
    assert!(nothing.is_none());

    let saved = app
        .post("/api/v1/sessions", &operator, json!({"name": "morning"}))
        .await;
    assert_eq!(saved.status, StatusCode::CREATED, "{:?}", saved.body);
    let id = saved.body["session"]["id"].as_i64().unwrap();
    let unknown = app
        .patch(
            "/api/v1/settings",
            &admin,
            json!({"restore_session_on_start": id + 100}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let chosen = app
        .change_settings(&admin, json!({"restore_session_on_start": id}))
        .await;
    assert_eq!(chosen["restore_session_on_start"], id);

    close_all(&app, &admin).await;
    wait_for("the xterm exits", Duration::from_secs(10), || {
        xterm.has_exited().then_some(())
    });
    let report = boss::actions::sessions::restore_on_start(&app.state, Duration::from_secs(5))
        .await
        .unwrap()
        .expect("a session is chosen");
    assert_eq!(
        serde_json::to_value(report.results[0].outcome).unwrap(),
        "launched",
        "{report:?}"
    );
    let back = window(&*windows, "boss-start-up");
    started.add(back.pid.unwrap());
    assert_ne!(back.pid, Some(xterm.pid()));
    // Audited under the name of the user who saved it.
    let rows = app.audit(&admin, "session.restore").await;
    assert_eq!(rows[0]["actor"], "olga", "{}", rows[0]);

    // Another operator may not rename or delete olga's session; an admin may.
    let made = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "otto", "password": common::PASSWORD, "role": "operator"}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    let otto = app.login("otto", common::PASSWORD).await;
    let otto = common::Auth::Cookie(otto.session_cookie().unwrap());
    let path = format!("/api/v1/sessions/{id}");
    let refused = app.patch(&path, &otto, json!({"name": "mine"})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{:?}", refused.body);
    assert_eq!(app.delete(&path, &otto).await.status, StatusCode::FORBIDDEN);
    let denied = app.audit(&admin, "session.delete").await;
    assert_eq!(denied[0]["outcome"], "denied", "{}", denied[0]);
    let renamed = app.patch(&path, &operator, json!({"name": "  "})).await;
    assert_eq!(renamed.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Cleared with null.
    let cleared = app
        .change_settings(&admin, json!({"restore_session_on_start": null}))
        .await;
    assert!(cleared["restore_session_on_start"].is_null());
    close_all(&app, &admin).await;
}
