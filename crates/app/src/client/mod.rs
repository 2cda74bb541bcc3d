//! The command-line client: `boss ps`, `boss kill`, `boss windows`, ... talk to a Boss server
//! over HTTP with an API token (from `--token-file`, `BOSS_TOKEN`, or the file `boss login`
//! writes; never from a flag, since command lines are readable by every local user).
//!
//! The client speaks in the server's own types (the views and request bodies of
//! [`crate::http`]), so a field renamed on the server fails to compile here rather than
//! printing `-`. One file per command group; this one holds the connection, the HTTP helper
//! and the error type.
//!
//! Exit codes scripts can rely on: 0 done; 1 the server refused or the action failed; 2 bad
//! usage; 3 the server cannot be reached; 4 not logged in (no or bad token).

mod apps;
mod autostart;
mod history;
mod hosts;
mod login;
mod managed;
mod processes;
mod sessions;
mod table;
mod windows;

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::http::error::ErrorBody;

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

    /// The error for a refusal with `status`; `body` is the server's `{"error": ...}` when it
    /// sent one, and `fallback` the message when it did not.
    fn refused(status: StatusCode, body: Option<ErrorBody>, fallback: &str) -> ClientError {
        let (code, message) = match body {
            Some(body) => (body.error.code, body.error.message),
            None => ("error".to_string(), fallback.to_string()),
        };
        if status == StatusCode::UNAUTHORIZED {
            return ClientError::Unauthorized { message };
        }
        ClientError::Refused {
            status: status.as_u16(),
            code,
            message,
        }
    }
}

pub type ClientResult<T> = Result<T, ClientError>;

/// The options every client command takes: where the server is, how to authenticate, and
/// whether to print JSON.
#[derive(Debug, Args, Clone)]
pub struct ClientArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// Print the server's answer as JSON instead of a table (client commands).
    #[arg(long, global = true)]
    pub json: bool,
}

/// Where the server is and how to authenticate (flags, then `BOSS_*`, then `boss login`'s file).
///
/// There is no `--token` flag: every local user (and every Boss viewer) can read command
/// lines, so the token comes from a file, the `BOSS_TOKEN` environment variable, or the file
/// `boss login` wrote.
#[derive(Debug, Args, Clone)]
pub struct Connection {
    /// The server's URL [default: what `boss login` saved, else http://127.0.0.1:8350]
    #[arg(long, env = "BOSS_SERVER", global = true)]
    pub server: Option<String>,
    /// Read the API token from this file [default: $BOSS_TOKEN, else what `boss login` saved]
    #[arg(long, global = true, value_name = "PATH")]
    pub token_file: Option<PathBuf>,
    /// Send the command to this host of the fleet (a name from `boss hosts`) instead of the
    /// server's own machine.
    #[arg(long, env = "BOSS_HOST", global = true, value_name = "NAME")]
    pub host: Option<String>,
    /// `BOSS_TOKEN`, read from the environment only.
    #[arg(skip = std::env::var("BOSS_TOKEN").ok().filter(|t| !t.is_empty()))]
    pub token_env: Option<String>,
}

impl Connection {
    fn client(&self) -> ClientResult<Client> {
        let saved = ClientConfig::load();
        let server = self
            .server
            .clone()
            .or(saved.server)
            .unwrap_or_else(|| format!("http://{}", crate::config::DEFAULT_BIND));
        let token = match &self.token_file {
            Some(path) => Some(read_token_file(path)?),
            None => self.token_env.clone().or(saved.token),
        };
        let mut client = Client::new(&server, token);
        client.host = self.host.clone().filter(|h| !h.is_empty());
        Ok(client)
    }
}

/// The token in `path`, without surrounding whitespace.
fn read_token_file(path: &Path) -> ClientResult<String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ClientError::Usage(format!(
            "cannot read the token file '{}': {e}",
            path.display()
        ))
    })?;
    let token = text.trim();
    if token.is_empty() {
        return Err(ClientError::Usage(format!(
            "the token file '{}' is empty: it should hold an API token (boss_...)",
            path.display()
        )));
    }
    Ok(token.to_string())
}

