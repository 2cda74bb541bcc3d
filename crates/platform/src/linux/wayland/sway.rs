//! sway through its IPC socket (`SWAYSOCK`): the views of `get_tree`, commands by `con_id`.
//!
//! sway has no minimize; its equivalent, which its users expect, is the scratchpad: a window
//! moved there is hidden (listed `minimized`), and focusing it brings it back. A close is
//! `[con_id=N] kill`, which despite its name sends the polite `xdg_toplevel.close` (for an
//! Xwayland view `WM_DELETE_WINDOW`, but there wlroots kills clients that do not support it,
//! so Boss closes an Xwayland view only when the X server says it accepts the request).

use std::collections::{HashMap, HashSet};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use swayipc::{Connection, Node, NodeType, ShellType};

use crate::error::{Error, Result};
use crate::window::{
    CloseOutcome, WindowCapabilities, WindowId, WindowInfo, WindowList, WindowSystem,
};

pub const BACKEND: &str = "sway";

/// A reply slower than this means sway is stuck: give up rather than hang Boss's threads.
const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// How often the tree is looked at while waiting for windows to close.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// The workspace holding the scratchpad (i3's name, kept by sway).
const SCRATCHPAD: &str = "__i3_scratch";

/// One sway instance, reached through its IPC socket; the connection is remade after it
/// breaks.
pub struct SwayWindows {
    socket: PathBuf,
    conn: Mutex<Option<Connection>>,
    /// The session's Xwayland, asked whether an X11 view accepts polite close requests.
    xwayland: Option<Box<dyn WindowSystem>>,
}

impl SwayWindows {
    /// sway at `socket`, if it answers there (its version, one round trip). `xwayland` is the
    /// X display of the session, when there is one.
    pub fn connect(socket: &Path, xwayland: Option<Box<dyn WindowSystem>>) -> Option<Self> {
        let mut conn = open(socket).ok()?;
        conn.get_version().ok()?;
        Some(SwayWindows {
            socket: socket.to_path_buf(),
            conn: Mutex::new(Some(conn)),
            xwayland,
        })
    }

    /// Runs one exchange with sway, reconnecting first if the connection broke before.
    fn ipc<T>(&self, f: impl FnOnce(&mut Connection) -> swayipc::Fallible<T>) -> Result<T> {
        let mut guard = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        if guard.is_none() {
            *guard = Some(open(&self.socket).map_err(|e| self.io_error(e))?);
        }
        let conn = guard.as_mut().expect("connected just above");
        f(conn).map_err(|e| {
            // A broken stream (sway gone, a timeout mid-message) cannot be reused.
            if matches!(
                e,
                swayipc::Error::Io(_)
                    | swayipc::Error::SerdeJson(_)
                    | swayipc::Error::InvalidMagic(_)
            ) {
                *guard = None;
            }
            self.io_error(e)
        })
    }

    fn io_error(&self, e: impl std::fmt::Display) -> Error {
        Error::Io {
            context: format!("sway IPC at {}", self.socket.display()),
            source: std::io::Error::other(e.to_string()),
        }
    }

    fn views(&self) -> Result<Vec<View>> {
        Ok(views(&self.ipc(Connection::get_tree)?))
    }

    /// Runs `command` on the view `con_id`; a view that vanished meanwhile is `NotFound`.
    fn command(&self, id: &WindowId, con_id: i64, command: &str) -> Result<()> {
        let outcomes = self.ipc(|c| c.run_command(format!("[con_id={con_id}] {command}")))?;
        for outcome in outcomes {
            if let Err(e) = outcome {
                return Err(match e {
                    swayipc::Error::CommandFailed(m) if m.contains("No matching") => {
                        Error::NotFound(format!("window {id}"))
                    }
                    e => self.io_error(e),
                });
            }
        }
        Ok(())
    }

    /// The view `id` names, checked to exist now.
    fn existing(&self, id: &WindowId) -> Result<i64> {
        let not_found = || Error::NotFound(format!("window {id}"));
        let con_id = con_id(id).ok_or_else(not_found)?;
        if self.views()?.iter().any(|v| v.info.id == *id) {
            Ok(con_id)
        } else {
            Err(not_found())
        }
    }

    /// The X windows of the session that accept a polite close, when the X server can be
    /// asked; `None` when it cannot (then no Xwayland view is closed: wlroots would kill).
    fn x11_closable(&self) -> Option<HashSet<u32>> {
        let list = self.xwayland.as_ref()?.list();
        list.available.then(|| {
            list.windows
                .iter()
                .filter(|w| w.closable)
                .filter_map(|w| w.id.as_x11())
                .collect()
        })
    }
}

