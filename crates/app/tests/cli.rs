//! The command-line client against a real server, run as a script would run it: output and
//! exit codes.

mod common;

use std::process::{Command, Output};

use serde_json::{Value, json};

use common::server::Server;

const PASSWORD: &str = "correct horse battery";

struct Cli {
    home: tempfile::TempDir,
    server: String,
}

impl Cli {
    /// Runs `boss ARGS` with its configuration kept in a private home directory.
    fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, &[])
    }

    /// Like [`Cli::run`], with more environment variables.
    fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_boss"))
            .args(args)
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join("config"))
            .env("BOSS_SERVER", &self.server)
            .env("BOSS_PASSWORD", PASSWORD)
            .env_remove("BOSS_TOKEN")
            .envs(env.iter().copied())
            .output()
            .expect("run boss")
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn login_once_then_ps_kill_apps_launch_history_and_clear_failures() {
    let dir = tempfile::tempdir().unwrap();
    let apps = dir.path().join("share/applications");
    std::fs::create_dir_all(&apps).unwrap();
    std::fs::write(
        apps.join("boss-cli-sleeper.desktop"),
        "[Desktop Entry]\nType=Application\nName=CLI Sleeper\nComment=Sleeps\nExec=sleep 700\n",
    )
    .unwrap();
    let share = dir.path().join("share").display().to_string();
    let empty = dir.path().join("empty").display().to_string();
    let data = dir.path().join("data");
    let server = Server::start_with(
        &data,
        &[
            ("XDG_DATA_HOME", &share),
            ("XDG_DATA_DIRS", &empty),
            ("BOSS_DISPLAY", ":4567"),
        ],
    );
    server.register("alice", PASSWORD).await;
    let cli = Cli {
        home: tempfile::tempdir().unwrap(),
        server: server.base.clone(),
    };

    // Before logging in: exit code 4 and a hint.
    let anonymous = cli.run(&["ps"]);
    assert_eq!(anonymous.status.code(), Some(4), "{}", stderr(&anonymous));
    assert!(stderr(&anonymous).contains("boss login"));

    let login = cli.run(&["login", "--user", "alice"]);
    assert!(login.status.success(), "{}", stderr(&login));
    let saved = cli.home.path().join("config/boss/cli.json");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&saved).unwrap().permissions().mode() & 0o777,
        0o600,
        "the token file is private"
    );
    // Logging in again with an expiry replaces the saved token by one that expires.
    let expiring = cli.run(&["login", "--user", "alice", "--expires-in-days", "7"]);
    assert!(expiring.status.success(), "{}", stderr(&expiring));
    let saved_token = serde_json::from_str::<Value>(&std::fs::read_to_string(&saved).unwrap())
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let tokens: Value = reqwest::Client::new()
        .get(format!("{}/api/v1/tokens", server.base))
        .bearer_auth(&saved_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let expiries: Vec<bool> = tokens["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["expires_at"].is_string())
        .collect();
    assert_eq!(expiries, [false, true], "{tokens}");
    let quiet = cli.run(&["login", "--user", "alice", "--json"]);
    assert!(quiet.status.success(), "{}", stderr(&quiet));
    let logged_in: Value = serde_json::from_str(&stdout(&quiet)).unwrap();
    assert_eq!(logged_in["user"], "alice", "{logged_in}");
    assert_eq!(logged_in["server"], server.base.as_str(), "{logged_in}");
    assert_eq!(
        logged_in["config_file"],
        saved.display().to_string(),
        "{logged_in}"
    );
    assert!(
        !stdout(&quiet).contains("boss_"),
        "the secret is not printed"
    );
    let out_of_range = cli.run(&["login", "--user", "alice", "--expires-in-days", "0"]);
    assert_eq!(
        out_of_range.status.code(),
        Some(2),
        "{}",
        stderr(&out_of_range)
    );

    let mut child = Command::new("sleep").arg("777").spawn().unwrap();
    let pid = child.id().to_string();
    let ps = cli.run(&["ps", "--sort", "cpu"]);
    assert!(ps.status.success(), "{}", stderr(&ps));
    let table = stdout(&ps);
    assert!(table.lines().next().unwrap().starts_with("PID"), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.starts_with(&pid) && l.contains("sleep 777")),
        "{table}"
    );
    let json: Value =
        serde_json::from_str(&stdout(&cli.run(&["ps", "sleep 777", "--json"]))).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(json[0]["pid"].to_string(), pid);
    assert!(cli.run(&["ps", "--tree"]).status.success());
    // `--json` is one global flag: before the command too, and what it prints reads back as
    // the server's own row type.
    let before = cli.run(&["--json", "ps", "sleep 777"]);
    assert!(before.status.success(), "{}", stderr(&before));
    let rows: Vec<boss::processes::ProcessRow> = serde_json::from_str(&stdout(&before)).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].pid.to_string(), pid);
    assert_eq!(rows[0].cmdline, "sleep 777");

    let kill = cli.run(&["kill", &pid]);
    assert!(kill.status.success(), "{}", stderr(&kill));
    assert!(stdout(&kill).contains("terminated"), "{}", stdout(&kill));
    child.wait().unwrap();
    let mut stopped = Command::new("sleep").arg("779").spawn().unwrap();
    let stopped_pid = stopped.id().to_string();
    let signalled = cli.run(&["kill", "--signal", "KILL", &stopped_pid, "--json"]);
    assert!(signalled.status.success(), "{}", stderr(&signalled));
    let report: Value = serde_json::from_str(&stdout(&signalled)).unwrap();
    assert_eq!(report["pid"].to_string(), stopped_pid, "{report}");
    assert_eq!(report["outcome"], "signalled", "{report}");
    stopped.wait().unwrap();
    // PID 1 is not this test's: ask only for something harmless (CONT) should the refusal fail.
    let protected = cli.run(&["kill", "1", "--signal", "CONT"]);
    assert_eq!(protected.status.code(), Some(1));
    assert!(
        stderr(&protected).contains("protected"),
        "{}",
        stderr(&protected)
    );
    let missing = cli.run(&["kill", "4194999"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("404"), "{}", stderr(&missing));
    let bad_signal = cli.run(&["kill", &pid, "--signal", "SEGV"]);
    assert!(
        stderr(&bad_signal).contains("unknown signal 'SEGV'"),
        "{}",
        stderr(&bad_signal)
    );

    // No desktop on this server: said plainly, exit 1.
    let windows = cli.run(&["windows"]);
    assert_eq!(windows.status.code(), Some(1));
    assert!(
        stderr(&windows).contains("no desktop"),
        "{}",
        stderr(&windows)
    );
    // ... while `--json` shows the server's answer as it is, and exits 0.
    let windows = cli.run(&["windows", "--json"]);
    assert!(windows.status.success(), "{}", stderr(&windows));
    let list: Value = serde_json::from_str(&stdout(&windows)).unwrap();
    assert_eq!(list["available"], false, "{list}");
    assert!(list["reason"].is_string(), "{list}");
    let close_all = cli.run(&["close", "--all", "--dry-run"]);
    assert_eq!(close_all.status.code(), Some(1));
    assert!(stderr(&close_all).contains("503"), "{}", stderr(&close_all));

    let apps = cli.run(&["apps"]);
    assert!(
        stdout(&apps).contains("boss-cli-sleeper") && stdout(&apps).contains("CLI Sleeper"),
        "{}",
        stdout(&apps)
    );
    let launched = cli.run(&["launch", "--json", "boss-cli-sleeper"]);
    assert!(launched.status.success(), "{}", stderr(&launched));
    let launch: Value = serde_json::from_str(&stdout(&launched)).unwrap();
    assert_eq!(launch["launch"]["app_id"], "boss-cli-sleeper");
    let program = cli.run(&["launch", "--", "sleep", "778"]);
    assert!(program.status.success(), "{}", stderr(&program));
    assert!(
        stdout(&program).contains("launched sleep"),
        "{}",
        stdout(&program)
    );

    let history = stdout(&cli.run(&["history"]));
    assert!(
        history.contains("sleep 778") && history.contains("sleep 700") && history.contains("alice"),
        "{history}"
    );
    let csv = stdout(&cli.run(&["history", "--csv", "--app", "boss-cli-sleeper"]));
    assert_eq!(csv.lines().count(), 2, "{csv}");
    for both in [
        vec!["history", "--csv", "--json"],
        vec!["--json", "history", "--csv"],
    ] {
        let refused = cli.run(&both);
        assert_eq!(
            refused.status.code(),
            Some(2),
            "{both:?}: {}",
            stderr(&refused)
        );
        assert!(
            stdout(&refused).is_empty(),
            "{both:?}: {}",
            stdout(&refused)
        );
    }
    for l in [
        &launch["launch"],
        &serde_json::from_str::<Value>(&stdout(&cli.run(&["history", "--json"]))).unwrap()["launches"]
            [0],
    ] {
        let id = l["id"].to_string();
        let stop =
            reqwest::Client::new()
                .post(format!("{}/api/v1/launches/{id}/stop", server.base))
                .bearer_auth(
                    serde_json::from_str::<Value>(&std::fs::read_to_string(&saved).unwrap())
                        .unwrap()["token"]
                        .as_str()
                        .unwrap(),
                )
                .json(&json!({"timeout_ms": 2000}))
                .send()
                .await
                .unwrap();
        assert!(stop.status().is_success());
    }

    let unreachable = cli.run(&["ps", "--server", "http://127.0.0.1:1"]);
    assert_eq!(
        unreachable.status.code(),
        Some(3),
        "{}",
        stderr(&unreachable)
    );
    assert!(stderr(&unreachable).contains("cannot reach"));
    // `boss login` is a client command like the others: the same exit code when unreachable.
    let login = cli.run_with(
        &["login", "--user", "alice", "--server", "http://127.0.0.1:1"],
        &[("BOSS_PASSWORD", PASSWORD)],
    );
    assert_eq!(login.status.code(), Some(3), "{}", stderr(&login));
    assert!(
        stderr(&login).contains("cannot reach"),
        "{}",
        stderr(&login)
    );
    // The token never goes on the command line: a file or BOSS_TOKEN, over the saved one.
    let no_flag = cli.run(&["ps", "--token", "boss_nope"]);
    assert_eq!(no_flag.status.code(), Some(2), "{}", stderr(&no_flag));
    let token_file = cli.home.path().join("token");
    std::fs::write(&token_file, "boss_nope\n").unwrap();
    let token_path = token_file.display().to_string();
    let bad_token = cli.run(&["ps", "--token-file", &token_path]);
    assert_eq!(bad_token.status.code(), Some(4), "{}", stderr(&bad_token));
    assert!(
        stderr(&bad_token).contains("--token-file"),
        "{}",
        stderr(&bad_token)
    );
    let bad_env = cli.run_with(&["ps"], &[("BOSS_TOKEN", "boss_nope")]);
    assert_eq!(bad_env.status.code(), Some(4), "{}", stderr(&bad_env));
    let saved_token = serde_json::from_str::<Value>(&std::fs::read_to_string(&saved).unwrap())
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::write(&token_file, format!("  {saved_token}\n")).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let by_file = cli.run_with(
        &["ps", "--token-file", &token_path],
        &[("XDG_CONFIG_HOME", &elsewhere.path().display().to_string())],
    );
    assert!(by_file.status.success(), "{}", stderr(&by_file));
    let usage = cli.run(&["ps", "--sort", "colour"]);
    assert_eq!(usage.status.code(), Some(2));
    server.stop();
}

