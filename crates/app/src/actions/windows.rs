//! Acting on windows: close gracefully (one, or all but the protected ones and dialogs),
//! activate, minimize. Never by killing: a window whose application refuses stays open and is
//! reported as such.

use std::collections::HashSet;
use std::time::Duration;

use platform::{CloseOutcome, WindowId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{AuditAction, Outcome, by, refuse_protected, require};
use crate::auth::{Caller, Permission};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::windows::{WindowListView, WindowProtection, WindowRow, view};

/// What became of one window.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WindowResult {
    pub window: WindowRow,
    pub outcome: WindowOutcome,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CloseAllReport {
    pub dry_run: bool,
    pub results: Vec<WindowResult>,
    /// The session saved just before closing (a real close-all that closes anything), to
    /// reopen what was closed: `POST /api/v1/sessions/{id}/restore`.
    #[serde(default)]
    pub session_id: Option<i64>,
}

/// What the caller expects the window to be: window ids are reused once a window is gone.
#[derive(Debug, Clone, Default)]
pub struct Expected {
    pub pid: Option<u32>,
    pub class: Option<String>,
}

/// What became of a window asked to close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WindowOutcome {
    Closed,
    /// It asked something (to save, say) and stays open.
    Prompting,
    /// No answer in time: it stays open.
    StillOpen,
    /// It does not accept close requests: nothing was sent.
    Unsupported,
    /// It was already gone.
    Gone,
    /// Boss will not touch it (see `protected` in the window list).
    Protected,
    /// A dialog or tool window, left to its main window (close all).
    Skipped,
    /// What close all would ask of it (dry run).
    WouldClose,
    /// The request could not be sent; `message` says why.
    Failed,
}

impl From<CloseOutcome> for WindowOutcome {
    fn from(outcome: CloseOutcome) -> Self {
        match outcome {
            CloseOutcome::Closed => WindowOutcome::Closed,
            CloseOutcome::Prompting => WindowOutcome::Prompting,
            CloseOutcome::StillOpen => WindowOutcome::StillOpen,
            CloseOutcome::Unsupported => WindowOutcome::Unsupported,
            CloseOutcome::Gone => WindowOutcome::Gone,
        }
    }
}

/// The protection rules for this caller's request (the browser showing Boss is found from
/// its loopback peer).
async fn protection(state: &AppState, caller: &Caller) -> WindowProtection {
    state
        .windows
        .protection(caller.peer, state.listen_port.get().copied())
        .await
}

/// The current list as the caller sees it, or 503 without a display.
async fn current(state: &AppState, caller: &Caller) -> Result<WindowListView> {
    let windows = state.windows.list().await;
    if !windows.list.available {
        return Err(Error::Unavailable(format!(
            "no window system to talk to: {}",
            windows.list.reason.as_deref().unwrap_or("unknown reason")
        )));
    }
    Ok(view(&windows, &protection(state, caller).await))
}

/// The windows of `pids` as the caller sees them (protection applied; none without a
/// display), and the caller's protection rules, for actions that end whole programs.
pub(super) async fn of_processes(
    state: &AppState,
    caller: &Caller,
    pids: &HashSet<u32>,
) -> (Vec<WindowRow>, WindowProtection) {
    let protection = protection(state, caller).await;
    let list = state.windows.list().await;
    let windows = view(&list, &protection)
        .windows
        .into_iter()
        .filter(|w| w.pid.is_some_and(|p| pids.contains(&p)))
        .collect();
    (windows, protection)
}

/// Closes `ids` gracefully, all at once, and counts those that closed.
pub(super) async fn close_quietly(
    state: &AppState,
    ids: Vec<WindowId>,
    timeout: Duration,
) -> usize {
    if ids.is_empty() {
        return 0;
    }
    let system = state.windows.system();
    blocking(move || system.close_many(&ids, timeout))
        .await
        .unwrap_or_default()
        .iter()
        .filter(|(_, r)| matches!(r, Ok(CloseOutcome::Closed)))
        .count()
}

/// The permission gate of an action on a window (audited under `action` when refused); then
/// finds the window and checks that it is the one the caller means and may be touched.
async fn target(
    state: &AppState,
    caller: &Caller,
    action: AuditAction,
    id: &WindowId,
    expected: &Expected,
) -> Result<WindowRow> {
    let subject = format!("window {id}");
    let gate_target = Some(subject.clone());
    require(state, caller, Permission::Act, action, gate_target).await?;
    let found = current(state, caller).await.and_then(|list| {
        list.windows
            .into_iter()
            .find(|w| &w.id == id)
            .ok_or_else(|| Error::NotFound(format!("no window {id} (it may have closed)")))
    });
    let window = match found {
        Ok(window) => window,
        Err(err) => {
            by(caller, action, Some(subject), Outcome::Failure)
                .with_error(&err)
                .write(state)
                .await;
            return Err(err);
        }
    };
    let reused = expected.pid.is_some_and(|pid| window.pid != Some(pid))
        || expected
            .class
            .as_ref()
            .is_some_and(|class| *class != window.class);
    if reused {
        return Err(Error::Conflict(format!(
            "window {id} now belongs to another application ({}); refresh and try again",
            window.class
        )));
    }
    if let Some(reason) = &window.protected {
        let message = format!("window {id} is protected: {reason}");
        let text = describe(&window);
        return Err(refuse_protected(state, caller, action, text, message, reason).await);
    }
    Ok(window)
}

