//! The command-line client: `boss ps`, `boss kill`, `boss windows`, ... talk to a Boss server
//! over HTTP with an API token (from `--token-file`, `BOSS_TOKEN`, or the file `boss login`
//! writes; never from a flag, since command lines are readable by every local user).
//!
//! Exit codes scripts can rely on: 0 done; 1 the server refused or the action failed; 2 bad
//! usage; 3 the server cannot be reached; 4 not logged in (no or bad token).

mod commands;
mod table;

pub use commands::{ClientCommand, Connection, run};

use std::path::PathBuf;

use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What went wrong, with the exit code it maps to.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{0}")]
    Usage(String),
    #[error(
        "cannot reach the Boss server at {server}: {reason}\n  is it running? (`boss serve`; or pass --server)"
    )]
    Unreachable { server: String, reason: String },
    #[error("{message}\n  log in with `boss login` (or set BOSS_TOKEN / pass --token-file PATH)")]
    Unauthorized { message: String },
    #[error("{message} (HTTP {status}, {code})")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    #[error("{0}")]
    Failed(String),
}

impl ClientError {
    pub fn exit_code(&self) -> u8 {
        match self {
            ClientError::Refused { .. } | ClientError::Failed(_) => 1,
            ClientError::Usage(_) => 2,
            ClientError::Unreachable { .. } => 3,
            ClientError::Unauthorized { .. } => 4,
        }
    }
}

pub type ClientResult<T> = Result<T, ClientError>;

/// What `boss login` remembers.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct ClientConfig {
    pub server: Option<String>,
    pub token: Option<String>,
}

impl ClientConfig {
    /// `$XDG_CONFIG_HOME/boss/cli.json`.
    pub fn path() -> PathBuf {
        dirs::config_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("boss")
            .join("cli.json")
    }

    pub fn load() -> ClientConfig {
        std::fs::read_to_string(Self::path())
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    /// Saved readable by the owner only: it holds a token.
    pub fn save(&self) -> std::io::Result<PathBuf> {
        let path = Self::path();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        platform::write_private_file(&path, serde_json::to_string_pretty(self)?.as_bytes())?;
        Ok(path)
    }
}

/// An HTTP client for one server.
pub struct Client {
    http: reqwest::Client,
    pub server: String,
    token: Option<String>,
}

impl Client {
    pub fn new(server: &str, token: Option<String>) -> Client {
        Client {
            http: reqwest::Client::new(),
            server: server.trim_end_matches('/').to_string(),
            token,
        }
    }

    pub async fn get(&self, path: &str) -> ClientResult<Value> {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> ClientResult<Value> {
        self.call(Method::POST, path, Some(body)).await
    }

    /// The raw text of a response (CSV).
    pub async fn get_text(&self, path: &str) -> ClientResult<String> {
        let response = self.send(Method::GET, path, None).await?;
        response
            .text()
            .await
            .map_err(|e| ClientError::Failed(format!("reading the answer: {e}")))
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> ClientResult<Value> {
        let response = self.send(method, path, body).await?;
        if response.status() == StatusCode::NO_CONTENT {
            return Ok(Value::Null);
        }
        response
            .json()
            .await
            .map_err(|e| ClientError::Failed(format!("the server's answer is not JSON: {e}")))
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> ClientResult<reqwest::Response> {
        let mut request = self.http.request(method, format!("{}{path}", self.server));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|e| ClientError::Unreachable {
            server: self.server.clone(),
            reason: root_cause(&e),
        })?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let message = body["error"]["message"]
            .as_str()
            .unwrap_or("the server refused")
            .to_string();
        let code = body["error"]["code"]
            .as_str()
            .unwrap_or("error")
            .to_string();
        if status == StatusCode::UNAUTHORIZED {
            return Err(ClientError::Unauthorized { message });
        }
        Err(ClientError::Refused {
            status: status.as_u16(),
            code,
            message,
        })
    }
}

fn root_cause(err: &dyn std::error::Error) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