/// The binary outside any server, in a home of its own (nothing of the user's is read).
fn boss(args: &[&str], env: &[(&str, &str)]) -> Output {
    let home = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_boss"))
        .args(args)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env_remove("BOSS_SERVER")
        .env_remove("BOSS_DATA_DIR")
        .env_remove("BOSS_DATABASE_URL")
        .env_remove("BOSS_TOKEN")
        .envs(env.iter().copied())
        .output()
        .expect("run boss")
}

#[test]
fn a_database_password_given_as_a_flag_is_refused_with_the_safe_ways() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().display().to_string();
    let none = data.path().join("none.db").display().to_string();
    let url = "postgres://u:pw@127.0.0.1/x";
    for args in [
        vec![
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--data-dir",
            &data_dir,
            "--database-url",
            url,
        ],
        vec!["db", "check", "--database-url", url],
        vec![
            "db",
            "migrate",
            "--database-url=postgres://u@127.0.0.1/x?password=pw",
        ],
        vec!["db", "copy", "--from", &none, "--to", url],
    ] {
        let refused = boss(&args, &[]);
        let message = stderr(&refused);
        assert!(!refused.status.success(), "{args:?}: {message}");
        assert!(message.contains("holds a password"), "{args:?}: {message}");
        for way in ["BOSS_DATABASE_URL", "-file PATH", "pgpass"] {
            assert!(
                message.contains(way),
                "{args:?} should mention {way}: {message}"
            );
        }
        assert!(
            !message.contains("pw@") && !message.contains("=pw"),
            "{message}"
        );
    }
    // Without a password, or from the environment, the URL is used (and here fails to connect).
    let unreachable = "postgres://u:pw@127.0.0.1:1/x";
    for (args, env) in [
        (
            vec!["db", "check"],
            vec![("BOSS_DATABASE_URL", unreachable)],
        ),
        (
            vec![
                "db",
                "check",
                "--database-url",
                "postgres://u@127.0.0.1:1/x",
            ],
            vec![],
        ),
    ] {
        let tried = boss(&args, &env);
        let message = stderr(&tried);
        assert!(!tried.status.success());
        assert!(message.contains("cannot open the database"), "{message}");
        assert!(!message.contains("pw@"), "{message}");
    }
}

