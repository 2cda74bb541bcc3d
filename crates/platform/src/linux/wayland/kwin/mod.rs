//! The KWin window backend (KDE Plasma on Wayland, KWin 5.27 and Plasma 6), through KWin
//! scripting over the session bus.
//!
//! KWin offers no window list over D-Bus, but it runs scripts: Boss writes a small script
//! (`boss.js`, with one line of parameters in front), loads it through `org.kde.KWin
//! /Scripting`, runs it, and the script reports the windows (and what it did) back by calling
//! Boss's own D-Bus object (`callDBus`). Only reports sent by the connection that owns
//! `org.kde.KWin` are accepted. Every action is one script: list; close (`closeWindow()`, the
//! close button's polite request, never a kill); activate; minimize; and for sessions, layout
//! (frame position, client size, maximized, place in `workspace.stackingOrder`), place
//! (desktop, `frameGeometry`, `setMaximize`, `minimized`) and restack (Plasma 6's
//! `raiseWindow`; KWin 5.27 scripts can raise only by activating, so there the last window
//! restacked ends with the focus).
//!
//! Closing is observed the way the X11 backend does it: the windows are listed every few
//! milliseconds until each asked window is gone (`closed`), a new window of the same process
//! or one transient for it appeared (`prompting`, "Save changes?"), or the shared timeout
//! passed (`still_open`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::{Laid, Seen, close_answer, distinct_locals, io_error, outcomes_in_order, watch_closes};
use crate::error::{Error, Result};
use crate::window::{
    CloseOutcome, Placement, SessionEnv, WindowId, WindowInfo, WindowLayout, WindowList,
    WindowSystem,
};

pub const BACKEND: &str = "kwin";
const LABEL: &str = "KWin (Wayland)";
const KWIN: &str = "org.kde.KWin";
/// Where Boss's report object lives on its own connection.
const REPORT_PATH: &str = "/org/boss/KWin";
/// The script, without its parameters line.
const SCRIPT: &str = include_str!("boss.js");
/// How long a script may take to report. KWin runs scripts on its main thread, which is
/// quick unless the compositor is very busy.
const SCRIPT_PATIENCE: Duration = Duration::from_secs(5);

/// The windows of a KWin Wayland session, through scripts run by KWin.
pub struct KwinWindows {
    conn: zbus::Connection,
    inbox: Arc<Inbox>,
    /// A private directory for the script files (KWin reads them from disk).
    scripts: PathBuf,
    next_token: AtomicU64,
    /// The object path scheme of loaded scripts, once known: see [`ScriptPaths`].
    paths: OnceLock<ScriptPaths>,
}

/// Reports delivered by KWin, by token, to the thread waiting for them.
struct Inbox {
    reports: Mutex<HashMap<String, String>>,
    arrived: Condvar,
    /// The unique bus name of `org.kde.KWin`'s owner: reports from anyone else are refused.
    kwin: Mutex<String>,
}

/// The D-Bus object the script calls.
struct Reporter {
    inbox: Arc<Inbox>,
}

#[zbus::interface(name = "org.boss.KWinScript")]
impl Reporter {
    /// A script's report: its token and its findings as JSON.
    fn report(
        &self,
        #[zbus(header)] header: zbus::message::Header<'_>,
        token: String,
        json: String,
    ) -> zbus::fdo::Result<()> {
        let kwin = self
            .inbox
            .kwin
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if header.sender().map(|s| s.as_str()) != Some(kwin.as_str()) {
            return Err(zbus::fdo::Error::AccessDenied(
                "only KWin may report".to_string(),
            ));
        }
        drop(kwin);
        let mut reports = self
            .inbox
            .reports
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        reports.insert(token, json);
        self.inbox.arrived.notify_all();
        Ok(())
    }
}

/// Where KWin puts a loaded script's object: `/N` in 5.27, `/Scripting/ScriptN` in Plasma 6.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ScriptPaths {
    Plasma5,
    Plasma6,
}

