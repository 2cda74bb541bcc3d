//! The processes API against the real proc filesystem, with processes this test spawns
//! itself. Nothing else is ever signalled: protected targets (PID 1, this process and its
//! ancestors, kernel threads) are only used to prove the refusal.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};

use common::{Auth, TestApp};

/// A child process killed and reaped on drop.
struct Spawned(Child);

impl Spawned {
    fn sh(script: &str) -> Self {
        let child = Command::new("sh")
            .args(["-c", script])
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let spawned = Spawned(child);
        spawned.wait_for_exec();
        spawned
    }

    fn sleep(seconds: &str) -> Self {
        let spawned = Spawned(Command::new("sleep").arg(seconds).spawn().unwrap());
        spawned.wait_for_exec();
        spawned
    }

    fn pid(&self) -> u32 {
        self.0.id()
    }

    fn wait_for_exec(&self) {
        let path = format!("/proc/{}/cmdline", self.pid());
        eventually("the child runs its program", || {
            std::fs::read(&path).is_ok_and(|c| !c.is_empty())
        });
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let patience = Duration::from_secs(10);
    testkit::desktop::eventually_within(what, patience, || check().then_some(()));
}

/// The row of `pid` in a fresh list (a stale sample may predate a process just spawned).
async fn row(app: &TestApp, auth: &Auth, pid: u32) -> Option<Value> {
    let list = app.get("/api/v1/processes?fresh=true", auth).await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    list.body["processes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["pid"] == pid)
        .cloned()
}

async fn detail(app: &TestApp, auth: &Auth, pid: u32) -> Value {
    let reply = app.get(&format!("/api/v1/processes/{pid}"), auth).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

async fn act(app: &TestApp, auth: &Auth, pid: u32, what: &str, body: Value) -> common::Reply {
    app.post(&format!("/api/v1/processes/{pid}/{what}"), auth, body)
        .await
}

#[tokio::test]
async fn a_spawned_process_appears_with_the_right_fields() {
    let app = TestApp::new().await;
    let admin = app.register("admin").await;
    let child = Spawned::sleep("311");
    let row = row(&app, &admin, child.pid())
        .await
        .expect("the child is listed");
    assert_eq!(row["name"], "sleep");
    assert_eq!(row["cmdline"], "sleep 311");
    assert_eq!(row["ppid"], std::process::id());
    assert_eq!(row["state"], "sleeping");
    assert_eq!(row["threads"], 1);
    assert!(row["memory_bytes"].as_u64().unwrap() > 0);
    assert!(row["protected"].is_null());
    assert!(row["started_at"].as_str().unwrap().ends_with('Z'));
    let user = std::fs::read_to_string("/proc/self/status").unwrap();
    if user.contains("Uid:\t0\t") {
        assert_eq!(row["user"], "root");
    }

    let detail = detail(&app, &admin, child.pid()).await;
    assert_eq!(detail["process"]["pid"], child.pid());
    assert_eq!(detail["argv"], json!(["sleep", "311"]));
    assert!(detail["exe"].as_str().unwrap().ends_with("/sleep"));
    assert!(detail["cwd"].is_string());
    assert!(
        detail["environment"]
            .as_array()
            .is_some_and(|e| !e.is_empty()),
        "admins see the environment"
    );
    assert_eq!(detail["environment_hidden"], false);
    assert_eq!(detail["nice"], 0);

    let system = app.get("/api/v1/system", &admin).await;
    assert_eq!(system.status, StatusCode::OK);
    assert!(system.body["memory_total_bytes"].as_u64().unwrap() > 0);
    assert!(system.body["process_count"].as_u64().unwrap() > 1);
    assert!(system.body["cpu_count"].as_u64().unwrap() >= 1);
}

#[tokio::test]
async fn a_busy_loop_shows_high_cpu() {
    let app = TestApp::with_config(|c| c.sample_interval = Duration::from_millis(300)).await;
    let admin = app.register("admin").await;
    let child = Spawned::sh("while :; do :; done");
    // Two scans at least 300 ms apart measure it; the machine may be busy with other tests,
    // so take the best of a few windows.
    row(&app, &admin, child.pid()).await.unwrap();
    let mut best = 0.0;
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let row = row(&app, &admin, child.pid()).await.unwrap();
        best = f64::max(best, row["cpu_percent"].as_f64().unwrap());
        if best > 25.0 {
            return;
        }
    }
    panic!("a spinning shell should use a good part of a core, measured {best}%");
}

#[tokio::test]
async fn stop_continue_and_renice_show_in_the_detail() {
    let app = TestApp::new().await;
    let (admin, operator) = app.admin_and("olga", "operator").await;
    let child = Spawned::sleep("312");
    let pid = child.pid();
    let stop = act(&app, &operator, pid, "signal", json!({"signal": "STOP"})).await;
    assert_eq!(stop.status, StatusCode::OK, "{:?}", stop.body);
    assert_eq!(stop.body["outcome"], "signalled");
    assert_eq!(
        detail(&app, &operator, pid).await["process"]["state"],
        "stopped"
    );
    let cont = act(&app, &operator, pid, "signal", json!({"signal": "sigcont"})).await;
    assert_eq!(cont.status, StatusCode::OK);
    assert_eq!(
        detail(&app, &operator, pid).await["process"]["state"],
        "sleeping"
    );

    let renice = act(&app, &operator, pid, "priority", json!({"nice": 5})).await;
    assert_eq!(renice.status, StatusCode::OK, "{:?}", renice.body);
    assert_eq!(renice.body["outcome"], "reniced");
    assert_eq!(detail(&app, &operator, pid).await["nice"], 5);

    let signals = app.audit(&admin, "process.signal").await;
    assert_eq!(signals.len(), 2);
    assert_eq!(signals[0]["actor"], "olga");
    assert_eq!(signals[0]["outcome"], "success");
    assert_eq!(signals[0]["target"], format!("pid {pid} (sleep)"));
    assert_eq!(signals[0]["detail"]["signal"], "CONT");
    assert_eq!(
        app.audit(&admin, "process.priority").await[0]["detail"]["nice"],
        5
    );
}

#[tokio::test]
async fn terminate_reports_term_or_the_escalation_to_kill() {
    let app = TestApp::new().await;
    let admin = app.register("admin").await;
    let polite = Spawned::sleep("313");
    let done = act(
        &app,
        &admin,
        polite.pid(),
        "terminate",
        json!({"timeout_ms": 3000}),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert_eq!(done.body["outcome"], "terminated");

    // `exec` keeps the ignored TERM: this sleep cannot be ended politely.
    let stubborn = Spawned::sh("trap '' TERM; exec sleep 314");
    eventually("the trap is set", || {
        std::fs::read_to_string(format!("/proc/{}/status", stubborn.pid())).is_ok_and(|s| {
            s.lines().any(|l| {
                l.starts_with("SigIgn:")
                    && u64::from_str_radix(l[7..].trim(), 16).unwrap() & (1 << 14) != 0
            })
        })
    });
    let started = Instant::now();
    let killed = act(
        &app,
        &admin,
        stubborn.pid(),
        "terminate",
        json!({"timeout_ms": 300}),
    )
    .await;
    assert_eq!(killed.status, StatusCode::OK, "{:?}", killed.body);
    assert_eq!(killed.body["outcome"], "killed");
    assert!(started.elapsed() >= Duration::from_millis(300));
    let target = platform::identify_process(stubborn.pid());
    assert!(target.is_err() || !platform::process_running(target.unwrap()));
    let audit = app.audit(&admin, "process.terminate").await;
    assert_eq!(audit[0]["detail"]["results"][0]["outcome"], "killed");
}

#[tokio::test]
async fn a_tree_kill_leaves_no_descendant() {
    let app = TestApp::new().await;
    let admin = app.register("admin").await;
    let root = Spawned::sh("sleep 315 & sleep 316 & sh -c 'sleep 317 & wait' & wait");
    let mut family = Vec::new();
    eventually("the tree has grown", || {
        let snapshot = platform::process_source().unwrap().refresh().unwrap();
        family = descendants(&snapshot, root.pid());
        family.len() >= 4
    });
    let reply = act(
        &app,
        &admin,
        root.pid(),
        "terminate",
        json!({"tree": true, "timeout_ms": 3000}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let results = reply.body["results"].as_array().unwrap();
    assert_eq!(
        results.last().unwrap()["pid"],
        root.pid(),
        "the root goes last"
    );
    assert!(results.len() >= 5, "{results:?}");
    for member in &family {
        eventually("every descendant ended", || {
            !platform::process_running(*member)
        });
    }
}

fn descendants(snapshot: &platform::ProcessSnapshot, root: u32) -> Vec<platform::ProcessRef> {
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            snapshot
                .processes
                .iter()
                .filter(|p| p.ppid == parent)
                .map(|p| p.pid),
        );
        i += 1;
    }
    found[1..]
        .iter()
        .filter_map(|pid| {
            snapshot
                .processes
                .iter()
                .find(|p| p.pid == *pid)
                .map(|p| p.identity())
        })
        .collect()
}

#[tokio::test]
async fn protected_processes_are_refused() {
    let app = TestApp::new().await;
    let admin = app.register("admin").await;
    let me = std::process::id();
    let parent = std::fs::read_to_string("/proc/self/stat").unwrap();
    let parent: u32 = parent[parent.rfind(')').unwrap() + 2..]
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let mut protected = vec![(1, "PID 1"), (me, "Boss itself")];
    if parent > 1 {
        protected.push((parent, "Boss runs under"));
    }
    if std::fs::read_to_string("/proc/2/stat").is_ok_and(|s| s.contains("(kthreadd)")) {
        protected.push((2, "kernel threads"));
    }
    // Processes this test did not start get only requests that would do no harm if a
    // regression let them through: CONT to a running process, and its own nice value again.
    for (pid, reason) in protected {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        let nice: i32 = stat[stat.rfind(')').unwrap() + 2..]
            .split(' ')
            .nth(16)
            .unwrap()
            .parse()
            .unwrap();
        for (what, body) in [
            ("signal", json!({"signal": "CONT"})),
            ("signal", json!({"signal": "CONT", "tree": true})),
            ("priority", json!({"nice": nice})),
        ] {
            let reply = act(&app, &admin, pid, what, body).await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{what} {pid}: {:?}",
                reply.body
            );
            assert_eq!(reply.code(), "protected");
            let message = reply.body["error"]["message"].as_str().unwrap();
            assert!(message.contains(reason), "{message}");
        }
    }
    // A process protected by name in the settings.
    let child = Spawned::sleep("318");
    let set = app
        .change_settings(&admin, json!({"protected_processes": ["sleep"]}))
        .await;
    assert_eq!(set["protected_processes"], json!(["sleep"]));
    let reply = act(
        &app,
        &admin,
        child.pid(),
        "signal",
        json!({"signal": "TERM"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let end = act(
        &app,
        &admin,
        child.pid(),
        "terminate",
        json!({"timeout_ms": 0}),
    )
    .await;
    assert_eq!(
        (end.status, end.code()),
        (StatusCode::FORBIDDEN, "protected")
    );
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("protected list")
    );
    assert!(platform::process_running(
        platform::identify_process(child.pid()).unwrap()
    ));
    assert!(row(&app, &admin, child.pid()).await.unwrap()["protected"].is_string());
    let denied = app.audit(&admin, "process.signal").await;
    assert_eq!(denied[0]["outcome"], "denied");
}

#[tokio::test]
async fn viewers_may_look_but_not_act() {
    let app = TestApp::new().await;
    let (admin, viewer) = app.admin_and("vic", "viewer").await;
    let child = Spawned::sleep("319");
    assert!(row(&app, &viewer, child.pid()).await.is_some());
    let detail = detail(&app, &viewer, child.pid()).await;
    assert!(
        detail["environment"].is_null(),
        "viewers do not see environments"
    );
    assert_eq!(detail["environment_hidden"], true);
    for (what, body) in [
        ("signal", json!({"signal": "KILL"})),
        ("terminate", json!({})),
        ("priority", json!({"nice": 10})),
    ] {
        let reply = act(&app, &viewer, child.pid(), what, body).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{what}");
        assert_eq!(reply.code(), "forbidden");
    }
    assert!(platform::process_running(
        platform::identify_process(child.pid()).unwrap()
    ));
    let denied = app.audit(&admin, "process.terminate").await;
    assert_eq!(
        (denied[0]["outcome"].as_str(), denied[0]["actor"].as_str()),
        (Some("denied"), Some("vic"))
    );
}

#[tokio::test]
async fn bad_requests_are_clear_errors() {
    let app = TestApp::new().await;
    let admin = app.register("admin").await;
    let child = Spawned::sleep("320");
    let pid = child.pid();
    let started_at = row(&app, &admin, pid).await.unwrap()["started_at"]
        .as_str()
        .unwrap()
        .to_string();
    let cases = [
        (
            format!("/api/v1/processes/{pid}/signal"),
            json!({"signal": "SEGV"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            format!("/api/v1/processes/{pid}/signal"),
            json!({}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            format!("/api/v1/processes/{pid}/priority"),
            json!({"nice": 20}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            format!("/api/v1/processes/{pid}/priority"),
            json!({"nice": "high"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            format!("/api/v1/processes/{pid}/terminate"),
            json!({"timeout_ms": 600000}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            format!("/api/v1/processes/{pid}/terminate"),
            json!({"timeout_ms": -1}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            format!("/api/v1/processes/{pid}/signal"),
            json!({"signal": "TERM", "started_at": "2001-01-01T00:00:00Z"}),
            StatusCode::CONFLICT,
        ),
        (
            format!("/api/v1/processes/{pid}/signal"),
            json!({"signal": "TERM", "started_at": "noon"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/api/v1/processes/abc/signal".into(),
            json!({"signal": "TERM"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/processes/-5/signal".into(),
            json!({"signal": "TERM"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/processes/4194999/signal".into(),
            json!({"signal": "TERM"}),
            StatusCode::NOT_FOUND,
        ),
    ];
    for (path, body, status) in cases {
        let reply = app.post(&path, &admin, body.clone()).await;
        assert_eq!(reply.status, status, "{path} {body}: {:?}", reply.body);
        assert!(reply.body["error"]["message"].is_string());
    }
    assert_eq!(
        app.get("/api/v1/processes/4194999", &admin).await.status,
        StatusCode::NOT_FOUND
    );
    // Through all that the process lived; with the right start time the action goes through.
    let ok = act(
        &app,
        &admin,
        pid,
        "signal",
        json!({"signal": "TERM", "started_at": started_at}),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
}

#[tokio::test]
async fn the_event_stream_sends_the_table_then_changes_and_stops_sampling_when_left() {
    let app = TestApp::with_config(|c| c.sample_interval = Duration::from_millis(200)).await;
    let Auth::Cookie(cookie) = app.register("admin").await else {
        unreachable!()
    };
    let mut stream = app
        .events("/api/v1/events", &Auth::Cookie(cookie.clone()))
        .await;
    stream.read_until("event: processes\n").await;
    assert!(stream.text.contains("event: system\n"));
    assert_eq!(app.state.processes.watcher_count(), 1);
    let child = Spawned::sleep("321");
    let needle = format!("\"pid\":{},", child.pid());
    stream.read_until(&needle).await;
    let diff = stream
        .text
        .lines()
        .rev()
        .find(|l| l.contains(&needle))
        .unwrap();
    let diff: Value = serde_json::from_str(diff.strip_prefix("data: ").unwrap()).unwrap();
    assert!(
        diff["upserted"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["cmdline"] == "sleep 321")
    );
    assert!(diff["system"]["memory_total_bytes"].is_u64());

    drop(stream);
    let deadline = Instant::now() + Duration::from_secs(5);
    while app.state.processes.watcher_count() > 0 {
        assert!(
            Instant::now() < deadline,
            "leaving the stream must stop the sampler"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let unknown = app
        .get("/api/v1/events?topics=weather", &Auth::Cookie(cookie))
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// `taken_at` of a process list, as returned (RFC 3339 strings sort as times do).
async fn taken_at(app: &TestApp, auth: &Auth, path: &str) -> String {
    let list = app.get(path, auth).await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    list.body["taken_at"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_stale_sample_is_served_at_once_and_the_next_one_follows() {
    let app = TestApp::with_config(|c| c.sample_interval = Duration::from_millis(300)).await;
    let admin = app.register("admin").await;
    let monitor = app.state.processes.clone();
    // The very first request has nothing to serve: it waits for the (primed) scan.
    let first = taken_at(&app, &admin, "/api/v1/processes").await;
    let scans = monitor.scan_count();
    assert!(scans >= 1);
    tokio::time::sleep(Duration::from_millis(400)).await;

    // Stale now: served as it is, not after a scan, and a scan is started behind it.
    let stale = taken_at(&app, &admin, "/api/v1/processes").await;
    assert_eq!(stale, first, "a stale sample is served without waiting");
    let mut newer = stale.clone();
    let deadline = Instant::now() + Duration::from_secs(10);
    while newer == first {
        assert!(Instant::now() < deadline, "the background scan never came");
        tokio::time::sleep(Duration::from_millis(10)).await;
        newer = taken_at(&app, &admin, "/api/v1/processes").await;
    }
    assert!(newer > first, "{newer} follows {first}");
    assert!(monitor.scan_count() > scans);
}

#[tokio::test]
async fn fresh_true_or_no_cache_waits_for_a_new_scan() {
    // An interval long enough that nothing goes stale during the test.
    let app = TestApp::with_config(|c| c.sample_interval = Duration::from_secs(600)).await;
    let admin = app.register("admin").await;
    let Auth::Cookie(cookie) = &admin else {
        unreachable!()
    };
    let monitor = app.state.processes.clone();
    let first = taken_at(&app, &admin, "/api/v1/processes").await;
    let scans = monitor.scan_count();
    let child = Spawned::sleep("331");
    tokio::time::sleep(Duration::from_millis(5)).await;

    assert_eq!(taken_at(&app, &admin, "/api/v1/processes").await, first);
    assert_eq!(monitor.scan_count(), scans, "a young sample is reused");

    let fresh = app.get("/api/v1/processes?fresh=true", &admin).await;
    assert_eq!(fresh.status, StatusCode::OK, "{:?}", fresh.body);
    let second = fresh.body["taken_at"].as_str().unwrap().to_string();
    assert!(second > first, "{second} after {first}");
    assert_eq!(monitor.scan_count(), scans + 1);
    assert!(
        fresh.body["processes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["pid"] == child.pid()),
        "a fresh list shows a process started just before"
    );
    tokio::time::sleep(Duration::from_millis(5)).await;

    let request = Request::get("/api/v1/processes")
        .header(header::HOST, "127.0.0.1:8350")
        .header(header::COOKIE, format!("boss_session={cookie}"))
        .header(header::CACHE_CONTROL, "max-age=0, No-Cache")
        .body(Body::empty())
        .unwrap();
    let no_cache = app.send(request).await;
    assert_eq!(no_cache.status, StatusCode::OK, "{:?}", no_cache.body);
    let third = no_cache.body["taken_at"].as_str().unwrap().to_string();
    assert!(third > second, "{third} after {second}");
    assert_eq!(monitor.scan_count(), scans + 2);
    // `taken_at` counts milliseconds: let one pass.
    tokio::time::sleep(Duration::from_millis(5)).await;

    let system = app.get("/api/v1/system?fresh=true", &admin).await;
    assert!(system.body["taken_at"].as_str().unwrap() > third.as_str());
    assert_eq!(monitor.scan_count(), scans + 3);

    let doc = serde_json::to_value(boss::http::openapi()).unwrap();
    for path in ["/api/v1/processes", "/api/v1/system"] {
        let params = &doc["paths"][path]["get"]["parameters"];
        assert!(
            params
                .as_array()
                .is_some_and(|p| p.iter().any(|p| p["name"] == "fresh" && p["in"] == "query")),
            "{path} documents `fresh`: {params}"
        );
    }

    let bad = app.get("/api/v1/processes?fresh=maybe", &admin).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{:?}", bad.body);
    assert!(bad.body["error"]["code"].is_string(), "{:?}", bad.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_on_a_stale_sample_start_one_scan() {
    // Long enough that the new sample stays young for the whole burst on a busy machine (else
    // a late request rightly starts the next interval's scan).
    let app = TestApp::with_config(|c| c.sample_interval = Duration::from_secs(3)).await;
    let admin = app.register("admin").await;
    let Auth::Cookie(cookie) = &admin else {
        unreachable!()
    };
    let monitor = app.state.processes.clone();
    let first = taken_at(&app, &admin, "/api/v1/processes").await;
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let scans = monitor.scan_count();
    let burst = Instant::now();

    use tower::ServiceExt;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..64 {
        let router = app.router();
        let request = Request::get("/api/v1/processes")
            .header(header::HOST, "127.0.0.1:8350")
            .header(header::COOKIE, format!("boss_session={cookie}"))
            .body(Body::empty())
            .unwrap();
        tasks.spawn(async move {
            let response = router.oneshot(request).await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            let body: Value = serde_json::from_slice(&bytes).unwrap();
            body["taken_at"].as_str().unwrap().to_string()
        });
    }
    while let Some(taken) = tasks.join_next().await {
        let taken = taken.unwrap();
        // Each saw the stale sample, or (if late) the one scan it started.
        assert!(taken >= first);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while taken_at(&app, &admin, "/api/v1/processes").await == first {
        assert!(Instant::now() < deadline, "the background scan never came");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // One scan per interval at most: exactly one unless the burst outlasted an interval.
    let allowed = 1 + (burst.elapsed().as_millis() / 3000) as u64;
    let started = monitor.scan_count() - scans;
    assert!(
        (1..=allowed).contains(&started),
        "64 requests on a stale sample started {started} scans (at most {allowed} allowed)"
    );
}
