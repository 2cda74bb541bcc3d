//! Saving the desk and putting it back: snapshot the open apps and windows (by name, or
//! before a close-all), rename and delete snapshots, and restore one.
//!
//! A restore starts each app once, never beside a running copy of itself (an app already
//! running only has its windows put back), through the ordinary launch path so that every
//! start is in the history and the audit log. Launches are staggered; then the new windows are
//! awaited under one timeout (matched by PID, then by class and title) and placed as they
//! appear: desktop, geometry, maximized, minimized. Last, the windows put back are raised in
//! their saved stacking order, so that the one in front before is in front again.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use platform::{WindowInfo, WindowSystem};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{AuditAction, Outcome, audit, by, launches, require};
use crate::auth::{Caller, Permission, Role};
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::sessions::{self, SeenProcess, SeenWindow, SessionApp, SessionWindow, Snapshot};
use crate::state::AppState;
use crate::store::{DeskSession, DeskSessionKind, NewDeskSession};

/// The pause between two launches of a restore: a desk of apps starting at once competes for
/// the disk and the CPU, and window managers place simultaneous windows less predictably.
const STAGGER: Duration = Duration::from_millis(150);
/// How often the window list is read while waiting for restored windows.
const POLL: Duration = Duration::from_millis(100);
/// How long a placed window is given to get where it was asked to go...
const SETTLE: Duration = Duration::from_millis(600);
/// ...and how often it is asked.
const PLACE_ATTEMPTS: usize = 3;
/// Longest accepted session name.
const MAX_NAME: usize = 200;

/// What became of one app of a session in a restore.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RestoreOutcome {
    /// Started, and its windows were put back.
    Launched,
    /// It was running, and its windows were moved back into place.
    Placed,
    /// It was running with its windows in place: nothing to do.
    AlreadyRunning,
    /// No command can start it again (`reason` says why).
    Unrestorable,
    /// Starting it failed (`reason` says why).
    Failed,
    /// Started, but none of its windows appeared in time.
    Timeout,
    /// Dry run: it would be started.
    WouldLaunch,
}

/// What became of one window of an app in a restore.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WindowRestoreOutcome {
    /// Moved to where it was.
    Placed,
    /// Already where it was.
    InPlace,
    /// The running app has no such window (any more).
    Missing,
    /// It did not appear before the timeout.
    Timeout,
    /// The window system refused to move it (`reason`).
    Failed,
    /// Nothing was done (dry run, or the app was not started).
    Skipped,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WindowRestoreResult {
    pub title: String,
    pub outcome: WindowRestoreOutcome,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RestoreResult {
    pub key: String,
    pub name: String,
    pub outcome: RestoreOutcome,
    pub reason: Option<String>,
    /// The launch that started it (see the history).
    pub launch_id: Option<i64>,
    pub windows: Vec<WindowRestoreResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RestoreReport {
    pub dry_run: bool,
    pub results: Vec<RestoreResult>,
}

fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(Error::Invalid(format!(
            "'name' must be 1 to {MAX_NAME} characters without control characters"
        )));
    }
    Ok(name.to_string())
}

