//! The security findings about logins, registration and long-lived sessions, each reproduced
//! as it was probed: concurrent guessing, memory under a burst of password checks, the audit log
//! as a disk filler, event streams outliving their credentials, the first-run takeover, lockouts
//! and proxies.
mod common;

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt;

use common::postgres::TempPostgres;
use common::server::Server;
use common::{Auth, PASSWORD, TestApp};

fn login_request(username: &str, password: &str, forwarded_for: Option<&str>) -> Request<Body> {
    let mut builder = Request::post("/api/v1/auth/login")
        .header(header::HOST, "127.0.0.1:8350")
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(client) = forwarded_for {
        builder = builder.header("x-forwarded-for", client);
    }
    builder
        .body(Body::from(
            json!({"username": username, "password": password}).to_string(),
        ))
        .unwrap()
}

/// Sends all requests at once; their statuses.
async fn burst(app: &TestApp, requests: Vec<Request<Body>>) -> Vec<StatusCode> {
    let router = app.router();
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|request| tokio::spawn(router.clone().oneshot(request)))
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap().unwrap().status());
    }
    statuses
}

fn count(statuses: &[StatusCode], status: StatusCode) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_concurrent_wrong_logins_for_one_account_check_at_most_five_passwords() {
    let app = TestApp::new().await;
    let admin = app.register("alice").await;
    let requests = (0..100)
        .map(|_| login_request("alice", "wrong password", None))
        .collect();
    let statuses = burst(&app, requests).await;
    let verified = count(&statuses, StatusCode::UNAUTHORIZED);
    let refused = count(&statuses, StatusCode::TOO_MANY_REQUESTS)
        + count(&statuses, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        verified <= 5,
        "{verified} passwords were checked: {statuses:?}"
    );
    assert_eq!(verified + refused, 100, "{statuses:?}");
    let failures = app.audit(&admin, "auth.login_failed").await;
    let checked = failures
        .iter()
        .filter(|e| e["outcome"] == "failure")
        .count();
    assert_eq!(checked, verified);
}

#[test]
fn a_burst_of_password_checks_keeps_memory_bounded_and_gives_it_back() {
    let dir = tempfile::tempdir().unwrap();
    // Room for all the connections at once: the password checks are what is measured.
    let server = Server::start_with(dir.path(), &[("BOSS_MAX_CONNECTIONS_PER_ADDRESS", "200")]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let http = reqwest::Client::new();
    let base = server.base.clone();
    let post = |path: &str, body: Value| {
        let http = http.clone();
        let url = format!("{base}{path}");
        async move { http.post(url).json(&body).send().await.unwrap().status() }
    };
    let setup_code = server.setup_code();
    runtime.block_on(async {
        let body = json!({"username": "alice", "password": PASSWORD, "setup_code": setup_code});
        assert_eq!(post("/api/v1/auth/register", body).await, 201);
    });
    let (idle, _) = server.memory();
    let statuses: Vec<u16> = runtime.block_on(async {
        let attempts = (0..100).map(|i| {
            // One account, and made-up ones: each check needs its 19 MiB.
            let name = if i % 2 == 0 {
                "alice".to_string()
            } else {
                format!("nobody{i}")
            };
            post(
                "/api/v1/auth/login",
                json!({"username": name, "password": "guess"}),
            )
        });
        let tasks: Vec<_> = attempts.map(|f| tokio::spawn(f)).collect();
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap().as_u16());
        }
        statuses
    });
    assert!(
        statuses.iter().all(|s| [401, 429, 503].contains(s)),
        "{statuses:?}"
    );
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(
        checked <= 20,
        "the address's budget bounds the checks: {checked}"
    );
    std::thread::sleep(Duration::from_millis(500));
    let (after, peak) = server.memory();
    const MIB: u64 = 1024 * 1024;
    assert!(peak < 100 * MIB, "peak resident memory {} MiB", peak / MIB);
    assert!(
        after < idle + 16 * MIB,
        "resident memory {} MiB after the burst, {} MiB before",
        after / MIB,
        idle / MIB
    );
    eprintln!(
        "resident memory: idle {} MiB, peak {} MiB, after {} MiB; {checked} checks",
        idle / MIB,
        peak / MIB,
        after / MIB
    );
}

