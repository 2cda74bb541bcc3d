//! Sessions end to end on a real headless sway (the test kit's `Sway`): a desk of foot
//! terminals on two workspaces (one floating at a set geometry, one tiled, one launched through
//! Boss with arguments, one from a desktop entry, one whose program has no entry, one minimized
//! into the scratchpad, one whose program is deleted once it runs) is saved, closed and
//! restored; each is back (new PIDs) on its workspace, the floating one at its geometry, the
//! minimized one in the scratchpad, the front one in front, the launched one with its exact
//! arguments, nothing started twice, the deleted one reported unrestorable. Then a close-all
//! is undone the same way. On SQLite (both databases are covered on X11).

mod common;

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;

use common::TestApp;
use common::sessions::{
    Started, TOLERANCE, app_named, assert_back_in_front, catalog, close_all,
    close_all_then_restore, launch_of, outcomes, restore, restore_again_then_undo, result_for,
    wait_for, window,
};
use platform::{Geometry, Placement};
use testkit::sway::Sway;

/// The window in front, and the one it is in front of, on the second desktop.
const FRONT: (&str, &str) = ("sway-b", "sway-a");

/// Where the floating terminal sits: frame corner and client size.
const FLOATING: Geometry = Geometry {
    x: 140,
    y: 110,
    width: 480,
    height: 280,
};

/// The titles of the windows that come back (all but the deleted program's).
const RESTORABLE: [&str; 5] = [
    "sway-a",
    "sway-b",
    "sway-entry",
    "sway-launched",
    "sway-hidden",
];

fn foot_args<'a>(title: &'a str, app_id: &'a str) -> [&'a str; 6] {
    ["-T", title, "--app-id", app_id, "sleep", "600"]
}

