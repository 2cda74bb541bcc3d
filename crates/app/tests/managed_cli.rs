//! `boss managed ...` against a real server, and `boss autostart ...` in a private home: the
//! real user's files are never touched.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use common::PASSWORD;
use common::server::Server;

/// Runs `boss ARGS` with HOME and XDG_CONFIG_HOME in `home`.
fn boss(home: &Path, server: Option<&str>, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_boss"));
    command
        .args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("BOSS_PASSWORD", PASSWORD)
        .env_remove("BOSS_TOKEN")
        .envs(env.iter().copied());
    if let Some(server) = server {
        command.env("BOSS_SERVER", server);
    }
    command.output().expect("run boss")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn autostart_writes_and_removes_the_xdg_entry_and_the_systemd_unit_in_the_users_config() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config");
    let run = |args: &[&str]| {
        let out = boss(home.path(), None, args, &[("DISPLAY", ":77")]);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    };
    run(&["autostart", "enable", "--", "--bind", "127.0.0.1:8351"]);
    let entry = std::fs::read_to_string(config.join("autostart/boss.desktop")).unwrap();
    assert!(entry.contains("[Desktop Entry]"));
    let exec = entry.lines().find(|l| l.starts_with("Exec=")).unwrap();
    assert!(exec.ends_with(" serve --bind 127.0.0.1:8351"), "{exec}");
    assert!(run(&["autostart", "status"]).contains("XDG autostart: enabled"));

    run(&["autostart", "enable", "--systemd"]);
    let unit = std::fs::read_to_string(config.join("systemd/user/boss.service")).unwrap();
    assert!(unit.contains("KillMode=process"), "{unit}");
    assert!(unit.contains("Environment=\"DISPLAY=:77\""), "{unit}");
    assert!(unit.contains("\"serve\""), "{unit}");
    let link = config.join("systemd/user/default.target.wants/boss.service");
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        config.join("systemd/user/boss.service")
    );
    let status: Value = serde_json::from_str(&run(&["--json", "autostart", "status"])).unwrap();
    assert_eq!(status["systemd_enabled"], true);

    run(&["autostart", "disable"]);
    run(&["autostart", "disable", "--systemd"]);
    assert!(!config.join("autostart/boss.desktop").exists());
    assert!(!config.join("systemd/user/boss.service").exists());
    assert!(link.symlink_metadata().is_err());
    let status = run(&["autostart", "status"]);
    assert!(status.contains("XDG autostart: disabled"), "{status}");
}

#[tokio::test]
async fn managed_add_list_logs_stop_and_remove_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"));
    server.register("alice", PASSWORD).await;
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = boss(home.path(), Some(&server.base), args, &[]);
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    let (code, _, err) = run(&["login", "--user", "alice"]);
    assert_eq!(code, Some(0), "{err}");

    let (code, out, err) = run(&[
        "managed",
        "add",
        "greeter",
        "--",
        "sh",
        "-c",
        "echo hello-from-greeter; sleep 300",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("greeter") && out.contains("running"), "{out}");

    let (_, out, _) = run(&["managed"]);
    assert!(out.contains("NAME") && out.contains("greeter"), "{out}");
    let (_, out, _) = run(&["--json", "managed"]);
    let list: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list["apps"][0]["state"], "running");

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (code, out, err) = run(&["managed", "logs", "greeter", "--tail", "5"]);
        assert_eq!(code, Some(0), "{err}");
        if out.contains("hello-from-greeter") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the log shows the greeting"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }

    // `logs -f` prints the tail, then follows (ended by this test, which started it).
    let mut follow = Command::new(env!("CARGO_BIN_EXE_boss"));
    follow
        .args(["managed", "logs", "greeter", "-f"])
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("BOSS_SERVER", &server.base)
        .env_remove("BOSS_TOKEN")
        .stdout(std::process::Stdio::piped());
    let mut follow = testkit::process::Process(follow.spawn().expect("run boss"));
    let lines = follow.stdout_lines();
    let first = lines
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("the tail comes first");
    assert_eq!(first, "hello-from-greeter");
    assert!(!follow.has_exited(), "it keeps following");
    drop(follow);
    let (code, _, err) = run(&["--json", "managed", "logs", "greeter", "-f"]);
    assert_eq!(code, Some(2), "{err}");

    let (code, out, err) = run(&["managed", "stop", "greeter"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("stopped"), "{out}");
    let (code, out, _) = run(&["managed", "start", "greeter"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("running"), "{out}");
    let (code, _, err) = run(&["managed", "remove", "greeter"]);
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = run(&["managed", "stop", "greeter"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("no managed app named 'greeter'"), "{err}");
    let (code, _, err) = run(&[
        "managed",
        "add",
        "bad",
        "--policy",
        "{\"nope\": 1}",
        "--",
        "true",
    ]);
    assert_eq!(code, Some(1));
    assert!(err.contains("nope"), "{err}");
    server.stop();
}