/// The client commands, each defined beside what it does.
#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Log in once and save an API token for the other commands.
    Login(login::LoginArgs),
    /// List processes.
    Ps(processes::PsArgs),
    /// End a process: TERM, then KILL after the timeout (or send one --signal).
    Kill(processes::KillArgs),
    /// List the desktop's windows.
    Windows,
    /// Close a window gracefully (as its close button would), or all of them.
    Close(windows::CloseArgs),
    /// List installed applications.
    Apps(apps::AppsArgs),
    /// Launch an installed application (`boss launch APP [FILES]`) or any program
    /// (`boss launch -- PROGRAM ARGS...`). Options go before APP or `--`.
    Launch(apps::LaunchArgs),
    /// Show the launch history.
    History(history::HistoryArgs),
    /// List the saved sessions (desks saved by name, and before each close-all).
    Sessions,
    /// Save the desk, or restore a saved one.
    #[command(subcommand)]
    Session(sessions::SessionCommand),
    /// Managed apps: `boss managed` lists them; `add NAME -- ARGV...`, `start`, `stop`,
    /// `restart`, `logs`, `remove NAME`.
    Managed(managed::ManagedArgs),
    /// Start Boss at login (XDG autostart, or a systemd --user unit with --systemd), so that
    /// managed apps come back after a reboot. Works on this machine's files; no server needed.
    Autostart(autostart::AutostartArgs),
    /// List the hosts sharing the server's PostgreSQL database (online, CPU, memory, windows);
    /// `boss hosts remove NAME` removes one gone for good.
    Hosts(hosts::HostsArgs),
}

/// Runs one client command; its output goes to stdout, and the error says what to exit with.
pub async fn run(command: ClientCommand, args: ClientArgs) -> ClientResult<()> {
    if let ClientCommand::Autostart(a) = command {
        return autostart::autostart(a, args.json);
    }
    let client = args.connection.client()?;
    let json = args.json;
    match command {
        ClientCommand::Login(a) => login::login(&client, a, json).await,
        ClientCommand::Ps(a) => processes::ps(&client, a, json).await,
        ClientCommand::Kill(a) => processes::kill(&client, a, json).await,
        ClientCommand::Windows => windows::windows(&client, json).await,
        ClientCommand::Close(a) => windows::close(&client, a, json).await,
        ClientCommand::Apps(a) => apps::apps(&client, a, json).await,
        ClientCommand::Launch(a) => apps::launch(&client, a, json).await,
        ClientCommand::History(a) => history::history(&client, a, json).await,
        ClientCommand::Sessions => sessions::list(&client, json).await,
        ClientCommand::Session(c) => sessions::run(&client, c, json).await,
        ClientCommand::Managed(a) => managed::managed(&client, a, json).await,
        ClientCommand::Autostart(_) => unreachable!("handled above"),
        ClientCommand::Hosts(a) => hosts::hosts(&client, a, json).await,
    }
}

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
    /// A login session (`boss_session=...`), used only by `boss login` to mint its token.
    session: Option<String>,
    /// The fleet host the machine routes go to (`--host`); `None`: the server's own.
    pub host: Option<String>,
}

impl Client {
    pub fn new(server: &str, token: Option<String>) -> Client {
        Client {
            http: reqwest::Client::new(),
            server: server.trim_end_matches('/').to_string(),
            token,
            session: None,
            host: None,
        }
    }

    /// The same server, authenticated by a session cookie instead of a token.
    fn with_session(&self, cookie: String) -> Client {
        Client {
            http: self.http.clone(),
            server: self.server.clone(),
            token: None,
            session: Some(cookie),
            host: None,
        }
    }