#[test]
fn the_database_url_can_come_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("url");
    let db = dir.path().join("boss.db");
    std::fs::write(&file, format!("sqlite://{}?mode=rwc\n", db.display())).unwrap();
    let file = file.display().to_string();
    let check = boss(&["db", "check", "--database-url-file", &file], &[]);
    assert!(check.status.success(), "{}", stderr(&check));
    assert!(
        stdout(&check).contains("status:          ok"),
        "{}",
        stdout(&check)
    );
    assert!(db.exists());

    let empty = dir.path().join("empty");
    std::fs::write(&empty, "\n").unwrap();
    let empty = boss(
        &[
            "db",
            "check",
            "--database-url-file",
            &empty.display().to_string(),
        ],
        &[],
    );
    assert!(!empty.status.success());
    assert!(stderr(&empty).contains("is empty"), "{}", stderr(&empty));
    let missing = boss(
        &["db", "migrate", "--database-url-file", "/nonexistent/url"],
        &[],
    );
    assert!(stderr(&missing).contains("cannot read the database URL file '/nonexistent/url'"));
}

#[test]
fn an_unreadable_or_empty_token_file_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = boss(&["ps", "--token-file", "/nonexistent/token"], &[]);
    assert_eq!(missing.status.code(), Some(2), "{}", stderr(&missing));
    assert!(
        stderr(&missing).contains("cannot read the token file '/nonexistent/token'"),
        "{}",
        stderr(&missing)
    );
    let empty = dir.path().join("token");
    std::fs::write(&empty, " \n").unwrap();
    let empty = boss(&["ps", "--token-file", &empty.display().to_string()], &[]);
    assert_eq!(empty.status.code(), Some(2));
    assert!(stderr(&empty).contains("is empty"), "{}", stderr(&empty));
}

