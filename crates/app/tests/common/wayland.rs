//! The windows API on a Wayland compositor that a test started (KWin, GNOME Shell): one story
//! for every backend that lists GTK windows with their PIDs.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use platform::{WindowInfo, WindowSystem};
use serde_json::json;
use testkit::gtk::GtkWindow;

use super::{
    BrowserPort, TestApp, assert_full_backend, close_all, close_refused_as_protected,
    find_window as find, outcome, wait_until, window_list as windows,
};
use boss::windows::WindowMonitor;

/// Through the API on `system` (backend `backend`, named `label`): the list with PIDs, close-all
/// previewed then done, sparing the browser showing Boss and a refusing editor. `gtk` starts a
/// GTK window on the compositor (title, refusing, connection to a port) and waits for it.
pub async fn close_all_story(
    system: Arc<dyn WindowSystem>,
    backend: &str,
    label: &str,
    gtk: impl Fn(&dyn WindowSystem, &str, bool, Option<u16>) -> (GtkWindow, WindowInfo),
) {
    let mut app = TestApp::with_config(|c| c.sample_interval = Duration::from_millis(200)).await;
    app.state.windows = WindowMonitor::with_system(system.clone(), Duration::from_millis(200));
    let admin = app.register("admin").await;

    // The "browser showing Boss": a window whose process holds this client's connection.
    let boss_port = BrowserPort::listen(&app);
    let (mut browser, _) = gtk(&*system, "Boss - Browser", false, Some(boss_port.port));
    let (from_browser, _accepted) = boss_port.seen_from(&app, browser.local_port().unwrap());
    let (mut a, _) = gtk(&*system, "closes-a", false, None);
    let (mut b, _) = gtk(&*system, "closes-b", false, None);
    let (mut editor, _) = gtk(&*system, "Unsaved editor", true, None);

    let list = windows(&from_browser, &admin).await;
    assert_full_backend(&list, backend, label);
    let row = find(&list, "closes-a").expect("listed");
    assert_eq!(row["pid"], a.pid());
    assert!(
        row["id"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{backend}:")),
        "{row}"
    );
    assert!(row["protected"].is_null());
    assert!(find(&list, "Boss - Browser").unwrap()["protected"].is_string());

    let preview = close_all(&from_browser, &admin, json!({"dry_run": true})).await;
    assert_eq!(outcome(&preview, "closes-a"), "would_close");
    assert_eq!(outcome(&preview, "Unsaved editor"), "would_close");
    assert_eq!(outcome(&preview, "Boss - Browser"), "protected");
    assert!(!a.has_exited(), "a dry run touches nothing");
    assert!(app.audit(&admin, "window.close_all").await.is_empty());

    let started = Instant::now();
    let report = close_all(&from_browser, &admin, json!({"timeout_ms": 1500})).await;
    assert!(started.elapsed() < Duration::from_secs(8));
    assert_eq!(outcome(&report, "closes-a"), "closed");
    assert_eq!(outcome(&report, "closes-b"), "closed");
    let refused = outcome(&report, "Unsaved editor");
    assert!(
        refused == "prompting" || refused == "still_open",
        "{refused}"
    );
    assert_eq!(outcome(&report, "Boss - Browser"), "protected");
    wait_until(
        "the closed windows' processes exit",
        Duration::from_secs(10),
        || a.has_exited() && b.has_exited(),
    )
    .await;
    editor.wait_for_line("close-request 1");
    assert!(!editor.has_exited() && !browser.has_exited());
    let audit = app.audit(&admin, "window.close_all").await;
    assert_eq!(audit[0]["detail"]["closed"].as_u64(), Some(2));

    // The editor's "Save changes?" dialog is listed (untitled windows are not hidden), and a
    // second close-all skips it as a dialog.
    let list = windows(&from_browser, &admin).await;
    let dialog = find(&list, "Save changes?").expect("the dialog is listed");
    assert_eq!(dialog["pid"], editor.pid());
    close_refused_as_protected(&from_browser, &admin, &list, "Boss - Browser").await;
}
