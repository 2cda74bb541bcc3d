//! One task per managed app: start, watch, decide after an end (restart after a delay, give
//! up, or stay ended), obey start/stop/restart/reload/remove. Each run is started and stopped
//! through the actions layer; every transition is announced (live stream) and the decisions
//! Boss takes on its own are audited under the name "boss".

use std::collections::VecDeque;
use std::ops::ControlFlow;
use std::process::ExitStatus;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use platform::ProcessRef;
use serde_json::json;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::{Command, LastExit, ManagedState, ManagedView, Policy, RestartMode, RunStatus};
use crate::actions::{self, Actor, AuditAction, Outcome};
use crate::auth::Caller;
use crate::clock::{now_ms, to_rfc3339};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::{Launch, ManagedApp};

/// How often a process Boss did not start (adopted, or found again after a restart of Boss)
/// is checked for its end. Boss's own children are reaped the moment they end instead.
const POLL: Duration = Duration::from_millis(250);

/// Why a run starts.
pub(crate) enum Why {
    /// Asked for by a caller (counters reset).
    Manual(Caller, Option<oneshot::Sender<Result<()>>>),
    /// The policy restarts it after an end.
    Restart,
    /// Boss started and the app wants to be running.
    Autostart,
}

/// How a runner begins.
pub(crate) enum Initial {
    Idle,
    Start(Why),
    /// Watch a process Boss did not start (its launch row `uid` is already written).
    Watch {
        uid: String,
        process: ProcessRef,
        started_at: i64,
    },
}

/// A run in progress.
struct Run {
    uid: String,
    process: ProcessRef,
    started_at: i64,
    /// Whether Boss reaps it (and so knows its exit status).
    child_of_boss: bool,
    exit: JoinHandle<Option<ExitStatus>>,
}

enum Phase {
    Idle,
    Start(Why),
    Running(Run),
    Backoff(Instant),
}

/// Restarts counted for the policy.
#[derive(Debug, Default)]
pub(crate) struct Restarts {
    /// When each restart within the window was decided (epoch ms).
    times: VecDeque<i64>,
    /// Restarts since the last stable run: the exponent of the delay.
    consecutive: u32,
}

/// What follows the end of a run.
#[derive(Debug, PartialEq)]
pub(crate) enum Decision {
    /// Not restarted (policy `never`, or a clean exit under `on-failure`).
    Exited,
    /// Too many restarts within the window.
    Errored(String),
    /// Restart after `delay`; `attempt` is its number within the window.
    Backoff { delay: Duration, attempt: u32 },
}

/// The policy applied to an end at `now` of a run that lasted `run_ms`; `failed` unless it
/// was a clean exit Boss could see.
pub(crate) fn decide(
    policy: &Policy,
    restarts: &mut Restarts,
    now: i64,
    run_ms: i64,
    failed: bool,
) -> Decision {
    match policy.restart {
        RestartMode::Never => return Decision::Exited,
        RestartMode::OnFailure if !failed => return Decision::Exited,
        _ => {}
    }
    let window_ms = policy.window_s as i64 * 1000;
    while restarts
        .times
        .front()
        .is_some_and(|&t| t <= now - window_ms)
    {
        restarts.times.pop_front();
    }
    if restarts.times.len() as u32 >= policy.max_restarts {
        return Decision::Errored(format!(
            "restarted {} times within {} s (max_restarts {})",
            restarts.times.len(),
            policy.window_s,
            policy.max_restarts
        ));
    }
    if run_ms >= policy.stable_after_s as i64 * 1000 {
        restarts.consecutive = 0;
    }
    restarts.consecutive += 1;
    restarts.times.push_back(now);
    Decision::Backoff {
        delay: policy.delay(restarts.consecutive),
        attempt: restarts.times.len() as u32,
    }
}

struct Runner {
    state: AppState,
    app: ManagedApp,
    status: Arc<Mutex<RunStatus>>,
    restarts: Restarts,
}

