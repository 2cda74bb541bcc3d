//! Issue 10, finding 1: credentials in command lines. A viewer once read an admin's API token
//! and Boss's database password from the process table. Here a real child process carries a
//! Boss token, a `--password=` and a database URL with a password in its argv; viewers and
//! operators must not see them in the list, the detail or the event stream, while an admin can
//! reveal them through an audited route.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Value, json};

use common::{Auth, TestApp};

const TOKEN: &str = "boss_5f0e3c1a9b7d2e4f6a8c0b1d3e5f7a9c2b4d6e8f0a1c3e5b7d9f1a3c5e7b9d0f";
const TOKEN_HEX: &str = "5f0e3c1a9b7d2e4f6a8c0b1d3e5f7a9c2b4d6e8f0a1c3e5b7d9f1a3c5e7b9d0f";
const DATABASE_URL: &str = "postgres://u:pw-in-url@h/db";

/// A shell waiting on its (never written) stdin, with secrets among its arguments; ended and
/// reaped on drop (the test kit's process guard). `read` is a builtin, so the shell keeps its
/// argv and has no children.
struct SecretHolder(testkit::process::Process);

impl SecretHolder {
    fn spawn() -> Self {
        let child = Command::new("sh")
            .args(["-c", "read line", "sh", "--token", TOKEN])
            .arg("--password=hunter2")
            .arg(DATABASE_URL)
            .stdin(Stdio::piped())
            .spawn()
            .expect("spawn sh");
        let holder = SecretHolder(testkit::process::Process(child));
        let path = format!("/proc/{}/cmdline", holder.pid());
        let deadline = Instant::now() + Duration::from_secs(10);
        while !std::fs::read(&path).is_ok_and(|c| c.windows(7).any(|w| w == b"hunter2")) {
            assert!(Instant::now() < deadline, "the child did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        holder
    }

    fn pid(&self) -> u32 {
        self.0.pid()
    }
}

/// What every story starts with: the admin, a viewer, an operator and a child holding the
/// secrets.
async fn scene(app: &TestApp) -> (Auth, Auth, Auth, SecretHolder) {
    let (admin, viewer) = app.admin_and("vera", "viewer").await;
    let operator = app.add_user(&admin, "otto", "operator").await;
    (admin, viewer, operator, SecretHolder::spawn())
}

fn assert_no_secret(text: &str, what: &str) {
    for secret in [TOKEN_HEX, "hunter2", "pw-in-url"] {
        assert!(!text.contains(secret), "{what} shows '{secret}': {text}");
    }
}

fn row(list: &Value, pid: u32) -> Value {
    list["processes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["pid"] == pid)
        .cloned()
        .unwrap_or_else(|| panic!("PID {pid} is not listed"))
}

const REDACTED_LINE: &str = "sh -c read line sh --token *** --password=*** postgres://u:***@h/db";

#[tokio::test]
async fn a_viewer_and_an_operator_never_see_secrets_in_the_process_list_or_detail() {
    let app = TestApp::new().await;
    let (admin, viewer, operator, child) = scene(&app).await;
    let pid = child.pid();
    for (who, auth) in [
        ("viewer", &viewer),
        ("operator", &operator),
        ("admin", &admin),
    ] {
        let list = app.get("/api/v1/processes", auth).await;
        assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
        assert_no_secret(&list.body.to_string(), &format!("the list for the {who}"));
        let row = row(&list.body, pid);
        assert_eq!(row["cmdline"], REDACTED_LINE, "for the {who}");
        assert_eq!(row["redacted"], true);

        let detail = app.get(&format!("/api/v1/processes/{pid}"), auth).await;
        assert_eq!(detail.status, StatusCode::OK, "{:?}", detail.body);
        assert_no_secret(
            &detail.body.to_string(),
            &format!("the detail for the {who}"),
        );
        assert!(
            detail.body.get("redacted").is_none(),
            "said once, in process"
        );
        assert_eq!(detail.body["process"]["redacted"], true);
        assert_eq!(detail.body["process"]["cmdline"], REDACTED_LINE);
        assert_eq!(
            detail.body["argv"],
            json!([
                "sh",
                "-c",
                "read line",
                "sh",
                "--token",
                "***",
                "--password=***",
                "postgres://u:***@h/db"
            ])
        );
    }
    // A line without secrets is not marked.
    let list = app.get("/api/v1/processes", &viewer).await;
    let own = row(&list.body, std::process::id());
    assert_eq!(own["redacted"], false);
}

#[tokio::test]
async fn the_event_stream_never_carries_the_secrets() {
    let app = TestApp::with_config(|c| c.sample_interval = Duration::from_millis(200)).await;
    let (_admin, viewer, _operator, child) = scene(&app).await;
    let mut stream = app.events("/api/v1/events", &viewer).await;
    // The full table comes first; then wait for a diff too (the child is already in the table,
    // so later events only carry it if its row changes, but every frame must be clean).
    let needle = format!("\"pid\":{},", child.pid());
    stream
        .read_until_true(|text| {
            text.contains("event: processes\n") && text.contains(&needle) && text.ends_with("\n\n")
        })
        .await;
    let text = stream.text;
    assert_no_secret(&text, "the event stream");
    let table = text
        .lines()
        .skip_while(|l| *l != "event: processes")
        .find_map(|l| l.strip_prefix("data: "))
        .expect("the processes event has data");
    let table: Value = serde_json::from_str(table).unwrap();
    let row = row(&table, child.pid());
    assert_eq!(row["cmdline"], REDACTED_LINE);
    assert_eq!(row["redacted"], true);
}

#[tokio::test]
async fn only_an_admin_may_reveal_a_command_line_and_each_reveal_is_audited() {
    let app = TestApp::new().await;
    let (admin, viewer, operator, child) = scene(&app).await;
    let pid = child.pid();
    let path = format!("/api/v1/processes/{pid}/reveal");

    for auth in [&viewer, &operator] {
        let refused = app.post(&path, auth, json!({})).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{:?}", refused.body);
        assert_no_secret(&refused.body.to_string(), "a refusal");
    }
    let denied = app.audit(&admin, "process.reveal_cmdline").await;
    assert_eq!(denied.len(), 2);
    assert!(denied.iter().all(|row| row["outcome"] == "denied"));

    // No body at all is fine.
    let revealed = app
        .call(axum::http::Method::POST, &path, &admin, None)
        .await;
    assert_eq!(revealed.status, StatusCode::OK, "{:?}", revealed.body);
    assert_eq!(
        revealed.body["argv"],
        json!([
            "sh",
            "-c",
            "read line",
            "sh",
            "--token",
            TOKEN,
            "--password=hunter2",
            DATABASE_URL
        ])
    );
    assert_eq!(
        revealed.body["cmdline"],
        format!("sh -c read line sh --token {TOKEN} --password=hunter2 {DATABASE_URL}")
    );
    let rows = app.audit(&admin, "process.reveal_cmdline").await;
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["outcome"], "success");
    assert_eq!(rows[0]["actor"], "admin");
    assert_eq!(rows[0]["target"], format!("pid {pid} (sh)"));
    assert_no_secret(&rows[0].to_string(), "the audit row");

    // With the start time it saw, the admin reveals that process and no other.
    let started_at = revealed.body["started_at"].as_str().unwrap().to_string();
    let again = app
        .post(&path, &admin, json!({ "started_at": started_at }))
        .await;
    assert_eq!(again.status, StatusCode::OK, "{:?}", again.body);
    let reused = app
        .post(
            &path,
            &admin,
            json!({ "started_at": "2001-01-01T00:00:00Z" }),
        )
        .await;
    assert_eq!(reused.status, StatusCode::CONFLICT, "{:?}", reused.body);
    let bad = app
        .post(&path, &admin, json!({ "started_at": "yesterday" }))
        .await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        bad.body
    );
    let gone = app
        .post("/api/v1/processes/4194999/reveal", &admin, json!({}))
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND, "{:?}", gone.body);
}
