//! The live event stream (Server-Sent Events): a full process list on connect, then changes.
//!
//! Events: `system` (the summary), `processes` (the full table, also sent again whenever
//! this subscriber fell behind), `processes_diff` (`{taken_at, upserted, removed, system}`),
//! `windows` (the whole window list, on connect and whenever it changes), `launch` (a launch
//! that started or ended), `managed` (a managed app whose state changed).

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::{Stream, StreamExt};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ErrorBody;
use super::extract::Query;
use super::processes::SystemView;
use crate::auth::{Caller, Permission};
use crate::error::{Error, Result};
use crate::live::{LiveEvent, Sample};
use crate::processes::ProcessRow;
use crate::state::AppState;
use crate::windows::view;

/// How often a stream checks its credentials when nothing announced a change (sessions
/// expire; another process may revoke in the database).
const RECHECK_EVERY: Duration = Duration::from_secs(30);

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(events))
}

const TOPICS: [&str; 4] = ["processes", "windows", "launches", "managed"];

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct EventsQuery {
    /// Comma-separated topics to receive: `processes`, `windows`, `launches`, `managed`;
    /// default all.
    topics: Option<String>,
}

/// The data of a `processes_diff` event.
#[derive(Serialize)]
struct DiffEvent<'a> {
    taken_at: &'a str,
    upserted: &'a [ProcessRow],
    removed: &'a [u32],
    system: SystemView,
}

fn full_events(sample: &Sample) -> [Event; 2] {
    let system = SystemView::new(&sample.snapshot.system, sample.taken_at());
    [
        json_event("system", system),
        Event::default()
            .event("processes")
            .data(String::from_utf8_lossy(&sample.list_json())),
    ]
}

/// Ends a stream (sends `None`) once its caller's session or token is gone or its user's role
/// or password changed: at once when the change is announced (`AuthCache::subscribe`), else
/// at the next periodic check. The browser reconnects, and gets in again only if still allowed.
async fn end_when_revoked(state: AppState, caller: Caller, tx: mpsc::Sender<Option<Event>>) {
    let mut changes = state.auth_cache.subscribe();
    let mut recheck = tokio::time::interval(RECHECK_EVERY);
    recheck.tick().await;
    loop {
        tokio::select! {
            _ = tx.closed() => return,
            _ = recheck.tick() => {}
            change = changes.recv() => match change {
                Ok(user_id) if user_id != caller.user.id => continue,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            },
        }
        match caller.still_valid(&state).await {
            Ok(true) => {}
            Ok(false) => {
                let _ = tx.send(None).await;
                return;
            }
            // The database is briefly away: keep serving, as requests do (see AuthCache).
            Err(err) => tracing::debug!("cannot check an event stream's credentials: {err}"),
        }
    }
}

/// An event named `name` with `data` as JSON.
fn json_event(name: &'static str, data: impl serde::Serialize) -> Event {
    Event::default()
        .event(name)
        .json_data(data)
        .unwrap_or_default()
}

/// Sends each message of `changes` to the stream as the event `event` makes of it, until the
/// client goes. Each message stands alone (a launch, a managed app's state), so those missed
/// while lagging behind are skipped, not caught up.
async fn forward<T: Clone>(
    mut changes: broadcast::Receiver<T>,
    tx: mpsc::Sender<Option<Event>>,
    event: impl Fn(&T) -> Event,
) {
    loop {
        let message = tokio::select! {
            _ = tx.closed() => return,
            message = changes.recv() => match message {
                Ok(message) => message,
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            },
        };
        if tx.send(Some(event(&message))).await.is_err() {
            return;
        }
    }
}

