//! The X11 window backend (EWMH/ICCCM through x11rb, PIDs from the X-Resource extension).
//!
//! Works with an EWMH window manager, with a plain ICCCM one, and with none at all (then
//! windows are found by walking the tree and minimizing is impossible). Boss must run inside
//! the graphical session (its `DISPLAY` and `XAUTHORITY`). Under Wayland only Xwayland
//! clients are visible.

mod close;
mod place;
mod query;
mod session;
mod text;

use std::io;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use x11rb::errors::{ConnectionError, ReplyError};
use x11rb::protocol::ErrorKind;
use x11rb::protocol::xproto::{
    ClientMessageEvent, ConfigureWindowAux, ConnectionExt as _, EventMask, InputFocus, StackMode,
    Window,
};

use crate::error::{Error, Result};
use crate::window::{
    CloseOutcome, Placement, WindowCapabilities, WindowId, WindowInfo, WindowLayout, WindowList,
    WindowSystem,
};
use session::Session;

pub const BACKEND: &str = "x11";

/// After a failed connection attempt, calls within this time report the same failure rather
/// than trying again: a listing every second must not turn into a connect storm, and an
/// unreachable TCP display can take long to fail.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// `WM_CHANGE_STATE` value asking for iconification (ICCCM §4.1.4).
const ICONIC_STATE: u32 = 3;

/// The window system of one X display, with its own connection. The connection is made
/// lazily and remade after it breaks, so Boss may start before the X server does.
pub struct X11Windows {
    /// `None`: `$DISPLAY`, read at each connection attempt.
    display: Option<String>,
    /// The display is the Xwayland of a Wayland session: its windows are marked so.
    xwayland: bool,
    link: Mutex<Link>,
}

enum Link {
    Up(Arc<Session>),
    Down {
        reason: String,
        tried: Option<Instant>,
    },
}

/// Why an action failed inside the backend.
enum Failure {
    /// The connection broke: drop it so that the next call reconnects.
    Connection(ConnectionError),
    Refused(Error),
}

impl From<ConnectionError> for Failure {
    fn from(e: ConnectionError) -> Self {
        Failure::Connection(e)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Refused(e)
    }
}

impl X11Windows {
    /// Tries to connect now; failing that, stays usable and tries again on later calls.
    /// `xwayland`: the display is the Xwayland of a Wayland session, whose windows are
    /// marked so.
    pub fn with_xwayland(display: Option<&str>, xwayland: bool) -> Self {
        let windows = X11Windows {
            display: display.map(str::to_string),
            xwayland,
            link: Mutex::new(Link::Down {
                reason: String::new(),
                tried: None,
            }),
        };
        let _ = windows.session();
        windows
    }

    /// The live session, connecting if there is none (at most once per [`RETRY_AFTER`]).
    fn session(&self) -> Result<Arc<Session>, String> {
        let mut link = self.link.lock().unwrap_or_else(PoisonError::into_inner);
        match &*link {
            Link::Up(session) => return Ok(session.clone()),
            Link::Down {
                reason,
                tried: Some(when),
            } if when.elapsed() < RETRY_AFTER => return Err(reason.clone()),
            Link::Down { .. } => {}
        }
        match Session::connect(self.display.as_deref()) {
            Ok(session) => {
                let session = Arc::new(session);
                *link = Link::Up(session.clone());
                Ok(session)
            }
            Err(reason) => {
                *link = Link::Down {
                    reason: reason.clone(),
                    tried: Some(Instant::now()),
                };
                Err(reason)
            }
        }
    }

    /// Forgets a broken session (unless another call already replaced it) and says why.
    fn lost(&self, session: &Arc<Session>, e: &ConnectionError) -> String {
        let reason = format!("lost the connection to display {}: {e}", session.display);
        let mut link = self.link.lock().unwrap_or_else(PoisonError::into_inner);
        if matches!(&*link, Link::Up(current) if Arc::ptr_eq(current, session)) {
            // No back-off yet: the next call reconnects at once, so a restarted server is
            // picked up straight away; if that attempt fails, it starts the back-off.
            *link = Link::Down {
                reason: reason.clone(),
                tried: None,
            };
        }
        reason
    }