#[tokio::test]
async fn on_sway_boss_windows_names_the_desktop_and_boss_close_closes_politely() {
    let Some(sway) = testkit::sway::Sway::start(&["foot"]) else {
        return;
    };
    let probe = sway.windows();
    let (mut foot, _) = sway.foot(&*probe, "boss-cli-foot");
    let runtime = sway.runtime_dir().display().to_string();
    let swaysock = sway.swaysock.display().to_string();
    // The server finds the session in its environment, as inside a sway session.
    let session = [
        ("XDG_RUNTIME_DIR", runtime.as_str()),
        ("WAYLAND_DISPLAY", sway.wayland_display.as_str()),
        ("SWAYSOCK", swaysock.as_str()),
        ("XDG_CURRENT_DESKTOP", "sway"),
        ("DISPLAY", ""),
    ];
    for (backend, label) in [("", "sway (Wayland)"), ("wlr", "wlroots (Wayland)")] {
        let dir = tempfile::tempdir().unwrap();
        let mut env = session.to_vec();
        env.push(("BOSS_WINDOW_BACKEND", backend));
        let server = Server::start_with(&dir.path().join("data"), &env);
        server.register("alice", PASSWORD).await;
        let cli = Cli {
            home: tempfile::tempdir().unwrap(),
            server: server.base.clone(),
        };
        assert!(cli.run(&["login", "--user", "alice"]).status.success());
        let windows = cli.run(&["windows"]);
        assert!(windows.status.success(), "{}", stderr(&windows));
        let out = stdout(&windows);
        let first = out.lines().next().unwrap_or_default();
        assert!(first.starts_with(&format!("Desktop: {label}")), "{out}");
        assert_eq!(
            backend == "wlr",
            first.contains("cannot tell PIDs"),
            "{out}"
        );
        let row = out
            .lines()
            .find(|l| l.contains("boss-cli-foot"))
            .unwrap_or_else(|| panic!("the foot window is listed: {out}"));
        let id = row.split_whitespace().next().unwrap().to_string();
        if backend == "wlr" {
            assert!(id.starts_with("wlr:"), "{row}");
            continue;
        }
        assert!(id.starts_with("sway:"), "{row}");
        assert!(row.contains(&foot.pid().to_string()), "{row}");
        let closed = cli.run(&["close", &id]);
        assert!(closed.status.success(), "{}", stderr(&closed));
        assert!(stdout(&closed).contains("closed"), "{}", stdout(&closed));
        foot.wait_for_exit("foot exits");
        // Listed again for the wlr round.
        let (again, _) = sway.foot(&*probe, "boss-cli-foot");
        foot = again;
    }
}