fn open(socket: &Path) -> std::io::Result<Connection> {
    let stream = UnixStream::connect(socket)?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    Ok(Connection::from(stream))
}

/// The sway container id in a window id of this backend.
fn con_id(id: &WindowId) -> Option<i64> {
    id.local(BACKEND)?.parse().ok()
}

/// A view (a window) of the tree, with what listing needs beside the public fields.
struct View {
    info: WindowInfo,
    /// The X window of an Xwayland view.
    x11: Option<u32>,
}

/// Every view of the tree, in tree order (outputs, workspaces, tiled then floating).
fn views(root: &Node) -> Vec<View> {
    let mut found = Vec::new();
    let mut workspace_index = 0;
    walk(root, None, &mut workspace_index, &mut found);
    // Xwayland dialogs name their parent by X window: turn that into the parent's view id.
    let by_x11: HashMap<u32, WindowId> = found
        .iter()
        .filter_map(|(v, _)| Some((v.x11?, v.info.id.clone())))
        .collect();
    found
        .into_iter()
        .map(|(mut view, parent_x11)| {
            view.info.transient_for = parent_x11.and_then(|x| by_x11.get(&x).cloned());
            view
        })
        .collect()
}

/// Where a node sits: its workspace's index (counted from 0 over all outputs), or the
/// scratchpad.
#[derive(Clone, Copy)]
enum Place {
    Workspace(i64),
    Scratchpad,
}

fn walk(
    node: &Node,
    place: Option<Place>,
    next_index: &mut i64,
    found: &mut Vec<(View, Option<u32>)>,
) {
    let place = match node.node_type {
        NodeType::Workspace if node.name.as_deref() == Some(SCRATCHPAD) => Some(Place::Scratchpad),
        NodeType::Workspace => {
            *next_index += 1;
            Some(Place::Workspace(*next_index - 1))
        }
        _ => place,
    };
    if let Some(view) = view(node, place) {
        found.push(view);
    }
    for child in node.nodes.iter().chain(&node.floating_nodes) {
        walk(child, place, next_index, found);
    }
}

/// The node as a window, if it is a view (containers of views have no shell).
fn view(node: &Node, place: Option<Place>) -> Option<(View, Option<u32>)> {
    if !matches!(node.node_type, NodeType::Con | NodeType::FloatingCon) {
        return None;
    }
    let shell = node.shell?;
    let xwayland = shell == ShellType::Xwayland;
    let props = node.window_properties.as_ref();
    let (class, instance) = if xwayland {
        (
            props.and_then(|p| p.class.clone()).unwrap_or_default(),
            props.and_then(|p| p.instance.clone()).unwrap_or_default(),
        )
    } else {
        let app_id = node.app_id.clone().unwrap_or_default();
        (app_id.clone(), app_id)
    };
    let minimized = matches!(place, Some(Place::Scratchpad));
    let desktop = match place {
        _ if node.sticky => Some(-1),
        Some(Place::Workspace(index)) => Some(index),
        _ => None,
    };
    let kind = props
        .and_then(|p| p.window_type.clone())
        .filter(|t| !t.is_empty() && t != "unknown")
        .unwrap_or_else(|| "normal".to_string());
    let info = WindowInfo {
        id: WindowId::new(BACKEND, node.id),
        title: node.name.clone().unwrap_or_default(),
        class,
        instance,
        pid: node
            .pid
            .and_then(|p| u32::try_from(p).ok())
            .filter(|&p| p > 0),
        desktop,
        active: node.focused && !minimized,
        minimized,
        transient_for: None,
        // An Xwayland view is checked against the X server when listed.
        closable: !xwayland,
        kind,
        xwayland,
    };
    let x11 = node.window.and_then(|w| u32::try_from(w).ok());
    let parent = props
        .and_then(|p| p.transient_for)
        .and_then(|w| u32::try_from(w).ok())
        .filter(|&w| w != 0);
    Some((View { info, x11 }, parent))
}

