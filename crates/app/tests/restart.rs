//! The real `boss` binary: a clean shutdown on SIGTERM, and programs it launched survive the
//! restart and are followed again by the next run.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(data_dir: &std::path::Path) -> Server {
        let child = Command::new(env!("CARGO_BIN_EXE_boss"))
            .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .env_remove("BOSS_DATABASE_URL")
            .env("BOSS_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start boss");
        // In the server from here on, so that a failure below still ends and reaps it.
        let mut server = Server {
            child,
            base: String::new(),
        };
        let stderr = server.child.stderr.take().unwrap();
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let line = receive
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .expect("boss starts");
            if let Some(rest) = line.split("ready at ").nth(1) {
                server.base = rest.trim().trim_end_matches('/').to_string();
                return server;
            }
        }
    }

    /// SIGTERM, then wait: a clean shutdown exits with success.
    fn stop(mut self) {
        let pid = rustix::process::Pid::from_raw(self.child.id() as i32).unwrap();
        rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
        let status = self.child.wait().unwrap();
        assert!(status.success(), "boss exits cleanly on SIGTERM: {status}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn launched_programs_survive_a_restart_of_boss() {
    let dir = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    let server = Server::start(dir.path());
    let register = client
        .post(format!("{}/api/v1/auth/register", server.base))
        .json(&json!({"username": "alice", "password": "correct horse battery"}))
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
