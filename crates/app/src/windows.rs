//! Windows as Boss presents them: the session's window list with Boss's protection rules, and
//! a poller that broadcasts changes while someone watches.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use platform::{SessionEnv, WindowCapabilities, WindowId, WindowInfo, WindowList, WindowSystem};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use utoipa::ToSchema;

use crate::error::{Error, Result};
use crate::watchers::{WatchGuard, Watchers};

/// A window as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WindowRow {
    /// Opaque: the backend's name and its own id, e.g. `x11:0x01a00007`. Pass it back as it is.
    #[schema(value_type = String, example = "x11:0x01a00007")]
    pub id: WindowId,
    pub title: String,
    pub class: String,
    pub instance: String,
    pub pid: Option<u32>,
    /// The name of the window's process, when known.
    pub process_name: Option<String>,
    /// Counted from 0; -1 for all desktops.
    pub desktop: Option<i64>,
    pub active: bool,
    pub minimized: bool,
    #[schema(value_type = Option<String>)]
    pub transient_for: Option<WindowId>,
    /// Whether it accepts a polite close request.
    pub closable: bool,
    pub kind: String,
    /// An X11 window of a Wayland session (an Xwayland client): `class` is its X11 class.
    #[serde(default)]
    pub xwayland: bool,
    /// Why Boss will not touch this window, when it will not.
    pub protected: Option<String>,
}

/// The window list as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WindowListView {
    /// `x11`, `unsupported`, or a Wayland backend's name.
    pub backend: String,
    /// The desktop in words: `Openbox (X11)`, `sway (Wayland)`.
    pub label: String,
    /// What the backend can do; the UI greys out the rest.
    #[schema(value_type = WindowCapabilitiesView)]
    pub capabilities: WindowCapabilities,
    pub available: bool,
    pub reason: Option<String>,
    pub window_manager: Option<String>,
    pub windows: Vec<WindowRow>,
}

/// The OpenAPI shape of [`WindowCapabilities`] (the platform crate knows nothing of OpenAPI).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct WindowCapabilitiesView {
    close: bool,
    activate: bool,
    minimize: bool,
    /// Windows name their process.
    pid: bool,
    /// Windows name their desktop or workspace.
    desktop: bool,
}

/// Which windows are off limits for one request: Boss's own, the browser showing Boss (when
/// the request comes over loopback), and the applications protected in the settings.
#[derive(Debug, Clone, Default)]
pub struct WindowProtection {
    /// The browser's process and its ancestors.
    browser: HashSet<u32>,
    /// The browser's program names (its process's and its ancestors'), to recognise its
    /// windows by app id or class where the backend does not say which process owns a window.
    browser_names: HashSet<String>,
    apps: Vec<String>,
}

impl WindowProtection {
    /// Whether the window's app id or class names the browser's program (`chromium`,
    /// `firefox`), for windows whose process is unknown.
    fn is_browser_app(&self, w: &WindowInfo) -> bool {
        [&w.class, &w.instance]
            .into_iter()
            .filter(|name| !name.is_empty())
            .any(|name| {
                let name = name.to_ascii_lowercase();
                // Reverse-DNS app ids: `org.mozilla.firefox`.
                let last = name.rsplit('.').next().unwrap_or(&name).to_string();
                self.browser_names.contains(&name) || self.browser_names.contains(&last)
            })
    }

    /// Whether `pid` is the browser showing Boss (the process holding the request's loopback
    /// connection) or one of its ancestors: ending it ends the caller's own view of Boss.
    pub fn shows_boss(&self, pid: u32) -> bool {
        self.browser.contains(&pid)
    }

    fn reason(
        &self,
        w: &WindowInfo,
        process_name: Option<&str>,
        exe: Option<&str>,
    ) -> Option<String> {
        match w.pid {
            Some(pid) if pid == std::process::id() => {
                return Some("this is Boss's own window".into());
            }
            Some(pid) if self.browser.contains(&pid) => {
                return Some("this is the browser showing Boss".into());
            }
            Some(_) => {}
            // The desktop does not say which process owns the window (plain wlroots): it
            // may be the browser showing Boss if it is the same application, by app id.
            None if self.is_browser_app(w) => {
                return Some(format!(
                    "it may be the browser showing Boss: this desktop does not say which \
                     process owns a window, so every '{}' window is protected",
                    w.class
                ));
            }
            None => {}
        }
        let exe_name = exe.and_then(|e| e.rsplit('/').next());
        self.apps
            .iter()
            .find(|name| {
                let name = name.as_str();
                name.eq_ignore_ascii_case(&w.class)
                    || name.eq_ignore_ascii_case(&w.instance)
                    || Some(name) == process_name
                    || Some(name) == exe
                    || Some(name) == exe_name
            })
            .map(|name| format!("'{name}' is in the protected applications (Settings)"))
    }
}

/// A window list with each window's process looked up once (its name and executable), so
/// that every request and every event-stream subscriber builds its view from it without
/// reading `/proc` again.
#[derive(Debug, Clone)]
pub struct ResolvedWindows {
    pub list: WindowList,
    /// By window index: the name and executable of the window's process, when known.
    processes: Vec<(Option<String>, Option<String>)>,
}

