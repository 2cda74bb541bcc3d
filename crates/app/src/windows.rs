//! Windows as Boss presents them: the session's window list with Boss's protection rules, and
//! a poller that broadcasts changes while someone watches.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use platform::{WindowInfo, WindowList, WindowSystem};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use utoipa::ToSchema;

use crate::error::{Error, Result};

/// A window as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WindowRow {
    pub id: u64,
    /// The id as X tools print it, e.g. `0x1a00007`.
    pub id_hex: String,
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
    pub transient_for: Option<u64>,
    /// Whether it accepts a polite close request.
    pub closable: bool,
    pub kind: String,
    /// Why Boss will not touch this window, when it will not.
    pub protected: Option<String>,
}

/// The window list as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WindowListView {
    pub backend: String,
    pub available: bool,
    pub reason: Option<String>,
    pub window_manager: Option<String>,
    pub windows: Vec<WindowRow>,
}

/// Which windows are off limits for one request: Boss's own, the browser showing Boss (when
/// the request comes over loopback), and the applications protected in the settings.
#[derive(Debug, Clone, Default)]
pub struct WindowProtection {
    /// The browser's process and its ancestors.
    browser: HashSet<u32>,
    apps: Vec<String>,
}

impl WindowProtection {
    fn reason(
        &self,
        w: &WindowInfo,
        process_name: Option<&str>,
        exe: Option<&str>,
    ) -> Option<String> {
        let pid = w.pid?;
        if pid == std::process::id() {
            return Some("this is Boss's own window".into());
        }
        if self.browser.contains(&pid) {
            return Some("this is the browser showing Boss".into());
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

pub struct WindowMonitor {
    system: Arc<dyn WindowSystem>,
    protected_apps: RwLock<Vec<String>>,
    events: broadcast::Sender<Arc<WindowList>>,
    watchers: AtomicUsize,
    poller_running: Mutex<bool>,
    interval: Duration,
}

impl WindowMonitor {
    pub fn new(display: Option<&str>, interval: Duration) -> Arc<Self> {
        let (events, _) = broadcast::channel(16);
        Arc::new(Self {
            system: Arc::from(platform::window_system(display)),
            protected_apps: RwLock::new(Vec::new()),
            events,
            watchers: AtomicUsize::new(0),
            poller_running: Mutex::new(false),
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
    pub fn protection(&self, peer: Option<SocketAddr>, port: Option<u16>) -> WindowProtection {
        let mut browser = HashSet::new();
        if let (Some(peer), Some(port)) = (peer, port)
            && peer.ip().is_loopback()
            && let Some(pid) = platform::loopback_peer(peer, SocketAddr::new(peer.ip(), port))
        {
            // The socket may belong to a helper process of the browser (Chromium's network
            // service): its ancestors hold the windows.
            let mut next = Some(pid);
            while let Some(pid) = next.filter(|&p| p > 1) {
                if !browser.insert(pid) {
                    break;
                }
                next = platform::process_brief(pid).ok().map(|b| b.ppid);
            }
        }
        let apps = self
            .protected_apps
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        WindowProtection { browser, apps }
    }

    /// The current windows (the X round trips run on the blocking pool).
    pub async fn list(&self) -> WindowList {
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

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<WindowList>> {
        self.events.subscribe()
    }

    /// Registers a watcher; the list is polled and changes broadcast while one is alive.
    pub fn watch(self: &Arc<Self>) -> WindowWatch {
        self.watchers.fetch_add(1, Ordering::SeqCst);
        let mut running = self
            .poller_running
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if !*running {
            *running = true;
            tokio::spawn(Arc::clone(self).poll());
        }
        WindowWatch {
            monitor: Arc::clone(self),
        }
    }

    async fn poll(self: Arc<Self>) {
        let mut previous: Option<WindowList> = None;
        let mut tick = tokio::time::interval(self.interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            {
                let mut running = self
                    .poller_running
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                if self.watchers.load(Ordering::SeqCst) == 0 {
                    *running = false;
                    return;
                }
            }
            let list = self.list().await;
            let changed = previous.as_ref().is_none_or(|p| {
                p.windows != list.windows
                    || p.available != list.available
                    || p.window_manager != list.window_manager
            });
            if changed {
                let _ = self.events.send(Arc::new(list.clone()));
                previous = Some(list);
            }
        }
    }
}

pub struct WindowWatch {
    monitor: Arc<WindowMonitor>,
}

impl Drop for WindowWatch {
    fn drop(&mut self) {
        self.monitor.watchers.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The API view of a list, with `protection` applied.
pub fn view(list: &WindowList, protection: &WindowProtection) -> WindowListView {
    let windows = list
        .windows
        .iter()
        .map(|w| {
            let brief = w.pid.and_then(|pid| platform::process_brief(pid).ok());
            let process_name = brief.as_ref().map(|b| b.name.clone());
            let exe = brief.and_then(|b| b.exe);
            WindowRow {
                id: w.id,
                id_hex: format!("{:#x}", w.id),
                title: w.title.clone(),
                class: w.class.clone(),
                instance: w.instance.clone(),
                pid: w.pid,
                protected: protection.reason(w, process_name.as_deref(), exe.as_deref()),
                process_name,
                desktop: w.desktop,
                active: w.active,
                minimized: w.minimized,
                transient_for: w.transient_for,
                closable: w.closable,
                kind: w.kind.clone(),
            }
        })
        .collect();
    WindowListView {
        backend: list.backend.clone(),
        available: list.available,
        reason: list.reason.clone(),
        window_manager: list.window_manager.clone(),
        windows,
    }
}

/// A window id from a path: decimal or `0x` hexadecimal.
pub fn parse_window_id(text: &str) -> Result<u64> {
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    parsed
        .map_err(|_| Error::BadRequest(format!("'{text}' is not a window id (decimal or 0x-hex)")))
}

#[cfg(test)]
mod tests {
    use super::parse_window_id;

    #[test]
    fn window_ids() {
        assert_eq!(parse_window_id("0x1a00007").unwrap(), 0x1a00007);
        assert_eq!(parse_window_id("27262983").unwrap(), 27262983);
        assert!(parse_window_id("window").is_err());
        assert!(parse_window_id("0x").is_err());
    }
}
