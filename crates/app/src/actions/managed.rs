//! Managed apps: create, change, delete, start, stop, restart, adopt a running process. Each
//! checks the caller's permission, writes its audit row and hands the work to the app's
//! runner (`crate::managed`), which starts runs through [`launches::spawn_recorded`] and
//! stops them through [`stop_tree`]: the same launcher, tree walk and protections as every
//! other action.

use std::path::PathBuf;
use std::time::Duration;

use platform::{LaunchSpec, ProcessRef};
use serde_json::json;
use tokio::sync::oneshot;

use super::launches::{self, LaunchRequest, ManagedRun, Spawned};
use super::processes::{self, Target};
use super::{Actor, AuditAction, Outcome, audit, by, refuse_protected, require};
use crate::auth::{Caller, Permission};
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::managed::{self, Command, Initial, ManagedView, Policy};
use crate::state::AppState;
use crate::store::{LaunchOutcome, ManagedApp, NewLaunch, NewManagedApp, StoreError};

/// What to keep running, as asked for.
#[derive(Debug, Clone, Default)]
pub struct ManagedRequest {
    pub name: String,
    pub desktop_id: Option<String>,
    pub argv: Vec<String>,
    pub cwd: Option<String>,
    pub env: Vec<(String, String)>,
    /// The policy as JSON (absent fields: defaults).
    pub policy: Option<serde_json::Value>,
}

/// A change to a managed app: the fields given replace the stored ones; `policy` is merged
/// field by field.
#[derive(Debug, Clone, Default)]
pub struct ManagedChange {
    pub name: Option<String>,
    pub argv: Option<Vec<String>>,
    pub cwd: Option<Option<String>>,
    pub env: Option<Vec<(String, String)>>,
    pub policy: Option<serde_json::Value>,
}

fn target_of(app: &ManagedApp) -> Option<String> {
    Some(format!("managed {} ({})", app.id, app.app.name))
}

fn check_name(name: &str) -> Result<()> {
    if name.trim().is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(Error::Invalid(
            "'name' must be 1 to 100 characters without control characters".into(),
        ));
    }
    Ok(())
}

fn check_argv(argv: &[String]) -> Result<()> {
    if argv.first().is_none_or(|p| p.trim().is_empty()) {
        return Err(Error::Invalid(
            "'argv' must name a program (or give 'desktop_id')".into(),
        ));
    }
    if argv.len() > 1000 || argv.iter().any(|a| a.contains('\0') || a.len() > 4096) {
        return Err(Error::Invalid(
            "'argv' must be at most 1000 strings without NUL bytes".into(),
        ));
    }
    Ok(())
}

fn check_cwd(cwd: &Option<String>) -> Result<()> {
    if let Some(dir) = cwd
        && !std::path::Path::new(dir).is_dir()
    {
        return Err(Error::Invalid(format!(
            "the working directory '{dir}' is not a directory"
        )));
    }
    Ok(())
}

fn check_env(env: &[(String, String)]) -> Result<()> {
    let bad = env
        .iter()
        .find(|(k, v)| k.is_empty() || k.contains('=') || k.contains('\0') || v.contains('\0'));
    if env.len() > 1000 || bad.is_some() {
        return Err(Error::Invalid(
            "'env' must be at most 1000 NAME/value pairs (no '=' in names, no NUL bytes)".into(),
        ));
    }
    Ok(())
}

fn policy_from(value: Option<serde_json::Value>) -> Result<Policy> {
    Policy::from_json(value.unwrap_or_else(|| json!({}))).map_err(Error::Invalid)
}

fn conflict(err: StoreError) -> Error {
    match err {
        StoreError::Conflict(message) => Error::Conflict(message),
        other => other.into(),
    }
}

