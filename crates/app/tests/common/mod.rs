//! A Boss application on a temporary SQLite database, driven in-process with `oneshot`.
#![allow(dead_code)]

pub mod desktop;
pub mod server;
pub mod sessions;
pub mod wayland;

/// The throwaway PostgreSQL cluster of the test kit.
#[allow(unused_imports)]
pub use testkit::postgres;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use boss::config::Config;
use boss::state::AppState;
use boss::store::SqlStore;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub state: AppState,
    pub dir: tempfile::TempDir,
    client: SocketAddr,
    /// Shared by the copies from `seen_from*`: the programs end with the last copy.
    _launched: Arc<Launched>,
}

/// The programs that Boss launched during a test, ended (KILL, by PID and start time) when the
/// test's app goes. A failing test would otherwise outlive its assertion for as long as they
/// run: the runtime waits for the blocking tasks that watch them. This test started them
/// (through Boss), so this test ends them.
#[derive(Default)]
struct Launched(std::sync::Mutex<Vec<platform::ProcessRef>>);

impl Launched {
    /// Records every program `state` launches from now on.
    fn watch(state: &AppState) -> Arc<Launched> {
        let launched = Arc::new(Launched::default());
        let record = Arc::downgrade(&launched);
        let mut events = state.launches.subscribe();
        tokio::spawn(async move {
            loop {
                let launch = match events.recv().await {
                    Ok(launch) => launch,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                };
                let Some(launched) = record.upgrade() else {
                    return;
                };
                if let (Some(pid), Some(start_ticks)) =
                    (launch.record.pid, launch.record.start_ticks)
                {
                    let process = platform::ProcessRef { pid, start_ticks };
                    let mut list = launched.0.lock().unwrap_or_else(|e| e.into_inner());
                    if !list.contains(&process) {
                        list.push(process);
                    }
                }
            }
        });
        launched
    }
}

impl Drop for Launched {
    fn drop(&mut self) {
        let list = self.0.get_mut().unwrap_or_else(|e| e.into_inner());
        for process in list.drain(..) {
            // Only if it is still the same process (start time checked): never a PID reused.
            let _ = platform::send_signal(process, platform::Signal::Kill);
        }
    }
}

/// How a test request authenticates.
#[derive(Clone, Debug)]
pub enum Auth {
    None,
    Cookie(String),
    Bearer(String),
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The `code` of a JSON error body.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// The session cookie value this reply sets.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .find_map(|v| {
                let v = v.to_str().ok()?;
                let value = v.strip_prefix("boss_session=")?.split(';').next()?;
                (!value.is_empty()).then(|| value.to_string())
            })
    }
}

/// An API token just made (see [`TestApp::token`]).
pub struct Token {
    /// Requests made with it.
    pub bearer: Auth,
    pub secret: String,
    pub id: i64,
}

/// An open event stream and everything it sent so far.
pub struct EventStream {
    body: Body,
    pub text: String,
}

