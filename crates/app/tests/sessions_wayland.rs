//! Sessions end to end on real headless KWin and GNOME Shell (the test kit's `Kwin` and
//! `GnomeShell`: this machine's KWin 5.27 and GNOME Shell 43, and Plasma 6's KWin and GNOME
//! Shell 48 from the Debian 13 root): a desk of GTK 3 windows on two desktops (two at set geometries on the second, the one made
//! first in front; one launched through Boss and minimized on the first; one whose program is
//! deleted once it runs) is saved, closed and restored; each is back (new PIDs) on its desktop
//! at its geometry, the minimized one minimized, the front one in front, nothing started
//! twice, the deleted one reported unrestorable; then a close-all is undone the same way. On SQLite (both databases are covered on X11).

mod common;

use std::collections::HashMap;
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;

use common::TestApp;
use common::sessions::{
    Started, app_named, assert_back_in_front, close_all, close_all_then_restore,
    restore_again_then_undo, wait_for, window,
};
use platform::{Geometry, Placement};
use testkit::distro::Distro;
use testkit::gnome::GnomeShell;
use testkit::gtk::{GTK_WINDOW_SCRIPT, GtkWindow, PYTHON, WaylandSession};
use testkit::kwin::Kwin;

/// The window in front, and the one it is in front of, on the second desktop.
const FRONT: (&str, &str) = ("desk-a", "desk-b");

/// The titles of the windows of the desk.
const TITLES: [&str; 3] = ["desk-a", "desk-b", "desk-launched"];

#[tokio::test]
async fn on_kwin_a_saved_desk_comes_back_after_a_close_all() {
    let Some(kwin) = Kwin::start() else {
        return;
    };
    // `kwin_wayland --virtual` starts with one desktop.
    kwin.ensure_desktops(2);
    desk_story(kwin.session_env(), kwin.windows(), kwin.wayland()).await;
}

#[tokio::test]
async fn on_gnome_shell_a_saved_desk_comes_back_after_a_close_all() {
    let Some(shell) = GnomeShell::start() else {
        return;
    };
    // GNOME's workspaces are dynamic: a second one is there as soon as the first is used.
    desk_story(shell.session_env(), shell.windows(), shell.wayland()).await;
}

#[tokio::test]
async fn on_plasma_6_a_saved_desk_comes_back_after_a_close_all() {
    let Some(kwin) = Distro::trixie("KWin 6 tests").and_then(Kwin::start_in) else {
        return;
    };
    kwin.ensure_desktops(2);
    desk_story(kwin.session_env(), kwin.windows(), kwin.wayland()).await;
}

#[tokio::test]
async fn on_gnome_shell_48_a_saved_desk_comes_back_after_a_close_all() {
    let Some(shell) = Distro::trixie("GNOME Shell 48 tests").and_then(GnomeShell::start_in) else {
        return;
    };
    desk_story(shell.session_env(), shell.windows(), shell.wayland()).await;
}

/// The story on one compositor: `session` for Boss, `windows` its backend, `wayland` where
/// the GTK windows go.
async fn desk_story(
    session: platform::SessionEnv,
    windows: Box<dyn platform::WindowSystem>,
    wayland: WaylandSession<'_>,
) {
    let app = TestApp::with_config(move |c| {
        c.window_session = Some(session);
        c.sample_interval = Duration::from_millis(200);
    })
    .await;
    let (admin, viewer) = app.admin_and("vera", "viewer").await;
    let mut started = Started::default();

    // The desk: desk-a and desk-b started here (restored from their command lines), one
    // launched through Boss (restored from its launch record).
    let (a_process, _) = wayland.gtk_window(&*windows, "desk-a", false, None);
    let (b_process, _) = wayland.gtk_window(&*windows, "desk-b", false, None);
    started.add(a_process.pid());
    started.add(b_process.pid());
    started
        .launch(
            &app,
            &admin,
            PYTHON,
            &["-c", GTK_WINDOW_SCRIPT, "desk-launched"],
        )
        .await;
    let gone_dir = tempfile::tempdir().unwrap();
    let gone_python = gone_dir.path().join("python3");
    // A plain copy: Python finds its library by its compiled-in prefix.
    std::fs::write(&gone_python, std::fs::read(PYTHON).unwrap()).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&gone_python, std::fs::Permissions::from_mode(0o755)).unwrap();
    let gone = GtkWindow::start_by(&wayland, &gone_python, "desk-gone", false, None);
    started.add(gone.pid());
    let mut old_pids = HashMap::new();
    let mut infos = HashMap::new();
    for title in TITLES {
        let w = window(&*windows, title);
        old_pids.insert(title.to_string(), w.pid.unwrap());
        infos.insert(title, w);
    }
    for (title, x) in [("desk-a", 100), ("desk-b", 400)] {
        let placement = Placement {
            desktop: Some(1),
            geometry: Some(Geometry {
                x,
                y: 80 + x / 2,
                width: 420,
                height: 260,
            }),
            ..Placement::default()
        };
        windows.place(&infos[title], &placement).unwrap();
    }
    let minimize = Placement {
        minimized: true,
        ..Placement::default()
    };
    windows.place(&infos["desk-launched"], &minimize).unwrap();
    // desk-a, made first, in front: a restore that only started and placed them in the
    // saved order would leave desk-b there.
    windows
        .restack(&[infos["desk-b"].clone(), infos["desk-a"].clone()])
        .unwrap();
    wait_for("the desk is set", Duration::from_secs(10), || {
        let list = windows.list();
        let on = |title, desktop| {
            list.windows
                .iter()
                .any(|w| w.title == title && w.desktop == Some(desktop))
        };
        let hidden = list
            .windows
            .iter()
            .any(|w| w.title == "desk-launched" && w.minimized);
        (on("desk-a", 1) && on("desk-b", 1) && hidden).then_some(())
    });

    window(&*windows, "desk-gone");
    std::fs::remove_file(&gone_python).unwrap();

    // Save.
    let saved = app
        .post("/api/v1/sessions", &admin, json!({"name": "desk work"}))
        .await;
    assert_eq!(saved.status, StatusCode::CREATED, "{:?}", saved.body);
    let work = saved.body["session"]["id"].as_i64().unwrap();
    let detail = app
        .get(&format!("/api/v1/sessions/{work}"), &viewer)
        .await
        .body;
    let a_window = &app_named(&detail, "desk-a")["windows"][0];
    assert_eq!(a_window["desktop"], 1, "{a_window}");
    assert_eq!(a_window["x"], 100, "{a_window}");
    let b_window = &app_named(&detail, "desk-b")["windows"][0];
    assert!(a_window["order"].as_u64() > b_window["order"].as_u64());
    assert_eq!(app_named(&detail, "desk-launched")["source"], "launch");
    assert_eq!(
        app_named(&detail, "desk-launched")["windows"][0]["minimized"],
        true
    );
    let gone_app = app_named(&detail, "desk-gone");
    assert_eq!(gone_app["restorable"], false);

    // Close everything, then restore.
    let (undo, _) = close_all_then_restore(
        &app,
        &admin,
        &*windows,
        vec![a_process.process, b_process.process, gone.process],
        (work, &TITLES, "desk-gone"),
        &mut started,
    )
    .await;
    let new_pids = assert_back_in_front(&*windows, &detail, &old_pids, FRONT);

    restore_again_then_undo(
        &app,
        (&admin, &viewer),
        &*windows,
        (work, undo),
        &TITLES,
        &mut started,
        |detail| {
            assert_back_in_front(&*windows, detail, &new_pids, FRONT);
        },
    )
    .await;

    // End politely what the story opened.
    close_all(&app, &admin).await;
}
