//! Managed apps: list, create, change, delete, start, stop, restart, read their logs, adopt a
//! running process.

use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ErrorBody;
use super::extract::{Json, Path, Query};
use super::params;
use crate::actions::managed::{self, Control, ManagedChange, ManagedRequest};
use crate::auth::{Caller, Permission};
use crate::error::{Error, Result};
use crate::managed::ManagedView;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_managed, create_managed))
        .routes(routes!(get_managed, update_managed, delete_managed))
        .routes(routes!(start_managed))
        .routes(routes!(stop_managed))
        .routes(routes!(restart_managed))
        .routes(routes!(managed_logs))
        .routes(routes!(adopt_process))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ManagedList {
    pub apps: Vec<ManagedView>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ManagedCreated {
    pub app: ManagedView,
}

/// What to keep running: a desktop entry, or an argument vector (no shell).
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ManagedBody {
    pub name: String,
    pub desktop_id: Option<String>,
    #[serde(default)]
    pub argv: Vec<String>,
    pub cwd: Option<String>,
    /// Extra environment variables.
    #[serde(default)]
    pub env: std::collections::BTreeMap<String, String>,
    /// `{"restart": "on-failure", "backoff": {"initial_ms": 1000, "factor": 2, "max_ms":
    /// 60000}, "stable_after_s": 60, "max_restarts": 10, "window_s": 300, "stop": {"signal":
    /// "TERM", "grace_ms": 10000}, "logs": {"max_bytes": 10485760, "keep": 5}, "autostart":
    /// true}`; every field optional, unknown ones refused.
    #[schema(value_type = Option<crate::managed::Policy>)]
    pub policy: Option<serde_json::Value>,
}

/// The fields to change; `policy` is merged field by field.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ManagedPatch {
    pub name: Option<String>,
    pub argv: Option<Vec<String>>,
    pub cwd: Option<String>,
    pub env: Option<std::collections::BTreeMap<String, String>>,
    #[schema(value_type = Option<Object>)]
    pub policy: Option<serde_json::Value>,
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdoptBody {
    pub name: String,
    /// The start time the caller saw (RFC 3339): refused with 409 if the PID now names
    /// another process.
    pub started_at: Option<String>,
    #[schema(value_type = Option<crate::managed::Policy>)]
    pub policy: Option<serde_json::Value>,
}

/// Every managed app with its state.
#[utoipa::path(get, path = "/api/v1/managed", tag = "managed",
    responses((status = 200, body = ManagedList), (status = 401, body = ErrorBody)))]
async fn list_managed(State(state): State<AppState>, caller: Caller) -> Result<Json<ManagedList>> {
    caller.require(Permission::View)?;
    let apps = state.store.managed_apps().await?;
    Ok(Json(ManagedList {
        apps: apps.iter().map(|a| state.managed.view(a)).collect(),
    }))
}

/// Keeps a program running: stores it with its policy and starts it.
#[utoipa::path(post, path = "/api/v1/managed", tag = "managed", request_body = ManagedBody,
    responses((status = 201, body = ManagedCreated), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Name taken"),
        (status = 422, body = ErrorBody)))]
async fn create_managed(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<ManagedBody>,
) -> Result<(StatusCode, Json<ManagedCreated>)> {
    let request = ManagedRequest {
        name: body.name,
        desktop_id: body.desktop_id.filter(|d| !d.is_empty()),
        argv: body.argv,
        cwd: body.cwd,
        env: body.env.into_iter().collect(),
        policy: body.policy,
    };
    let app = managed::create(&state, &caller, request).await?;
    Ok((StatusCode::CREATED, Json(ManagedCreated { app })))
}

/// One managed app.
#[utoipa::path(get, path = "/api/v1/managed/{id}", tag = "managed",
    params(("id" = i64, Path, description = "Managed app id")),
    responses((status = 200, body = ManagedView), (status = 404, body = ErrorBody)))]