    /// Runs an action on the session, turning connection trouble into an error.
    fn act<T>(&self, action: impl FnOnce(&Session) -> Result<T, Failure>) -> Result<T> {
        let session = self
            .session()
            .map_err(|reason| Error::Unsupported(format!("windows: {reason}")))?;
        match action(&session) {
            Ok(value) => Ok(value),
            Err(Failure::Refused(e)) => Err(e),
            Err(Failure::Connection(e)) => {
                let reason = self.lost(&session, &e);
                Err(Error::Io {
                    context: reason,
                    source: io::Error::other(e),
                })
            }
        }
    }
}

impl WindowSystem for X11Windows {
    fn list(&self) -> WindowList {
        // A server restarted since the last call shows up as a broken connection: reconnect
        // once before reporting the display unavailable.
        let mut reason = String::new();
        for _ in 0..2 {
            let session = match self.session() {
                Ok(session) => session,
                Err(reason) => return WindowList::unavailable(BACKEND, reason),
            };
            match list(&session) {
                Ok(mut list) => {
                    if self.xwayland {
                        list.label = "Xwayland (X11 windows only)".to_string();
                        list.windows.iter_mut().for_each(|w| w.xwayland = true);
                    }
                    return list;
                }
                Err(e) => reason = self.lost(&session, &e),
            }
        }
        WindowList::unavailable(BACKEND, reason)
    }

    fn close_many(
        &self,
        ids: &[WindowId],
        timeout: Duration,
    ) -> Vec<(WindowId, Result<CloseOutcome>)> {
        match self.act(|s| Ok(close::close_many(s, ids, timeout)?)) {
            Ok(outcomes) => outcomes
                .into_iter()
                .map(|(id, outcome)| (id, Ok(outcome)))
                .collect(),
            // The one failure applies to every window.
            Err(e) => ids
                .iter()
                .map(|id| (id.clone(), Err(duplicate(&e))))
                .collect(),
        }
    }

    fn activate(&self, id: &WindowId) -> Result<()> {
        self.act(|s| activate(s, id))
    }

    fn minimize(&self, id: &WindowId) -> Result<()> {
        self.act(|s| minimize(s, id))
    }

    fn layout(&self, window: &WindowInfo) -> Result<WindowLayout> {
        self.act(|s| place::layout(s, &window.id))
    }

    fn place(&self, window: &WindowInfo, placement: &Placement) -> Result<()> {
        self.act(|s| place::place(s, &window.id, placement))
    }

    fn restack(&self, windows: &[WindowInfo]) -> Result<()> {
        self.act(|s| place::restack(s, windows))
    }
}

/// A copy of `e` (the type is not `Clone`, as `io::Error` is not).
fn duplicate(e: &Error) -> Error {
    match e {
        Error::Unsupported(m) => Error::Unsupported(m.clone()),
        Error::NotFound(m) => Error::NotFound(m.clone()),
        Error::PermissionDenied(m) => Error::PermissionDenied(m.clone()),
        Error::Protected(m) => Error::Protected(m.clone()),
        Error::Changed(m) => Error::Changed(m.clone()),
        Error::Invalid(m) => Error::Invalid(m.clone()),
        Error::Io { context, source } => Error::Io {
            context: context.clone(),
            source: io::Error::new(source.kind(), source.to_string()),
        },
    }
}

fn list(s: &Session) -> Result<WindowList, ConnectionError> {
    s.drain_events()?;
    let wm = query::detect_wm(s)?;
    let clients = query::client_windows(s, &wm)?;
    let active = query::active_window(s, &wm, &clients)?;
    let windows = query::read_windows(s, &wm, &clients, active)?
        .into_iter()
        .filter(query::Seen::on_taskbar)
        .map(|seen| seen.info)
        .collect();
    let label = match &wm.ewmh {
        Some(ewmh) => format!("{} (X11)", ewmh.name),
        None => "X11 (no window manager)".to_string(),
    };
    let capabilities = WindowCapabilities {
        minimize: wm.any(),
        desktop: wm.ewmh.is_some(),
        ..WindowCapabilities::ALL
    };
    Ok(WindowList {
        backend: BACKEND.to_string(),
        label,
        capabilities,
        available: true,
        reason: None,
        window_manager: wm.ewmh.map(|e| e.name),
        windows,
    })
}