fn describe(window: &WindowRow) -> String {
    format!(
        "window {} ({}: {})",
        window.id,
        window.class,
        window.title.chars().take(80).collect::<String>()
    )
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::Internal(e.into()))
}

/// Closes one window gracefully and reports what happened within `timeout`.
pub async fn close(
    state: &AppState,
    caller: &Caller,
    id: &WindowId,
    expected: &Expected,
    timeout: Duration,
) -> Result<WindowResult> {
    const ACTION: AuditAction = AuditAction::WindowClose;
    let window = target(state, caller, ACTION, id, expected).await?;
    let system = state.windows.system();
    let target = id.clone();
    let outcome = blocking(move || system.close(&target, timeout)).await?;
    let result = match outcome {
        Ok(outcome) => WindowResult {
            window,
            outcome: outcome.into(),
            message: None,
        },
        Err(err) => WindowResult {
            window,
            outcome: WindowOutcome::Failed,
            message: Some(err.to_string()),
        },
    };
    let ok = result.outcome == WindowOutcome::Closed;
    by(
        caller,
        ACTION,
        Some(describe(&result.window)),
        Outcome::of(ok),
    )
    .with_detail(json!({ "outcome": result.outcome, "message": result.message }))
    .write(state)
    .await;
    Ok(result)
}

/// Closes every top-level window that may be closed, all at once; or, with `dry_run`, says
/// what would happen to each.
pub async fn close_all(
    state: &AppState,
    caller: &Caller,
    dry_run: bool,
    timeout: Duration,
) -> Result<CloseAllReport> {
    const ACTION: AuditAction = AuditAction::WindowCloseAll;
    require(state, caller, Permission::Act, ACTION, None).await?;
    let list = current(state, caller).await?;
    let mut results = Vec::new();
    let mut to_close = Vec::new();
    for window in list.windows {
        let (outcome, message) = if let Some(reason) = &window.protected {
            (WindowOutcome::Protected, Some(reason.clone()))
        } else if window.transient_for.is_some() || window.kind != "normal" {
            (
                WindowOutcome::Skipped,
                Some("a dialog or tool window: its main window is closed instead".into()),
            )
        } else if !window.closable {
            (
                WindowOutcome::Unsupported,
                Some("it does not accept close requests; nothing was sent".into()),
            )
        } else {
            to_close.push(window.id.clone());
            (WindowOutcome::WouldClose, None)
        };
        results.push(WindowResult {
            window,
            outcome,
            message,
        });
    }
    let mut session_id = None;
    if !dry_run && !to_close.is_empty() {
        // Snapshot first, so that the close-all can be undone. Without it (no database) the
        // close-all still runs: the person asked for it, and nothing is lost that would not
        // be without Boss.
        let closing = to_close.clone();
        match super::sessions::save_before_close_all(state, caller, move |w| {
            closing.contains(&w.id)
        })
        .await
        {
            Ok(session) => session_id = Some(session.id),
            Err(err) => tracing::warn!("close-all: could not save the windows first: {err}"),
        }
        let system = state.windows.system();
        let ids = to_close.clone();
        let outcomes = blocking(move || system.close_many(&ids, timeout)).await?;
        for (id, outcome) in outcomes {
            if let Some(result) = results.iter_mut().find(|r| r.window.id == id) {
                match outcome {
                    Ok(outcome) => result.outcome = outcome.into(),
                    Err(err) => {
                        result.outcome = WindowOutcome::Failed;
                        result.message = Some(err.to_string());
                    }
                }
            }
        }
    }
    if !dry_run {
        let count = |outcome| results.iter().filter(|r| r.outcome == outcome).count();
        by(caller, ACTION, None, Outcome::Success)
            .with_detail(json!({
                "closed": count(WindowOutcome::Closed),
                "prompting": count(WindowOutcome::Prompting),
                "still_open": count(WindowOutcome::StillOpen),
                "protected": count(WindowOutcome::Protected),
                "session_id": session_id,
                "unsupported": count(WindowOutcome::Unsupported),
                "results": results.iter().map(|r| json!({
                    "window": r.window.id, "class": r.window.class, "title": r.window.title,
                    "outcome": r.outcome,
                })).collect::<Vec<_>>(),
            }))
            .write(state)
            .await;
    }
    Ok(CloseAllReport {
        dry_run,
        results,
        session_id,
    })
}

/// Brings a window to the front (`activate`) or minimizes it.
pub async fn arrange(
    state: &AppState,
    caller: &Caller,
    id: &WindowId,
    expected: &Expected,
    minimize: bool,
) -> Result<WindowRow> {
    let action = if minimize {
        AuditAction::WindowMinimize
    } else {
        AuditAction::WindowActivate
    };
    let window = target(state, caller, action, id, expected).await?;
    let system = state.windows.system();
    let target = id.clone();
    let done = blocking(move || {
        if minimize {
            system.minimize(&target)
        } else {
            system.activate(&target)
        }
    })
    .await?;
    let outcome = Outcome::of(done.is_ok());
    let mut entry = by(caller, action, Some(describe(&window)), outcome);
    if let Err(err) = &done {
        entry = entry.with_error(err);
    }
    entry.write(state).await;
    done?;
    Ok(window)
}
