//! Managed apps end to end with real programs: exact backoff delays, giving up after the
//! limit, a stable run resetting the delay, `always` and `never`, the log cap under a chatty
//! program, stopping a whole tree, adopting a process the test started, refusing protected
//! targets. Every program here is started by the test (directly or through Boss) and ended
//! by it.

mod common;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Value, json};

use boss::store::{Launch, LaunchFilter};
use common::{Auth, TestApp, poll};

/// A fresh Boss, its first account, and the managed-apps requests the stories make.
struct Managed {
    app: TestApp,
    auth: Auth,
}

impl Managed {
    async fn new() -> Self {
        let app = TestApp::new().await;
        let auth = app.register("admin").await;
        Managed { app, auth }
    }

    /// Creates a managed app from `body`: its id and its view.
    async fn create(&self, body: Value) -> (i64, Value) {
        let reply = self.app.post("/api/v1/managed", &self.auth, body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        let view = reply.body["app"].clone();
        (view["id"].as_i64().unwrap(), view)
    }

    async fn get(&self, id: i64) -> Value {
        let reply = self
            .app
            .get(&format!("/api/v1/managed/{id}"), &self.auth)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        reply.body
    }

    /// Polls the app until `done` holds (at most `patience`).
    async fn wait_for(
        &self,
        id: i64,
        patience: Duration,
        what: &str,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        poll(what, patience, async || {
            let view = self.get(id).await;
            if done(&view) { Ok(view) } else { Err(view) }
        })
        .await
    }

    /// Polls the app until it is in `state` (at most `patience`).
    async fn wait_for_state(&self, id: i64, state: &str, patience: Duration) -> Value {
        self.wait_for(id, patience, state, |v| v["state"] == state)
            .await
    }

    /// `POST /api/v1/managed/{id}/{verb}` (stop, restart) as `auth`.
    async fn act(&self, id: i64, verb: &str, auth: &Auth) -> common::Reply {
        self.app
            .post_empty(&format!("/api/v1/managed/{id}/{verb}"), auth)
            .await
    }

    /// Deletes the app, checked.
    async fn delete(&self, id: i64, auth: &Auth) {
        let reply = self
            .app
            .delete(&format!("/api/v1/managed/{id}"), auth)
            .await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT);
    }

    /// Its runs, oldest first.
    async fn runs(&self, name: &str) -> Vec<Launch> {
        runs(&self.app, name).await
    }
}

/// The runs of a managed app, oldest first.
async fn runs(app: &TestApp, name: &str) -> Vec<Launch> {
    let filter = LaunchFilter {
        app: Some(name.into()),
        limit: 1000,
        ..Default::default()
    };
    let mut launches = app.state.store.list_launches(&filter).await.unwrap();
    launches.reverse();
    launches
}

/// The delay between each run's end and the next run's start, in ms.
fn gaps(runs: &[Launch]) -> Vec<i64> {
    runs.windows(2)
        .map(|pair| pair[1].record.started_at - pair[0].ended_at.expect("ended"))
        .collect()
}

fn assert_delays(actual: &[i64], expected: &[i64]) {
    assert_eq!(actual.len(), expected.len(), "{actual:?} vs {expected:?}");
    for (a, e) in actual.iter().zip(expected) {
        // Never early; late by at most the time a start takes on a busy machine.
        assert!(
            *a >= e - 5 && *a <= e + 250,
            "delays {actual:?}, expected {expected:?}"
        );
    }
}

