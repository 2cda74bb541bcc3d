//! Every mutating route of the API against protected targets: each machine action refuses a
//! protected process or window with 403 `protected` and a `denied` audit row, touching
//! nothing; launch stop included (a protected program, a protected window, and the browser
//! showing Boss that Boss launched). The routes come from the OpenAPI document, so a new
//! mutating route fails this walk until it is covered or declared out of scope here.

mod common;

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::process::Stdio;
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use common::desktop::{Desktop, REFUSER};
use common::{Auth, TestApp, poll};

/// Mutating routes that are not machine actions on a target, and why.
const OUT_OF_SCOPE: &[(&str, &str)] = &[
    ("POST /api/v1/auth/register", "accounts"),
    ("POST /api/v1/auth/login", "accounts"),
    ("POST /api/v1/auth/logout", "accounts"),
    ("POST /api/v1/auth/password", "accounts"),
    ("POST /api/v1/users", "accounts"),
    ("PATCH /api/v1/users/{id}", "accounts"),
    ("DELETE /api/v1/users/{id}", "accounts"),
    ("DELETE /api/v1/users/{id}/tokens/{token_id}", "tokens"),
    ("POST /api/v1/tokens", "tokens"),
    ("DELETE /api/v1/tokens/{id}", "tokens"),
    ("PATCH /api/v1/settings", "settings"),
    (
        "PATCH /api/v1/hosts/{host}/{path}",
        "the relay: the handler of POST /api/v1/hosts/{host}/{path}, walked",
    ),
    (
        "DELETE /api/v1/hosts/{host}/{path}",
        "the relay: the handler of POST /api/v1/hosts/{host}/{path}, walked",
    ),
    (
        "DELETE /api/v1/hosts/{host}",
        "removes an offline host from the fleet's list; touches no machine (an online one is \
         refused with 409 host_online, tested in tests/fleet.rs)",
    ),
    (
        "POST /api/v1/fleet/launch",
        "starts new programs on many hosts: there is no existing target to protect",
    ),
    (
        "POST /api/v1/fleet/windows/close-all",
        "each host's own close-all, which passes protected windows by (checked below)",
    ),
    (
        "POST /api/v1/apps/{id}/launch",
        "starts a new program: there is no existing target to protect",
    ),
    (
        "POST /api/v1/launches",
        "starts a new program: there is no existing target to protect",
    ),
    (
        "POST /api/v1/launches/{id}/relaunch",
        "starts a new program: there is no existing target to protect",
    ),
    (
        "POST /api/v1/sessions",
        "reads the windows into a saved session",
    ),
    ("PATCH /api/v1/sessions/{id}", "sessions"),
    ("DELETE /api/v1/sessions/{id}", "sessions"),
    (
        "POST /api/v1/sessions/{id}/restore",
        "starts programs through the launch path and moves windows back; closes or ends nothing",
    ),
    (
        "POST /api/v1/managed",
        "stores a program to keep running and starts it: no existing target",
    ),
    (
        "PATCH /api/v1/managed/{id}",
        "changes the stored command and policy; touches no process",
    ),
    (
        "POST /api/v1/managed/{id}/start",
        "starts the app's own program: no existing target",
    ),
    (
        "POST /api/v1/processes/{pid}/reveal",
        "reads a command line (admins, audited); changes nothing on the machine",
    ),
];

/// Every operation of the OpenAPI document but reads, as `METHOD /path/{param}`.
fn mutating_routes() -> BTreeSet<String> {
    let doc = serde_json::to_value(boss::http::openapi()).unwrap();
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if !matches!(method.as_str(), "get" | "head" | "options") {
                routes.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    routes
}

/// A program the test had Boss launch: ended on drop if a refusal let it live. Known by PID
/// and start time, so that a PID reused after the program ended is never signalled.
struct Launched {
    id: i64,
    process: platform::ProcessRef,
}

impl Launched {
    fn running(&self) -> bool {
        platform::process_running(self.process)
    }
}

impl Drop for Launched {
    fn drop(&mut self) {
        let _ = platform::send_signal(self.process, platform::Signal::Kill);
    }
}

/// The walk: which routes it has proven, against one app and admin.
struct Walk<'a> {
    app: &'a TestApp,
    admin: &'a Auth,
    covered: BTreeSet<String>,
}

