//! Top-level windows of the graphical session: listing them and acting on them the way a person
//! would (the close button, the taskbar), never by killing anything.
//!
//! Backends on Linux, chosen at run time from the session (see `linux::select`): sway's IPC,
//! KWin's scripting, Boss's GNOME Shell extension, the wlr-foreign-toplevel protocol of other
//! wlroots compositors, and X11 (EWMH/ICCCM, PIDs
//! from the X-Resource extension; in a Wayland session without a better backend it reaches the
//! Xwayland clients only). Elsewhere every call answers "not supported here".

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::Result;

/// A window's identity, opaque to callers: the backend's name, a colon, and the backend's own
/// id (`x11:0x00400007`, `sway:42`). Each backend makes and reads its own ids; an id of another
/// backend, or one that is malformed, names no window (`NotFound`/`Gone`, never an error of the
/// caller's making). Cheap to clone.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WindowId(Arc<str>);

impl WindowId {
    /// The longest id accepted from outside: backends' own ids are far shorter.
    pub const MAX_LEN: usize = 128;

    /// The id of `local` (a backend's own id) on `backend`.
    pub fn new(backend: &str, local: impl fmt::Display) -> Self {
        WindowId(format!("{backend}:{local}").into())
    }

    /// An X11 window, written the way `xprop` and `wmctrl` print it.
    pub fn x11(window: u32) -> Self {
        WindowId(format!("x11:{window:#010x}").into())
    }

    /// The X11 window this id names, if it is one.
    pub fn as_x11(&self) -> Option<u32> {
        let hex = self.local("x11")?.strip_prefix("0x")?;
        u32::from_str_radix(hex, 16).ok()
    }

    /// The backend's own part of the id, if the id belongs to `backend`.
    pub fn local(&self, backend: &str) -> Option<&str> {
        self.0.strip_prefix(backend)?.strip_prefix(':')
    }

    /// An id received from outside (a URL, a request body): `None` unless it has the shape of
    /// one (`backend:local`, printable ASCII without spaces, at most [`Self::MAX_LEN`]).
    pub fn parse(text: &str) -> Option<Self> {
        let well_formed = text.len() <= Self::MAX_LEN
            && text.bytes().all(|b| b.is_ascii_graphic())
            && text
                .split_once(':')
                .is_some_and(|(backend, local)| !backend.is_empty() && !local.is_empty());
        well_formed.then(|| WindowId(text.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WindowId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for WindowId {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for WindowId {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        WindowId::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("'{text}' is not a window id (like x11:0x00400007)"))
        })
    }
}

/// One top-level client window, as a taskbar would show it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WindowInfo {
    /// The window's id. On X11 the client window (not the window manager's frame); X ids are
    /// reused once a window is gone: re-check the pid and class before acting on a stale id.
    pub id: WindowId,
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
    pub transient_for: Option<WindowId>,
    /// Whether the window accepts a polite close request (`WM_DELETE_WINDOW`). Boss closes
    /// only such windows: anything else would mean killing the application.
    pub closable: bool,
    /// `normal`, `dialog`, `utility`, `toolbar`, `menu`, ... from `_NET_WM_WINDOW_TYPE`;
    /// `dialog` for an untyped transient window, else `normal`.
    pub kind: String,
    /// An X11 client of a Wayland session (through Xwayland), listed by the Wayland backend:
    /// its `class` and `instance` are X11's `WM_CLASS`, not a Wayland app id.
    pub xwayland: bool,
}

/// What a backend can do and tell, so that callers grey out what is missing instead of
/// failing (`pid: false` on a compositor that does not say which process owns a window).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WindowCapabilities {
    /// Polite close requests (the close button).
    pub close: bool,
    pub activate: bool,
    pub minimize: bool,
    /// Windows name their process.
    pub pid: bool,
    /// Windows name their virtual desktop or workspace.
    pub desktop: bool,
}

impl WindowCapabilities {
    /// Everything: what an X11 session with an EWMH window manager offers.
    pub const ALL: WindowCapabilities = WindowCapabilities {
        close: true,
        activate: true,
        minimize: true,
        pid: true,
        desktop: true,
    };
}

