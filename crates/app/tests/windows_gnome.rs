//! The windows API on GNOME: a real GNOME Shell (headless) with Boss's extension, on
//! buses of its own, GTK windows the test starts itself, and the app's window monitor on that
//! shell; and `boss desktop gnome-extension install` in that session. Skipped without GNOME
//! Shell, except under CI.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Value, json};

use boss::windows::WindowMonitor;
use common::{Auth, TestApp};
use testkit::gnome::GnomeShell;

async fn windows(app: &TestApp, auth: &Auth) -> Value {
    let reply = app.get("/api/v1/windows", auth).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

fn find<'a>(list: &'a Value, title: &str) -> Option<&'a Value> {
    list["windows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["title"] == title)
}

#[tokio::test]
async fn on_gnome_the_api_lists_windows_and_close_all_spares_the_browser_and_the_refuser() {
    let Some(shell) = GnomeShell::start() else {
        return;
    };
    let system: Arc<dyn platform::WindowSystem> = Arc::from(shell.windows());
    let mut app = TestApp::with_config(|c| c.sample_interval = Duration::from_millis(200)).await;
    app.state.windows = WindowMonitor::with_system(system.clone(), Duration::from_millis(200));
    let admin = app.register("admin").await;

    // The "browser showing Boss": a window whose process holds this client's connection.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    app.state.listen_port.set(port).unwrap();
    let (mut browser, _) = shell.gtk_window(&*system, "Boss - Browser", false, Some(port));
    let _accepted = listener.accept().unwrap();
    let from_browser = app.seen_from_socket(
        format!("127.0.0.1:{}", browser.local_port().unwrap())
            .parse()
            .unwrap(),
    );
    let (mut a, _) = shell.gtk_window(&*system, "closes-a", false, None);
    let (mut b, _) = shell.gtk_window(&*system, "closes-b", false, None);
    let (mut editor, _) = shell.gtk_window(&*system, "Unsaved editor", true, None);

    let list = windows(&from_browser, &admin).await;
    assert_eq!(list["backend"], "gnome");
    assert_eq!(list["label"], "GNOME Shell (Wayland)");
    assert_eq!(list["available"], true);
    assert_eq!(
        list["capabilities"],
        json!({"close": true, "activate": true, "minimize": true, "pid": true, "desktop": true})
    );
    let row = find(&list, "closes-a").expect("listed");
    assert_eq!(row["pid"], a.pid());
    assert!(row["id"].as_str().unwrap().starts_with("gnome:"), "{row}");
    assert!(row["protected"].is_null());
    assert!(find(&list, "Boss - Browser").unwrap()["protected"].is_string());

    let preview = from_browser
        .post(
            "/api/v1/windows/close-all",
            &admin,
            json!({"dry_run": true}),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{:?}", preview.body);
    let outcome = |report: &Value, title: &str| -> String {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["window"]["title"] == title)
            .map(|r| r["outcome"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("{title} missing from {report}"))
    };
    assert_eq!(outcome(&preview.body, "closes-a"), "would_close");
    assert_eq!(outcome(&preview.body, "Unsaved editor"), "would_close");
    assert_eq!(outcome(&preview.body, "Boss - Browser"), "protected");
    assert!(!a.has_exited(), "a dry run touches nothing");
    assert!(app.audit(&admin, "window.close_all").await.is_empty());

    let started = Instant::now();
    let report = from_browser
        .post(
            "/api/v1/windows/close-all",
            &admin,
            json!({"timeout_ms": 1500}),
        )
        .await;
    assert_eq!(report.status, StatusCode::OK, "{:?}", report.body);
    assert!(started.elapsed() < Duration::from_secs(8));
    assert_eq!(outcome(&report.body, "closes-a"), "closed");
    assert_eq!(outcome(&report.body, "closes-b"), "closed");
    let refused = outcome(&report.body, "Unsaved editor");
    assert!(
        refused == "prompting" || refused == "still_open",
        "{refused}"
    );
    assert_eq!(outcome(&report.body, "Boss - Browser"), "protected");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !(a.has_exited() && b.has_exited()) {
        assert!(
            Instant::now() < deadline,
            "the closed windows' processes exit"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    editor.wait_for_line("close-request 1");
    assert!(!editor.has_exited() && !browser.has_exited());
    let audit = app.audit(&admin, "window.close_all").await;
    assert_eq!(audit[0]["detail"]["closed"].as_u64(), Some(2));

    // The editor's "Save changes?" dialog is listed (untitled windows are not hidden), and a
    // second close-all skips it as a dialog.
    let list = windows(&from_browser, &admin).await;
    let dialog = find(&list, "Save changes?").expect("the dialog is listed");
    assert_eq!(dialog["pid"], editor.pid());
    let browser_id = find(&list, "Boss - Browser").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let refused = from_browser
        .post(
            &format!("/api/v1/windows/{browser_id}/close"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.code(), "protected");

    drop(app);

    // The CLI installs the extension for a user of this session and enables it through the
    // running shell, which already knows it: it says the extension runs.
    let home = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_boss"))
        .args(["desktop", "gnome-extension", "install"])
        .env("HOME", home.path())
        .env_remove("XDG_DATA_HOME")
        .env("DBUS_SESSION_BUS_ADDRESS", &shell.bus)
        .env("XDG_RUNTIME_DIR", &shell.runtime_dir)
        .env("WAYLAND_DISPLAY", "wayland-boss")
        .output()
        .expect("run boss");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let installed = home
        .path()
        .join(".local/share/gnome-shell/extensions/windows@boss-of-apps");
    assert!(installed.join("metadata.json").is_file());
    assert!(installed.join("extension.js").is_file());
    assert!(said.contains("enabled and running"), "{said}");
}