impl Runner {
    /// Changes the status and announces the app.
    fn set(&self, change: impl FnOnce(&mut RunStatus)) {
        let view = {
            let mut status = self.status.lock().unwrap_or_else(|e| e.into_inner());
            change(&mut status);
            ManagedView::new(&self.app, &status)
        };
        self.state.managed.announce(view);
    }

    fn target(&self) -> Option<String> {
        Some(format!("managed {} ({})", self.app.id, self.app.app.name))
    }

    async fn audit_boss(&self, action: AuditAction, outcome: Outcome, detail: serde_json::Value) {
        Actor::Boss
            .entry(action, self.target(), outcome)
            .with_detail(detail)
            .write(&self.state)
            .await;
    }

    async fn set_enabled(&mut self, enabled: bool) {
        self.app.app.enabled = enabled;
        if let Err(err) = self
            .state
            .store
            .set_managed_enabled(self.app.id, enabled, now_ms())
            .await
        {
            tracing::warn!(
                app = self.app.id,
                "cannot store the managed app's state: {err}"
            );
        }
    }

    async fn start(&mut self, why: Why) -> Phase {
        let (caller, reply) = match why {
            Why::Manual(caller, reply) => {
                self.restarts = Restarts::default();
                self.set(|s| s.restarts = 0);
                (Some(caller), reply)
            }
            Why::Restart => {
                let attempt = self.status.lock().map(|s| s.attempt).ok().flatten();
                self.audit_boss(
                    AuditAction::ManagedRestart,
                    Outcome::Success,
                    json!({ "attempt": attempt }),
                )
                .await;
                self.set(|s| s.restarts += 1);
                (None, None)
            }
            Why::Autostart => {
                self.audit_boss(
                    AuditAction::ManagedStart,
                    Outcome::Success,
                    json!({ "autostart": true }),
                )
                .await;
                (None, None)
            }
        };
        self.set(|s| {
            s.state = ManagedState::Starting;
            s.pid = None;
            s.attempt = None;
            s.next_start_at = None;
        });
        let actor = match &caller {
            Some(caller) => Actor::Caller(caller),
            None => Actor::Boss,
        };
        match actions::managed::start_run(&self.state, actor, &self.app).await {
            Ok(spawned) => {
                let mut child = spawned.child;
                let run = Run {
                    uid: spawned.launch.record.uid.clone(),
                    process: spawned.process,
                    started_at: spawned.launch.record.started_at,
                    child_of_boss: true,
                    exit: tokio::task::spawn_blocking(move || child.wait().ok()),
                };
                let launch_id = spawned.launch.id;
                self.set(|s| {
                    s.state = ManagedState::Running;
                    s.pid = Some(run.process.pid);
                    s.started_at = Some(run.started_at);
                    s.launch_id = Some(launch_id);
                    s.reason = None;
                });
                if let Some(reply) = reply {
                    let _ = reply.send(Ok(()));
                }
                Phase::Running(run)
            }
            Err(err) => {
                let reason = format!("cannot start: {err}");
                self.set(|s| s.reason = Some(reason.clone()));
                if let Some(reply) = reply {
                    let _ = reply.send(Err(err));
                }
                let now = now_ms();
                self.after_end(now, 0, true).await
            }
        }
    }

    /// Applies the policy after a run ended (or could not start).
    async fn after_end(&mut self, now: i64, run_ms: i64, failed: bool) -> Phase {
        let decision = decide(
            &self.app.app.policy,
            &mut self.restarts,
            now,
            run_ms,
            failed,
        );
        match decision {
            Decision::Exited => {
                self.set_enabled(false).await;
                self.set(|s| {
                    s.state = ManagedState::Exited;
                    s.pid = None;
                });
                Phase::Idle
            }
            Decision::Errored(reason) => {
                self.set_enabled(false).await;
                self.audit_boss(
                    AuditAction::ManagedGiveUp,
                    Outcome::Failure,
                    json!({ "reason": reason }),
                )
                .await;
                self.set(|s| {
                    s.state = ManagedState::Errored;
                    s.pid = None;
                    s.reason = Some(reason);
                });
                Phase::Idle
            }
            Decision::Backoff { delay, attempt } => {
                let at = now + delay.as_millis() as i64;
                self.set(|s| {
                    s.state = ManagedState::Backoff;
                    s.pid = None;
                    s.attempt = Some(attempt);
                    s.next_start_at = Some(at);
                });
                Phase::Backoff(Instant::now() + delay)
            }
        }
    }