async fn stored(state: &AppState, id: i64) -> Result<ManagedApp> {
    state
        .store
        .managed_app(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no managed app with id {id}")))
}

/// The permission gate of an action on one managed app (audited under `action` when refused),
/// then the app as stored.
async fn gated(
    state: &AppState,
    caller: &Caller,
    action: AuditAction,
    id: i64,
) -> Result<ManagedApp> {
    let target = Some(format!("managed {id}"));
    require(state, caller, Permission::Act, action, target).await?;
    stored(state, id).await
}

/// Sends a command built around a reply channel and waits for the runner's answer.
async fn ask(
    state: &AppState,
    id: i64,
    command: impl FnOnce(oneshot::Sender<Result<()>>) -> Command,
) -> Result<()> {
    let (tx, rx) = oneshot::channel();
    if !state.managed.send(id, command(tx)) {
        return Err(Error::NotFound(format!("no managed app with id {id}")));
    }
    managed::runner_answer(rx).await
}

/// Stores a new managed app and starts it.
pub async fn create(
    state: &AppState,
    caller: &Caller,
    request: ManagedRequest,
) -> Result<ManagedView> {
    const ACTION: AuditAction = AuditAction::ManagedCreate;
    require(
        state,
        caller,
        Permission::Act,
        ACTION,
        Some(request.name.clone()),
    )
    .await?;
    check_name(&request.name)?;
    let argv = match &request.desktop_id {
        Some(id) => {
            if !request.argv.is_empty() {
                return Err(Error::Invalid(
                    "give either 'desktop_id' or 'argv', not both".into(),
                ));
            }
            let catalog = state.apps.get().await;
            let entry = catalog
                .get(id)
                .ok_or_else(|| Error::NotFound(format!("no application '{id}' is installed")))?;
            platform::exec_argv(entry, &[])?
        }
        None => request.argv.clone(),
    };
    check_argv(&argv)?;
    let cwd = request.cwd.clone().filter(|c| !c.is_empty());
    check_cwd(&cwd)?;
    check_env(&request.env)?;
    let policy = policy_from(request.policy.clone())?;
    let app = NewManagedApp {
        name: request.name.clone(),
        desktop_id: request.desktop_id.clone(),
        argv,
        cwd,
        env: request.env.clone(),
        policy,
        enabled: true,
        created_at: now_ms(),
    };
    let app = state.store.create_managed(&app).await.map_err(conflict)?;
    by(caller, ACTION, target_of(&app), Outcome::Success)
        .with_detail(json!({
            "argv": launches::shown_argv(&app.app.argv),
            "desktop_id": app.app.desktop_id,
            "policy": app.app.policy,
        }))
        .write(state)
        .await;
    state.managed.spawn(state, app.clone(), Initial::Idle);
    // A start that fails (a missing program) leaves the app in backoff with the reason.
    let _ = ask(state, app.id, |reply| Command::Start {
        caller: caller.clone(),
        reply,
    })
    .await;
    Ok(state.managed.view(&stored(state, app.id).await?))
}

/// Changes what a managed app runs or its policy (the next run uses it).
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: i64,
    change: ManagedChange,
) -> Result<ManagedView> {
    const ACTION: AuditAction = AuditAction::ManagedUpdate;
    let mut app = gated(state, caller, ACTION, id).await?;
    let mut changed = Vec::new();
    if let Some(name) = change.name {
        check_name(&name)?;
        app.app.name = name;
        changed.push("name");
    }
    if let Some(argv) = change.argv {
        check_argv(&argv)?;
        app.app.argv = argv;
        app.app.desktop_id = None;
        changed.push("argv");
    }
    if let Some(cwd) = change.cwd {
        let cwd = cwd.filter(|c| !c.is_empty());
        check_cwd(&cwd)?;
        app.app.cwd = cwd;
        changed.push("cwd");
    }
    if let Some(env) = change.env {
        check_env(&env)?;
        app.app.env = env;
        changed.push("env");
    }
    if let Some(patch) = change.policy {
        app.app.policy = app.app.policy.patched(patch).map_err(Error::Invalid)?;
        changed.push("policy");
    }
    app.updated_at = now_ms();
    if !state.store.update_managed(&app).await.map_err(conflict)? {
        return Err(Error::NotFound(format!("no managed app with id {id}")));
    }
    by(caller, ACTION, target_of(&app), Outcome::Success)
        .with_detail(json!({ "changed": changed, "policy": app.app.policy }))
        .write(state)
        .await;
    state.managed.send(id, Command::Reload(app.clone()));
    Ok(state.managed.view(&app))
}

