//! Saved desks ("sessions"): list, save, show, rename, delete, restore.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ErrorBody;
use super::extract::{Json, OptionalJson, Path};
use super::params;
use crate::actions::sessions::{self, RestoreReport};
use crate::auth::{Caller, Permission};
use crate::clock::to_rfc3339;
use crate::error::{Error, Result};
use crate::sessions::{CommandSource, Confidence, SessionApp, SessionWindow};
use crate::state::AppState;
use crate::store::{DeskSession, DeskSessionKind};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_sessions, save_session))
        .routes(routes!(get_session, rename_session, delete_session))
        .routes(routes!(restore_session))
}

/// A saved desk, as lists show it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionView {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    pub created_by: String,
    /// `manual`, or `close_all` (saved by Boss before a close-all, to undo it).
    pub kind: DeskSessionKind,
    /// How many apps and windows it holds.
    pub apps: i64,
    pub windows: i64,
}

impl From<&DeskSession> for SessionView {
    fn from(s: &DeskSession) -> Self {
        Self {
            id: s.id,
            name: s.name.clone(),
            created_at: to_rfc3339(s.created_at),
            created_by: s.created_by.clone(),
            kind: s.kind,
            apps: s.apps,
            windows: s.windows,
        }
    }
}

/// One app of a saved desk, its command's credentials hidden as in the process list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionAppView {
    pub key: String,
    pub name: String,
    pub desktop_id: Option<String>,
    pub argv: Vec<String>,
    /// Whether `argv` had credentials hidden (the restore uses the full one).
    pub redacted: bool,
    pub cwd: Option<String>,
    pub source: Option<CommandSource>,
    pub confidence: Option<Confidence>,
    pub restorable: bool,
    /// Why it cannot be restored.
    pub reason: Option<String>,
    pub windows: Vec<SessionWindow>,
}

impl From<SessionApp> for SessionAppView {
    fn from(app: SessionApp) -> Self {
        let redacted = crate::redact::redact_argv(&app.argv);
        Self {
            key: app.key,
            name: app.name,
            desktop_id: app.desktop_id,
            redacted: redacted.is_some(),
            argv: redacted.unwrap_or(app.argv),
            cwd: app.cwd,
            source: app.source,
            confidence: app.confidence,
            restorable: app.restorable,
            reason: app.reason,
            windows: app.windows,
        }
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct SessionList {
    pub sessions: Vec<SessionView>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct SessionCreated {
    pub session: SessionView,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct SessionDetail {
    pub session: SessionView,
    pub apps: Vec<SessionAppView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionName {
    pub name: String,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestoreRequest {
    /// Only say what would happen.
    #[serde(default)]
    pub dry_run: bool,
    /// How long to wait for the started apps' windows, 0 to 120000 (default 20000).
    pub timeout_ms: Option<u64>,
}

fn session_id(text: &str) -> Result<i64> {
    text.parse()
        .map_err(|_| Error::BadRequest(format!("'{text}' is not a session id")))
}

/// Saved desks, newest first.
#[utoipa::path(get, path = "/api/v1/sessions", tag = "sessions",
    responses((status = 200, body = SessionList), (status = 401, body = ErrorBody)))]
async fn list_sessions(State(state): State<AppState>, caller: Caller) -> Result<Json<SessionList>> {
    caller.require(Permission::View)?;
    let sessions = state.store.list_desk_sessions().await?;
    Ok(Json(SessionList {
        sessions: sessions.iter().map(SessionView::from).collect(),
    }))
}

/// Saves the open apps and windows now, under a name.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "sessions", request_body = SessionName,
    responses((status = 201, body = SessionCreated), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 503, body = ErrorBody, description = "No display")))]
async fn save_session(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<SessionName>,
) -> Result<(StatusCode, Json<SessionCreated>)> {
    let session = sessions::save(&state, &caller, &body.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(SessionCreated {
            session: SessionView::from(&session),
        }),
    ))
}

/// A saved desk with its apps (how each starts again) and their windows.
#[utoipa::path(get, path = "/api/v1/sessions/{id}", tag = "sessions",
    params(("id" = i64, Path, description = "Session id")),
    responses((status = 200, body = SessionDetail), (status = 404, body = ErrorBody)))]
async fn get_session(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<SessionDetail>> {
    caller.require(Permission::View)?;
    let (session, snapshot) = sessions::get(&state, session_id(&id)?).await?;
    Ok(Json(SessionDetail {
        session: SessionView::from(&session),
        apps: snapshot
            .apps
            .into_iter()
            .map(SessionAppView::from)
            .collect(),
    }))
}

/// Renames a saved desk (one's own; admins: anyone's).
#[utoipa::path(patch, path = "/api/v1/sessions/{id}", tag = "sessions",
    params(("id" = i64, Path, description = "Session id")), request_body = SessionName,
    responses((status = 200, body = SessionCreated), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn rename_session(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<SessionName>,
) -> Result<Json<SessionCreated>> {
    let session = sessions::rename(&state, &caller, session_id(&id)?, &body.name).await?;
    Ok(Json(SessionCreated {
        session: SessionView::from(&session),
    }))
}

/// Deletes a saved desk (one's own; admins: anyone's).
#[utoipa::path(delete, path = "/api/v1/sessions/{id}", tag = "sessions",
    params(("id" = i64, Path, description = "Session id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_session(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    sessions::delete(&state, &caller, session_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Puts a saved desk back: starts each app that is not running (never a second copy) and puts
/// the windows where they were. `dry_run` returns the plan.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/restore", tag = "sessions",
    params(("id" = i64, Path, description = "Session id")),
    request_body(content = RestoreRequest, description = "Optional"),
    responses((status = 200, body = RestoreReport), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 503, body = ErrorBody, description = "No display")))]
async fn restore_session(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    OptionalJson(body): OptionalJson<RestoreRequest>,
) -> Result<Json<RestoreReport>> {
    let id = session_id(&id)?;
    let body = body.unwrap_or_default();
    let timeout = params::timeout(body.timeout_ms, 20_000, 120_000)?;
    let report = sessions::restore(&state, &caller, id, body.dry_run, timeout).await?;
    Ok(Json(report))
}
