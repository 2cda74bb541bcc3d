//! sway through its IPC socket (`SWAYSOCK`): the views of `get_tree`, commands by `con_id`.
//!
//! sway has no minimize; its equivalent, which its users expect, is the scratchpad: a window
//! moved there is hidden (listed `minimized`), and focusing it brings it back. A close is
//! `[con_id=N] kill`, which despite its name sends the polite `xdg_toplevel.close` (for an
//! Xwayland view `WM_DELETE_WINDOW`, but there wlroots kills clients that do not support it,
//! so Boss closes an Xwayland view only when the X server says it accepts the request).
//!
//! Desktops are sway's numbered workspaces: desktop `n` is workspace number `n + 1` (sway's
//! default workspaces are `1` to `10`; `2: mail` is number 2), so that a desktop still means
//! the same workspace after sway dropped an empty one. Where a view sits is read from its
//! container's rectangles; placing a floating view is `resize set` and `move absolute
//! position`. A tiled view's position and size are the layout's: placing it restores its
//! workspace, its tiling and fullscreen, and nothing of its geometry. sway has no maximizing:
//! its fullscreen stands for it.

use std::collections::{HashMap, HashSet};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use swayipc::{Connection, Node, NodeType, ShellType};

use crate::error::{Error, Result};
use crate::window::{
    CloseOutcome, Geometry, Placement, WindowId, WindowInfo, WindowLayout, WindowList, WindowSystem,
};

pub const BACKEND: &str = "sway";

/// A reply slower than this means sway is stuck: give up rather than hang Boss's threads.
const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// How often the tree is looked at while waiting for windows to close.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// The workspace holding the scratchpad (i3's name, kept by sway).
const SCRATCHPAD: &str = "__i3_scratch";

/// How long [`SwayWindows::settle`] waits for a view to keep still.
const SETTLE_PATIENCE: Duration = Duration::from_secs(1);

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
        super::io_error(format!("sway IPC at {}", self.socket.display()), e)
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

    /// Waits (at most [`SETTLE_PATIENCE`]) until view `con_id` keeps its geometry for a few
    /// polls. Made floating, a view is given its own preferred size, which the client
    /// confirms a moment later (foot: its default 700×500): a size asked before that would be
    /// undone by it.
    fn settle(&self, con_id: i64) {
        let deadline = Instant::now() + SETTLE_PATIENCE;
        let (mut last, mut same) = (None, 0);
        while same < 5 && Instant::now() < deadline {
            std::thread::sleep(POLL_INTERVAL);
            let Ok(tree) = self.ipc(Connection::get_tree) else {
                return;
            };
            let now = locate(&tree, con_id).map(|l| geometry_of(l.node));
            same = if now.is_some() && now == last {
                same + 1
            } else {
                0
            };
            last = now;
        }
    }

    /// The view `id` names, checked to exist now.
    fn existing(&self, id: &WindowId) -> Result<i64> {
        let tree = self.ipc(Connection::get_tree)?;
        Ok(locate_view(&tree, id)?.node.id)
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
    walk(root, None, &mut found);
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

/// Where a node sits: its workspace's desktop (its number less one; `None` for a workspace
/// without a number), or the scratchpad.
#[derive(Clone, Copy)]
enum Place {
    Workspace(Option<i64>),
    Scratchpad,
}

fn walk(node: &Node, place: Option<Place>, found: &mut Vec<(View, Option<u32>)>) {
    let place = match node.node_type {
        NodeType::Workspace if node.name.as_deref() == Some(SCRATCHPAD) => Some(Place::Scratchpad),
        NodeType::Workspace => Some(Place::Workspace(workspace_desktop(node))),
        _ => place,
    };
    if let Some(view) = view(node, place) {
        found.push(view);
    }
    for child in node.nodes.iter().chain(&node.floating_nodes) {
        walk(child, place, found);
    }
}

/// The desktop a workspace stands for: its number less one (sway numbers a workspace from
/// the number its name starts with, -1 when there is none).
fn workspace_desktop(workspace: &Node) -> Option<i64> {
    workspace.num.filter(|&n| n >= 1).map(|n| i64::from(n) - 1)
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
        Some(Place::Workspace(desktop)) => desktop,
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

/// A view's container and the workspace it is on, found in the tree by container id.
struct Located<'t> {
    node: &'t Node,
    workspace: &'t Node,
}

/// The container `con_id` in the tree under `root`, with its workspace.
fn locate(root: &Node, con_id: i64) -> Option<Located<'_>> {
    locate_where(root, &|node| node.id == con_id)
}

