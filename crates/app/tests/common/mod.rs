//! A Boss application on a temporary SQLite database, driven in-process with `oneshot`.
#![allow(dead_code)]

pub mod desktop;
pub mod server;

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

impl TestApp {
    pub async fn new() -> Self {
        Self::with_config(|_| {}).await
    }

    pub async fn with_config(change: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::for_data_dir(dir.path().to_path_buf());
        change(&mut config);
        let store = SqlStore::open(&config.database_url)
            .await
            .expect("open the store");
        let state = AppState::new(Arc::new(store), config);
        // As `boss serve` does while there is no account.
        state.setup.issue().expect("issue the setup code");
        Self {
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
        }
    }

    /// The same server as seen from another client address.
    pub fn seen_from(&self, address: &str) -> Self {
        Self {
            state: self.state.clone(),
            dir: tempfile::tempdir().unwrap(),
            client: format!("{address}:40000").parse().unwrap(),
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
        let reply = self
            .post(
                "/api/v1/users",
                &admin,
                serde_json::json!({ "username": username, "password": PASSWORD, "role": role }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        let login = self.login(username, PASSWORD).await;
        assert_eq!(login.status, StatusCode::OK);
        (admin, Auth::Cookie(login.session_cookie().unwrap()))
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
