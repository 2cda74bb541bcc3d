//! The desktop's windows and actions on them.

use std::time::Duration;

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ErrorBody;
use super::extract::{Json, OptionalJson, Path};
use super::params;
use crate::actions::windows::{self, CloseAllReport, Expected, WindowResult};
use crate::auth::{Caller, Permission};
use crate::error::Result;
use crate::state::AppState;
use crate::windows::{WindowListView, WindowRow, parse_window_id, view};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_windows))
        .routes(routes!(close_window))
        .routes(routes!(close_all_windows))
        .routes(routes!(activate_window))
        .routes(routes!(minimize_window))
}

/// Optional: what the caller saw, so that a reused window id is not acted on.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowRequest {
    /// How long to watch what the application does after the close request, 0 to 60000
    /// (default 5000). Only for close.
    pub timeout_ms: Option<u64>,
    /// The window's PID as listed; refused with 409 if it changed.
    pub pid: Option<u32>,
    /// The window's class as listed; refused with 409 if it changed.
    pub class: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseAllRequest {
    /// Only report what would happen.
    #[serde(default)]
    pub dry_run: bool,
    pub timeout_ms: Option<u64>,
}

fn timeout(ms: Option<u64>) -> Result<Duration> {
    params::timeout(ms, 5000, 60_000)
}

fn expected(body: &WindowRequest) -> Expected {
    Expected {
        pid: body.pid,
        class: body.class.clone(),
    }
}

/// The open top-level windows (transient dialogs included, with `transient_for`).
#[utoipa::path(get, path = "/api/v1/windows", tag = "windows",
    responses((status = 200, body = WindowListView), (status = 401, body = ErrorBody)))]
async fn list_windows(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<WindowListView>> {
    caller.require(Permission::View)?;
    let windows = state.windows.list().await;
    let protection = state
        .windows
        .protection(caller.peer, state.listen_port.get().copied())
        .await;
    Ok(Json(view(&windows, &protection)))
}

/// Closes a window as its close button would, and reports what happened.
#[utoipa::path(post, path = "/api/v1/windows/{id}/close", tag = "windows",
    params(("id" = String, Path, description = "Window id as listed, e.g. x11:0x01a00007 (a bare X11 id in decimal or 0x-hex is accepted too)")),
    request_body(content = WindowRequest, description = "Optional"),
    responses((status = 200, body = WindowResult), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 503, body = ErrorBody, description = "No display")))]
async fn close_window(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    OptionalJson(body): OptionalJson<WindowRequest>,
) -> Result<Json<WindowResult>> {
    let id = parse_window_id(&id)?;
    let body = body.unwrap_or_default();
    let timeout = timeout(body.timeout_ms)?;
    Ok(Json(
        windows::close(&state, &caller, &id, &expected(&body), timeout).await?,
    ))
}

/// Closes every closable top-level window except protected ones and dialogs, all at once;
/// `dry_run` previews.
#[utoipa::path(post, path = "/api/v1/windows/close-all", tag = "windows", request_body = CloseAllRequest,
    responses((status = 200, body = CloseAllReport), (status = 403, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
async fn close_all_windows(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<CloseAllRequest>,
) -> Result<Json<CloseAllReport>> {
    let timeout = timeout(body.timeout_ms)?;
    Ok(Json(
        windows::close_all(&state, &caller, body.dry_run, timeout).await?,
    ))
}

/// Brings a window to the front.
#[utoipa::path(post, path = "/api/v1/windows/{id}/activate", tag = "windows",
    params(("id" = String, Path, description = "Window id as listed, e.g. x11:0x01a00007 (a bare X11 id in decimal or 0x-hex is accepted too)")),
    request_body(content = WindowRequest, description = "Optional"),
    responses((status = 200, body = WindowRow), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn activate_window(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    OptionalJson(body): OptionalJson<WindowRequest>,
) -> Result<Json<WindowRow>> {
    arrange(&state, &caller, &id, body, false).await
}

/// Minimizes a window (needs a window manager).
#[utoipa::path(post, path = "/api/v1/windows/{id}/minimize", tag = "windows",
    params(("id" = String, Path, description = "Window id as listed, e.g. x11:0x01a00007 (a bare X11 id in decimal or 0x-hex is accepted too)")),
    request_body(content = WindowRequest, description = "Optional"),
    responses((status = 200, body = WindowRow), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 503, body = ErrorBody, description = "No window manager")))]
async fn minimize_window(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    OptionalJson(body): OptionalJson<WindowRequest>,
) -> Result<Json<WindowRow>> {
    arrange(&state, &caller, &id, body, true).await
}

/// Activate and minimize differ only in what they ask of the window system.
async fn arrange(
    state: &AppState,
    caller: &Caller,
    id: &str,
    body: Option<WindowRequest>,
    minimize: bool,
) -> Result<Json<WindowRow>> {
    let id = parse_window_id(id)?;
    let body = body.unwrap_or_default();
    Ok(Json(
        windows::arrange(state, caller, &id, &expected(&body), minimize).await?,
    ))
}
