//! The windows API against a real X server with openbox, each test on a display of its own,
//! with windows the test starts itself.

mod common;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Value, json};

use common::desktop::Desktop;
use common::{
    Auth, BrowserPort, TestApp, assert_full_backend, close_all, close_refused_as_protected,
    find_window as find, outcome, poll, wait_until, window_list as windows,
};

async fn app_on(desktop: &Desktop) -> TestApp {
    let display = desktop.display.clone();
    TestApp::with_config(move |c| {
        c.display = Some(display);
        c.sample_interval = Duration::from_millis(200);
    })
    .await
}

/// A private desktop with openbox, Boss on it and its first account: `None` when skipped.
async fn desktop_and_admin() -> Option<(Desktop, TestApp, Auth)> {
    let desktop = Desktop::start(true)?;
    let app = app_on(&desktop).await;
    let admin = app.register("admin").await;
    Some((desktop, app, admin))
}

async fn wait_for_list(
    app: &TestApp,
    auth: &Auth,
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    poll(what, Duration::from_secs(10), async || {
        let list = windows(app, auth).await;
        if check(&list) { Ok(list) } else { Err(list) }
    })
    .await
}

#[tokio::test]
async fn windows_are_listed_and_an_xterm_closes_gracefully() {
    let Some(desktop) = Desktop::start(true) else {
        return;
    };
    let app = app_on(&desktop).await;
    let (admin, viewer) = app.admin_and("vic", "viewer").await;
    let (mut xterm, _) = desktop.xterm("boss-test-xterm");

    let list = windows(&app, &viewer).await;
    assert_full_backend(&list, "x11", "Openbox (X11)");
    assert_eq!(list["window_manager"], "Openbox");
    let row = find(&list, "boss-test-xterm").expect("listed").clone();
    assert_eq!(row["pid"], xterm.pid());
    assert_eq!(row["class"], "XTerm");
    assert_eq!(row["process_name"], "xterm");
    assert_eq!(row["closable"], true);
    assert!(row["protected"].is_null());
    let id = row["id"].as_str().unwrap().to_string();
    assert!(
        id.starts_with("x11:0x"),
        "an opaque id naming its backend: {id}"
    );
    let foreign = app
        .post("/api/v1/windows/sway:42/close", &admin, json!({}))
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{:?}", foreign.body);
    let malformed = app
        .post("/api/v1/windows/not-a-window/close", &admin, json!({}))
        .await;
    assert_eq!(
        malformed.status,
        StatusCode::BAD_REQUEST,
        "{:?}",
        malformed.body
    );

    let refused = app
        .post(&format!("/api/v1/windows/{id}/close"), &viewer, json!({}))
        .await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "viewers may not close windows"
    );

    let closed = app
        .post(
            &format!("/api/v1/windows/{id}/close"),
            &admin,
            json!({"pid": xterm.pid(), "class": "XTerm"}),
        )
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{:?}", closed.body);
    assert_eq!(closed.body["outcome"], "closed");
    wait_until(
        "the xterm process ends after its window closes",
        Duration::from_secs(10),
        || xterm.has_exited(),
    )
    .await;
    let audit = app.audit(&admin, "window.close").await;
    assert_eq!(audit[0]["outcome"], "success");
    assert!(
        audit[0]["target"]
            .as_str()
            .unwrap()
            .contains("XTerm: boss-test-xterm")
    );
    assert_eq!(
        (audit[1]["actor"].as_str(), audit[1]["outcome"].as_str()),
        (Some("vic"), Some("denied"))
    );
}

