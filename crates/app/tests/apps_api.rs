//! Applications and launches end to end: a catalog the test writes into its own XDG data
//! directory, real programs launched, watched, stopped and recorded. The test only ends what it
//! launched itself.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use axum::http::{StatusCode, header};
use serde_json::{Value, json};

use common::{Auth, TestApp, poll};

/// A 1x1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

fn write(path: &Path, text: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A private XDG data directory with a few desktop entries and an icon theme.
fn xdg(dir: &Path) -> platform::CatalogOptions {
    let apps = dir.join("share/applications");
    write(&apps.join("boss-sleeper.desktop"), b"[Desktop Entry]\nType=Application\nName=Boss Sleeper\nName[fr]=Dormeur\nComment=Sleeps a while\nKeywords=nap;rest;\nExec=sleep 600\nIcon=boss-sleeper\nCategories=Utility;\n");
    write(&apps.join("boss-exit7.desktop"), b"[Desktop Entry]\nType=Application\nName=Exit Seven\nExec=sh -c \"exit 7\"\nCategories=Development;\n");
    write(
        &apps.join("boss-hidden.desktop"),
        b"[Desktop Entry]\nType=Application\nName=Hidden Thing\nNoDisplay=true\nExec=true\n",
    );
    write(&dir.join("share/icons/hicolor/index.theme"), b"[Icon Theme]\nName=Hicolor\nDirectories=48x48/apps\n\n[48x48/apps]\nSize=48\nType=Fixed\n");
    write(
        &dir.join("share/icons/hicolor/48x48/apps/boss-sleeper.png"),
        PNG,
    );
    platform::CatalogOptions {
        data_dirs: vec![dir.join("share")],
        ..Default::default()
    }
}

async fn app() -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let options = xdg(dir.path());
    (
        TestApp::with_config(move |c| c.catalog = options).await,
        dir,
    )
}

async fn wait_for_launch(
    app: &TestApp,
    auth: &Auth,
    id: i64,
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let path = format!("/api/v1/launches/{id}");
    poll(what, Duration::from_secs(10), async || {
        let reply = app.get(&path, auth).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        if check(&reply.body) {
            Ok(reply.body)
        } else {
            Err(reply.body)
        }
    })
    .await
}

#[tokio::test]
async fn the_catalog_lists_visible_entries_with_icons_and_search() {
    let (app, _dir) = app().await;
    let (_, viewer) = app.admin_and("vic", "viewer").await;
    let list = app.get("/api/v1/apps", &viewer).await;
    assert_eq!(list.status, StatusCode::OK);
    let names: Vec<&str> = list.body["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Boss Sleeper", "Exit Seven"],
        "sorted, NoDisplay left out"
    );
    assert_eq!(list.body["categories"], json!(["Development", "Utility"]));
    let sleeper = &list.body["apps"][0];
    assert_eq!(sleeper["comment"], "Sleeps a while");
    assert_eq!(sleeper["keywords"], json!(["nap", "rest"]));
    assert_eq!(sleeper["icon_url"], "/api/v1/apps/boss-sleeper/icon");
    assert!(list.body["apps"][1]["icon_url"].is_null());

    let icon = app.get("/api/v1/apps/boss-sleeper/icon", &viewer).await;
    assert_eq!(icon.status, StatusCode::OK, "{:?}", icon.body);
    assert_eq!(icon.headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(
        app.get("/api/v1/apps/boss-exit7/icon", &viewer)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/apps/nope/icon", &viewer).await.status,
        StatusCode::NOT_FOUND
    );

    let found = app.get("/api/v1/apps?q=NAP", &viewer).await;
    assert_eq!(
        found.body["apps"].as_array().unwrap().len(),
        1,
        "keywords are searched"
    );
    let by_category = app.get("/api/v1/apps?category=Development", &viewer).await;
    assert_eq!(by_category.body["apps"][0]["id"], "boss-exit7");
}

