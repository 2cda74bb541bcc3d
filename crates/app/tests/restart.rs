//! The real `boss` binary: a clean shutdown on SIGTERM, and programs it launched survive the
//! restart and are followed again by the next run.

mod common;

use std::time::Duration;

use common::server::Server;

use serde_json::json;

#[tokio::test]
async fn launched_programs_survive_a_restart_of_boss() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let mut session = server.register("alice", common::PASSWORD).await;
    let launch = json!({"program": "sleep", "args": ["600"]});
    let (_, launched) = session.post("/api/v1/launches", launch).await;
    let id = launched["launch"]["id"].as_i64().unwrap();
    let pid = launched["launch"]["pid"].as_u64().unwrap() as u32;
    let program = platform::identify_process(pid).unwrap();
    server.stop();
    assert!(
        platform::process_running(program),
        "the launched program outlives Boss"
    );

    let server = Server::start(dir.path());
    session.base = server.base.clone();
    let get = async |id: i64| {
        let (status, launch) = session.get(&format!("/api/v1/launches/{id}")).await;
        assert_eq!(
            status, 200,
            "the session and the history survive the restart"
        );
        launch
    };
    assert_eq!(get(id).await["outcome"], "running");
    let stop = json!({"timeout_ms": 3000});
    let (_, stopped) = session
        .post(&format!("/api/v1/launches/{id}/stop"), stop)
        .await;
    assert_eq!(stopped["signal"], "TERM", "{stopped}");
    assert!(!platform::process_running(program));
    let what = "the restarted Boss records the end";
    common::poll(what, Duration::from_secs(10), async || {
        let launch = get(id).await;
        if launch["running"] == true {
            Err(launch)
        } else {
            Ok(())
        }
    })
    .await;
    assert_eq!(get(id).await["outcome"], "stopped");
    server.stop();
}
