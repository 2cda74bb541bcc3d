//! The process table, process details, the system summary, and actions on processes.

use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use platform::{ProcessDetail, Signal, SystemInfo};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ErrorBody;
use super::extract::{Json, OptionalJson, Path, Query};
use super::params;
use crate::actions::processes::{self, ActionReport, RevealedCommandLine};
use crate::auth::{Caller, Permission};
use crate::clock::to_rfc3339;
use crate::error::{Error, Result};
use crate::live::Sample;
use crate::processes::ProcessRow;
use crate::redact::{redact_argv, redact_cmdline};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_processes))
        .routes(routes!(process_detail))
        .routes(routes!(signal_process))
        .routes(routes!(terminate_process))
        .routes(routes!(renice_process))
        .routes(routes!(reveal_cmdline))
        .routes(routes!(system))
}

/// The body of `GET /api/v1/processes` (documentation type; the server sends cached bytes).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ProcessList {
    pub taken_at: String,
    pub processes: Vec<ProcessRow>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SampleQuery {
    /// Wait for a new scan instead of taking the latest sample (which may be up to about one
    /// sample interval old; `taken_at` tells). `Cache-Control: no-cache` does the same.
    #[serde(default)]
    fresh: bool,
}

/// The latest sample, or a new scan when the client asks for one (`?fresh=true` or
/// `Cache-Control: no-cache`).
async fn sample_for(
    state: &AppState,
    query: &SampleQuery,
    headers: &HeaderMap,
) -> Result<std::sync::Arc<Sample>> {
    let no_cache = headers
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|directive| directive.trim().eq_ignore_ascii_case("no-cache"));
    if query.fresh || no_cache {
        state.processes.fresh(Duration::ZERO).await
    } else {
        state.processes.latest().await
    }
}

/// Machine-wide figures.
#[derive(Serialize, ToSchema)]
pub struct SystemView {
    hostname: String,
    os: String,
    kernel: String,
    uptime_secs: u64,
    booted_at: String,
    cpu_count: u32,
    /// All cores together, 0 to 100.
    cpu_percent: f32,
    load_average: [f64; 3],
    memory_total_bytes: u64,
    memory_available_bytes: u64,
    swap_total_bytes: u64,
    swap_free_bytes: u64,
    process_count: u32,
    thread_count: u32,
    taken_at: String,
}