/// Where the graphical session is, as its environment says (`WAYLAND_DISPLAY`, `SWAYSOCK`,
/// `XDG_CURRENT_DESKTOP`, `DISPLAY`...). Backends are chosen from it at run time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionEnv {
    /// The X display (`DISPLAY`, or Boss's own setting).
    pub display: Option<String>,
    /// The Wayland socket's name or path (`WAYLAND_DISPLAY`).
    pub wayland_display: Option<String>,
    /// sway's IPC socket (`SWAYSOCK`).
    pub swaysock: Option<String>,
    /// The desktop names, e.g. `["KDE"]`, `["GNOME"]`, `["sway"]` (`XDG_CURRENT_DESKTOP`).
    pub current_desktop: Vec<String>,
    /// `XDG_RUNTIME_DIR`, where Wayland and IPC sockets live.
    pub runtime_dir: Option<String>,
    /// The session bus (`DBUS_SESSION_BUS_ADDRESS`).
    pub session_bus: Option<String>,
    /// A backend the user insists on (`BOSS_WINDOW_BACKEND`: `sway`, `wlr`, `kwin`, `gnome`,
    /// `x11`) instead of the first that answers, e.g. `wlr` on a compositor whose own IPC
    /// misbehaves.
    pub forced_backend: Option<String>,
}

impl SessionEnv {
    /// The session of this process's environment; `display` (Boss's `--display` setting)
    /// replaces `DISPLAY` when given.
    pub fn from_env(display: Option<&str>) -> Self {
        let var = |name| std::env::var(name).ok().filter(|v| !v.is_empty());
        SessionEnv {
            display: display.map(str::to_string).or_else(|| var("DISPLAY")),
            wayland_display: var("WAYLAND_DISPLAY"),
            swaysock: var("SWAYSOCK"),
            current_desktop: var("XDG_CURRENT_DESKTOP")
                .map(|v| v.split(':').map(str::to_string).collect())
                .unwrap_or_default(),
            runtime_dir: var("XDG_RUNTIME_DIR"),
            session_bus: var("DBUS_SESSION_BUS_ADDRESS"),
            forced_backend: var("BOSS_WINDOW_BACKEND"),
        }
    }

    /// Only an X display (`None`: no display at all).
    pub fn x11(display: Option<&str>) -> Self {
        SessionEnv {
            display: display.map(str::to_string),
            ..SessionEnv::default()
        }
    }
}

/// The windows of the session at one moment.
#[derive(Debug, Clone, Serialize)]
pub struct WindowList {
    /// `x11`, `sway`, `wlr`, `kwin` or `gnome` (the prefix of its windows' ids); `none` when no
    /// backend answered, `unsupported` on systems without a window backend.
    pub backend: String,
    /// The desktop in words, for people: `Openbox (X11)`, `sway (Wayland)`.
    pub label: String,
    pub capabilities: WindowCapabilities,
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
    /// The list of a backend that answered: `windows`, every capability (a backend that
    /// lacks some says so with struct update syntax) and no reason.
    pub fn answered(
        backend: &str,
        label: &str,
        window_manager: &str,
        windows: Vec<WindowInfo>,
    ) -> Self {
        WindowList {
            backend: backend.to_string(),
            label: label.to_string(),
            capabilities: WindowCapabilities::ALL,
            available: true,
            reason: None,
            window_manager: Some(window_manager.to_string()),
            windows,
        }
    }