/// A session and its snapshot, or 404.
pub async fn get(state: &AppState, id: i64) -> Result<(DeskSession, Snapshot)> {
    let (session, content) = state
        .store
        .desk_session(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no session with id {id}")))?;
    let snapshot = serde_json::from_str(&content)
        .map_err(|e| Error::Internal(anyhow::anyhow!("session {id} is unreadable: {e}")))?;
    Ok((session, snapshot))
}

/// Reads the desk now: the top-level windows (transient dialogs and Boss's own windows left
/// out) that `keep` accepts, where each sits, and how each process could be started again.
pub async fn snapshot(state: &AppState, keep: impl Fn(&WindowInfo) -> bool) -> Result<Snapshot> {
    let listed = state.windows.list().await;
    if !listed.list.available {
        return Err(Error::Unavailable(format!(
            "no window system to snapshot: {}",
            listed.list.reason.as_deref().unwrap_or("unknown reason")
        )));
    }
    let me = std::process::id();
    let windows: Vec<WindowInfo> = listed
        .list
        .windows
        .iter()
        .filter(|w| w.transient_for.is_none() && w.kind == "normal" && w.pid != Some(me))
        .filter(|w| keep(w))
        .cloned()
        .collect();
    let launches = state.store.running_launches().await.unwrap_or_default();
    let catalog = state.apps.get().await;
    let system = state.windows.system();
    tokio::task::spawn_blocking(move || {
        let seen: Vec<SeenWindow> = windows
            .iter()
            .map(|info| SeenWindow::new(info, system.layout(info).ok()))
            .collect();
        let processes = read_processes(seen.iter().filter_map(|w| w.pid));
        sessions::build(seen, &processes, &launches, &catalog)
    })
    .await
    .map_err(|e| Error::Internal(e.into()))
}

/// The command and start time of each process (blocking: reads `/proc`).
fn read_processes(pids: impl Iterator<Item = u32>) -> HashMap<u32, SeenProcess> {
    let mut processes = HashMap::new();
    for pid in pids {
        processes.entry(pid).or_insert_with(|| SeenProcess {
            command: platform::process_command(pid).ok(),
            start_ticks: platform::identify_process(pid).ok().map(|p| p.start_ticks),
        });
    }
    processes
}

/// Stores `snapshot` as a session of `caller`'s and audits it.
async fn store(
    state: &AppState,
    caller: &Caller,
    name: String,
    kind: DeskSessionKind,
    snapshot: &Snapshot,
) -> Result<DeskSession> {
    let content = serde_json::to_string(snapshot).map_err(|e| Error::Internal(e.into()))?;
    let record = NewDeskSession {
        name,
        kind,
        created_at: now_ms(),
        created_by_id: Some(caller.user.id),
        created_by: caller.user.username.clone(),
        apps: snapshot.apps.len() as i64,
        windows: snapshot.window_count() as i64,
        content,
    };
    let id = state.store.create_desk_session(&record).await?;
    by(
        caller,
        AuditAction::SessionSave,
        Some(format!("session {id} ({})", record.name)),
        Outcome::Success,
    )
    .with_detail(json!({ "kind": kind, "apps": record.apps, "windows": record.windows }))
    .write(state)
    .await;
    Ok(record.stored(id))
}

/// Saves the current desk under `name`.
pub async fn save(state: &AppState, caller: &Caller, name: &str) -> Result<DeskSession> {
    const ACTION: AuditAction = AuditAction::SessionSave;
    require(
        state,
        caller,
        Permission::Act,
        ACTION,
        Some(name.to_string()),
    )
    .await?;
    let name = check_name(name)?;
    let snapshot = snapshot(state, |_| true).await?;
    store(state, caller, name, DeskSessionKind::Manual, &snapshot).await
}

/// Saves the windows a close-all is about to close (those `closing` accepts), so that it can
/// be undone. The caller has passed the close-all's own permission check.
pub(super) async fn save_before_close_all(
    state: &AppState,
    caller: &Caller,
    closing: impl Fn(&WindowInfo) -> bool,
) -> Result<DeskSession> {
    let snapshot = snapshot(state, closing).await?;
    let name = "Before close-all".to_string();
    store(state, caller, name, DeskSessionKind::CloseAll, &snapshot).await
}

/// Operators change their own sessions; admins anyone's.
async fn owned(
    state: &AppState,
    caller: &Caller,
    action: AuditAction,
    id: i64,
) -> Result<DeskSession> {
    let target = Some(format!("session {id}"));
    require(state, caller, Permission::Act, action, target.clone()).await?;
    let (session, _) = state
        .store
        .desk_session(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no session with id {id}")))?;
    if session.created_by_id != Some(caller.user.id) && caller.user.role < Role::Admin {
        by(caller, action, target, Outcome::Denied)
            .with_reason("another user's session")
            .write(state)
            .await;
        return Err(Error::forbidden(format!(
            "session {id} is {}'s: only an admin may change it",
            session.created_by
        )));
    }
    Ok(session)
}

pub async fn rename(state: &AppState, caller: &Caller, id: i64, name: &str) -> Result<DeskSession> {
    const ACTION: AuditAction = AuditAction::SessionRename;
    let mut session = owned(state, caller, ACTION, id).await?;
    let name = check_name(name)?;
    if !state.store.rename_desk_session(id, &name).await? {
        return Err(Error::NotFound(format!("no session with id {id}")));
    }
    by(
        caller,
        ACTION,
        Some(format!("session {id}")),
        Outcome::Success,
    )
    .with_detail(json!({ "from": session.name, "to": name }))
    .write(state)
    .await;
    session.name = name;
    Ok(session)
}

pub async fn delete(state: &AppState, caller: &Caller, id: i64) -> Result<()> {
    const ACTION: AuditAction = AuditAction::SessionDelete;
    let session = owned(state, caller, ACTION, id).await?;
    if !state.store.delete_desk_session(id).await? {
        return Err(Error::NotFound(format!("no session with id {id}")));
    }
    let target = format!("session {id} ({})", session.name);
    audit(state, by(caller, ACTION, Some(target), Outcome::Success)).await;
    Ok(())
}

/// A process running now and its command line, as a restore matches it against the apps.
struct Running {
    pid: u32,
    command: platform::ProcessCommand,
}

/// The processes running now that could be apps of the session: those owning windows and
/// Boss's running launches (which may not have mapped a window yet).
async fn running_processes(state: &AppState, windows: &[WindowInfo]) -> Vec<Running> {
    let mut pids: Vec<u32> = windows.iter().filter_map(|w| w.pid).collect();
    if let Ok(launches) = state.store.running_launches().await {
        pids.extend(launches.iter().filter_map(|l| l.record.pid));
    }
    let unique: HashSet<u32> = pids.into_iter().collect();
    tokio::task::spawn_blocking(move || {
        unique
            .into_iter()
            .filter_map(|pid| {
                platform::process_command(pid)
                    .ok()
                    .filter(|c| !c.argv.is_empty())
                    .map(|command| Running { pid, command })
            })
            .collect()
    })
    .await
    .unwrap_or_default()
}

/// Pairs saved windows with live ones: the same title first, then the same class, each live
/// window used once. Returns, per saved window, the index of its live window.
fn pair_windows(saved: &[SessionWindow], live: &[&WindowInfo]) -> Vec<Option<usize>> {
    let mut used = vec![false; live.len()];
    let mut pairs = vec![None; saved.len()];
    for (i, want) in saved.iter().enumerate() {
        if let Some(j) = (0..live.len()).find(|&j| !used[j] && live[j].title == want.title) {
            used[j] = true;
            pairs[i] = Some(j);
        }
    }
    for (i, want) in saved.iter().enumerate() {
        if pairs[i].is_some() {
            continue;
        }
        if let Some(j) = (0..live.len()).find(|&j| !used[j] && live[j].class == want.class) {
            used[j] = true;
            pairs[i] = Some(j);
        }
    }
    pairs
}

/// How a window was put back.
enum Put {
    /// It was where it belonged: nothing asked.
    InPlace,
    /// Asked, and it went there.
    Placed,
    /// Asked again and again, and the window system kept it elsewhere.
    Elsewhere,
}

/// Puts one live window where the saved one was, unless it is there already (`force`: always
/// ask, for windows just mapped, which managers may still be placing). A placement is a
/// request: it is checked, and asked again when a client that was still settling (a new
/// window choosing its own size) undid it.
async fn put_back(
    system: &std::sync::Arc<dyn WindowSystem>,
    want: &SessionWindow,
    live: &WindowInfo,
    force: bool,
) -> WindowRestoreResult {
    let system = system.clone();
    let want_placement = want.placement();
    let (want_c, live_c) = (want.clone(), live.clone());
    let done = tokio::task::spawn_blocking(move || {
        let there = || {
            let now = system
                .list()
                .windows
                .into_iter()
                .find(|w| w.id == live_c.id);
            now.zip(system.layout(&live_c).ok())
                .is_some_and(|(now, layout)| want_c.matches(now.desktop, now.minimized, &layout))
        };
        if !force && there() {
            return Ok(Put::InPlace);
        }
        for _ in 0..PLACE_ATTEMPTS {
            system.place(&live_c, &want_placement)?;
            let settled = Instant::now() + SETTLE;
            while Instant::now() < settled {
                std::thread::sleep(POLL / 2);
                if there() {
                    return Ok(Put::Placed);
                }
            }
        }
        Ok::<_, platform::Error>(Put::Elsewhere)
    })
    .await;
    let (outcome, reason) = match done {
        Ok(Ok(Put::Placed | Put::Elsewhere)) if want.tiled => (
            WindowRestoreOutcome::Placed,
            Some(
                "tiled: its workspace is back; the tiling layout decides its position and size"
                    .into(),
            ),
        ),
        Ok(Ok(Put::Placed)) => (WindowRestoreOutcome::Placed, None),
        Ok(Ok(Put::Elsewhere)) => (
            WindowRestoreOutcome::Placed,
            Some("asked, but the window manager keeps it elsewhere".into()),
        ),
        Ok(Ok(Put::InPlace)) => (WindowRestoreOutcome::InPlace, None),
        Ok(Err(e)) => (WindowRestoreOutcome::Failed, Some(e.to_string())),
        Err(e) => (WindowRestoreOutcome::Failed, Some(e.to_string())),
    };
    WindowRestoreResult {
        title: want.title.clone(),
        outcome,
        reason,
    }
}

fn window_results(app: &SessionApp, outcome: WindowRestoreOutcome) -> Vec<WindowRestoreResult> {
    app.windows
        .iter()
        .map(|w| WindowRestoreResult {
            title: w.title.clone(),
            outcome,
            reason: None,
        })
        .collect()
}

/// An app being started by this restore, waiting for its windows.
struct Pending {
    /// The app's index in the snapshot.
    index: usize,
    /// The launched process.
    pid: Option<u32>,
    /// Per saved window: what became of it, once its live window was found.
    found: Vec<Option<WindowRestoreResult>>,
}

/// Restores session `id`: with `dry_run`, only says what would happen.
pub async fn restore(
    state: &AppState,
    caller: &Caller,
    id: i64,
    dry_run: bool,
    timeout: Duration,
) -> Result<RestoreReport> {
    const ACTION: AuditAction = AuditAction::SessionRestore;
    require(
        state,
        caller,
        Permission::Act,
        ACTION,
        Some(format!("session {id}")),
    )
    .await?;
    let (session, snapshot) = get(state, id).await?;
    let listed = state.windows.list().await;
    if !listed.list.available {
        return Err(Error::Unavailable(format!(
            "no window system to restore into: {}",
            listed.list.reason.as_deref().unwrap_or("unknown reason")
        )));
    }
    let before: Vec<WindowInfo> = listed.list.windows.clone();
    let running = running_processes(state, &before).await;
    let system = state.windows.system();

    // Which running process is which app: exact command lines first, so that a loose match
    // (a bare desktop entry by its program) never takes the process of an app saved with
    // arguments of its own.
    let mut claimed: HashSet<u32> = HashSet::new();
    let mut matched: Vec<Option<u32>> = vec![None; snapshot.apps.len()];
    for rule in [sessions::same_command, sessions::same_program] {
        for (index, app) in snapshot.apps.iter().enumerate() {
            if !app.restorable || matched[index].is_some() {
                continue;
            }
            if let Some(found) = running
                .iter()
                .find(|r| !claimed.contains(&r.pid) && rule(app, &r.command))
            {
                claimed.insert(found.pid);
                matched[index] = Some(found.pid);
            }
        }
    }
    let mut results: Vec<Option<RestoreResult>> = vec![None; snapshot.apps.len()];
    let mut to_launch = Vec::new();
    // The windows put back, each with its saved record (for the stacking order).
    let mut restored: Vec<(&SessionWindow, WindowInfo)> = Vec::new();
    for (index, app) in snapshot.apps.iter().enumerate() {
        let result = |outcome, reason: Option<String>, windows| RestoreResult {
            key: app.key.clone(),
            name: app.name.clone(),
            outcome,
            reason,
            launch_id: None,
            windows,
        };
        if !app.restorable {
            let skipped = window_results(app, WindowRestoreOutcome::Skipped);
            results[index] = Some(result(
                RestoreOutcome::Unrestorable,
                app.reason.clone(),
                skipped,
            ));
            continue;
        }
        let Some(pid) = matched[index] else {
            if dry_run {
                let skipped = window_results(app, WindowRestoreOutcome::Skipped);
                results[index] = Some(result(RestoreOutcome::WouldLaunch, None, skipped));
            } else {
                to_launch.push(index);
            }
            continue;
        };
        if dry_run {
            let skipped = window_results(app, WindowRestoreOutcome::Skipped);
            results[index] = Some(result(RestoreOutcome::AlreadyRunning, None, skipped));
            continue;
        }
        // Running: only put its windows back.
        let live: Vec<&WindowInfo> = before.iter().filter(|w| w.pid == Some(pid)).collect();
        let pairs = pair_windows(&app.windows, &live);
        let mut windows = Vec::new();
        for (want, pair) in app.windows.iter().zip(pairs) {
            windows.push(match pair {
                Some(j) => {
                    restored.push((want, live[j].clone()));
                    put_back(&system, want, live[j], false).await
                }
                None => WindowRestoreResult {
                    title: want.title.clone(),
                    outcome: WindowRestoreOutcome::Missing,
                    reason: None,
                },
            });
        }
        let moved = windows
            .iter()
            .any(|w| w.outcome == WindowRestoreOutcome::Placed);
        let outcome = if moved {
            RestoreOutcome::Placed
        } else {
            RestoreOutcome::AlreadyRunning
        };
        results[index] = Some(result(outcome, None, windows));
    }

    // Start the rest, staggered, through the ordinary launch path.
    let mut pending = Vec::new();
    for (n, &index) in to_launch.iter().enumerate() {
        if n > 0 {
            tokio::time::sleep(STAGGER).await;
        }
        let app = &snapshot.apps[index];
        match start(state, caller, app).await {
            Ok(launch) => {
                // The windows are filled in as they appear.
                results[index] = Some(RestoreResult {
                    key: app.key.clone(),
                    name: app.name.clone(),
                    outcome: RestoreOutcome::Launched,
                    reason: None,
                    launch_id: (launch.id > 0).then_some(launch.id),
                    windows: Vec::new(),
                });
                if app.windows.is_empty() {
                    continue;
                }
                pending.push(Pending {
                    index,
                    pid: launch.record.pid,
                    found: vec![None; app.windows.len()],
                });
            }
            Err(err) => {
                results[index] = Some(RestoreResult {
                    key: app.key.clone(),
                    name: app.name.clone(),
                    outcome: RestoreOutcome::Failed,
                    reason: Some(err.to_string()),
                    launch_id: None,
                    windows: window_results(app, WindowRestoreOutcome::Skipped),
                });
            }
        }
    }

    // Wait for the new windows under one timeout, placing each as it appears.
    let appeared = await_windows(state, &snapshot, &before, &mut pending, timeout).await;
    restored.extend(appeared);
    if !restored.is_empty() {
        restack(&system, restored).await;
    }
    for p in pending {
        let app = &snapshot.apps[p.index];
        let none_found = p.found.iter().all(Option::is_none);
        let windows = p
            .found
            .into_iter()
            .zip(&app.windows)
            .map(|(found, want)| {
                found.unwrap_or_else(|| WindowRestoreResult {
                    title: want.title.clone(),
                    outcome: WindowRestoreOutcome::Timeout,
                    reason: None,
                })
            })
            .collect();
        if let Some(result) = results[p.index].as_mut() {
            result.windows = windows;
            if none_found {
                result.outcome = RestoreOutcome::Timeout;
                result.reason = Some(format!(
                    "started, but no window appeared within {} ms",
                    timeout.as_millis()
                ));
            }
        }
    }

    let results: Vec<RestoreResult> = results.into_iter().flatten().collect();
    if !dry_run {
        let count = |o| results.iter().filter(|r| r.outcome == o).count();
        by(
            caller,
            ACTION,
            Some(format!("session {id} ({})", session.name)),
            Outcome::of(count(RestoreOutcome::Failed) + count(RestoreOutcome::Timeout) == 0),
        )
        .with_detail(json!({
            "launched": count(RestoreOutcome::Launched),
            "placed": count(RestoreOutcome::Placed),
            "already_running": count(RestoreOutcome::AlreadyRunning),
            "unrestorable": count(RestoreOutcome::Unrestorable),
            "failed": count(RestoreOutcome::Failed),
            "timeout": count(RestoreOutcome::Timeout),
        }))
        .write(state)
        .await;
    }
    Ok(RestoreReport { dry_run, results })
}

/// Raises the `restored` windows bottom to top in their saved stacking order (minimized ones
/// left hidden), so that the front one ends in front. A window system that cannot stack is
/// no reason to fail a restore that put everything back: it is logged.
async fn restack(
    system: &std::sync::Arc<dyn WindowSystem>,
    mut restored: Vec<(&SessionWindow, WindowInfo)>,
) {
    restored.retain(|(want, _)| !want.minimized);
    restored.sort_by_key(|(want, _)| want.order);
    let windows: Vec<WindowInfo> = restored.into_iter().map(|(_, w)| w).collect();
    let system = system.clone();
    match tokio::task::spawn_blocking(move || system.restack(&windows)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::info!("restored windows not restacked: {e}"),
        Err(e) => tracing::warn!("restacking the restored windows failed: {e}"),
    }
}

/// Waits until `timeout` for the windows of the apps just started (new since `before`),
/// placing each as it appears: windows of the launched process itself first, then by class
/// and title (for programs that hand over to another process). Returns the windows found,
/// each with the saved record it was paired with.
async fn await_windows<'s>(
    state: &AppState,
    snapshot: &'s Snapshot,
    before: &[WindowInfo],
    pending: &mut [Pending],
    timeout: Duration,
) -> Vec<(&'s SessionWindow, WindowInfo)> {
    let mut appeared: Vec<(&SessionWindow, WindowInfo)> = Vec::new();
    let system = state.windows.system();
    let deadline = Instant::now() + timeout;
    while pending.iter().any(|p| p.found.iter().any(Option::is_none)) && Instant::now() < deadline {
        tokio::time::sleep(POLL).await;
        let now = state.windows.list().await;
        let fresh: Vec<&WindowInfo> = now
            .list
            .windows
            .iter()
            .filter(|w| w.transient_for.is_none() && w.kind == "normal")
            .filter(|w| !before.iter().any(|b| b.id == w.id))
            .filter(|w| !appeared.iter().any(|(_, t)| t.id == w.id))
            .collect();
        if fresh.is_empty() {
            continue;
        }
        for by_pid in [true, false] {
            for p in pending.iter_mut() {
                let app = &snapshot.apps[p.index];
                let candidates: Vec<&WindowInfo> = fresh
                    .iter()
                    .copied()
                    .filter(|w| !appeared.iter().any(|(_, t)| t.id == w.id))
                    .filter(|w| {
                        if by_pid {
                            p.pid.is_some() && w.pid == p.pid
                        } else {
                            app.windows.iter().any(|s| s.class == w.class)
                        }
                    })
                    .collect();
                let missing: Vec<usize> = (0..app.windows.len())
                    .filter(|&i| p.found[i].is_none())
                    .collect();
                let wanted: Vec<SessionWindow> =
                    missing.iter().map(|&i| app.windows[i].clone()).collect();
                let pairs = pair_windows(&wanted, &candidates);
                for (k, pair) in pairs.into_iter().enumerate() {
                    let Some(j) = pair else { continue };
                    let (want, live) = (&app.windows[missing[k]], candidates[j]);
                    appeared.push((want, live.clone()));
                    let placed = put_back(&system, want, live, true).await;
                    p.found[missing[k]] = Some(placed);
                }
            }
        }
    }
    appeared
}

/// Starts one app through the launch path: its desktop entry when the saved command is the
/// entry's own, else its program with the saved arguments and directory.
async fn start(
    state: &AppState,
    caller: &Caller,
    app: &SessionApp,
) -> Result<crate::store::Launch> {
    if let Some(desktop_id) = &app.desktop_id {
        let catalog = state.apps.get().await;
        if let Some(entry) = catalog.get(desktop_id)
            && platform::exec_argv(entry, &[]).is_ok_and(|argv| argv == app.argv)
        {
            return launches::launch_app(state, caller, desktop_id, Vec::new()).await;
        }
    }
    let mut argv = app.argv.iter().cloned();
    let program = argv
        .next()
        .ok_or_else(|| Error::Invalid(format!("'{}' has no command to run", app.name)))?;
    // A directory that is gone since (a deleted temporary one) is no reason not to start.
    let cwd = app
        .cwd
        .clone()
        .filter(|dir| std::path::Path::new(dir).is_dir());
    launches::launch_program(state, caller, &program, argv.collect(), cwd).await
}

/// Restores, in the background, the session the settings name for start-up
/// (`restore_session_on_start`), if any.
pub fn spawn_restore_on_start(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(err) = restore_on_start(&state, Duration::from_secs(60)).await {
            tracing::warn!("could not restore the start-up session: {err}");
        }
    });
}

