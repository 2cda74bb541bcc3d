//! Acting on processes: signals, terminate (TERM, wait, KILL), priority; each for one process
//! or its whole tree, never for a protected process, and never for a process that has
//! replaced the one the caller saw (PID reuse).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use platform::{ProcessRef, Signal};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{AuditAction, Outcome, by, refuse_protected, require};
use crate::auth::{Caller, Permission};
use crate::error::{Error, Result};
use crate::live::Sample;
use crate::state::AppState;

/// The process the caller means: a PID, and optionally the start time they saw.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub pid: u32,
    /// Epoch milliseconds; when given and the PID's process started at another time, the
    /// action is refused (409) instead of hitting whichever process holds the PID now.
    pub started_at: Option<i64>,
}

/// What happened to each process an action touched.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ActionReport {
    pub pid: u32,
    /// The outcome for `pid` itself.
    pub outcome: MemberOutcome,
    /// One entry per process acted on, children before parents.
    pub results: Vec<MemberResult>,
}

/// What an action did to one process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemberOutcome {
    /// The signal was sent.
    Signalled,
    /// Its priority was changed.
    Reniced,
    /// It ended after TERM.
    Terminated,
    /// It needed KILL.
    Killed,
    /// Still there after KILL (a process in uninterruptible sleep, say).
    StillRunning,
    /// It had already ended (or its PID now names another process).
    AlreadyGone,
    /// Boss will not touch it (see `protected` in the process list).
    Protected,
    /// The system refused or the action failed; `message` says why.
    Failed,
}