/// The window `id`, checked to exist now.
fn existing(s: &Session, id: &WindowId) -> Result<Window, Failure> {
    let not_found = || Failure::Refused(Error::NotFound(format!("window {id}")));
    let w = id.as_x11().ok_or_else(not_found)?;
    match query::tolerate(s.conn.get_window_attributes(w)?.reply())? {
        Some(_) if w != x11rb::NONE => Ok(w),
        _ => Err(not_found()),
    }
}

/// The outcome of a request that must have reached the server (the check is a round trip).
fn checked(result: Result<(), ReplyError>, doing: &str, id: &WindowId) -> Result<(), Failure> {
    match result {
        Ok(()) => Ok(()),
        Err(ReplyError::ConnectionError(e)) => Err(Failure::Connection(e)),
        // Gone since we looked.
        Err(ReplyError::X11Error(e)) if e.error_kind == ErrorKind::Window => {
            Err(Failure::Refused(Error::NotFound(format!("window {id}"))))
        }
        Err(ReplyError::X11Error(e)) => Err(Failure::Refused(Error::Io {
            context: format!("cannot {doing} window {id}"),
            source: io::Error::other(format!("{:?} error from the X server", e.error_kind)),
        })),
    }
}

/// A message to the window manager about `w`, the way pagers and taskbars send them.
fn tell_window_manager(
    s: &Session,
    w: Window,
    kind: u32,
    data: [u32; 5],
) -> Result<(), ReplyError> {
    let event = ClientMessageEvent::new(32, w, kind, data);
    s.conn
        .send_event(
            false,
            s.root,
            EventMask::SUBSTRUCTURE_REDIRECT | EventMask::SUBSTRUCTURE_NOTIFY,
            event,
        )?
        .check()
}

fn activate(s: &Session, id: &WindowId) -> Result<(), Failure> {
    s.drain_events()?;
    let w = existing(s, id)?;
    let wm = query::detect_wm(s)?;
    if wm.supports(s.atoms._NET_ACTIVE_WINDOW) {
        // Source indication 2 (pager): a direct user request, which focus-stealing prevention
        // lets through. CurrentTime is accepted by the managers we test with.
        let current = wm.active.unwrap_or(x11rb::NONE);
        let data = [2, x11rb::CURRENT_TIME, current, 0, 0];
        return checked(
            tell_window_manager(s, w, s.atoms._NET_ACTIVE_WINDOW, data),
            "activate",
            id,
        );
    }
    // No EWMH manager: do it ourselves. Under an ICCCM manager the map and the restack are
    // redirected to it, which de-iconifies and raises.
    let map = s.conn.map_window(w)?;
    let raise = s
        .conn
        .configure_window(w, &ConfigureWindowAux::new().stack_mode(StackMode::ABOVE))?;
    let focus = s
        .conn
        .set_input_focus(InputFocus::PARENT, w, x11rb::CURRENT_TIME)?;
    checked(map.check(), "map", id)?;
    checked(raise.check(), "raise", id)?;
    match focus.check() {
        // A manager may not have mapped it yet (BadMatch): the raise is what counts then.
        Err(ReplyError::X11Error(_)) => Ok(()),
        other => checked(other, "focus", id),
    }
}

fn minimize(s: &Session, id: &WindowId) -> Result<(), Failure> {
    s.drain_events()?;
    let w = existing(s, id)?;
    let wm = query::detect_wm(s)?;
    if !wm.any() {
        return Err(Failure::Refused(Error::Unsupported(format!(
            "minimizing needs a window manager, and none runs on display {}",
            s.display
        ))));
    }
    place::iconify(s, &wm, w, id)
}
