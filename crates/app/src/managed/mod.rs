//! Managed apps: programs Boss keeps running. The stored app (what to run and its [`Policy`])
//! is the desired state; one runner task per app carries out the state machine
//! (`starting` → `running` → `backoff` → `starting` ... or `errored`, `exited`, `stopped`),
//! starting each run as an ordinary launch (a launch row with `managed_id`) through the
//! actions layer, and announcing every transition on the live stream.
//!
//! Linux only in practice (the launcher and process checks answer `Unsupported` elsewhere).

pub mod policy;
mod runner;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc, oneshot};
use utoipa::ToSchema;

pub use policy::{Policy, RestartMode};
pub use runner::resume;

use crate::auth::Caller;
use crate::clock::to_rfc3339;
use crate::error::Result;
use crate::state::AppState;
use crate::store::{LaunchOutcome, ManagedApp};

/// Where a managed app stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ManagedState {
    /// Being started.
    Starting,
    Running,
    /// Ended; restarts at `next_start_at` (restart number `attempt`).
    Backoff,
    /// Given up: too many restarts within the window (`reason` says which).
    Errored,
    /// Stopped on request (or never started).
    #[default]
    Stopped,
    /// Ended and not restarted by its policy (`never`, or `on-failure` after a clean exit).
    Exited,
}

/// How the latest run ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LastExit {
    pub at: String,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub outcome: LaunchOutcome,
    /// The launch (history row) of that run.
    pub launch_id: Option<i64>,
}

/// What the runner knows beyond the stored app.
#[derive(Debug, Clone, Default)]
pub struct RunStatus {
    pub state: ManagedState,
    pub pid: Option<u32>,
    pub started_at: Option<i64>,
    /// Automatic restarts since the app was last started by hand.
    pub restarts: u32,
    /// In `backoff`: the number of the coming restart within the window.
    pub attempt: Option<u32>,
    pub next_start_at: Option<i64>,
    pub last_exit: Option<LastExit>,
    pub reason: Option<String>,
    /// The launch of the current run.
    pub launch_id: Option<i64>,
}

/// A managed app as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ManagedView {
    pub id: i64,
    pub name: String,
    /// Credentials hidden, as in the process list.
    pub argv: Vec<String>,
    pub cwd: Option<String>,
    pub desktop_id: Option<String>,
    /// The names of the extra environment variables (values are not shown).
    pub env: Vec<String>,
    pub policy: Policy,
    pub state: ManagedState,
    pub pid: Option<u32>,
    pub started_at: Option<String>,
    pub restarts: u32,
    pub attempt: Option<u32>,
    pub next_start_at: Option<String>,
    pub last_exit: Option<LastExit>,
    /// Why it is `errored` (or why the last start failed).
    pub reason: Option<String>,
    /// Whether Boss keeps it running (and starts it with itself when `policy.autostart`).
    pub enabled: bool,
    pub launch_id: Option<i64>,
}

impl ManagedView {
    pub fn new(app: &ManagedApp, status: &RunStatus) -> Self {
        let argv =
            crate::redact::redact_argv(&app.app.argv).unwrap_or_else(|| app.app.argv.clone());
        Self {
            id: app.id,
            name: app.app.name.clone(),
            argv,
            cwd: app.app.cwd.clone(),
            desktop_id: app.app.desktop_id.clone(),
            env: app.app.env.iter().map(|(k, _)| k.clone()).collect(),
            policy: app.app.policy.clone(),
            state: status.state,
            pid: status.pid,
            started_at: status.started_at.map(to_rfc3339),
            restarts: status.restarts,
            attempt: status.attempt,
            next_start_at: status.next_start_at.map(to_rfc3339),
            last_exit: status.last_exit.clone(),
            reason: status.reason.clone(),
            enabled: app.app.enabled,
            launch_id: status.launch_id,
        }
    }
}

/// The log of a managed app: one per app, across its runs.
pub fn log_path(state: &AppState, id: i64) -> PathBuf {
    state
        .config
        .data_dir
        .join("managed")
        .join(id.to_string())
        .join("output.log")
}

/// What a runner is asked to do; `reply` answers once it is done (the app running, in
/// backoff, or stopped).
pub(crate) enum Command {
    /// Start by hand (restart counters reset); nothing when already running.
    Start {
        caller: Caller,
        reply: oneshot::Sender<Result<()>>,
    },
    /// Stop the whole tree and stay stopped.
    Stop {
        caller: Caller,
        reply: oneshot::Sender<Result<()>>,
    },
    /// Stop (if running), then start by hand.
    Restart {
        caller: Caller,
        reply: oneshot::Sender<Result<()>>,
    },
    /// The stored app changed (policy, argv): used from now on.
    Reload(ManagedApp),
    /// Stop and end the runner (the app is being deleted).
    Remove {
        caller: Caller,
        reply: oneshot::Sender<Result<()>>,
    },
}

struct RunnerHandle {
    commands: mpsc::UnboundedSender<Command>,
    status: Arc<Mutex<RunStatus>>,
}

/// The runners of all managed apps, and the channel on which their changes are announced.
pub struct ManagedSupervisor {
    runners: Mutex<HashMap<i64, RunnerHandle>>,
    events: broadcast::Sender<Arc<ManagedView>>,
}

impl Default for ManagedSupervisor {
    fn default() -> Self {
        Self {
            runners: Mutex::new(HashMap::new()),
            events: broadcast::channel(256).0,
        }
    }
}

impl ManagedSupervisor {
    /// Managed apps as they change (state, PID, policy).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<ManagedView>> {
        self.events.subscribe()
    }

    pub(crate) fn announce(&self, view: ManagedView) {
        let _ = self.events.send(Arc::new(view));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, RunnerHandle>> {
        self.runners.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The runtime status of app `id` (stopped when it has no runner).
    pub fn status(&self, id: i64) -> RunStatus {
        self.lock()
            .get(&id)
            .map(|r| r.status.lock().unwrap_or_else(|e| e.into_inner()).clone())
            .unwrap_or_default()
    }

    /// The view of a stored app with its runtime status.
    pub fn view(&self, app: &ManagedApp) -> ManagedView {
        ManagedView::new(app, &self.status(app.id))
    }

    /// Sends a command to the runner of `id`; false when there is none.
    pub(crate) fn send(&self, id: i64, command: Command) -> bool {
        match self.lock().get(&id) {
            Some(runner) => runner.commands.send(command).is_ok(),
            None => false,
        }
    }

    /// Whether app `id` has a runner (every stored app has, unless it is being deleted).
    pub fn knows(&self, id: i64) -> bool {
        self.lock().contains_key(&id)
    }

    pub(crate) fn forget(&self, id: i64) {
        self.lock().remove(&id);
    }

    /// Starts the runner of `app`, beginning as `initial` says.
    pub(crate) fn spawn(&self, state: &AppState, app: ManagedApp, initial: Initial) {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut first = RunStatus::default();
        if let Initial::Watch {
            process,
            started_at,
            ..
        } = &initial
        {
            // Known at once, so that the answer to an adopt shows it.
            first.state = ManagedState::Running;
            first.pid = Some(process.pid);
            first.started_at = Some(*started_at);
        }
        let status = Arc::new(Mutex::new(first));
        self.lock().insert(
            app.id,
            RunnerHandle {
                commands: tx,
                status: status.clone(),
            },
        );
        tokio::spawn(runner::run(state.clone(), app, status, rx, initial));
    }
}

pub(crate) use runner::{Initial, answer as runner_answer};