/// The first node (in tree order) that `wanted`, with its workspace; `None` when there is no
/// such node or it is on no workspace (the root, an output).
fn locate_where<'t>(root: &'t Node, wanted: &dyn Fn(&Node) -> bool) -> Option<Located<'t>> {
    fn search<'t>(
        node: &'t Node,
        workspace: Option<&'t Node>,
        wanted: &dyn Fn(&Node) -> bool,
    ) -> Option<Option<Located<'t>>> {
        let workspace = match node.node_type {
            NodeType::Workspace => Some(node),
            _ => workspace,
        };
        if wanted(node) {
            return Some(workspace.map(|workspace| Located { node, workspace }));
        }
        node.nodes
            .iter()
            .chain(&node.floating_nodes)
            .find_map(|child| search(child, workspace, wanted))
    }
    search(root, None, wanted).flatten()
}

/// The view (a container with a shell) that `id` names in `tree`, with its workspace.
fn locate_view<'t>(tree: &'t Node, id: &WindowId) -> Result<Located<'t>> {
    con_id(id)
        .and_then(|con_id| locate(tree, con_id))
        .filter(|l| l.node.shell.is_some())
        .ok_or_else(|| Error::NotFound(format!("window {id}")))
}

/// The views under `node`, most recently focused first: sway keeps each container's
/// children in focus order (`focus`), so following it down gives the workspace's history.
fn focus_history(node: &Node, out: &mut Vec<i64>) {
    if node.shell.is_some() {
        out.push(node.id);
        return;
    }
    let mut children: Vec<&Node> = node.nodes.iter().chain(&node.floating_nodes).collect();
    // A child missing from `focus` (never focused) counts as the least recent.
    children.sort_by_key(|child| {
        node.focus
            .iter()
            .position(|&id| id == child.id)
            .unwrap_or(usize::MAX)
    });
    for child in children {
        focus_history(child, out);
    }
}

/// Whether the node is fullscreen (on its workspace or globally).
fn fullscreen(node: &Node) -> bool {
    node.fullscreen_mode.is_some_and(|mode| mode != 0)
}

/// The borders around a view's client area: left, right, top (title bar included), bottom.
fn borders(node: &Node) -> (i32, i32, i32, i32) {
    let (rect, window) = (&node.rect, &node.window_rect);
    let left = window.x;
    let right = rect.width - window.width - window.x;
    // `rect` starts below the title bar, which `deco_rect` measures.
    let top = window.y + node.deco_rect.height;
    let bottom = rect.height - window.height - window.y;
    (left, right, top, bottom)
}

/// The geometry of a view, read from its container: the frame's corner (the title bar's,
/// when it has one) and the client's size.
fn geometry_of(node: &Node) -> Geometry {
    Geometry {
        x: node.rect.x,
        y: node.rect.y - node.deco_rect.height,
        width: u32::try_from(node.window_rect.width).unwrap_or(0),
        height: u32::try_from(node.window_rect.height).unwrap_or(0),
    }
}

/// Where the view sits: its [`geometry_of`], fullscreen, tiling and place in its workspace's
/// focus history.
fn layout_of(located: &Located<'_>) -> WindowLayout {
    let node = located.node;
    let mut history = Vec::new();
    focus_history(located.workspace, &mut history);
    let stacking = history
        .iter()
        .rev()
        .position(|&id| id == node.id)
        .and_then(|n| u32::try_from(n).ok());
    WindowLayout {
        geometry: geometry_of(node),
        maximized: fullscreen(node),
        tiled: node.node_type == NodeType::Con,
        stacking,
        command: None,
    }
}