impl MemberOutcome {
    /// Whether the action did what was asked.
    pub fn is_done(self) -> bool {
        matches!(
            self,
            MemberOutcome::Signalled
                | MemberOutcome::Reniced
                | MemberOutcome::Terminated
                | MemberOutcome::Killed
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MemberResult {
    pub pid: u32,
    pub name: String,
    pub outcome: MemberOutcome,
    pub message: Option<String>,
}

/// A process picked for an action, with its identity at the time it was picked.
pub(super) struct Member {
    pub(super) target: ProcessRef,
    pub(super) name: String,
    /// Why it must not be touched (see [`crate::processes::Protection`]).
    pub(super) protected: Option<String>,
}

/// The root and (for a tree) its descendants, deepest first and the root last: the one walk
/// of the process tree that every action on processes (launch stop included) starts from.
pub(super) async fn members(state: &AppState, target: Target, tree: bool) -> Result<Vec<Member>> {
    let monitor = &state.processes;
    // A tree is walked as the machine is now (children may have just started); a single
    // process too when it started after the latest sample. One scan at most either way.
    let max_age = if tree {
        Duration::ZERO
    } else {
        monitor.interval
    };
    let mut sample = monitor.fresh(max_age).await?;
    if !tree && sample.row(target.pid).is_none() {
        sample = monitor.fresh(Duration::ZERO).await?;
    }
    let row = sample
        .row(target.pid)
        .ok_or_else(|| Error::NotFound(format!("no process with PID {}", target.pid)))?;
    let info = sample.process(target.pid).expect("rows mirror processes");
    if let Some(expected) = target.started_at
        && expected != info.started_at
    {
        return Err(Error::Conflict(format!(
            "PID {} now belongs to another process (started {}); refresh and try again",
            target.pid, row.started_at
        )));
    }
    let mut order = Vec::new();
    if tree {
        descendants_deepest_first(&sample, target.pid, &mut order);
    }
    order.push(target.pid);
    Ok(order
        .into_iter()
        .filter_map(|pid| {
            let info = sample.process(pid)?;
            let row = sample.row(pid)?;
            Some(Member {
                target: info.identity(),
                name: row.name.clone(),
                protected: row.protected.clone(),
            })
        })
        .collect())
}

fn descendants_deepest_first(sample: &Sample, root: u32, out: &mut Vec<u32>) {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for p in &sample.snapshot.processes {
        children.entry(p.ppid).or_default().push(p.pid);
    }
    // Iterative post-order, so that a deep tree cannot overflow the stack.
    let mut stack = vec![(root, false)];
    while let Some((pid, expanded)) = stack.pop() {
        if expanded {
            if pid != root {
                out.push(pid);
            }
            continue;
        }
        stack.push((pid, true));
        for &child in children.get(&pid).into_iter().flatten() {
            if child != pid {
                stack.push((child, false));
            }
        }
    }
}

fn target_text(members: &[Member], pid: u32) -> String {
    match members.last() {
        Some(root) => format!("pid {pid} ({})", root.name),
        None => format!("pid {pid}"),
    }
}

/// Resolves the members and applies the protection rules: a protected root refuses the whole
/// action (403, audited as denied).
async fn checked_members(
    state: &AppState,
    caller: &Caller,
    action: AuditAction,
    target: Target,
    tree: bool,
) -> Result<Vec<Member>> {
    require(
        state,
        caller,
        Permission::Act,
        action,
        Some(format!("pid {}", target.pid)),
    )
    .await?;
    let members = match members(state, target, tree).await {
        Ok(members) => members,
        Err(err) => {
            by(
                caller,
                action,
                Some(format!("pid {}", target.pid)),
                Outcome::Failure,
            )
            .with_error(&err)
            .write(state)
            .await;
            return Err(err);
        }
    };
    let root = members.last().expect("the root is always a member");
    if let Some(reason) = &root.protected {
        let message = format!("process {} is protected: {reason}", target.pid);
        let text = target_text(&members, target.pid);
        return Err(refuse_protected(state, caller, action, text, message, reason).await);
    }
    Ok(members)
}

fn result(member: &Member, outcome: MemberOutcome, message: Option<String>) -> MemberResult {
    MemberResult {
        pid: member.target.pid,
        name: member.name.clone(),
        outcome,
        message,
    }
}

fn failure(member: &Member, err: platform::Error) -> MemberResult {
    let outcome = match err {
        platform::Error::NotFound(_) | platform::Error::Changed(_) => MemberOutcome::AlreadyGone,
        _ => MemberOutcome::Failed,
    };
    result(member, outcome, Some(err.to_string()))
}

/// The per-process results of an action, and for a single-process action its failure.
pub(super) struct Done {
    pub(super) results: Vec<MemberResult>,
    pub(super) single_error: Option<platform::Error>,
}

/// Finishes an action: audit row, then either the report or, for a single process that
/// failed, the error.
async fn finish(
    state: &AppState,
    caller: &Caller,
    action: AuditAction,
    members: &[Member],
    target: Target,
    mut detail: serde_json::Value,
    done: Done,
) -> Result<ActionReport> {
    let Done {
        results,
        single_error,
    } = done;
    let root = results.last().expect("the root is always acted on");
    let ok = root.outcome.is_done();
    detail["results"] = json!(results);
    by(
        caller,
        action,
        Some(target_text(members, target.pid)),
        Outcome::of(ok),
    )
    .with_detail(detail)
    .write(state)
    .await;
    if let Some(err) = single_error {
        return Err(err.into());
    }
    Ok(ActionReport {
        pid: target.pid,
        outcome: root.outcome,
        results,
    })
}

/// Applies `act` to every member but the protected ones. For a single process its failure is
/// the action's error; in a tree each member's failure is only reported.
fn apply_each(
    members: &[Member],
    tree: bool,
    success: MemberOutcome,
    act: impl Fn(ProcessRef) -> platform::Result<()>,
) -> Done {
    let mut results = Vec::new();
    let mut single_error = None;
    for member in members {
        if let Some(reason) = &member.protected {
            results.push(result(
                member,
                MemberOutcome::Protected,
                Some(reason.clone()),
            ));
            continue;
        }
        match act(member.target) {
            Ok(()) => results.push(result(member, success, None)),
            Err(err) if !tree => {
                results.push(result(member, MemberOutcome::Failed, Some(err.to_string())));
                single_error = Some(err);
            }
            Err(err) => results.push(failure(member, err)),
        }
    }
    Done {
        results,
        single_error,
    }
}

/// Sends `signal` to the process (and, with `tree`, to its descendants first).
pub async fn signal(
    state: &AppState,
    caller: &Caller,
    target: Target,
    signal: Signal,
    tree: bool,
) -> Result<ActionReport> {
    const ACTION: AuditAction = AuditAction::ProcessSignal;
    let members = checked_members(state, caller, ACTION, target, tree).await?;
    let done = apply_each(&members, tree, MemberOutcome::Signalled, |p| {
        platform::send_signal(p, signal)
    });
    let detail = json!({ "signal": signal.name(), "tree": tree });
    finish(state, caller, ACTION, &members, target, detail, done).await
}

/// TERM (then CONT, so that a stopped process can act on it), wait up to `timeout` for the
/// processes to end, KILL the ones that did not.
pub async fn terminate(
    state: &AppState,
    caller: &Caller,
    target: Target,
    timeout: Duration,
    tree: bool,
) -> Result<ActionReport> {
    const ACTION: AuditAction = AuditAction::ProcessTerminate;
    let members = checked_members(state, caller, ACTION, target, tree).await?;
    let done = end_members(&members, timeout, tree).await;
    let detail = json!({ "timeout_ms": timeout.as_millis() as u64, "tree": tree });
    finish(state, caller, ACTION, &members, target, detail, done).await
}

/// Sets the nice value (-20 to 19) of the process (and, with `tree`, its descendants).
pub async fn renice(
    state: &AppState,
    caller: &Caller,
    target: Target,
    nice: i32,
    tree: bool,
) -> Result<ActionReport> {
    const ACTION: AuditAction = AuditAction::ProcessPriority;
    if !(-20..=19).contains(&nice) {
        return Err(Error::Invalid(format!(
            "'nice' must be between -20 and 19, not {nice}"
        )));
    }
    let members = checked_members(state, caller, ACTION, target, tree).await?;
    let done = apply_each(&members, tree, MemberOutcome::Reniced, |p| {
        platform::set_nice(p, nice)
    });
    let detail = json!({ "nice": nice, "tree": tree });
    finish(state, caller, ACTION, &members, target, detail, done).await
}

/// TERM (then CONT) to every member but the protected ones, KILL to those still running
/// after `timeout`. With `tree` unset a member's failure is the action's error.
pub(super) async fn end_members(members: &[Member], timeout: Duration, tree: bool) -> Done {
    end_members_with(members, Signal::Term, timeout, tree).await
}

/// As [`end_members`], starting with `first` instead of TERM (a managed app's stop signal).
pub(super) async fn end_members_with(
    members: &[Member],
    first: Signal,
    timeout: Duration,
    tree: bool,
) -> Done {
    let mut outcome: Vec<Option<MemberResult>> = Vec::with_capacity(members.len());
    let mut single_error = None;
    for member in members {
        if let Some(reason) = &member.protected {
            outcome.push(Some(result(
                member,
                MemberOutcome::Protected,
                Some(reason.clone()),
            )));
            continue;
        }
        match platform::send_signal(member.target, first) {
            Ok(()) => {
                let _ = platform::send_signal(member.target, Signal::Cont);
                outcome.push(None);
            }
            Err(err) => {
                if !tree && !matches!(err, platform::Error::NotFound(_)) {
                    outcome.push(Some(result(
                        member,
                        MemberOutcome::Failed,
                        Some(err.to_string()),
                    )));
                    single_error = Some(err);
                } else {
                    outcome.push(Some(failure(member, err)));
                }
            }
        }
    }
    let pending = |outcome: &[Option<MemberResult>]| -> Vec<usize> {
        (0..members.len())
            .filter(|&i| outcome[i].is_none() && platform::process_running(members[i].target))
            .collect()
    };
    let deadline = Instant::now() + timeout;
    let mut alive = pending(&outcome);
    while !alive.is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(25)).await;
        alive = pending(&outcome);
    }
    for &i in &alive {
        let _ = platform::send_signal(members[i].target, Signal::Kill);
    }
    let kill_deadline = Instant::now() + Duration::from_secs(2);
    let mut survivors = alive.clone();
    while !survivors.is_empty() && Instant::now() < kill_deadline {
        tokio::time::sleep(Duration::from_millis(25)).await;
        survivors.retain(|&i| platform::process_running(members[i].target));
    }
    let results = members
        .iter()
        .zip(outcome)
        .enumerate()
        .map(|(i, (member, done))| {
            done.unwrap_or_else(|| {
                if survivors.contains(&i) {
                    result(
                        member,
                        MemberOutcome::StillRunning,
                        Some("did not end even after KILL (uninterruptible I/O?)".into()),
                    )
                } else if alive.contains(&i) {
                    result(
                        member,
                        MemberOutcome::Killed,
                        Some(format!(
                            "did not end within {} ms of TERM",
                            timeout.as_millis()
                        )),
                    )
                } else {
                    result(member, MemberOutcome::Terminated, None)
                }
            })
        })
        .collect();
    Done {
        results,
        single_error,
    }
}

/// A process's command line as it is, credentials included (see `POST …/reveal`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevealedCommandLine {
    pub pid: u32,
    pub name: String,
    /// RFC 3339; with the PID it identifies the process.
    pub started_at: String,
    /// The arguments joined by spaces.
    pub cmdline: String,
    pub argv: Vec<String>,
}