#[tokio::test]
async fn a_launch_is_recorded_watched_and_its_exit_code_noticed() {
    let (app, _dir) = app().await;
    let admin = app.register("alice").await;
    let reply = app
        .post("/api/v1/apps/boss-exit7/launch", &admin, json!({}))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    let launch = &reply.body["launch"];
    assert_eq!(launch["user"], "alice");
    assert_eq!(launch["app_id"], "boss-exit7");
    assert_eq!(launch["argv"], json!(["sh", "-c", "exit 7"]));
    assert!(launch["pid"].as_u64().is_some());
    let id = launch["id"].as_i64().unwrap();
    let ended = wait_for_launch(&app, &admin, id, "it ended", |l| l["running"] == false).await;
    assert_eq!(
        (ended["outcome"].as_str(), ended["exit_code"].as_i64()),
        (Some("failed"), Some(7))
    );
    assert!(ended["ended_at"].is_string());

    let program = app
        .launch(
            &admin,
            json!({"program": "sh", "args": ["-c", "echo out; echo err >&2"], "cwd": "/tmp"}),
        )
        .await;
    let id = program["id"].as_i64().unwrap();
    let ended = wait_for_launch(&app, &admin, id, "it ended", |l| l["running"] == false).await;
    assert_eq!(
        (ended["outcome"].as_str(), ended["exit_code"].as_i64()),
        (Some("exited"), Some(0))
    );
    assert_eq!(ended["cwd"], "/tmp");
    let logs = std::fs::read_dir(app.dir.path().join("launches")).unwrap();
    let texts: Vec<String> = logs
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    assert!(
        texts.iter().any(|t| t.contains("out") && t.contains("err")),
        "output goes to the launch log: {texts:?}"
    );
    let audit = app.audit(&admin, "app.launch").await;
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[0]["outcome"], "success");
}