impl Walk<'_> {
    /// Calls `route` (with `params` filled in) as `from` and checks that it was refused as
    /// protected, with the reason `why`, and audited as a denied `action`.
    async fn refuses(
        &mut self,
        from: &TestApp,
        route: &str,
        params: &[(&str, String)],
        body: Value,
        action: &str,
        why: &str,
    ) {
        let (method, template) = route.split_once(' ').unwrap();
        let mut path = template.to_string();
        for (name, value) in params {
            path = path.replace(&format!("{{{name}}}"), value);
        }
        let before = self.app.audit(self.admin, action).await.len();
        let method: Method = method.parse().unwrap();
        let reply = from.call(method, &path, self.admin, Some(body)).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{route} ({path}): {:?}",
            reply.body
        );
        assert_eq!(reply.code(), "protected", "{route}");
        let message = reply.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(why), "{route}: {message:?} lacks {why:?}");
        let rows = self.app.audit(self.admin, action).await;
        assert_eq!(rows.len(), before + 1, "{route}: one audit row");
        assert_eq!(rows[0]["outcome"], "denied", "{route}: {}", rows[0]);
        assert!(rows[0]["detail"]["reason"].is_string(), "{}", rows[0]);
        self.covered.insert(route.to_string());
    }
}

async fn launch(app: &TestApp, admin: &Auth, program: &str, args: &[&str]) -> Launched {
    let launch = app
        .launch(admin, json!({"program": program, "args": args}))
        .await;
    let pid = launch["pid"].as_u64().unwrap() as u32;
    Launched {
        id: launch["id"].as_i64().unwrap(),
        process: platform::identify_process(pid).expect("the launched program runs"),
    }
}

/// The window titled `title` in the API's list, once it is there.
async fn window(app: &TestApp, admin: &Auth, title: &str) -> Value {
    let what = format!("a window titled {title:?} is listed");
    poll(&what, Duration::from_secs(20), async || {
        let list = common::window_list(app, admin).await;
        common::find_window(&list, title).cloned().ok_or(list)
    })
    .await
}