#[tokio::test]
async fn a_crash_looping_program_backs_off_exactly_and_ends_errored_after_the_limit() {
    let m = Managed::new().await;
    let (id, _) = m
        .create(json!({
            "name": "crasher",
            "argv": ["sh", "-c", "exit 1"],
            "policy": {"backoff": {"initial_ms": 100, "factor": 2, "max_ms": 500},
                       "max_restarts": 4, "window_s": 60},
        }))
        .await;
    let view = m
        .wait_for_state(id, "errored", Duration::from_secs(10))
        .await;
    assert!(
        view["reason"].as_str().unwrap().contains("max_restarts 4"),
        "{view}"
    );
    assert_eq!(view["restarts"], 4);
    assert_eq!(view["last_exit"]["exit_code"], 1);
    let runs = m.runs("crasher").await;
    assert_eq!(runs.len(), 5, "with max_restarts 4 it starts 5 times");
    assert!(runs.iter().all(|r| r.record.managed_id == Some(id)));
    assert_delays(&gaps(&runs), &[100, 200, 400, 500]);
    let restarts = m.app.audit(&m.auth, "managed.restart").await;
    assert_eq!(restarts.len(), 4);
    assert!(
        restarts.iter().all(|r| r["actor"] == "boss"),
        "{restarts:?}"
    );
    let gave_up = m.app.audit(&m.auth, "managed.give_up").await;
    assert_eq!(gave_up.len(), 1);
    assert_eq!(runs[1].record.username, "boss");
}

#[tokio::test]
async fn a_run_longer_than_stable_after_s_resets_the_backoff() {
    let m = Managed::new().await;
    let counter = m.app.dir.path().join("count");
    // The third run lasts 1.3 s (longer than stable_after_s), the others end at once.
    let script = format!(
        "n=$(cat {c} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {c}; \
         if [ $n -eq 3 ]; then sleep 1.3; fi; exit 1",
        c = counter.display()
    );
    let (id, _) = m
        .create(json!({
            "name": "steady",
            "argv": ["sh", "-c", script],
            "policy": {"backoff": {"initial_ms": 150, "factor": 2, "max_ms": 5000},
                       "stable_after_s": 1, "max_restarts": 4, "window_s": 60},
        }))
        .await;
    m.wait_for_state(id, "errored", Duration::from_secs(15))
        .await;
    let runs = m.runs("steady").await;
    assert_eq!(runs.len(), 5);
    // 150, 300, then the long run resets: 150, 300.
    assert_delays(&gaps(&runs), &[150, 300, 150, 300]);
}

#[tokio::test]
async fn always_restarts_a_clean_exit_and_never_restarts_nothing() {
    let m = Managed::new().await;
    let (always, _) = m
        .create(json!({
            "name": "always",
            "argv": ["sh", "-c", "exit 0"],
            "policy": {"restart": "always", "backoff": {"initial_ms": 50, "max_ms": 50},
                       "max_restarts": 2},
        }))
        .await;
    let (never, _) = m
        .create(json!({"name": "never", "argv": ["sh", "-c", "exit 3"],
                       "policy": {"restart": "never"}}))
        .await;
    let (on_failure, _) = m.create(json!({"name": "clean", "argv": ["true"]})).await;
    let long = Duration::from_secs(10);
    m.wait_for_state(always, "errored", long).await;
    assert_eq!(m.runs("always").await.len(), 3);
    let never = m.wait_for_state(never, "exited", long).await;
    assert_eq!(never["last_exit"]["exit_code"], 3);
    assert_eq!(never["enabled"], false);
    m.wait_for_state(on_failure, "exited", long).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(m.runs("never").await.len(), 1);
    assert_eq!(m.runs("clean").await.len(), 1);
}

/// The PIDs whose parent is `pid` (from /proc).
fn children(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
            continue;
        };
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        let ppid: u32 = after.split(' ').nth(1).unwrap().parse().unwrap();
        if ppid == pid {
            found.push(child);
        }
    }
    found
}

#[tokio::test]
async fn stop_ends_the_whole_tree_and_it_stays_stopped() {
    let m = Managed::new().await;
    let (id, created) = m
        .create(
            json!({"name": "tree", "argv": ["sh", "-c", "sleep 300 & sleep 300 & wait"],
                       "policy": {"stop": {"grace_ms": 2000}}}),
        )
        .await;
    assert_eq!(created["state"], "running");
    let pid = reply_pid(&created);
    let root = platform::identify_process(pid).unwrap();
    let what = "the shell starts its two sleeps";
    let kids = poll(what, Duration::from_secs(5), async || {
        let kids = children(pid);
        if kids.len() == 2 {
            Ok(kids)
        } else {
            Err(format!("{kids:?}"))
        }
    })
    .await;
    let kids: Vec<_> = kids
        .into_iter()
        .map(|k| platform::identify_process(k).unwrap())
        .collect();
    let reply = m.act(id, "stop", &m.auth).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["state"], "stopped");
    assert!(!platform::process_running(root));
    assert!(kids.iter().all(|k| !platform::process_running(*k)));
    assert_eq!(reply.body["last_exit"]["outcome"], "stopped");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(m.get(id).await["state"], "stopped");
    assert_eq!(m.runs("tree").await.len(), 1, "a stop is not a failure");
    let stops = m.app.audit(&m.auth, "managed.stop").await;
    assert_eq!(stops[0]["actor"], "admin");
}