#[tokio::test]
async fn a_refusing_window_stays_open_and_one_that_asks_is_prompting() {
    let Some((desktop, app, admin)) = desktop_and_admin().await else {
        return;
    };
    let mut refuser = desktop.refuser("Unsaved novel", false, None);
    let reply = app
        .post(
            &format!("/api/v1/windows/{}/close", refuser.window().id),
            &admin,
            json!({"timeout_ms": 800}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["outcome"], "still_open");
    // The request reached the application, which refused it.
    refuser.wait_for_line("close-request 1");
    assert!(!refuser.process.has_exited(), "never killed");

    let mut asker = desktop.refuser("Unsaved letter", true, None);
    let window = asker.window().clone();
    let reply = app
        .post(
            &format!("/api/v1/windows/{}/close", window.id),
            &admin,
            json!({"timeout_ms": 5000}),
        )
        .await;
    assert_eq!(reply.body["outcome"], "prompting", "{:?}", reply.body);
    asker.wait_for_line("close-request 1");
    assert!(!asker.process.has_exited());
    let list = wait_for_list(&app, &admin, "the dialog is listed", |l| {
        find(l, "Save changes?").is_some()
    })
    .await;
    assert_eq!(
        find(&list, "Save changes?").unwrap()["transient_for"],
        window.id.as_str()
    );
}

#[tokio::test]
async fn close_all_previews_then_closes_everything_but_protected_and_refusing_windows() {
    let Some((desktop, app, admin)) = desktop_and_admin().await else {
        return;
    };
    // The "browser showing Boss": a window whose process holds this client's connection.
    let boss_port = BrowserPort::listen(&app);
    let mut browser = desktop.refuser("Boss - Browser", false, Some(boss_port.port));
    let (from_browser, _accepted) = boss_port.seen_from(&app, browser.local_port().unwrap());
    let (mut a, _) = desktop.xterm("closes-a");
    let (mut b, _) = desktop.xterm("closes-b");
    let mut editor = desktop.refuser("Unsaved editor", false, None);
    // An application protected in the settings, by its window class.
    let args = ["-class", "KeepMe", "-T", "kept", "-e", "sleep", "600"];
    let mut kept = desktop.spawn("xterm", &args, std::process::Stdio::null());
    desktop.window("kept");
    app.change_settings(&admin, json!({"protected_windows": ["KeepMe"]}))
        .await;

    let preview = close_all(&from_browser, &admin, json!({"dry_run": true})).await;
    assert_eq!(outcome(&preview, "closes-a"), "would_close");
    assert_eq!(outcome(&preview, "Unsaved editor"), "would_close");
    assert_eq!(outcome(&preview, "kept"), "protected");
    assert_eq!(outcome(&preview, "Boss - Browser"), "protected");
    assert!(!a.has_exited(), "a dry run touches nothing");
    assert!(app.audit(&admin, "window.close_all").await.is_empty());

    let started = Instant::now();
    let report = close_all(&from_browser, &admin, json!({"timeout_ms": 1500})).await;
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "requests go out together, not one by one"
    );
    assert_eq!(outcome(&report, "closes-a"), "closed");
    assert_eq!(outcome(&report, "closes-b"), "closed");
    assert_eq!(outcome(&report, "Unsaved editor"), "still_open");
    assert_eq!(outcome(&report, "kept"), "protected");
    assert_eq!(outcome(&report, "Boss - Browser"), "protected");
    wait_until("the closed xterms exit", Duration::from_secs(10), || {
        a.has_exited() && b.has_exited()
    })
    .await;
    assert!(!kept.has_exited() && !editor.process.has_exited() && !browser.process.has_exited());
    let audit = app.audit(&admin, "window.close_all").await;
    assert_eq!(
        (
            audit[0]["detail"]["closed"].as_u64(),
            audit[0]["detail"]["still_open"].as_u64()
        ),
        (Some(2), Some(1))
    );

    // Protected windows are refused one by one too.
    let list = windows(&from_browser, &admin).await;
    let refused = close_refused_as_protected(&from_browser, &admin, &list, "Boss - Browser").await;
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("browser showing Boss")
    );
}

#[tokio::test]
async fn minimize_and_activate_show_in_the_list() {
    let Some((desktop, app, admin)) = desktop_and_admin().await else {
        return;
    };
    let (_xterm, window) = desktop.xterm("to-minimize");
    let reply = app
        .post(
            &format!("/api/v1/windows/{}/minimize", window.id),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    wait_for_list(&app, &admin, "minimized", |l| {
        find(l, "to-minimize").is_some_and(|w| w["minimized"] == true)
    })
    .await;
    let reply = app
        .post_empty(&format!("/api/v1/windows/{}/activate", window.id), &admin)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    wait_for_list(&app, &admin, "restored and active", |l| {
        find(l, "to-minimize").is_some_and(|w| w["minimized"] == false && w["active"] == true)
    })
    .await;
    assert_eq!(app.audit(&admin, "window.minimize").await.len(), 1);
    assert_eq!(app.audit(&admin, "window.activate").await.len(), 1);
}

#[tokio::test]
async fn bad_window_requests_are_clear_errors() {
    let Some((desktop, app, admin)) = desktop_and_admin().await else {
        return;
    };
    let (xterm, window) = desktop.xterm("target");
    for (path, body, status) in [
        (
            "/api/v1/windows/not-an-id/close".to_string(),
            json!({}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/windows/0x7ffffff/close".to_string(),
            json!({}),
            StatusCode::NOT_FOUND,
        ),
        (
            format!("/api/v1/windows/{}/close", window.id),
            json!({"pid": xterm.pid() + 1}),
            StatusCode::CONFLICT,
        ),
        (
            format!("/api/v1/windows/{}/close", window.id),
            json!({"class": "Firefox"}),
            StatusCode::CONFLICT,
        ),
        (
            format!("/api/v1/windows/{}/close", window.id),
            json!({"timeout_ms": 99999999}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            format!("/api/v1/windows/{}/close", window.id),
            json!({"what": 1}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let reply = app.post(&path, &admin, body.clone()).await;
        assert_eq!(reply.status, status, "{path} {body}: {:?}", reply.body);
    }
    assert!(
        find(&windows(&app, &admin).await, "target").is_some(),
        "nothing was closed"
    );
}

#[tokio::test]
async fn without_a_display_the_api_says_so_and_boss_keeps_running() {
    let app = TestApp::with_config(|c| c.display = Some(":4321".into())).await;
    let admin = app.register("admin").await;
    let list = windows(&app, &admin).await;
    assert_eq!(list["available"], false);
    assert!(list["reason"].as_str().is_some_and(|r| !r.is_empty()));
    assert!(list["windows"].as_array().unwrap().is_empty());
    let close = app
        .post("/api/v1/windows/0x400001/close", &admin, json!({}))
        .await;
    assert_eq!(close.status, StatusCode::SERVICE_UNAVAILABLE);
    let all = app
        .post(
            "/api/v1/windows/close-all",
            &admin,
            json!({"dry_run": true}),
        )
        .await;
    assert_eq!(all.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        app.get("/api/v1/health", &Auth::None).await.status,
        StatusCode::OK
    );
}