    /// `GET path`, read as `T`.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> ClientResult<T> {
        let response = self.send(Method::GET, path, None::<&()>).await?;
        read_json(response).await
    }

    /// `POST path` with `body` as JSON, the answer read as `T`.
    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> ClientResult<T> {
        let response = self.send(Method::POST, path, Some(body)).await?;
        read_json(response).await
    }

    /// `DELETE path`; the answer's body is not read.
    pub async fn delete(&self, path: &str) -> ClientResult<()> {
        self.send(Method::DELETE, path, None::<&()>).await?;
        Ok(())
    }

    /// `GET path`, the answer as it comes (a followed log).
    pub async fn get_response(&self, path: &str) -> ClientResult<reqwest::Response> {
        self.send(Method::GET, path, None::<&()>).await
    }

    /// The raw text of a response (CSV).
    pub async fn get_text(&self, path: &str) -> ClientResult<String> {
        let response = self.send(Method::GET, path, None::<&()>).await?;
        response
            .text()
            .await
            .map_err(|e| ClientError::Failed(format!("reading the answer: {e}")))
    }

    /// Sends the request; a refusal becomes the matching [`ClientError`].
    async fn send<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> ClientResult<reqwest::Response> {
        let path = self.routed(path);
        let mut request = self.http.request(method, format!("{}{path}", self.server));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(cookie) = &self.session {
            request = request.header(reqwest::header::COOKIE, cookie);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| self.unreachable(&e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let body = response.json::<ErrorBody>().await.ok();
        Err(ClientError::refused(status, body, "the server refused"))
    }

    /// `path` as it goes to the chosen host: machine routes under `/api/v1/hosts/{host}/`;
    /// accounts, tokens and the host list are the same everywhere and stay as they are.
    fn routed(&self, path: &str) -> String {
        let Some(host) = &self.host else {
            return path.to_string();
        };
        match path.strip_prefix("/api/v1/") {
            Some(rest)
                if !["auth/", "tokens", "users", "hosts", "fleet/"]
                    .iter()
                    .any(|shared| rest.starts_with(shared)) =>
            {
                format!("/api/v1/hosts/{}/{rest}", encode(host))
            }
            _ => path.to_string(),
        }
    }

    fn unreachable(&self, err: &reqwest::Error) -> ClientError {
        ClientError::Unreachable {
            server: self.server.clone(),
            reason: root_cause(err),
        }
    }
}

/// The body of a successful answer as `T`.
async fn read_json<T: DeserializeOwned>(response: reqwest::Response) -> ClientResult<T> {
    response.json().await.map_err(|e| {
        ClientError::Failed(format!(
            "the server's answer is not what this client expects (is it another Boss version?): {}",
            root_cause(&e)
        ))
    })
}

fn root_cause(err: &dyn std::error::Error) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Prints what the server answered (or what the client made of it) for `--json`.
fn print_json(value: &impl Serialize) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

/// A listing's output: the answer as it came with `--json`, else a table of `header` and the
/// rows `rows` makes of it.
fn print_listing(
    answer: &impl Serialize,
    json: bool,
    header: &[&str],
    rows: impl FnOnce() -> Vec<Vec<String>>,
) {
    if json {
        print_json(answer);
    } else {
        table::print(header, &rows());
    }
}

/// A value as a table cell, `-` when absent.
fn cell(value: Option<impl ToString>) -> String {
    value.map_or_else(|| "-".into(), |v| v.to_string())
}

/// The wire name of a state or outcome (`still_open`, `killed`, ...), whatever its Rust type:
/// a string today, a snake_case enum once outcomes are typed (issue 11, item 2). The table
/// shows what `--json` shows.
fn label(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Null) | Err(_) => "-".into(),
        Ok(other) => other.to_string(),
    }
}

/// `?k=v&...` for the pairs that have a value, or nothing.
fn query(pairs: &[(&str, &Option<String>)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", encode(v))))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// Percent-encodes a query value or path segment (everything but unreserved characters).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}