#[tokio::test]
async fn a_chatty_program_keeps_its_log_under_the_bound() {
    let m = Managed::new().await;
    let (id, _) = m
        .create(json!({
            "name": "chatty",
            "argv": ["sh", "-c", "yes boss-log-line | head -c 2800000; echo last-line; sleep 300"],
            "policy": {"logs": {"max_bytes": 65536, "keep": 2}},
        }))
        .await;
    let log = m.app.dir.path().join(format!("managed/{id}/output.log"));
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let tail = m
            .app
            .get(&format!("/api/v1/managed/{id}/logs?tail=2"), &m.auth)
            .await;
        assert_eq!(tail.status, StatusCode::OK);
        if tail
            .body
            .as_str()
            .is_some_and(|t| t.ends_with("last-line\n"))
        {
            assert_eq!(tail.body, "boss-log-line\nlast-line\n");
            break;
        }
        assert!(Instant::now() < deadline, "the writer catches up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut total = 0;
    for path in [
        log.clone(),
        log.with_extension("log.1"),
        log.with_extension("log.2"),
    ] {
        let size = std::fs::metadata(&path).unwrap().len();
        assert!(size <= 65536, "{} is {size} bytes", path.display());
        total += size;
    }
    assert!(total <= 65536 * 3);
    assert!(!log.with_extension("log.3").exists());
    m.delete(id, &m.auth).await;
}

#[tokio::test]
async fn a_followed_log_sends_output_as_it_is_written_and_ends_with_the_app() {
    let m = Managed::new().await;
    let script = "echo first; while [ ! -e go ]; do sleep 0.05; done; echo second; sleep 300";
    let dir = tempfile::tempdir().unwrap();
    let (id, _) = m
        .create(json!({"name": "talker", "argv": ["sh", "-c", script], "cwd": dir.path()}))
        .await;
    let path = format!("/api/v1/managed/{id}/logs?tail=5&follow=true");
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut follow = loop {
        // The first line may not have reached the log yet when the app has just started.
        let mut follow = m
            .app
            .stream(&path, &m.auth, "text/plain; charset=utf-8")
            .await;
        let tail = m
            .app
            .get(&format!("/api/v1/managed/{id}/logs"), &m.auth)
            .await;
        if tail.body.as_str().is_some_and(|t| t.contains("first")) {
            follow.read_until("first\n").await;
            break follow;
        }
        assert!(Instant::now() < deadline, "the first line is logged");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    std::fs::write(dir.path().join("go"), "").unwrap();
    follow.read_until("second\n").await;
    assert_eq!(follow.text.matches("first").count(), 1, "{}", follow.text);
    m.delete(id, &m.auth).await;
    assert!(
        follow.ends_within(Duration::from_secs(5)).await,
        "the follow ends once the app is gone"
    );
}

#[tokio::test]
async fn an_adopted_sleep_is_restarted_by_its_policy_when_it_ends() {
    let m = Managed::new().await;
    // Ended when dropped, should an assertion fail first.
    let mut sleeper = testkit::process::Process::sleep(300);
    let pid = sleeper.pid();
    let reply = m
        .app
        .post(
            &format!("/api/v1/processes/{pid}/adopt"),
            &m.auth,
            json!({"name": "adopted", "policy": {"backoff": {"initial_ms": 100}}}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    let view = &reply.body["app"];
    assert_eq!(view["state"], "running");
    assert_eq!(view["pid"], pid);
    assert_eq!(view["argv"], json!(["sleep", "300"]));
    let id = view["id"].as_i64().unwrap();
    // The test ends its own child: an end Boss did not cause, so a failure.
    sleeper.0.kill().unwrap();
    sleeper.0.wait().unwrap();
    let view = m
        .wait_for(id, Duration::from_secs(10), "a new run", |v| {
            v["state"] == "running" && v["pid"].as_u64().is_some_and(|p| p as u32 != pid)
        })
        .await;
    let runs = m.runs("adopted").await;
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].record.pid, Some(pid));
    assert_eq!(runs[0].record.outcome.as_str(), "ended");
    assert_eq!(view["restarts"], 1);
    let restarted = platform::identify_process(reply_pid(&view)).unwrap();
    m.delete(id, &m.auth).await;
    assert!(!platform::process_running(restarted), "delete stops it");
}

#[tokio::test]
async fn adopting_pid_1_or_boss_is_refused_with_the_reason() {
    let m = Managed::new().await;
    for pid in [1, std::process::id()] {
        let reply = m
            .app
            .post(
                &format!("/api/v1/processes/{pid}/adopt"),
                &m.auth,
                json!({"name": format!("p{pid}")}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{:?}", reply.body);
        assert_eq!(reply.code(), "protected");
    }
    let list = m.app.get("/api/v1/managed", &m.auth).await;
    assert_eq!(list.body["apps"], json!([]));
}

#[tokio::test]
async fn a_policy_with_an_unknown_field_or_a_bad_value_is_refused() {
    let m = Managed::new().await;
    let refused = async |body: Value| {
        let reply = m.app.post("/api/v1/managed", &m.auth, body).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        reply.body["error"]["message"].as_str().unwrap().to_string()
    };
    let message = refused(json!({"name": "x", "argv": ["true"], "policy": {"max_restart": 3}}));
    assert!(message.await.contains("max_restart"));
    refused(json!({"name": "x", "argv": ["true"], "policy": {"restart": "sometimes"}})).await;
    refused(json!({"name": "x", "argv": []})).await;
    assert_eq!(
        m.app.get("/api/v1/managed", &m.auth).await.body["apps"],
        json!([])
    );
}

#[tokio::test]
async fn a_patch_merges_the_policy_and_a_viewer_cannot_change_anything() {
    let app = TestApp::new().await;
    let (admin, viewer) = app.admin_and("val", "viewer").await;
    let m = Managed { app, auth: admin };
    let (id, created) = m
        .create(json!({"name": "p", "argv": ["sleep", "300"], "policy": {"max_restarts": 3}}))
        .await;
    let reply = m
        .app
        .patch(
            &format!("/api/v1/managed/{id}"),
            &m.auth,
            json!({"policy": {"backoff": {"max_ms": 9000}}}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["policy"]["max_restarts"], 3);
    assert_eq!(reply.body["policy"]["backoff"]["max_ms"], 9000);
    assert_eq!(reply.body["policy"]["backoff"]["initial_ms"], 1000);
    let reply = m.act(id, "stop", &viewer).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        m.app.get("/api/v1/managed", &viewer).await.status,
        StatusCode::OK
    );
    let reply = m.act(id, "restart", &m.auth).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["state"], "running");
    assert_ne!(reply.body["pid"], created["pid"]);
    let restarted = platform::identify_process(reply_pid(&reply.body)).unwrap();
    m.delete(id, &m.auth).await;
    assert_eq!(
        m.app
            .get(&format!("/api/v1/managed/{id}"), &m.auth)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(!platform::process_running(restarted), "delete stops it");
}

fn reply_pid(view: &Value) -> u32 {
    view["pid"].as_u64().unwrap() as u32
}

#[tokio::test]
async fn state_changes_are_announced_on_the_live_stream() {
    let m = Managed::new().await;
    let mut stream = m.app.events("/api/v1/events?topics=managed", &m.auth).await;
    let (id, _) = m
        .create(json!({"name": "streamed", "argv": ["sh", "-c", "exit 1"],
                       "policy": {"backoff": {"initial_ms": 5000}}}))
        .await;
    stream.read_until("\"state\":\"backoff\"").await;
    assert!(stream.text.contains("event: managed"));
    assert!(stream.text.contains("\"state\":\"running\""));
    assert!(stream.text.contains("\"attempt\":1"));
    let reply = m.act(id, "stop", &m.auth).await;
    assert_eq!(reply.body["state"], "stopped");
}

/// The real binary, killed and started again: a managed app still running is watched again
/// (same PID), one that ended while Boss was down is started again.
#[tokio::test]
async fn after_boss_is_killed_a_running_app_is_found_again_and_a_dead_one_restarted() {
    use common::server::Server;
    let dir = tempfile::tempdir().unwrap();
    let flag = dir.path().join("end-now");
    let server = Server::start(dir.path());
    let mut session = server.register("alice", common::PASSWORD).await;
    let succeeded = |(status, body): (u16, Value)| {
        assert!((200..300).contains(&status), "{status}: {body}");
        body
    };
    let steady = json!({"name": "steady", "argv": ["sleep", "300"]});
    let steady = succeeded(session.post("/api/v1/managed", steady).await);
    // Ends when the test creates the flag file (removing it, so that its next run waits
    // again): the test never signals a process Boss started.
    let script = format!(
        "while [ ! -e {f} ]; do sleep 0.05; done; rm -f {f}; exit 1",
        f = flag.display()
    );
    let fragile = json!({"name": "fragile", "argv": ["sh", "-c", script],
                         "policy": {"backoff": {"initial_ms": 100}}});
    let fragile = succeeded(session.post("/api/v1/managed", fragile).await);
    let steady_pid = steady["app"]["pid"].as_u64().unwrap() as u32;
    let fragile_pid = fragile["app"]["pid"].as_u64().unwrap() as u32;
    let fragile_run = platform::identify_process(fragile_pid).unwrap();

    // Boss dies without a word (the test started it, and ends it by its PID).
    let mut server = server;
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    drop(server);
    std::fs::write(&flag, b"").unwrap();
    let ended = || !platform::process_running(fragile_run);
    common::wait_until(
        "the fragile app ends on its flag",
        Duration::from_secs(10),
        ended,
    )
    .await;

    let server = Server::start(dir.path());
    session.base = server.base.clone();
    let apps = poll(
        "the dead app is restarted",
        Duration::from_secs(10),
        async || {
            let list = succeeded(session.get("/api/v1/managed").await);
            let apps = list["apps"].as_array().unwrap().clone();
            let fragile_again = apps
                .iter()
                .any(|a| a["name"] == "fragile" && a["state"] == "running");
            if fragile_again { Ok(apps) } else { Err(list) }
        },
    )
    .await;
    let by_name = |name: &str| apps.iter().find(|a| a["name"] == name).unwrap().clone();
    assert_eq!(by_name("steady")["state"], "running");
    assert_eq!(
        by_name("steady")["pid"],
        steady_pid,
        "the same process, watched again"
    );
    assert_ne!(by_name("fragile")["pid"], fragile_pid);
    // Both are stopped by Boss, through the API.
    for app in [by_name("steady"), by_name("fragile")] {
        let id = app["id"].as_i64().unwrap();
        let (status, _) = session.delete(&format!("/api/v1/managed/{id}")).await;
        assert_eq!(status, 204);
    }
    server.stop();
}

#[tokio::test]
async fn a_managed_run_stopped_from_the_history_stays_stopped() {
    let m = Managed::new().await;
    let (id, created) = m
        .create(json!({"name": "historic", "argv": ["sleep", "300"],
                       "policy": {"restart": "always", "backoff": {"initial_ms": 50}}}))
        .await;
    let launch_id = created["launch_id"].as_i64().unwrap();
    let launch = m
        .app
        .get(&format!("/api/v1/launches/{launch_id}"), &m.auth)
        .await;
    assert_eq!(launch.body["managed_id"], id);
    let reply = m
        .app
        .post(
            &format!("/api/v1/launches/{launch_id}/stop"),
            &m.auth,
            json!({"timeout_ms": 2000}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let view = m
        .wait_for_state(id, "stopped", Duration::from_secs(5))
        .await;
    assert_eq!(view["enabled"], false);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(m.runs("historic").await.len(), 1, "not restarted");
}