    /// The list of a backend that cannot reach any display.
    pub fn unavailable(backend: &str, reason: impl Into<String>) -> Self {
        WindowList {
            backend: backend.to_string(),
            label: backend.to_string(),
            capabilities: WindowCapabilities::default(),
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
    /// Maximized both ways (`_NET_WM_STATE_MAXIMIZED_VERT` and `_HORZ`); on sway, which has
    /// no maximizing, fullscreen.
    pub maximized: bool,
    /// Placed by a tiling layout (sway's tiled windows): the layout, not the window, decides
    /// its position and size, so its geometry is for information only. Never on X11.
    pub tiled: bool,
    /// Its place in the stacking order, 0 the bottom-most (X11 `_NET_CLIENT_LIST_STACKING`);
    /// on sway, which stacks nothing, the focus history of its workspace, 0 the least
    /// recently focused. Comparable only between windows of one backend at one moment.
    pub stacking: Option<u32>,
    /// The command that started the client, when it says (X11 `WM_COMMAND`, ICCCM §5.1.1.1).
    pub command: Option<Vec<String>>,
}

/// Where to put a window: every part is optional, what is `None` or false is left alone.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Placement {
    /// The desktop to move it to (-1: all desktops).
    pub desktop: Option<i64>,
    /// Frame position and client size; ignored for a window to be maximized or tiled.
    pub geometry: Option<Geometry>,
    pub maximized: bool,
    pub minimized: bool,
    /// Tiled (true) or floating (false) on a tiling compositor (sway); ignored elsewhere.
    #[serde(default)]
    pub tiled: Option<bool>,
}

/// How Boss's GNOME Shell extension was turned on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GnomeExtensionEnabled {
    /// By the running shell (`gnome-extensions enable`).
    Running,
    /// In the settings (`org.gnome.shell enabled-extensions`): GNOME Shell loads it at the
    /// next log-in.
    AtNextLogin,
}

/// The form of Boss's GNOME Shell extension: GNOME Shell 45 changed how extensions are
/// loaded, and each shell loads only its own form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GnomeExtensionForm {
    /// GNOME Shell 43 and 44: a script with `imports.*` and `init()`.
    Legacy,
    /// GNOME Shell 45 and later: an ES module whose default export extends `Extension`.
    Module,
}

impl GnomeExtensionForm {
    /// The form for GNOME Shell `version` ("48.7", "43.beta", "GNOME Shell 45.0"); `None` when
    /// it names no major version.
    pub fn for_shell_version(version: &str) -> Option<GnomeExtensionForm> {
        Some(if shell_major(version)? >= 45 {
            GnomeExtensionForm::Module
        } else {
            GnomeExtensionForm::Legacy
        })
    }

    /// The shell versions this form declares in its `metadata.json`.
    pub fn shell_versions(self) -> &'static [&'static str] {
        match self {
            GnomeExtensionForm::Legacy => &["43", "44"],
            GnomeExtensionForm::Module => &["45", "46", "47", "48", "49"],
        }
    }

    /// The shell versions `metadata.json` declares for a shell of `version`: this form's, and
    /// for a module-form shell newer than any of them, its own major version too. GNOME Shell
    /// refuses an extension whose metadata does not name its version, and the ES-module
    /// extension API has stayed the same since 45; a shell that breaks it will say so when it
    /// loads the extension (not tested: the newest shell here is 48).
    pub fn declared_versions(self, version: Option<&str>) -> Vec<String> {
        let mut versions: Vec<String> = self
            .shell_versions()
            .iter()
            .map(|v| v.to_string())
            .collect();
        let newer = version.and_then(shell_major).filter(|major| {
            self == GnomeExtensionForm::Module && !versions.iter().any(|v| v.parse() == Ok(*major))
        });
        if let Some(major) = newer {
            versions.push(major.to_string());
        }
        versions
    }

    /// In words, for people.
    pub fn describe(self) -> &'static str {
        match self {
            GnomeExtensionForm::Legacy => "the GNOME Shell 43-44 form",
            GnomeExtensionForm::Module => "the ES-module form for GNOME Shell 45 and later",
        }
    }
}

/// The major version in a GNOME Shell version ("48.7", "GNOME Shell 45.0" give 48, 45).
fn shell_major(version: &str) -> Option<u32> {
    let number = version.split_whitespace().last()?;
    number.split('.').next()?.parse().ok()
}

/// Where Boss's GNOME Shell extension was written, in which form, and why that form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GnomeExtensionInstalled {
    pub dir: std::path::PathBuf,
    pub form: GnomeExtensionForm,
    /// The shell version the form was chosen by, and where it was found. `None`: no GNOME
    /// Shell was found, and the form for current shells was written.
    pub shell_version: Option<(String, GnomeShellFound)>,
}

/// Where the GNOME Shell version that chose the extension's form was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GnomeShellFound {
    /// The shell of the session, over D-Bus (`ShellVersion`).
    Running,
    /// The `gnome-shell` program (`--version`).
    Installed,
}