/// Restores the start-up session, acting as the user who saved it (their role is checked and
/// the restore audited under their name, as if they had asked). Waits up to `patience` for
/// the display: Boss may start before the desktop does. Returns the report, or `None` when no
/// session is chosen.
pub async fn restore_on_start(
    state: &AppState,
    patience: Duration,
) -> Result<Option<RestoreReport>> {
    let settings = crate::settings::load(state.store.as_ref()).await?;
    let Some(id) = settings.restore_session_on_start else {
        return Ok(None);
    };
    let (session, _) = state
        .store
        .desk_session(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no session with id {id}")))?;
    let user = match session.created_by_id {
        Some(user_id) => state.store.user_by_id(user_id).await?,
        None => None,
    }
    .ok_or_else(|| {
        Error::NotFound(format!(
            "session {id} was saved by {}, whose account is gone",
            session.created_by
        ))
    })?;
    let caller = Caller::admitted(state, user, crate::auth::AuthMethod::Startup, None, None);
    let deadline = Instant::now() + patience;
    while !state.windows.list().await.list.available {
        if Instant::now() >= deadline {
            return Err(Error::Unavailable(format!(
                "no display came up within {} s to restore session {id} into",
                patience.as_secs()
            )));
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let report = restore(state, &caller, id, false, Duration::from_secs(30)).await?;
    tracing::info!(
        "restored session {id} ('{}') at start-up: {} apps",
        session.name,
        report.results.len()
    );
    Ok(Some(report))
}