impl ScriptPaths {
    fn path(self, id: i32) -> String {
        match self {
            ScriptPaths::Plasma6 => format!("/Scripting/Script{id}"),
            ScriptPaths::Plasma5 => format!("/{id}"),
        }
    }
}

/// What the script found (see `boss.js`).
#[derive(Debug, Deserialize)]
struct Report {
    windows: Vec<Seen>,
    results: HashMap<String, String>,
    /// What `layout` read, by KWin id.
    #[serde(default)]
    layouts: HashMap<String, Laid>,
    error: Option<String>,
}

/// KWin's own id of a window (its `internalId`, a UUID without braces), if `id` is one:
/// anything else names no KWin window, and only checked text goes into a script.
fn local_id(id: &WindowId) -> Option<&str> {
    let local = id.local(BACKEND)?;
    let uuid_shaped = local.len() == 36
        && local.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
    uuid_shaped.then_some(local)
}

impl KwinWindows {
    /// Connects to the session bus of `session` and checks that KWin answers there; `None`
    /// when there is no session bus or no KWin on it.
    pub fn connect(session: &SessionEnv) -> Option<KwinWindows> {
        let address = super::session_bus_address(session)?;
        let inbox = Arc::new(Inbox {
            reports: Mutex::new(HashMap::new()),
            arrived: Condvar::new(),
            kwin: Mutex::new(String::new()),
        });
        let reporter = Reporter {
            inbox: inbox.clone(),
        };
        let conn = zbus::block_on(async {
            zbus::connection::Builder::address(address.as_str())
                .serve_at(REPORT_PATH, reporter)
                .build()
                .await
        })
        .ok()?;
        let windows = KwinWindows {
            conn,
            inbox,
            scripts: script_dir(session),
            next_token: AtomicU64::new(1),
            paths: OnceLock::new(),
        };
        windows.kwin_owner().ok()?;
        Some(windows)
    }

    /// Looks up (and remembers) which connection owns `org.kde.KWin` now.
    fn kwin_owner(&self) -> Result<String> {
        let reply = zbus::block_on(self.conn.call_method(
            Some("org.freedesktop.DBus"),
            "/org/freedesktop/DBus",
            Some("org.freedesktop.DBus"),
            "GetNameOwner",
            &(KWIN,),
        ))
        .map_err(|e| Error::Unsupported(format!("KWin does not answer on the session bus: {e}")))?;
        let owner: String = reply
            .body()
            .deserialize()
            .map_err(|e| io_error("KWin's bus name", e))?;
        *self
            .inbox
            .kwin
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = owner.clone();
        Ok(owner)
    }

    /// Calls a method of KWin's scripting objects.
    fn call<B>(
        &self,
        path: &str,
        interface: &str,
        method: &str,
        body: &B,
    ) -> zbus::Result<zbus::Message>
    where
        B: serde::Serialize + zbus::zvariant::DynamicType,
    {
        zbus::block_on(
            self.conn
                .call_method(Some(KWIN), path, Some(interface), method, body),
        )
    }

    /// Runs the script once with `action` on `targets` (KWin ids) and returns its report.
    fn run(&self, action: &str, targets: &[&str]) -> Result<Report> {
        self.run_placing(action, targets, None)
    }