    /// Records the end of `run` (status `None`: unknown) and returns the stored launch.
    async fn record_end(
        &self,
        run: &Run,
        status: Option<ExitStatus>,
        stopped: bool,
    ) -> Option<Launch> {
        let launch = actions::launches::record_end(&self.state, &run.uid, status, stopped).await;
        let (exit_code, signal) = match status {
            Some(status) => platform::exit_code_and_signal(status),
            None => (None, None),
        };
        let last = LastExit {
            at: to_rfc3339(now_ms()),
            exit_code,
            signal,
            outcome: launch
                .as_ref()
                .map(|l| l.record.outcome)
                .unwrap_or_default(),
            launch_id: launch.as_ref().map(|l| l.id),
        };
        self.set(|s| s.last_exit = Some(last));
        launch
    }

    /// Stops `run`'s whole tree and waits for its end; on failure (a protected process) the
    /// run goes on.
    /// `action` names the request in the audit row of a refusal.
    async fn stop_run(&self, caller: &Caller, action: AuditAction, run: &mut Run) -> Result<()> {
        let policy = &self.app.app.policy;
        actions::managed::stop_tree(&self.state, caller, action, &self.app, run.process).await?;
        let patience = Duration::from_millis(policy.stop.grace_ms) + Duration::from_secs(5);
        let status = tokio::time::timeout(patience, &mut run.exit)
            .await
            .ok()
            .and_then(|joined| joined.ok())
            .flatten();
        self.record_end(run, status, true).await;
        Ok(())
    }

    /// Watches a run until it ends or a command ends it. `None`: the runner is done.
    async fn watch(
        &mut self,
        mut run: Run,
        commands: &mut mpsc::UnboundedReceiver<Command>,
    ) -> Option<Phase> {
        loop {
            tokio::select! {
                status = &mut run.exit => {
                    let status = status.ok().flatten();
                    if self.state.launches.take_stopping(&run.uid) {
                        // Stopped from the History page (a launch stop): a stop, not a failure.
                        self.record_end(&run, status, true).await;
                        self.set_enabled(false).await;
                        self.set(|s| {
                            s.state = ManagedState::Stopped;
                            s.pid = None;
                        });
                        return Some(Phase::Idle);
                    }
                    self.record_end(&run, status, false).await;
                    let now = now_ms();
                    let clean = run.child_of_boss && status.is_some_and(|s| s.success());
                    return Some(self.after_end(now, now - run.started_at, !clean).await);
                }
                command = commands.recv() => match command? {
                    Command::Reload(app) => self.reload(app),
                    Command::Start { reply, .. } => {
                        let _ = reply.send(Ok(()));
                    }
                    Command::Stop { caller, reply } => match self
                        .stop_run(&caller, AuditAction::ManagedStop, &mut run)
                        .await
                    {
                        Ok(()) => {
                            self.set(|s| {
                                s.state = ManagedState::Stopped;
                                s.pid = None;
                            });
                            let _ = reply.send(Ok(()));
                            return Some(Phase::Idle);
                        }
                        Err(err) => {
                            let _ = reply.send(Err(err));
                        }
                    },
                    Command::Restart { caller, reply } => {
                        match self
                            .stop_run(&caller, AuditAction::ManagedRestart, &mut run)
                            .await
                        {
                            Ok(()) => return Some(Phase::Start(Why::Manual(caller, Some(reply)))),
                            Err(err) => {
                                let _ = reply.send(Err(err));
                            }
                        }
                    }
                    Command::Remove { caller, reply } => {
                        match self
                            .stop_run(&caller, AuditAction::ManagedDelete, &mut run)
                            .await
                        {
                            Ok(()) => {
                                let _ = reply.send(Ok(()));
                                return None;
                            }
                            Err(err) => {
                                let _ = reply.send(Err(err));
                            }
                        }
                    }
                },
            }
        }
    }