/// The windows of one graphical session. Implementations keep their own connection and are
/// safe to share between threads.
pub trait WindowSystem: Send + Sync {
    /// The current windows. Never fails: without a display the list says `available: false`.
    fn list(&self) -> WindowList;

    /// Asks the window to close, as its close button would, and watches for up to `timeout`
    /// what happens. Never kills or destroys anything: a refusing application stays open.
    /// [`close_many`](Self::close_many) of the one window, unless a backend does better.
    fn close(&self, id: &WindowId, timeout: Duration) -> Result<CloseOutcome> {
        let mut results = self.close_many(std::slice::from_ref(id), timeout);
        results
            .pop()
            .map_or(Ok(CloseOutcome::Gone), |(_, outcome)| outcome)
    }

    /// Sends every close request first, then observes all of them under one shared timeout,
    /// so closing many windows takes about as long as closing one. One result per id, in the
    /// order given.
    fn close_many(
        &self,
        ids: &[WindowId],
        timeout: Duration,
    ) -> Vec<(WindowId, Result<CloseOutcome>)>;

    /// Brings the window to the front and gives it the focus (restoring it if minimized). A
    /// window manager may only mark it as demanding attention instead.
    fn activate(&self, id: &WindowId) -> Result<()>;

    /// Minimizes (iconifies) the window. Needs a window manager: without one this is
    /// [`Error::Unsupported`](crate::Error::Unsupported).
    fn minimize(&self, id: &WindowId) -> Result<()>;

    // `layout`, `place` and `restack` have no default on purpose: a wrapper (the run-time
    // chooser) or a new backend that forgot them would silently answer "unsupported".

    /// Where `window` (as [`list`](Self::list) gave it) sits: its frame position, client size,
    /// maximized and tiled state, its place in the stacking order, and the command it says
    /// started it. Backends that cannot tell answer
    /// [`Error::Unsupported`](crate::Error::Unsupported).
    fn layout(&self, window: &WindowInfo) -> Result<WindowLayout>;

    /// Puts `window` on its desktop, at its geometry, maximized or minimized, by asking the
    /// window manager as a pager would. A request: the manager has the last word, so read
    /// [`layout`](Self::layout) again to see where it went. On sway a tiled window gets its
    /// workspace and state back, but its geometry is the layout's to decide.
    fn place(&self, window: &WindowInfo, placement: &Placement) -> Result<()>;

    /// Stacks `windows` as given, bottom to top, so that the last ends in front, without
    /// moving any to another desktop; a window gone meanwhile is passed over. On sway, which stacks nothing, focuses them in turn (the
    /// last focused of a workspace is what it shows in front) and then gives the focus back
    /// to what had it.
    fn restack(&self, windows: &[WindowInfo]) -> Result<()>;
}

#[cfg(test)]
mod tests {
    use super::WindowId;

    #[test]
    fn an_x11_id_reads_back_and_prints_as_xprop_does() {
        let id = WindowId::x11(0x0040_0007);
        assert_eq!(id.as_str(), "x11:0x00400007");
        assert_eq!(id.as_x11(), Some(0x0040_0007));
        assert_eq!(WindowId::parse("x11:0x00400007"), Some(id));
        assert_eq!(WindowId::new("sway", 42).as_x11(), None);
        assert_eq!(WindowId::new("sway", 42).local("sway"), Some("42"));
        assert_eq!(WindowId::new("x11", "0x1ffffffff").as_x11(), None);
    }

    #[test]
    fn ids_from_outside_must_have_the_shape_of_one() {
        for bad in [
            "",
            "4194311",
            ":1",
            "x11:",
            "x11:0x 1",
            "x11:\u{e9}",
            &"x".repeat(200),
        ] {
            assert_eq!(WindowId::parse(bad), None, "{bad:?}");
        }
        use serde::Deserialize;
        use serde::de::value::{Error, StrDeserializer};
        let from = |text| WindowId::deserialize(StrDeserializer::<Error>::new(text));
        assert!(from("x11:0x1").is_ok());
        assert!(from("4194311").is_err());
    }
}