/// sway's criteria and commands quote with double quotes; a name may hold one.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
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
        WindowList::answered(
            BACKEND,
            "sway (Wayland)",
            "sway",
            views.into_iter().map(|v| v.info).collect(),
        )
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
                    Some(Err(e)) => Err(super::io_error(format!("cannot close window {id}"), e)),
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

    fn layout(&self, window: &WindowInfo) -> Result<WindowLayout> {
        let tree = self.ipc(Connection::get_tree)?;
        let located = locate_view(&tree, &window.id)?;
        let mut layout = layout_of(&located);
        // An Xwayland view may say how it was started; asking the X server costs a few round
        // trips (the X11 backend's layout), made only for such views.
        if let (Some(x11), Some(xwayland)) = (located.node.window, &self.xwayland) {
            let as_x11 = WindowInfo {
                id: WindowId::x11(u32::try_from(x11).unwrap_or(0)),
                ..window.clone()
            };
            layout.command = xwayland.layout(&as_x11).ok().and_then(|l| l.command);
        }
        Ok(layout)
    }

    fn place(&self, window: &WindowInfo, placement: &Placement) -> Result<()> {
        let id = &window.id;
        let tree = self.ipc(Connection::get_tree)?;
        let located = locate_view(&tree, id)?;
        let node = located.node;
        let con_id = node.id;
        let in_scratchpad = located.workspace.name.as_deref() == Some(SCRATCHPAD);
        let floating = node.node_type == NodeType::FloatingCon;

        // First the state: out of the scratchpad, tiled or floating, out of fullscreen. Each
        // command names the view (`[con_id=N]`), so the focus is not moved.
        let mut state = Vec::new();
        if in_scratchpad && !placement.minimized {
            // Showing it puts it on the focused workspace, floating; a floating toggle takes
            // it out of the scratchpad for good.
            state.extend(["scratchpad show", "floating disable"]);
            if placement.tiled != Some(true) {
                state.push("floating enable");
            }
        } else if placement.tiled == Some(true) && floating {
            state.push("floating disable");
        } else if placement.tiled == Some(false) && !floating {
            state.push("floating enable");
        }
        if fullscreen(node) && !placement.maximized {
            state.push("fullscreen disable");
        }
        if !state.is_empty() {
            self.command(id, con_id, &state.join(", "))?;
            if placement.geometry.is_some() {
                self.settle(con_id);
            }
        }

        // Then the geometry of a floating view, from its borders as they are now: `resize
        // set` sizes the whole container (keeping its centre), so it goes first, then the
        // frame's corner is put in place. A view already there is left alone: asking again
        // would set it moving while a caller reads it back.
        let mut moved = false;
        if let Some(g) = placement.geometry
            && !placement.maximized
        {
            let tree = self.ipc(Connection::get_tree)?;
            let now =
                locate(&tree, con_id).ok_or_else(|| Error::NotFound(format!("window {id}")))?;
            let node = now.node;
            // A tiled view's place and size are the layout's: its workspace and tiling were
            // all there was to put back.
            if node.node_type == NodeType::FloatingCon && layout_of(&now).geometry != g {
                moved = true;
                let (left, right, top, bottom) = borders(node);
                let width = i64::from(g.width) + i64::from(left) + i64::from(right);
                let height = i64::from(g.height) + i64::from(top) + i64::from(bottom);
                let command = format!(
                    "resize set {width} px {height} px, move absolute position {} px {} px",
                    g.x, g.y
                );
                self.command(id, con_id, &command)?;
            }
        }
        // Then its workspace: last, as sway puts a floating view moved to a position onto the
        // workspace shown there (so where it is is read again after a move).
        let mut to_workspace = String::new();
        match placement.desktop {
            Some(-1) => to_workspace = "sticky enable".into(),
            Some(desktop) if desktop >= 0 => {
                let here = if moved {
                    let tree = self.ipc(Connection::get_tree)?;
                    locate(&tree, con_id).and_then(|now| workspace_desktop(now.workspace))
                } else {
                    workspace_desktop(located.workspace)
                };
                if here != Some(desktop) || in_scratchpad {
                    to_workspace = format!("move container to workspace number {}", desktop + 1);
                }
            }
            _ => {}
        }
        if !to_workspace.is_empty() {
            self.command(id, con_id, &to_workspace)?;
        }
        if placement.maximized && !fullscreen(node) {
            self.command(id, con_id, "fullscreen enable")?;
        }
        if placement.minimized && !in_scratchpad {
            self.command(id, con_id, "move scratchpad")?;
        }
        Ok(())
    }

    fn restack(&self, windows: &[WindowInfo]) -> Result<()> {
        let tree = self.ipc(Connection::get_tree)?;
        // What has the focus now: a view, or an (empty) workspace.
        let focused = locate_where(&tree, &|node| node.focused);
        for window in windows {
            let Some(con_id) = con_id(&window.id) else {
                continue;
            };
            // Focusing a view in the scratchpad would show it: minimized ones stay hidden.
            let hidden = locate(&tree, con_id)
                .is_none_or(|l| l.workspace.name.as_deref() == Some(SCRATCHPAD));
            if hidden {
                continue;
            }
            match self.command(&window.id, con_id, "focus") {
                Ok(()) | Err(Error::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        match focused {
            Some(Located { node, .. }) if node.shell.is_some() => {
                let id = WindowId::new(BACKEND, node.id);
                match self.command(&id, node.id, "focus") {
                    Ok(()) | Err(Error::NotFound(_)) => Ok(()),
                    Err(e) => Err(e),
                }
            }
            Some(Located { workspace, .. }) => {
                let name = workspace.name.as_deref().unwrap_or_default();
                let command = format!("workspace --no-auto-back-and-forth {}", quoted(name));
                self.ipc(|c| c.run_command(command))?
                    .into_iter()
                    .try_for_each(|outcome| outcome.map_err(|e| self.io_error(e)))
            }
            _ => Ok(()),
        }
    }
}