impl SystemView {
    pub fn new(s: &SystemInfo, taken_at: i64) -> Self {
        Self {
            hostname: s.hostname.clone(),
            os: s.os.clone(),
            kernel: s.kernel.clone(),
            uptime_secs: s.uptime_secs,
            booted_at: to_rfc3339(s.booted_at),
            cpu_count: s.cpu_count,
            cpu_percent: (s.cpu_percent * 10.0).round() / 10.0,
            load_average: s.load_average,
            memory_total_bytes: s.memory_total_bytes,
            memory_available_bytes: s.memory_available_bytes,
            swap_total_bytes: s.swap_total_bytes,
            swap_free_bytes: s.swap_free_bytes,
            process_count: s.process_count,
            thread_count: s.thread_count,
            taken_at: to_rfc3339(taken_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
struct IoView {
    read_bytes: u64,
    write_bytes: u64,
    read_chars: u64,
    write_chars: u64,
}

#[derive(Serialize, ToSchema)]
struct OpenFileView {
    fd: u32,
    kind: String,
    target: String,
}

#[derive(Serialize, ToSchema)]
struct EnvironmentVariable {
    name: String,
    value: String,
}

/// Everything about one process.
#[derive(Serialize, ToSchema)]
struct ProcessDetailView {
    process: ProcessRow,
    exe: Option<String>,
    cwd: Option<String>,
    /// With credentials replaced by `***`, for every role (like `process.cmdline`);
    /// `process.redacted` says whether either hides something (admins may reveal it with
    /// `POST /api/v1/processes/{pid}/reveal`).
    argv: Vec<String>,
    /// Only for operators and admins (environments often hold secrets); null otherwise or
    /// when the system does not let Boss read it.
    environment: Option<Vec<EnvironmentVariable>>,
    environment_hidden: bool,
    nice: i32,
    priority: i32,
    session_id: u32,
    process_group: u32,
    terminal: Option<String>,
    virtual_memory_bytes: u64,
    io: Option<IoView>,
    open_files: Option<Vec<OpenFileView>>,
    open_file_count: Option<u32>,
    voluntary_context_switches: Option<u64>,
    involuntary_context_switches: Option<u64>,
    /// Direct children.
    children: Vec<ProcessRow>,
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignalRequest {
    /// TERM, KILL, STOP, CONT, HUP, INT, USR1 or USR2 (a `SIG` prefix is fine).
    pub signal: String,
    /// Also signal every descendant (children first).
    #[serde(default)]
    pub tree: bool,
    /// The `started_at` you saw; refused with 409 if the PID now names another process.
    pub started_at: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TerminateRequest {
    /// How long to wait after TERM before KILL, 0 to 60000 (default 5000).
    pub timeout_ms: Option<u64>,
    #[serde(default)]
    pub tree: bool,
    pub started_at: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
struct RevealRequest {
    /// The `started_at` you saw; refused with 409 if the PID now names another process.
    started_at: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PriorityRequest {
    /// -20 (highest priority) to 19 (lowest). Raising priority needs privileges.
    nice: i32,
    #[serde(default)]
    tree: bool,
    started_at: Option<String>,
}

/// Every process (not threads), with CPU over the last interval. Served at once from the latest
/// sample (`taken_at` is its time) while the next one is taken in the background; ask for
/// `fresh=true` (or send `Cache-Control: no-cache`) to wait for a new scan.
#[utoipa::path(get, path = "/api/v1/processes", tag = "processes", params(SampleQuery),
    responses((status = 200, body = ProcessList), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 503, body = ErrorBody)))]
async fn list_processes(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SampleQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    caller.require(Permission::View)?;
    let sample = sample_for(&state, &query, &headers).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        sample.list_json(),
    )
        .into_response())
}

/// One process in detail.
#[utoipa::path(get, path = "/api/v1/processes/{pid}", tag = "processes",
    params(("pid" = u32, Path, description = "Process id")),
    responses((status = 200, body = ProcessDetailView), (status = 404, body = ErrorBody)))]
async fn process_detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(pid): Path<u32>,
) -> Result<Json<ProcessDetailView>> {
    caller.require(Permission::View)?;
    let detail: ProcessDetail = tokio::task::spawn_blocking(move || platform::process_detail(pid))
        .await
        .map_err(|e| Error::Internal(e.into()))?
        .map_err(|e| match e {
            platform::Error::NotFound(_) => Error::NotFound(format!("no process with PID {pid}")),
            other => other.into(),
        })?;
    let mut sample = state.processes.fresh(state.processes.interval).await?;
    if sample
        .process(pid)
        .is_none_or(|p| p.start_ticks != detail.info.start_ticks)
    {
        sample = state.processes.fresh(Duration::ZERO).await?;
    }
    let mut process = match sample.row(pid) {
        Some(row)
            if sample
                .process(pid)
                .is_some_and(|p| p.start_ticks == detail.info.start_ticks) =>
        {
            row.clone()
        }
        _ => return Err(Error::NotFound(format!("no process with PID {pid}"))),
    };
    // The sample gives CPU (a rate over the interval); the rest is as of now.
    let now = &detail.info;
    process.state = now.state;
    process.ppid = now.ppid;
    process.name = now.name.to_string();
    process.memory_bytes = now.memory_bytes;
    process.threads = now.threads;
    // Redacted here as in the table, whatever the role: admins reveal through an audited route.
    let redacted_cmdline = redact_cmdline(&now.cmdline);
    let redacted_argv = redact_argv(&detail.argv);
    process.redacted = redacted_cmdline.is_some() || redacted_argv.is_some();
    process.cmdline = redacted_cmdline.unwrap_or_else(|| now.cmdline.to_string());
    let children = sample
        .snapshot
        .processes
        .iter()
        .filter(|p| p.ppid == pid && p.pid != pid)
        .filter_map(|p| sample.row(p.pid).cloned())
        .collect();
    let may_see_environment = caller.user.role.allows(Permission::ViewEnvironment);
    Ok(Json(ProcessDetailView {
        process,
        exe: detail.exe,
        cwd: detail.cwd,
        argv: redacted_argv.unwrap_or(detail.argv),
        environment: detail
            .environment
            .filter(|_| may_see_environment)
            .map(|vars| {
                vars.into_iter()
                    .map(|(name, value)| EnvironmentVariable { name, value })
                    .collect()
            }),
        environment_hidden: !may_see_environment,
        nice: detail.nice,
        priority: detail.priority,
        session_id: detail.session_id,
        process_group: detail.process_group,
        terminal: detail.terminal,
        virtual_memory_bytes: detail.virtual_memory_bytes,
        io: detail.io.map(|io| IoView {
            read_bytes: io.read_bytes,
            write_bytes: io.write_bytes,
            read_chars: io.read_chars,
            write_chars: io.write_chars,
        }),
        open_files: detail.open_files.map(|files| {
            files
                .into_iter()
                .map(|f| OpenFileView {
                    fd: f.fd,
                    kind: f.kind,
                    target: f.target,
                })
                .collect()
        }),
        open_file_count: detail.open_file_count,
        voluntary_context_switches: detail.voluntary_context_switches,
        involuntary_context_switches: detail.involuntary_context_switches,
        children,
    }))
}

