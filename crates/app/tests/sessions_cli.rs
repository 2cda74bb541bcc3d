//! `boss sessions`, `boss session save` and `boss session restore` against a real server on a
//! private X display with openbox, as a script would run them: output and exit codes.

mod common;

use std::process::{Command, Output};

use serde_json::{Value, json};

use common::desktop::Desktop;
use common::server::Server;
use common::sessions::Started;
use testkit::desktop::eventually;

const PASSWORD: &str = "correct horse battery";

fn boss(home: &std::path::Path, server: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_boss"))
        .args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("BOSS_SERVER", server)
        .env("BOSS_PASSWORD", PASSWORD)
        .env_remove("BOSS_TOKEN")
        .output()
        .expect("run boss")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The PID of the window titled `title` on `desktop`, once it is listed with one.
fn pid_of_window(desktop: &Desktop, title: &str, what: &str) -> u32 {
    let windows = desktop_windows(desktop);
    eventually(what, || {
        let list = windows.list();
        list.windows.into_iter().find(|w| w.title == title)?.pid
    })
}

#[tokio::test]
async fn a_session_is_saved_listed_and_restored_from_the_command_line() {
    let Some(desktop) = Desktop::start(true) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty").display().to_string();
    let server = Server::start_with(
        &dir.path().join("data"),
        &[
            ("BOSS_DISPLAY", &desktop.display),
            ("XDG_DATA_HOME", &empty),
            ("XDG_DATA_DIRS", &empty),
        ],
    );
    server.register("alice", PASSWORD).await;
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| boss(home.path(), &server.base, args);
    let login = run(&["login", "--user", "alice"]);
    assert!(login.status.success(), "{}", text(&login));

    let (mut xterm, _) = desktop.xterm("boss-cli-session");
    let saved = run(&["session", "save", "work"]);
    assert!(saved.status.success(), "{}", text(&saved));
    assert!(
        text(&saved).contains("'work': 1 apps, 1 windows"),
        "{}",
        text(&saved)
    );
    let listed = run(&["sessions"]);
    assert!(listed.status.success(), "{}", text(&listed));
    assert!(text(&listed).contains("manual"), "{}", text(&listed));
    assert!(text(&listed).contains("work"), "{}", text(&listed));

    let plan = run(&["session", "restore", "work", "--dry-run", "--json"]);
    assert!(plan.status.success(), "{}", text(&plan));
    let plan: Value = serde_json::from_slice(&plan.stdout).unwrap();
    assert_eq!(plan["dry_run"], true);
    assert_eq!(plan["results"][0]["outcome"], "already_running", "{plan}");

    // Close all: it says how to undo.
    let closed = run(&["close", "--all"]);
    assert!(closed.status.success(), "{}", text(&closed));
    let hint = text(&closed);
    let undo = hint
        .lines()
        .find_map(|l| l.strip_prefix("to reopen what was closed: boss session restore "))
        .unwrap_or_else(|| panic!("no undo hint in {hint}"))
        .trim()
        .to_string();
    xterm.wait_for_exit("the xterm exits");

    let restored = run(&["session", "restore", &undo]);
    assert!(restored.status.success(), "{}", text(&restored));
    assert!(text(&restored).contains("launched"), "{}", text(&restored));
    let missing = run(&["session", "restore", "no-such-session"]);
    assert_eq!(missing.status.code(), Some(1), "{}", text(&missing));

    // The restored xterm is Boss's launch: the close-all ends it politely, and `back` by PID
    // should the test fail first.
    let mut back = Started::default();
    back.add(pid_of_window(
        &desktop,
        "boss-cli-session",
        "the xterm is back",
    ));
    let closed = run(&["close", "--all"]);
    assert!(closed.status.success(), "{}", text(&closed));
}

fn desktop_windows(desktop: &Desktop) -> Box<dyn platform::WindowSystem> {
    platform::window_system(&platform::SessionEnv::x11(Some(&desktop.display)))
}

#[tokio::test]
async fn a_restarted_server_restores_the_session_chosen_for_start_up() {
    let Some(desktop) = Desktop::start(true) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty").display().to_string();
    let data = dir.path().join("data");
    let env = [
        ("BOSS_DISPLAY", desktop.display.as_str()),
        ("XDG_DATA_HOME", empty.as_str()),
        ("XDG_DATA_DIRS", empty.as_str()),
    ];
    let server = Server::start_with(&data, &env);
    server.register("alice", PASSWORD).await;
    let home = tempfile::tempdir().unwrap();
    let login = boss(home.path(), &server.base, &["login", "--user", "alice"]);
    assert!(login.status.success(), "{}", text(&login));
    let saved: Value = serde_json::from_str(
        &std::fs::read_to_string(home.path().join("config/boss/cli.json")).unwrap(),
    )
    .unwrap();
    let token = saved["token"].as_str().unwrap().to_string();

    let (mut xterm, _) = desktop.xterm("boss-restart-session");
    let created = boss(
        home.path(),
        &server.base,
        &["session", "save", "desk", "--json"],
    );
    assert!(created.status.success(), "{}", text(&created));
    let id = serde_json::from_slice::<Value>(&created.stdout).unwrap()["session"]["id"].clone();
    let chosen = reqwest::Client::new()
        .patch(format!("{}/api/v1/settings", server.base))
        .bearer_auth(&token)
        .json(&json!({ "restore_session_on_start": id }))
        .send()
        .await
        .unwrap();
    assert!(chosen.status().is_success());
    let closed = boss(home.path(), &server.base, &["close", "--all"]);
    assert!(closed.status.success(), "{}", text(&closed));
    xterm.wait_for_exit("the xterm exits");
    server.stop();

    // Started again on the same data: the xterm comes back by itself.
    let server = Server::start_with(&data, &env);
    let what = "the xterm is restored at start-up";
    let pid = pid_of_window(&desktop, "boss-restart-session", what);
    assert_ne!(pid, xterm.pid());
    let mut back = Started::default();
    back.add(pid);
    let closed = boss(home.path(), &server.base, &["close", "--all"]);
    assert!(closed.status.success(), "{}", text(&closed));
}