#[tokio::test]
async fn stop_escalates_from_term_to_kill() {
    let (app, _dir) = app().await;
    let admin = app.register("alice").await;
    let polite = app
        .post("/api/v1/apps/boss-sleeper/launch", &admin, json!({}))
        .await;
    let id = polite.body["launch"]["id"].as_i64().unwrap();
    let stopped = app.stop_launch(&admin, id, 3000).await;
    assert_eq!(stopped["signal"], "TERM");
    assert_eq!(stopped["launch"]["outcome"], "stopped");

    let stubborn = app
        .post(
            "/api/v1/launches",
            &admin,
            json!({"program": "sh", "args": ["-c", "trap '' TERM; exec sleep 600"]}),
        )
        .await;
    let id = stubborn.body["launch"]["id"].as_i64().unwrap();
    let pid = stubborn.body["launch"]["pid"].as_u64().unwrap() as u32;
    // Let the shell set its trap and exec.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !std::fs::read_to_string(format!("/proc/{pid}/cmdline"))
        .is_ok_and(|c| c.starts_with("sleep"))
    {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let stopped = app.stop_launch(&admin, id, 300).await;
    assert_eq!(stopped["signal"], "KILL");
    let ended = wait_for_launch(&app, &admin, id, "it ended", |l| l["running"] == false).await;
    assert_eq!(
        (ended["outcome"].as_str(), ended["signal"].as_i64()),
        (Some("stopped"), Some(9))
    );
    let again = app
        .post(&format!("/api/v1/launches/{id}/stop"), &admin, json!({}))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(app.audit(&admin, "app.stop").await.len(), 2);
}

#[tokio::test]
async fn bad_programs_are_clear_errors_and_viewers_cannot_launch() {
    let (app, dir) = app().await;
    let (admin, viewer) = app.admin_and("vic", "viewer").await;
    let not_executable = dir.path().join("notes.txt");
    std::fs::write(&not_executable, "hello").unwrap();
    let not_executable = not_executable.display().to_string();
    for (body, status) in [
        (
            json!({"program": "/no/such/program"}),
            StatusCode::NOT_FOUND,
        ),
        (
            json!({"program": "no-such-program-anywhere"}),
            StatusCode::NOT_FOUND,
        ),
        (json!({"program": not_executable}), StatusCode::FORBIDDEN),
        (json!({"program": ""}), StatusCode::UNPROCESSABLE_ENTITY),
        (
            json!({"program": "sleep", "cwd": "/no/such/dir"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"program": "sleep", "args": "1"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let reply = app.post("/api/v1/launches", &admin, body.clone()).await;
        assert_eq!(reply.status, status, "{body}: {:?}", reply.body);
        assert!(reply.body["error"]["message"].is_string());
    }
    assert_eq!(
        app.post("/api/v1/apps/nope/launch", &admin, json!({}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let refused = app
        .post("/api/v1/apps/boss-sleeper/launch", &viewer, json!({}))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.post("/api/v1/launches", &viewer, json!({"program": "sleep"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/files", &viewer).await.status,
        StatusCode::FORBIDDEN
    );
    // The programs that could not start are in the history, with why; nothing else is.
    let history = app.get("/api/v1/launches", &admin).await;
    let launches = history.body["launches"].as_array().unwrap();
    assert_eq!(launches.len(), 3, "{launches:?}");
    for launch in launches {
        assert_eq!(launch["outcome"], "failed_to_start", "{launch}");
        assert_eq!(launch["running"], false);
        assert!(launch["pid"].is_null());
        assert!(
            !launch["error"].as_str().unwrap_or("").is_empty(),
            "{launch}"
        );
        assert!(launch["ended_at"].is_string(), "{launch}");
    }
    let failed = app
        .get("/api/v1/launches?outcome=failed_to_start", &admin)
        .await;
    assert_eq!(failed.body["launches"].as_array().unwrap().len(), 3);
    let failures = app.audit(&admin, "app.launch").await;
    assert!(
        failures.iter().any(|e| e["outcome"] == "failure"),
        "failed launches are audited"
    );
    assert!(
        failures
            .iter()
            .any(|e| e["outcome"] == "denied" && e["actor"] == "vic")
    );
}

#[tokio::test]
async fn history_filters_pages_exports_and_totals() {
    let (app, _dir) = app().await;
    let admin = app.register("alice").await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let reply = app
            .post("/api/v1/apps/boss-exit7/launch", &admin, json!({}))
            .await;
        ids.push(reply.body["launch"]["id"].as_i64().unwrap());
    }
    let other = app
        .post("/api/v1/launches", &admin, json!({"program": "true"}))
        .await;
    ids.push(other.body["launch"]["id"].as_i64().unwrap());
    for id in &ids {
        wait_for_launch(&app, &admin, *id, "ended", |l| l["running"] == false).await;
    }
    let page = app.get("/api/v1/launches?limit=2", &admin).await;
    assert_eq!(page.body["launches"].as_array().unwrap().len(), 2);
    let cursor = page.body["next_cursor"].as_str().unwrap();
    let rest = app
        .get(&format!("/api/v1/launches?limit=2&cursor={cursor}"), &admin)
        .await;
    assert_eq!(rest.body["launches"].as_array().unwrap().len(), 2);
    assert!(rest.body["next_cursor"].is_null());
    let by_app = app
        .get(
            "/api/v1/launches?app=boss-exit7&outcome=failed&user=alice",
            &admin,
        )
        .await;
    assert_eq!(by_app.body["launches"].as_array().unwrap().len(), 3);
    let none = app
        .get("/api/v1/launches?since=2999-01-01T00:00:00Z", &admin)
        .await;
    assert!(none.body["launches"].as_array().unwrap().is_empty());
    for bad in ["outcome=maybe", "since=soon", "limit=0", "cursor=x"] {
        assert_eq!(
            app.get(&format!("/api/v1/launches?{bad}"), &admin)
                .await
                .status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}"
        );
    }

    let csv = app.get("/api/v1/launches.csv?app=boss-exit7", &admin).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.body.as_str().unwrap();
    assert_eq!(text.lines().count(), 4, "a header and three rows: {text}");
    assert!(text.starts_with("id,user,app_id,app_name,argv"));
    assert!(text.contains("alice,boss-exit7,Exit Seven,"));

    let totals = app.get("/api/v1/launches/totals", &admin).await;
    let totals = totals.body["totals"].as_array().unwrap();
    assert_eq!(
        (
            totals[0]["app_name"].as_str(),
            totals[0]["launches"].as_i64()
        ),
        (Some("Exit Seven"), Some(3))
    );
    assert_eq!(totals[1]["app_name"], "true");
}

#[tokio::test]
async fn the_file_browser_lists_directories_and_marks_programs() {
    let (app, dir) = app().await;
    let admin = app.register("alice").await;
    let tools = dir.path().join("tools");
    std::fs::create_dir_all(tools.join("sub")).unwrap();
    std::fs::write(tools.join("run.sh"), "#!/bin/sh\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(tools.join("run.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(tools.join("readme"), "x").unwrap();
    let listing = app
        .get(&format!("/api/v1/files?path={}", tools.display()), &admin)
        .await;
    assert_eq!(listing.status, StatusCode::OK, "{:?}", listing.body);
    let entries: Vec<(String, String, bool)> = listing.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().into(),
                e["kind"].as_str().unwrap().into(),
                e["executable"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            ("sub".into(), "dir".into(), false),
            ("readme".into(), "file".into(), false),
            ("run.sh".into(), "file".into(), true)
        ]
    );
    assert_eq!(listing.body["parent"], dir.path().display().to_string());
    for (path, status) in [
        ("/no/such/dir".to_string(), StatusCode::NOT_FOUND),
        (
            tools.join("readme").display().to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "relative/path".to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        assert_eq!(
            app.get(&format!("/api/v1/files?path={path}"), &admin)
                .await
                .status,
            status,
            "{path}"
        );
    }
}

#[tokio::test]
async fn after_a_restart_running_launches_are_watched_again_and_ended_ones_marked_lost() {
    let (first, _dir) = app().await;
    let admin = first.register("alice").await;
    let running = first
        .post("/api/v1/apps/boss-sleeper/launch", &admin, json!({}))
        .await;
    let running_id = running.body["launch"]["id"].as_i64().unwrap();
    let pid = running.body["launch"]["pid"].as_u64().unwrap() as u32;
    // A launch recorded as running whose process is long gone (Boss was down when it ended).
    first
        .state
        .store
        .record_launch(&boss::store::NewLaunch {
            uid: "ghost".into(),
            username: "alice".into(),
            app_name: "Ghost".into(),
            argv: vec!["ghost".into()],
            started_at: 1,
            pid: Some(4_194_000),
            start_ticks: Some(1),
            outcome: boss::store::LaunchOutcome::Running,
            ..Default::default()
        })
        .await
        .unwrap();

    // "Restart": a new server on the same data directory and database.
    let config = first.state.config.as_ref().clone();
    let store = boss::store::SqlStore::open(&config.database_url)
        .await
        .unwrap();
    let second = boss::state::AppState::new(std::sync::Arc::new(store), config);
    boss::actions::launches::reconcile(&second).await.unwrap();
    let history = first.get("/api/v1/launches", &admin).await;
    let ghost = history.body["launches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["app_name"] == "Ghost")
        .unwrap()
        .clone();
    assert_eq!(ghost["outcome"], "lost");
    assert!(
        platform::process_running(platform::identify_process(pid).unwrap()),
        "the launched program survived"
    );
    let still = first
        .get(&format!("/api/v1/launches/{running_id}"), &admin)
        .await;
    assert_eq!(still.body["outcome"], "running");

    // The restarted server notices when it ends.
    let target = platform::identify_process(pid).unwrap();
    platform::send_signal(target, platform::Signal::Term).unwrap();
    wait_for_launch(&first, &admin, running_id, "the end is noticed", |l| {
        l["running"] == false
    })
    .await;
}

#[tokio::test]
async fn a_csv_export_never_hands_a_spreadsheet_a_formula() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = xdg(dir.path());
    write(
        &dir.path().join("share/applications/boss-formula.desktop"),
        b"[Desktop Entry]\nType=Application\nName==HYPERLINK(\"http://evil\",\"x\")\nExec=true\n",
    );
    options.data_dirs = vec![dir.path().join("share")];
    let app = TestApp::with_config(move |c| c.catalog = options).await;
    let admin = app.register("alice").await;
    let by_app = app
        .post("/api/v1/apps/boss-formula/launch", &admin, json!({}))
        .await;
    assert_eq!(by_app.status, StatusCode::CREATED, "{:?}", by_app.body);
    let program = app
        .post(
            "/api/v1/launches",
            &admin,
            json!({"program": "true", "args": ["=1+2", "@SUM(A1)"], "cwd": "/tmp"}),
        )
        .await;
    assert_eq!(program.status, StatusCode::CREATED, "{:?}", program.body);
    for reply in [&by_app, &program] {
        let id = reply.body["launch"]["id"].as_i64().unwrap();
        wait_for_launch(&app, &admin, id, "ended", |l| l["running"] == false).await;
    }

    let csv = app.get("/api/v1/launches.csv", &admin).await;
    assert_eq!(csv.status, StatusCode::OK);
    let mut reader = csv::Reader::from_reader(csv.body.as_str().unwrap().as_bytes());
    let cells: Vec<String> = reader
        .records()
        .flat_map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
        .collect();
    assert!(
        cells.contains(&"'=HYPERLINK(\"http://evil\",\"x\")".to_string()),
        "{cells:?}"
    );
    for cell in &cells {
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "a formula cell: {cell:?}"
        );
    }
}

#[tokio::test]
async fn a_viewer_never_gets_a_file_outside_the_icon_directories_as_an_icon() {
    let dir = tempfile::tempdir().unwrap();
    let options = xdg(dir.path());
    let secret = dir.path().join("private/passwd");
    write(&secret, b"root:x:0:0:root:/root:/bin/bash\n");
    let apps = dir.path().join("share/applications");
    // Icon= a symbolic link that looks like a theme icon, to the private file...
    let linked = dir
        .path()
        .join("share/icons/hicolor/48x48/apps/boss-linked.png");
    std::os::unix::fs::symlink(&secret, &linked).unwrap();
    write(
        &apps.join("boss-linked.desktop"),
        b"[Desktop Entry]\nType=Application\nName=Linked\nExec=true\nIcon=boss-linked\n",
    );
    // ...an absolute path to it, and an absolute path to a link named like an image.
    write(
        &apps.join("boss-absolute.desktop"),
        format!(
            "[Desktop Entry]\nType=Application\nName=Absolute\nExec=true\nIcon={}\n",
            secret.display()
        )
        .as_bytes(),
    );
    write(
        &apps.join("boss-abslink.desktop"),
        format!(
            "[Desktop Entry]\nType=Application\nName=Abslink\nExec=true\nIcon={}\n",
            linked.display()
        )
        .as_bytes(),
    );
    let app = TestApp::with_config(move |c| c.catalog = options).await;
    let (_admin, viewer) = app.admin_and("vic", "viewer").await;

    let served = app.get("/api/v1/apps/boss-sleeper/icon", &viewer).await;
    assert_eq!(served.status, StatusCode::OK, "a real theme icon is served");
    for id in ["boss-linked", "boss-absolute", "boss-abslink"] {
        let reply = app.get(&format!("/api/v1/apps/{id}/icon"), &viewer).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{id}: {:?}",
            reply.body
        );
        assert!(
            !reply.body.to_string().contains("root:x"),
            "{id} leaked the file"
        );
    }
}

#[tokio::test]
async fn the_history_hides_credentials_and_a_relaunch_runs_the_full_command_again() {
    let (app, _dir) = app().await;
    let (admin, viewer) = app.admin_and("vic", "viewer").await;
    let secret = "--password=hunter2";
    let program = app
        .launch(
            &admin,
            json!({"program": "sh", "args": ["-c", "exit 0", "sh", secret]}),
        )
        .await;
    let id = program["id"].as_i64().unwrap();
    for auth in [&admin, &viewer] {
        let one = app.get(&format!("/api/v1/launches/{id}"), auth).await;
        assert_eq!(one.body["redacted"], true, "{:?}", one.body);
        assert_eq!(one.body["argv"][4], "--password=***");
        let list = app.get("/api/v1/launches", auth).await;
        assert!(!list.body.to_string().contains("hunter2"));
        let csv = app.get("/api/v1/launches.csv", auth).await;
        assert!(!csv.body.to_string().contains("hunter2"));
    }
    wait_for_launch(&app, &admin, id, "it ended", |l| l["running"] == false).await;

    // Relaunching runs what was recorded, not what the history shows.
    let refused = app
        .post_empty(&format!("/api/v1/launches/{id}/relaunch"), &viewer)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let again = app
        .post_empty(&format!("/api/v1/launches/{id}/relaunch"), &admin)
        .await;
    assert_eq!(again.status, StatusCode::CREATED, "{:?}", again.body);
    let new_id = again.body["launch"]["id"].as_i64().unwrap();
    assert_ne!(new_id, id);
    let stored = app.state.store.launch(new_id).await.unwrap().unwrap();
    assert_eq!(stored.record.argv, ["sh", "-c", "exit 0", "sh", secret]);
    let missing = app
        .post_empty("/api/v1/launches/999999/relaunch", &admin)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