/// Sends a signal to a process (and with `tree`, to all its descendants first).
#[utoipa::path(post, path = "/api/v1/processes/{pid}/signal", tag = "processes",
    params(("pid" = u32, Path, description = "Process id")), request_body = SignalRequest,
    responses((status = 200, body = ActionReport),
        (status = 403, body = ErrorBody, description = "Not allowed, protected, or refused by the OS"),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "PID reused"),
        (status = 422, body = ErrorBody, description = "Unknown signal")))]
async fn signal_process(
    State(state): State<AppState>,
    caller: Caller,
    Path(pid): Path<u32>,
    Json(body): Json<SignalRequest>,
) -> Result<Json<ActionReport>> {
    let signal = Signal::parse(&body.signal).ok_or_else(|| {
        let names: Vec<_> = Signal::ALL.iter().map(|s| s.name()).collect();
        Error::Invalid(format!(
            "unknown signal '{}': use one of {}",
            body.signal,
            names.join(", ")
        ))
    })?;
    let target = params::target(pid, body.started_at.as_deref())?;
    Ok(Json(
        processes::signal(&state, &caller, target, signal, body.tree).await?,
    ))
}

/// Ends a process: TERM, wait up to `timeout_ms`, then KILL; reports which it took.
#[utoipa::path(post, path = "/api/v1/processes/{pid}/terminate", tag = "processes",
    params(("pid" = u32, Path, description = "Process id")), request_body = TerminateRequest,
    responses((status = 200, body = ActionReport), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn terminate_process(
    State(state): State<AppState>,
    caller: Caller,
    Path(pid): Path<u32>,
    Json(body): Json<TerminateRequest>,
) -> Result<Json<ActionReport>> {
    let timeout = params::timeout(body.timeout_ms, 5000, 60_000)?;
    let target = params::target(pid, body.started_at.as_deref())?;
    Ok(Json(
        processes::terminate(&state, &caller, target, timeout, body.tree).await?,
    ))
}

/// Changes the priority (nice value) of a process and its threads.
#[utoipa::path(post, path = "/api/v1/processes/{pid}/priority", tag = "processes",
    params(("pid" = u32, Path, description = "Process id")), request_body = PriorityRequest,
    responses((status = 200, body = ActionReport), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn renice_process(
    State(state): State<AppState>,
    caller: Caller,
    Path(pid): Path<u32>,
    Json(body): Json<PriorityRequest>,
) -> Result<Json<ActionReport>> {
    let target = params::target(pid, body.started_at.as_deref())?;
    Ok(Json(
        processes::renice(&state, &caller, target, body.nice, body.tree).await?,
    ))
}

/// The full command line of a process, credentials included: admins only, and audited
/// (`process.reveal_cmdline`). Everyone else sees command lines with secrets replaced by `***`.
#[utoipa::path(post, path = "/api/v1/processes/{pid}/reveal", tag = "processes",
    params(("pid" = u32, Path, description = "Process id")), request_body(content = RevealRequest, description = "Optional"),
    responses((status = 200, body = RevealedCommandLine),
        (status = 403, body = ErrorBody, description = "Not an admin"),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "PID reused"),
        (status = 422, body = ErrorBody)))]
async fn reveal_cmdline(
    State(state): State<AppState>,
    caller: Caller,
    Path(pid): Path<u32>,
    OptionalJson(body): OptionalJson<RevealRequest>,
) -> Result<Json<RevealedCommandLine>> {
    let body = body.unwrap_or_default();
    let target = params::target(pid, body.started_at.as_deref())?;
    Ok(Json(
        processes::reveal_cmdline(&state, &caller, target).await?,
    ))
}

/// Host, OS, uptime, CPU, memory, swap and load, from the latest sample like the process list
/// (`fresh=true` or `Cache-Control: no-cache` waits for a new scan).
#[utoipa::path(get, path = "/api/v1/system", tag = "processes", params(SampleQuery),
    responses((status = 200, body = SystemView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody)))]
async fn system(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SampleQuery>,
    headers: HeaderMap,
) -> Result<Json<SystemView>> {
    caller.require(Permission::View)?;
    let sample = sample_for(&state, &query, &headers).await?;
    Ok(Json(SystemView::new(
        &sample.snapshot.system,
        sample.taken_at(),
    )))
}
