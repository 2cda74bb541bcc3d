//! wlroots compositors through `wlr-foreign-toplevel-management-unstable-v1` (Hyprland, labwc,
//! Wayfire, niri; sway implements it too): what a taskbar sees. Titles and app ids, the
//! activated and minimized states, a dialog's parent (version 3); no PIDs and no workspaces.
//!
//! One Wayland connection, kept behind a lock; each call first does a round trip, which
//! dispatches every event since the previous call (so a list is current) and is remade after
//! it breaks. A close is the handle's `close` request, which the compositor turns into the
//! polite `xdg_toplevel.close`. Without PIDs, an app's answer ("Save changes?") is recognised
//! as a new toplevel that names the window as its parent or has the same app id.
//!
//! The protocol does not say which toplevels are Xwayland clients, and wlroots closes an X11
//! window that does not accept `WM_DELETE_WINDOW` by killing its client. So when the session
//! has an X display, toplevels are matched with its windows (same title, app id = X11 class or
//! instance): a match is marked `xwayland` and closable only if the X server says it accepts a
//! polite close.

use std::collections::HashSet;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use wayland_client::globals::{GlobalListContents, registry_queue_init};
use wayland_client::protocol::{wl_registry, wl_seat::WlSeat};
use wayland_client::{Connection, Dispatch, EventQueue, Proxy, QueueHandle, event_created_child};
use wayland_protocols_wlr::foreign_toplevel::v1::client::zwlr_foreign_toplevel_handle_v1::{
    self, ZwlrForeignToplevelHandleV1,
};
use wayland_protocols_wlr::foreign_toplevel::v1::client::zwlr_foreign_toplevel_manager_v1::{
    self, ZwlrForeignToplevelManagerV1,
};

use super::io_error;
use crate::error::{Error, Result};
use crate::window::{
    CloseOutcome, WindowCapabilities, WindowId, WindowInfo, WindowList, WindowSystem,
};

pub const BACKEND: &str = "wlr";
/// How messages name the compositor: wlr-foreign-toplevel does not say which one it is.
const COMPOSITOR: &str = "this compositor";

/// How often the toplevels are looked at while waiting for windows to close.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// The protocol's state values (`zwlr_foreign_toplevel_handle_v1.state`).
const STATE_MINIMIZED: u32 = 1;
const STATE_ACTIVATED: u32 = 2;

/// The toplevels of one wlroots compositor, through its Wayland socket.
pub struct WlrWindows {
    socket: PathBuf,
    link: Mutex<Option<Link>>,
    /// The session's Xwayland, to recognise X11 windows among the toplevels.
    xwayland: Option<Box<dyn WindowSystem>>,
}

/// A live connection and what it has been told.
struct Link {
    queue: EventQueue<Toplevels>,
    state: Toplevels,
    seat: Option<WlSeat>,
    /// Kept alive: dropping it would not stop the events, but it is the connection's purpose.
    _manager: ZwlrForeignToplevelManagerV1,
}

/// Every toplevel the compositor announced, in that order.
#[derive(Default)]
struct Toplevels {
    next: u64,
    all: Vec<Toplevel>,
    /// The compositor stopped sending (`finished`): the connection must be remade.
    finished: bool,
}

struct Toplevel {
    /// Boss's own number for it (object ids are reused).
    number: u64,
    handle: ZwlrForeignToplevelHandleV1,
    title: String,
    app_id: String,
    states: Vec<u32>,
    parent: Option<wayland_client::backend::ObjectId>,
    /// Announced completely at least once (`done`).
    done: bool,
    closed: bool,
}

impl WlrWindows {
    /// The compositor at `socket`, if it offers the foreign-toplevel protocol. `xwayland` is
    /// the X display of the session, when there is one.
    pub fn connect(socket: &Path, xwayland: Option<Box<dyn WindowSystem>>) -> Option<Self> {
        let link = Link::open(socket).ok()?;
        Some(WlrWindows {
            socket: socket.to_path_buf(),
            link: Mutex::new(Some(link)),
            xwayland,
        })
    }