#[tokio::test]
async fn huge_usernames_are_refused_and_a_flood_of_refusals_folds_into_one_audit_row() {
    let app = TestApp::new().await;
    let admin = app.register("alice").await;
    let huge = "x".repeat(60 * 1024);
    let reply = app.login(&huge, "guess").await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{:?}",
        reply.body
    );

    let attacker = app.seen_from("192.0.2.50");
    let long = "y".repeat(3000);
    let mut statuses = Vec::new();
    for i in 0..200 {
        // Distinct names, so that the address's budget is what runs out.
        let name = format!("{i:03}{long}");
        statuses.push(attacker.login(&name, "guess").await.status);
    }
    assert_eq!(count(&statuses, StatusCode::UNAUTHORIZED), 20);
    assert_eq!(count(&statuses, StatusCode::TOO_MANY_REQUESTS), 180);
    boss::actions::accounts::audit_folded_denials(&app.state, true).await;

    let failed = app.audit(&admin, "auth.login_failed").await;
    assert_eq!(failed.len(), 21, "20 failures and the first refusal");
    for row in &failed {
        let actor = row["actor"].as_str().unwrap();
        assert!(actor.len() <= 64, "names are cut: {}", actor.len());
    }
    let folded = app.audit(&admin, "auth.refused").await;
    assert_eq!(folded.len(), 1, "{folded:?}");
    assert_eq!(folded[0]["detail"]["count"], 179);
    assert_eq!(folded[0]["client"], "192.0.2.50");
}

#[tokio::test]
async fn wrong_current_passwords_are_throttled_like_logins() {
    let app = TestApp::new().await;
    let session = app.register("alice").await;
    let change = |current: &'static str| json!({"current_password": current, "new_password": "another good password"});
    for _ in 0..5 {
        let reply = app
            .post("/api/v1/auth/password", &session, change("wrong guess"))
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{:?}", reply.body);
    }
    let reply = app
        .post("/api/v1/auth/password", &session, change("wrong guess"))
        .await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(reply.headers.contains_key(header::RETRY_AFTER));
}

