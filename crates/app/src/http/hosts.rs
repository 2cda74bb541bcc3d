//! The hosts of a fleet (every Boss on one PostgreSQL database): the list, every machine route
//! of another host under `/api/v1/hosts/{host}/...`, and actions on many hosts at once.
//!
//! One handler serves `/api/v1/hosts/{host}/<anything>`: it relays the request itself to the
//! host (see `fleet::relay`), which runs it through its own router, so every route, today's
//! and tomorrow's, works there with the same shapes and rules. On SQLite Boss is one host.

use std::time::Duration;

use axum::extract::State;
use axum::http::Method;
use axum::response::IntoResponse;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ErrorBody;
use super::extract::{Json, Path};
use crate::actions::hosts::HostRemoved;
use crate::auth::{Caller, Permission};
use crate::error::{Error, Result};
use crate::fleet::relay::{DEFAULT_DEADLINE, HostRecord, RelayAnswer, RelayRequest, run_here};
use crate::fleet::{HostSummary, capabilities, summary};
use crate::state::AppState;

/// The relay's description: its route is a wildcard, which the route macro cannot register.
#[derive(OpenApi)]
#[openapi(paths(relay))]
struct RelayDoc;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(RelayDoc::openapi())
        .routes(routes!(list_hosts))
        .routes(routes!(remove_host))
        .route("/api/v1/hosts/{host}/{*path}", axum::routing::any(relay))
        .routes(routes!(fleet_close_all))
        .routes(routes!(fleet_launch))
}

/// The hosts, and whether Boss runs as a fleet.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HostsView {
    /// False on SQLite: this Boss is the only host.
    pub fleet: bool,
    pub hosts: Vec<HostView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HostView {
    pub id: String,
    pub name: String,
    pub os: String,
    pub version: String,
    /// Heard from within the last 15 s.
    pub online: bool,
    /// The last heartbeat (RFC 3339); absent for a host that said goodbye.
    pub last_seen: Option<String>,
    /// The host answering this request.
    pub this_host: bool,
    /// What the host can do: `{"windows": {backend, label, available, capabilities}}`.
    #[schema(value_type = Object)]
    pub capabilities: serde_json::Value,
    /// From its last heartbeat.
    pub summary: Option<HostSummary>,
}

impl HostView {
    fn from_record(record: HostRecord, me: &str) -> HostView {
        HostView {
            this_host: record.id == me,
            id: record.id,
            name: record.name,
            os: record.os,
            version: record.version,
            online: record.online,
            last_seen: (record.last_seen > 0).then(|| crate::clock::to_rfc3339(record.last_seen)),
            capabilities: record.capabilities,
            summary: record.summary,
        }
    }
}

/// Every host on this database with its state, capabilities and summary (CPU, memory,
/// processes, windows). On SQLite: only this host.
#[utoipa::path(get, path = "/api/v1/hosts", tag = "hosts",
    responses((status = 200, body = HostsView), (status = 401, body = ErrorBody)))]
async fn list_hosts(State(state): State<AppState>, caller: Caller) -> Result<Json<HostsView>> {
    caller.require(Permission::View)?;
    let me = &state.fleet.me;
    if let Some(db) = state.fleet.db() {
        let hosts = db.hosts().await?;
        return Ok(Json(HostsView {
            fleet: true,
            hosts: hosts
                .into_iter()
                .map(|h| HostView::from_record(h, &me.id))
                .collect(),
        }));
    }
    let os = match state.processes.fresh(crate::fleet::HEARTBEAT).await {
        Ok(sample) => sample.snapshot.system.os.clone(),
        Err(_) => std::env::consts::OS.to_string(),
    };
    let this = HostView {
        id: me.id.clone(),
        name: me.name.clone(),
        os,
        version: env!("CARGO_PKG_VERSION").to_string(),
        online: true,
        last_seen: Some(crate::clock::to_rfc3339(crate::clock::now_ms())),
        this_host: true,
        capabilities: capabilities(&state).await,
        summary: summary(&state).await,
    };
    Ok(Json(HostsView {
        fleet: false,
        hosts: vec![this],
    }))
}

