//! Starting programs and following them: every launch is recorded (who, what, when, PID),
//! watched until it ends (exit code or signal), reconciled after a restart of Boss, and can be
//! stopped: its windows closed gracefully first, then TERM, then KILL, through the same tree
//! walk and protection rules as the process and window actions.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use platform::{LaunchSpec, ProcessRef, WindowId};
use serde_json::json;
use tokio::sync::broadcast;

use super::processes::{self, MemberOutcome, Target};
use super::{Actor, AuditAction, Outcome, by, refuse_protected, require, windows};
use crate::auth::{Caller, Permission};
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::logs::LogLimits;
use crate::spool::SpooledRecord;
use crate::state::AppState;
use crate::store::{Launch, LaunchEnd, LaunchOutcome, NewLaunch};

/// Writes a launch record, or spools it while the database is away (as audit rows are).
async fn persist(state: &AppState, record: SpooledRecord) {
    state.spool.record(state.store.as_ref(), record).await;
}

/// What to launch, as the caller asked for it.
pub struct LaunchRequest {
    pub app_id: Option<String>,
    pub app_name: String,
    pub spec: LaunchSpec,
}

fn log_path(state: &AppState, uid: &str) -> PathBuf {
    state
        .config
        .data_dir
        .join(crate::server::data_dir::LAUNCH_LOGS)
        .join(format!("{uid}.log"))
}

/// An argument vector as the audit log keeps it: credentials hidden, as everywhere they are
/// shown (the full one stays only in the launch record, for a relaunch).
pub(super) fn shown_argv(argv: &[String]) -> Vec<String> {
    crate::redact::redact_argv(argv).unwrap_or_else(|| argv.to_vec())
}

/// The permission gate of both ways to launch (`what`: the app id or program).
async fn may_launch(state: &AppState, caller: &Caller, what: &str) -> Result<()> {
    let target = Some(what.to_string());
    require(
        state,
        caller,
        Permission::Act,
        AuditAction::AppLaunch,
        target,
    )
    .await
}

/// Launches a catalog application with optional file or URL arguments.
pub async fn launch_app(
    state: &AppState,
    caller: &Caller,
    app_id: &str,
    args: Vec<String>,
) -> Result<Launch> {
    may_launch(state, caller, app_id).await?;
    let catalog = state.apps.get().await;
    let entry = catalog
        .get(app_id)
        .ok_or_else(|| Error::NotFound(format!("no application '{app_id}' is installed")))?;
    let uid = crate::auth::secret::random_hex();
    let spec = LaunchSpec::for_entry(entry, &args, log_path(state, &uid))?;
    let request = LaunchRequest {
        app_id: Some(entry.id.clone()),
        app_name: entry.name.clone(),
        spec,
    };
    start(state, caller, uid, request).await
}

