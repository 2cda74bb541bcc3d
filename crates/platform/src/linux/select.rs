//! Choosing the window backend at run time, from the session's environment and from what
//! answers: sway's IPC, then KWin, then GNOME Shell, then wlr-foreign-toplevel (other wlroots
//! compositors), then X11 (which in a Wayland session
//! reaches its Xwayland windows only).
//!
//! The order is a pure function of the environment and the runtime directory's file names
//! ([`candidates`]), so that it is tested without compositors; connecting is separate. When
//! the session is Wayland but no Wayland backend answered yet (Boss started before the
//! compositor), or the chosen one stops answering, the choice is made again on a later listing
//! (at most about once a second), as the X11 backend reconnects.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::wayland::gnome::GnomeWindows;
use super::wayland::kwin::KwinWindows;
use super::wayland::sway::SwayWindows;
use super::wayland::wlr::WlrWindows;
use super::x11::X11Windows;
use crate::error::{Error, Result};
use crate::window::{
    CloseOutcome, Placement, SessionEnv, WindowId, WindowInfo, WindowLayout, WindowList,
    WindowSystem,
};

/// How long a choice stands before a fallback or unavailable backend is replaced by a better
/// one that may have started since.
const RECHOOSE_AFTER: Duration = Duration::from_secs(1);

/// A backend worth trying, in the order tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Candidate {
    /// sway's IPC socket.
    Sway(PathBuf),
    Kwin,
    Gnome,
    /// A wlroots compositor's `wlr-foreign-toplevel-management` (Hyprland, labwc, Wayfire,
    /// niri).
    Wlr,
    /// The X display; `xwayland` when it belongs to a Wayland session.
    X11 {
        xwayland: bool,
    },
}

/// The backends to try for `session`, best first. `runtime_files` are the names of the files
/// in its runtime directory (where sway's socket is found when `SWAYSOCK` is not set, e.g.
/// for Boss started as a user service). `BOSS_WINDOW_BACKEND` (`forced_backend`) leaves only
/// the backend it names.
pub fn candidates(session: &SessionEnv, runtime_files: &[String]) -> Vec<Candidate> {
    let runtime_dir = session.runtime_dir.as_deref().map(PathBuf::from);
    let wayland = session.wayland_display.is_some()
        || session.swaysock.is_some()
        || runtime_files.iter().any(|f| is_wayland_socket(f));
    let mut sway_sockets: Vec<PathBuf> = session.swaysock.iter().map(PathBuf::from).collect();
    if let Some(dir) = &runtime_dir {
        let mut found: Vec<&String> = runtime_files
            .iter()
            .filter(|f| f.starts_with("sway-ipc.") && f.ends_with(".sock"))
            .collect();
        found.sort();
        sway_sockets.extend(found.into_iter().map(|f| dir.join(f)));
    }
    sway_sockets.dedup();

    let desktop = |name: &str| {
        session
            .current_desktop
            .iter()
            .any(|d| d.eq_ignore_ascii_case(name))
    };
    let mut all: Vec<Candidate> = sway_sockets.into_iter().map(Candidate::Sway).collect();
    if wayland || desktop("KDE") || desktop("GNOME") {
        // The desktop's own name first when it says which it is.
        if desktop("GNOME") && !desktop("KDE") {
            all.extend([Candidate::Gnome, Candidate::Kwin]);
        } else {
            all.extend([Candidate::Kwin, Candidate::Gnome]);
        }
    }
    if wayland {
        all.push(Candidate::Wlr);
    }
    all.push(Candidate::X11 { xwayland: wayland });

    match session.forced_backend.as_deref() {
        None => all,
        Some(forced) => all
            .into_iter()
            .filter(|c| c.name() == forced.to_ascii_lowercase())
            .collect(),
    }
}

/// `wayland-0`, `wayland-1`: a compositor's socket (not its `.lock` file).
fn is_wayland_socket(name: &str) -> bool {
    name.strip_prefix("wayland-")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

impl Candidate {
    /// The name `BOSS_WINDOW_BACKEND` uses for it (and its windows' ids).
    pub fn name(&self) -> &'static str {
        match self {
            Candidate::Sway(_) => "sway",
            Candidate::Kwin => "kwin",
            Candidate::Gnome => "gnome",
            Candidate::Wlr => "wlr",
            Candidate::X11 { .. } => "x11",
        }
    }
}

/// The backend of `candidate`, if it answers now.
fn connect(candidate: &Candidate, session: &SessionEnv) -> Option<Box<dyn WindowSystem>> {
    let xwayland = || -> Box<dyn WindowSystem> {
        Box::new(X11Windows::with_xwayland(session.display.as_deref(), true))
    };
    match candidate {
        Candidate::Sway(socket) => {
            let x11 = session.display.is_some().then(xwayland);
            SwayWindows::connect(socket, x11).map(|b| Box::new(b) as Box<dyn WindowSystem>)
        }
        Candidate::Kwin => {
            KwinWindows::connect(session).map(|b| Box::new(b) as Box<dyn WindowSystem>)
        }
        Candidate::Gnome => {
            GnomeWindows::connect(session).map(|b| Box::new(b) as Box<dyn WindowSystem>)
        }
        Candidate::Wlr => {
            let socket = wayland_socket(session)?;
            let x11 = session.display.is_some().then(xwayland);
            WlrWindows::connect(&socket, x11).map(|b| Box::new(b) as Box<dyn WindowSystem>)
        }
        Candidate::X11 { xwayland } => Some(Box::new(X11Windows::with_xwayland(
            session.display.as_deref(),
            *xwayland,
        ))),
    }
}