/// Removes a host gone for good (admins): its row and its relayed commands; its launches and
/// audit rows stay. An online host (this one included) is refused with 409 `host_online`: it
/// would register again at its next heartbeat, so stop Boss there first. A removed host that
/// comes back registers itself again.
#[utoipa::path(delete, path = "/api/v1/hosts/{host}", tag = "hosts",
    params(("host" = String, Path, description = "The host's name or id")),
    responses((status = 200, body = HostRemoved), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn remove_host(
    State(state): State<AppState>,
    caller: Caller,
    Path(host): Path<String>,
) -> Result<Json<HostRemoved>> {
    Ok(Json(
        crate::actions::hosts::remove(&state, &caller, &host).await?,
    ))
}

/// Any machine route of another host: `/api/v1/hosts/{host}/processes`,
/// `.../processes/{pid}/terminate`, `.../windows/close-all`, `.../apps/{id}/launch`, ... with
/// the same request and answer as the route on that host. The host runs it as you, with its
/// own permission checks, protections and audit (the row names the host it came through).
/// 503 `host_unreachable` when the host is offline, 504 `host_timeout` when it does not
/// answer in time (20 s, or a requested `timeout_ms` plus 10 s); a late request is not run.
/// Accounts and tokens are not relayed (they are the same on every host);
/// `GET .../events?topics=processes,windows` follows the host's lists every 2 s as the
/// full-list events of `/api/v1/events`, each sent when it differs from the last one sent.
#[utoipa::path(method(get, post, patch, delete), path = "/api/v1/hosts/{host}/{path}",
    tag = "hosts",
    params(("host" = String, Path, description = "The host's name or id"),
        ("path" = String, Path, description = "A machine route below /api/v1/, slashes included")),
    responses((status = 200, description = "What the route answers on that host"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 503, body = ErrorBody),
        (status = 504, body = ErrorBody)))]
async fn relay(
    State(state): State<AppState>,
    caller: Caller,
    request: axum::extract::Request,
) -> Result<Response> {
    let (parts, body) = request.into_parts();
    let (method, uri) = (parts.method, parts.uri);
    // The body limit layer has capped it already.
    let body = axum::body::to_bytes(body, state.config.max_body_bytes)
        .await
        .map_err(|_| Error::PayloadTooLarge("the request body is too large".into()))?;
    // The raw path, so that what the route decodes is decoded once, on the target.
    let rest = uri
        .path()
        .strip_prefix("/api/v1/hosts/")
        .and_then(|rest| rest.split_once('/'))
        .ok_or_else(|| Error::NotFound("give a route after the host".into()))?;
    let host = percent_decode(rest.0);
    if rest.1 == "events" && method == Method::GET {
        // An unknown host is refused at once rather than streamed errors.
        if !state.fleet.me.is(&host) {
            let known = match state.fleet.db() {
                Some(db) => db.host(&host).await?.is_some(),
                None => false,
            };
            if !known {
                return Err(state.fleet.unknown_host(&host));
            }
        }
        return Ok(
            follow(state, host, caller.user.id, uri.query().map(str::to_string)).into_response(),
        );
    }
    let request = RelayRequest {
        method,
        path: rest.1.to_string(),
        query: uri.query().map(str::to_string),
        body,
        user_id: caller.user.id,
    };
    Ok(send(&state, &host, request).await?.into_response())
}

/// How often the stream of another host polls its lists.
const FOLLOW_EVERY: Duration = Duration::from_secs(2);

/// The live event stream of another host (`/api/v1/hosts/{host}/events`): rather than relay a
/// stream that never ends through the database, its lists are read through the relay every
/// [`FOLLOW_EVERY`] and sent as the full-list events of `/api/v1/events` (`system` and
/// `processes`, `windows`; same shapes), each read running as the caller on that host. A list
/// equal to the one sent last is not sent again (as the local stream sends `windows` only
/// when it changes), so a quiet host costs its reads but no traffic to the browser. An
/// `error` event carries a failed read (`{"error": ...}`); the stream ends when the caller is
/// no longer allowed there (401 or 403). The `launches` topic is not followed: the history is
/// shared, read it from any host. A host removed from the list ends the stream too.
fn follow(
    state: AppState,
    host: String,
    user_id: i64,
    query: Option<String>,
) -> axum::response::sse::Sse<
    impl tokio_stream::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>,
> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    let topics = query
        .as_deref()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("topics=")))
        .map(percent_decode)
        .unwrap_or_else(|| "processes,windows".into());
    let mut lists: Vec<(&str, &str)> = Vec::new();
    for topic in topics.split(',').map(str::trim) {
        match topic {
            "processes" => lists.extend([("system", "system"), ("processes", "processes")]),
            "windows" => lists.push(("windows", "windows")),
            _ => {}
        }
    }
    let (tx, rx) = tokio::sync::mpsc::channel::<Event>(8);
    tokio::spawn(async move {
        // The body of each list as last sent; forgotten after an error, so that the list
        // comes again once the host answers.
        let mut sent: std::collections::HashMap<&str, axum::body::Bytes> = Default::default();
        loop {
            for (path, name) in &lists {
                let request = RelayRequest {
                    method: Method::GET,
                    path: path.to_string(),
                    query: None,
                    body: Default::default(),
                    user_id,
                };
                let answer = send(&state, &host, request).await;
                if !matches!(&answer, Ok(answer) if answer.status.is_success()) {
                    sent.clear();
                }
                let (event, refused) = match answer {
                    Ok(answer) if answer.status.is_success() => {
                        if sent.get(name) == Some(&answer.body) {
                            continue;
                        }
                        let event = Event::default()
                            .event(*name)
                            .data(String::from_utf8_lossy(&answer.body));
                        sent.insert(name, answer.body);
                        (event, false)
                    }
                    Ok(answer) => (
                        Event::default()
                            .event("error")
                            .data(String::from_utf8_lossy(&answer.body)),
                        matches!(answer.status.as_u16(), 401 | 403 | 404),
                    ),
                    Err(err) => (
                        Event::default()
                            .event("error")
                            .data(error_json(&err).to_string()),
                        false,
                    ),
                };
                if tx.send(event).await.is_err() || refused {
                    return;
                }
            }
            tokio::select! {
                _ = tx.closed() => return,
                _ = tokio::time::sleep(FOLLOW_EVERY) => {}
            }
        }
    });
    let stream = tokio_stream::StreamExt::map(
        tokio_stream::wrappers::ReceiverStream::new(rx),
        Ok::<_, std::convert::Infallible>,
    );
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// Relays `request` to `host` (by name or id); this host runs it itself.
async fn send(state: &AppState, host: &str, request: RelayRequest) -> Result<RelayAnswer> {
    let me = &state.fleet.me;
    if me.is(host) {
        let limit = request.deadline();
        return Ok(run_here(state, &me.name, request, limit).await);
    }
    let Some(db) = state.fleet.db() else {
        return Err(state.fleet.unknown_host(host));
    };
    let target = db
        .host(host)
        .await?
        .ok_or_else(|| state.fleet.unknown_host(host))?;
    db.send(&target, request).await
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Which hosts a fleet action is for: `"all"` or a list of names (or ids).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum HostSelection {
    /// `"all"`: every registered host (offline ones are reported as unreachable).
    All(String),
    Named(Vec<String>),
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FleetCloseAll {
    pub hosts: HostSelection,
    #[serde(default)]
    pub dry_run: bool,
    pub timeout_ms: Option<u64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FleetLaunch {
    pub hosts: HostSelection,
    /// An installed application (desktop entry id)...
    pub app_id: Option<String>,
    /// ...or any program (a path, or a name looked up in PATH).
    pub program: Option<String>,
    /// Files for the application, or the program's arguments.
    #[serde(default)]
    pub args: Vec<String>,
    /// The program's working directory on each host (default: the home directory there).
    pub cwd: Option<String>,
}

/// What one host answered.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HostResult {
    pub host: String,
    /// The HTTP status the host answered with (503/504 when it could not be reached).
    pub status: u16,
    pub ok: bool,
    /// The host's answer: the route's body, or `{"error": ...}`.
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FleetReport {
    /// One per host, in the order asked (by name for `"all"`).
    pub results: Vec<HostResult>,
}

/// Closes every window on many hosts at once (gracefully, as on each host), one result per
/// host.
#[utoipa::path(post, path = "/api/v1/fleet/windows/close-all", tag = "hosts",
    request_body = FleetCloseAll,
    responses((status = 200, body = FleetReport), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn fleet_close_all(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<FleetCloseAll>,
) -> Result<Json<FleetReport>> {
    let hosts = resolve(&state, &body.hosts).await?;
    let payload = serde_json::json!({ "dry_run": body.dry_run, "timeout_ms": body.timeout_ms });
    let request = RelayRequest::post_json("windows/close-all".into(), &payload, caller.user.id);
    Ok(Json(on_each(&state, hosts, request).await))
}

/// Launches an installed application or a program on many hosts at once, one result per
/// host (each a launch there, in that host's history).
#[utoipa::path(post, path = "/api/v1/fleet/launch", tag = "hosts", request_body = FleetLaunch,
    responses((status = 200, body = FleetReport), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn fleet_launch(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<FleetLaunch>,
) -> Result<Json<FleetReport>> {
    let (path, payload) = match (&body.app_id, &body.program) {
        (Some(_), _) if body.cwd.is_some() => {
            return Err(Error::Invalid(
                "'cwd' is for a program; an application starts where its entry says".into(),
            ));
        }
        (Some(app), None) => (
            format!("apps/{}/launch", encode_segment(app)),
            serde_json::json!({ "args": body.args }),
        ),
        (None, Some(program)) => (
            "launches".to_string(),
            serde_json::json!({ "program": program, "args": body.args, "cwd": body.cwd }),
        ),
        _ => {
            return Err(Error::Invalid(
                "give either 'app_id' or 'program' (not both)".into(),
            ));
        }
    };
    let hosts = resolve(&state, &body.hosts).await?;
    let request = RelayRequest::post_json(path, &payload, caller.user.id);
    Ok(Json(on_each(&state, hosts, request).await))
}

/// The names of the selected hosts; `"all"` is every registered one.
async fn resolve(state: &AppState, selection: &HostSelection) -> Result<Vec<String>> {
    match selection {
        HostSelection::All(word) if word == "all" => match state.fleet.db() {
            Some(db) => Ok(db.hosts().await?.into_iter().map(|h| h.name).collect()),
            None => Ok(vec![state.fleet.me.name.clone()]),
        },
        HostSelection::All(other) => Err(Error::Invalid(format!(
            "'hosts' must be \"all\" or a list of host names, not '{other}'"
        ))),
        HostSelection::Named(names) if names.is_empty() => {
            Err(Error::Invalid("'hosts' names no host".into()))
        }
        HostSelection::Named(names) => Ok(names.clone()),
    }
}

/// Sends the same request to every host at once and collects the answers.
async fn on_each(state: &AppState, hosts: Vec<String>, request: RelayRequest) -> FleetReport {
    let names = hosts.clone();
    let tasks: Vec<_> = hosts
        .into_iter()
        .map(|host| {
            let state = state.clone();
            let request = request.clone();
            tokio::spawn(async move {
                let answer = send(&state, &host, request).await;
                let (status, body) = match answer {
                    Ok(answer) => (answer.status.as_u16(), answer.json()),
                    Err(err) => (err.status_and_code().0.as_u16(), error_json(&err)),
                };
                HostResult {
                    host,
                    ok: (200..300).contains(&status),
                    status,
                    body,
                }
            })
        })
        .collect();
    let mut results = Vec::with_capacity(tasks.len());
    for (host, task) in names.into_iter().zip(tasks) {
        // Each send ends at its own deadline; this bound only guards against a bug.
        let result =
            match tokio::time::timeout(DEFAULT_DEADLINE + Duration::from_secs(60), task).await {
                Ok(Ok(result)) => result,
                _ => {
                    let err = Error::Internal(anyhow::anyhow!("the relay to '{host}' failed"));
                    HostResult {
                        host,
                        status: 500,
                        ok: false,
                        body: error_json(&err),
                    }
                }
            };
        results.push(result);
    }
    FleetReport { results }
}

/// The `{"error": ...}` body an error would have as a response.
fn error_json(err: &Error) -> serde_json::Value {
    let (_, code) = err.status_and_code();
    let message = match err {
        Error::Internal(_) => {
            tracing::error!("fleet action: {err:#}");
            "something went wrong inside Boss; the server log has the details".to_string()
        }
        other => other.to_string(),
    };
    serde_json::json!({ "error": { "code": code, "message": message } })
}

fn encode_segment(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}