impl WindowSystem for SwayWindows {
    fn list(&self) -> WindowList {
        let mut views = match self.views() {
            Ok(views) => views,
            Err(e) => return WindowList::unavailable(BACKEND, e.to_string()),
        };
        if views.iter().any(|v| v.info.xwayland) {
            let closable = self.x11_closable().unwrap_or_default();
            for view in views.iter_mut().filter(|v| v.info.xwayland) {
                view.info.closable = view.x11.is_some_and(|w| closable.contains(&w));
            }
        }
        WindowList {
            backend: BACKEND.to_string(),
            label: "sway (Wayland)".to_string(),
            capabilities: WindowCapabilities::ALL,
            available: true,
            reason: None,
            window_manager: Some("sway".to_string()),
            windows: views.into_iter().map(|v| v.info).collect(),
        }
    }

    fn close(&self, id: &WindowId, timeout: Duration) -> Result<CloseOutcome> {
        let mut results = self.close_many(std::slice::from_ref(id), timeout);
        results
            .pop()
            .map_or(Ok(CloseOutcome::Gone), |(_, outcome)| outcome)
    }

    fn close_many(
        &self,
        ids: &[WindowId],
        timeout: Duration,
    ) -> Vec<(WindowId, Result<CloseOutcome>)> {
        let started = Instant::now();
        let before = match self.list() {
            list if list.available => list.windows,
            list => {
                let reason = list.reason.unwrap_or_default();
                return ids
                    .iter()
                    .map(|id| {
                        (
                            id.clone(),
                            Err(Error::Unsupported(format!("windows: {reason}"))),
                        )
                    })
                    .collect();
            }
        };
        let known: HashSet<WindowId> = before.iter().map(|w| w.id.clone()).collect();
        let mut outcomes: HashMap<WindowId, Result<CloseOutcome>> = HashMap::new();
        // Asked and watched: the id and the PID whose new views count as its dialogs.
        let mut watched: Vec<(WindowId, Option<u32>)> = Vec::new();
        for id in ids {
            if outcomes.contains_key(id) || watched.iter().any(|(w, _)| w == id) {
                continue;
            }
            let (Some(window), Some(con_id)) = (before.iter().find(|w| w.id == *id), con_id(id))
            else {
                outcomes.insert(id.clone(), Ok(CloseOutcome::Gone));
                continue;
            };
            if !window.closable {
                outcomes.insert(id.clone(), Ok(CloseOutcome::Unsupported));
                continue;
            }
            match self.command(id, con_id, "kill") {
                Ok(()) => watched.push((id.clone(), window.pid)),
                Err(Error::NotFound(_)) => {
                    outcomes.insert(id.clone(), Ok(CloseOutcome::Gone));
                }
                Err(e) => {
                    outcomes.insert(id.clone(), Err(e));
                }
            }
        }

        let deadline = started + timeout;
        while !watched.is_empty() {
            let Ok(now_listed) = self.views() else { break };
            let listed: HashSet<&WindowId> = now_listed.iter().map(|v| &v.info.id).collect();
            // Views that appeared since the requests, by PID: an app's answer ("Save
            // changes?") is a new view of the same process.
            let new_pids: HashSet<u32> = now_listed
                .iter()
                .filter(|v| !known.contains(&v.info.id))
                .filter_map(|v| v.info.pid)
                .collect();
            watched.retain(|(id, pid)| {
                let outcome = if !listed.contains(id) {
                    CloseOutcome::Closed
                } else if pid.is_some_and(|p| new_pids.contains(&p)) {
                    CloseOutcome::Prompting
                } else {
                    return true;
                };
                outcomes.insert(id.clone(), Ok(outcome));
                false
            });
            let now = Instant::now();
            if watched.is_empty() || now >= deadline {
                break;
            }
            std::thread::sleep(POLL_INTERVAL.min(deadline - now));
        }
        for (id, _) in watched {
            outcomes.insert(id, Ok(CloseOutcome::StillOpen));
        }

        ids.iter()
            .map(|id| {
                let outcome = match outcomes.get(id) {
                    Some(Ok(outcome)) => Ok(*outcome),
                    Some(Err(e)) => Err(Error::Io {
                        context: format!("cannot close window {id}"),
                        source: std::io::Error::other(e.to_string()),
                    }),
                    None => Ok(CloseOutcome::Gone),
                };
                (id.clone(), outcome)
            })
            .collect()
    }

    fn activate(&self, id: &WindowId) -> Result<()> {
        // Focusing a view in the scratchpad shows it first.
        let con_id = self.existing(id)?;
        self.command(id, con_id, "focus")
    }

    fn minimize(&self, id: &WindowId) -> Result<()> {
        let con_id = self.existing(id)?;
        self.command(id, con_id, "move scratchpad")
    }
}