    /// [`run`](Self::run), with the placement that `place` puts into effect.
    fn run_placing(
        &self,
        action: &str,
        targets: &[&str],
        placement: Option<&Placement>,
    ) -> Result<Report> {
        self.kwin_owner()?;
        let n = self.next_token.fetch_add(1, Ordering::Relaxed);
        // The token is not guessable from outside, though only KWin may report anyway.
        let token = format!("{}-{n}-{}", std::process::id(), crate::now_ms());
        let name = format!("boss-{token}");
        let service = self
            .conn
            .unique_name()
            .map(|n| n.to_string())
            .ok_or_else(|| io_error("the session bus", "no unique name"))?;
        let parameters = serde_json::json!({
            "service": service,
            "path": REPORT_PATH,
            "token": token,
            "action": action,
            "targets": targets,
            "placement": placement,
        });
        let file = self.scripts.join(format!("{name}.js"));
        crate::linux::prepare_private_dir(&self.scripts, &[])?;
        crate::linux::write_private_file(
            &file,
            format!("var boss = {parameters};\n{SCRIPT}").as_bytes(),
        )
        .map_err(|e| io_error(format!("cannot write '{}'", file.display()), e))?;
        let outcome = self.load_and_wait(&file, &name, &token);
        let _ = std::fs::remove_file(&file);
        let json = outcome?;
        let report: Report = serde_json::from_str(&json)
            .map_err(|e| io_error("KWin's script sent a report Boss cannot read", e))?;
        match report.error {
            Some(e) => Err(io_error("KWin's script failed", e)),
            None => Ok(report),
        }
    }

    fn load_and_wait(&self, file: &std::path::Path, name: &str, token: &str) -> Result<String> {
        let scripting = "org.kde.kwin.Scripting";
        let loaded = self
            .call(
                "/Scripting",
                scripting,
                "loadScript",
                &(file.to_string_lossy().as_ref(), name),
            )
            .map_err(|e| Error::Unsupported(format!("KWin does not load scripts: {e}")))?;
        let id: i32 = loaded
            .body()
            .deserialize()
            .map_err(|e| io_error("KWin's answer to loadScript", e))?;
        if id < 0 {
            return Err(io_error(
                "KWin refused the script",
                format!("loadScript gave {id}"),
            ));
        }
        let result = self.start(id).and_then(|()| self.wait_for(token));
        // Unloaded in any case, so that failed runs leave nothing behind in KWin.
        let _ = self.call("/Scripting", scripting, "unloadScript", &(name,));
        result
    }

    /// Runs loaded script `id`, finding out once where KWin put it.
    fn start(&self, id: i32) -> Result<()> {
        let tries: &[ScriptPaths] = match self.paths.get() {
            Some(known) => std::slice::from_ref(known),
            None => &[ScriptPaths::Plasma6, ScriptPaths::Plasma5],
        };
        let mut last = None;
        for &scheme in tries {
            match self.call(&scheme.path(id), "org.kde.kwin.Script", "run", &()) {
                Ok(_) => {
                    let _ = self.paths.set(scheme);
                    return Ok(());
                }
                Err(e) => last = Some(e),
            }
        }
        Err(io_error(
            "KWin did not run the script",
            last.map_or_else(String::new, |e| e.to_string()),
        ))
    }

    /// The report with `token`. `Script.run` returns before the script has run: it reports
    /// when KWin gets to it.
    fn wait_for(&self, token: &str) -> Result<String> {
        let deadline = Instant::now() + SCRIPT_PATIENCE;
        let mut reports = self
            .inbox
            .reports
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(json) = reports.remove(token) {
                return Ok(json);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io_error(
                    "KWin's script did not report",
                    format!("no answer within {SCRIPT_PATIENCE:?}"),
                ));
            }
            reports = self
                .inbox
                .arrived
                .wait_timeout(reports, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Runs a one-window action and turns the script's answer into a result.
    fn act(&self, action: &str, id: &WindowId) -> Result<()> {
        self.act_placing(action, id, None).map(drop)
    }

    /// [`act`](Self::act), with the placement `place` needs; gives the whole report.
    fn act_placing(
        &self,
        action: &str,
        id: &WindowId,
        placement: Option<&Placement>,
    ) -> Result<Report> {
        let not_found = || Error::NotFound(format!("window {id}"));
        let local = local_id(id).ok_or_else(not_found)?;
        let report = self.run_placing(action, &[local], placement)?;
        match report.results.get(local).map(String::as_str) {
            Some("done") => Ok(report),
            Some("unsupported") => Err(Error::Unsupported(format!(
                "KWin does not allow to {action} window {id}"
            ))),
            _ => Err(not_found()),
        }
    }
}

/// A directory of Boss's own for script files, where KWin (the same user) can read them.
fn script_dir(session: &SessionEnv) -> PathBuf {
    let base = session
        .runtime_dir
        .as_deref()
        .map_or_else(std::env::temp_dir, PathBuf::from);
    base.join(format!("boss-kwin-{}", std::process::id()))
}

impl Drop for KwinWindows {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.scripts);
    }
}