    /// The windows, with the X11 ones among them marked (see the module's documentation).
    fn windows(&self) -> Result<Vec<WindowInfo>> {
        let mut windows = self.with(|link| link.state.windows())?;
        if let Some(x11) = &self.xwayland {
            let x11 = x11.list();
            if x11.available {
                for w in &mut windows {
                    if let Some(x) = x11.windows.iter().find(|x| same_window(w, x)) {
                        w.xwayland = true;
                        w.closable = x.closable;
                    }
                }
            }
        }
        Ok(windows)
    }

    /// Runs `f` on the link after a round trip (reconnecting if needed); a broken link is
    /// dropped so that the next call reconnects.
    fn with<T>(&self, f: impl FnOnce(&mut Link) -> T) -> Result<T> {
        let mut guard = self.link.lock().unwrap_or_else(PoisonError::into_inner);
        if guard.is_none() {
            *guard = Some(Link::open(&self.socket).map_err(|e| self.error(e))?);
        }
        let link = guard.as_mut().expect("connected just above");
        let fresh = link.queue.roundtrip(&mut link.state);
        match fresh {
            Ok(_) if !link.state.finished => Ok(f(link)),
            Ok(_) => {
                *guard = None;
                Err(self.error("the compositor stopped reporting toplevels"))
            }
            Err(e) => {
                *guard = None;
                Err(self.error(e))
            }
        }
    }

    fn error(&self, e: impl std::fmt::Display) -> Error {
        io_error(
            format!("Wayland compositor at {}", self.socket.display()),
            e,
        )
    }

    /// Sends one request about the toplevel `id` (after checking that it is still open).
    fn request(&self, id: &WindowId, send: impl FnOnce(&Toplevel, Option<&WlSeat>)) -> Result<()> {
        let number = number(id);
        let sent = self.with(|link| {
            let toplevel = link
                .state
                .all
                .iter()
                .find(|t| Some(t.number) == number && t.done && !t.closed)?;
            send(toplevel, link.seat.as_ref());
            Some(link.queue.flush())
        })?;
        match sent {
            None => Err(Error::NotFound(format!("window {id}"))),
            Some(Ok(())) => Ok(()),
            Some(Err(e)) => Err(self.error(e)),
        }
    }
}

impl Link {
    fn open(socket: &Path) -> std::result::Result<Link, String> {
        let stream = UnixStream::connect(socket).map_err(|e| e.to_string())?;
        let conn = Connection::from_socket(stream).map_err(|e| e.to_string())?;
        let (globals, mut queue) =
            registry_queue_init::<Toplevels>(&conn).map_err(|e| e.to_string())?;
        let qh = queue.handle();
        let manager: ZwlrForeignToplevelManagerV1 = globals
            .bind(&qh, 1..=3, ())
            .map_err(|e| format!("no wlr-foreign-toplevel-management: {e}"))?;
        let seat: Option<WlSeat> = globals.bind(&qh, 1..=1, ()).ok();
        let mut state = Toplevels::default();
        // The first round trip brings the toplevels, the second their details.
        for _ in 0..2 {
            queue.roundtrip(&mut state).map_err(|e| e.to_string())?;
        }
        Ok(Link {
            queue,
            state,
            seat,
            _manager: manager,
        })
    }
}

/// Whether the toplevel `w` is the X11 window `x` (compositors give an Xwayland toplevel the
/// X11 title and its class, or instance, as app id).
fn same_window(w: &WindowInfo, x: &WindowInfo) -> bool {
    w.title == x.title
        && (w.class.eq_ignore_ascii_case(&x.class) || w.class.eq_ignore_ascii_case(&x.instance))
}

/// The number in a window id of this backend.
fn number(id: &WindowId) -> Option<u64> {
    id.local(BACKEND)?.parse().ok()
}

fn id_of(number: u64) -> WindowId {
    WindowId::new(BACKEND, number)
}

impl Toplevels {
    /// The open toplevels as windows.
    fn windows(&self) -> Vec<WindowInfo> {
        let open: Vec<&Toplevel> = self.all.iter().filter(|t| t.done && !t.closed).collect();
        open.iter()
            .map(|t| {
                let parent = t.parent.as_ref().and_then(|p| {
                    open.iter()
                        .find(|o| o.handle.id() == *p)
                        .map(|o| id_of(o.number))
                });
                let minimized = t.states.contains(&STATE_MINIMIZED);
                WindowInfo {
                    id: id_of(t.number),
                    title: t.title.clone(),
                    class: t.app_id.clone(),
                    instance: t.app_id.clone(),
                    pid: None,
                    desktop: None,
                    active: t.states.contains(&STATE_ACTIVATED) && !minimized,
                    minimized,
                    kind: if parent.is_some() { "dialog" } else { "normal" }.to_string(),
                    transient_for: parent,
                    closable: true,
                    xwayland: false,
                }
            })
            .collect()
    }
}