#[tokio::test]
async fn on_sway_a_saved_desk_comes_back_after_a_close_all() {
    let Some(sway) = Sway::start(&["foot"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let entry_args = foot_args("sway-entry", "boss-entry");
    let options = catalog(
        dir.path(),
        "boss-entry",
        &format!("Name=Boss Entry\nExec=foot {}\n", entry_args.join(" ")),
    );
    let session = sway.session();
    let app = TestApp::with_config(move |c| {
        c.window_session = Some(session);
        c.catalog = options;
        c.sample_interval = Duration::from_millis(200);
    })
    .await;
    let (admin, viewer) = app.admin_and("vera", "viewer").await;
    let windows = sway.windows();
    let mut started = Started::default();

    // The desk: sway-a (floating) and sway-b (tiled) on the second workspace; on the first,
    // one from the desktop entry's command, one launched through Boss, one whose program is
    // deleted once it runs.
    let a = sway.spawn("foot", &foot_args("sway-a", "boss-foot"), Stdio::null());
    let b = sway.spawn("foot", &foot_args("sway-b", "boss-foot"), Stdio::null());
    let entry = sway.spawn("foot", &entry_args, Stdio::null());
    let hidden = sway.spawn(
        "foot",
        &foot_args("sway-hidden", "boss-foot"),
        Stdio::null(),
    );
    let gone_dir = tempfile::tempdir().unwrap();
    let gone_program = gone_dir.path().join("foot-gone");
    std::fs::copy("/usr/bin/foot", &gone_program).unwrap();
    let gone = sway.spawn(
        gone_program.to_str().unwrap(),
        &foot_args("sway-gone", "boss-gone"),
        Stdio::null(),
    );
    let launched_args = foot_args("sway-launched", "boss-launched");
    started.launch(&app, &admin, "foot", &launched_args).await;

    let mut old_pids = HashMap::new();
    let mut infos = HashMap::new();
    for title in RESTORABLE.iter().chain(&["sway-gone"]) {
        let w = window(&*windows, title);
        old_pids.insert(title.to_string(), w.pid.unwrap());
        infos.insert(title.to_string(), w);
    }
    let floating = Placement {
        desktop: Some(1),
        geometry: Some(FLOATING),
        tiled: Some(false),
        ..Placement::default()
    };
    windows.place(&infos["sway-a"], &floating).unwrap();
    let tiled = Placement {
        desktop: Some(1),
        tiled: Some(true),
        ..Placement::default()
    };
    windows.place(&infos["sway-b"], &tiled).unwrap();
    windows.minimize(&infos["sway-hidden"].id).unwrap();
    wait_for(
        "both are on the second workspace",
        Duration::from_secs(10),
        || {
            let list = windows.list();
            let on_second = |title| {
                list.windows
                    .iter()
                    .any(|w| w.title == title && w.desktop == Some(1))
            };
            (on_second("sway-a") && on_second("sway-b")).then_some(())
        },
    );
    // sway-b in front there: it is listed (and so restored) before the floating sway-a,
    // which a restore that only started and placed them would leave in front.
    windows
        .restack(&[infos["sway-a"].clone(), infos["sway-b"].clone()])
        .unwrap();
    std::fs::remove_file(&gone_program).unwrap();

    // Save.
    let saved = app
        .post("/api/v1/sessions", &admin, json!({"name": "sway work"}))
        .await;
    assert_eq!(saved.status, StatusCode::CREATED, "{:?}", saved.body);
    let work = saved.body["session"]["id"].as_i64().unwrap();
    assert_eq!(saved.body["session"]["apps"], 6);
    let detail = app
        .get(&format!("/api/v1/sessions/{work}"), &viewer)
        .await
        .body;
    let a_window = &app_named(&detail, "sway-a")["windows"][0];
    assert_eq!(a_window["desktop"], 1, "{a_window}");
    assert_eq!(a_window["tiled"], false);
    assert!((a_window["x"].as_i64().unwrap() - i64::from(FLOATING.x)).abs() <= TOLERANCE);
    let b_window = &app_named(&detail, "sway-b")["windows"][0];
    assert_eq!(
        (b_window["desktop"].clone(), b_window["tiled"].clone()),
        (json!(1), json!(true))
    );
    assert!(b_window["order"].as_u64() > a_window["order"].as_u64());
    assert_eq!(
        app_named(&detail, "sway-a")["source"],
        "cmdline",
        "no desktop entry"
    );
    let launched = app_named(&detail, "sway-launched");
    assert_eq!(launched["source"], "launch");
    let mut exact = vec!["foot"];
    exact.extend(launched_args);
    assert_eq!(launched["argv"], json!(exact));
    let entry_app = app_named(&detail, "sway-entry");
    assert_eq!(entry_app["source"], "desktop_entry", "{entry_app}");
    assert_eq!(entry_app["desktop_id"], "boss-entry");
    assert_eq!(
        app_named(&detail, "sway-hidden")["windows"][0]["minimized"],
        true
    );
    let gone_app = app_named(&detail, "sway-gone");
    assert_eq!(gone_app["restorable"], false);
    assert!(gone_app["reason"].as_str().unwrap().contains("deleted"));

    // The plan, with everything still open: nothing to start.
    let plan = outcomes(&restore(&app, &admin, work, true).await);
    assert_eq!(plan["sway-gone"], "unrestorable");
    for title in RESTORABLE {
        assert_eq!(plan[title], "already_running", "{title}: {plan:?}");
    }

    // Close everything, then restore.
    let (undo, report) = close_all_then_restore(
        &app,
        &admin,
        &*windows,
        vec![a, b, entry, hidden, gone],
        (work, &RESTORABLE, "sway-gone"),
        &mut started,
    )
    .await;
    let b_result = &result_for(&report, "sway-b")["windows"][0];
    assert!(
        b_result["reason"].as_str().unwrap_or("").contains("tiled"),
        "a tiled window's geometry is said to be the layout's: {b_result}"
    );
    let new_pids = assert_back_in_front(&*windows, &detail, &old_pids, FRONT);
    let launch = launch_of(&app, &admin, &report, "sway-launched").await;
    assert_eq!(launch["argv"], json!(exact), "the exact argv again");
    let entry_launch = launch_of(&app, &admin, &report, "sway-entry").await;
    assert_eq!(entry_launch["app_id"], "boss-entry", "{entry_launch}");

    restore_again_then_undo(
        &app,
        (&admin, &viewer),
        &*windows,
        (work, undo),
        &RESTORABLE,
        &mut started,
        |detail| {
            assert_back_in_front(&*windows, detail, &new_pids, FRONT);
        },
    )
    .await;

    // End politely what the story opened.
    close_all(&app, &admin).await;
}
