//! Top-level windows of the graphical session: listing them and acting on them the way a person
//! would (the close button, the taskbar), never by killing anything.
//!
//! Backends: X11 on Linux (EWMH/ICCCM, PIDs from the X-Resource extension); elsewhere every
//! call answers "not supported here". Wayland sessions show only their Xwayland clients.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::Result;

/// One top-level client window, as a taskbar would show it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WindowInfo {
    /// The X window id of the client window (not the window manager's frame). Ids are reused
    /// once a window is gone: re-check the pid and class before acting on a stale id.
    pub id: u64,
    /// `_NET_WM_NAME`, else `_NET_WM_VISIBLE_NAME`, else `WM_NAME`; empty when none is set.
    pub title: String,
    /// The class part of `WM_CLASS`, e.g. `XTerm`.
    pub class: String,
    /// The instance part of `WM_CLASS`, e.g. `xterm`.
    pub instance: String,
    /// The process that owns the window's X connection; `None` for remote clients that do not
    /// say.
    pub pid: Option<u32>,
    /// The virtual desktop, counted from 0; -1 means "on all desktops"; `None` without a
    /// window manager that has desktops.
    pub desktop: Option<i64>,
    /// Whether this window has the input focus (the window manager's active window); never
    /// for a minimized window.
    pub active: bool,
    pub minimized: bool,
    /// The window this one is a dialog of (`WM_TRANSIENT_FOR`).
    pub transient_for: Option<u64>,
    /// Whether the window accepts a polite close request (`WM_DELETE_WINDOW`). Boss closes
    /// only such windows: anything else would mean killing the application.
    pub closable: bool,
    /// `normal`, `dialog`, `utility`, `toolbar`, `menu`, ... from `_NET_WM_WINDOW_TYPE`;
    /// `dialog` for an untyped transient window, else `normal`.
    pub kind: String,
}

/// The windows of the session at one moment.
#[derive(Debug, Clone, Serialize)]
pub struct WindowList {
    /// `x11`, or `unsupported` on systems without a window backend.
    pub backend: String,
    /// False when no display could be reached; `reason` then says why.
    pub available: bool,
    pub reason: Option<String>,
    /// The name of the running EWMH window manager (e.g. `Openbox`); `None` when there is
    /// none, in which case minimizing is not possible.
    pub window_manager: Option<String>,
    /// Top-level windows a taskbar would show, transient dialogs included (with
    /// `transient_for` set), in the order they were mapped.
    pub windows: Vec<WindowInfo>,
}

impl WindowList {
    /// The list of a backend that cannot reach any display.
    pub fn unavailable(backend: &str, reason: impl Into<String>) -> Self {
        WindowList {
            backend: backend.to_string(),
            available: false,
            reason: Some(reason.into()),
            window_manager: None,
            windows: Vec::new(),
        }
    }
}

/// What became of a window after Boss asked it to close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseOutcome {
    /// The window went away (destroyed or withdrawn).
    Closed,
    /// The application opened a dialog for the window, such as "Save changes?".
    Prompting,
    /// Nothing visible happened before the timeout: the application may be busy or may have
    /// refused.
    StillOpen,
    /// The window does not accept close requests; nothing was sent to it.
    Unsupported,
    /// There was no such window.
    Gone,
}

/// A rectangle on the screen, in pixels from the top-left corner of the root window.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct Geometry {
    /// The left edge of the window's outer frame (decorations included).
    pub x: i32,
    /// The top edge of the window's outer frame (decorations included).
    pub y: i32,
    /// The width of the client area, without decorations (what `-geometry` sets).
    pub width: u32,
    /// The height of the client area, without decorations.
    pub height: u32,
}

/// Where a window sits and how it is shown: what a session snapshot keeps to put it back.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct WindowLayout {
    pub geometry: Geometry,
    /// Maximized both ways (`_NET_WM_STATE_MAXIMIZED_VERT` and `_HORZ`).
    pub maximized: bool,
    /// The command that started the client, when it says (X11 `WM_COMMAND`, ICCCM §5.1.1.1).
    pub command: Option<Vec<String>>,
}

/// Where to put a window: every part is optional, what is `None` or false is left alone.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Placement {
    /// The desktop to move it to (-1: all desktops).
    pub desktop: Option<i64>,
    /// Frame position and client size; ignored for a window to be maximized.
    pub geometry: Option<Geometry>,
    pub maximized: bool,
    pub minimized: bool,
}

/// The windows of one graphical session. Implementations keep their own connection and are
/// safe to share between threads.
pub trait WindowSystem: Send + Sync {
    /// The current windows. Never fails: without a display the list says `available: false`.
    fn list(&self) -> WindowList;

    /// Asks the window to close, as its close button would, and watches for up to `timeout`
    /// what happens. Never kills or destroys anything: a refusing application stays open.
    fn close(&self, id: u64, timeout: Duration) -> Result<CloseOutcome>;

    /// Sends every close request first, then observes all of them under one shared timeout,
    /// so closing many windows takes about as long as closing one. One result per id, in the
    /// order given.
    fn close_many(&self, ids: &[u64], timeout: Duration) -> Vec<(u64, Result<CloseOutcome>)>;

    /// Brings the window to the front and gives it the focus (restoring it if minimized). A
    /// window manager may only mark it as demanding attention instead.
    fn activate(&self, id: u64) -> Result<()>;

    /// Minimizes (iconifies) the window. Needs a window manager: without one this is
    /// [`Error::Unsupported`](crate::Error::Unsupported).
    fn minimize(&self, id: u64) -> Result<()>;

    /// Where `window` (as [`list`](Self::list) gave it) sits: its frame position, client size
    /// and maximized state, and the command it says started it. Backends that cannot tell
    /// answer [`Error::Unsupported`](crate::Error::Unsupported).
    fn layout(&self, window: &WindowInfo) -> Result<WindowLayout> {
        let _ = window;
        Err(crate::Error::Unsupported(
            "window geometry with this window backend".into(),
        ))
    }

    /// Puts `window` on its desktop, at its geometry, maximized or minimized, by asking the
    /// window manager as a pager would. A request: the manager has the last word, so read
    /// [`layout`](Self::layout) again to see where it went.
    fn place(&self, window: &WindowInfo, placement: &Placement) -> Result<()> {
        let _ = (window, placement);
        Err(crate::Error::Unsupported(
            "placing windows with this window backend".into(),
        ))
    }
}