    fn reload(&mut self, app: ManagedApp) {
        self.app = app;
        self.set(|_| {});
    }

    /// What a command does while no run is on (idle, or waiting out a backoff): `Break` with
    /// what comes next (`None`: the runner is done), or `Continue` to go on waiting.
    fn between_runs(&mut self, command: Command) -> ControlFlow<Option<Phase>> {
        match command {
            Command::Start { caller, reply } | Command::Restart { caller, reply } => {
                ControlFlow::Break(Some(Phase::Start(Why::Manual(caller, Some(reply)))))
            }
            Command::Stop { reply, .. } => {
                self.set(|s| {
                    s.state = ManagedState::Stopped;
                    s.attempt = None;
                    s.next_start_at = None;
                });
                let _ = reply.send(Ok(()));
                ControlFlow::Break(Some(Phase::Idle))
            }
            Command::Reload(app) => {
                self.reload(app);
                ControlFlow::Continue(())
            }
            Command::Remove { reply, .. } => {
                let _ = reply.send(Ok(()));
                ControlFlow::Break(None)
            }
        }
    }

    /// Waits while stopped, exited or errored. `None`: the runner is done.
    async fn idle(&mut self, commands: &mut mpsc::UnboundedReceiver<Command>) -> Option<Phase> {
        loop {
            if let ControlFlow::Break(next) = self.between_runs(commands.recv().await?) {
                return next;
            }
        }
    }

    /// Waits out a backoff delay. `None`: the runner is done.
    async fn backoff(
        &mut self,
        until: Instant,
        commands: &mut mpsc::UnboundedReceiver<Command>,
    ) -> Option<Phase> {
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(until) => return Some(Phase::Start(Why::Restart)),
                command = commands.recv() => {
                    if let ControlFlow::Break(next) = self.between_runs(command?) {
                        return next;
                    }
                }
            }
        }
    }
}

/// Watches a process Boss cannot reap, until it is gone.
fn poll_until_gone(process: ProcessRef) -> JoinHandle<Option<ExitStatus>> {
    tokio::spawn(async move {
        while platform::process_running(process) {
            tokio::time::sleep(POLL).await;
        }
        None
    })
}

/// The body of a runner task.
pub(crate) async fn run(
    state: AppState,
    app: ManagedApp,
    status: Arc<Mutex<RunStatus>>,
    mut commands: mpsc::UnboundedReceiver<Command>,
    initial: Initial,
) {
    let id = app.id;
    let mut runner = Runner {
        state,
        app,
        status,
        restarts: Restarts::default(),
    };
    let mut phase = match initial {
        Initial::Idle => {
            runner.set(|_| {});
            Phase::Idle
        }
        Initial::Start(why) => Phase::Start(why),
        Initial::Watch {
            uid,
            process,
            started_at,
        } => {
            runner.set(|s| {
                s.state = ManagedState::Running;
                s.pid = Some(process.pid);
                s.started_at = Some(started_at);
            });
            Phase::Running(Run {
                uid,
                process,
                started_at,
                child_of_boss: false,
                exit: poll_until_gone(process),
            })
        }
    };
    loop {
        let next = match phase {
            Phase::Idle => runner.idle(&mut commands).await,
            Phase::Start(why) => Some(runner.start(why).await),
            Phase::Running(run) => runner.watch(run, &mut commands).await,
            Phase::Backoff(until) => runner.backoff(until, &mut commands).await,
        };
        match next {
            Some(next) => phase = next,
            None => break,
        }
    }
    tracing::debug!(app = id, "managed app runner ended");
}

