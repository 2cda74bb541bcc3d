//! The real `boss` binary: a clean shutdown on SIGTERM, and programs it launched survive the
//! restart and are followed again by the next run.

mod common;

use std::time::{Duration, Instant};

use common::server::Server;

use serde_json::{Value, json};

#[tokio::test]
async fn launched_programs_survive_a_restart_of_boss() {
    let dir = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    let server = Server::start(dir.path());
    let register = client
        .post(format!("{}/api/v1/auth/register", server.base))
        .json(&json!({
            "username": "alice",
            "password": "correct horse battery",
            "setup_code": server.setup_code(),
        }))
        .send()
        .await
        .unwrap();
    let cookie = register.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let launched: Value = client
        .post(format!("{}/api/v1/launches", server.base))
        .header("cookie", &cookie)
        .json(&json!({"program": "sleep", "args": ["600"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = launched["launch"]["id"].as_i64().unwrap();
    let pid = launched["launch"]["pid"].as_u64().unwrap() as u32;
    let program = platform::identify_process(pid).unwrap();
    server.stop();
    assert!(
        platform::process_running(program),
        "the launched program outlives Boss"
    );

    let server = Server::start(dir.path());
    let get = |id: i64| {
        let (client, base, cookie) = (client.clone(), server.base.clone(), cookie.clone());
        async move {
            let reply = client
                .get(format!("{base}/api/v1/launches/{id}"))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            assert!(
                reply.status().is_success(),
                "the session and the history survive the restart"
            );
            reply.json::<Value>().await.unwrap()
        }
    };
    assert_eq!(get(id).await["outcome"], "running");
    let stopped: Value = client
        .post(format!("{}/api/v1/launches/{id}/stop", server.base))
        .header("cookie", &cookie)
        .json(&json!({"timeout_ms": 3000}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stopped["signal"], "TERM", "{stopped}");
    assert!(!platform::process_running(program));
    let deadline = Instant::now() + Duration::from_secs(10);
    while get(id).await["running"] == true {
        assert!(
            Instant::now() < deadline,
            "the restarted Boss records the end"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(get(id).await["outcome"], "stopped");
    server.stop();
}