impl ResolvedWindows {
    /// Looks up each window's process (blocking: reads `/proc`).
    pub fn resolve(list: WindowList) -> Self {
        let processes = list
            .windows
            .iter()
            .map(
                |w| match w.pid.and_then(|pid| platform::process_brief(pid).ok()) {
                    Some(brief) => (Some(brief.name), brief.exe),
                    None => (None, None),
                },
            )
            .collect();
        Self { list, processes }
    }
}

pub struct WindowMonitor {
    system: Arc<dyn WindowSystem>,
    protected_apps: RwLock<Vec<String>>,
    events: broadcast::Sender<Arc<ResolvedWindows>>,
    watchers: Arc<Watchers>,
    interval: Duration,
}

impl WindowMonitor {
    /// The windows of `session`, with the backend chosen for it.
    pub fn new(session: &SessionEnv, interval: Duration) -> Arc<Self> {
        Self::with_system(Arc::from(platform::window_system(session)), interval)
    }

    /// A monitor of the windows of `system` (tests give it a compositor of their own).
    pub fn with_system(system: Arc<dyn WindowSystem>, interval: Duration) -> Arc<Self> {
        let (events, _) = broadcast::channel(16);
        Arc::new(Self {
            system,
            protected_apps: RwLock::new(Vec::new()),
            events,
            watchers: Arc::default(),
            interval,
        })
    }

    pub fn set_protected_apps(&self, apps: Vec<String>) {
        *self
            .protected_apps
            .write()
            .unwrap_or_else(|e| e.into_inner()) = apps;
    }

    /// The protection rules for a request from `peer` to the server's `port`.
    ///
    /// Finding the browser reads every process's open sockets: it runs on the blocking pool.
    pub async fn protection(
        &self,
        peer: Option<SocketAddr>,
        port: Option<u16>,
    ) -> WindowProtection {
        let (browser, browser_names) =
            tokio::task::spawn_blocking(move || browser_processes(peer, port))
                .await
                .unwrap_or_default();
        let apps = self
            .protected_apps
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        WindowProtection {
            browser,
            browser_names,
            apps,
        }
    }

    /// The current windows, their processes looked up (the X round trips and `/proc` reads
    /// run on the blocking pool).
    pub async fn list(&self) -> Arc<ResolvedWindows> {
        let system = self.system.clone();
        Arc::new(
            tokio::task::spawn_blocking(move || ResolvedWindows::resolve(system.list()))
                .await
                .unwrap_or_else(|e| {
                    ResolvedWindows::resolve(WindowList::unavailable(
                        "x11",
                        format!("window listing failed: {e}"),
                    ))
                }),
        )
    }

    /// The window system's name and how many windows it lists; `None` while it cannot list
    /// them (no display). No process is looked up.
    pub async fn count(&self) -> Option<(String, u64)> {
        let list = self.raw_list().await;
        let count = list.windows.len() as u64;
        list.available.then_some((list.backend, count))
    }

    /// The list alone, for the poller (which looks processes up only when it changed).
    async fn raw_list(&self) -> WindowList {
        let system = self.system.clone();
        tokio::task::spawn_blocking(move || system.list())
            .await
            .unwrap_or_else(|e| {
                WindowList::unavailable("x11", format!("window listing failed: {e}"))
            })
    }

    pub fn system(&self) -> Arc<dyn WindowSystem> {
        self.system.clone()
    }

    /// The window list, with processes looked up, each time it changes.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<ResolvedWindows>> {
        self.events.subscribe()
    }

    /// Registers a watcher; the list is polled and changes broadcast while one is alive.
    pub fn watch(self: &Arc<Self>) -> WatchGuard {
        self.watchers.watch(|| {
            tokio::spawn(Arc::clone(self).poll());
        })
    }

    async fn poll(self: Arc<Self>) {
        let mut previous: Option<WindowList> = None;
        let mut tick = tokio::time::interval(self.interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if !self.watchers.keep_running() {
                return;
            }
            let list = self.raw_list().await;
            let changed = previous.as_ref().is_none_or(|p| {
                p.windows != list.windows
                    || p.available != list.available
                    || p.window_manager != list.window_manager
            });
            if changed {
                // Looked up once here, for every subscriber.
                let resolved = list.clone();
                let resolved =
                    tokio::task::spawn_blocking(move || ResolvedWindows::resolve(resolved)).await;
                if let Ok(resolved) = resolved {
                    let _ = self.events.send(Arc::new(resolved));
                }
                previous = Some(list);
            }
        }
    }
}