#[tokio::test]
async fn every_mutating_route_refuses_a_protected_target_with_403_and_an_audit_row() {
    let Some(desktop) = Desktop::start(true) else {
        return;
    };
    let display = desktop.display.clone();
    let app = TestApp::with_config(move |c| {
        c.display = Some(display);
        c.sample_interval = Duration::from_millis(200);
    })
    .await;
    let admin = app.register("admin").await;
    app.change_settings(
        &admin,
        json!({"protected_processes": ["sleep"], "protected_windows": ["KeepMe"]}),
    )
    .await;
    let mut walk = Walk {
        app: &app,
        admin: &admin,
        covered: BTreeSet::new(),
    };

    // Processes: a child of this test, protected by name in the settings.
    let mut sleeper = desktop.spawn("sleep", &["600"], Stdio::null());
    let pid = [("pid", sleeper.pid().to_string())];
    let in_list = "protected list";
    for (route, body, action) in [
        (
            "POST /api/v1/processes/{pid}/signal",
            json!({"signal": "TERM"}),
            "process.signal",
        ),
        (
            "POST /api/v1/processes/{pid}/terminate",
            json!({"timeout_ms": 100}),
            "process.terminate",
        ),
        (
            "POST /api/v1/processes/{pid}/priority",
            json!({"nice": 5}),
            "process.priority",
        ),
    ] {
        walk.refuses(&app, route, &pid, body, action, in_list).await;
    }
    walk.refuses(
        &app,
        "POST /api/v1/processes/{pid}/adopt",
        &pid,
        json!({"name": "adopted sleeper"}),
        "managed.adopt",
        in_list,
    )
    .await;
    // Relayed to a host (here this one), an action meets that host's own protections.
    let hosts = app.get("/api/v1/hosts", &admin).await;
    let this_host = hosts.body["hosts"][0]["name"].as_str().unwrap().to_string();
    walk.refuses(
        &app,
        "POST /api/v1/hosts/{host}/{path}",
        &[
            ("host", this_host),
            ("path", format!("processes/{}/terminate", sleeper.pid())),
        ],
        json!({"timeout_ms": 100}),
        "process.terminate",
        in_list,
    )
    .await;
    assert!(!sleeper.has_exited(), "a refused action touches nothing");

    // Managed apps: one whose program became protected after Boss started it (by name, as
    // `sleep` is here) is not stopped, restarted or removed through its managed app either.
    let created = app
        .post(
            "/api/v1/managed",
            &admin,
            json!({"name": "kept sleeper", "argv": ["sleep", "601"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let managed_id = created.body["app"]["id"].as_i64().unwrap();
    let managed_path = format!("/api/v1/managed/{managed_id}");
    let deadline = Instant::now() + Duration::from_secs(10);
    let managed_pid = loop {
        let view = app.get(&managed_path, &admin).await.body;
        if view["state"] == "running"
            && let Some(pid) = view["pid"].as_u64()
        {
            break pid as u32;
        }
        assert!(Instant::now() < deadline, "the managed app runs: {view}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let id = [("id", managed_id.to_string())];
    for (route, action) in [
        ("POST /api/v1/managed/{id}/stop", "managed.stop"),
        ("POST /api/v1/managed/{id}/restart", "managed.restart"),
        ("DELETE /api/v1/managed/{id}", "managed.delete"),
    ] {
        walk.refuses(&app, route, &id, json!({}), action, in_list)
            .await;
    }
    let still = platform::process_brief(managed_pid).expect("still running");
    assert_eq!(&*still.name, "sleep");
    // Unprotected again, it is removed (and its program ended) as usual.
    app.change_settings(&admin, json!({"protected_processes": []}))
        .await;
    let removed = app.delete(&managed_path, &admin).await;
    assert!(removed.status.is_success(), "{:?}", removed.body);
    app.change_settings(&admin, json!({"protected_processes": ["sleep"]}))
        .await;

    // Windows: an application protected in the settings by its window class.
    let kept = launch(
        &app,
        &admin,
        "xterm",
        &["-class", "KeepMe", "-T", "kept", "-e", "cat"],
    )
    .await;
    let kept_window = window(&app, &admin, "kept").await;
    let id = [("id", kept_window["id"].as_str().unwrap().to_string())];
    let by_class = "protected applications";
    for (route, action) in [
        ("POST /api/v1/windows/{id}/close", "window.close"),
        ("POST /api/v1/windows/{id}/activate", "window.activate"),
        ("POST /api/v1/windows/{id}/minimize", "window.minimize"),
    ] {
        walk.refuses(&app, route, &id, json!({}), action, by_class)
            .await;
    }
    let after = window(&app, &admin, "kept").await;
    assert_eq!(after["minimized"], kept_window["minimized"]);
    // Close-all acts on no one target: it passes the protected window by, and says so.
    let all = app
        .post(
            "/api/v1/windows/close-all",
            &admin,
            json!({"timeout_ms": 500}),
        )
        .await;
    assert_eq!(all.status, StatusCode::OK, "{:?}", all.body);
    let result = all.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["window"]["title"] == "kept")
        .cloned()
        .unwrap();
    assert_eq!(result["outcome"], "protected", "{result}");
    let rows = app.audit(&admin, "window.close_all").await;
    assert_eq!(rows[0]["detail"]["protected"], 1, "{}", rows[0]);
    walk.covered.insert("POST /api/v1/windows/close-all".into());

    // Launch stop: a protected program, a program whose window is protected, and the browser
    // showing Boss, launched by Boss.
    let stop = "POST /api/v1/launches/{id}/stop";
    let protected_program = launch(&app, &admin, "sleep", &["600"]).await;
    let launch_id = [("id", protected_program.id.to_string())];
    walk.refuses(&app, stop, &launch_id, json!({}), "app.stop", in_list)
        .await;
    let launch_id = [("id", kept.id.to_string())];
    walk.refuses(&app, stop, &launch_id, json!({}), "app.stop", by_class)
        .await;

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    app.state.listen_port.set(port).unwrap();
    let port_arg = port.to_string();
    let browser = launch(
        &app,
        &admin,
        "python3",
        &["-c", REFUSER, "Boss - Browser", "--connect", &port_arg],
    )
    .await;
    let (_connection, peer) = listener.accept().unwrap();
    window(&app, &admin, "Boss - Browser").await;
    let from_browser = app.seen_from_socket(peer);
    let launch_id = [("id", browser.id.to_string())];
    let shows_boss = "browser showing Boss";
    walk.refuses(
        &from_browser,
        stop,
        &launch_id,
        json!({}),
        "app.stop",
        shows_boss,
    )
    .await;

    for launched in [&protected_program, &kept, &browser] {
        assert!(launched.running(), "launch {} was touched", launched.id);
    }
    window(&app, &admin, "kept").await;
    window(&app, &admin, "Boss - Browser").await;

    // The same launch stops from another client: the refusal was the protection's.
    let elsewhere = app
        .post(
            &format!("/api/v1/launches/{}/stop", browser.id),
            &admin,
            json!({"timeout_ms": 500}),
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::OK, "{:?}", elsewhere.body);
    assert!(!browser.running());

    let mutating = mutating_routes();
    let out_of_scope: BTreeSet<String> = OUT_OF_SCOPE.iter().map(|(r, _)| r.to_string()).collect();
    let missing: Vec<_> = mutating
        .iter()
        .filter(|r| !walk.covered.contains(*r) && !out_of_scope.contains(*r))
        .collect();
    assert!(
        missing.is_empty(),
        "mutating routes neither walked against a protected target nor declared out of scope: {missing:?}"
    );
    let stale: Vec<_> = out_of_scope.difference(&mutating).collect();
    assert!(
        stale.is_empty(),
        "out-of-scope routes that no longer exist: {stale:?}"
    );
}
