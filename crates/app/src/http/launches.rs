//! The launch history: list (filters, paging, CSV), totals per application, one launch,
//! starting any program, and stopping a launch.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ErrorBody;
use super::extract::{Json, Path, Query};
use super::params;
use crate::actions::launches;
use crate::auth::{Caller, Permission};
use crate::clock::{now_ms, to_rfc3339};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::{AppTotal, Launch, LaunchFilter, LaunchOutcome};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_launches, launch_program))
        .routes(routes!(launches_csv))
        .routes(routes!(launch_totals))
        .routes(routes!(get_launch))
        .routes(routes!(stop_launch))
        .routes(routes!(relaunch))
}

/// A launch as the API shows it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LaunchView {
    pub id: i64,
    pub user: String,
    pub app_id: Option<String>,
    pub app_name: String,
    /// What was run, credentials hidden as in the process list (relaunch with
    /// `POST /api/v1/launches/{id}/relaunch`, which uses the full record).
    pub argv: Vec<String>,
    /// Whether `argv` had credentials hidden.
    #[serde(default)]
    pub redacted: bool,
    pub cwd: Option<String>,
    pub started_at: String,
    pub pid: Option<u32>,
    pub ended_at: Option<String>,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    /// Run time so far for a running launch.
    pub duration_ms: i64,
    pub outcome: LaunchOutcome,
    /// Why it could not be started (outcome `failed_to_start`).
    pub error: Option<String>,
    pub running: bool,
    /// The managed app this run belongs to.
    #[serde(default)]
    pub managed_id: Option<i64>,
    /// In a fleet, the host it was started on (stop and relaunch it there).
    #[serde(default)]
    pub host: Option<String>,
}