/// The browser showing Boss to a request from `peer` (over loopback, to the server's `port`):
/// the process holding that socket and its ancestors, which hold the windows (the socket may
/// belong to a helper process, such as Chromium's network service), and their program names
/// (lower case; the session's managers, such as `systemd` or `sway`, left out).
fn browser_processes(
    peer: Option<SocketAddr>,
    port: Option<u16>,
) -> (HashSet<u32>, HashSet<String>) {
    let mut browser = HashSet::new();
    let mut names = HashSet::new();
    let mut naming = true;
    if let (Some(peer), Some(port)) = (peer, port)
        && peer.ip().is_loopback()
        && let Some(pid) = platform::loopback_peer(peer, SocketAddr::new(peer.ip(), port))
    {
        let mut next = Some(pid);
        while let Some(pid) = next.filter(|&p| p > 1) {
            if !browser.insert(pid) {
                break;
            }
            let brief = platform::process_brief(pid).ok();
            // The browser's own chain of processes (a helper, its main process), up to the
            // first that starts browsers rather than being one (a shell, the session).
            if let Some(name) = brief.as_ref().map(|b| b.name.to_ascii_lowercase())
                && naming
            {
                naming = !NOT_BROWSERS.contains(&name.as_str()) && names.len() < 3;
                if naming {
                    names.insert(name);
                }
            }
            next = brief.map(|b| b.ppid);
        }
    }
    (browser, names)
}

/// Ancestors of a browser that are not the browser: their names must not protect windows.
const NOT_BROWSERS: &[&str] = &[
    "systemd",
    "init",
    "sh",
    "bash",
    "zsh",
    "fish",
    "sway",
    "kwin_wayland",
    "gnome-shell",
    "sudo",
    "runuser",
    "su",
    "login",
    "sshd",
    "tmux",
    "screen",
    "boss",
];

/// The API view of a list, with `protection` applied (cheap: no system calls).
pub fn view(resolved: &ResolvedWindows, protection: &WindowProtection) -> WindowListView {
    let list = &resolved.list;
    let windows = list
        .windows
        .iter()
        .zip(&resolved.processes)
        .map(|(w, (process_name, exe))| WindowRow {
            id: w.id.clone(),
            title: w.title.clone(),
            class: w.class.clone(),
            instance: w.instance.clone(),
            pid: w.pid,
            protected: protection.reason(w, process_name.as_deref(), exe.as_deref()),
            process_name: process_name.clone(),
            desktop: w.desktop,
            active: w.active,
            minimized: w.minimized,
            transient_for: w.transient_for.clone(),
            closable: w.closable,
            kind: w.kind.clone(),
            xwayland: w.xwayland,
        })
        .collect();
    WindowListView {
        backend: list.backend.clone(),
        label: list.label.clone(),
        capabilities: list.capabilities,
        available: list.available,
        reason: list.reason.clone(),
        window_manager: list.window_manager.clone(),
        windows,
    }
}

/// A window id from a path: the id as listed (`x11:0x01a00007`), or, for people who copy ids
/// from `xprop` and `wmctrl`, a bare X11 id in decimal or `0x` hexadecimal.
pub fn parse_window_id(text: &str) -> Result<WindowId> {
    if let Some(id) = WindowId::parse(text) {
        return Ok(id);
    }
    let x11 = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16),
        None => text.parse(),
    };
    x11.map(WindowId::x11).map_err(|_| {
        let shown: String = text.chars().take(WindowId::MAX_LEN).collect();
        Error::BadRequest(format!(
            "'{shown}' is not a window id (as listed, e.g. x11:0x01a00007)"
        ))
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use platform::{WindowId, WindowInfo};

    use super::{WindowProtection, parse_window_id};

    fn window(class: &str, pid: Option<u32>) -> WindowInfo {
        WindowInfo {
            id: WindowId::new("wlr", 1),
            title: "Boss".into(),
            class: class.into(),
            instance: class.into(),
            pid,
            desktop: None,
            active: false,
            minimized: false,
            transient_for: None,
            closable: true,
            kind: "normal".into(),
            xwayland: false,
        }
    }

    #[test]
    fn without_pids_the_browsers_windows_are_protected_by_app_id_and_say_why() {
        let protection = WindowProtection {
            browser: HashSet::from([4242]),
            browser_names: HashSet::from(["firefox".to_string()]),
            apps: Vec::new(),
        };
        let reason = protection
            .reason(&window("org.mozilla.firefox", None), None, None)
            .expect("protected");
        assert!(reason.contains("does not say which process"), "{reason}");
        assert_eq!(protection.reason(&window("foot", None), None, None), None);
        // With a PID only the browser's own process counts.
        assert_eq!(
            protection.reason(&window("firefox", Some(7)), None, None),
            None
        );
        assert!(
            protection
                .reason(&window("firefox", Some(4242)), None, None)
                .is_some()
        );
    }

    #[test]
    fn window_ids_are_taken_as_listed_or_as_x_tools_print_them() {
        let x11 = WindowId::x11(0x1a00007);
        assert_eq!(parse_window_id("x11:0x01a00007").unwrap(), x11);
        assert_eq!(parse_window_id("0x1a00007").unwrap(), x11);
        assert_eq!(parse_window_id("27262983").unwrap(), x11);
        assert_eq!(
            parse_window_id("sway:42").unwrap(),
            WindowId::new("sway", 42)
        );
        for bad in ["window", "0x", "x11:", "0x1ffffffff", &"9".repeat(300)] {
            assert!(parse_window_id(bad).is_err(), "{bad}");
        }
    }
}
