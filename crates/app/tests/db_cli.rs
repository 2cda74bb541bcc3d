//! `boss db ...` run as a person would: the real binary, a real SQLite file and a real
//! PostgreSQL cluster.

mod common;

use std::process::{Command, Output};

use axum::http::StatusCode;
use serde_json::json;

use common::postgres::TempPostgres;
use common::{Auth, PASSWORD, TestApp};

fn boss(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_boss"))
        .args(args)
        .env_remove("BOSS_DATABASE_URL")
        .env_remove("BOSS_DATA_DIR")
        .output()
        .expect("run boss")
}

/// The number of the newest SQLite migration in the source tree.
fn newest_migration() -> u32 {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite");
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|entry| {
            let name = entry.unwrap().file_name().into_string().unwrap();
            name.split('_').next()?.parse().ok()
        })
        .max()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test]
async fn migrate_and_check_a_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("boss.db").display().to_string();
    let migrate = boss(&["db", "migrate", "--database-url", &file]);
    assert!(migrate.status.success(), "{}", text(&migrate));
    assert!(
        text(&migrate).contains(&format!("schema version {}", newest_migration())),
        "{}",
        text(&migrate)
    );
    let check = boss(&[
        "db",
        "check",
        "--data-dir",
        &dir.path().display().to_string(),
    ]);
    assert!(check.status.success(), "{}", text(&check));
    assert!(
        text(&check).contains("(sqlite)") && text(&check).contains("accounts:        0"),
        "{}",
        text(&check)
    );
}

#[tokio::test]
async fn copy_the_history_from_sqlite_into_postgres() {
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    let sqlite = TestApp::new().await;
    let admin = sqlite.register("alice").await;
    let token = sqlite
        .post(
            "/api/v1/tokens",
            &admin,
            json!({"name": "ci", "password": PASSWORD, "expires_in_days": 30}),
        )
        .await;
    let expires_at = token.body["token"]["expires_at"].clone();
    assert!(expires_at.is_string(), "{:?}", token.body);
    let secret = token.body["secret"].as_str().unwrap().to_string();
    sqlite.login("alice", "wrong password").await;
    let (_, _) = (
        sqlite
            .call(
                axum::http::Method::PATCH,
                "/api/v1/settings",
                &admin,
                Some(json!({"protected_processes": ["sshd"]})),
            )
            .await,
        (),
    );
    // A saved desk, whose id differs in the copy (the first one is deleted), chosen for
    // start-up.
    let desk = |name: &str| boss::store::NewDeskSession {
        name: name.into(),
        kind: boss::store::DeskSessionKind::Manual,
        created_at: 1,
        created_by_id: Some(1),
        created_by: "alice".into(),
        apps: 1,
        windows: 2,
        content: r#"{"apps":[]}"#.into(),
    };
    let store = &sqlite.state.store;
    let gone = store.create_desk_session(&desk("gone")).await.unwrap();
    let kept = store.create_desk_session(&desk("work")).await.unwrap();
    store.delete_desk_session(gone).await.unwrap();
    let chosen = sqlite
        .patch(
            "/api/v1/settings",
            &admin,
            json!({"restore_session_on_start": kept}),
        )
        .await;
    assert_eq!(chosen.status, StatusCode::OK, "{:?}", chosen.body);
    let before = sqlite.get("/api/v1/audit", &admin).await.body["events"]
        .as_array()
        .unwrap()
        .len();
    let file = sqlite.dir.path().join("boss.db").display().to_string();

    let url = pg.create_database("copied");
    let copy = boss(&["db", "copy", "--from", &file, "--to", &url]);
    assert!(copy.status.success(), "{}", text(&copy));
    assert!(
        text(&copy).contains("copied 1 account(s), 1 API token(s)"),
        "{}",
        text(&copy)
    );

    let postgres = TestApp::with_config(|c| c.database_url = url.clone()).await;
    assert_eq!(
        postgres.login("alice", PASSWORD).await.status,
        StatusCode::OK,
        "passwords survive"
    );
    let bearer = Auth::Bearer(secret);
    assert_eq!(
        postgres.me_status(&bearer).await,
        StatusCode::OK,
        "tokens survive"
    );
    assert_eq!(
        postgres.get("/api/v1/tokens", &bearer).await.body["tokens"][0]["expires_at"],
        expires_at,
        "with their expiry"
    );
    let after = postgres.get("/api/v1/audit?limit=1000", &bearer).await.body["events"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        after.len(),
        before + 1,
        "every event, plus the login just now"
    );
    assert_eq!(
        after.last().unwrap()["action"],
        "auth.register",
        "oldest stays oldest"
    );
    assert_eq!(
        postgres.get("/api/v1/settings", &bearer).await.body["protected_processes"],
        json!(["sshd"])
    );

    let sessions = postgres.get("/api/v1/sessions", &bearer).await.body;
    assert_eq!(
        sessions["sessions"].as_array().unwrap().len(),
        1,
        "{sessions}"
    );
    let copied = &sessions["sessions"][0];
    assert_eq!(
        (copied["name"].as_str(), copied["windows"].as_i64()),
        (Some("work"), Some(2))
    );
    assert_eq!(
        postgres.get("/api/v1/settings", &bearer).await.body["restore_session_on_start"],
        copied["id"],
        "the start-up session is the copy's"
    );

    // Into a database that already has accounts: refused, nothing changed.
    let again = boss(&["db", "copy", "--from", &file, "--to", &url]);
    assert!(!again.status.success());
    assert!(
        text(&again).contains("already has accounts"),
        "{}",
        text(&again)
    );
}

#[tokio::test]
async fn an_unreachable_database_is_a_clear_error() {
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    let url = pg.url("postgres");
    pg.stop_server();
    let check = boss(&["db", "check", "--database-url", &url]);
    assert!(!check.status.success());
    let message = text(&check);
    assert!(
        message.contains("boss: cannot open the database"),
        "{message}"
    );
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().display().to_string();
    let serve = boss(&[
        "serve",
        "--bind",
        "127.0.0.1:0",
        "--data-dir",
        &data_dir,
        "--database-url",
        &url,
    ]);
    assert!(!serve.status.success());
    assert!(
        text(&serve).contains("cannot open the database postgres://"),
        "{}",
        text(&serve)
    );
    let wrong = boss(&["db", "check", "--database-url", "mysql://localhost/boss"]);
    assert!(
        text(&wrong).contains("unsupported database URL"),
        "{}",
        text(&wrong)
    );
}
