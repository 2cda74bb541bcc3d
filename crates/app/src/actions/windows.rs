//! Acting on windows: close gracefully (one, or all but the protected ones and dialogs),
//! activate, minimize. Never by killing: a window whose application refuses stays open and is
//! reported as such.

use std::time::Duration;

use platform::CloseOutcome;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{Outcome, audit, by, require};
use crate::auth::{Caller, Permission};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::windows::{WindowListView, WindowRow, view};

/// What became of one window.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WindowResult {
    pub window: WindowRow,
    /// `closed`, `prompting` (it asked something, e.g. to save), `still_open` (no answer in
    /// time), `unsupported` (it does not accept close requests: nothing was sent), `gone`,
    /// `protected`, `skipped` (a dialog: close its main window instead), `would_close` (dry
    /// run), or `failed`.
    pub outcome: String,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CloseAllReport {
    pub dry_run: bool,
    pub results: Vec<WindowResult>,
}

/// What the caller expects the window to be: window ids are reused once a window is gone.
#[derive(Debug, Clone, Default)]
pub struct Expected {
    pub pid: Option<u32>,
    pub class: Option<String>,
}

fn outcome_name(outcome: CloseOutcome) -> &'static str {
    match outcome {
        CloseOutcome::Closed => "closed",
        CloseOutcome::Prompting => "prompting",
        CloseOutcome::StillOpen => "still_open",
        CloseOutcome::Unsupported => "unsupported",
        CloseOutcome::Gone => "gone",
    }
}

/// The current list as the caller sees it, or 503 without a display.
async fn current(state: &AppState, caller: &Caller) -> Result<WindowListView> {
    let list = state.windows.list().await;
    if !list.available {
        return Err(Error::Unavailable(format!(
            "no window system to talk to: {}",
            list.reason.as_deref().unwrap_or("unknown reason")
        )));
    }
    let protection = state
        .windows
        .protection(caller.peer, state.listen_port.get().copied());
    Ok(view(&list, &protection))
}

/// Finds the window and checks that it is the one the caller means and may be touched.
async fn target(
    state: &AppState,
    caller: &Caller,
    action: &'static str,
    id: u64,
    expected: &Expected,
) -> Result<WindowRow> {
    let subject = format!("window {id:#x}");
    let found = current(state, caller).await.and_then(|list| {
        list.windows
            .into_iter()
            .find(|w| w.id == id)
            .ok_or_else(|| Error::NotFound(format!("no window {id:#x} (it may have closed)")))
    });
    let window = match found {
        Ok(window) => window,
        Err(err) => {
            let mut entry = by(caller, action, Some(subject), Outcome::Failure);
            entry.detail = Some(json!({ "error": err.to_string() }));
            audit(state, entry).await;
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
            "window {id:#x} now belongs to another application ({}); refresh and try again",
            window.class
        )));
    }
    if let Some(reason) = &window.protected {
        let mut entry = by(caller, action, Some(describe(&window)), Outcome::Denied);
        entry.detail = Some(json!({ "reason": reason }));
        audit(state, entry).await;
        return Err(Error::Forbidden {
            code: "protected",
            message: format!("window {id:#x} is protected: {reason}"),
        });
    }
    Ok(window)
}

fn describe(window: &WindowRow) -> String {
    format!(
        "window {} ({}: {})",
        window.id_hex,
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
    id: u64,
    expected: &Expected,
    timeout: Duration,
) -> Result<WindowResult> {
    const ACTION: &str = "window.close";
    require(
        state,
        caller,
        Permission::Act,
        ACTION,
        Some(format!("window {id:#x}")),
    )
    .await?;
    let window = target(state, caller, ACTION, id, expected).await?;
    let system = state.windows.system();
    let outcome = blocking(move || system.close(id, timeout)).await?;
    let result = match outcome {
        Ok(outcome) => WindowResult {
            window,
            outcome: outcome_name(outcome).into(),
            message: None,
        },
        Err(err) => WindowResult {
            window,
            outcome: "failed".into(),
            message: Some(err.to_string()),
        },
    };
    let ok = result.outcome == "closed";
    let mut entry = by(
        caller,
        ACTION,
        Some(describe(&result.window)),
        if ok {
            Outcome::Success
        } else {
            Outcome::Failure
        },
    );
    entry.detail = Some(json!({ "outcome": result.outcome, "message": result.message }));
    audit(state, entry).await;
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
    const ACTION: &str = "window.close_all";
    require(state, caller, Permission::Act, ACTION, None).await?;
    let list = current(state, caller).await?;
    let mut results = Vec::new();
    let mut to_close = Vec::new();
    for window in list.windows {
        let (outcome, message) = if let Some(reason) = &window.protected {
            ("protected", Some(reason.clone()))
        } else if window.transient_for.is_some() || window.kind != "normal" {
            (
                "skipped",
                Some("a dialog or tool window: its main window is closed instead".into()),
            )
        } else if !window.closable {
            (
                "unsupported",
                Some("it does not accept close requests; nothing was sent".into()),
            )
        } else {
            to_close.push(window.id);
            ("would_close", None)
        };
        results.push(WindowResult {
            window,
            outcome: outcome.into(),
            message,
        });
    }
    if !dry_run && !to_close.is_empty() {
        let system = state.windows.system();
        let ids = to_close.clone();
        let outcomes = blocking(move || system.close_many(&ids, timeout)).await?;
        for (id, outcome) in outcomes {
            if let Some(result) = results.iter_mut().find(|r| r.window.id == id) {
                match outcome {
                    Ok(outcome) => result.outcome = outcome_name(outcome).into(),
                    Err(err) => {
                        result.outcome = "failed".into();
                        result.message = Some(err.to_string());
                    }
                }
            }
        }
    }
    if !dry_run {
        let count = |name: &str| results.iter().filter(|r| r.outcome == name).count();
        let mut entry = by(caller, ACTION, None, Outcome::Success);
        entry.detail = Some(json!({
            "closed": count("closed"),
            "prompting": count("prompting"),
            "still_open": count("still_open"),
            "protected": count("protected"),
            "unsupported": count("unsupported"),
            "results": results.iter().map(|r| json!({
                "window": r.window.id_hex, "class": r.window.class, "title": r.window.title,
                "outcome": r.outcome,
            })).collect::<Vec<_>>(),
        }));
        audit(state, entry).await;
    }
    Ok(CloseAllReport { dry_run, results })
}

/// Brings a window to the front (`activate`) or minimizes it.
pub async fn arrange(
    state: &AppState,
    caller: &Caller,
    id: u64,
    expected: &Expected,
    minimize: bool,
) -> Result<WindowRow> {
    let action = if minimize {
        "window.minimize"
    } else {
        "window.activate"
    };
    require(
        state,
        caller,
        Permission::Act,
        action,
        Some(format!("window {id:#x}")),
    )
    .await?;
    let window = target(state, caller, action, id, expected).await?;
    let system = state.windows.system();
    let done = blocking(move || {
        if minimize {
            system.minimize(id)
        } else {
            system.activate(id)
        }
    })
    .await?;
    let outcome = if done.is_ok() {
        Outcome::Success
    } else {
        Outcome::Failure
    };
    let mut entry = by(caller, action, Some(describe(&window)), outcome);
    if let Err(err) = &done {
        entry.detail = Some(json!({ "error": err.to_string() }));
    }
    audit(state, entry).await;
    done?;
    Ok(window)
}