#[tokio::test]
async fn strangers_guessing_do_not_lock_the_owner_out_of_their_usual_address() {
    let app = TestApp::new().await;
    let admin = app.register("admin").await;
    app.create_user(&admin, "alice", "viewer").await;
    let home = app.seen_from("10.0.0.7");
    assert_eq!(home.login("alice", PASSWORD).await.status, StatusCode::OK);

    let stranger = app.seen_from("198.51.100.9");
    for _ in 0..5 {
        assert_eq!(
            stranger.login("alice", "guess").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let delayed = stranger.login("alice", PASSWORD).await;
    assert_eq!(delayed.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = delayed.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=2).contains(&wait),
        "a short, progressive delay: {wait}"
    );
    assert_eq!(
        home.login("alice", PASSWORD).await.status,
        StatusCode::OK,
        "the owner still gets in from where they logged in before"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_is_throttled_and_audited() {
    let proxy: SocketAddr = "127.0.0.1:40000".parse().unwrap();
    let app = TestApp::with_config(|c| c.trusted_proxies = vec![proxy.ip()]).await;
    let admin = app.register("alice").await;
    let via_proxy = |name: &str, client: &str| login_request(name, "guess", Some(client));
    for i in 0..20 {
        let reply = app
            .send(via_proxy(&format!("user{i}"), "203.0.113.5"))
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        app.send(via_proxy("user99", "203.0.113.5")).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let failed = app.audit(&admin, "auth.login_failed").await;
    assert_eq!(failed[0]["client"], "203.0.113.5", "the real client");

    // Another client of the proxy has its own budget.
    let other = app.send(via_proxy("bob", "203.0.113.77")).await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED);

    // Not from the proxy: the header is the client's own claim and is ignored.
    let direct = app.seen_from("192.0.2.8");
    let reply = direct
        .send(login_request("carol", "guess", Some("198.51.100.1")))
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let failed = app.audit(&admin, "auth.login_failed").await;
    assert_eq!(failed[0]["client"], "192.0.2.8");
}

/// Opens `/api/v1/events` and reads up to the first full process list.
async fn open_stream(app: &TestApp, auth: &Auth) -> common::EventStream {
    let mut stream = app
        .events("/api/v1/events?topics=processes,launches", auth)
        .await;
    stream.read_until("event: processes\n").await;
    stream
}

/// The stream ends (no more frames) within 2 s.
async fn assert_ends_soon(stream: common::EventStream, after: &str) {
    assert!(
        stream.ends_within(Duration::from_secs(2)).await,
        "the event stream outlived {after}"
    );
}

#[tokio::test]
async fn event_streams_end_at_logout_revocation_password_or_role_change_and_deletion() {
    let app = TestApp::with_config(|c| c.sample_interval = Duration::from_millis(200)).await;
    let (admin, viewer) = app.admin_and("vera", "viewer").await;
    let vera_id = app.get("/api/v1/auth/me", &viewer).await.body["user"]["id"]
        .as_i64()
        .unwrap();
    let login =
        || async { Auth::Cookie(app.login("vera", PASSWORD).await.session_cookie().unwrap()) };

    // Logout.
    let stream = open_stream(&app, &viewer).await;
    let reply = app.post_empty("/api/v1/auth/logout", &viewer).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_ends_soon(stream, "logout").await;

    // Another of the user's sessions is ended by a password change.
    let watching = login().await;
    let changing = login().await;
    let stream = open_stream(&app, &watching).await;
    let reply = app
        .change_password(&changing, PASSWORD, "a new good password")
        .await;
    assert!(reply.status.is_success(), "{:?}", reply.body);
    assert_ends_soon(stream, "a password change").await;
    let reset = json!({"password": PASSWORD});
    let reply = app
        .patch(&format!("/api/v1/users/{vera_id}"), &admin, reset)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);

    // A revoked API token.
    let session = login().await;
    let token = app.token(&session, "stream").await;
    let stream = open_stream(&app, &token.bearer).await;
    let reply = app
        .delete(&format!("/api/v1/tokens/{}", token.id), &session)
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_ends_soon(stream, "the token's revocation").await;

    // A role change.
    let session = login().await;
    let stream = open_stream(&app, &session).await;
    let reply = app
        .patch(
            &format!("/api/v1/users/{vera_id}"),
            &admin,
            json!({"role": "operator"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_ends_soon(stream, "a role change").await;

    // The account's deletion.
    let session = login().await;
    let stream = open_stream(&app, &session).await;
    let reply = app
        .delete(&format!("/api/v1/users/{vera_id}"), &admin)
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_ends_soon(stream, "the account's deletion").await;
}

#[tokio::test]
async fn the_first_account_needs_the_setup_code() {
    let app = TestApp::new().await;
    let register = |code: Option<&str>| json!({"username": "mallory", "password": PASSWORD, "setup_code": code});
    let reply = app
        .post("/api/v1/auth/register", &Auth::None, register(None))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.code(), "setup_code_required");
    let reply = app
        .post(
            "/api/v1/auth/register",
            &Auth::None,
            register(Some("0123456789abcdef01234567")),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.code(), "setup_code_invalid");
    assert_eq!(
        app.get("/api/v1/health", &Auth::None).await.body["setup_required"],
        true
    );
    let file = app.dir.path().join("setup-code");
    assert!(file.exists());
    let admin = app.register("alice").await;
    assert!(!file.exists(), "the code is deleted once used");
    let me = app.get("/api/v1/auth/me", &admin).await;
    assert_eq!(me.body["user"]["role"], "admin");
    let refused = app.audit(&admin, "auth.register").await;
    assert!(refused.iter().any(|e| e["outcome"] == "denied"));
}

#[test]
fn boss_prints_the_setup_link_and_keeps_the_code_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let code = server.setup_code().expect("the setup-code file");
    let link = format!("#/register?code={code}");
    assert!(
        server.startup_log.iter().any(|line| line.contains(&link)),
        "{:?}",
        server.startup_log
    );
    let mode = std::fs::metadata(dir.path().join("setup-code"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    server.stop();
    // Once an account exists, a restart makes no code.
    let app_dir = dir.path().to_path_buf();
    let server = Server::start(&app_dir);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    assert!(server.setup_code().is_some(), "no account yet: a code");
    // Checked to be made (201).
    runtime.block_on(server.register("alice", PASSWORD));
    server.stop();
    let server = Server::start(&app_dir);
    assert!(server.setup_code().is_none());
    assert!(
        !server
            .startup_log
            .iter()
            .any(|l| l.contains("#/register?code="))
    );
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_registrations_on_postgres_make_exactly_one_admin() {
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    for round in 0..3 {
        let url = pg.create_database(&format!("first_run_{round}"));
        let mut app = TestApp::with_config(|c| c.database_url = url).await;
        // Enough permits that all of them hash at once and race for the first account.
        app.state.passwords = std::sync::Arc::new(boss::auth::password::PasswordWork::new(8));
        let code = app.state.setup.current();
        let requests: Vec<_> = (0..8)
            .map(|i| {
                Request::post("/api/v1/auth/register")
                    .header(header::HOST, "127.0.0.1:8350")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(
                        json!({"username": format!("user{i}"), "password": PASSWORD,
                               "setup_code": code})
                        .to_string(),
                    ))
                    .unwrap()
            })
            .collect();
        let statuses = burst(&app, requests).await;
        assert_eq!(count(&statuses, StatusCode::CREATED), 1, "{statuses:?}");
        assert_eq!(app.state.store.count_users().await.unwrap(), 1);
        assert_eq!(app.state.store.count_admins().await.unwrap(), 1);
    }
}