/// After a start of Boss: every stored app gets its runner. A run still going (same PID and
/// start time as recorded) is watched again; runs that ended while Boss was down are recorded
/// as lost, and an app that wants to run (`enabled`, `autostart`, a restart policy) is
/// started again.
pub async fn resume(state: &AppState) -> Result<()> {
    let apps = state.store.managed_apps().await?;
    let running = state.store.running_launches().await?;
    for app in apps {
        let mut alive = None;
        for launch in running
            .iter()
            .filter(|l| l.record.managed_id == Some(app.id))
        {
            let process = match (launch.record.pid, launch.record.start_ticks) {
                (Some(pid), Some(start_ticks)) => Some(ProcessRef { pid, start_ticks }),
                _ => None,
            };
            match process.filter(|p| platform::process_running(*p)) {
                Some(process) if alive.is_none() => {
                    alive = Some((launch.record.uid.clone(), process, launch.record.started_at));
                }
                _ => actions::launches::record_lost(state, &launch.record.uid).await,
            }
        }
        let policy = &app.app.policy;
        let initial = match alive {
            Some((uid, process, started_at)) => Initial::Watch {
                uid,
                process,
                started_at,
            },
            None if app.app.enabled && policy.autostart && policy.restart != RestartMode::Never => {
                Initial::Start(Why::Autostart)
            }
            None => Initial::Idle,
        };
        state.managed.spawn(state, app, initial);
    }
    Ok(())
}

/// A command's answer, or the error of a runner that went away.
pub(crate) async fn answer(reply: oneshot::Receiver<Result<()>>) -> Result<()> {
    reply
        .await
        .unwrap_or_else(|_| Err(Error::Conflict("the managed app was removed".into())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(max_restarts: u32) -> Policy {
        Policy {
            max_restarts,
            ..Policy::default()
        }
    }

    #[test]
    fn with_max_restarts_4_the_fifth_failure_gives_up() {
        let policy = policy(4);
        let mut restarts = Restarts::default();
        let mut delays = Vec::new();
        for i in 0..4 {
            match decide(&policy, &mut restarts, 1000 * i, 10, true) {
                Decision::Backoff { delay, attempt } => {
                    assert_eq!(attempt, i as u32 + 1);
                    delays.push(delay.as_millis());
                }
                other => panic!("failure {} gave {other:?}", i + 1),
            }
        }
        assert_eq!(delays, [1000, 2000, 4000, 8000]);
        assert!(matches!(
            decide(&policy, &mut restarts, 5000, 10, true),
            Decision::Errored(_)
        ));
    }

    #[test]
    fn a_stable_run_resets_the_delay_but_not_the_window() {
        let policy = policy(10);
        let mut restarts = Restarts::default();
        decide(&policy, &mut restarts, 0, 10, true);
        decide(&policy, &mut restarts, 10, 10, true);
        let after_stable = decide(&policy, &mut restarts, 100_000, 61_000, true);
        assert_eq!(
            after_stable,
            Decision::Backoff {
                delay: Duration::from_millis(1000),
                attempt: 3
            }
        );
    }

    #[test]
    fn restarts_older_than_the_window_no_longer_count() {
        let policy = policy(1);
        let mut restarts = Restarts::default();
        decide(&policy, &mut restarts, 0, 10, true);
        assert!(matches!(
            decide(&policy, &mut restarts, 1000, 10, true),
            Decision::Errored(_)
        ));
        assert!(matches!(
            decide(&policy, &mut restarts, 301_000, 10, true),
            Decision::Backoff { .. }
        ));
    }

    #[test]
    fn on_failure_leaves_a_clean_exit_and_never_leaves_any() {
        let mut restarts = Restarts::default();
        assert_eq!(
            decide(&Policy::default(), &mut restarts, 0, 10, false),
            Decision::Exited
        );
        let never = Policy {
            restart: RestartMode::Never,
            ..Policy::default()
        };
        assert_eq!(decide(&never, &mut restarts, 0, 10, true), Decision::Exited);
    }
}
