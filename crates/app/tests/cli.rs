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
        Command::new(env!("CARGO_BIN_EXE_boss"))
            .args(args)
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join("config"))
            .env("BOSS_SERVER", &self.server)
            .env("BOSS_PASSWORD", PASSWORD)
            .env_remove("BOSS_TOKEN")
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
    reqwest::Client::new()
        .post(format!("{}/api/v1/auth/register", server.base))
        .json(
            &json!({"username": "alice", "password": PASSWORD, "setup_code": server.setup_code()}),
        )
        .send()
        .await
        .unwrap();
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

    let kill = cli.run(&["kill", &pid]);
    assert!(kill.status.success(), "{}", stderr(&kill));
    assert!(stdout(&kill).contains("terminated"), "{}", stdout(&kill));
    child.wait().unwrap();
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
    let bad_token = cli.run(&["ps", "--token", "boss_nope"]);
    assert_eq!(bad_token.status.code(), Some(4));
    let usage = cli.run(&["ps", "--sort", "colour"]);
    assert_eq!(usage.status.code(), Some(2));
    server.stop();
}