impl From<&Launch> for LaunchView {
    fn from(l: &Launch) -> Self {
        let r = &l.record;
        let redacted = crate::redact::redact_argv(&r.argv);
        Self {
            id: l.id,
            user: r.username.clone(),
            app_id: r.app_id.clone(),
            app_name: r.app_name.clone(),
            argv: redacted.clone().unwrap_or_else(|| r.argv.clone()),
            redacted: redacted.is_some(),
            cwd: r.cwd.clone(),
            started_at: to_rfc3339(r.started_at),
            pid: r.pid,
            ended_at: l.ended_at.map(to_rfc3339),
            exit_code: l.exit_code,
            signal: l.signal,
            duration_ms: (l.ended_at.unwrap_or_else(now_ms) - r.started_at).max(0),
            outcome: r.outcome,
            error: r.error.clone(),
            running: l.ended_at.is_none() && r.outcome == LaunchOutcome::Running,
            managed_id: r.managed_id,
            host: r.host.clone(),
        }
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct LaunchCreated {
    pub launch: LaunchView,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct LaunchPage {
    pub launches: Vec<LaunchView>,
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct Totals {
    totals: Vec<AppTotal>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct HistoryQuery {
    /// Who launched.
    user: Option<String>,
    /// An app id or name.
    app: Option<String>,
    #[param(value_type = Option<LaunchOutcome>)]
    outcome: Option<String>,
    /// RFC 3339: started at or after.
    since: Option<String>,
    /// RFC 3339: started before.
    until: Option<String>,
    /// 1 to 1000 (default 100; CSV: up to 100000).
    limit: Option<i64>,
    cursor: Option<String>,
}

fn filter(query: &HistoryQuery, default_limit: i64, max_limit: i64) -> Result<LaunchFilter> {
    let limit = params::count("limit", query.limit, default_limit, max_limit)?;
    let outcome = query.outcome.clone().filter(|o| !o.is_empty());
    if let Some(outcome) = &outcome
        && LaunchOutcome::parse(outcome).is_none()
    {
        let names: Vec<_> = LaunchOutcome::ALL.iter().map(|o| o.as_str()).collect();
        return Err(Error::Invalid(format!(
            "'outcome' must be one of {}, not '{outcome}'",
            names.join(", ")
        )));
    }
    Ok(LaunchFilter {
        username: query.user.clone().filter(|u| !u.is_empty()),
        app: query.app.clone().filter(|a| !a.is_empty()),
        outcome,
        since: params::time("since", query.since.as_deref())?,
        until: params::time("until", query.until.as_deref())?,
        before_id: params::cursor(query.cursor.as_deref())?,
        limit,
    })
}

/// The most rows one CSV export holds (the `limit` of a CSV request may lower it; README, the
/// CLI help and the OpenAPI text state the same number).
const CSV_MAX_ROWS: i64 = 100_000;

/// A cell as a spreadsheet will show it, not run it: text that starts like a formula (`=`,
/// `+`, `-`, `@`, or a tab or carriage return that some programs skip before one) gets a `'`
/// in front, as OWASP recommends against CSV injection. An app name or argument is chosen by
/// whoever launched it, and the file is opened by someone else.
fn spreadsheet_safe(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// The history as CSV (the query's filters, up to `CSV_MAX_ROWS` rows).
async fn csv_response(state: &AppState, query: &HistoryQuery) -> Result<Response> {
    let filter = filter(query, CSV_MAX_ROWS, CSV_MAX_ROWS)?;
    let launches = state.store.list_launches(&filter).await?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let row = |w: &mut csv::Writer<Vec<u8>>, fields: &[String]| {
        w.write_record(fields.iter().map(|f| spreadsheet_safe(f.clone())))
            .map_err(|e| Error::Internal(e.into()))
    };
    let header: Vec<String> = [
        "id",
        "user",
        "app_id",
        "app_name",
        "argv",
        "cwd",
        "started_at",
        "pid",
        "ended_at",
        "exit_code",
        "signal",
        "duration_ms",
        "outcome",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    row(&mut writer, &header)?;
    let text = |v: Option<String>| v.unwrap_or_default();
    for l in &launches {
        let v = LaunchView::from(l);
        row(
            &mut writer,
            &[
                v.id.to_string(),
                v.user,
                text(v.app_id),
                v.app_name,
                serde_json::to_string(&v.argv).unwrap_or_default(),
                text(v.cwd),
                v.started_at,
                text(v.pid.map(|p| p.to_string())),
                text(v.ended_at),
                text(v.exit_code.map(|c| c.to_string())),
                text(v.signal.map(|s| s.to_string())),
                v.duration_ms.to_string(),
                v.outcome.as_str().to_string(),
            ],
        )?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| Error::Internal(anyhow::anyhow!("csv: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"boss-launches.csv\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Launches, newest first (`Accept: text/csv` for CSV).
#[utoipa::path(get, path = "/api/v1/launches", tag = "launches", params(HistoryQuery),
    responses((status = 200, body = LaunchPage), (status = 422, body = ErrorBody)))]
async fn list_launches(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(query): Query<HistoryQuery>,
) -> Result<Response> {
    caller.require(Permission::View)?;
    let wants_csv = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/csv"));
    if wants_csv {
        return csv_response(&state, &query).await;
    }
    let mut filter = filter(&query, 100, 1000)?;
    let limit = filter.limit;
    filter.limit += 1;
    let mut launches = state.store.list_launches(&filter).await?;
    let next_cursor = params::next_cursor(&mut launches, limit, |l| l.id);
    Ok(Json(LaunchPage {
        launches: launches.iter().map(LaunchView::from).collect(),
        next_cursor,
    })
    .into_response())
}

/// The history as a CSV download (same filters; up to 100000 rows).
#[utoipa::path(get, path = "/api/v1/launches.csv", tag = "launches", params(HistoryQuery),
    responses((status = 200, content_type = "text/csv", description = "CSV"), (status = 422, body = ErrorBody)))]
async fn launches_csv(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<HistoryQuery>,
) -> Result<Response> {
    caller.require(Permission::View)?;
    csv_response(&state, &query).await
}

/// Per application: number of launches and total run time (same filters).
#[utoipa::path(get, path = "/api/v1/launches/totals", tag = "launches", params(HistoryQuery),
    responses((status = 200, body = Totals), (status = 422, body = ErrorBody)))]
async fn launch_totals(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<HistoryQuery>,
) -> Result<Json<Totals>> {
    caller.require(Permission::View)?;
    let totals = state
        .store
        .launch_totals(&filter(&query, 100, 100_000)?, now_ms())
        .await?;
    Ok(Json(Totals { totals }))
}

/// One launch.
#[utoipa::path(get, path = "/api/v1/launches/{id}", tag = "launches",
    params(("id" = i64, Path, description = "Launch id")),
    responses((status = 200, body = LaunchView), (status = 404, body = ErrorBody)))]
async fn get_launch(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<LaunchView>> {
    caller.require(Permission::View)?;
    let launch = state
        .store
        .launch(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no launch with id {id}")))?;
    Ok(Json(LaunchView::from(&launch)))
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramRequest {
    /// A path, or a program name looked up in PATH.
    pub program: String,
    #[serde(default)]
    pub args: Vec<String>,
    /// The working directory (default: the home directory).
    pub cwd: Option<String>,
}

/// Starts any program with arguments (no shell), detached, and records the launch.
#[utoipa::path(post, path = "/api/v1/launches", tag = "launches", request_body = ProgramRequest,
    responses((status = 201, body = LaunchCreated), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn launch_program(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<ProgramRequest>,
) -> Result<(StatusCode, Json<LaunchCreated>)> {
    let launch =
        launches::launch_program(&state, &caller, &body.program, body.args, body.cwd).await?;
    Ok((
        StatusCode::CREATED,
        Json(LaunchCreated {
            launch: LaunchView::from(&launch),
        }),
    ))
}

/// Starts again what a launch started: the same application, or the same program with the
/// same arguments and working directory (from the full record: the history shows credentials
/// hidden).
#[utoipa::path(post, path = "/api/v1/launches/{id}/relaunch", tag = "launches",
    params(("id" = i64, Path, description = "Launch id")),
    responses((status = 201, body = LaunchCreated), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn relaunch(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<LaunchCreated>)> {
    let launch = launches::relaunch(&state, &caller, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(LaunchCreated {
            launch: LaunchView::from(&launch),
        }),
    ))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
struct StopRequest {
    /// How long to wait after closing its windows and after TERM (default 5000, max 60000).
    timeout_ms: Option<u64>,
}

#[derive(Serialize, ToSchema)]
struct StopResponse {
    launch: LaunchView,
    windows_closed: usize,
    /// The signal it took, if closing its windows was not enough: `TERM` or `KILL`.
    signal: Option<String>,
    outcome: LaunchOutcome,
}

/// Stops a running launch: its windows closed gracefully, then TERM, then KILL.
#[utoipa::path(post, path = "/api/v1/launches/{id}/stop", tag = "launches",
    params(("id" = i64, Path, description = "Launch id")),
    request_body(content = StopRequest, description = "Optional"),
    responses((status = 200, body = StopResponse), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Not running")))]
async fn stop_launch(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    super::extract::OptionalJson(body): super::extract::OptionalJson<StopRequest>,
) -> Result<Json<StopResponse>> {
    let timeout = params::timeout(body.unwrap_or_default().timeout_ms, 5000, 60_000)?;
    let report = launches::stop(&state, &caller, id, timeout).await?;
    let launch = LaunchView::from(&report.launch);
    Ok(Json(StopResponse {
        outcome: launch.outcome,
        launch,
        windows_closed: report.windows_closed,
        signal: report.signal.map(str::to_string),
    }))
}