async fn get_managed(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<ManagedView>> {
    caller.require(Permission::View)?;
    let app = state
        .store
        .managed_app(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no managed app with id {id}")))?;
    Ok(Json(state.managed.view(&app)))
}

/// Changes a managed app's name, program or policy (used from the next run on; the policy's
/// restart rules at once).
#[utoipa::path(patch, path = "/api/v1/managed/{id}", tag = "managed",
    params(("id" = i64, Path, description = "Managed app id")), request_body = ManagedPatch,
    responses((status = 200, body = ManagedView), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_managed(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<ManagedPatch>,
) -> Result<Json<ManagedView>> {
    let change = ManagedChange {
        name: body.name,
        argv: body.argv,
        cwd: body.cwd.map(Some),
        env: body.env.map(|env| env.into_iter().collect()),
        policy: body.policy,
    };
    Ok(Json(managed::update(&state, &caller, id, change).await?))
}

/// Stops a managed app (its whole process tree) and forgets it; the launch history stays.
#[utoipa::path(delete, path = "/api/v1/managed/{id}", tag = "managed",
    params(("id" = i64, Path, description = "Managed app id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_managed(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    managed::delete(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Starts a managed app (and keeps it running); the restart counters start afresh.
#[utoipa::path(post, path = "/api/v1/managed/{id}/start", tag = "managed",
    params(("id" = i64, Path, description = "Managed app id")),
    responses((status = 200, body = ManagedView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn start_managed(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<ManagedView>> {
    Ok(Json(
        managed::control(&state, &caller, id, Control::Start).await?,
    ))
}

/// Stops a managed app: the policy's signal to the whole process tree, KILL after
/// `grace_ms`; it stays stopped.
#[utoipa::path(post, path = "/api/v1/managed/{id}/stop", tag = "managed",
    params(("id" = i64, Path, description = "Managed app id")),
    responses((status = 200, body = ManagedView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn stop_managed(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<ManagedView>> {
    Ok(Json(
        managed::control(&state, &caller, id, Control::Stop).await?,
    ))
}

/// Stops (if running) and starts a managed app.
#[utoipa::path(post, path = "/api/v1/managed/{id}/restart", tag = "managed",
    params(("id" = i64, Path, description = "Managed app id")),
    responses((status = 200, body = ManagedView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn restart_managed(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<ManagedView>> {
    Ok(Json(
        managed::control(&state, &caller, id, Control::Restart).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct LogQuery {
    /// How many lines, 1 to 10000 (default 200).
    tail: Option<usize>,
    /// Keep the answer open and send the output as it is written, as `tail -f` does, until
    /// the client goes (or its session or token does, or the app is deleted).
    follow: Option<bool>,
}

/// How often a followed log is looked at.
const FOLLOW_EVERY: Duration = Duration::from_millis(250);
/// How often a follower's credentials and app are checked again without a change announced.
const FOLLOW_RECHECK: Duration = Duration::from_secs(30);

/// Sends what is added to the log at `path` to `tx` until the client goes, its credentials
/// are revoked (at once when announced, as event streams end), or the app is deleted.
async fn follow_log(
    state: AppState,
    caller: Caller,
    id: i64,
    path: std::path::PathBuf,
    mut cursor: crate::logs::LogCursor,
    tx: mpsc::Sender<std::io::Result<Bytes>>,
) {
    let mut changes = state.auth_cache.subscribe();
    let mut checked = Instant::now();
    loop {
        let recheck = tokio::select! {
            _ = tx.closed() => return,
            _ = tokio::time::sleep(FOLLOW_EVERY) => checked.elapsed() >= FOLLOW_RECHECK,
            change = changes.recv() => match change {
                Ok(user_id) => user_id == caller.user.id,
                Err(broadcast::error::RecvError::Lagged(_)) => true,
                Err(broadcast::error::RecvError::Closed) => return,
            },
        };
        // A deleted app's runner is forgotten at once; the store has the last word.
        let gone = !state.managed.knows(id);
        if recheck || gone {
            checked = Instant::now();
            let allowed = caller.still_valid(&state).await.unwrap_or(true);
            let exists = !matches!(state.store.managed_app(id).await, Ok(None));
            if !allowed || !exists {
                return;
            }
        }
        let file = path.clone();
        let read = tokio::task::spawn_blocking(move || {
            let new = cursor.read_new(&file);
            (cursor, new)
        })
        .await;
        let Ok((moved, new)) = read else { return };
        cursor = moved;
        match new {
            Ok(bytes) if bytes.is_empty() => {}
            Ok(bytes) => {
                if tx.send(Ok(Bytes::from(bytes))).await.is_err() {
                    return;
                }
            }
            Err(err) => {
                let _ = tx.send(Err(err)).await;
                return;
            }
        }
    }
}

/// The last lines of a managed app's output (stdout and stderr), across its rotated files.
#[utoipa::path(get, path = "/api/v1/managed/{id}/logs", tag = "managed",
    params(("id" = i64, Path, description = "Managed app id"), LogQuery),
    responses((status = 200, content_type = "text/plain", description = "The lines"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn managed_logs(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(query): Query<LogQuery>,
) -> Result<Response> {
    caller.require(Permission::View)?;
    let lines = params::count("tail", query.tail, 200, 10_000)?;
    let app = state
        .store
        .managed_app(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no managed app with id {id}")))?;
    let path = crate::managed::log_path(&state, id);
    let keep = app.app.policy.logs.keep;
    let file = path.clone();
    let (text, cursor) =
        tokio::task::spawn_blocking(move || crate::logs::tail_and_cursor(&file, keep, lines))
            .await
            .map_err(|e| Error::Internal(e.into()))?
            .map_err(|e| Error::Internal(anyhow::anyhow!("cannot read the log: {e}")))?;
    let headers = [
        (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    if query.follow != Some(true) {
        return Ok((headers, text).into_response());
    }
    let (tx, rx) = mpsc::channel(16);
    let _ = tx.send(Ok(Bytes::from(text))).await;
    tokio::spawn(follow_log(state, caller, id, path, cursor, tx));
    Ok((headers, Body::from_stream(ReceiverStream::new(rx))).into_response())
}

/// Turns a running process into a managed app: argv, working directory and environment are
/// read from the system; Boss watches it and restarts it by the policy when it ends. PID 1,
/// Boss and protected processes are refused (403 `protected`).
#[utoipa::path(post, path = "/api/v1/processes/{pid}/adopt", tag = "managed",
    params(("pid" = u32, Path, description = "Process id")), request_body = AdoptBody,
    responses((status = 201, body = ManagedCreated), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn adopt_process(
    State(state): State<AppState>,
    caller: Caller,
    Path(pid): Path<u32>,
    Json(body): Json<AdoptBody>,
) -> Result<(StatusCode, Json<ManagedCreated>)> {
    let target = params::target(pid, body.started_at.as_deref())?;
    let app = managed::adopt(&state, &caller, target, body.name, body.policy).await?;
    Ok((StatusCode::CREATED, Json(ManagedCreated { app })))
}