impl WindowSystem for KwinWindows {
    fn list(&self) -> WindowList {
        match self.run("list", &[]) {
            Ok(report) => WindowList::answered(
                BACKEND,
                LABEL,
                "KWin",
                report.windows.iter().map(|w| w.info(BACKEND)).collect(),
            ),
            Err(e) => {
                let mut list = WindowList::unavailable(BACKEND, e.to_string());
                list.label = LABEL.to_string();
                list
            }
        }
    }

    fn close_many(
        &self,
        ids: &[WindowId],
        timeout: Duration,
    ) -> Vec<(WindowId, Result<CloseOutcome>)> {
        outcomes_in_order(ids, close_many(self, ids, timeout), local_id, "KWin")
    }

    fn activate(&self, id: &WindowId) -> Result<()> {
        self.act("activate", id)
    }

    fn minimize(&self, id: &WindowId) -> Result<()> {
        self.act("minimize", id)
    }

    fn layout(&self, window: &WindowInfo) -> Result<WindowLayout> {
        let mut report = self.act_placing("layout", &window.id, None)?;
        local_id(&window.id)
            .and_then(|local| report.layouts.remove(local))
            .map(WindowLayout::from)
            .ok_or_else(|| io_error("KWin's script", "it read no layout"))
    }

    fn place(&self, window: &WindowInfo, placement: &Placement) -> Result<()> {
        super::place_in_steps(
            placement,
            |p| self.act_placing("place", &window.id, Some(p)).map(drop),
            || Ok(self.layout(window)?.geometry),
        )
    }

    /// One script raises them all, bottom to top; windows gone meanwhile are passed over.
    fn restack(&self, windows: &[WindowInfo]) -> Result<()> {
        let targets: Vec<&str> = windows.iter().filter_map(|w| local_id(&w.id)).collect();
        if targets.is_empty() {
            return Ok(());
        }
        self.run("restack", &targets).map(drop)
    }
}

/// Asks each window to close in one script, then watches all of them until `timeout`.
/// Outcomes by KWin id.
fn close_many(
    kwin: &KwinWindows,
    ids: &[WindowId],
    timeout: Duration,
) -> Result<HashMap<String, CloseOutcome>> {
    let started = Instant::now();
    let targets = distinct_locals(ids, local_id);
    let mut outcomes = HashMap::new();
    if targets.is_empty() {
        return Ok(outcomes);
    }
    let report = kwin.run("close", &targets)?;
    let mut sent = Vec::new();
    for &local in &targets {
        match close_answer(report.results.get(local).map(String::as_str)) {
            None => sent.push(local),
            Some(outcome) => {
                outcomes.insert(local.to_string(), outcome);
            }
        }
    }
    outcomes.extend(watch_closes(
        &report.windows,
        &sent,
        started + timeout,
        || Ok(kwin.run("list", &[])?.windows),
    )?);
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_uuid_shaped_kwin_ids_reach_a_script() {
        let good = WindowId::new(BACKEND, "b904c2b8-2dd7-4936-be38-7eeac5397867");
        assert_eq!(
            local_id(&good),
            Some("b904c2b8-2dd7-4936-be38-7eeac5397867")
        );
        for bad in [
            "kwin:b904c2b8-2dd7-4936-be38-7eeac539786\"",
            "kwin:{b904c2b8-2dd7-4936-be38-7eeac5397867}",
            "kwin:1",
            "x11:0x00400007",
        ] {
            let id = WindowId::parse(bad).expect("well formed");
            assert_eq!(local_id(&id), None, "{bad}");
        }
    }
}