/// Launches again what launch `id` launched: its application, or its program with the same
/// arguments and working directory. The same gate and records as a first launch.
pub async fn relaunch(state: &AppState, caller: &Caller, id: i64) -> Result<Launch> {
    may_launch(state, caller, &format!("launch {id}")).await?;
    let launch = state
        .store
        .launch(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no launch with id {id}")))?;
    let record = launch.record;
    match record.app_id {
        Some(app_id) => launch_app(state, caller, &app_id, Vec::new()).await,
        None => {
            let mut argv = record.argv.into_iter();
            let program = argv
                .next()
                .ok_or_else(|| Error::Invalid(format!("launch {id} has no program to run")))?;
            launch_program(state, caller, &program, argv.collect(), record.cwd).await
        }
    }
}

/// Launches any program with arguments and a working directory (no shell).
pub async fn launch_program(
    state: &AppState,
    caller: &Caller,
    program: &str,
    args: Vec<String>,
    cwd: Option<String>,
) -> Result<Launch> {
    may_launch(state, caller, program).await?;
    if program.trim().is_empty() || program.len() > 4096 || program.contains('\0') {
        return Err(Error::Invalid(
            "'program' must be a program name or path".into(),
        ));
    }
    if args.len() > 1000 || args.iter().any(|a| a.contains('\0')) {
        return Err(Error::Invalid(
            "'args' must be at most 1000 strings without NUL bytes".into(),
        ));
    }
    let cwd = cwd.filter(|c| !c.is_empty()).map(PathBuf::from);
    if let Some(dir) = &cwd
        && !dir.is_dir()
    {
        return Err(Error::Invalid(format!(
            "the working directory '{}' is not a directory",
            dir.display()
        )));
    }
    let uid = crate::auth::secret::random_hex();
    let mut argv = vec![program.to_string()];
    argv.extend(args);
    let name = program.rsplit('/').next().unwrap_or(program).to_string();
    let spec = LaunchSpec {
        argv,
        cwd,
        env: Vec::new(),
        log_file: log_path(state, &uid),
    };
    start(
        state,
        caller,
        uid,
        LaunchRequest {
            app_id: None,
            app_name: name,
            spec,
        },
    )
    .await
}

async fn start(
    state: &AppState,
    caller: &Caller,
    uid: String,
    request: LaunchRequest,
) -> Result<Launch> {
    let spawned = spawn_recorded(state, Actor::Caller(caller), uid, request, None).await?;
    // Wait for the child on a blocking thread (reaping it), then record how it ended.
    let watcher_state = state.clone();
    let child_uid = spawned.launch.record.uid.clone();
    let mut child = spawned.child;
    tokio::spawn(async move {
        let status = tokio::task::spawn_blocking(move || child.wait()).await;
        let status = status.ok().and_then(|s| s.ok());
        let stopped = watcher_state.launches.take_stopping(&child_uid);
        record_end(&watcher_state, &child_uid, status, stopped).await;
    });
    Ok(spawned.launch)
}

/// A program started and recorded; the caller must wait on `child` (and then call
/// [`record_end`]).
pub(crate) struct Spawned {
    pub launch: Launch,
    pub process: ProcessRef,
    pub child: std::process::Child,
}

/// The run of a managed app a launch belongs to, and the log limits of that app.
pub(crate) struct ManagedRun {
    pub managed_id: i64,
    pub limits: LogLimits,
}

/// Starts a program and records it: the launch row (also when it cannot be started, with the
/// reason), an `app.launch` audit row and the announcement on the live stream. Its output
/// goes to the log writer (capped and rotated), when Boss has one.
pub(crate) async fn spawn_recorded(
    state: &AppState,
    actor: Actor<'_>,
    uid: String,
    mut request: LaunchRequest,
    managed: Option<ManagedRun>,
) -> Result<Spawned> {
    const ACTION: AuditAction = AuditAction::AppLaunch;
    if let Some(display) = &state.config.display {
        request.spec.env.push(("DISPLAY".into(), display.clone()));
    }
    // A session Boss was pointed at (rather than the one it runs in) is where its launches
    // belong too, so that restored windows come back where they were.
    if let Some(session) = &state.config.window_session {
        let wayland = [
            ("WAYLAND_DISPLAY", &session.wayland_display),
            ("XDG_RUNTIME_DIR", &session.runtime_dir),
            ("SWAYSOCK", &session.swaysock),
        ];
        for (name, value) in wayland {
            if let Some(value) = value {
                request.spec.env.push((name.into(), value.clone()));
            }
        }
    }
    if let Some(dir) = request.spec.log_file.parent() {
        let _ = tokio::fs::create_dir_all(dir).await;
    }
    let spec = request.spec.clone();
    let limits = managed.as_ref().map(|m| m.limits).unwrap_or_default();
    let writer = state
        .config
        .log_writer
        .as_ref()
        .map(|program| platform::LogWriter {
            program: program.clone(),
            args: limits.writer_args(&spec.log_file),
        });
    let started_at = now_ms();
    let launched = tokio::task::spawn_blocking(move || match &writer {
        Some(writer) => platform::launch_logged(&spec, writer),
        None => platform::launch(&spec),
    })
    .await
    .map_err(|e| Error::Internal(e.into()))?;
    let target = Some(request.app_name.clone());
    let mut record = NewLaunch {
        uid: uid.clone(),
        user_id: actor.user_id(),
        username: actor.name(),
        app_id: request.app_id.clone(),
        app_name: request.app_name.clone(),
        argv: request.spec.argv.clone(),
        cwd: request.spec.cwd.as_ref().map(|c| c.display().to_string()),
        log_file: Some(request.spec.log_file.display().to_string()),
        started_at,
        pid: None,
        start_ticks: None,
        outcome: LaunchOutcome::Running,
        error: None,
        managed_id: managed.as_ref().map(|m| m.managed_id),
        host: fleet_host(state),
    };
    let launched = match launched {
        Ok(launched) => launched,
        Err(err) => {
            // The history shows the attempt and why it failed, not only the response.
            record.outcome = LaunchOutcome::FailedToStart;
            record.error = Some(err.to_string());
            record.log_file = None;
            persist(state, SpooledRecord::LaunchStarted(record.clone())).await;
            let end = LaunchEnd {
                uid: uid.clone(),
                ended_at: started_at,
                exit_code: None,
                signal: None,
                outcome: LaunchOutcome::FailedToStart,
            };
            finish(state, end).await;
            let argv = shown_argv(&request.spec.argv);
            actor
                .entry(ACTION, target, Outcome::Failure)
                .with_detail(json!({ "argv": argv, "error": err.to_string() }))
                .write(state)
                .await;
            return Err(err.into());
        }
    };
    record.pid = Some(launched.pid);
    record.start_ticks = Some(launched.start_ticks);
    persist(state, SpooledRecord::LaunchStarted(record.clone())).await;
    actor
        .entry(ACTION, target, Outcome::Success)
        .with_detail(
            json!({ "argv": shown_argv(&record.argv), "pid": launched.pid,
        "app_id": record.app_id, "managed_id": record.managed_id }),
        )
        .write(state)
        .await;
    let launch = find_by_uid(state, &record).await;
    state.launches.announce(launch.clone());
    Ok(Spawned {
        launch,
        process: launched.identity(),
        child: launched.child,
    })
}

/// Records how launch `uid` ended: `status` when Boss reaped it (else unknown), `stopped`
/// when Boss caused the end. Returns the stored launch when the database answered.
pub(crate) async fn record_end(
    state: &AppState,
    uid: &str,
    status: Option<std::process::ExitStatus>,
    stopped: bool,
) -> Option<Launch> {
    let (exit_code, signal) = match status {
        Some(status) => platform::exit_code_and_signal(status),
        None => (None, None),
    };
    let outcome = match (stopped, exit_code, signal) {
        (true, _, _) => LaunchOutcome::Stopped,
        (_, Some(0), _) => LaunchOutcome::Exited,
        (_, Some(_), _) => LaunchOutcome::Failed,
        (_, None, Some(_)) => LaunchOutcome::Killed,
        _ => LaunchOutcome::Ended,
    };
    let end = LaunchEnd {
        uid: uid.to_string(),
        ended_at: now_ms(),
        exit_code,
        signal,
        outcome,
    };
    finish(state, end).await
}

async fn finish(state: &AppState, end: LaunchEnd) -> Option<Launch> {
    let uid = end.uid.clone();
    persist(state, SpooledRecord::LaunchEnded(end)).await;
    let launch = state.store.launch_by_uid(&uid).await.ok().flatten()?;
    state.launches.announce(launch.clone());
    Some(launch)
}

/// Records that launch `uid` ended while nobody was watching (no exit status can be known).
pub(crate) async fn record_lost(state: &AppState, uid: &str) {
    let end = LaunchEnd {
        uid: uid.to_string(),
        ended_at: now_ms(),
        exit_code: None,
        signal: None,
        outcome: LaunchOutcome::Lost,
    };
    finish(state, end).await;
}

/// Records a process Boss did not start as a launch (an adopted one): a history row to
/// follow it by, carrying `managed_id`.
pub(crate) async fn record_adopted(state: &AppState, record: NewLaunch) -> Launch {
    persist(state, SpooledRecord::LaunchStarted(record.clone())).await;
    let launch = find_by_uid(state, &record).await;
    state.launches.announce(launch.clone());
    launch
}

/// The stored launch for a record just written (or, while the database is away, the record
/// itself with id 0).
async fn find_by_uid(state: &AppState, record: &NewLaunch) -> Launch {
    match state.store.launch_by_uid(&record.uid).await {
        Ok(Some(found)) => found,
        _ => Launch {
            id: 0,
            record: record.clone(),
            ended_at: None,
            exit_code: None,
            signal: None,
        },
    }
}

/// What `stop` did.
pub struct StopReport {
    pub launch: Launch,
    pub windows_closed: usize,
    /// The signal it took: `None` when closing the windows was enough.
    pub signal: Option<&'static str>,
}

/// Stops a running launch: closes its windows gracefully, then TERM, then KILL after
/// `timeout`.
pub async fn stop(
    state: &AppState,
    caller: &Caller,
    id: i64,
    timeout: Duration,
) -> Result<StopReport> {
    const ACTION: AuditAction = AuditAction::AppStop;
    require(
        state,
        caller,
        Permission::Act,
        ACTION,
        Some(format!("launch {id}")),
    )
    .await?;
    let launch = state
        .store
        .launch(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no launch with id {id}")))?;
    let target = Some(format!("launch {id} ({})", launch.record.app_name));
    let process = match (launch.record.pid, launch.record.start_ticks) {
        (Some(pid), Some(start_ticks)) if launch.ended_at.is_none() => {
            ProcessRef { pid, start_ticks }
        }
        _ => {
            return Err(Error::Conflict(format!(
                "launch {id} is not running (it {})",
                launch.record.outcome.as_str()
            )));
        }
    };
    let ended = || Error::Conflict(format!("launch {id} has already ended"));
    if !platform::process_running(process) {
        return Err(ended());
    }

    // One walk of the tree: the launched process and its descendants, with the same
    // protection rules as every process action.
    let pid = process.pid;
    let members = match processes::members(
        state,
        Target {
            pid,
            started_at: None,
        },
        true,
    )
    .await
    {
        Ok(members) => members,
        Err(Error::NotFound(_)) => return Err(ended()),
        Err(err) => return Err(err),
    };
    let root = members.last().expect("the root is always a member");
    if root.target != process {
        // The PID now belongs to another process: the launch itself has ended.
        return Err(ended());
    }
    let family: HashSet<u32> = members.iter().map(|m| m.target.pid).collect();
    // Its windows, with the same protection rules as every window action.
    let (windows, protection) = windows::of_processes(state, caller, &family).await;
    let refusal = members
        .iter()
        .find_map(|m| {
            let reason = m.protected.clone().or_else(|| {
                protection
                    .shows_boss(m.target.pid)
                    .then(|| "this is the browser showing Boss".to_string())
            })?;
            Some((format!("process {} ({})", m.target.pid, m.name), reason))
        })
        .or_else(|| {
            windows.iter().find_map(|w| {
                let reason = w.protected.clone()?;
                Some((format!("its window {} ({})", w.id, w.class), reason))
            })
        });
    if let Some((what, reason)) = refusal {
        let message = format!("launch {id} cannot be stopped: {what} is protected: {reason}");
        let text = target.clone().unwrap_or_default();
        return Err(refuse_protected(state, caller, ACTION, text, message, &reason).await);
    }
    state.launches.mark_stopping(&launch.record.uid);
    // Before anything is done, so that the end cannot be announced unheard.
    let mut ends = state.launches.subscribe();

    // 1. Its windows (those of the process and its descendants), politely.
    let ids: Vec<WindowId> = windows.iter().map(|w| w.id.clone()).collect();
    let had_windows = !ids.is_empty();
    let windows_closed = windows::close_quietly(state, ids, timeout).await;
    let mut signal = None;
    let mut ending = None;
    let patience = Duration::from_millis(if had_windows { 1000 } else { 0 });
    if !ended_within(process, patience).await {
        // 2. TERM (and CONT), then KILL after `timeout`: as `terminate` does, on the root.
        let root = std::slice::from_ref(root);
        let done = processes::end_members(root, timeout, false).await;
        ending = done.results.last().cloned();
        signal = match ending.as_ref().map(|r| r.outcome) {
            Some(MemberOutcome::Terminated) => Some("TERM"),
            Some(MemberOutcome::Killed | MemberOutcome::StillRunning) => Some("KILL"),
            _ => None,
        };
    }
    // The stop failed when the program outlived KILL or a signal was refused.
    let failed = ending.as_ref().is_some_and(|r| {
        matches!(
            r.outcome,
            MemberOutcome::StillRunning | MemberOutcome::Failed
        )
    });
    by(caller, ACTION, target, Outcome::of(!failed))
        .with_detail(json!({
            "windows_closed": windows_closed,
            "signal": signal,
            "pid": process.pid,
            "result": ending.as_ref().map(|r| r.outcome),
            "message": ending.and_then(|r| r.message),
        }))
        .write(state)
        .await;
    // The exit watcher records the end and announces it; wait for that (briefly) so that the
    // answer shows it.
    let launch = tokio::time::timeout(Duration::from_secs(2), async {
        loop {
            match ends.recv().await {
                Ok(done) if done.record.uid == launch.record.uid && done.ended_at.is_some() => {
                    return Some(done.as_ref().clone());
                }
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
    .await
    .ok()
    .flatten()
    .unwrap_or(launch);
    Ok(StopReport {
        launch,
        windows_closed,
        signal,
    })
}

async fn ended_within(process: ProcessRef, patience: Duration) -> bool {
    let deadline = Instant::now() + patience;
    loop {
        if !platform::process_running(process) {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// After a start of Boss: launches recorded as running are either still running (watched
/// again, by polling: they are no longer Boss's children) or ended while Boss was down.
pub async fn reconcile(state: &AppState) -> Result<()> {
    let managed: HashSet<i64> = state
        .store
        .managed_apps()
        .await?
        .iter()
        .map(|m| m.id)
        .collect();
    // In a fleet, other hosts' launches are theirs to follow.
    let here = fleet_host(state);
    let running = state.store.running_launches().await?;
    for launch in running
        .into_iter()
        .filter(|l| l.record.host.is_none() || l.record.host == here)
    {
        if launch
            .record
            .managed_id
            .is_some_and(|id| managed.contains(&id))
        {
            // Watched by its app's runner (`managed::resume`); a run of an app deleted since
            // is followed here like any launch.
            continue;
        }
        let process = match (launch.record.pid, launch.record.start_ticks) {
            (Some(pid), Some(start_ticks)) => Some(ProcessRef { pid, start_ticks }),
            _ => None,
        };
        match process.filter(|p| platform::process_running(*p)) {
            Some(process) => {
                let state = state.clone();
                let uid = launch.record.uid.clone();
                tokio::spawn(async move {
                    while platform::process_running(process) {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                    let outcome = if state.launches.take_stopping(&uid) {
                        LaunchOutcome::Stopped
                    } else {
                        LaunchOutcome::Ended
                    };
                    let end = LaunchEnd {
                        uid,
                        ended_at: now_ms(),
                        exit_code: None,
                        signal: None,
                        outcome,
                    };
                    finish(&state, end).await;
                });
            }
            None => {
                // No exit status can be known: it ended while nobody was watching.
                let end = LaunchEnd {
                    uid: launch.record.uid.clone(),
                    ended_at: now_ms(),
                    exit_code: None,
                    signal: None,
                    outcome: LaunchOutcome::Lost,
                };
                persist(state, SpooledRecord::LaunchEnded(end)).await;
            }
        }
    }
    Ok(())
}

/// The host a launch is recorded on: this host's name on a shared PostgreSQL database, where
/// launches of several hosts meet; `None` on SQLite.
pub(crate) fn fleet_host(state: &AppState) -> Option<String> {
    (state.store.backend() == "postgres").then(|| state.fleet.me.name.clone())
}