/// Stops a managed app (the whole tree) and forgets it; its launch history stays.
pub async fn delete(state: &AppState, caller: &Caller, id: i64) -> Result<()> {
    const ACTION: AuditAction = AuditAction::ManagedDelete;
    let app = gated(state, caller, ACTION, id).await?;
    let caller_copy = caller.clone();
    match ask(state, id, |reply| Command::Remove {
        caller: caller_copy,
        reply,
    })
    .await
    {
        Ok(()) | Err(Error::NotFound(_)) => {}
        Err(err) => return Err(err),
    }
    state.managed.forget(id);
    state.store.delete_managed(id).await?;
    audit(state, by(caller, ACTION, target_of(&app), Outcome::Success)).await;
    Ok(())
}

/// Which of start, stop and restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Start,
    Stop,
    Restart,
}

/// Starts, stops or restarts a managed app by hand; the answer shows its state afterwards.
pub async fn control(
    state: &AppState,
    caller: &Caller,
    id: i64,
    control: Control,
) -> Result<ManagedView> {
    let action = match control {
        Control::Start => AuditAction::ManagedStart,
        Control::Stop => AuditAction::ManagedStop,
        Control::Restart => AuditAction::ManagedRestart,
    };
    let mut app = gated(state, caller, action, id).await?;
    let was_enabled = app.app.enabled;
    let enabled = control != Control::Stop;
    state
        .store
        .set_managed_enabled(id, enabled, now_ms())
        .await?;
    app.app.enabled = enabled;
    state.managed.send(id, Command::Reload(app.clone()));
    let who = caller.clone();
    let result = ask(state, id, move |reply| match control {
        Control::Start => Command::Start { caller: who, reply },
        Control::Stop => Command::Stop { caller: who, reply },
        Control::Restart => Command::Restart { caller: who, reply },
    })
    .await;
    if result.is_err() && was_enabled != enabled {
        // Refused or failed: the desired state stays what it was.
        state
            .store
            .set_managed_enabled(id, was_enabled, now_ms())
            .await?;
        app.app.enabled = was_enabled;
        state.managed.send(id, Command::Reload(app.clone()));
    }
    match &result {
        // Already audited as denied, with the reason, where it was refused.
        Err(Error::Forbidden {
            code: "protected", ..
        }) => {}
        Ok(()) => audit(state, by(caller, action, target_of(&app), Outcome::Success)).await,
        Err(err) => {
            by(caller, action, target_of(&app), Outcome::Failure)
                .with_error(err)
                .write(state)
                .await;
        }
    }
    result?;
    Ok(state.managed.view(&app))
}