/// Live updates. The process sampler runs while at least one client listens. The stream ends
/// when the caller logs out, is revoked, changes password or role, or is deleted.
#[utoipa::path(get, path = "/api/v1/events", tag = "processes", params(EventsQuery),
    responses((status = 200, content_type = "text/event-stream", description = "An SSE stream"),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn events(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<EventsQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    caller.require(Permission::View)?;
    let topics: Vec<String> = match query.topics.as_deref().filter(|t| !t.is_empty()) {
        Some(list) => list.split(',').map(|t| t.trim().to_string()).collect(),
        None => TOPICS.iter().map(|t| t.to_string()).collect(),
    };
    if let Some(unknown) = topics.iter().find(|t| !TOPICS.contains(&t.as_str())) {
        return Err(Error::Invalid(format!(
            "unknown topic '{unknown}': use {}",
            TOPICS.join(", ")
        )));
    }
    // `None` ends the stream: the caller's credentials no longer stand.
    let (tx, rx) = mpsc::channel::<Option<Event>>(16);
    tokio::spawn(end_when_revoked(state.clone(), caller.clone(), tx.clone()));
    if topics.iter().any(|t| t == "processes") {
        let monitor = state.processes.clone();
        // Subscribe before the first full list so that no change falls in between.
        let mut changes = monitor.subscribe();
        let guard = monitor.watch();
        let first = monitor.fresh(monitor.interval).await?;
        let tx = tx.clone();
        tokio::spawn(async move {
            let _guard = guard;
            let mut shown = first.taken_at();
            for event in full_events(&first) {
                if tx.send(Some(event)).await.is_err() {
                    return;
                }
            }
            loop {
                let event = tokio::select! {
                    _ = tx.closed() => return,
                    message = changes.recv() => message,
                };
                let events = match event {
                    Ok(LiveEvent::Processes(diff)) if diff.taken_at_ms > shown => {
                        shown = diff.taken_at_ms;
                        let data = diff.event_data.get_or_init(|| {
                            serde_json::to_string(&DiffEvent {
                                taken_at: &diff.taken_at,
                                upserted: &diff.upserted,
                                removed: &diff.removed,
                                system: SystemView::new(&diff.system, diff.taken_at_ms),
                            })
                            .unwrap_or_default()
                        });
                        vec![Event::default().event("processes_diff").data(data)]
                    }
                    Ok(LiveEvent::Processes(_)) => continue,
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        match monitor.fresh(monitor.interval).await {
                            Ok(sample) => {
                                shown = sample.taken_at();
                                full_events(&sample).into()
                            }
                            Err(_) => continue,
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                };
                for event in events {
                    if tx.send(Some(event)).await.is_err() {
                        return;
                    }
                }
            }
        });
    }
    if topics.iter().any(|t| t == "windows") {
        let monitor = state.windows.clone();
        let mut changes = monitor.subscribe();
        let guard = monitor.watch();
        let protection = monitor
            .protection(caller.peer, state.listen_port.get().copied())
            .await;
        let first = monitor.list().await;
        let tx = tx.clone();
        tokio::spawn(async move {
            let _guard = guard;
            let mut list = first;
            loop {
                // The processes were looked up once for everyone; only the protection (which
                // depends on this subscriber's browser) is applied here.
                let event = json_event("windows", view(&list, &protection));
                if tx.send(Some(event)).await.is_err() {
                    return;
                }
                list = tokio::select! {
                    _ = tx.closed() => return,
                    message = changes.recv() => match message {
                        Ok(list) => list,
                        Err(broadcast::error::RecvError::Lagged(_)) => monitor.list().await,
                        Err(broadcast::error::RecvError::Closed) => return,
                    },
                };
            }
        });
    }
    if topics.iter().any(|t| t == "launches") {
        let changes = state.launches.subscribe();
        tokio::spawn(forward(changes, tx.clone(), |launch| {
            json_event("launch", super::launches::LaunchView::from(launch.as_ref()))
        }));
    }
    if topics.iter().any(|t| t == "managed") {
        let changes = state.managed.subscribe();
        tokio::spawn(forward(changes, tx.clone(), |app| {
            json_event("managed", app.as_ref())
        }));
    }
    drop(tx);
    let stream = ReceiverStream::new(rx).map_while(|event| event.map(Ok));
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
