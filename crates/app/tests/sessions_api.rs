//! Sessions end to end on a real X server with openbox (four desktops in its stock
//! configuration): save a desk of xterms on two desktops, close everything, restore it, and
//! check that each app is back (new processes), on its desktop, at its geometry, the one Boss
//! launched with its exact arguments, nothing started twice, and the unrestorable one reported
//! as such; then undo a close-all the same way. On SQLite here and on PostgreSQL.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Value, json};

use common::TestApp;
use common::desktop::Desktop;
use common::postgres::TempPostgres;
use common::sessions::{
    Started, app_named, assert_back, close_all, close_all_then_restore, launch_of, outcomes,
    restore, restore_again_then_undo, wait_for, window,
};
use platform::{Placement, WindowSystem};

/// A private catalog with one entry for xterm, as a desktop would have.
fn catalog(dir: &Path) -> platform::CatalogOptions {
    common::sessions::catalog(
        dir,
        "boss-term",
        "Name=Boss Term\nExec=xterm -T boss-entry -e sleep 600\nStartupWMClass=XTerm\n",
    )
}

/// Checks that every window of `saved` is back (see `assert_back`), and boss-a, raised before
/// the save, in front of them all; returns the new PIDs by title.
fn assert_back_in_front(
    windows: &dyn WindowSystem,
    saved: &Value,
    old_pids: &HashMap<String, u32>,
) -> HashMap<String, u32> {
    let back = assert_back(windows, saved, old_pids);
    // boss-a is started first on a restore: only the restacking puts it back in front.
    let front = back.stacking.iter().max_by_key(|(_, level)| **level);
    assert_eq!(
        front.map(|(title, _)| title.as_str()),
        Some("boss-a"),
        "{:?}",
        back.stacking
    );
    back.pids
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
    started.launch(app, &admin, "xterm", &launched_args).await;

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
    windows.restack(&[window(&*windows, "boss-a")]).unwrap();
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
    let (undo, report) = close_all_then_restore(
        app,
        &admin,
        &*windows,
        vec![a, b, entry, gone],
        (
            work,
            &["boss-a", "boss-b", "boss-entry", "boss-launched"],
            "boss-gone",
        ),
        &mut started,
    )
    .await;
    let new_pids = assert_back_in_front(&*windows, &detail, &old_pids);
    let launch = launch_of(app, &admin, &report, "boss-launched").await;
    assert_eq!(launch["argv"], json!(exact), "the exact argv again");
    let entry_launch = launch_of(app, &admin, &report, "boss-entry").await;
    assert_eq!(entry_launch["app_id"], "boss-term", "{entry_launch}");

    restore_again_then_undo(
        app,
        (&admin, &viewer),
        &*windows,
        (work, undo),
        &["boss-a", "boss-b", "boss-entry", "boss-launched"],
        &mut started,
        |detail| {
            assert_back_in_front(&*windows, detail, &new_pids);
        },
    )
    .await;

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
