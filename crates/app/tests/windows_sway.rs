//! The windows API on a real headless sway (the test kit's `Sway`, its compositor run as an
//! unprivileged user of its own), with windows the test starts itself: the backend is chosen
//! from the session at run time, and closing, close-all and the browser-showing-Boss
//! protection work as they do on X11.

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;
use testkit::process::Process;
use testkit::sway::Sway;

use common::{
    BrowserPort, TestApp, assert_full_backend, close_all, find_window as find, outcome, wait_until,
    window_list as windows,
};

const GTK: &str = "/usr/bin/python3";

async fn app_on(sway: &Sway) -> TestApp {
    let session = sway.session();
    TestApp::with_config(move |c| {
        c.window_session = Some(session);
        c.sample_interval = Duration::from_millis(200);
    })
    .await
}

/// Waits (without blocking the app's tasks) until `process` has ended.
async fn wait_for_exit(process: &mut Process, what: &str) {
    wait_until(what, Duration::from_secs(10), || process.has_exited()).await;
}

#[tokio::test]
async fn on_sway_windows_are_listed_with_the_desktop_in_words_and_foot_closes() {
    let Some(sway) = Sway::start(&["foot"]) else {
        return;
    };
    let app = app_on(&sway).await;
    let admin = app.register("admin").await;
    let probe = sway.windows();
    let (mut foot, _) = sway.foot(&*probe, "boss-sway-foot");

    let list = windows(&app, &admin).await;
    assert_full_backend(&list, "sway", "sway (Wayland)");
    let row = find(&list, "boss-sway-foot").expect("listed").clone();
    assert_eq!(row["pid"], foot.pid());
    assert_eq!(row["class"], "boss-foot");
    assert_eq!(row["process_name"], "foot");
    assert_eq!(row["xwayland"], false);
    let id = row["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("sway:"), "{id}");

    let minimized = app
        .post(&format!("/api/v1/windows/{id}/minimize"), &admin, json!({}))
        .await;
    assert_eq!(minimized.status, StatusCode::OK, "{:?}", minimized.body);
    assert_eq!(
        find(&windows(&app, &admin).await, "boss-sway-foot").unwrap()["minimized"],
        true
    );
    let activated = app
        .post(&format!("/api/v1/windows/{id}/activate"), &admin, json!({}))
        .await;
    assert_eq!(activated.status, StatusCode::OK, "{:?}", activated.body);
    let row = find(&windows(&app, &admin).await, "boss-sway-foot")
        .unwrap()
        .clone();
    assert_eq!(
        (row["minimized"].clone(), row["active"].clone()),
        (json!(false), json!(true))
    );

    let closed = app
        .post(
            &format!("/api/v1/windows/{id}/close"),
            &admin,
            json!({"pid": foot.pid(), "class": "boss-foot"}),
        )
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{:?}", closed.body);
    assert_eq!(closed.body["outcome"], "closed");
    wait_for_exit(&mut foot, "foot exits").await;
    let audit = app.audit(&admin, "window.close").await;
    assert_eq!(audit[0]["outcome"], "success");
}

#[tokio::test]
async fn on_sway_close_all_previews_then_closes_all_but_the_browser_and_the_refuser() {
    let Some(sway) = Sway::start(&["foot", GTK]) else {
        return;
    };
    let app = app_on(&sway).await;
    let admin = app.register("admin").await;
    let probe = sway.windows();
    // The "browser showing Boss": a GTK window whose process holds this client's connection.
    let boss_port = BrowserPort::listen(&app);
    let mut browser = sway.gtk_window(&*probe, "Boss - Browser", false, Some(boss_port.port));
    let (from_browser, _accepted) = boss_port.seen_from(&app, browser.local_port().unwrap());
    let (mut a, _) = sway.foot(&*probe, "closes-a");
    let (mut b, _) = sway.foot(&*probe, "closes-b");
    let mut editor = sway.gtk_window(&*probe, "Unsaved editor", true, None);

    let preview = close_all(&from_browser, &admin, json!({"dry_run": true})).await;
    assert_eq!(outcome(&preview, "closes-a"), "would_close");
    assert_eq!(outcome(&preview, "Unsaved editor"), "would_close");
    assert_eq!(outcome(&preview, "Boss - Browser"), "protected");
    assert!(!a.has_exited(), "a dry run touches nothing");

    let report = close_all(&from_browser, &admin, json!({"timeout_ms": 1500})).await;
    assert_eq!(outcome(&report, "closes-a"), "closed");
    assert_eq!(outcome(&report, "closes-b"), "closed");
    assert_eq!(outcome(&report, "Unsaved editor"), "prompting");
    assert_eq!(outcome(&report, "Boss - Browser"), "protected");
    wait_for_exit(&mut a, "the first foot exits").await;
    wait_for_exit(&mut b, "the second foot exits").await;
    editor.wait_for_line("close-request 1");
    assert!(!editor.process.has_exited() && !browser.process.has_exited());

    let list = windows(&from_browser, &admin).await;
    let browser_row = find(&list, "Boss - Browser").unwrap();
    assert_eq!(browser_row["protected"], "this is the browser showing Boss");
    let refused = from_browser
        .post(
            &format!(
                "/api/v1/windows/{}/close",
                browser_row["id"].as_str().unwrap()
            ),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{:?}", refused.body);
    assert_eq!(refused.code(), "protected");
}

#[tokio::test]
async fn without_pids_the_browser_showing_boss_is_protected_by_its_app_id() {
    let Some(sway) = Sway::start(&["foot", GTK]) else {
        return;
    };
    // The wlr-foreign-toplevel backend, as on Hyprland or labwc: no PIDs.
    let session = sway.session_forcing("wlr");
    let app = TestApp::with_config(move |c| {
        c.window_session = Some(session);
        c.sample_interval = Duration::from_millis(200);
    })
    .await;
    let admin = app.register("admin").await;
    let probe = platform::window_system(&sway.session_forcing("wlr"));
    let boss_port = BrowserPort::listen(&app);
    // A "browser" whose app id is its program's name, as Firefox's and Chromium's are.
    let port_text = boss_port.port.to_string();
    let browser = sway.gtk_window_with(
        &*probe,
        "Boss - Browser",
        &["--connect", &port_text, "--app-id", "python3"],
    );
    let (from_browser, _accepted) = boss_port.seen_from(&app, browser.local_port().unwrap());
    let (_foot, _) = sway.foot(&*probe, "not-the-browser");

    let list = windows(&from_browser, &admin).await;
    assert_eq!(list["backend"], "wlr");
    assert_eq!(list["capabilities"]["pid"], false);
    let row = find(&list, "Boss - Browser").expect("listed");
    assert!(row["pid"].is_null());
    let reason = row["protected"].as_str().expect("protected");
    assert!(
        reason.contains("may be the browser showing Boss"),
        "{reason}"
    );
    assert!(find(&list, "not-the-browser").unwrap()["protected"].is_null());
    let refused = from_browser
        .post(
            &format!("/api/v1/windows/{}/close", row["id"].as_str().unwrap()),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{:?}", refused.body);
}