impl EventStream {
    /// Reads until `done(text)` holds, for at most 10 s.
    pub async fn read_until_true(&mut self, done: impl Fn(&str) -> bool) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !done(&self.text) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let frame = tokio::time::timeout(left, self.body.frame())
                .await
                .unwrap_or_else(|_| panic!("the stream said only {:?}", self.text))
                .expect("the stream is open")
                .unwrap();
            if let Ok(data) = frame.into_data() {
                self.text.push_str(&String::from_utf8_lossy(&data));
            }
        }
    }

    /// Reads until the stream has sent `needle`.
    pub async fn read_until(&mut self, needle: &str) {
        self.read_until_true(|text| text.contains(needle)).await
    }

    /// Reads whatever the stream sends for `span` (it must stay open that long).
    pub async fn read_for(&mut self, span: std::time::Duration) {
        let deadline = std::time::Instant::now() + span;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match tokio::time::timeout(left, self.body.frame()).await {
                Ok(Some(frame)) => {
                    if let Ok(data) = frame.unwrap().into_data() {
                        self.text.push_str(&String::from_utf8_lossy(&data));
                    }
                }
                Ok(None) => panic!("the stream ended after {:?}", self.text),
                Err(_) => return,
            }
        }
    }

    /// Whether the server ends the stream within `patience`.
    pub async fn ends_within(mut self, patience: std::time::Duration) -> bool {
        let deadline = std::time::Instant::now() + patience;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match tokio::time::timeout(left, self.body.frame()).await {
                Ok(None) => return true,
                Ok(Some(_)) => continue,
                Err(_) => return false,
            }
        }
    }
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_config(|_| {}).await
    }

    pub async fn with_config(change: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::for_data_dir(dir.path().to_path_buf());
        // As `boss serve` does: launched programs' logs go through `boss log-writer`.
        config.log_writer = Some(env!("CARGO_BIN_EXE_boss").into());
        change(&mut config);
        // The desktop a test gives (`display`, `window_session`) and none other: not the
        // graphical session the tests happen to run in, whose windows a test must not touch.
        if config.window_session.is_none() {
            config.window_session = Some(platform::SessionEnv::x11(config.display.as_deref()));
        }
        let store = SqlStore::open(&config.database_url)
            .await
            .expect("open the store");
        let state = AppState::new(Arc::new(store), config);
        // As `boss serve` does while there is no account.
        state.setup.issue().expect("issue the setup code");
        Self {
            _launched: Launched::watch(&state),
            state,
            dir,
            client: "127.0.0.1:40000".parse().unwrap(),
        }
    }

    /// The same server as seen from a client at `peer` (address and port).
    pub fn seen_from_socket(&self, peer: SocketAddr) -> Self {
        Self {
            state: self.state.clone(),
            dir: tempfile::tempdir().unwrap(),
            client: peer,
            _launched: self._launched.clone(),
        }
    }

    /// The same server as seen from another client address.
    pub fn seen_from(&self, address: &str) -> Self {
        Self {
            state: self.state.clone(),
            dir: tempfile::tempdir().unwrap(),
            client: format!("{address}:40000").parse().unwrap(),
            _launched: self._launched.clone(),
        }
    }

    pub fn router(&self) -> Router {
        boss::http::app(self.state.clone()).layer(MockConnectInfo(self.client))
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router().oneshot(request).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        auth: &Auth,
        body: Option<Value>,
    ) -> Reply {
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "127.0.0.1:8350");
        builder = match auth {
            Auth::None => builder,
            Auth::Cookie(value) => builder.header(header::COOKIE, format!("boss_session={value}")),
            Auth::Bearer(token) => builder.header(header::AUTHORIZATION, format!("Bearer {token}")),
        };
        let body = match body {
            Some(json) => {
                builder = builder.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        self.send(builder.body(body).unwrap()).await
    }

    pub async fn get(&self, path: &str, auth: &Auth) -> Reply {
        self.call(Method::GET, path, auth, None).await
    }

    pub async fn post(&self, path: &str, auth: &Auth, body: Value) -> Reply {
        self.call(Method::POST, path, auth, Some(body)).await
    }

    /// Registers an account and returns its session (the first with the setup code).
    pub async fn register(&self, username: &str) -> Auth {
        let reply = self
            .post(
                "/api/v1/auth/register",
                &Auth::None,
                serde_json::json!({
                    "username": username,
                    "password": PASSWORD,
                    "setup_code": self.state.setup.current(),
                }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        Auth::Cookie(reply.session_cookie().expect("register sets the cookie"))
    }

    pub async fn patch(&self, path: &str, auth: &Auth, body: Value) -> Reply {
        self.call(Method::PATCH, path, auth, Some(body)).await
    }

    pub async fn delete(&self, path: &str, auth: &Auth) -> Reply {
        self.call(Method::DELETE, path, auth, None).await
    }

    /// A POST without a body.
    pub async fn post_empty(&self, path: &str, auth: &Auth) -> Reply {
        self.call(Method::POST, path, auth, None).await
    }

    pub async fn login(&self, username: &str, password: &str) -> Reply {
        self.post(
            "/api/v1/auth/login",
            &Auth::None,
            serde_json::json!({ "username": username, "password": password }),
        )
        .await
    }

    /// The first account (admin), then an account with `role` created by it.
    pub async fn admin_and(&self, username: &str, role: &str) -> (Auth, Auth) {
        let admin = self.register("admin").await;
        let other = self.add_user(&admin, username, role).await;
        (admin, other)
    }

    /// `admin` creates the account `username` (password [`PASSWORD`]) with `role` (checked:
    /// 201): the new user.
    pub async fn create_user(&self, admin: &Auth, username: &str, role: &str) -> Value {
        let user = serde_json::json!({ "username": username, "password": PASSWORD, "role": role });
        let reply = self.post("/api/v1/users", admin, user).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        reply.body
    }

    /// `admin` creates the account `username` with `role`, which then signs in: its session.
    pub async fn add_user(&self, admin: &Auth, username: &str, role: &str) -> Auth {
        self.create_user(admin, username, role).await;
        let login = self.login(username, PASSWORD).await;
        assert_eq!(login.status, StatusCode::OK);
        Auth::Cookie(login.session_cookie().unwrap())
    }

    /// Opens an event stream (`/api/v1/events...`) as `auth`.
    pub async fn events(&self, path: &str, auth: &Auth) -> EventStream {
        self.stream(path, auth, "text/event-stream").await
    }

    /// A streamed answer of `content_type` (events, a followed log), read as it comes.
    pub async fn stream(&self, path: &str, auth: &Auth, content_type: &str) -> EventStream {
        let mut request = Request::get(path).header(header::HOST, "127.0.0.1:8350");
        request = match auth {
            Auth::None => request,
            Auth::Cookie(value) => request.header(header::COOKIE, format!("boss_session={value}")),
            Auth::Bearer(token) => request.header(header::AUTHORIZATION, format!("Bearer {token}")),
        };
        let response = self
            .router()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .expect("infallible");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CONTENT_TYPE], content_type);
        EventStream {
            body: response.into_body(),
            text: String::new(),
        }
    }

    /// `POST /api/v1/launches` as `auth` with `body` (`program`, `args`, ...), checked to
    /// succeed: the launch record (`id`, `pid`, ...).
    pub async fn launch(&self, auth: &Auth, body: Value) -> Value {
        let reply = self.post("/api/v1/launches", auth, body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        reply.body["launch"].clone()
    }

    /// Stops the launch `id` as `auth`, waiting `timeout_ms` for it to end before KILL
    /// (checked to succeed): the stop report (`signal`, ...).
    pub async fn stop_launch(&self, auth: &Auth, id: i64, timeout_ms: u64) -> Value {
        let path = format!("/api/v1/launches/{id}/stop");
        let body = serde_json::json!({ "timeout_ms": timeout_ms });
        let reply = self.post(&path, auth, body).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        reply.body
    }

    /// `PATCH /api/v1/settings` as `auth` with `change`, checked to succeed: the settings.
    pub async fn change_settings(&self, auth: &Auth, change: Value) -> Value {
        let reply = self.patch("/api/v1/settings", auth, change).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        reply.body
    }

    /// A new API token named `name` of `auth`'s account (checked: 201).
    pub async fn token(&self, auth: &Auth, name: &str) -> Token {
        let reply = self
            .post(
                "/api/v1/tokens",
                auth,
                serde_json::json!({"name": name, "password": PASSWORD}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        let secret = reply.body["secret"].as_str().unwrap().to_string();
        Token {
            bearer: Auth::Bearer(secret.clone()),
            secret,
            id: reply.body["token"]["id"].as_i64().unwrap(),
        }
    }

    /// `POST /api/v1/auth/password` as `auth`, from `current` to `new` (unchecked).
    pub async fn change_password(&self, auth: &Auth, current: &str, new: &str) -> Reply {
        let change = serde_json::json!({"current_password": current, "new_password": new});
        self.post("/api/v1/auth/password", auth, change).await
    }

    /// The status of `GET /api/v1/auth/me` as `auth`: whether that session or token still
    /// signs in (200) or not (401).
    pub async fn me_status(&self, auth: &Auth) -> StatusCode {
        self.get("/api/v1/auth/me", auth).await.status
    }

    /// Audit rows with this action, newest first.
    pub async fn audit(&self, admin: &Auth, action: &str) -> Vec<Value> {
        let reply = self
            .get(&format!("/api/v1/audit?action={action}"), admin)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        reply.body["events"].as_array().unwrap().clone()
    }
}

/// `GET /api/v1/windows` as `auth`, checked to succeed.
pub async fn window_list(app: &TestApp, auth: &Auth) -> Value {
    let reply = app.get("/api/v1/windows", auth).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

/// The window titled `title` in such a list.
pub fn find_window<'a>(list: &'a Value, title: &str) -> Option<&'a Value> {
    list["windows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["title"] == title)
}

/// Asserts that `list` comes from the available backend `backend` (labelled `label`) with every
/// capability.
#[track_caller]
pub fn assert_full_backend(list: &Value, backend: &str, label: &str) {
    assert_eq!(list["available"], true, "{list}");
    assert_eq!(list["backend"], backend);
    assert_eq!(list["label"], label);
    assert_eq!(
        list["capabilities"],
        serde_json::json!({"close": true, "activate": true, "minimize": true, "pid": true,
                           "desktop": true})
    );
}

/// `POST /api/v1/windows/close-all` as `auth` with `body` (`dry_run`, `timeout_ms`), checked
/// to succeed: the report.
pub async fn close_all(app: &TestApp, auth: &Auth, body: Value) -> Value {
    let reply = app.post("/api/v1/windows/close-all", auth, body).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

/// What a close-all report says of the window titled `title`.
#[track_caller]
pub fn outcome(report: &Value, title: &str) -> String {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["window"]["title"] == title)
        .map(|r| r["outcome"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("{title} missing from {report}"))
}

/// Asks, as `auth`, to close the window titled `title` in `list`, and checks that it is refused
/// as protected: the refusal.
pub async fn close_refused_as_protected(
    app: &TestApp,
    auth: &Auth,
    list: &Value,
    title: &str,
) -> Reply {
    let id = find_window(list, title).expect("listed")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/v1/windows/{id}/close");
    let refused = app.post(&path, auth, serde_json::json!({})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{:?}", refused.body);
    assert_eq!(refused.code(), "protected");
    refused
}

/// The port of "the browser showing Boss": Boss listens on it, so a window whose process holds
/// a connection to it is protected (as is the client on the other end of that connection).
pub struct BrowserPort {
    listener: std::net::TcpListener,
    pub port: u16,
}

impl BrowserPort {
    /// Listens on a free loopback port and tells `app` it is the port Boss serves on.
    pub fn listen(app: &TestApp) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        app.state.listen_port.set(port).unwrap();
        BrowserPort { listener, port }
    }

    /// Once the browser connected from its `local_port`: `app` as that browser sees it, and
    /// the accepted connection (keep it open for as long as the browser should count).
    pub fn seen_from(self, app: &TestApp, local_port: u16) -> (TestApp, std::net::TcpStream) {
        let (accepted, _) = self.listener.accept().unwrap();
        let peer = format!("127.0.0.1:{local_port}").parse().unwrap();
        (app.seen_from_socket(peer), accepted)
    }
}

/// Polls `check` (every 25 ms) until it gives `Ok`; after `patience`, panics naming `what`
/// and showing the last `Err`, what was seen instead (a reply body, a list).
pub async fn poll<T, Seen: std::fmt::Display>(
    what: &str,
    patience: std::time::Duration,
    mut check: impl AsyncFnMut() -> Result<T, Seen>,
) -> T {
    let deadline = std::time::Instant::now() + patience;
    loop {
        match check().await {
            Ok(value) => return value,
            Err(seen) => assert!(
                std::time::Instant::now() < deadline,
                "timed out waiting until {what}: {seen}"
            ),
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

/// Polls `done` (every 20 ms) until it holds; panics naming `what` after `patience`.
pub async fn wait_until(what: &str, patience: std::time::Duration, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + patience;
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting until {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