/// The compositor's socket: `WAYLAND_DISPLAY` (a path, or a name in the runtime directory),
/// else the first `wayland-N` socket there.
fn wayland_socket(session: &SessionEnv) -> Option<PathBuf> {
    let dir = session.runtime_dir.as_deref().map(PathBuf::from);
    match &session.wayland_display {
        Some(display) if display.starts_with('/') => Some(PathBuf::from(display)),
        Some(display) => Some(dir?.join(display)),
        None => {
            let mut sockets: Vec<String> = runtime_files(session)
                .into_iter()
                .filter(|f| is_wayland_socket(f))
                .collect();
            sockets.sort();
            Some(dir?.join(sockets.first()?))
        }
    }
}

/// The names of the files in the session's runtime directory.
fn runtime_files(session: &SessionEnv) -> Vec<String> {
    let Some(dir) = &session.runtime_dir else {
        return Vec::new();
    };
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// A choice: the backend, whether a better one could still come (it is a fallback), and
/// whether it is the X11 backend (kept across choices: it reconnects by itself).
struct Current {
    backend: Arc<dyn WindowSystem>,
    fallback: bool,
    x11: bool,
    chosen: Instant,
    /// Why a better backend did not answer, when it can be told (GNOME Shell runs but Boss's
    /// extension does not answer): said in the list of the fallback.
    note: Option<String>,
}

/// The first candidate that answers. `x11`: the X11 backend in use, kept rather than
/// connected anew when the choice falls to X11 again.
fn choose(session: &SessionEnv, x11: Option<Arc<dyn WindowSystem>>) -> Current {
    let all = candidates(session, &runtime_files(session));
    let mut note = None;
    for (rank, candidate) in all.iter().enumerate() {
        let is_x11 = matches!(candidate, Candidate::X11 { .. });
        let backend = match (is_x11, &x11) {
            (true, Some(kept)) => Some(kept.clone()),
            _ => connect(candidate, session).map(Arc::from),
        };
        if let Some(backend) = backend {
            return Current {
                backend,
                fallback: rank > 0 && matches!(candidate, Candidate::X11 { xwayland: true }),
                x11: is_x11,
                chosen: Instant::now(),
                note,
            };
        }
        if matches!(candidate, Candidate::Gnome) && note.is_none() {
            note = GnomeWindows::missing_extension(session);
        }
    }
    let reason = match &session.forced_backend {
        Some(forced) => format!("BOSS_WINDOW_BACKEND={forced}: that window backend did not answer"),
        None => "no window backend answered".to_string(),
    };
    Current {
        backend: Arc::new(Unavailable(note.unwrap_or(reason))),
        fallback: true,
        x11: false,
        chosen: Instant::now(),
        note: None,
    }
}

/// The backend chosen for a session, chosen again while it is only a fallback or stops
/// answering.
pub struct Selected {
    session: SessionEnv,
    current: Mutex<Current>,
}

impl Selected {
    pub fn new(session: &SessionEnv) -> Self {
        Selected {
            session: session.clone(),
            current: Mutex::new(choose(session, None)),
        }
    }

    fn backend(&self) -> Arc<dyn WindowSystem> {
        self.current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .backend
            .clone()
    }

    /// Makes the choice again (outside the lock: connecting may take a moment) and lists
    /// with the new backend.
    fn choose_again(&self) -> WindowList {
        let x11 = {
            let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
            current.x11.then(|| current.backend.clone())
        };
        let mut next = choose(&self.session, x11);
        let list = with_note(next.backend.list(), next.note.as_deref());
        next.fallback |= !list.available;
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = next;
        list
    }
}

/// `list`, saying `note` first (why a better backend did not answer), then what the fallback
/// itself said.
fn with_note(mut list: WindowList, note: Option<&str>) -> WindowList {
    if let Some(note) = note {
        list.reason = Some(match list.reason.take() {
            Some(own) => format!("{note} ({own})"),
            None => note.to_string(),
        });
    }
    list
}

impl WindowSystem for Selected {
    fn list(&self) -> WindowList {
        let (backend, fallback, due, note) = {
            let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
            let due = current.chosen.elapsed() >= RECHOOSE_AFTER;
            let note = current.note.clone();
            (current.backend.clone(), current.fallback, due, note)
        };
        if fallback && due {
            return self.choose_again();
        }
        let list = backend.list();
        if !list.available && due {
            // The compositor may have been restarted (a new socket) or replaced.
            return self.choose_again();
        }
        with_note(list, note.as_deref())
    }

    fn close(&self, id: &WindowId, timeout: Duration) -> Result<CloseOutcome> {
        self.backend().close(id, timeout)
    }

    fn close_many(
        &self,
        ids: &[WindowId],
        timeout: Duration,
    ) -> Vec<(WindowId, Result<CloseOutcome>)> {
        self.backend().close_many(ids, timeout)
    }

    fn activate(&self, id: &WindowId) -> Result<()> {
        self.backend().activate(id)
    }

    fn minimize(&self, id: &WindowId) -> Result<()> {
        self.backend().minimize(id)
    }

    fn layout(&self, window: &WindowInfo) -> Result<WindowLayout> {
        self.backend().layout(window)
    }

    fn place(&self, window: &WindowInfo, placement: &Placement) -> Result<()> {
        self.backend().place(window, placement)
    }

    fn restack(&self, windows: &[WindowInfo]) -> Result<()> {
        self.backend().restack(windows)
    }
}

/// No backend answered: an empty list saying why, and actions that cannot be done.
struct Unavailable(String);

impl Unavailable {
    fn refused<T>(&self) -> Result<T> {
        Err(Error::Unsupported(format!("windows: {}", self.0)))
    }
}

impl WindowSystem for Unavailable {
    fn list(&self) -> WindowList {
        WindowList::unavailable("none", self.0.clone())
    }

    fn close_many(&self, ids: &[WindowId], _: Duration) -> Vec<(WindowId, Result<CloseOutcome>)> {
        ids.iter().map(|id| (id.clone(), self.refused())).collect()
    }

    fn activate(&self, _: &WindowId) -> Result<()> {
        self.refused()
    }

    fn minimize(&self, _: &WindowId) -> Result<()> {
        self.refused()
    }

    fn layout(&self, _: &WindowInfo) -> Result<WindowLayout> {
        self.refused()
    }

    fn place(&self, _: &WindowInfo, _: &Placement) -> Result<()> {
        self.refused()
    }

    fn restack(&self, _: &[WindowInfo]) -> Result<()> {
        self.refused()
    }
}

#[cfg(test)]
mod tests {
    use super::{Candidate, candidates};
    use crate::window::SessionEnv;
    use std::path::PathBuf;

    fn names(files: &[&str]) -> Vec<String> {
        files.iter().map(|f| f.to_string()).collect()
    }

    #[test]
    fn an_x11_session_has_only_the_x11_backend() {
        let session = SessionEnv::x11(Some(":0"));
        assert_eq!(
            candidates(&session, &[]),
            [Candidate::X11 { xwayland: false }]
        );
    }

    #[test]
    fn a_sway_session_tries_swaysock_first_then_the_other_wayland_backends_then_xwayland() {
        let session = SessionEnv {
            display: Some(":1".into()),
            wayland_display: Some("wayland-1".into()),
            swaysock: Some("/run/user/1000/sway-ipc.1000.42.sock".into()),
            runtime_dir: Some("/run/user/1000".into()),
            current_desktop: vec!["sway".into()],
            ..SessionEnv::default()
        };
        let files = names(&[
            "wayland-1",
            "wayland-1.lock",
            "sway-ipc.1000.42.sock",
            "bus",
        ]);
        assert_eq!(
            candidates(&session, &files),
            [
                Candidate::Sway(PathBuf::from("/run/user/1000/sway-ipc.1000.42.sock")),
                Candidate::Kwin,
                Candidate::Gnome,
                Candidate::Wlr,
                Candidate::X11 { xwayland: true },
            ]
        );
    }

    #[test]
    fn without_swaysock_sway_is_found_by_its_socket_in_the_runtime_directory() {
        let session = SessionEnv {
            runtime_dir: Some("/run/user/1000".into()),
            ..SessionEnv::default()
        };
        let files = names(&["wayland-1", "sway-ipc.1000.7.sock"]);
        let found = candidates(&session, &files);
        assert_eq!(
            found[0],
            Candidate::Sway("/run/user/1000/sway-ipc.1000.7.sock".into())
        );
        assert_eq!(found.last(), Some(&Candidate::X11 { xwayland: true }));
    }

    #[test]
    fn a_gnome_session_tries_gnome_shell_before_kwin() {
        let session = SessionEnv {
            wayland_display: Some("wayland-0".into()),
            current_desktop: vec!["ubuntu".into(), "GNOME".into()],
            ..SessionEnv::default()
        };
        assert_eq!(
            candidates(&session, &[])[..2],
            [Candidate::Gnome, Candidate::Kwin]
        );
    }

    #[test]
    fn boss_window_backend_leaves_only_the_backend_it_names() {
        let session = SessionEnv {
            wayland_display: Some("wayland-1".into()),
            swaysock: Some("/tmp/sway.sock".into()),
            forced_backend: Some("WLR".into()),
            ..SessionEnv::default()
        };
        assert_eq!(candidates(&session, &[]), [Candidate::Wlr]);
        let x11 = SessionEnv {
            forced_backend: Some("x11".into()),
            ..session
        };
        assert_eq!(candidates(&x11, &[]), [Candidate::X11 { xwayland: true }]);
    }
}