impl Dispatch<wl_registry::WlRegistry, GlobalListContents> for Toplevels {
    fn event(
        _: &mut Self,
        _: &wl_registry::WlRegistry,
        _: wl_registry::Event,
        _: &GlobalListContents,
        _: &Connection,
        _: &QueueHandle<Self>,
    ) {
    }
}

impl Dispatch<WlSeat, ()> for Toplevels {
    fn event(
        _: &mut Self,
        _: &WlSeat,
        _: <WlSeat as Proxy>::Event,
        _: &(),
        _: &Connection,
        _: &QueueHandle<Self>,
    ) {
    }
}

impl Dispatch<ZwlrForeignToplevelManagerV1, ()> for Toplevels {
    fn event(
        state: &mut Self,
        _: &ZwlrForeignToplevelManagerV1,
        event: zwlr_foreign_toplevel_manager_v1::Event,
        _: &(),
        _: &Connection,
        _: &QueueHandle<Self>,
    ) {
        match event {
            zwlr_foreign_toplevel_manager_v1::Event::Toplevel { toplevel } => {
                state.next += 1;
                state.all.push(Toplevel {
                    number: state.next,
                    handle: toplevel,
                    title: String::new(),
                    app_id: String::new(),
                    states: Vec::new(),
                    parent: None,
                    done: false,
                    closed: false,
                });
            }
            zwlr_foreign_toplevel_manager_v1::Event::Finished => state.finished = true,
            _ => {}
        }
    }

    event_created_child!(Toplevels, ZwlrForeignToplevelManagerV1, [
        zwlr_foreign_toplevel_manager_v1::EVT_TOPLEVEL_OPCODE => (ZwlrForeignToplevelHandleV1, ()),
    ]);
}

impl Dispatch<ZwlrForeignToplevelHandleV1, ()> for Toplevels {
    fn event(
        state: &mut Self,
        handle: &ZwlrForeignToplevelHandleV1,
        event: zwlr_foreign_toplevel_handle_v1::Event,
        _: &(),
        _: &Connection,
        _: &QueueHandle<Self>,
    ) {
        use zwlr_foreign_toplevel_handle_v1::Event;
        let Some(t) = state.all.iter_mut().find(|t| t.handle == *handle) else {
            return;
        };
        match event {
            Event::Title { title } => t.title = title,
            Event::AppId { app_id } => t.app_id = app_id,
            Event::State { state } => {
                t.states = state
                    .chunks_exact(4)
                    .map(|c| u32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
                    .collect();
            }
            Event::Parent { parent } => t.parent = parent.map(|p| p.id()),
            Event::Done => t.done = true,
            Event::Closed => {
                t.closed = true;
                handle.destroy();
            }
            _ => {}
        }
        // Forget closed toplevels once nothing can refer to them any more.
        if state.all.len() > 256 {
            state.all.retain(|t| !t.closed);
        }
    }
}

impl WindowSystem for WlrWindows {
    fn list(&self) -> WindowList {
        match self.windows() {
            Ok(windows) => WindowList {
                capabilities: WindowCapabilities {
                    pid: false,
                    desktop: false,
                    ..WindowCapabilities::ALL
                },
                ..WindowList::answered(BACKEND, "wlroots (Wayland)", "wlroots compositor", windows)
            },
            Err(e) => WindowList::unavailable(BACKEND, e.to_string()),
        }
    }