/// Turns a running process into a managed app: its argv, working directory and environment
/// are read from the system, and Boss watches it (restarting it by the policy when it ends).
/// PID 1, Boss and protected processes are refused with the reason.
pub async fn adopt(
    state: &AppState,
    caller: &Caller,
    target: Target,
    name: String,
    policy: Option<serde_json::Value>,
) -> Result<ManagedView> {
    const ACTION: AuditAction = AuditAction::ManagedAdopt;
    let text = format!("pid {}", target.pid);
    require(state, caller, Permission::Act, ACTION, Some(text.clone())).await?;
    check_name(&name)?;
    let policy = policy_from(policy)?;
    let members = processes::members(state, target, false).await?;
    let root = members.last().expect("the root is always a member");
    if let Some(reason) = &root.protected {
        let message = format!("process {} cannot be adopted: {reason}", target.pid);
        let text = format!("pid {} ({})", target.pid, root.name);
        return Err(refuse_protected(state, caller, ACTION, text, message, reason).await);
    }
    let process = root.target;
    let detail = tokio::task::spawn_blocking(move || platform::process_detail(process.pid))
        .await
        .map_err(|e| Error::Internal(e.into()))??;
    if detail.info.identity() != process {
        return Err(Error::Conflict(format!(
            "PID {} now belongs to another process",
            process.pid
        )));
    }
    check_argv(&detail.argv)?;
    let app = NewManagedApp {
        name,
        desktop_id: None,
        argv: detail.argv.clone(),
        cwd: detail.cwd.clone(),
        // The whole environment it runs with, so that a restart runs it the same way.
        env: detail.environment.clone().unwrap_or_default(),
        policy,
        enabled: true,
        created_at: now_ms(),
    };
    let app = state.store.create_managed(&app).await.map_err(conflict)?;
    let record = NewLaunch {
        uid: crate::auth::secret::random_hex(),
        user_id: Some(caller.user.id),
        username: caller.user.username.clone(),
        app_id: None,
        app_name: app.app.name.clone(),
        argv: app.app.argv.clone(),
        cwd: app.app.cwd.clone(),
        log_file: None,
        started_at: detail.info.started_at,
        pid: Some(process.pid),
        start_ticks: Some(process.start_ticks),
        outcome: LaunchOutcome::Running,
        error: None,
        managed_id: Some(app.id),
        host: launches::fleet_host(state),
    };
    let launch = launches::record_adopted(state, record).await;
    by(caller, ACTION, target_of(&app), Outcome::Success)
        .with_detail(json!({ "pid": process.pid, "launch_id": launch.id }))
        .write(state)
        .await;
    state.managed.spawn(
        state,
        app.clone(),
        Initial::Watch {
            uid: launch.record.uid.clone(),
            process,
            started_at: detail.info.started_at,
        },
    );
    Ok(state.managed.view(&app))
}

/// Starts one run of a managed app (called by its runner): a launch with `managed_id`, its
/// output in the app's capped log.
pub(crate) async fn start_run(
    state: &AppState,
    actor: Actor<'_>,
    app: &ManagedApp,
) -> Result<Spawned> {
    let log_file: PathBuf = managed::log_path(state, app.id);
    let catalog = state.apps.get().await;
    let entry = app.app.desktop_id.as_deref().and_then(|id| catalog.get(id));
    let mut spec = match entry {
        Some(entry) => LaunchSpec::for_entry(entry, &[], log_file)?,
        None => LaunchSpec {
            argv: app.app.argv.clone(),
            cwd: app.app.cwd.clone().map(PathBuf::from),
            env: Vec::new(),
            log_file,
        },
    };
    spec.env.extend(app.app.env.iter().cloned());
    let request = LaunchRequest {
        app_id: app.app.desktop_id.clone(),
        app_name: app.app.name.clone(),
        spec,
    };
    let uid = crate::auth::secret::random_hex();
    let run = ManagedRun {
        managed_id: app.id,
        limits: app.app.policy.logs,
    };
    launches::spawn_recorded(state, actor, uid, request, Some(run)).await
}

/// Ends a run: the policy's signal to the whole tree (deepest first), KILL to what is left
/// after `grace_ms`. Protected processes in the tree are left alone; a protected root refuses
/// the stop (403, audited as denied).
pub(crate) async fn stop_tree(
    state: &AppState,
    caller: &Caller,
    action: AuditAction,
    app: &ManagedApp,
    process: ProcessRef,
) -> Result<()> {
    let policy = &app.app.policy;
    let signal = policy.stop_signal().map_err(Error::Invalid)?;
    let target = Target {
        pid: process.pid,
        started_at: None,
    };
    let members = match processes::members(state, target, true).await {
        Ok(members) => members,
        Err(Error::NotFound(_)) => return Ok(()),
        Err(err) => return Err(err),
    };
    let root = members.last().expect("the root is always a member");
    if root.target != process {
        // The run has ended and its PID was reused.
        return Ok(());
    }
    if let Some(reason) = &root.protected {
        let message = format!("'{}' cannot be stopped: {reason}", app.app.name);
        let text = target_of(app).unwrap_or_default();
        return Err(refuse_protected(state, caller, action, text, message, reason).await);
    }
    let grace = Duration::from_millis(policy.stop.grace_ms);
    processes::end_members_with(&members, signal, grace, true).await;
    Ok(())
}