/// Reads `target`'s full command line for an admin: everyone sees command lines with their
/// credentials hidden, so reading them is an audited act. The audit row names the process,
/// never the secrets.
pub async fn reveal_cmdline(
    state: &AppState,
    caller: &Caller,
    target: Target,
) -> Result<RevealedCommandLine> {
    const ACTION: AuditAction = AuditAction::ProcessRevealCmdline;
    let pid = target.pid;
    require(
        state,
        caller,
        Permission::RevealCommandLine,
        ACTION,
        Some(format!("pid {pid}")),
    )
    .await?;
    let read = tokio::task::spawn_blocking(move || platform::process_detail(pid))
        .await
        .map_err(|e| Error::Internal(e.into()))?
        .map_err(|e| match e {
            platform::Error::NotFound(_) => Error::NotFound(format!("no process with PID {pid}")),
            other => other.into(),
        })
        .and_then(|detail| match target.started_at {
            Some(expected) if expected != detail.info.started_at => Err(Error::Conflict(format!(
                "PID {pid} now belongs to another process (started {}); refresh and try again",
                crate::clock::to_rfc3339(detail.info.started_at)
            ))),
            _ => Ok(detail),
        });
    let detail = match read {
        Ok(detail) => detail,
        Err(err) => {
            by(caller, ACTION, Some(format!("pid {pid}")), Outcome::Failure)
                .with_error(&err)
                .write(state)
                .await;
            return Err(err);
        }
    };
    let info = &detail.info;
    by(
        caller,
        ACTION,
        Some(format!("pid {pid} ({})", info.name)),
        Outcome::Success,
    )
    .with_detail(json!({
        "started_at": crate::clock::to_rfc3339(info.started_at),
        "redacted": crate::redact::redact_argv(&detail.argv).is_some(),
    }))
    .write(state)
    .await;
    Ok(RevealedCommandLine {
        pid,
        name: info.name.to_string(),
        started_at: crate::clock::to_rfc3339(info.started_at),
        cmdline: info.cmdline.to_string(),
        argv: detail.argv,
    })
}