    fn close_many(
        &self,
        ids: &[WindowId],
        timeout: Duration,
    ) -> Vec<(WindowId, Result<CloseOutcome>)> {
        let started = Instant::now();
        // X11 windows that do not accept a polite close: nothing is sent (wlroots would kill).
        let unclosable: HashSet<WindowId> = match self.windows() {
            Ok(windows) => windows
                .into_iter()
                .filter(|w| !w.closable)
                .map(|w| w.id)
                .collect(),
            Err(e) => return failed(ids, &e),
        };
        // Send every request in one go; remember what was open and each target's app id.
        let sent = self.with(|link| {
            let before: HashSet<u64> = link
                .state
                .all
                .iter()
                .filter(|t| !t.closed)
                .map(|t| t.number)
                .collect();
            let mut watched: Vec<(u64, String)> = Vec::new();
            let targets = ids.iter().filter(|id| !unclosable.contains(*id));
            for number in targets.filter_map(number) {
                let open = link
                    .state
                    .all
                    .iter()
                    .find(|t| t.number == number && t.done && !t.closed);
                if let Some(t) = open
                    && !watched.iter().any(|(n, _)| *n == number)
                {
                    t.handle.close();
                    watched.push((number, t.app_id.clone()));
                }
            }
            (before, watched, link.queue.flush())
        });
        let (before, mut watched) = match sent {
            Ok((before, watched, Ok(()))) => (before, watched),
            Ok((_, _, Err(e))) => return failed(ids, &self.error(e)),
            Err(e) => return failed(ids, &e),
        };
        let mut outcomes: Vec<(u64, CloseOutcome)> = Vec::new();
        let deadline = started + timeout;
        while !watched.is_empty() {
            let looked = self.with(|link| {
                let all = &link.state.all;
                watched.retain(|(number, app_id)| {
                    let target = all.iter().find(|t| t.number == *number);
                    let outcome = if target.is_none_or(|t| t.closed) {
                        CloseOutcome::Closed
                    } else if all.iter().any(|n| {
                        n.done
                            && !n.closed
                            && !before.contains(&n.number)
                            && (target.is_some_and(|t| n.parent == Some(t.handle.id()))
                                || (!app_id.is_empty() && n.app_id == *app_id))
                    }) {
                        CloseOutcome::Prompting
                    } else {
                        return true;
                    };
                    outcomes.push((*number, outcome));
                    false
                });
            });
            let now = Instant::now();
            if looked.is_err() || watched.is_empty() || now >= deadline {
                break;
            }
            std::thread::sleep(POLL_INTERVAL.min(deadline - now));
        }
        outcomes.extend(
            watched
                .into_iter()
                .map(|(n, _)| (n, CloseOutcome::StillOpen)),
        );
        ids.iter()
            .map(|id| {
                let outcome = if unclosable.contains(id) {
                    CloseOutcome::Unsupported
                } else {
                    number(id)
                        .and_then(|n| outcomes.iter().find(|(o, _)| *o == n))
                        .map_or(CloseOutcome::Gone, |(_, o)| *o)
                };
                (id.clone(), Ok(outcome))
            })
            .collect()
    }

    fn activate(&self, id: &WindowId) -> Result<()> {
        let mut seatless = false;
        self.request(id, |t, seat| {
            if t.states.contains(&STATE_MINIMIZED) {
                t.handle.unset_minimized();
            }
            match seat {
                Some(seat) => t.handle.activate(seat),
                None => seatless = true,
            }
        })?;
        if seatless {
            return Err(Error::Unsupported(
                "activating needs a seat, and the compositor offers none".into(),
            ));
        }
        Ok(())
    }

    fn minimize(&self, id: &WindowId) -> Result<()> {
        self.request(id, |t, _| t.handle.set_minimized())
    }

    fn layout(&self, _window: &crate::window::WindowInfo) -> Result<crate::window::WindowLayout> {
        super::unsupported(
            "window geometry",
            COMPOSITOR,
            "wlr-foreign-toplevel does not tell where windows are",
        )
    }

    fn place(
        &self,
        _window: &crate::window::WindowInfo,
        _placement: &crate::window::Placement,
    ) -> Result<()> {
        super::unsupported(
            "placing windows",
            COMPOSITOR,
            "wlr-foreign-toplevel cannot move them",
        )
    }

    fn restack(&self, _windows: &[crate::window::WindowInfo]) -> Result<()> {
        super::unsupported(
            "stacking windows",
            COMPOSITOR,
            "wlr-foreign-toplevel has no stacking order",
        )
    }
}

/// The one failure, for every window.
fn failed(ids: &[WindowId], e: &Error) -> Vec<(WindowId, Result<CloseOutcome>)> {
    ids.iter()
        .map(|id| {
            (
                id.clone(),
                Err(io_error(format!("cannot close window {id}"), e)),
            )
        })
        .collect()
}
